"""The circle picture: a member at the centre, their friends on a ring, and a line between
each two friends who know each other. Chosen and laid out here; drawn by
templates/accounts/circle.svg."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sns import cache

from ..models import Friendship, User
from .graph import edges_among, friends_of

# The ring grows with the number of friends so that names stay readable at 150.
BASE_SIZE = 640
MAX_SIZE = 1400


@dataclass(frozen=True)
class Node:
    member: User
    x: float
    y: float
    label_x: float
    label_y: float
    rotate: float
    anchor: str


@dataclass(frozen=True)
class Circle:
    centre: User
    size: int
    cx: float
    cy: float
    nodes: list[Node]
    edges: list[tuple[Node, Node]]
    font_size: float
    node_radius: float


# Friends kept beyond those drawn, so that a viewer who blocks a few of them still gets a full
# ring from the cache.
SPARE = 20


def friends_shown(
    member: User, viewer, *, limit: int
) -> tuple[list[User], list[tuple[int, int]] | None]:
    """The first ``limit`` of ``friends_of(member, viewer=viewer)`` (the newest friendships)
    and the friendships among them, as (lower id, higher id) pairs.

    Which friends and lines is the same for every viewer and is cached (sns.cache, the
    member's friends scope): plain ids, ``limit`` + SPARE of them. Each request leaves out
    whom the viewer may not see and reads the rows it draws by id, in one query. A viewer
    hiding more than SPARE of them gets the ring read afresh, with None for the lines
    (``layout`` then reads them).
    """
    ids, edges = cache.cached(
        "circle", [cache.friends(member), cache.PEOPLE],
        lambda: _ring(member, limit + SPARE), key=(member.pk, limit),
    )
    found = friends_of(member, viewer=viewer).in_bulk(ids)
    shown = [found[pk] for pk in ids if pk in found][:limit]
    if len(shown) < limit and len(ids) == limit + SPARE:
        return list(friends_of(member, viewer=viewer)[:limit]), None
    drawn = {friend.pk for friend in shown}
    return shown, [(a, b) for a, b in edges if a in drawn and b in drawn]


def _ring(member: User, size: int) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """The ids of ``member``'s ``size`` newest active friends, in ``friends_of``'s order, and
    the friendships among them."""
    ids = list(
        Friendship.objects.filter(friend=member, user__is_active=True)
        .order_by("-created_at", "-user_id").values_list("user_id", flat=True)[:size]
    )
    return tuple(ids), tuple(edges_among(ids)) if len(ids) > 1 else ()


def layout(
    centre: User, friends: list[User], edges: list[tuple[int, int]] | None = None
) -> Circle:
    """Place ``friends`` evenly on a ring around ``centre`` with ``edges`` between them (the
    friendships among them read here when None: one query)."""
    count = len(friends)
    # Room for labels: about 14 px of circumference per friend at the label size below.
    size = int(min(MAX_SIZE, max(BASE_SIZE, count * 14 / math.pi + 320)))
    cx = cy = size / 2
    font_size = 13.0 if count <= 40 else max(9.0, 13 - (count - 40) / 25)
    node_radius = 9.0 if count <= 40 else 6.0
    ring = size / 2 - 150  # leaves the outer 150 px for the names
    nodes = []
    for i, friend in enumerate(friends):
        angle = 2 * math.pi * i / max(count, 1) - math.pi / 2
        x, y = cx + ring * math.cos(angle), cy + ring * math.sin(angle)
        lx = cx + (ring + node_radius + 5) * math.cos(angle)
        ly = cy + (ring + node_radius + 5) * math.sin(angle)
        degrees = math.degrees(angle)
        # Labels read outward from the ring; on the left half they are turned to stay upright.
        left = math.cos(angle) < -1e-9
        nodes.append(Node(
            member=friend, x=round(x, 1), y=round(y, 1), label_x=round(lx, 1),
            label_y=round(ly, 1), rotate=round(degrees + 180 if left else degrees, 1),
            anchor="end" if left else "start",
        ))
    by_id = {node.member.pk: node for node in nodes}
    if edges is None:
        edges = edges_among(list(by_id)) if count > 1 else []
    return Circle(
        centre=centre, size=size, cx=cx, cy=cy, nodes=nodes,
        edges=[(by_id[a], by_id[b]) for a, b in edges],
        font_size=round(font_size, 1), node_radius=node_radius,
    )
