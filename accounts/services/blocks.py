"""Blocking: a member hides from another, both ways, at once and completely."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sns import cache
from sns.errors import Refused

from ..models import Block, FriendRequest, Friendship, Introduction, User
from .friends import friendship_changed, pair_lock


class BlockError(Refused):
    """A member-facing reason why a block cannot be made."""


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block ``blocked``: ends the friendship, pending requests and introductions both ways.

    Locks both members like every other write about a pair, so a friend request or an
    acceptance racing with the block either lands before it (and is undone here) or after
    it (and is refused).
    """
    if blocker.pk == blocked.pk:
        raise BlockError(_("You cannot block yourself."))
    pair_lock(a=blocker, b=blocked)
    block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if Friendship.objects.between(blocker, blocked).delete()[0]:
        friendship_changed(a=blocker, b=blocked)
    FriendRequest.objects.between(blocker, blocked).delete()
    Introduction.objects.filter(
        Q(author=blocker, subject=blocked) | Q(author=blocked, subject=blocker)
    ).delete()
    # What each of the two is shown of the other (counts, lists) is cached per member.
    cache.bump(cache.blocks(blocker), cache.blocks(blocked))
    return block


@transaction.atomic
def block_remove(*, blocker: User, blocked_id: int) -> bool:
    """Unblock; return False if there was no such block. Nothing ended is restored."""
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
    if deleted:
        cache.bump(cache.blocks(blocker), cache.blocks(blocked_id))
    return deleted > 0

