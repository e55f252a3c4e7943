"""Seed the bench database with communities on top of the friend graph (a dev tool, never a
test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_communities.py \
        [--reseed-communities]

Seeds the friend graph first if needed (``seed_graph.py``: 100,000 members), then adds
10,000 communities in 12 categories with skewed sizes (a Pareto law: most have a few dozen
members, a few thousands), their memberships (one admin each, a few sub-admins), topics and
topic comments:

* **The largest community** has 20,000 members and 5,000 topics; one of its topics has
  exactly 500 comments.
* **A busy member** belongs to 200 communities (the largest among them); in 150 of them
  others commented on some topics in the last two days, and the member last looked at
  "new in my communities" three days ago.
* Other communities have topics in proportion to their size and comments with a
  log-normal skew, all written by their members over the last two years.

Rows are streamed into COPY (text format, FREEZE), then VACUUM ANALYZE. Same rows on every
run (fixed random seed; dates end at the hour of seeding). A marker table
``bench_communities_seed`` records what was seeded, so a second run does nothing;
``--reseed-communities`` empties the community tables and seeds them again (``--reseed``
redoes the friend graph too).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import UTC, datetime

import seed_graph
from seed_diary import (
    JA_COMMENTS,
    JA_SENTENCES,
    Timestamps,
    _copy_lines,
    _extra_columns,
    copy_text,
)
from seed_graph import Progress

MARKER = "bench_communities_seed"
SEED_VERSION = 1
RANDOM_SEED = 20250501
COMMUNITIES = 10_000
LARGEST_MEMBERS = 20_000
LARGEST_TOPICS = 5_000
HOT_COMMENTS = 500
BUSY_COMMUNITIES = 200
BUSY_FRESH = 150
DAYS = 2 * 365
CATEGORIES = ["音楽", "映画", "本", "スポーツ", "旅行", "料理", "ゲーム", "地域", "仕事",
              "学校", "趣味", "ペット"]
WORDS = ["好き", "同好会", "の会", "部", "ファン", "愛好会", "研究会", "倶楽部", "仲間",
         "サークル"]


def _sizes(rng: random.Random, n: int) -> list[int]:
    """Member counts: the first is the largest, the others a Pareto law (3 to 5,000)."""
    return [LARGEST_MEMBERS] + [
        min(5_000, int(3 * rng.paretovariate(0.9))) for _ in range(n - 1)
    ]


def seed_communities() -> None:
    import psycopg
    from django.db import connection

    from communities.models import (
        Category,
        Community,
        CommunityPreference,
        Membership,
        Topic,
        TopicComment,
    )

    started = time.monotonic()
    rng = random.Random(RANDOM_SEED)
    end = int(datetime.now(UTC).timestamp()) // 3600 * 3600
    start = end - DAYS * 86400
    # From the largest community's creation (400 days before the topics begin) to now.
    stamp = Timestamps(start - 401 * 86400, DAYS + 401)
    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    comment_pool = [copy_text("".join(rng.sample(JA_COMMENTS, rng.randint(1, 3)))
                              + ("" if rng.random() < 0.6 else rng.choice(JA_SENTENCES)))
                    for _ in range(2_000)]
    body_pool = [copy_text("\n\n".join("".join(rng.sample(JA_SENTENCES, rng.randint(2, 5)))
                                       for _ in range(rng.randint(1, 4))))
                 for _ in range(1_000)]

    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user WHERE is_active ORDER BY id")
        active = [pk for (pk,) in cursor.fetchall()]
        try:
            cursor.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
        tables = [TopicComment._meta.db_table, Topic._meta.db_table,
                  Membership._meta.db_table, Community._meta.db_table,
                  Category._meta.db_table, CommunityPreference._meta.db_table]
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

        # --- categories
        cat_extra, cat_suffix = _extra_columns(Category, {"id", "name_ja", "name_en", "order"})
        _copy_lines(cursor, Category._meta.db_table,
                    ["id", "name_ja", "name_en", "order", *cat_extra],
                    (f"{k + 1}\t{name}\tCategory {k + 1}\t{k}{cat_suffix}\n"
                     for k, name in enumerate(CATEGORIES)), len(CATEGORIES), "categories")

        # --- who is in which community
        sizes = _sizes(rng, COMMUNITIES)
        busy = active[len(active) // 3]
        busy_in = {0, *rng.sample(range(1, COMMUNITIES), BUSY_COMMUNITIES - 1)}
        members: list[list[int]] = []
        progress = Progress("members", COMMUNITIES)
        for c, size in enumerate(sizes):
            chosen = rng.sample(active, size)
            if c in busy_in and busy not in chosen:
                chosen[-1] = busy
            elif c not in busy_in and busy in chosen:
                chosen.remove(busy)
            members.append(chosen)
            progress.update(1)
        progress.close()
        created = [start - rng.randrange(365 * 86400) if c else start - 400 * 86400
                   for c in range(COMMUNITIES)]

        c_known = {"id", "name", "description", "category_id", "image", "join_policy",
                   "topic_policy", "created_by_id", "created_at", "closed_at"}
        c_extra, c_suffix = _extra_columns(Community, c_known)

        def community_lines():
            for c in range(COMMUNITIES):
                policy = ("open" if c == 0 or c in busy_in else
                          rng.choices(["open", "approval", "secret"], [75, 20, 5])[0])
                name = f"{rng.choice(CATEGORIES)}{rng.choice(WORDS)} {c + 1}"
                yield (f"{c + 1}\t{name}\t{rng.choice(body_pool)}\t{c % len(CATEGORIES) + 1}\t"
                       f"\t{policy}\tmembers\t{members[c][0]}\t{stamp(created[c])}\t\\N"
                       f"{c_suffix}\n")

        _copy_lines(cursor, Community._meta.db_table,
                    ["id", "name", "description", "category_id", "image", "join_policy",
                     "topic_policy", "created_by_id", "created_at", "closed_at", *c_extra],
                    community_lines(), COMMUNITIES, "communities")

        m_extra, m_suffix = _extra_columns(Membership,
                                           {"id", "community_id", "user_id", "role", "joined_at"})

        def membership_lines():
            pk = 0
            for c, chosen in enumerate(members):
                for k, user in enumerate(chosen):
                    pk += 1
                    role = "admin" if k == 0 else ("subadmin" if k <= 2 else "member")
                    joined = created[c] + (0 if k == 0 else rng.randrange(end - created[c]))
                    yield f"{pk}\t{c + 1}\t{user}\t{role}\t{stamp(joined)}{m_suffix}\n"

        memberships = _copy_lines(cursor, Membership._meta.db_table,
                                  ["id", "community_id", "user_id", "role", "joined_at",
                                   *m_extra], membership_lines(), sum(sizes), "memberships")

        # --- topics and their comments, planned together
        topic_counts = [LARGEST_TOPICS] + [
            min(400, int(size / 8 * rng.lognormvariate(0, 0.8))) for size in sizes[1:]
        ]
        for c in busy_in:
            topic_counts[c] = max(topic_counts[c], 3)
        fresh_in = set(rng.sample(sorted(busy_in), BUSY_FRESH))
        hot_topic = 0  # set below: a topic of the largest community
        t_rows, c_rows = [], []
        progress = Progress("plan", sum(topic_counts))
        for c, n in enumerate(topic_counts):
            people = members[c]
            others = [p for p in people if p != busy] or people
            for k in range(n):
                tid = len(t_rows) + 1
                t0 = max(created[c] + 60, end - int(rng.random() ** 1.5 * DAYS * 86400))
                author = rng.choice(people)
                if c == 0 and k == LARGEST_TOPICS // 2:
                    hot_topic, count = tid, HOT_COMMENTS
                else:
                    count = min(300, int(rng.lognormvariate(1.2, 1.1)))
                times = sorted(t0 + 60 + int(rng.expovariate(1 / 86400) * 3)
                               for _ in range(count))
                times = [min(t, end - 60) for t in times]
                if c in fresh_in and k < 3:
                    times.append(end - rng.randrange(3600, 2 * 86400))
                    times.sort()
                    t0 = min(t0, times[0] - 60)
                last_by = "\\N"
                for t in times:
                    who = rng.choice(others)
                    c_rows.append((t, tid, who))
                    last_by = who
                t_rows.append((tid, c + 1, author, t0, times[-1] if times else t0, len(times),
                               last_by))
            progress.update(n)
        progress.close()

        t_known = {"id", "community_id", "author_id", "title", "body", "pinned", "created_at",
                   "edited_at", "last_activity_at", "comment_count", "last_commenter_id"}
        t_extra, t_suffix = _extra_columns(Topic, t_known)

        def topic_lines():
            for tid, c, author, t0, last, count, last_by in t_rows:
                title = copy_text(rng.choice(JA_SENTENCES)[:60])
                pinned = "t" if tid % 997 == 0 else "f"
                yield (f"{tid}\t{c}\t{author}\t{title}\t{rng.choice(body_pool)}\t{pinned}\t"
                       f"{stamp(t0)}\t\\N\t{stamp(last)}\t{count}\t{last_by}{t_suffix}\n")

        _copy_lines(cursor, Topic._meta.db_table,
                    ["id", "community_id", "author_id", "title", "body", "pinned", "created_at",
                     "edited_at", "last_activity_at", "comment_count", "last_commenter_id",
                     *t_extra], topic_lines(), len(t_rows), "topics")

        c_rows.sort()
        tc_extra, tc_suffix = _extra_columns(TopicComment,
                                             {"id", "topic_id", "author_id", "body", "created_at"})

        def comment_lines():
            for pk, (t, tid, who) in enumerate(c_rows, start=1):
                yield (f"{pk}\t{tid}\t{who}\t{comment_pool[pk % len(comment_pool)]}\t"
                       f"{stamp(t)}{tc_suffix}\n")

        comments = _copy_lines(cursor, TopicComment._meta.db_table,
                               ["id", "topic_id", "author_id", "body", "created_at",
                                *tc_extra], comment_lines(), len(c_rows), "comments")
        cursor.execute(
            f'INSERT INTO "{CommunityPreference._meta.db_table}" '  # noqa: S608
            "(user_id, topics_seen_at) VALUES (%s, to_timestamp(%s))", [busy, end - 3 * 86400])
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(
            f"CREATE TABLE {MARKER} (communities int NOT NULL, memberships int NOT NULL, "
            "topics int NOT NULL, comments int NOT NULL, largest int NOT NULL, "
            "hot_topic int NOT NULL, busy_member int NOT NULL, version int NOT NULL, "
            "seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, 1, %s, %s, %s)",  # noqa: S608
            (COMMUNITIES, memberships, len(t_rows), comments, hot_topic, busy, SEED_VERSION),
        )
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
    ordered = sorted(sizes)
    print(
        f"  seeded {COMMUNITIES:,} communities, {memberships:,} memberships, {len(t_rows):,} "
        f"topics, {comments:,} comments in {time.monotonic() - started:.0f}s; members per "
        f"community: median {ordered[len(ordered) // 2]}, max {ordered[-1]:,}; "
        f"{sum(s >= 1000 for s in sizes)} with ≥ 1,000; log-mean "
        f"{math.exp(sum(math.log(s) for s in sizes) / len(sizes)):.0f}",
        file=sys.stderr,
    )


def seeded(url: str, marker: str = MARKER) -> dict | None:
    """The row of the ``marker`` table (ours by default) as a dict, or None if not there."""
    import psycopg

    with psycopg.connect(seed_graph._psycopg_url(url), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", [marker]).fetchone()[0] is None:
            return None
        cur = conn.execute(f"SELECT * FROM {marker}")  # noqa: S608
        row = cur.fetchone()
        return dict(zip([d.name for d in cur.description], row, strict=True)) if row else None


def ensure_seeded(*, reseed: bool = False, reseed_communities: bool = False) -> None:
    """The friend graph (seeded first if needed), then the communities unless there."""
    seed_graph.ensure_seeded(reseed=reseed)
    marker = seeded(seed_graph.bench_database_url())
    if marker and marker["version"] == SEED_VERSION and not (reseed or reseed_communities):
        print(f"  communities already seeded ({marker['communities']:,} communities, "
              f"{marker['topics']:,} topics); --reseed-communities to redo", file=sys.stderr)
        return
    seed_communities()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed-communities", action="store_true",
                        help="empty the community tables and seed them again")
    parser.add_argument("--reseed", action="store_true",
                        help="drop the whole database and seed the friend graph too")
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed, reseed_communities=args.reseed_communities)


if __name__ == "__main__":
    main()
