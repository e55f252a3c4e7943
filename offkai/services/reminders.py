"""The day-before reminder: once per start time, to those attending and to the hosts, in
each one's language.

``reminders_send`` is run every 15 minutes (cron: ``manage.py send_offkai_reminders``, or
the ``offkai.tasks.send_offkai_reminders`` task). ``Event.reminded_at`` says the reminder
for the current start time went out; changing the time clears it (``event_update``), so a
moved event is reminded again, and never twice for one start time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from sns import mail
from sns.notify import Kind, notify_many

from ..models import RSVP, Answer, Event, EventHost
from .audience import may_see

# Events starting within this much from now are reminded.
REMIND_AHEAD = timedelta(hours=24)


def _due(now: datetime) -> QuerySet[Event]:
    return Event.objects.filter(
        cancelled_at__isnull=True,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMIND_AHEAD,
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind every event starting in the next 24 hours not reminded yet; return how many
    members were reminded. Safe to run from several machines at once: each event is taken
    under its row lock, and an event already taken is skipped."""
    now = now or timezone.now()
    due = list(_due(now).order_by("starts_at", "pk").values_list("pk", flat=True))
    return sum(event_remind(event_id=pk, now=now) for pk in due)


def _recipients(event: Event) -> list[User]:
    """Those attending and the hosts: active members who may still see the event (a block
    since they answered, or leaving its community, takes them out)."""
    attending = Exists(RSVP.objects.filter(
        event=event, user=OuterRef("pk"), answer=Answer.ATTENDING
    ))
    hosting = Exists(EventHost.objects.filter(event=event, user=OuterRef("pk")))
    members = User.objects.filter(is_active=True).filter(attending | hosting)
    return list(may_see(event, members).order_by("pk"))


def event_remind(*, event_id: int, now: datetime | None = None) -> int:
    """Remind one event's attendees and hosts (in-app now, by mail after commit), if it is
    still due; return how many were reminded (0: not due, or another run took it)."""
    from ..tasks import send_event_reminder  # the tasks call this module

    now = now or timezone.now()
    with transaction.atomic():
        # Lock the event, so two runs at once (or a change of time) cannot both remind it.
        event = _due(now).select_for_update().filter(pk=event_id).first()
        if event is None:
            return 0
        event.reminded_at = now
        event.save(update_fields=["reminded_at"])
        recipients = _recipients(event)
        notify_many(
            recipient_ids=[m.pk for m in recipients], kind=Kind.EVENT_REMINDER, target=event
        )
        starts_at = event.starts_at.isoformat()
        for member in recipients:
            transaction.on_commit(
                lambda user_id=member.pk: send_event_reminder.enqueue(
                    event_id=event_id, user_id=user_id, starts_at=starts_at
                )
            )
    return len(recipients)


def reminder_mail_send(*, event_id: int, user_id: int, starts_at: str) -> bool:
    """Mail one member the reminder, in their language, if it still holds: the event is not
    cancelled and starts when it did when reminded, and the member still attends or hosts."""
    event = Event.objects.filter(pk=event_id, cancelled_at__isnull=True).first()
    member = User.objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if event is None or member is None:
        return False
    if event.starts_at != datetime.fromisoformat(starts_at):
        return False  # moved since: the reminder for the new time goes out on its own
    answer = RSVP.objects.filter(event=event, user=member, answer=Answer.ATTENDING).first()
    if answer is None and not EventHost.objects.filter(event=event, user=member).exists():
        return False
    message = mail.build(
        to=member.email, template="offkai/email/reminder", language=mail.member_language(member),
        context={
            "event": event,
            "name": member.display_name,
            "guests": answer.guests if answer else 0,
            "event_url": mail.absolute_url(event.get_absolute_url()),
        },
    )
    mail.send(message)
    return True
