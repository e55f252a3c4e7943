"""Seed the bench database with イイネ! (likes) on what the other seeders wrote (a dev tool,
never a test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_likes.py [--reseed-likes]

Needs the diaries, communities and off-kai (seeds what is missing first), then adds
20,000,000 likes (issue 19, item 5):

* **What is liked**: 60% diary entries, 28% their comments, 4% topics, 5% topic comments,
  2% off-kai and 1% their comments (the seed has 2,000,000 entries and 5,000,000 comments,
  54,000 topics and 304,000 comments, 20,000 off-kai and 65,000 comments). Each thing's
  count is a log-normal appeal times its owner's reach (friends, or the community's size),
  capped by who may see it: most things get 0-3, popular authors' entries dozens, and 300
  entries open to all members by the best-connected authors 1,000-5,000 each. Private and
  hidden things get none.
* **Who likes**: someone who may see the thing (``like_plan.py``): for an entry or an
  off-kai of friends only, its author's friends; friends of friends, those and theirs; for
  all members, mostly friends, then friends of friends, then anybody; for a topic, the
  community's members. Never the author, never twice the same member on a thing (the
  like_once constraint), never across a block, never a member who left or is suspended.
* **When**: after the thing and after the member joined, mostly within hours, some days or
  months later, before the hour of seeding.
* **Notifications**: what the services leave: one unread "like" notification per thing
  liked in the last 14 days (its author's, naming the latest who liked it and counting
  those likes: ``Notification.gathered``), marked mailed.

Likes go in with COPY (FREEZE, written thing by thing in id order; the secondary indexes
like_newest and like_by_member built after it, the like_once constraint kept), then VACUUM
ANALYZE. Likes of one thing lie together in the table, while on the site they scatter over
it in time order: "who liked this" reads fewer heap pages here than it would. Invariants are
checked in SQL and printed. The same rows on every run (fixed random seed; dates end at the
hour of seeding). A marker table ``bench_likes_seed`` records the size, so a second run does
nothing; ``--reseed-likes`` empties the likes and seeds them again.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime

import like_plan
import seed_communities
import seed_diary
import seed_graph
import seed_offkai
from seed_diary import Timestamps
from seed_graph import Progress

MARKER = "bench_likes_seed"
SEED_VERSION = 1
RANDOM_SEED = 20261207
LIKES = 20_000_000
NOTIFY_DAYS = 14

INVARIANTS = {
    "duplicates": "SELECT count(*) FROM (SELECT 1 FROM sns_like GROUP BY target_type_id, "
                  "target_id, member_id HAVING count(*) > 1) d",
    "self-likes": "SELECT count(*) FROM sns_like l JOIN {table} t ON t.id = l.target_id "
                  "WHERE l.target_type_id = %s AND l.member_id = t.{author}",
    "before their thing": "SELECT count(*) FROM sns_like l JOIN {table} t "
                          "ON t.id = l.target_id WHERE l.target_type_id = %s "
                          "AND l.created_at <= t.created_at",
    "after now": "SELECT count(*) FROM sns_like WHERE created_at > now()",
    "across a block": "SELECT count(*) FROM sns_like l JOIN {table} t ON t.id = l.target_id "
                      "JOIN accounts_block b ON (b.blocker_id = l.member_id AND "
                      "b.blocked_id = t.{author}) OR (b.blocked_id = l.member_id AND "
                      "b.blocker_id = t.{author}) WHERE l.target_type_id = %s",
}
TABLES = {  # kind → (table, author column)
    "entry": ("diary_entry", "author_id"), "entry-comment": ("diary_comment", "author_id"),
    "topic": ("communities_topic", "author_id"),
    "topic-comment": ("communities_topiccomment", "author_id"),
    "offkai": ("offkai_event", "created_by_id"), "offkai-comment": ("offkai_eventcomment",
                                                                    "author_id"),
}


def _content_types(cursor) -> dict[str, int]:
    types = {}
    for kind, app, model, _ in like_plan.QUERIES:
        cursor.execute("SELECT id FROM django_content_type WHERE app_label = %s AND model = %s",
                       [app, model])
        types[kind] = cursor.fetchone()[0]
    return types


def _lines(rng, world, plans, types, stamp, end):
    pk = 0
    for things in plans:
        ctype = types[things.kind]
        owner, author, at, reach = things.owner, things.author, things.at, things.reach
        for k, count in enumerate(things.counts):
            if not count:
                continue
            thing = things.ids[k]
            for member in like_plan.likers(rng, world, reach[k], owner[k], author[k], count):
                t = like_plan.when(rng, at[k], world.joined[member], end)
                if t is None:
                    continue
                pk += 1
                yield f"{pk}\t{member}\t{ctype}\t{thing}\t{stamp(t)}"


def _notifications(cursor, types: dict[str, int]) -> int:
    """One unread gathered notification per thing liked lately, as notify_gathered leaves."""
    made = 0
    for kind, ctype in types.items():
        table, author = TABLES[kind]
        cursor.execute(
            "INSERT INTO sns_notification (recipient_id, actor_id, kind, target_type_id, "  # noqa: S608
            "target_id, created_at, mailed_at, gathered) "
            f"SELECT t.{author}, l.latest, 'like', %s, l.target_id, l.at, l.at, l.n FROM "
            "(SELECT target_id, max(created_at) AS at, count(*) AS n, "
            "(array_agg(member_id ORDER BY created_at DESC))[1] AS latest FROM sns_like "
            "WHERE target_type_id = %s AND created_at > now() - make_interval(days => %s) "
            f"GROUP BY target_id) l JOIN {table} t ON t.id = l.target_id "
            f"JOIN accounts_user u ON u.id = t.{author} AND u.is_active",
            [ctype, ctype, NOTIFY_DAYS],
        )
        made += cursor.rowcount
    return made


def check(cursor, types: dict[str, int]) -> dict[str, int]:
    """The invariants, counted in SQL (each must be 0)."""
    found = {}
    cursor.execute(INVARIANTS["duplicates"])
    found["duplicates"] = cursor.fetchone()[0]
    cursor.execute(INVARIANTS["after now"])
    found["after now"] = cursor.fetchone()[0]
    for name in ("self-likes", "before their thing", "across a block"):
        found[name] = 0
        for kind, ctype in types.items():
            table, author = TABLES[kind]
            cursor.execute(INVARIANTS[name].format(table=table, author=author), [ctype])
            found[name] += cursor.fetchone()[0]
    return found


def figures(cursor, types: dict[str, int]) -> str:
    """Likes per kind and the shape of the counts of entries."""
    cursor.execute("SELECT target_type_id, count(*) FROM sns_like GROUP BY 1")
    per = dict(cursor.fetchall())
    kinds = ", ".join(f"{kind} {per.get(t, 0):,}" for kind, t in types.items())
    cursor.execute(
        "WITH c AS (SELECT count(*) AS n FROM sns_like WHERE target_type_id = %s "
        "GROUP BY target_id) SELECT (SELECT count(*) FROM diary_entry) - count(*), "
        "count(*) FILTER (WHERE n <= 3), count(*) FILTER (WHERE n >= 1000), "
        "percentile_disc(0.5) WITHIN GROUP (ORDER BY n), "
        "percentile_disc(0.99) WITHIN GROUP (ORDER BY n), max(n) FROM c",
        [types["entry"]],
    )
    none, low, hot, median, p99, top = cursor.fetchone()
    return (f"{kinds}; entries: {none:,} without likes, {low:,} liked 1-3 times, {hot:,} "
            f"with 1,000+, liked ones median {median}, p99 {p99}, max {top}")


def seed_likes(total: int) -> dict:
    import psycopg
    from django.db import connection

    from sns.models import Like

    started = time.monotonic()
    rng = random.Random(RANDOM_SEED)
    end = int(datetime.now(UTC).timestamp()) // 3600 * 3600
    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    table = Like._meta.db_table
    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cursor:
        print("  likes: reading the site …", file=sys.stderr)
        world = like_plan.load_world(cursor)
        types = _content_types(cursor)
        plans = [like_plan.load_things(conn, kind, query)
                 for kind, _, _, query in like_plan.QUERIES]
        conn.commit()
        wanted = like_plan.share(total)
        hot = like_plan.pick_hot(rng, world, plans[0])
        for things in plans:
            like_plan.plan_counts(rng, world, things, wanted[things.kind],
                                  hot if things.kind == "entry" else None)
        first = min(min(t.at) for t in plans if t.ids)
        stamp = Timestamps(first - 86400, (end - first) // 86400 + 10)

        seed_diary._no_triggers(conn, cursor)
        cursor.execute("DELETE FROM sns_notification WHERE kind = 'like'")
        cursor.execute(f'TRUNCATE "{table}" RESTART IDENTITY')
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        extra, suffix = seed_diary._extra_columns(
            Like, {"id", "member_id", "target_type_id", "target_id", "created_at"}
        )
        lines = (line + suffix + "\n"
                 for line in _lines(rng, world, plans, types, stamp, end))
        written = seed_diary._copy_lines(
            cursor, table, ["id", "member_id", "target_type_id", "target_id", "created_at",
                            *extra], lines, total, "likes")
        progress = Progress("indexes", len(indexes))
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
            progress.update(1)
        progress.close()
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f'(SELECT coalesce(max(id), 1) FROM "{table}"))')
        notified = _notifications(cursor, types)
        hottest = max(hot.values()) if hot else 0
        marker = {"likes": written, "hot": len(hot), "hottest": hottest,
                  "notifications": notified, "version": SEED_VERSION}
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(
            f"CREATE TABLE {MARKER} (likes int NOT NULL, hot int NOT NULL, hottest int NOT NULL, "
            "notifications int NOT NULL, version int NOT NULL, "
            "seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"INSERT INTO {MARKER} ({', '.join(marker)}) "  # noqa: S608
                       f"VALUES ({', '.join(['%s'] * len(marker))})", list(marker.values()))
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'VACUUM (ANALYZE) "{table}"')
        conn.execute("VACUUM (ANALYZE) sns_notification")
        with conn.cursor() as cursor:
            found = check(cursor, types)
            shape = figures(cursor, types)
    print(f"  seeded {written:,} likes and {notified:,} like notifications in "
          f"{time.monotonic() - started:.0f}s; {shape}", file=sys.stderr)
    print("  invariants (each 0): " + ", ".join(f"{k} {v}" for k, v in found.items()),
          file=sys.stderr)
    if any(found.values()):
        raise SystemExit("likes: an invariant does not hold (see above)")
    return marker


def ensure_seeded(*, reseed: bool = False, reseed_likes: bool = False,
                  likes: int = LIKES) -> None:
    """What the likes are on (seeded first if needed), then the likes unless there."""
    seed_diary.ensure_seeded(reseed=reseed)
    seed_communities.ensure_seeded()
    seed_offkai.ensure_seeded()
    marker = seed_communities.seeded(seed_graph.bench_database_url(), MARKER)
    if (marker and not (reseed or reseed_likes) and marker["version"] == SEED_VERSION
            and abs(marker["likes"] - likes) <= likes // 100):
        print(f"  likes already seeded ({marker['likes']:,}); --reseed-likes to redo",
              file=sys.stderr)
        return
    seed_likes(likes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed-likes", action="store_true",
                        help="empty the likes and seed them again")
    parser.add_argument("--reseed", action="store_true",
                        help="drop the whole database and seed everything again")
    parser.add_argument("--likes", type=int, default=LIKES)
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed, reseed_likes=args.reseed_likes, likes=args.likes)


if __name__ == "__main__":
    main()
