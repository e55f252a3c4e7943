"""Who may see what: the one place that defines visibility levels and relations.

Every content model's QuerySet builds its ``visible_to(viewer)`` on these definitions, and
every view fetches through it. What a viewer may not see answers 404, never 403.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class Level(models.TextChoices):
    """How far a piece of content reaches. Ordered from widest to narrowest."""

    PUBLIC = "public", _("Anyone (public)")
    MEMBERS = "members", _("All members")
    FRIENDS_OF_FRIENDS = "fof", _("Friends of friends")
    FRIENDS = "friends", _("Friends")
    PRIVATE = "private", _("Only me")


# The levels a profile field may take (the issue: members / friends / only me).
PROFILE_FIELD_LEVELS = [
    (Level.MEMBERS.value, Level.MEMBERS.label),
    (Level.FRIENDS.value, Level.FRIENDS.label),
    (Level.PRIVATE.value, Level.PRIVATE.label),
]


class Relation(enum.Enum):
    """How a viewer stands to an owner."""

    SELF = "self"
    FRIEND = "friend"
    FRIEND_OF_FRIEND = "fof"
    MEMBER = "member"
    BLOCKED = "blocked"
    ANONYMOUS = "anonymous"


# Which levels each relation may see.
_SEES: dict[Relation, frozenset[str]] = {
    Relation.SELF: frozenset(Level.values),
    Relation.FRIEND: frozenset(
        {Level.PUBLIC, Level.MEMBERS, Level.FRIENDS_OF_FRIENDS, Level.FRIENDS}
    ),
    Relation.FRIEND_OF_FRIEND: frozenset({Level.PUBLIC, Level.MEMBERS, Level.FRIENDS_OF_FRIENDS}),
    Relation.MEMBER: frozenset({Level.PUBLIC, Level.MEMBERS}),
    Relation.BLOCKED: frozenset(),
    Relation.ANONYMOUS: frozenset({Level.PUBLIC}),
}


def visible_levels(relation: Relation) -> frozenset[str]:
    """The levels a viewer in ``relation`` may see; PUBLIC only where the site allows it."""
    levels = _SEES[relation]
    if relation is Relation.ANONYMOUS and not settings.SITE_PUBLIC_PAGES:
        return frozenset()
    return levels


def can_see(level: str, relation: Relation) -> bool:
    return level in visible_levels(relation)


def relation_between(viewer: User | None, owner: User) -> Relation:
    """How ``viewer`` stands to ``owner``; costs at most two small queries."""
    from accounts.models import Friendship

    if viewer is None or not viewer.is_authenticated:
        return Relation.ANONYMOUS
    if viewer.pk == owner.pk:
        return Relation.SELF
    if Friendship.objects.filter(user=viewer, friend=owner).exists():
        return Relation.FRIEND
    if Friendship.objects.filter(
        user=viewer, friend__friendships__friend=owner
    ).exists():
        return Relation.FRIEND_OF_FRIEND
    return Relation.MEMBER
