"""Who may see what: the one place that defines visibility levels and relations.

Every content model's QuerySet builds its ``visible_to(viewer)`` on these definitions, and
every view fetches through it. What a viewer may not see answers 404, never 403.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .prepared import Prepared

if TYPE_CHECKING:
    from accounts.models import User


def _member_model(name: str) -> type[models.Model]:
    """A model of the members' app by its label: the kernel reads the member tables (users,
    friendships, blocks) but imports no app, so that every app may import it."""
    return apps.get_model("accounts", name)


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
    """How ``viewer`` stands to ``owner``, in one query. A block either way wins."""
    User = _member_model("User")

    if viewer is None or not viewer.is_authenticated:
        return Relation.ANONYMOUS
    if viewer.pk == owner.pk:
        return Relation.SELF
    row = User.objects.annotate(**relation_annotations(viewer)).only("pk").get(pk=owner.pk)
    return annotated_relation(viewer, row)


def blocked_between(a: User, b: User) -> bool:
    """Whether either of ``a`` and ``b`` blocks the other."""
    Block = _member_model("Block")

    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def blocked_either_way(member: User) -> Exists:
    """True for the rows of a queryset of members (``OuterRef("pk")``) that block ``member``
    or are blocked by them."""
    Block = _member_model("Block")

    return Exists(Block.objects.filter(
        Q(blocker=member, blocked=OuterRef("pk")) | Q(blocker=OuterRef("pk"), blocked=member)
    ))


def relations_to(viewer: User | None, members: Iterable[User]) -> dict[int, Relation]:
    """How ``viewer`` stands to each of ``members``, by pk: ``relation_between`` for a whole
    list, in one query however long the list (none for an anonymous viewer)."""
    User = _member_model("User")

    ids = {member.pk for member in members}
    if viewer is None or not viewer.is_authenticated:
        return dict.fromkeys(ids, Relation.ANONYMOUS)
    relations = {viewer.pk: Relation.SELF} if viewer.pk in ids else {}
    ids.discard(viewer.pk)
    if ids:
        rows = _relations_query(User)(viewer=viewer, ids=sorted(ids))
        relations.update((row.pk, annotated_relation(viewer, row)) for row in rows)
    return relations


@functools.cache
def _relations_query(user_model) -> Prepared:
    """``relations_to``'s query, compiled once per process (sns/prepared.py); made on first
    use, since the kernel imports no app when it loads."""
    return Prepared(
        lambda viewer, ids: user_model.objects.filter(pk__any=ids)
        .annotate(**relation_annotations(viewer)).only("pk"),
        viewer=user_model, ids=list,
    )


def relation_annotations(viewer: User) -> dict[str, Exists]:
    """Annotations for a queryset of members that tell how the (logged-in) ``viewer`` stands
    to each, read back with ``annotated_relation``: the relation rides along in the query
    that fetches the members."""
    Friendship = _member_model("Friendship")

    return {
        "viewer_blocked": blocked_either_way(viewer),
        "viewer_friend": Exists(Friendship.objects.filter(user=viewer, friend=OuterRef("pk"))),
        "viewer_fof": Exists(Friendship.objects.filter(
            user=viewer, friend__friendships__friend=OuterRef("pk")
        )),
    }


def annotated_relation(viewer: User | None, member: User) -> Relation:
    """The relation of ``viewer`` to a ``member`` fetched with ``relation_annotations``."""
    if viewer is None or not viewer.is_authenticated:
        return Relation.ANONYMOUS
    if member.pk == viewer.pk:
        return Relation.SELF
    if member.viewer_blocked:
        return Relation.BLOCKED
    if member.viewer_friend:
        return Relation.FRIEND
    if member.viewer_fof:
        return Relation.FRIEND_OF_FRIEND
    return Relation.MEMBER


def without_hidden_people(queryset: QuerySet, field: str, viewer: User | None) -> QuerySet:
    """``queryset`` without the rows whose ``field`` (a member's id) names a member who left
    or was suspended, or who stands in a block with ``viewer`` either way.

    The members are left out as hashed lists (a partial index holds those who left), not by
    joining each row's member: counting a community's 20,000 members or a member's 5,600
    friends then never reads the member table (see bench/).
    """
    Block = _member_model("Block")
    User = _member_model("User")

    queryset = queryset.exclude(
        **{f"{field}__in": User.objects.filter(is_active=False).values("pk")}
    )
    if viewer is None or not viewer.is_authenticated:
        return queryset
    return queryset.exclude(
        **{f"{field}__in": Block.objects.filter(blocker=viewer).values("blocked")}
    ).exclude(**{f"{field}__in": Block.objects.filter(blocked=viewer).values("blocker")})
