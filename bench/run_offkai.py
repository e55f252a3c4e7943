"""The off-kai benchmark (a dev tool, not a test): ``make bench-offkai``.

Seeds the bench database once (the friend graph, diaries and communities, then the off-kai
of ``seed_offkai.py``: 20,000 events with their answers and comments), then times whole
pages through Django's test client, logged in, with DEBUG off:

* the event page ``/offkai/<id>/`` of the event with 300 answers and a waitlist (and 150
  comments), viewed by random members (all may see it);
* the upcoming list ``/offkai/`` of the members with the most friends (1,000 and more) and
  of the member of 200 communities;
* a community's events ``/communities/<id>/events/``: the community with the most coming
  events, viewed by its members;
* this month ``/offkai/month/<year>/<month>/`` of the members with the most friends;

and prints p50 / p95 / max beside the target of issue 8 (p95 ≤ 100 ms), then each page's
queries under EXPLAIN, as the other benchmarks do.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/run_offkai.py
        [--samples 200] [--reseed-offkai] [--no-explain] [--show-queries] [--only <row>]
"""

from __future__ import annotations

import random
import sys

import seed_communities
import seed_graph
import seed_offkai
from run import WARMUP, Target, page_arguments
from run_communities import report, run_plans
from run_diary import MANY_FRIENDS, client_setup, cycle, run_pages, users

RANDOM_SEED = 19
PAGE = Target(100)


def _rows(sql: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(sql: str, params=()) -> list[int]:
    return [row[0] for row in _rows(sql, params)]


def cases(marker: dict, communities: dict, samples: int, rng: random.Random) -> list[tuple]:
    """(what, who, [(viewer, url)], before, note) for each row."""
    from django.utils import timezone

    n = samples + WARMUP
    event = marker["showcase"]
    # Everyone active may see it (all members' level), but those in a block with the host.
    viewers = _ids(
        "SELECT u.id FROM accounts_user u, offkai_event e WHERE e.id = %s AND u.is_active "
        "AND NOT EXISTS (SELECT 1 FROM accounts_block b WHERE (b.blocker_id = u.id "
        "AND b.blocked_id = e.created_by_id) OR (b.blocked_id = u.id "
        "AND b.blocker_id = e.created_by_id)) ORDER BY u.id", [event])
    degrees = _rows(
        "SELECT f.user_id, count(*) FROM accounts_friendship f JOIN accounts_user u "
        "ON u.id = f.user_id WHERE u.is_active GROUP BY f.user_id "
        "ORDER BY count(*) DESC, f.user_id LIMIT 1000")
    hubs = [pk for pk, d in degrees if d >= MANY_FRIENDS] or [pk for pk, _ in degrees[:10]]
    busy = communities["busy_member"]
    (community,) = _ids(
        "SELECT community_id FROM offkai_event WHERE community_id IS NOT NULL "
        "AND ends_at >= now() GROUP BY community_id ORDER BY count(*) DESC, community_id "
        "LIMIT 1")
    coming = _ids("SELECT count(*) FROM offkai_event WHERE community_id = %s "
                  "AND ends_at >= now()", [community])[0]
    in_community = _ids(
        "SELECT m.user_id FROM communities_membership m JOIN accounts_user u "
        "ON u.id = m.user_id WHERE m.community_id = %s AND u.is_active ORDER BY m.user_id",
        [community])
    answers = _ids("SELECT count(*) FROM offkai_rsvp WHERE event_id = %s", [event])[0]
    today = timezone.localdate()
    month = f"/offkai/month/{today.year}/{today.month}/"
    hub_viewers = users(cycle(hubs, n, rng))
    return [
        ("event page", f"{answers} answers",
         [(v, f"/offkai/{event}/") for v in users(rng.sample(viewers, n))], None,
         "with a waitlist and 150 comments; random members"),
        ("upcoming /offkai/", f"most friends ({len(hubs)})",
         [(v, "/offkai/") for v in hub_viewers], None,
         f"{degrees[len(hubs) - 1][1]:,} friends or more each"),
        ("upcoming /offkai/", "member of 200 comm.", [(v, "/offkai/") for v in users([busy] * n)],
         None, "the busiest member of communities"),
        ("community's events", f"{coming} coming",
         [(v, f"/communities/{community}/events/") for v in users(rng.sample(in_community, n))],
         None, "the community with the most coming off-kai; its members"),
        ("month", f"{today:%Y-%m}", [(v, month) for v in hub_viewers], None,
         "this month; the members with the most friends"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = page_arguments("Time the off-kai pages.")
    parser.add_argument("--reseed-offkai", action="store_true",
                        help="seed the off-kai again (the rest stays)")
    parser.add_argument("--only", help="only the rows whose name starts with this")
    args = parser.parse_args(argv)

    seed_graph.configure_django()
    seed_offkai.ensure_seeded(reseed_offkai=args.reseed_offkai)
    url = seed_graph.bench_database_url()
    marker, communities = seed_offkai.seeded(url), seed_communities.seeded(url)
    rng = random.Random(RANDOM_SEED)
    client = client_setup()
    rows = cases(marker, communities, args.samples, rng)
    if args.only:
        rows = [row for row in rows if row[0].startswith(args.only)]
    print("  timing the pages …", file=sys.stderr)
    results = run_pages(client, rows, PAGE)
    plans = []
    if not args.no_explain:
        print("  explaining the queries …", file=sys.stderr)
        plans = run_plans(client, rows, args.show_queries)
    title = (f"Off-kai benchmark ({marker['events']:,} off-kai, {marker['answers']:,} answers, "
             f"{marker['comments']:,} comments)")
    return 0 if report(results, plans, communities, args.samples, title=title) else 1


if __name__ == "__main__":
    sys.exit(main())
