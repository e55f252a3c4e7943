"""What a member does with their notifications: read marks and the per-kind email
preferences (every write here makes their header counts stale, ``sns.cache.inbox``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sns import cache
from sns.models import Notification, NotificationPreference

from .selectors import CHOOSABLE, OPT_IN, inbox


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


@transaction.atomic
def notification_preferences_set(*, member, email: dict[str, bool], off=()) -> None:
    """Set whether ``member`` gets each kind in ``email`` by email (in-app always), and
    turn off the kinds of ``off`` that are off unless chosen (``OPT_IN``: no row). Kinds
    that are always emailed, and unknown ones, are ignored."""
    off = set(off) & OPT_IN
    NotificationPreference.objects.filter(user=member, kind__in=off).delete()
    email = {kind: on for kind, on in email.items() if kind not in off}
    rows = [
        NotificationPreference(user=member, kind=kind, email=bool(on))
        for kind, on in email.items() if kind in CHOOSABLE
    ]
    if rows:
        NotificationPreference.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["email"]
        )
