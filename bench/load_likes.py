"""The pages that show イイネ! in the load test (``bench/load.py``), on the seeded likes
(``seed_likes.py``): an entry with 1,000 likes or more opened by a friend of its author, who
liked it, the author's diary list (their entries carry likes), and a community topic whose
comments are liked, opened by a member of the community. Measured alone, beside the floor;
not in the mixed load (which stays the one earlier runs measured). The album pages are
measured in ``load_albums.py`` (photos have no seeded likes).
"""

from __future__ import annotations

import random
import sys

HOT = 1_000  # likes of an entry
# The rows, in order, and what they are called in the report.
LIKE_ROWS = ["liked entry", "likers", "liked diary", "liked topic"]


def hot_entries(limit: int = 200) -> list[tuple[int, int, int]]:
    """Entries with HOT likes or more, open to their author's friends: (entry, author,
    likes), most liked first (an index-only scan of like_once, a few seconds)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from diary.models import Entry

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, e.author_id, l.n FROM (SELECT target_id, count(*) AS n FROM sns_like "
            "WHERE target_type_id = %s GROUP BY target_id HAVING count(*) >= %s) l "
            "JOIN diary_entry e ON e.id = l.target_id JOIN accounts_user a ON a.id = e.author_id "
            "WHERE a.is_active AND e.hidden_at IS NULL AND e.visibility <> 'private' "
            "ORDER BY l.n DESC, e.id LIMIT %s",
            [ContentType.objects.get_for_model(Entry).pk, HOT, limit],
        )
        return cursor.fetchall()


def liked_topics(limit: int = 50) -> list[tuple[int, int]]:
    """Topics whose comments are liked most: (topic, community)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from communities.models import TopicComment

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, t.community_id FROM (SELECT c.topic_id, count(*) AS n FROM sns_like l "
            "JOIN communities_topiccomment c ON c.id = l.target_id WHERE l.target_type_id = %s "
            "GROUP BY c.topic_id ORDER BY n DESC LIMIT %s) x "
            "JOIN communities_topic t ON t.id = x.topic_id WHERE t.hidden_at IS NULL "
            "ORDER BY x.n DESC, t.id",
            [ContentType.objects.get_for_model(TopicComment).pk, limit],
        )
        return cursor.fetchall()


def _friends_of(author: int, rng: random.Random, n: int) -> list[int]:
    from accounts.models import Block, Friendship

    blocked = set(Block.objects.filter(blocker=author).values_list("blocked", flat=True)) | set(
        Block.objects.filter(blocked=author).values_list("blocker", flat=True))
    friends = [f for f in Friendship.objects.filter(
        user=author, friend__is_active=True, friend__is_staff=False
    ).values_list("friend_id", flat=True) if f not in blocked]
    return rng.sample(friends, min(n, len(friends)))


def like_requests(n: int, rng: random.Random) -> dict[str, list]:
    """Up to ``n`` requests of each row of LIKE_ROWS, each by its own logged-in member."""
    import fanout
    from load_requests import Request, _cookie

    from accounts.models import User
    from communities.models import Membership

    requests: dict[str, list] = {row: [] for row in LIKE_ROWS}
    hot = hot_entries()
    if not hot:
        print("  no entry with 1,000 likes: seed_likes.py has not run", file=sys.stderr)
        return {}
    # Friends of the hot entries' authors, spread over the entries.
    seats: list[tuple[int, int, int]] = []  # (friend, entry, author)
    per = max(1, -(-n // len(hot)))
    for entry, author, _likes in hot:
        seats.extend((f, entry, author) for f in _friends_of(author, rng, per))
    rng.shuffle(seats)
    seats = seats[:n]
    members = User.objects.in_bulk([f for f, _, _ in seats])
    for friend, entry, author in seats:
        cookie = _cookie(fanout.browser_of(members[friend]))
        requests["liked entry"].append(Request("liked entry", "GET", f"/diary/{entry}/", cookie))
        requests["likers"].append(Request("likers", "GET", f"/likes/entry/{entry}/", cookie))
        requests["liked diary"].append(
            Request("liked diary", "GET", f"/members/{author}/diary/", cookie))
    topics = liked_topics()
    for topic, community in topics:
        readers = list(Membership.objects.filter(
            community=community, user__is_active=True, user__is_staff=False
        ).values_list("user", flat=True).order_by("?")[: max(1, -(-n // len(topics)))])
        for member in User.objects.filter(pk__in=readers):
            requests["liked topic"].append(Request(
                "liked topic", "GET", f"/communities/{community}/topics/{topic}/",
                _cookie(fanout.browser_of(member))))
    requests["liked topic"] = requests["liked topic"][:n]
    print(f"  {len(hot)} entries with {HOT:,} likes or more (the most {hot[0][2]:,}), "
          f"{len(seats)} of their authors' friends; {len(topics)} topics with liked comments, "
          f"{len(requests['liked topic'])} of their members", file=sys.stderr)
    return requests
