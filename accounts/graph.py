"""Reads over the friend graph, computed in PostgreSQL: mutual friends, how two members are
connected, people you may know, and the edges of a member's circle."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, QuerySet

from .models import Friendship, User


def mutual_friends(a: User, b: User) -> QuerySet[User]:
    """Members who are friends of both ``a`` and ``b``."""
    return (
        User.objects.filter(is_active=True, friendships__friend=a)
        .filter(Exists(Friendship.objects.filter(user=OuterRef("pk"), friend=b)))
        .select_related("profile")
        .order_by("pk")
    )


# Both ends search one step (my friends, their friends); a path exists where the two
# frontiers meet: at a shared friend (2 hops) or across one friendship (3 hops).
_PATH_SQL = """
WITH mine AS (
    SELECT f.friend_id AS id FROM {friendship} f JOIN {user} u ON u.id = f.friend_id
     WHERE f.user_id = %(viewer)s AND u.is_active
), theirs AS (
    SELECT f.friend_id AS id FROM {friendship} f JOIN {user} u ON u.id = f.friend_id
     WHERE f.user_id = %(target)s AND u.is_active
)
(SELECT 1 AS hops, NULL::bigint AS first, NULL::bigint AS second
   FROM mine WHERE mine.id = %(target)s)
UNION ALL
(SELECT 2, mine.id, NULL FROM mine JOIN theirs ON theirs.id = mine.id ORDER BY mine.id LIMIT 1)
UNION ALL
(SELECT 3, f.user_id, f.friend_id
   FROM {friendship} f
   JOIN mine ON mine.id = f.user_id
   JOIN theirs ON theirs.id = f.friend_id
  WHERE f.user_id <> %(target)s AND f.friend_id <> %(viewer)s
  ORDER BY f.user_id, f.friend_id LIMIT 1)
ORDER BY hops LIMIT 1
"""


def connection_path(viewer: User, target: User) -> list[User] | None:
    """The shortest chain of friends ``[viewer, …, target]`` within 3 hops, else None."""
    if viewer.pk == target.pk:
        return [viewer]
    sql = _PATH_SQL.format(
        friendship=Friendship._meta.db_table, user=User._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"viewer": viewer.pk, "target": target.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    middle_ids = [pk for pk in row[1:] if pk is not None]
    middle = User.objects.select_related("profile").in_bulk(middle_ids)
    return [viewer, *(middle[pk] for pk in middle_ids), target]


def people_you_may_know(viewer: User, *, exclude_ids: set[int] = frozenset()) -> QuerySet[User]:
    """Friends of my friends who are not my friends, most mutual friends first."""
    mine = Friendship.objects.filter(user=viewer).values("friend_id")
    return (
        User.objects.filter(is_active=True, friendships__friend__in=mine)
        .exclude(pk=viewer.pk)
        .exclude(pk__in=mine)
        .exclude(pk__in=exclude_ids)
        .annotate(mutual_count=Count("friendships", distinct=True))
        .select_related("profile")
        .order_by("-mutual_count", "pk")
    )


def edges_among(member_ids: list[int]) -> list[tuple[int, int]]:
    """Friendships between the given members, each pair once (lower id first)."""
    return list(
        Friendship.objects.filter(
            user_id__in=member_ids, friend_id__in=member_ids, user_id__lt=F("friend_id")
        ).values_list("user_id", "friend_id")
    )
