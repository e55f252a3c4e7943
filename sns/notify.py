"""The one way any app records that something happened to a member (kernel: every app's
services call it; the pages, the mail and the preferences are the notifications feature,
sns/notifications/).

Callers name ``notify`` in their service ("notifies the recipient"), never in a signal.
Every write here makes the recipients' header counts stale (``sns.cache.inbox``).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import cache
from .models import Notification

Kind = Notification.Kind


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


def notifications_withdraw(*, model: type[models.Model], ids) -> int:
    """Delete the notifications about these objects (they are being deleted); return how many."""
    about = Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
    )
    # Whose counts change is read only when there are cached counts to make stale.
    recipients = set(about.values_list("recipient_id", flat=True)) if cache.in_use() else ()
    deleted, _by_model = about.delete()
    cache.bump(*(cache.inbox(recipient) for recipient in recipients))
    return deleted
