"""The communities benchmark (a dev tool, not a test): ``make bench-communities``.

Seeds the bench database once (the friend graph of ``seed_graph.py``, then the communities
of ``seed_communities.py``: 10,000 communities, the largest with 20,000 members and 5,000
topics), then times the whole pages through Django's test client, logged in, with DEBUG
off:

* the largest community's page ``/communities/<id>/`` and its topic list
  ``/communities/<id>/topics/``, viewed by random members of it;
* its topic with 500 comments ``/communities/<id>/topics/<topic>/``, viewed by members;
* "new in my communities" ``/communities/new-topics/`` for the member of 200 communities
  (their last look put back three days before each request, so every request is a first
  look with new comments in 150 communities);

and prints p50 / p95 / max beside the target of issue 5 (p95 ≤ 100 ms). Each page's
queries are captured once and run again under EXPLAIN (ANALYZE, FORMAT JSON); any
sequential scan of a large table is printed.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/run_communities.py
        [--samples 200] [--reseed-communities] [--show-queries]
"""

from __future__ import annotations

import os
import platform
import random
import sys
from datetime import timedelta

import seed_communities
import seed_graph
from run import WARMUP, Result, Target, page_arguments, record
from run_diary import (
    LARGE_TABLE_ROWS,
    ROW_BUDGET,
    client_setup,
    explain,
    large_tables,
    run_pages,
    users,
)

RANDOM_SEED = 13
PAGE = Target(100)


def reset_last_look(user_id: int) -> None:
    """Put the member's last look at new topics back three days (untimed)."""
    from django.utils import timezone

    from communities.models import CommunityPreference

    CommunityPreference.objects.update_or_create(
        user_id=user_id, defaults={"topics_seen_at": timezone.now() - timedelta(days=3)}
    )


def cases(marker: dict, samples: int, rng: random.Random) -> list[tuple]:
    """(what, who, [(viewer, url)], before each request, note) for each row."""
    from django.db import connection

    largest, topic, busy = marker["largest"], marker["hot_topic"], marker["busy_member"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.user_id FROM communities_membership m "
            "JOIN accounts_user u ON u.id = m.user_id "
            "WHERE m.community_id = %s AND u.is_active ORDER BY m.user_id", [largest])
        people = [pk for (pk,) in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM communities_topic WHERE community_id = %s",
                       [largest])
        topics = cursor.fetchone()[0]
        cursor.execute("SELECT comment_count FROM communities_topic WHERE id = %s", [topic])
        comments = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM communities_membership WHERE user_id = %s", [busy])
        belongs = cursor.fetchone()[0]
    n = samples + WARMUP
    viewers = users(rng.sample(people, n))
    more = users(rng.sample(people, n))
    (member,) = users([busy])
    base = f"/communities/{largest}/"
    return [
        ("community page", f"{len(people):,} members", [(v, base) for v in viewers], None,
         "the largest community; viewed by its members"),
        ("topic list", f"{topics:,} topics", [(v, base + "topics/") for v in more], None,
         "its first page; viewed by its members"),
        ("topic page", f"{comments} comments",
         [(v, f"{base}topics/{topic}/") for v in viewers], None,
         "viewed by members of the community"),
        ("new in my communities", f"member of {belongs}",
         [(member, "/communities/new-topics/")] * n, lambda: reset_last_look(busy),
         "first look, last one 3 days ago"),
    ]


def run_plans(client, rows, show_queries: bool) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    large = large_tables()
    out = []
    for what, _, visits, before, _ in rows:
        viewer, url = visits[0]
        if before:
            before()
        client.force_login(viewer)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        out += explain(f"{what} ({url})", captured.captured_queries, large)
        if show_queries:
            out += [f"      {q['sql']}" for q in captured.captured_queries]
    return out


def report(results: list[Result], plans: list[str], marker: dict, samples: int,
           title: str = "Communities benchmark") -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT members, friendships FROM bench_seed")
        members, friendships = cursor.fetchone()
    print()
    cursor = connection.cursor()
    cursor.execute("SELECT to_regclass('bench_diary_seed') IS NOT NULL")
    entries = ""
    if cursor.fetchone()[0]:
        cursor.execute("SELECT count(*) FROM diary_entry")
        entries = f"{cursor.fetchone()[0]:,} entries, "
    print(f"{title}: {members:,} members, {friendships:,} friendships, {entries}"
          f"{marker['communities']:,} communities, {marker['memberships']:,} memberships, "
          f"{marker['topics']:,} topics, {marker['comments']:,} comments")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores (load average {load}), Python {platform.python_version()}, "
          f"PostgreSQL {version.split()[0]}; {samples} samples each (after {WARMUP} warm-up) "
          f"unless n says fewer (a row stops after {ROW_BUDGET:g} s), times in ms")
    print()
    header = (f"{'':24} {'who':<20} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}  "
              f"{'target':<10} {'':4}  notes")
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.what:<24} {r.who:<20} {len(r.times_ms):>4} {r.percentile(0.5):8.2f} "
            f"{r.percentile(0.95):8.2f} {max(r.times_ms):8.2f}  "
            f"{r.target.describe():<10} {'met' if r.met else 'MISS':4}  {r.note}"
        )
    if plans:
        print()
        print("Query plans (each query once under EXPLAIN ANALYZE; large tables: "
              f"≥ {LARGE_TABLE_ROWS:,} rows):")
        for line in plans:
            print(line)
    ok = all(r.met for r in results)
    print()
    print("All targets met." if ok else "Some targets were missed.")
    record(title, results)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = page_arguments("Time the community pages.")
    parser.add_argument("--reseed-communities", action="store_true",
                        help="seed the communities again (the friend graph stays)")
    parser.add_argument("--reseed", action="store_true", help="drop and seed everything again")
    args = parser.parse_args(argv)

    seed_graph.configure_django()
    seed_communities.ensure_seeded(reseed=args.reseed,
                                   reseed_communities=args.reseed_communities)
    marker = seed_communities.seeded(seed_graph.bench_database_url())
    rng = random.Random(RANDOM_SEED)
    client = client_setup()
    rows = cases(marker, args.samples, rng)
    print("  timing the pages …", file=sys.stderr)
    results = run_pages(client, rows, PAGE)
    plans = []
    if not args.no_explain:
        print("  explaining the queries …", file=sys.stderr)
        plans = run_plans(client, rows, args.show_queries)
    report(results, plans, marker, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
