"""The whole benchmark data set, seeded once (a dev tool): ``make bench`` starts here.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_all.py [--reseed]

The friend graph (``seed_graph.py``: 100,000 members, 1,000,000 friendships), the diaries
(``seed_diary.py``: 2,000,000 entries, 5,000,000 comments), the communities
(``seed_communities.py``: 10,000), the off-kai (``seed_offkai.py``: 20,000 events) and the
messages (``seed_messages.py``: 1,000,000 conversations, 5,000,000 messages), the likes
(``seed_likes.py``: 20,000,000 on entries, topics, off-kai and their comments) and the
albums (``seed_albums.py``: 200,000 albums, 2,000,000 photos, 1,000,000 comments; after the
likes, so that their seed stays as it was: no likes on photos), each streamed into COPY
with a progress bar and skipped when its marker table says it is there.
"""

from __future__ import annotations

import argparse
import sys
import time

import seed_albums
import seed_communities
import seed_diary
import seed_graph
import seed_likes
import seed_messages
import seed_offkai


def ensure_seeded(*, reseed: bool = False) -> float:
    """Seed whatever is missing; returns the seconds it took (next to nothing when all is
    there)."""
    start = time.monotonic()
    seed_graph.ensure_seeded(reseed=reseed)
    seed_diary.ensure_seeded()
    seed_communities.ensure_seeded()
    seed_offkai.ensure_seeded()
    seed_messages.ensure_seeded()
    seed_likes.ensure_seeded()
    seed_albums.ensure_seeded()
    seconds = time.monotonic() - start
    print(f"  the data set is ready ({seconds / 60:.1f} min)", file=sys.stderr)
    return seconds


def sizes() -> dict[str, int]:
    """What the bench database holds, counted from the planner's statistics (exact counts of
    millions of rows would take longer than they are worth here)."""
    from django.db import connection

    tables = {
        "members": "accounts_user", "friendship rows": "accounts_friendship",
        "entries": "diary_entry", "comments": "diary_comment",
        "communities": "communities_community", "topics": "communities_topic",
        "topic comments": "communities_topiccomment", "events": "offkai_event",
        "answers": "offkai_rsvp", "conversations": "conversations_conversation",
        "messages": "conversations_message", "likes": "sns_like",
        "albums": "albums_album", "album photos": "albums_albumphoto",
        "photo comments": "albums_albumphotocomment",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
            [list(tables.values())],
        )
        rows = dict(cursor.fetchall())
    return {name: rows.get(table, 0) for name, table in tables.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed)


if __name__ == "__main__":
    main()
