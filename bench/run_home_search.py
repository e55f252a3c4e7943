"""Home and search benchmark (a dev tool, not a test): ``make bench-home-search``.

On the combined seed (the friend graph of ``seed_graph.py``, the diaries of
``seed_diary.py``, the communities of ``seed_communities.py``: 100,000 members, 2,000,000
entries, 10,000 communities), times whole pages through Django's test client, logged in,
with DEBUG off:

* home ``/`` of active members: members with 270-330 friends, each made a member of 50
  communities (the busiest ones, untimed, once) so that every part of home has something;
* search ``/search/?q=<word>`` (every kind, five of each: members, communities, diaries,
  community topics and their comments, off-kai) and one kind by pages (twenty) of the
  largest tables: ``&kind=diaries``, ``&kind=topics`` and ``&kind=topic_comments`` (topics
  and comments are written from the same Japanese sentences as the diaries, so a common
  word is common there too), for Japanese words from very common (in a third of the
  Japanese entries) to rare, by random members;

and prints p50 / p95 / max beside the targets of issue 7 (home p95 ≤ 150 ms, search p95 ≤
200 ms), then each page's queries under EXPLAIN, as the other benchmarks do.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/run_home_search.py
        [--samples 200] [--no-explain] [--show-queries]
"""

from __future__ import annotations

import random
import sys
from urllib.parse import urlencode

import seed_communities
import seed_diary
import seed_graph
from run import WARMUP, Target, page_arguments
from run_communities import report, run_plans
from run_diary import client_setup, run_pages, users

RANDOM_SEED = 17
HOME = Target(150)
SEARCH = Target(200)
ACTIVE_MEMBERS = 40
COMMUNITIES_EACH = 50
# Words of the seeded diaries and communities, from the most common to the rarest.
WORDS = [
    ("温泉", "in a third of Japanese entries"),
    ("打ち合わせ", "a phrase, in a third"),
    ("読書", "community names"),
    ("段ボール箱", "nowhere"),
]
# The kinds timed a page at a time: those with the most rows (sns.search.selectors.KINDS
# names them).
PAGED_KINDS = [("diaries", "diaries"), ("topics", "topics"),
               ("topic_comments", "topic comments")]


def active_members(rng: random.Random) -> list[int]:
    """Members with 270-330 friends, each in 50 communities (added once, untimed)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.user_id FROM accounts_friendship f JOIN accounts_user u ON u.id = f.user_id"
            " WHERE u.is_active GROUP BY f.user_id HAVING count(*) BETWEEN 270 AND 330"
            " ORDER BY f.user_id")
        ids = [pk for (pk,) in cursor.fetchall()]
        chosen = sorted(rng.sample(ids, min(ACTIVE_MEMBERS, len(ids))))
        cursor.execute(
            "SELECT c.id FROM communities_community c WHERE c.join_policy <> 'secret'"
            " ORDER BY (SELECT count(*) FROM communities_membership m"
            "           WHERE m.community_id = c.id) DESC, c.id LIMIT %s",
            [COMMUNITIES_EACH])
        busiest = [pk for (pk,) in cursor.fetchall()]
        with transaction.atomic():
            for member in chosen:
                cursor.executemany(
                    "INSERT INTO communities_membership (community_id, user_id, role, joined_at)"
                    " VALUES (%s, %s, 'member', now() - interval '30 days')"
                    " ON CONFLICT DO NOTHING",
                    [(community, member) for community in busiest],
                )
    return chosen


def cases(samples: int, rng: random.Random) -> list[tuple]:
    from accounts.models import User

    n = samples + WARMUP
    members = active_members(rng)
    home_viewers = users([members[k % len(members)] for k in range(n)])
    everyone = list(User.objects.filter(is_active=True).values_list("pk", flat=True)[:100_000])
    rows = [("home", f"{len(members)} active members", [(v, "/") for v in home_viewers], None,
             "300 friends, 50 communities each")]
    for word, note in WORDS:
        searchers = users(rng.sample(everyone, n))
        rows.append((f"search {word}", "random members",
                     [(v, "/search/?" + urlencode({"q": word})) for v in searchers], None,
                     f"every kind; {note}"))
        for kind, what in PAGED_KINDS:
            rows.append((f"search {word} {kind}", "random members",
                         [(v, "/search/?" + urlencode({"q": word, "kind": kind}))
                          for v in searchers], None, f"a page of {what}; {note}"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = page_arguments("Time home and search.")
    parser.add_argument("--only", help="only the rows whose name starts with this")
    args = parser.parse_args(argv)

    seed_graph.configure_django()
    seed_diary.ensure_seeded()
    seed_communities.ensure_seeded()
    marker = seed_communities.seeded(seed_graph.bench_database_url())
    rng = random.Random(RANDOM_SEED)
    client = client_setup()
    rows = cases(args.samples, rng)
    if args.only:
        rows = [row for row in rows if row[0].startswith(args.only)]
    print("  timing the pages …", file=sys.stderr)
    results = run_pages(client, rows)
    for result in results:
        result.target = HOME if result.what == "home" else SEARCH
    plans = []
    if not args.no_explain:
        print("  explaining the queries …", file=sys.stderr)
        plans = run_plans(client, rows, args.show_queries)
    return 0 if report(results, plans, marker, args.samples, title="Home and search") else 1


if __name__ == "__main__":
    sys.exit(main())
