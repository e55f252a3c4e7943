"""The one way any app records that something happened to a member (kernel: every app's
services call it; the pages, the mail and the preferences are the notifications feature,
sns/notifications/).

Callers name ``notify`` in their service ("notifies the recipient"), never in a signal.
Every write here makes the recipients' header counts stale (``sns.cache.inbox``).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Case, F, When
from django.db.models.functions import Greatest
from django.utils import timezone

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


# Kinds that gather: a new one joins the recipient's unread notification about the same thing
# ("Aki and 2 others liked your entry") instead of adding another.
GATHERED = frozenset({Kind.LIKE})


def notify_gathered(*, recipient, kind: str, actor, target: models.Model) -> None:
    """``notify`` for a kind that gathers: the recipient's unread notification of ``kind``
    about ``target`` now names ``actor``, counts one more (``gathered``) and moves to the
    top, or a new one is made. One statement against the partial unique index
    ``notification_gathered_once``, so that two at once make one notification, never two."""
    assert kind in GATHERED
    if actor.pk == recipient.pk:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sns_notification "
            "(recipient_id, actor_id, kind, target_type_id, target_id, created_at, gathered) "
            "VALUES (%s, %s, %s, %s, %s, %s, 1) "
            "ON CONFLICT (recipient_id, target_type_id, target_id) "
            "WHERE kind = 'like' AND read_at IS NULL "
            "DO UPDATE SET actor_id = EXCLUDED.actor_id, created_at = EXCLUDED.created_at, "
            "gathered = sns_notification.gathered + 1",
            [recipient.pk, actor.pk, kind, ContentType.objects.get_for_model(target).pk,
             target.pk, timezone.now()],
        )
    cache.bump(cache.inbox(recipient))


def ungather(*, recipient_id: int, kind: str, target: models.Model, actor_id: int,
             latest_actor_id: int | None) -> None:
    """``actor_id`` took back what they did (a like undone): the recipient's unread
    notification about ``target`` counts one fewer and, if it named them, names
    ``latest_actor_id`` instead; it goes when nobody is left (None)."""
    assert kind in GATHERED
    unread = Notification.objects.filter(
        recipient_id=recipient_id, kind=kind, read_at__isnull=True,
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
    )
    if latest_actor_id is None:
        changed, _by_model = unread.delete()
    else:
        changed = unread.update(
            gathered=Greatest(F("gathered") - 1, 1),
            actor_id=Case(
                When(actor_id=actor_id, then=latest_actor_id), default=F("actor_id"),
                output_field=models.BigIntegerField(),
            ),
        )
    if changed:
        cache.bump(cache.inbox(recipient_id))


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
