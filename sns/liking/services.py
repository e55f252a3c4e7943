"""Liking and unliking: every write of sns.models.Like but the removal of a deleted thing's
likes (sns.withdraw) and of a departing member's (the cascade of their row)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from sns import cache, limits
from sns.likes import kind_of
from sns.models import Like
from sns.notify import Kind, notify_gathered, ungather

from .registry import SPECS, page_scope


@transaction.atomic
def like_add(*, member: User, target: models.Model) -> bool:
    """``member`` likes ``target`` (which they may see: the caller fetched it through the
    kind's ``visible``); notifies its author, gathered with the other unread likes of it.
    False when they already liked it (a second click, two tabs): nothing changes.
    RateLimited past LIKES_PER_HOUR."""
    content_type = ContentType.objects.get_for_model(target)
    with connection.cursor() as cursor:
        # The constraint decides, not a read before the write: of two clicks at once one
        # inserts and the other finds the row there.
        cursor.execute(
            "INSERT INTO sns_like (member_id, target_type_id, target_id, created_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [member.pk, content_type.pk, target.pk, timezone.now()],
        )
        if cursor.fetchone() is None:
            return False
    # Counted only when a like was made (and rolled back with it when refused).
    limits.take(member, limits.LIKES)
    owner_id = SPECS[kind_of(target)].owner_id(target)
    if owner_id is not None:
        notify_gathered(
            recipient=User(pk=owner_id), kind=Kind.LIKE, actor=member, target=target
        )
    cache.bump(page_scope(target))
    return True


@transaction.atomic
def like_remove(*, member: User, target: models.Model) -> bool:
    """``member`` takes back their like of ``target``; its author's unread notification then
    names the latest who still like it, or goes. False when there was none."""
    content_type = ContentType.objects.get_for_model(target)
    likes = Like.objects.filter(target_type=content_type, target_id=target.pk)
    deleted, _by_model = likes.filter(member=member).delete()
    if not deleted:
        return False
    owner_id = SPECS[kind_of(target)].owner_id(target)
    if owner_id is not None:
        latest = (
            likes.exclude(member_id=owner_id).order_by("-created_at")
            .values_list("member_id", flat=True).first()
        )
        ungather(recipient_id=owner_id, kind=Kind.LIKE, target=target, actor_id=member.pk,
                 latest_actor_id=latest)
    cache.bump(page_scope(target))
    return True

