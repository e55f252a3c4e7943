"""Announcements (お知らせ) from the operator to every member or to one community's members:
sent once from admin, recorded as ANNOUNCEMENT notifications and, if chosen, mailed."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sns import cache, mail
from sns.models import Announcement, ModerationLog, Notification
from sns.notify import Kind, notify_many

from .mail import announcement_message
from .selectors import audience, email_kinds

# Members recorded (and mailed) per transaction.
CHUNK = 1000


# --- sending ---------------------------------------------------------------------------------

@transaction.atomic
def announcement_send(*, announcement: Announcement, by) -> bool:
    """Send ``announcement`` (once: return False, and do nothing, if it was sent already).

    Sets ``sent_at``, logs it in the moderation log and, after commit, has a task record the
    notifications (and mail them when ``by_email``). Only moderators (staff) send.
    """
    from .tasks import deliver_announcement  # a cycle: the task delivers through here

    if not by.is_staff:
        raise PermissionDenied

    # Locked, so two moderators pressing "send" at once send it once.
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.sent_at is not None:
        announcement.sent_at = locked.sent_at
        return False
    locked.sent_at = announcement.sent_at = timezone.now()
    locked.save(update_fields=["sent_at"])
    # On home (its kept HTML: sns.cache.rendered) for its audience.
    cache.bump(cache.ANNOUNCEMENTS)
    ModerationLog.objects.create(
        moderator=by, action=ModerationLog.Action.ANNOUNCEMENT,
        target_type=ContentType.objects.get_for_model(Announcement), target_id=locked.pk,
        reason=locked.title,
    )
    pk = locked.pk
    transaction.on_commit(lambda: deliver_announcement.enqueue(announcement_id=pk))
    return True


def announcement_deliver(*, announcement_id: int) -> int:
    """Record the ANNOUNCEMENT notification for everyone in the audience, ``CHUNK`` members
    at a time in member order, mailing each chunk (to those who want announcements by
    email) in the transaction that records it; return how many were recorded.

    Run again after a failure, it goes on after the last member recorded. The notifications
    are marked mailed, so the batched email never mails them a second time.
    """

    announcement = (
        Announcement.objects.select_related("community")
        .filter(pk=announcement_id, sent_at__isnull=False).first()
    )
    if announcement is None:
        return 0
    done = Notification.objects.filter(
        kind=Kind.ANNOUNCEMENT,
        target_type=ContentType.objects.get_for_model(Announcement), target_id=announcement.pk,
    ).aggregate(last=Max("recipient_id"))["last"] or 0
    made = 0
    members = audience(announcement).select_related("profile").order_by("pk")
    while True:
        chunk = list(members.filter(pk__gt=done)[:CHUNK])
        if not chunk:
            return made
        with transaction.atomic():
            now = timezone.now()
            made += notify_many(
                recipient_ids=[m.pk for m in chunk], kind=Kind.ANNOUNCEMENT,
                target=announcement, mailed_at=now,
            )
            if announcement.by_email:
                wanted = email_kinds(m.pk for m in chunk)
                messages = [
                    announcement_message(announcement, m) for m in chunk
                    if Kind.ANNOUNCEMENT in wanted[m.pk]
                ]
                if messages:
                    mail.send(*messages)
        done = chunk[-1].pk
