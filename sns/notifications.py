"""The one way any app records that something happened to a member, and what the member does
with it: read marks and the per-kind email preferences.

Callers name ``notify`` in their service ("notifies the recipient"), never in a signal.
Every write here makes the recipients' header counts stale (``sns.cache.inbox``).
The list and its sentences are in ``sns.notification_items``, the batched email in
``sns.notification_mail``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import cache
from .models import Notification, NotificationPreference
from .visibility import without_hidden_people

Kind = Notification.Kind

# --- recording -------------------------------------------------------------------------------


def notify(
    *, recipient, kind: str, actor=None, target: models.Model | None = None
) -> Notification | None:
    """Record ``kind`` for ``recipient``; a member is never notified of their own act."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        actor=actor,
        kind=kind,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
    )
    cache.bump(cache.inbox(recipient))
    return notification


def notify_many(
    *, recipient_ids, kind: str, actor=None, target: models.Model | None = None,
    batch_size: int = 1000, mailed_at=None,
) -> int:
    """``notify`` for many members at once (a community of thousands): ``recipient_ids`` is
    any iterable of member ids (e.g. a ``values_list`` queryset); rows are inserted
    ``batch_size`` at a time. The actor is left out. Returns how many were made.

    ``mailed_at`` set means the caller mails them itself (announcements): the batched
    email then never looks at them.
    """
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = target.pk if target is not None else None
    actor_id = actor.pk if actor is not None else None
    made, batch = 0, []
    for recipient_id in recipient_ids:
        if recipient_id == actor_id:
            continue
        batch.append(Notification(
            recipient_id=recipient_id, actor_id=actor_id, kind=kind,
            target_type=target_type, target_id=target_id, mailed_at=mailed_at,
        ))
        if len(batch) >= batch_size:
            made += _create(batch)
            batch = []
    if batch:
        made += _create(batch)
    return made


def _create(batch: list[Notification]) -> int:
    Notification.objects.bulk_create(batch)
    cache.bump(*(cache.inbox(n.recipient_id) for n in batch))
    return len(batch)


def withdraw(*, model: type[models.Model], ids) -> int:
    """Delete the notifications about these objects (they are being deleted); return how many."""
    about = Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
    )
    # Whose counts change is read only when there are cached counts to make stale.
    recipients = set(about.values_list("recipient_id", flat=True)) if cache.in_use() else ()
    deleted, _by_model = about.delete()
    cache.bump(*(cache.inbox(recipient) for recipient in recipients))
    return deleted


# --- reading ---------------------------------------------------------------------------------

# The header shows at most this, then "99+": the count stops reading rows there.
UNREAD_SHOWN_MAX = 99


def inbox(member) -> QuerySet[Notification]:
    """``member``'s notifications as they may see them, newest first: those caused by a
    member who left, was suspended, or stands in a block with them either way are left out
    (notifications without an actor stay)."""
    return without_hidden_people(
        Notification.objects.filter(recipient=member), "actor_id", member
    ).order_by("-created_at", "-pk")


def unread(member) -> QuerySet[Notification]:
    """``member``'s unread notifications that they may see (the partial index
    ``notification_unread`` holds them)."""
    return inbox(member).filter(read_at__isnull=True).order_by()


def unread_count(member) -> int:
    """How many of ``member``'s notifications are unread, counted up to 100 (one query that
    stops there). The header reads it together with another count: sns.context_processors."""
    return unread(member)[: UNREAD_SHOWN_MAX + 1].count()


def notification_read_mark(*, member, notification_id: int) -> Notification:
    """Mark one of ``member``'s notifications read (once: the first reading time stays).

    Raises Notification.DoesNotExist for one that is not theirs or that they may not see.
    """
    notification = inbox(member).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        ):
            cache.bump(cache.inbox(member))
    return notification


def notifications_all_read_mark(*, member) -> int:
    """Mark every unread notification of ``member`` read; return how many."""
    marked = Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        cache.bump(cache.inbox(member))
    return marked


# --- email preferences -----------------------------------------------------------------------

# The off-kai app mails these itself, whatever the preference: the batched email never
# includes them, so nobody gets the same news twice.
ALWAYS_EMAILED = frozenset({
    Kind.EVENT_CHANGED, Kind.EVENT_CANCELLED, Kind.EVENT_PROMOTED, Kind.EVENT_REMINDER,
})

# What each kind does without a preference row: news that asks for an answer or concerns
# the member's standing comes by email; comments and community-wide news stay in the app.
EMAIL_BY_DEFAULT: dict[str, bool] = {
    Kind.FRIEND_REQUEST_RECEIVED: True,
    Kind.FRIEND_REQUEST_ACCEPTED: True,
    Kind.INTRODUCTION_WRITTEN: True,
    Kind.DIARY_COMMENT: False,
    Kind.DIARY_COMMENT_AFTER: False,
    Kind.COMMUNITY_JOIN_REQUEST: True,
    Kind.COMMUNITY_JOIN_APPROVED: True,
    Kind.COMMUNITY_TOPIC_COMMENT: False,
    Kind.COMMUNITY_INVITATION: True,
    Kind.EVENT_NEW: False,
    Kind.EVENT_COMMENT: False,
    Kind.INVITEE_JOINED: True,
    Kind.MEMBER_INVITED: True,
    Kind.MODERATION_WARNING: True,
    Kind.INVITEE_WARNED: True,
    Kind.INVITEE_SUSPENDED: True,
    Kind.INVITE_RIGHT_REMOVED: True,
    Kind.ANNOUNCEMENT: True,
}

# The kinds a member chooses for, in the order the settings page lists them.
CHOOSABLE: list[str] = [kind for kind in Kind.values if kind not in ALWAYS_EMAILED]


def email_kinds(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """For each member, the kinds they get by email (the batched email's and the
    announcements'), from their preference rows and the defaults: one query."""
    user_ids = list(user_ids)
    wanted = {
        user_id: {kind for kind, on in EMAIL_BY_DEFAULT.items() if on} for user_id in user_ids
    }
    rows = NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=CHOOSABLE)
    for user_id, kind, email in rows.values_list("user_id", "kind", "email"):
        (wanted[user_id].add if email else wanted[user_id].discard)(kind)
    return wanted


def email_choices(member) -> dict[str, bool]:
    """Whether ``member`` gets each choosable kind by email, in ``CHOOSABLE`` order."""
    wanted = email_kinds([member.pk])[member.pk]
    return {kind: kind in wanted for kind in CHOOSABLE}


@transaction.atomic
def notification_preferences_set(*, member, email: dict[str, bool]) -> None:
    """Set whether ``member`` gets each kind in ``email`` by email (in-app always). Kinds
    that are always emailed, and unknown ones, are ignored."""
    rows = [
        NotificationPreference(user=member, kind=kind, email=bool(on))
        for kind, on in email.items() if kind in CHOOSABLE
    ]
    if rows:
        NotificationPreference.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["email"]
        )
