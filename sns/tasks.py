"""Background work of the notifications and announcements, and of the cached parts."""

from django.db import transaction
from django_tasks import task

from . import cache
from .mail_retry import retried_when_mail_fails


@task()
def send_notification_emails() -> int:
    """Mail the notifications that waited long enough (``notification_emails_send``)."""
    from .notification_mail import notification_emails_send

    return notification_emails_send()


@task()
@retried_when_mail_fails
def deliver_announcement(*, announcement_id: int) -> int:
    """Record (and mail, if chosen) a sent announcement for its audience."""
    from .announcements import announcement_deliver

    return announcement_deliver(announcement_id=announcement_id)


@task()
def build_parts_ahead(*, kind: str, member_ids: list[int]) -> int:
    """Build again these members' parts registered for ``kind`` (``cache.builds_ahead``),
    after a write bumped their scopes of that kind; returns how many members."""
    cache.build_ahead(*((kind, pk) for pk in member_ids))
    return len(member_ids)


def build_ahead_later(kind: str, member_ids: list[int]) -> None:
    """``build_parts_ahead`` in a task once the transaction commits: for a write made in a
    request, whose member does not wait for it."""
    if cache.in_use() and member_ids:
        transaction.on_commit(
            lambda: build_parts_ahead.enqueue(kind=kind, member_ids=list(member_ids)),
            robust=True,
        )
