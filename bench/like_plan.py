"""Who likes what, and when, for ``seed_likes.py``: the likeable things as the seeded site has
them, how many likes each gets (a heavy tail) and the members who give them.

A thing's *audience* is who may see it, and so like it: the friends of its owner, friends and
friends of friends, all members, or the members of a community. The owner is the entry's
author for an entry and its comments, the creator of an off-kai (or its community), the
community of a topic. Nobody likes their own thing, a thing of someone they stand in a block
with, or a thing twice; nobody who left or is suspended likes anything; a like comes after
the thing and after its member joined, and before the hour of seeding.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass, field

DAY = 86400
# How the likes are shared among the kinds (sns.likes.KINDS; albums plug in as "photo").
SHARES = {"entry": 0.60, "entry-comment": 0.28, "topic": 0.04, "topic-comment": 0.05,
          "offkai": 0.02, "offkai-comment": 0.01}
HOT_ENTRIES = 300  # entries everyone shares: 1,000-5,000 likes each
HOT_LIKES = (1_000, 5_000)
SIGMA = 1.5  # spread of the log-normal appeal of a thing
POP_POWER = 0.6  # how much more a well-connected owner's things are liked
# The audience codes.
FRIENDS, FOF, MEMBERS, COMMUNITY = 1, 2, 3, 4
REACH = {"friends": FRIENDS, "fof": FOF, "members": MEMBERS, "public": MEMBERS,
         "community": COMMUNITY}
# Who, in a wider audience, likes: a friend of the owner, a friend of a friend, anybody.
FRIEND_SHARE, FOF_SHARE = 0.55, 0.25

# (kind, app_label, model, query): rows of (id, owner, author, created epoch, reach).
QUERIES = [
    ("entry", "diary", "entry",
     "SELECT e.id, e.author_id, e.author_id, floor(extract(epoch FROM e.created_at))::bigint, "
     "e.visibility FROM diary_entry e JOIN accounts_user a ON a.id = e.author_id "
     "WHERE a.is_active AND e.hidden_at IS NULL AND e.visibility <> 'private' ORDER BY e.id"),
    ("entry-comment", "diary", "comment",
     "SELECT c.id, e.author_id, c.author_id, floor(extract(epoch FROM c.created_at))::bigint, "
     "e.visibility FROM diary_comment c JOIN diary_entry e ON e.id = c.entry_id "
     "JOIN accounts_user a ON a.id = e.author_id JOIN accounts_user w ON w.id = c.author_id "
     "WHERE a.is_active AND w.is_active AND c.hidden_at IS NULL AND e.hidden_at IS NULL "
     "AND e.visibility <> 'private' ORDER BY c.id"),
    ("topic", "communities", "topic",
     "SELECT t.id, t.community_id, coalesce(t.author_id, 0), "
     "floor(extract(epoch FROM t.created_at))::bigint, 'community' FROM communities_topic t "
     "LEFT JOIN accounts_user a ON a.id = t.author_id "
     "WHERE t.hidden_at IS NULL AND (a.id IS NULL OR a.is_active) ORDER BY t.id"),
    ("topic-comment", "communities", "topiccomment",
     "SELECT c.id, t.community_id, c.author_id, floor(extract(epoch FROM c.created_at))::bigint, "
     "'community' FROM communities_topiccomment c JOIN communities_topic t ON t.id = c.topic_id "
     "JOIN accounts_user w ON w.id = c.author_id "
     "WHERE w.is_active AND c.hidden_at IS NULL AND t.hidden_at IS NULL ORDER BY c.id"),
    ("offkai", "offkai", "event",
     "SELECT v.id, CASE WHEN v.visibility = 'community' THEN v.community_id "
     "ELSE v.created_by_id END, v.created_by_id, "
     "floor(extract(epoch FROM v.created_at))::bigint, v.visibility FROM offkai_event v "
     "JOIN accounts_user a ON a.id = v.created_by_id "
     "WHERE a.is_active AND v.hidden_at IS NULL AND v.visibility <> 'private' ORDER BY v.id"),
    ("offkai-comment", "offkai", "eventcomment",
     "SELECT c.id, CASE WHEN v.visibility = 'community' THEN v.community_id "
     "ELSE v.created_by_id END, c.author_id, floor(extract(epoch FROM c.created_at))::bigint, "
     "v.visibility FROM offkai_eventcomment c JOIN offkai_event v ON v.id = c.event_id "
     "JOIN accounts_user a ON a.id = v.created_by_id JOIN accounts_user w ON w.id = c.author_id "
     "WHERE a.is_active AND w.is_active AND c.hidden_at IS NULL AND v.hidden_at IS NULL "
     "AND v.visibility <> 'private' ORDER BY c.id"),
]


@dataclass
class Things:
    kind: str
    ids: array = field(default_factory=lambda: array("q"))
    owner: array = field(default_factory=lambda: array("q"))
    author: array = field(default_factory=lambda: array("q"))
    at: array = field(default_factory=lambda: array("q"))
    reach: array = field(default_factory=lambda: array("b"))
    counts: array = field(default_factory=lambda: array("i"))


@dataclass
class World:
    active: list[int]  # active member ids
    joined: dict[int, int]
    friends: dict[int, list[int]]  # active friends only
    blocked: dict[int, set[int]]
    communities: dict[int, list[int]]  # active members of each community


def load_world(cursor) -> World:
    cursor.execute("SELECT id, floor(extract(epoch FROM date_joined))::bigint, is_active "
                   "FROM accounts_user ORDER BY id")
    rows = cursor.fetchall()
    joined = {pk: j for pk, j, ok in rows if ok}
    cursor.execute("SELECT user_id, array_agg(friend_id ORDER BY friend_id) "
                   "FROM accounts_friendship GROUP BY user_id")
    friends = {pk: [f for f in fs if f in joined] for pk, fs in cursor.fetchall()}
    cursor.execute("SELECT blocker_id, blocked_id FROM accounts_block")
    blocked: dict[int, set[int]] = {}
    for a, b in cursor.fetchall():
        blocked.setdefault(a, set()).add(b)
        blocked.setdefault(b, set()).add(a)
    cursor.execute("SELECT community_id, array_agg(user_id ORDER BY user_id) "
                   "FROM communities_membership GROUP BY community_id")
    communities = {c: [m for m in ms if m in joined] for c, ms in cursor.fetchall()}
    return World(sorted(joined), joined, friends, blocked, communities)


def load_things(conn, kind: str, query: str) -> Things:
    things = Things(kind)
    with conn.cursor(name=f"likes_{kind.replace('-', '_')}") as cursor:
        cursor.itersize = 50_000
        cursor.execute(query)
        for pk, owner, author, at, reach in cursor:
            things.ids.append(pk)
            things.owner.append(owner)
            things.author.append(author)
            things.at.append(at)
            things.reach.append(REACH[reach])
    return things


def _audience(world: World, reach: int, owner: int) -> int:
    """How many may like a thing, roughly (a cap on its likes)."""
    if reach == COMMUNITY:
        return len(world.communities.get(owner, ())) - 1
    friends = len(world.friends.get(owner, ()))
    if reach == FRIENDS:
        return friends
    if reach == FOF:
        return min(friends * 8, 4_000)
    return 5_000


def plan_counts(rng: random.Random, world: World, things: Things, total: int,
                hot: dict[int, int] | None = None) -> int:
    """Each thing's count of likes (``things.counts``), about ``total`` in all: a log-normal
    appeal times the owner's reach, capped by the audience; the ``hot`` ones (index → count)
    fixed. Returns the sum."""
    hot = hot or {}
    degree = {pk: len(fs) for pk, fs in world.friends.items()}
    mean_degree = sum(degree.values()) / max(1, len(degree))
    sizes = {c: len(ms) for c, ms in world.communities.items()}
    mean_size = sum(sizes.values()) / max(1, len(sizes))
    n = len(things.ids)
    weight, cap = array("d", bytes(8 * n)), array("i", bytes(4 * n))
    for k in range(n):
        owner, reach = things.owner[k], things.reach[k]
        if reach == COMMUNITY:
            pop = ((sizes.get(owner, 0) + 1) / (mean_size + 1)) ** 0.5
        else:
            pop = ((degree.get(owner, 0) + 1) / (mean_degree + 1)) ** POP_POWER
        weight[k] = rng.lognormvariate(0.0, SIGMA) * pop
        cap[k] = max(0, _audience(world, reach, owner))
    fixed = sum(hot.values())
    want = max(0, total - fixed)
    # The scale that makes the capped expectations sum to what is wanted (a few rounds).
    scale = want / max(1e-9, sum(weight))
    for _ in range(6):
        got = sum(min(w * scale, c) for w, c in zip(weight, cap, strict=True))
        if got <= 0 or abs(got - want) < want * 1e-4:
            break
        scale *= want / got
    counts = array("i", bytes(4 * n))
    rand = rng.random
    for k in range(n):
        expect = min(weight[k] * scale, cap[k])
        whole = int(expect)
        counts[k] = whole + (rand() < expect - whole)
    for k, count in hot.items():
        counts[k] = count
    # Exactly ``total``: one more or one fewer for things drawn at random.
    diff = total - sum(counts)
    tries = 0
    while diff and n and tries < 50 * abs(diff) + 1000:
        tries += 1
        k = rng.randrange(n)
        if k in hot:
            continue
        if diff > 0 and counts[k] < cap[k]:
            counts[k] += 1
            diff -= 1
        elif diff < 0 and counts[k] > 0:
            counts[k] -= 1
            diff += 1
    things.counts = counts
    return sum(counts)


def pick_hot(rng: random.Random, world: World, entries: Things) -> dict[int, int]:
    """HOT_ENTRIES entries for all members by the best-connected authors → their counts
    (log-uniform in HOT_LIKES)."""
    wide = [k for k in range(len(entries.ids)) if entries.reach[k] == MEMBERS]
    wide.sort(key=lambda k: (-len(world.friends.get(entries.owner[k], ())), k))
    pool = wide[: HOT_ENTRIES * 20]
    chosen = rng.sample(pool, min(HOT_ENTRIES, len(pool)))
    low, high = HOT_LIKES
    return {k: int(low * (high / low) ** rng.random()) for k in chosen}


def likers(rng: random.Random, world: World, reach: int, owner: int, author: int,
           count: int) -> list[int]:
    """``count`` different members in the thing's audience (fewer if it is too small), never
    its author, nobody in a block with the author or the owner."""
    friends = world.friends.get(owner, [])
    community = world.communities.get(owner, []) if reach == COMMUNITY else None
    bad = world.blocked.get(author, set()) | (
        world.blocked.get(owner, set()) if reach != COMMUNITY else set()
    )
    chosen: set[int] = set()
    out: list[int] = []
    rand, choice, active = rng.random, rng.choice, world.active
    tries = 0
    limit = 6 * count + 50
    while len(out) < count and tries < limit:
        tries += 1
        if community is not None:
            if not community:
                break
            m = choice(community)
        else:
            r = rand()
            if reach == FRIENDS or (r < FRIEND_SHARE and friends):
                if not friends:
                    break
                m = choice(friends)
            elif reach == FOF or r < FRIEND_SHARE + FOF_SHARE:
                if not friends:
                    if reach == FOF:
                        break
                    m = choice(active)
                else:
                    second = world.friends.get(choice(friends))
                    if not second:
                        continue
                    m = choice(second)
            else:
                m = choice(active)
        if m == author or m in chosen or m in bad:
            continue
        chosen.add(m)
        out.append(m)
    if len(out) < count and reach == FRIENDS:
        # A small circle: whoever of the friends is left.
        rest = [m for m in friends if m != author and m not in chosen and m not in bad]
        out.extend(rng.sample(rest, min(len(rest), count - len(out))))
    return out


def when(rng: random.Random, thing_at: int, joined: int, end: int) -> int | None:
    """A like's time (epoch seconds): after the thing and the member's joining, mostly
    within hours, now and then days or months later; before ``end``. None if there is no
    room."""
    start = max(thing_at, joined) + 1
    if start >= end - 1:
        return None
    r = rng.random()
    if r < 0.7:
        delay = rng.expovariate(1 / (6 * 3600))
    elif r < 0.95:
        delay = rng.expovariate(1 / (3 * DAY))
    else:
        delay = rng.random() * (end - start)
    at = start + int(delay)
    if at >= end:
        at = start + int(rng.random() * (end - 1 - start))
    return at


def share(total: int) -> dict[str, int]:
    """``total`` split by SHARES, exactly."""
    kinds = list(SHARES)
    out = {k: math.floor(total * SHARES[k]) for k in kinds}
    out[kinds[0]] += total - sum(out.values())
    return out
