"""The diary benchmark (a dev tool, not a test): ``make bench-diary``.

Seeds the bench database once (the friend graph of ``seed_graph.py``, then the diaries of
``seed_diary.py``: 2,000,000 entries, 5,000,000 comments), then times

* ``diary.selectors.friends_entries(viewer)``, its first page of 20, for members with about 300
  friends, for random members and for the members with the most friends (thousands);
* the whole pages through Django's test client, logged in, with DEBUG off: the friends'
  diaries ``/diary/`` of a member with about 300 friends, a member's diary
  ``/members/<id>/diary/`` (the most prolific writer) and an entry with 200+ comments
  ``/diary/<id>/``;

and prints p50 / p95 / max beside the targets of issue 4. Each page's queries (and the
feed's) are captured once and run again under EXPLAIN (ANALYZE, FORMAT JSON); any
sequential scan of a large table is printed.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/run_diary.py [--samples 200]
        [--reseed-diary] [--check]

``--check`` only tells whether the diary code is there (``diary.selectors`` imports and the three
pages answer 200) and exits 0 if so, 1 if not.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from itertools import islice

import seed_diary
import seed_graph
from run import SAMPLES, WARMUP, Result, Target, page_arguments, record

RANDOM_SEED = 11
PAGE_SIZE = 20
FEED = Target(20)
PAGE = Target(100)
# A table this large read whole is a finding (the small ones are read whole by design).
LARGE_TABLE_ROWS = 10_000
# Members "with about 300 friends".
AROUND_300 = (270, 330)
# "The members with the most friends": all with at least this many.
MANY_FRIENDS = 1_000
# Seconds a row may take: a read far over its target stops sampling early (its n says so).
ROW_BUDGET = 90.0


# --- who and what --------------------------------------------------------------------------


def pick(rng: random.Random, samples: int = SAMPLES) -> dict:
    """The viewers, authors and entries the rows use."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.user_id, count(*) FROM accounts_friendship f "
            "JOIN accounts_user u ON u.id = f.user_id WHERE u.is_active "
            "GROUP BY f.user_id ORDER BY count(*) DESC, f.user_id"
        )
        degrees = cursor.fetchall()
        cursor.execute("SELECT id FROM accounts_user WHERE is_active ORDER BY id")
        active = [pk for (pk,) in cursor.fetchall()]
        # The most prolific writer still here: the biggest diary.
        cursor.execute(
            "SELECT e.author_id, count(*) FROM diary_entry e "
            "JOIN accounts_user u ON u.id = e.author_id WHERE u.is_active "
            "GROUP BY e.author_id ORDER BY count(*) DESC LIMIT 1"
        )
        writer, writer_entries = cursor.fetchone()
        # Entries with 200 comments or more that friends of the author may see: the one
        # nearest 200 (the case) and the one with the most.
        cursor.execute(
            "SELECT c.entry_id, e.author_id, count(*) FROM diary_comment c "
            "JOIN diary_entry e ON e.id = c.entry_id "
            "JOIN accounts_user u ON u.id = e.author_id "
            "WHERE u.is_active AND e.visibility <> 'private' AND c.entry_id IN ("
            "  SELECT entry_id FROM diary_comment GROUP BY entry_id HAVING count(*) >= 200) "
            "GROUP BY c.entry_id, e.author_id ORDER BY count(*), c.entry_id"
        )
        rows = cursor.fetchall()
        if not rows:
            raise SystemExit("No entry with 200 comments: reseed with --reseed-diary.")
        hot = []
        for entry, author, comments in (rows[0], rows[-1]):
            cursor.execute(
                "SELECT f.friend_id FROM accounts_friendship f "
                "JOIN accounts_user u ON u.id = f.friend_id "
                "WHERE f.user_id = %s AND u.is_active ORDER BY f.friend_id",
                [author],
            )
            friends = [pk for (pk,) in cursor.fetchall()]
            if not friends:
                raise SystemExit(f"The author of entry {entry} has no friends: reseed.")
            hot.append((entry, comments, [rng.choice(friends) for _ in range(samples + WARMUP)]))
        cursor.execute(
            "SELECT f.friend_id FROM accounts_friendship f "
            "JOIN accounts_user u ON u.id = f.friend_id "
            "WHERE f.user_id = %s AND u.is_active ORDER BY f.friend_id",
            [writer],
        )
        writer_friends = [pk for (pk,) in cursor.fetchall()]
    degree = dict(degrees)
    low, high = AROUND_300
    around = [pk for pk, n in degrees if low <= n <= high]
    most = [pk for pk, n in degrees if n >= MANY_FRIENDS] or [pk for pk, _ in degrees[:10]]
    if not around:
        raise SystemExit("The graph has no member with ~300 friends: reseed with --reseed.")
    return {
        "degree": degree,
        "around": around,
        "random": rng.sample(active, samples + WARMUP),
        "most": most,
        "writer": writer,
        "writer_entries": writer_entries,
        "writer_viewers": [
            rng.choice(writer_friends) if n % 2 and writer_friends else rng.choice(active)
            for n in range(samples + WARMUP)
        ],
        "hot": hot,  # [(entry id, comments, viewers)]: nearest 200 comments, most comments
    }


def users(ids):
    from accounts.models import User

    found = User.objects.select_related("profile").in_bulk(set(ids))
    return [found[pk] for pk in ids]


def timed(calls, budget: float = ROW_BUDGET) -> tuple[list[float], list]:
    """Wall time of each call in ms (after a few untimed warm-up calls), and the results;
    stops early once ``budget`` seconds are spent (a read that slow misses anyway)."""
    for call in calls[:WARMUP]:
        call()
    times, results = [], []
    until = time.monotonic() + budget
    for call in calls:
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
        results.append(result)
        if time.monotonic() > until:
            break
    return times, results


def cycle(items: list, n: int, rng: random.Random) -> list:
    """``n`` picks from ``items``: each once in a shuffled order, then again."""
    order = list(items)
    rng.shuffle(order)
    return [order[k % len(order)] for k in range(n)]


# --- the feed ------------------------------------------------------------------------------


def first_page(result) -> list:
    """The first page of 20 out of whatever ``friends_entries`` returns: a QuerySet, a list,
    a page object (``object_list`` / ``entries``) or a tuple (entries, next cursor)."""
    from django.db.models import QuerySet

    if isinstance(result, QuerySet):
        return list(result[:PAGE_SIZE])
    if isinstance(result, tuple):
        return first_page(result[0])
    for name in ("object_list", "entries", "items"):
        inner = getattr(result, name, None)
        if inner is not None and not callable(inner):
            return first_page(inner)
    return list(islice(result, PAGE_SIZE))


def feed_call(viewer):
    from diary import selectors

    return first_page(selectors.friends_page(viewer, None))


def plain_call(viewer):
    """The plain query the issue warns about, for comparison (not the site's)."""
    from accounts.models import Friendship
    from diary.models import Entry

    friends = Friendship.objects.filter(user=viewer).values("friend")
    return list(
        Entry.objects.visible_to(viewer).filter(author__in=friends).for_list()
        .order_by("-created_at", "-id")[:PAGE_SIZE]
    )


def run_feed(chosen: dict, samples: int, rng: random.Random, baseline: bool) -> list[Result]:
    degree = chosen["degree"]
    groups = {
        f"~300 friends ({len(chosen['around'])})": cycle(chosen["around"], samples, rng),
        "random members": chosen["random"][:samples],
        f"≥ {MANY_FRIENDS:,} friends ({len(chosen['most'])})": cycle(chosen["most"], samples, rng),
    }
    results = []
    for who, ids in groups.items():
        viewers = users(ids)
        times, pages = timed([lambda v=v: feed_call(v) for v in viewers])
        full = sum(len(p) == PAGE_SIZE for p in pages)
        friends = sorted(degree.get(pk, 0) for pk in ids)
        results.append(Result(
            "friends_entries (first 20)", who, times, FEED,
            f"{full}/{len(pages)} full pages; friends median {friends[len(friends) // 2]:,}, "
            f"max {friends[-1]:,}",
        ))
    if baseline:
        # Fewer samples: each takes long.
        for who, ids in list(groups.items())[::2]:
            viewers = users(ids[: max(WARMUP + 1, samples // 10)])
            times, _ = timed([lambda v=v: plain_call(v) for v in viewers])
            results.append(Result("plain query (comparison)", who, times, None,
                                  "friends' entries, visible_to, newest first; not the site's"))
    return results


# --- the pages -----------------------------------------------------------------------------


def client_setup():
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    # As in production: static files from collectstatic's manifest (var/bench/static), DEBUG
    # off, https only; plus the test client's host name.
    call_command("collectstatic", "--noinput", verbosity=0)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return Client()


def page_cases(chosen: dict, samples: int, rng: random.Random) -> list[tuple]:
    """(what, who, [(viewer, url)], note) for each page row."""
    n = samples + WARMUP
    around = users(cycle(chosen["around"], n, rng))
    writers = users(chosen["writer_viewers"][:n])
    (entry, comments, viewers), (top_entry, top_comments, top_viewers) = chosen["hot"]
    return [
        ("friends' diaries /diary/", "~300 friends", [(v, "/diary/") for v in around],
         f"members with {AROUND_300[0]}-{AROUND_300[1]} friends"),
        ("a member's diary", f"{chosen['writer_entries']:,} entries",
         [(v, f"/members/{chosen['writer']}/diary/") for v in writers],
         "the most prolific writer; viewers half friends, half members"),
        ("entry page /diary/<id>/", f"{comments} comments",
         [(v, f"/diary/{entry}/") for v in users(viewers[:n])],
         "the entry nearest 200 comments; viewed by the author's friends"),
        ("entry page /diary/<id>/", f"{top_comments} comments",
         [(v, f"/diary/{top_entry}/") for v in users(top_viewers[:n])],
         "the entry with the most comments; viewed by the author's friends"),
    ]


def run_pages(client, cases, target: Target = PAGE) -> list[Result]:
    """Each case's pages through the test client, logged in as each visit's member: a case is
    (what, who, [(viewer, url)], note), or (what, who, visits, before, note) with ``before``
    run (untimed) ahead of each request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for what, who, visits, *before, note in cases:
        prepare = before[0] if before else None
        times = []
        size = queries = 0
        until = time.monotonic() + ROW_BUDGET
        for n, (viewer, url) in enumerate(visits):
            if prepare:
                prepare()
            client.force_login(viewer)
            if n == WARMUP - 1:  # the last warm-up request: its queries are counted
                with CaptureQueriesContext(connection) as captured:
                    client.get(url, secure=True)
                queries = len(captured)
            start = time.perf_counter()
            response = client.get(url, secure=True)
            size = len(response.content)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"GET {url} as member {viewer.pk} answered "
                                 f"{response.status_code}")
            if n >= WARMUP:
                times.append(elapsed)
                if time.monotonic() > until:
                    break
        results.append(Result(what, who, times, target, f"{queries} queries, {size:,} bytes; "
                              f"{note}", queries))
    return results


# --- the plans -----------------------------------------------------------------------------


def large_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace AND reltuples >= %s",
            [LARGE_TABLE_ROWS],
        )
        return {name for (name,) in cursor.fetchall()}


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def explain(label: str, queries: list[dict], large: set[str]) -> list[str]:
    """Run each captured SELECT again under EXPLAIN ANALYZE; lines about what was found."""
    from django.db import connection

    lines = []
    slowest = (0.0, "")
    selects = 0
    for n, query in enumerate(queries, start=1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        selects += 1
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        top = plan[0]
        ms = top.get("Execution Time", 0.0)
        if ms > slowest[0]:
            slowest = (ms, f"#{n}")
        for node in _nodes(top["Plan"]):
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in large:
                lines.append(
                    f"    SEQ SCAN {node['Relation Name']} in query #{n} "
                    f"({node.get('Actual Rows', '?')} rows kept, "
                    f"{node.get('Rows Removed by Filter', 0)} removed, "
                    f"{node.get('Actual Total Time', 0):.1f} ms): {sql[:300]}"
                )
    head = (f"  {label}: {len(queries)} queries ({selects} SELECT explained), "
            f"slowest {slowest[1]} {slowest[0]:.1f} ms, "
            f"{'no' if not lines else len(lines)} sequential scan(s) of large tables")
    return [head, *lines]


def run_plans(client, chosen: dict, cases, show_queries: bool) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    large = large_tables()
    out = []
    hubs = users(chosen["most"][:1])
    around = users(chosen["around"][:1])
    for label, viewer in (("friends_entries, ~300 friends", around[0]),
                          ("friends_entries, most friends", hubs[0])):
        with CaptureQueriesContext(connection) as captured:
            feed_call(viewer)
        out += explain(label, captured.captured_queries, large)
        if show_queries:
            out += [f"      {q['sql']}" for q in captured.captured_queries]
    hub_case = (f"/diary/ of the member with the most friends ({chosen['degree'][hubs[0].pk]:,})",
                [(hubs[0], "/diary/")])
    for label, visits in [(what, visits) for what, _, visits, _ in cases] + [hub_case]:
        viewer, url = visits[0]
        client.force_login(viewer)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        out += explain(f"{label} ({url})", captured.captured_queries, large)
        if show_queries:
            out += [f"      {q['sql']}" for q in captured.captured_queries]
    return out


# --- the report ----------------------------------------------------------------------------


def report(results: list[Result], plans: list[str], samples: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT members, friendships FROM bench_seed")
        members, friendships = cursor.fetchone()
        cursor.execute("SELECT entries, comments, photos FROM bench_diary_seed")
        entries, comments, photos = cursor.fetchone()
    print()
    print(f"Diary benchmark: {members:,} members, {friendships:,} friendships, "
          f"{entries:,} entries, {comments:,} comments, {photos:,} photos")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores (load average {load}), Python {platform.python_version()}, "
          f"PostgreSQL {version.split()[0]}; {samples} samples each (after {WARMUP} warm-up) "
          f"unless n says fewer (a row stops after {ROW_BUDGET:g} s), times in ms")
    print()
    header = (f"{'':29} {'who':<22} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}  "
              f"{'target':<10} {'':4}  notes")
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.what:<29} {r.who:<22} {len(r.times_ms):>4} {r.percentile(0.5):8.2f} "
            f"{r.percentile(0.95):8.2f} {max(r.times_ms):8.2f}  "
            f"{r.target.describe() if r.target else 'comparison':<10} "
            f"{('met' if r.met else 'MISS') if r.target else '—':4}  {r.note}"
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
    record("Diary", results)
    return ok


# --- readiness -----------------------------------------------------------------------------


def check() -> int:
    """0 when the diary code is there: diary.selectors imports, the three pages answer 200."""
    from django.db import connection

    try:
        from diary import selectors

        selectors.friends_entries  # noqa: B018
    except (ImportError, AttributeError) as error:
        print(f"not ready: {error}")
        return 1
    client = client_setup()
    chosen = pick(random.Random(RANDOM_SEED))
    viewer = users(chosen["around"][:1])[0]
    writer_viewer = users(chosen["writer_viewers"][:1])[0]
    hot_entry, _, hot_viewers = chosen["hot"][0]
    hot_viewer = users(hot_viewers[:1])[0]
    ok = True
    for who, url in ((viewer, "/diary/"), (writer_viewer, f"/members/{chosen['writer']}/diary/"),
                     (hot_viewer, f"/diary/{hot_entry}/")):
        client.force_login(who)
        try:
            status = client.get(url, secure=True).status_code
        except Exception as error:  # a view half-written: not ready yet
            status = f"{type(error).__name__}: {error}"
            connection.close()
        print(f"GET {url}: {status}")
        ok = ok and status == 200
    try:
        first_page(selectors.friends_page(viewer, None))
    except Exception as error:
        print(f"friends_entries: {type(error).__name__}: {error}")
        ok = False
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = page_arguments("Time the diary feed and pages.",
                            samples_help="calls/requests per row")
    parser.add_argument("--reseed-diary", action="store_true",
                        help="seed the diaries again (the friend graph stays)")
    parser.add_argument("--reseed", action="store_true", help="drop and seed everything again")
    parser.add_argument("--no-baseline", action="store_true",
                        help="leave out the plain query timed for comparison")
    parser.add_argument("--check", action="store_true",
                        help="only tell whether the diary feed and pages are there")
    args = parser.parse_args(argv)

    seed_graph.configure_django()
    seed_diary.ensure_seeded(reseed=args.reseed, reseed_diary=args.reseed_diary)
    if args.check:
        return check()
    rng = random.Random(RANDOM_SEED)
    chosen = pick(rng, args.samples)
    print("  timing friends_entries …", file=sys.stderr)
    results = run_feed(chosen, args.samples, rng, baseline=not args.no_baseline)
    print("  timing the pages …", file=sys.stderr)
    client = client_setup()
    cases = page_cases(chosen, args.samples, rng)
    results += run_pages(client, cases)
    plans = []
    if not args.no_explain:
        print("  explaining the queries …", file=sys.stderr)
        plans = run_plans(client, chosen, cases, args.show_queries)
    report(results, plans, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
