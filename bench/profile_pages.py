"""Where a page's time goes (a dev tool, not a test): each page of the load test, opened by
logged-in members of the seed through Django's test client with the production setup of
``bench/load.py`` (DEBUG off, cached templates, the Redis parts cache), split into time in
PostgreSQL and time in Python; ``--profile KIND`` prints the functions that cost most.

    make bench-profile [PROFILE_ARGS="--samples 60 --profile home"]

``--cold`` empties the parts cache (Redis) before each measured request: a page's cost when
nothing of it is kept (issue 16: a cold home under 30 ms).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

import load
import load_requests
import load_servers
import seed_graph


def _setup() -> None:
    # load_servers.server_env is what gunicorn gets in the load test; this process takes the same.
    for name, value in load_servers.server_env(Path(os.devnull)).items():
        if name.startswith("GUNICORN_"):
            continue
        os.environ[name] = value
    seed_graph.configure_django()


def measure(kind: str, requests: list, samples: int, profile: bool, cold: bool = False) -> dict:
    from django.db import connection
    from django.test import Client

    from sns import cache

    waited = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited.append(time.perf_counter() - start)

    client = Client()
    totals, in_db, queries = [], [], []
    profiler = cProfile.Profile() if profile else None
    # One pass over every member first: their cached parts are made, as in a longer run.
    warm = len(requests)
    for i in range(samples + warm):
        request = requests[i % len(requests)]
        client.cookies.clear()
        client.cookies.load(request.cookie.split("|")[0])
        waited.clear()
        if cold and i >= warm:
            cache.forget_all()
        start = time.perf_counter()
        with connection.execute_wrapper(timed):
            if profiler and i >= warm:
                profiler.enable()
            if request.method == "POST":
                # A write of the load test (a comment, an answer): its request alone, the
                # tasks it leaves queued for the workers.
                response = client.post(request.path, urllib.parse.parse_qs(request.body),
                                       secure=True)
            else:
                response = client.get(request.path, secure=True)
            if profiler:
                profiler.disable()
        elapsed = time.perf_counter() - start
        expected = 302 if request.method == "POST" else 200
        assert response.status_code == expected, (request.path, response.status_code)
        if i >= warm:
            totals.append(elapsed * 1000)
            in_db.append(sum(waited) * 1000)
            queries.append(len(waited))
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", ""), 45)
        stats.sort_stats("tottime").print_stats(25)
    total, db = statistics.median(totals), statistics.median(in_db)
    return {"kind": kind, "total_ms": total, "db_ms": db, "python_ms": total - db,
            "queries": statistics.median(queries)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Where each page's time goes.")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--profile", help="print cProfile figures of this kind (home, …)")
    parser.add_argument("--only", help="comma-separated kinds to measure")
    parser.add_argument("--cold", action="store_true",
                        help="empty the parts cache before each measured request")
    args = parser.parse_args(argv)
    _setup()
    import seed_all

    seed_all.ensure_seeded()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load_servers.collect_static()
    requests = load_requests.pick_requests(args.members, random.Random(load.RANDOM_SEED))
    # The floor as load.py serves it: no member, no session.
    requests = {"floor": [load_requests.Request("floor", "GET", "/health/", "|")], **requests}
    # The writes only when asked for (each measured request writes a row).
    kinds = [k for k in requests if k not in load_requests.WRITES]
    if args.only:
        kinds = [k for k in requests if k in args.only.split(",")]
    print(f"{'page':<12} {'median ms':>10} {'in db':>8} {'python':>8} {'queries':>8}")
    for kind in kinds:
        row = measure(kind, requests[kind], args.samples, profile=kind == args.profile,
                      cold=args.cold)
        print(f"{kind:<12} {row['total_ms']:>10.1f} {row['db_ms']:>8.1f} "
              f"{row['python_ms']:>8.1f} {row['queries']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
