"""Telling members about an event: the community's invitation to a new one, and the notices
of a change, a cancellation or a place freed on the waitlist (in-app and by mail, each mail
in its recipient's language).

The services hand the work to tasks once their transaction has committed (``*_after_commit``
below): a rolled-back change tells nobody, and a community of thousands is invited outside
the request. The tasks (``offkai.tasks``) run ``event_community_invite`` and
``event_notice_send``."""

from __future__ import annotations

from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from sns import mail
from sns.notify import Kind, notify, notify_many

from ..models import RSVP, TAKING_PART, Answer, Event, EventHost
from .audience import may_see

# The template stem of each notice's mail: templates/offkai/email/<stem>{_subject.txt,.txt,.html}
NOTICE_MAILS = {
    Kind.EVENT_CHANGED: "changed",
    Kind.EVENT_CANCELLED: "cancelled",
    Kind.EVENT_PROMOTED: "promoted",
}


def event_community_invite_after_commit(*, event: Event) -> None:
    """Record EVENT_NEW for the members of the event's community (offkai.tasks)."""
    # The tasks call this module.
    from ..tasks import event_invite_community

    pk = event.pk
    transaction.on_commit(lambda: event_invite_community.enqueue(event_id=pk))


def event_notice_send_after_commit(
    *, event: Event, kind: str, actor: User | None = None, user_ids: list[int] | None = None,
    before: dict | None = None,
) -> None:
    """Tell members of ``kind`` (in-app and by mail, offkai.tasks.send_event_notice):
    ``user_ids``, or by default everyone taking part and the hosts. ``before`` holds the old
    values of what changed, for the mail."""
    # The tasks call this module.
    from ..tasks import send_event_notice

    arguments = {
        "event_id": event.pk,
        "kind": kind,
        "actor_id": actor.pk if actor is not None else None,
        "user_ids": list(user_ids) if user_ids is not None else None,
        "before": {
            field: value.isoformat() if isinstance(value, datetime) else value
            for field, value in (before or {}).items()
        },
    }
    transaction.on_commit(lambda: send_event_notice.enqueue(**arguments))


def event_community_invite(*, event_id: int) -> int:
    """Record EVENT_NEW for the members of the event's community who may see it (its hosts
    know already). Bulk inserts: a community of 20,000 takes seconds here, not in the
    request. Returns how many were recorded."""
    event = (
        Event.objects.select_related("created_by")
        .filter(pk=event_id, community__isnull=False, cancelled_at__isnull=True).first()
    )
    if event is None:
        return 0
    members = (
        User.objects.filter(is_active=True, community_memberships__community=event.community_id)
        .exclude(pk__in=EventHost.objects.filter(event=event).values("user"))
    )
    ids = may_see(event, members).order_by("pk").values_list("pk", flat=True)
    return notify_many(recipient_ids=ids, kind=Kind.EVENT_NEW, actor=event.created_by,
                       target=event)


def _recipients(
    event: Event, kind: str, actor_id: int | None, user_ids: list[int] | None
) -> QuerySet[User]:
    """Who is told: ``user_ids`` (those promoted, still attending), or everyone who answered
    (a change: those taking part; a cancellation: everyone) and the hosts; never the actor,
    only active members who may still see the event."""
    if user_ids is not None:
        people = User.objects.filter(pk__in=user_ids)
        if kind == Kind.EVENT_PROMOTED:
            people = people.filter(pk__in=RSVP.objects.filter(
                event=event, answer=Answer.ATTENDING
            ).values("user"))
    else:
        answers = RSVP.objects.filter(event=event)
        if kind != Kind.EVENT_CANCELLED:
            answers = answers.filter(answer__in=TAKING_PART)
        people = User.objects.filter(
            pk__in=answers.values("user")
        ) | User.objects.filter(pk__in=EventHost.objects.filter(event=event).values("user"))
    people = people.filter(is_active=True).exclude(pk=actor_id or 0)
    return may_see(event, people).select_related("profile").order_by("pk")


def _before(values: dict | None) -> dict:
    """The old values of what changed, as they were (times back to datetimes)."""
    result = {}
    for field, value in (values or {}).items():
        result[field] = datetime.fromisoformat(value) if field.endswith("_at") else value
    return result


def notice_mail(event: Event, kind: str, recipient: User, before: dict) -> EmailMultiAlternatives:
    """The mail telling ``recipient`` of ``kind``, in their language, as text and HTML."""
    return mail.build(
        to=recipient.email, template=f"offkai/email/{NOTICE_MAILS[kind]}",
        language=mail.member_language(recipient), context={
            "event": event,
            "before": before,
            "name": recipient.display_name,
            "event_url": mail.absolute_url(event.get_absolute_url()),
        },
    )


def event_notice_send(
    *, event_id: int, kind: str, actor_id: int | None = None,
    user_ids: list[int] | None = None, before: dict | None = None,
) -> int:
    """Tell members that the event changed (EVENT_CHANGED, ``before`` holding the old values
    of what changed), was cancelled (EVENT_CANCELLED) or has a place for them
    (EVENT_PROMOTED): a notification and a mail each. Returns how many were told."""
    event = Event.objects.select_related("community").filter(pk=event_id).first()
    if event is None or kind not in NOTICE_MAILS:
        return 0
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    old = _before(before)
    mails = []
    # The notices are recorded in the transaction that mails them: a mail server that fails
    # takes them back, and the retry (sns.mail_retry) records and mails them once.
    with transaction.atomic():
        for recipient in _recipients(event, kind, actor_id, user_ids):
            notify(recipient=recipient, kind=kind, actor=actor, target=event)
            mails.append(notice_mail(event, kind, recipient, old))
        if mails:
            mail.send(*mails)
    return len(mails)
