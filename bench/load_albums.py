"""The album pages in the load test (``bench/load.py``), on the seeded albums
(``seed_albums.py``): a big album (500-2,000 photos) opened by a member who may see it, the
page of a photo with many comments, the albums list of a member with many albums, opened by a
friend, and home of a member whose friends added photos lately (the friends' new albums
section full). Measured alone, beside the floor; not in the mixed load (which stays the one
earlier runs measured).
"""

from __future__ import annotations

import random
import sys

BIG = 500  # photos of a big album
# The rows, in order, and what they are called in the report.
ALBUM_ROWS = ["big album", "album photo", "member albums", "albums home"]
RECENT_DAYS = 14


def _rows(query: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _blocked(*members: int) -> set[int]:
    from accounts.models import Block

    out: set[int] = set()
    for m in members:
        out |= set(Block.objects.filter(blocker=m).values_list("blocked", flat=True))
        out |= set(Block.objects.filter(blocked=m).values_list("blocker", flat=True))
    return out


def _viewers(owner: int, community: int | None, uploader: int, rng: random.Random,
             n: int) -> list[int]:
    """Members who may see an album: the owner's friends for their own (its level is not
    private: friends see every other level), the community's members for a community's; never
    one in a block with its owner or the photo's uploader."""
    from accounts.models import Friendship
    from communities.models import Membership

    if community:
        pool = Membership.objects.filter(community=community, user__is_active=True,
                                         user__is_staff=False).values_list("user", flat=True)
    else:
        pool = Friendship.objects.filter(user=owner, friend__is_active=True,
                                         friend__is_staff=False).values_list("friend", flat=True)
    bad = _blocked(owner, uploader) | {owner, uploader}
    found = [m for m in pool if m not in bad]
    return rng.sample(found, min(n, len(found)))


def _spread(things: list[tuple], n: int, rng: random.Random, make) -> list:
    """Up to ``n`` requests over ``things``, each thing's from its own viewers
    (``make(thing, per)`` → requests)."""
    out: list = []
    per = max(1, -(-n // max(1, len(things))))
    for thing in things:
        out.extend(make(thing, per))
    rng.shuffle(out)
    return out[:n]


def album_requests(n: int, rng: random.Random) -> dict[str, list]:
    """Up to ``n`` requests of each row of ALBUM_ROWS, each by its own logged-in member."""
    import fanout
    from load_requests import Request, _cookie

    from accounts.models import User

    big = _rows(
        "SELECT a.id, a.owner_id, a.community_id, a.photo_count FROM albums_album a "
        "JOIN accounts_user u ON u.id = a.owner_id WHERE a.photo_count >= %s "
        "AND a.hidden_at IS NULL AND u.is_active AND (a.community_id IS NOT NULL "
        "OR a.visibility <> 'private') ORDER BY a.photo_count DESC, a.id LIMIT 100", [BIG])
    if not big:
        print(f"  no album with {BIG} photos: seed_albums.py has not run", file=sys.stderr)
        return {}
    talked = _rows(
        "SELECT p.id, a.owner_id, a.community_id, p.uploader_id, x.n FROM (SELECT photo_id, "
        "count(*) AS n FROM albums_albumphotocomment GROUP BY photo_id ORDER BY n DESC "
        "LIMIT 50) x JOIN albums_albumphoto p ON p.id = x.photo_id "
        "JOIN albums_album a ON a.id = p.album_id WHERE p.hidden_at IS NULL "
        "AND a.hidden_at IS NULL AND (a.community_id IS NOT NULL OR a.visibility <> 'private')"
        " ORDER BY x.n DESC, p.id", [])
    keen = _rows(
        "SELECT owner_id, count(*) FROM albums_album WHERE community_id IS NULL "
        "AND visibility <> 'private' GROUP BY owner_id ORDER BY count(*) DESC, owner_id "
        "LIMIT 50", [])
    homes = [m for (m,) in _rows(
        "SELECT f.user_id FROM albums_album a JOIN accounts_friendship f "
        "ON f.friend_id = a.owner_id JOIN accounts_user u ON u.id = f.user_id "
        "WHERE a.community_id IS NULL AND a.visibility NOT IN ('private') "
        "AND a.photo_count > 0 AND a.updated_at > now() - make_interval(days => %s) "
        "AND u.is_active AND NOT u.is_staff GROUP BY f.user_id HAVING count(*) >= 5 "
        "ORDER BY f.user_id", [RECENT_DAYS])]
    seats: dict[str, list[tuple[int, str]]] = {  # row → (viewer, path)
        "big album": _spread(big, n, rng, lambda a, per: [
            (v, f"/albums/{a[0]}/") for v in _viewers(a[1], a[2], a[1], rng, per)]),
        "album photo": _spread(talked, n, rng, lambda p, per: [
            (v, f"/albums/photos/{p[0]}/") for v in _viewers(p[1], p[2], p[3], rng, per)]),
        "member albums": _spread(keen, n, rng, lambda o, per: [
            (v, f"/members/{o[0]}/albums/") for v in _viewers(o[0], None, o[0], rng, per)]),
        "albums home": [(m, "/") for m in rng.sample(homes, min(n, len(homes)))],
    }
    members = User.objects.in_bulk({v for rows in seats.values() for v, _ in rows})
    cookies: dict[int, str] = {}
    requests: dict[str, list] = {}
    for row, rows in seats.items():
        requests[row] = []
        for viewer, path in rows:
            if viewer not in cookies:
                cookies[viewer] = _cookie(fanout.browser_of(members[viewer]))
            requests[row].append(Request(row, "GET", path, cookies[viewer]))
    print(f"  {len(big)} albums with {BIG}+ photos (the most {big[0][3]:,}); "
          f"{len(talked)} photos with the most comments ({talked[0][4] if talked else 0} at "
          f"most); {len(keen)} members with the most albums ({keen[0][1] if keen else 0}); "
          f"{len(homes):,} members with 5+ friends' albums added to in {RECENT_DAYS} days",
          file=sys.stderr)
    return {row: items for row, items in requests.items() if items}
