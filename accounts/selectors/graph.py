"""Reads over the friend graph, computed in PostgreSQL: a member's friends, mutual friends,
how two members are connected, and the edges of a member's circle. (People you may know,
which count off-kai met at too, are a feature of their own: sns.suggestions.)

Friendship keeps one row each way, so "the friends of X" is always a range of the unique
index on (user_id, friend_id): the queries here are built to walk that index (index-only,
in friend order). ``bench/run.py`` times them on a graph of 100,000 members and a million
friendships (README, "Benchmarks").
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from sns.visibility import without_blocked, without_hidden_people

from ..models import Friendship, User


def friends_of(user: User, *, viewer: User | None = None) -> QuerySet[User]:
    """The user's friends, newest friendship first, with their profiles.

    With ``viewer``, members who block the viewer or whom the viewer blocks are left out:
    for the viewer they do not exist.
    """
    friends = (
        User.objects.filter(friendships__friend=user, is_active=True)
        .select_related("profile")
        .order_by("-friendships__created_at", "-pk")
    )
    return without_blocked(friends, "pk", viewer)


# a's friends that are also b's friends: two ranges of the (user_id, friend_id) index, read
# in friend order and merged (or the shorter one probed into the longer). Written as SQL: it
# is the whole cost of the query, and the ORM spent longer building it than PostgreSQL did
# running it.
_COMMON_FRIENDS_SQL = """
SELECT mine.friend_id FROM {friendship} mine
  JOIN {friendship} theirs ON theirs.friend_id = mine.friend_id
 WHERE mine.user_id = %s AND theirs.user_id = %s
"""


def mutual_friends(a: User, b: User) -> QuerySet[User]:
    """Members who are friends of both ``a`` and ``b``."""
    # Constant SQL (the table name is the model's), the ids passed as parameters.
    common = RawSQL(  # noqa: S611
        _COMMON_FRIENDS_SQL.format(friendship=Friendship._meta.db_table), (a.pk, b.pk)
    )
    return (
        User.objects.filter(is_active=True, pk__in=common)
        .select_related("profile")
        .order_by("pk")
    )


# The shortest chain, shortest first: each step is an uncorrelated subquery, which
# PostgreSQL runs only when COALESCE (and the CASE) reaches it, so a direct friendship costs
# one index probe and a shared friend stops the search before the third hop is tried.
# Ties go to the lowest ids (the first middle member, then the second). Members who left
# (inactive) are never a step, nor the target of a direct step; that is checked last, row
# by row in order (a scalar subquery the planner cannot turn into a join over all members).
# Each search sits behind OFFSET 0 so that it is planned on its own, for all its rows: a
# LIMIT 1 above it would otherwise tempt the planner to walk a large friend list hoping for
# an early match.
# - 1 hop: the viewer's friendship with the target.
# - 2 hops: the members in both friend lists, a merge of two index ranges in id order,
#   stopped at the first active one.
# - 3 hops: a friendship from the viewer's friends to the target's friends. It is looked
#   for from the side with fewer friends (counted up to a cap), since its cost is the
#   friends of that side's friends, each checked against the other side's friends.
_PATH_SQL = """
SELECT COALESCE(
    (SELECT ARRAY[]::bigint[] FROM {friendship}
      WHERE user_id = %(viewer)s AND friend_id = %(target)s
        AND (SELECT is_active FROM {user} WHERE id = %(target)s)),
    (SELECT ARRAY[two.id]
       FROM (SELECT mine.friend_id AS id
               FROM {friendship} mine
               JOIN {friendship} theirs ON theirs.friend_id = mine.friend_id
              WHERE mine.user_id = %(viewer)s AND theirs.user_id = %(target)s
              ORDER BY mine.friend_id OFFSET 0) two
      WHERE (SELECT is_active FROM {user} WHERE id = two.id)
      ORDER BY two.id LIMIT 1),
    CASE WHEN (SELECT count(*) FROM (SELECT FROM {friendship} WHERE user_id = %(viewer)s
                                     LIMIT {cap}) n)
           <= (SELECT count(*) FROM (SELECT FROM {friendship} WHERE user_id = %(target)s
                                     LIMIT {cap}) n)
         THEN {three_from_viewer}
         ELSE {three_from_target}
    END
)
"""
# Three hops searched from ``near``: its friends' friends that are friends of ``far``.
_THREE_HOPS_SQL = """(
    SELECT ARRAY[three.first, three.second]
      FROM (SELECT {first} AS first, {second} AS second
              FROM {{friendship}} near
              JOIN {{friendship}} step ON step.user_id = near.friend_id
             WHERE near.user_id = %({near})s AND near.friend_id <> %({far})s
               AND step.friend_id <> %({near})s
               AND step.friend_id IN (SELECT friend_id FROM {{friendship}}
                                       WHERE user_id = %({far})s)
             ORDER BY 1, 2 OFFSET 0) three
     WHERE (SELECT is_active FROM {{user}} WHERE id = three.first)
       AND (SELECT is_active FROM {{user}} WHERE id = three.second)
     ORDER BY three.first, three.second LIMIT 1)"""
_PATH_SQL = _PATH_SQL.replace("{three_from_viewer}", _THREE_HOPS_SQL.format(
    near="viewer", far="target", first="step.user_id", second="step.friend_id"
)).replace("{three_from_target}", _THREE_HOPS_SQL.format(
    near="target", far="viewer", first="step.friend_id", second="step.user_id"
))
# Counting a member's friends stops here: beyond it, either side is as good.
_PATH_SIDE_CAP = 1000


def connection_path(viewer: User, target: User) -> list[User] | None:
    """The shortest chain of friends ``[viewer, …, target]`` within 3 hops, else None."""
    if viewer.pk == target.pk:
        return [viewer]
    sql = _PATH_SQL.format(
        friendship=Friendship._meta.db_table, user=User._meta.db_table, cap=_PATH_SIDE_CAP
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"viewer": viewer.pk, "target": target.pk})
        (middle_ids,) = cursor.fetchone()
    if middle_ids is None:
        return None
    middle = User.objects.select_related("profile").in_bulk(middle_ids)
    return [viewer, *(middle[pk] for pk in middle_ids), target]


def friend_rows(member: User, *, viewer: User | None = None) -> QuerySet[Friendship]:
    """The friendship rows of ``member``'s friends as ``viewer`` sees them: what
    ``friend_count`` counts."""
    return without_hidden_people(Friendship.objects.filter(friend=member), "user_id", viewer)


def friend_count(member: User, *, viewer: User | None = None) -> int:
    """How many friends ``member`` has, as ``viewer`` sees them (``friends_of``'s count).

    Counts friendship rows alone, leaving out members who left and blocks either way as
    hashed lists: a member with thousands of friends is counted without reading each
    friend's row (20 ms → 2 ms at 5,600 friends, see bench/).
    """
    return friend_rows(member, viewer=viewer).count()


def edges_among(member_ids: list[int]) -> list[tuple[int, int]]:
    """Friendships between the given members, each pair once (lower id first)."""
    return list(
        Friendship.objects.filter(
            user_id__in=member_ids, friend_id__in=member_ids, user_id__lt=F("friend_id")
        ).values_list("user_id", "friend_id")
    )
