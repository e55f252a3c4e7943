"""Who may see what: the one place that defines visibility levels and relations, and the
SQL that asks them. Every content model's QuerySet builds its ``visible_to(viewer)`` on
these, and every view fetches through it. What a viewer may not see answers 404, never 403.
The building blocks, each written once:

* **a block** either way between two members: ``block_either_way`` (an ``Exists``, when the
  answer is wanted row by row or one side varies by row), ``in_block_with`` and
  ``without_blocked`` (rows whose member column names someone in a block with a fixed
  viewer, as two short lists hashed once), ``ids_in_block_with`` (the same as ids, for
  Python), ``blocked_between`` (two members, a yes or no);
* **the friend tests**: ``friendship`` and ``friend_of_friend`` (each an ``Exists``);
* **the level rule**: ``level_rule`` (the whole rule for rows with an owner and a level:
  one's own, blocks, levels), ``level_reach`` (which levels reach a viewer, by relation),
  ``level_audience`` (of some members, those a given level reaches) and ``level_sql`` (the
  rule as SQL text, for raw queries); all read the one table of levels, ``_SEES``.
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
    from typing import TypeAlias

    from accounts.models import User

    # A member, a member's id, or a reference to the outer query's (``OuterRef("author")``).
    Someone: TypeAlias = User | int | OuterRef | None


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


# Which levels each relation may see: the level rule. Everything below reads it.
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

# The rule as the queries ask it: each relation sees what the one below it sees and more
# (tests/sns/test_visibility.py holds it to that), so a level needs the test of the widest
# relation that sees it, and private levels being their owner.
_OPEN = _SEES[Relation.MEMBER]
_NEEDS_FOF = _SEES[Relation.FRIEND_OF_FRIEND] - _OPEN
_NEEDS_FRIEND = _SEES[Relation.FRIEND] - _SEES[Relation.FRIEND_OF_FRIEND]


def visible_levels(relation: Relation) -> frozenset[str]:
    """The levels a viewer in ``relation`` may see; PUBLIC only where the site allows it."""
    levels = _SEES[relation]
    if relation is Relation.ANONYMOUS and not settings.SITE_PUBLIC_PAGES:
        return frozenset()
    return levels


def can_see(level: str, relation: Relation) -> bool:
    return level in visible_levels(relation)


def _anonymous(viewer) -> bool:
    return viewer is None or not viewer.is_authenticated


def _within(ref):
    """``ref`` as seen from one subquery further in (an outer reference goes one more out)."""
    return OuterRef(ref) if isinstance(ref, OuterRef) else ref


# --- blocks ----------------------------------------------------------------------------------


def _either_way(a: Someone, b: Someone) -> Q:
    """The blocks between ``a`` and ``b``, whoever made them."""
    return Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)


def block_either_way(a: Someone, b: Someone) -> Exists:
    """Whether either of ``a`` and ``b`` blocks the other, as an expression: for an
    annotation, or a filter where a side varies row by row. To leave out rows by a member
    column for one viewer, ``without_blocked`` is cheaper (no lookup per row)."""
    Block = _member_model("Block")

    return Exists(Block.objects.filter(_either_way(a, b)))


def blocked_between(a: User, b: User) -> bool:
    """Whether either of ``a`` and ``b`` blocks the other."""
    Block = _member_model("Block")

    return Block.objects.filter(_either_way(a, b)).exists()


def _block_lists(viewer: User, field: str) -> tuple[Q, Q]:
    """The rows whose ``field`` (a member's id) names someone ``viewer`` blocks, and someone
    who blocks them: two short lists, each hashed once, rather than a lookup row by row."""
    Block = _member_model("Block")

    return (
        Q(**{f"{field}__in": Block.objects.filter(blocker=viewer).values("blocked")}),
        Q(**{f"{field}__in": Block.objects.filter(blocked=viewer).values("blocker")}),
    )


def in_block_with(viewer: User, field: str) -> Q:
    """The rows whose ``field`` (a member's id) names someone in a block with the
    (logged-in) ``viewer`` either way, for a filter that combines it with more."""
    blocks, blocked_by = _block_lists(viewer, field)
    return blocks | blocked_by


def without_blocked(queryset: QuerySet, field: str, viewer: User | None) -> QuerySet:
    """``queryset`` without the rows whose ``field`` (a member's id) names someone in a
    block with ``viewer`` either way; all of it for an anonymous viewer."""
    if _anonymous(viewer):
        return queryset
    blocks, blocked_by = _block_lists(viewer, field)
    return queryset.exclude(blocks).exclude(blocked_by)


def ids_in_block_with(*members: User | int, among: Iterable[int] | None = None) -> set[int]:
    """The ids of those in a block either way with any of ``members`` (of ``among`` only,
    when given), in one query: for code that holds ids rather than a query."""
    Block = _member_model("Block")

    mine = {getattr(m, "pk", m) for m in members}
    if among is None:
        pairs = Block.objects.filter(Q(blocker__in=mine) | Q(blocked__in=mine))
    else:
        among = set(among)
        pairs = Block.objects.filter(
            Q(blocker__in=mine, blocked__in=among) | Q(blocker__in=among, blocked__in=mine)
        )
    return {
        blocked if blocker in mine else blocker
        for blocker, blocked in pairs.values_list("blocker_id", "blocked_id")
    }


# --- friends ---------------------------------------------------------------------------------


def friendship(a: Someone, b: Someone) -> Exists:
    """Whether ``a`` and ``b`` are friends (one row each way: either order asks the same)."""
    Friendship = _member_model("Friendship")

    return Exists(Friendship.objects.filter(user=a, friend=b))


def friend_of_friend(a: Someone, b: Someone) -> Exists:
    """Whether ``a`` and ``b`` are within two steps: friends of a common friend, or friends.

    Asked from the side that varies row by row (the outer reference: the owner of each
    entry or event, each member of an audience) against the other side's friends, hashed
    once (the semi-join); "or friends" keeps PostgreSQL from joining the two friend lists,
    which reads half of one of them for each row. The other formulation the tree had, from
    the viewer through their friends' friends (the join,
    ``Friendship(user=viewer, friend__friendships__friend=row)``), costs a walk of the
    viewer's friends for each row, or gathers all their friends' friends first: slower
    wherever the viewer has more than a few dozen friends. ``bench/fof.py`` (100,000
    members, 1,000,000 friendships; 2 cores, another test run beside it) times the site's
    reads with each, p50 in ms, join → semi-join, for viewers of 20 / 200 / 1,014 / 5,600
    friends:

    * a friend of a friend's diary page (count, first page, months), the author with 1
      friend: 14.4 → 12.6 / 22.3 → 12.8 / 82.6 → 14.1 / 209 → 20.9;
    * the same, the author with the most friends (5,600 for the first two, then 1,685 and
      1,355): 14.2 → 36.7 / 22.4 → 13.7 / 82.3 → 15.5 / 200 → 21.0;
    * ``relations_to`` for 50 members: 1.35 → 0.99 / 1.89 → 0.93 / 2.99 → 1.22 / 7.81 → 2.53;
    * the upcoming off-kai (count, first page): 18.5 → 19.8 / 24.2 → 20.4 / 63.3 → 20.0 /
      150 → 24.7;
    * ``may_see`` of a friends-of-friends off-kai by that member, over 5,000 members (its
      query alone, EXPLAIN ANALYZE): 13.3 → 34.0 / 17.3 → 33.7 / 49.3 → 32.0 / 121 → 36.1.

    The join wins only where the fixed side has few friends (its friends' friends are then
    a short list): by about 20 ms at most (20 friends, the best-connected member's diary:
    14 against 37 ms), where the semi-join saves up to 190.

        DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/fof.py --explain
    """
    Friendship = _member_model("Friendship")

    fixed, row = (b, a) if isinstance(a, OuterRef) else (a, b)
    friends = Friendship.objects.filter(user=_within(fixed)).values("friend")
    return Exists(Friendship.objects.filter(Q(friend__in=friends) | Q(friend=fixed), user=row))


# --- the level rule --------------------------------------------------------------------------


def _level_in(level: str, levels: frozenset[str]) -> Q:
    """The rows whose ``level`` column is one of ``levels`` (none: no row)."""
    values = sorted(levels)
    if not values:
        return Q(pk__in=[])
    if len(values) == 1:
        return Q(**{level: values[0]})
    return Q(**{f"{level}__in": values})


def level_reach(viewer: User, *, owner: str, level: str = "visibility") -> Q:
    """The rows whose ``level`` column reaches the (logged-in) ``viewer`` by how they stand
    to the member in the ``owner`` column: open levels to anyone, the others to friends or
    friends of friends. The owner's own rows and blocks are the caller's (``level_rule``)."""
    ref = OuterRef(owner)
    friend = friendship(viewer, ref)
    return (
        _level_in(level, _OPEN)
        | (_level_in(level, _NEEDS_FRIEND) & friend)
        | (_level_in(level, _NEEDS_FOF) & (friend | friend_of_friend(viewer, ref)))
    )


def level_rule(viewer: User | None, *, owner: str, level: str = "visibility") -> Q:
    """The rows ``viewer`` may see by the level rule: their own, all of them; nothing of a
    member in a block with them either way; the rest by ``level_reach``. An anonymous viewer
    sees the levels ``visible_levels(Relation.ANONYMOUS)`` allows."""
    if _anonymous(viewer):
        return _level_in(level, visible_levels(Relation.ANONYMOUS))
    return Q(**{owner: viewer}) | (
        ~block_either_way(viewer, OuterRef(owner)) & level_reach(viewer, owner=owner, level=level)
    )


def level_audience(level: str, *, owner: Someone) -> Q | None:
    """The level rule asked the other way round: of a queryset of (logged-in) members, those
    whom a row of ``level`` by ``owner`` reaches (the owner's own rows and blocks are the
    caller's); None when it reaches nobody but its owner."""
    viewer = OuterRef("pk")
    if level in _OPEN:
        return Q(pk__isnull=False)
    if level in _NEEDS_FRIEND:
        return Q(friendship(viewer, owner))
    if level in _NEEDS_FOF:
        return friendship(viewer, owner) | friend_of_friend(viewer, owner)
    return None


def level_sql(*, level: str, owner: str) -> str:
    """``level_rule``'s levels as SQL text, for a raw query: true where the viewer (every
    ``%s``, so the caller passes the viewer's id once for each) may see a row whose level is
    the column ``level`` and whose owner's id the column ``owner``. Blocks are the caller's."""
    friendship_table = _member_model("Friendship")._meta.db_table

    def quoted(levels: frozenset[str]) -> str:
        return ", ".join(f"'{value}'" for value in sorted(levels))

    friend = (
        f'EXISTS (SELECT 1 FROM "{friendship_table}" f '  # noqa: S608 (constants only)
        f'WHERE f."user_id" = %s AND f."friend_id" = {owner})'
    )
    # friend_of_friend, as text: from the owner's side against the viewer's friends.
    fof = (
        f'EXISTS (SELECT 1 FROM "{friendship_table}" f '  # noqa: S608 (constants only)
        f'WHERE f."user_id" = {owner} AND (f."friend_id" IN (SELECT "friend_id" FROM '
        f'"{friendship_table}" WHERE "user_id" = %s) OR f."friend_id" = %s))'
    )
    return (
        f"({owner} = %s OR {level} IN ({quoted(_OPEN)})"
        f" OR ({level} IN ({quoted(_NEEDS_FRIEND)}) AND {friend})"
        f" OR ({level} IN ({quoted(_NEEDS_FOF)}) AND ({friend} OR {fof})))"
    )


# --- relations -------------------------------------------------------------------------------


def relation_between(viewer: User | None, owner: User) -> Relation:
    """How ``viewer`` stands to ``owner``, in one query. A block either way wins."""
    User = _member_model("User")

    if _anonymous(viewer):
        return Relation.ANONYMOUS
    if viewer.pk == owner.pk:
        return Relation.SELF
    row = User.objects.annotate(**relation_annotations(viewer)).only("pk").get(pk=owner.pk)
    return annotated_relation(viewer, row)


def relations_to(viewer: User | None, members: Iterable[User]) -> dict[int, Relation]:
    """How ``viewer`` stands to each of ``members``, by pk: ``relation_between`` for a whole
    list, in one query however long the list (none for an anonymous viewer)."""
    User = _member_model("User")

    ids = {member.pk for member in members}
    if _anonymous(viewer):
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
    that fetches the members. (``viewer_fof`` holds for friends too: a friend is read
    first.)"""
    member = OuterRef("pk")
    return {
        "viewer_blocked": block_either_way(viewer, member),
        "viewer_friend": friendship(viewer, member),
        "viewer_fof": friend_of_friend(viewer, member),
    }


def annotated_relation(viewer: User | None, member: User) -> Relation:
    """The relation of ``viewer`` to a ``member`` fetched with ``relation_annotations``."""
    if _anonymous(viewer):
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
    User = _member_model("User")

    queryset = queryset.exclude(
        **{f"{field}__in": User.objects.filter(is_active=False).values("pk")}
    )
    return without_blocked(queryset, field, viewer)
