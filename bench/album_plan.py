"""Who makes albums, when, with how many photos added when and by whom, and who comments on
them, for ``seed_albums.py``: compact arrays planned once from the seeded site (the world of
``like_plan``: active members, their friends, blocks and communities).

* **Albums**: a member's own (90%) by a skewed draw of the active members (40% never make
  one; the others a Pareto weight, a little more for the well-connected), at the diaries'
  levels (each owner's usual level, kept 85% of the time); a community's (10%) in an open
  community, drawn by the square root of its size, made by one of its members. Over the last
  three years, more each month, never before the owner joined (or joined the community).
* **Photos**: most albums 3-20 (a log-normal, median 7; 3% still empty), BIG_ALBUMS of
  500-2,000 (albums for all members or friends by the best-connected owners, and the largest
  communities'). Added in uploads of 1-20 (the form's limit): most within minutes of the
  album, some days or months later; a community album's by its members, half by its maker.
  Positions 0, 1, … in the order they were added; ids in time order over all albums.
* **Comments**: on photos of albums that are not private, weighted by the owner's reach
  (friends, or the community's size), recency and a log-normal appeal, HOT_PHOTOS photos of
  the big albums with 100-400 each. By who may see the album (``like_plan.likers``: friends,
  friends of friends, anybody, the community's members; never across a block with its owner
  or uploader), a sixth of them the uploader answering; after the photo and the member's
  joining.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

import like_plan
from seed_diary import LEVELS, OTHER_LEVEL_WEIGHTS, PRIVATE, USUAL_LEVEL_WEIGHTS

DAY = 86400
DAYS = 3 * 365
OWN_SHARE = 0.9
NO_ALBUMS = 0.4  # active members who never make an album of their own
BIG_ALBUMS, BIG_COMMUNITY = 300, 50  # of them in communities
BIG_PHOTOS = (500, 2_000)
MEDIAN_PHOTOS, PHOTO_SIGMA, MOST_PHOTOS = 7, 0.75, 200
EMPTY_SHARE = 0.03
PER_UPLOAD = 20  # albums.models.MAX_PHOTOS_PER_UPLOAD
OTHER_COVER = 0.15  # albums whose cover is not their first photo
HOT_PHOTOS, HOT_COMMENTS = 100, (100, 400)
REPLY_SHARE = 1 / 6
# The audience codes of like_plan, by level.
REACH = [like_plan.MEMBERS, like_plan.MEMBERS, like_plan.FOF, like_plan.FRIENDS, 0]


@dataclass
class Plan:
    """Albums in id order (ids 1, 2, … by creation time), their uploads in id order of their
    first photo, and each photo's album, uploader and time."""

    owner: array = field(default_factory=lambda: array("i"))
    community: array = field(default_factory=lambda: array("i"))  # 0: the owner's own
    level: array = field(default_factory=lambda: array("b"))
    created: array = field(default_factory=lambda: array("q"))
    count: array = field(default_factory=lambda: array("i"))
    updated: array = field(default_factory=lambda: array("q"))
    cover: array = field(default_factory=lambda: array("i"))  # photo id, 0: none
    big: set = field(default_factory=set)  # album indexes
    # uploads, in the order their photos' ids run
    u_album: array = field(default_factory=lambda: array("i"))
    u_first: array = field(default_factory=lambda: array("i"))  # position of the first photo
    u_n: array = field(default_factory=lambda: array("h"))
    u_at: array = field(default_factory=lambda: array("q"))
    u_uploader: array = field(default_factory=lambda: array("i"))


def _growth(rng: random.Random, lo: int, hi: int) -> int:
    """A time in [lo, hi) with a density rising 2.5 times from lo to hi (the site grows)."""
    if hi <= lo:
        return lo
    x = (-1 + math.sqrt(1 + 5.25 * rng.random())) / 1.5
    return lo + int((hi - lo) * x)


def load_communities(cursor) -> dict[int, list[tuple[int, int]]]:
    """Open communities → their active members with when they may first have made an album
    there (epoch seconds: the later of joining it and its creation)."""
    cursor.execute(
        "SELECT m.community_id, m.user_id, floor(extract(epoch FROM "
        "greatest(m.joined_at, c.created_at, u.date_joined)))::bigint "
        "FROM communities_membership m JOIN communities_community c ON c.id = m.community_id "
        "JOIN accounts_user u ON u.id = m.user_id WHERE u.is_active AND c.closed_at IS NULL "
        "ORDER BY m.community_id, m.user_id"
    )
    out: dict[int, list[tuple[int, int]]] = {}
    for community, user, since in cursor.fetchall():
        out.setdefault(community, []).append((user, since))
    return out


def plan_albums(rng: random.Random, world: like_plan.World, communities, total: int,
                photos: int, end: int) -> Plan:
    start = end - DAYS * DAY
    degree = {pk: len(world.friends.get(pk, ())) for pk in world.active}
    weights = [0.0 if rng.random() < NO_ALBUMS else
               min(rng.paretovariate(1.3), 60.0) * (1 + math.log1p(degree[pk]) / 3)
               for pk in world.active]
    usual = dict(zip(world.active, rng.choices(range(len(LEVELS)), USUAL_LEVEL_WEIGHTS,
                                               k=len(world.active)), strict=True))
    other_cum = list(accumulate(OTHER_LEVEL_WEIGHTS))
    own = int(total * OWN_SHARE)
    rows = []  # (created, owner, community, level)
    for owner in rng.choices(world.active, cum_weights=list(accumulate(weights)), k=own):
        level = (usual[owner] if rng.random() < 0.85
                 else bisect(other_cum, rng.random() * other_cum[-1]))
        t = _growth(rng, max(start, world.joined[owner] + 60), end - 60)
        rows.append((t, owner, 0, level))
    open_ones = [c for c, ms in communities.items() if len(ms) >= 2]
    cum = list(accumulate(math.sqrt(len(communities[c])) for c in open_ones))
    for community in rng.choices(open_ones, cum_weights=cum, k=total - own):
        owner, since = rng.choice(communities[community])
        t = _growth(rng, max(start, since + 60), end - 60)
        rows.append((t, owner, community, LEVELS.index("members")))
    rows.sort()
    plan = Plan()
    for t, owner, community, level in rows:
        plan.created.append(t)
        plan.owner.append(owner)
        plan.community.append(community)
        plan.level.append(level)
    _pick_big(rng, world, communities, plan, end)
    _plan_counts(rng, plan)
    _fit_counts(rng, plan, photos)
    return plan


def _pick_big(rng: random.Random, world, communities, plan: Plan, end: int) -> None:
    """BIG_ALBUMS albums, each of its own owner or community, made a month ago or more:
    for all members or friends by the best-connected 2% of owners, and the largest
    communities'."""
    old = [k for k in range(len(plan.owner)) if plan.created[k] < end - 30 * DAY]
    wide = [k for k in old if not plan.community[k]
            and LEVELS[plan.level[k]] in ("members", "friends")]
    wide.sort(key=lambda k: (-len(world.friends.get(plan.owner[k], ())), k))
    clubs = [k for k in old if plan.community[k]]
    clubs.sort(key=lambda k: (-len(communities[plan.community[k]]), k))
    for pool, n, whose in ((wide, BIG_ALBUMS - BIG_COMMUNITY, plan.owner),
                           (clubs, BIG_COMMUNITY, plan.community)):
        seen: set[int] = set()
        firsts = []
        for k in pool:
            if whose[k] not in seen:
                seen.add(whose[k])
                firsts.append(k)
            if len(firsts) == n * 4:
                break
        plan.big.update(rng.sample(firsts, min(n, len(firsts))))


def _plan_counts(rng: random.Random, plan: Plan) -> None:
    """Photos of each album before they are fitted to the total: the big ones log-uniform in
    BIG_PHOTOS, the others a log-normal; some empty."""
    low, high = BIG_PHOTOS
    for k in range(len(plan.owner)):
        if k in plan.big:
            plan.count.append(int(low * (high / low) ** rng.random()))
        elif rng.random() < EMPTY_SHARE:
            plan.count.append(0)
        else:
            n = round(rng.lognormvariate(math.log(MEDIAN_PHOTOS), PHOTO_SIGMA))
            plan.count.append(max(1, min(MOST_PHOTOS, n)))


def _fit_counts(rng: random.Random, plan: Plan, photos: int) -> None:
    """Exactly ``photos`` in all: the usual albums' counts scaled, then one more or one fewer
    for albums drawn at random (never past 1..MOST_PHOTOS, big and empty ones kept)."""
    usual = [k for k in range(len(plan.count)) if k not in plan.big and plan.count[k]]
    fixed = sum(plan.count) - sum(plan.count[k] for k in usual)
    scale = (photos - fixed) / max(1, sum(plan.count[k] for k in usual))
    for k in usual:
        x = plan.count[k] * scale
        plan.count[k] = max(1, min(MOST_PHOTOS, int(x) + (rng.random() < x - int(x))))
    diff = photos - sum(plan.count)
    tries = 0
    while diff and usual and tries < 50 * abs(diff) + 1000:
        tries += 1
        k = rng.choice(usual)
        if diff > 0 and plan.count[k] < MOST_PHOTOS:
            plan.count[k] += 1
            diff -= 1
        elif diff < 0 and plan.count[k] > 1:
            plan.count[k] -= 1
            diff += 1


def plan_uploads(rng: random.Random, world: like_plan.World, plan: Plan, communities,
                 end: int) -> None:
    """Each album's uploads (when, by whom, how many), its ``updated`` time (the last upload,
    or its creation) and cover; the uploads ordered by time, which gives the photos' ids."""
    rows = []  # (at, album, first position, n, uploader)
    batches: list[list[int]] = []  # album → indexes into rows
    for k in range(len(plan.owner)):
        n, at = plan.count[k], plan.created[k]
        same_session = 0.5 if k in plan.big else 0.8
        mine = []
        position = 0
        while position < n:
            if position == 0:
                gap = rng.expovariate(1 / 600)
            elif rng.random() < same_session:
                gap = rng.expovariate(1 / 300)
            else:
                gap = rng.expovariate(1 / (7 * DAY))
            nxt = at + 1 + int(gap)
            at = nxt if nxt < end else at + int((end - 1 - at) * rng.random())
            size = min(n - position, rng.randint(1, PER_UPLOAD))
            uploader = plan.owner[k]
            if plan.community[k] and rng.random() < 0.5:
                # A member who had joined, and who may see the album (no block with its maker).
                blocked = world.blocked.get(uploader, ())
                for _ in range(5):
                    who, since = rng.choice(communities[plan.community[k]])
                    if since < at and who not in blocked:
                        uploader = who
                        break
            mine.append(len(rows))
            rows.append((at, k, position, size, uploader))
            position += size
        batches.append(mine)
        plan.updated.append(rows[mine[-1]][0] if mine else plan.created[k])
    order = sorted(range(len(rows)), key=lambda b: (rows[b][0], rows[b][1], rows[b][2]))
    first_id = array("i", bytes(4 * len(rows)))
    pk = 1
    for b in order:
        at, k, position, size, uploader = rows[b]
        first_id[b] = pk
        pk += size
        plan.u_at.append(at)
        plan.u_album.append(k)
        plan.u_first.append(position)
        plan.u_n.append(size)
        plan.u_uploader.append(uploader)
    for k, mine in enumerate(batches):
        if not mine:
            plan.cover.append(0)
            continue
        place = rng.randrange(plan.count[k]) if rng.random() < OTHER_COVER else 0
        b = next(b for b in mine if rows[b][2] <= place < rows[b][2] + rows[b][3])
        plan.cover.append(first_id[b] + place - rows[b][2])


def plan_comments(rng: random.Random, world: like_plan.World, plan: Plan, total: int,
                  end: int) -> tuple[array, array, array]:
    """About ``total`` comments as (time, photo id, author) arrays, in time order."""
    start = end - DAYS * DAY
    span = end - start
    degree = {pk: len(fs) for pk, fs in world.friends.items()}
    n_photos = sum(plan.u_n)
    photo_album = array("i", bytes(4 * n_photos))
    weight = array("d", bytes(8 * n_photos))
    cap = array("i", bytes(4 * n_photos))
    pk = 0
    for b in range(len(plan.u_n)):
        k = plan.u_album[b]
        if plan.level[k] == PRIVATE:
            pk += plan.u_n[b]
            continue
        community = plan.community[k]
        reach = (math.sqrt(len(world.communities.get(community, ()))) if community
                 else degree.get(plan.owner[k], 0))
        # Who may see it, and so comment (the uploader's answers aside).
        audience = (like_plan._audience(world, like_plan.COMMUNITY, community) if community
                    else like_plan._audience(world, REACH[plan.level[k]], plan.owner[k]))
        base = (0.3 + math.log1p(reach)) * (0.2 + (plan.u_at[b] - start) / span)
        for _ in range(plan.u_n[b]):
            photo_album[pk] = k
            weight[pk] = base * rng.lognormvariate(0, 1.3)
            cap[pk] = max(0, audience)
            pk += 1
    # The hot photos: in the big albums.
    in_big = [p for p in range(n_photos) if photo_album[p] in plan.big and weight[p]]
    hot = {p: rng.randint(*HOT_COMMENTS) for p in rng.sample(in_big, min(HOT_PHOTOS,
                                                                          len(in_big)))}
    for p in hot:
        weight[p] = 0.0
    # The scale that makes the capped expectations sum to what is wanted (a few rounds).
    want = total - sum(hot.values())
    scale = want / max(1e-9, sum(weight))
    for _ in range(6):
        got = sum(min(w * scale, c) for w, c in zip(weight, cap, strict=True))
        if got <= 0 or abs(got - want) < want * 1e-3:
            break
        scale *= want / got
    counts = array("i", bytes(4 * n_photos))
    carry = 0.0
    for p in range(n_photos):
        if p in hot:
            counts[p] = hot[p]
        elif weight[p]:
            carry += min(weight[p] * scale, cap[p])
            counts[p] = int(carry)
            carry -= counts[p]
    return _commenters(rng, world, plan, counts, end)


def _commenters(rng, world, plan: Plan, counts: array, end: int) -> tuple[array, array, array]:
    at, photo, author = array("q"), array("i"), array("i")
    pk = 0
    for b in range(len(plan.u_n)):
        k, uploader, when = plan.u_album[b], plan.u_uploader[b], plan.u_at[b]
        owner = plan.owner[k]
        reach, key = ((like_plan.COMMUNITY, plan.community[k]) if plan.community[k]
                      else (REACH[plan.level[k]], owner))
        blocked = world.blocked.get(owner, ())
        for _ in range(plan.u_n[b]):
            pk += 1
            c = counts[pk - 1]
            if not c:
                continue
            people = like_plan.likers(rng, world, reach, key, uploader, c)
            for m in people:
                if m in blocked:
                    continue
                if rng.random() < REPLY_SHARE:
                    m = uploader
                t = like_plan.when(rng, when, world.joined[m], end)
                if t is not None:
                    at.append(t)
                    photo.append(pk)
                    author.append(m)
    order = sorted(range(len(at)), key=at.__getitem__)
    return (array("q", (at[i] for i in order)), array("i", (photo[i] for i in order)),
            array("i", (author[i] for i in order)))
