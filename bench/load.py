"""The site under load (a dev tool, not a test): gunicorn as in production, wrk beside it.

Starts the site on the bench database with the production setup (``DEBUG=0``, gunicorn with
``deploy/gunicorn.conf.py``, cached templates, persistent database connections with health
checks, static files by WhiteNoise, the Redis cache), logs in a few hundred members of the
seed (sessions written as a login writes them) and drives it from wrk, a second process on
loopback, with a Lua script this module writes:

- the **floor**: ``/health/``, one indexed query and a tiny template, the fastest page the
  project can serve on this machine; and, for comparison only, the **member floor**: the
  lightest page a member opens (the site rules, ``/policy/``), which costs what every member
  page costs before its own content: the session, the member, the base template;
- each **page alone** (home, a friend's profile, friends' diaries, an entry, a community
  topic, an off-kai, a search, the inbox of a member with 1,000 conversations or more, a
  conversation of 500 messages or more opened by one of its members, and the writes: a
  comment, an RSVP) at 16 connections: requests per second as a share of the floor's, p50 /
  p95 / p99, errors;
- the **mixed load** of members at 16 and at 50 connections (each page's share of requests as
  ``MIX`` says; the inbox and the conversation are not in it, so that it stays the load
  earlier runs measured), with each page's server-side times and statuses from gunicorn's
  access log;
- the same mixed load spread over **two app servers** on two ports.

Before the rows every member's pages are looked at once, as members of a site in use have
(the kept parts are then there: the rows measure the steady state, not 300 first looks);
``--cold`` leaves that out.

Afterwards the peak resident memory of any worker (``VmHWM``) and each page's query count.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/load.py [--duration 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import fanout
import seed_graph
from load_figures import Run, log_pages, markdown, query_counts, to_run, unexpected, wrk
from load_requests import pick_requests, write_script
from load_servers import (
    cache_flush,
    check_pages,
    collect_static,
    look_once,
    server_env,
    servers_parts,
    start_server,
    start_worker,
)

RANDOM_SEED = 11
# Writers of the fan-out probe during the mixed load (bench/fanout.py).
FAN_OUT_SAMPLES = 20


def run(duration: int, members: int, out: Path | None, only: set[str] | None = None,
        cold: bool = False) -> dict:
    from django.db import connection

    rng = random.Random(RANDOM_SEED)
    print("  logging in members …", file=sys.stderr)
    requests = pick_requests(members, rng)
    counts = query_counts(requests)
    connection.close()
    print("  collecting static files …", file=sys.stderr)
    collect_static()
    cache_flush()
    work = Path(tempfile.mkdtemp(prefix="tsunagari-load-"))
    script = work / "mix.lua"
    write_script(requests, script)
    log = work / "access.log"
    log.touch()
    runs: list[Run] = []
    parts_found: dict = {}
    peak = 0.0
    servers = [start_server(log)]
    worker = start_worker()
    fan_out: dict = {}
    try:
        check_pages(servers[0], requests)
        looked = None
        if not cold:
            print("  every member's pages looked at once …", file=sys.stderr)
            looked = round(look_once(servers[0], requests), 1)
        print("  warming up …", file=sys.stderr)
        wrk(servers[0].url, script, 16, max(5, duration // 2), None)

        def measure(name: str, connections: int, kind: str | None, *, on=None):
            nonlocal peak
            on = on or servers[:1]
            print(f"  {name} at {connections} connections …", file=sys.stderr)
            start = log.stat().st_size
            per = max(1, connections // len(on))
            figures = _parallel([(s.url, script, per, duration, kind) for s in on])
            result = to_run(name, connections, figures)
            result.pages = log_pages(log, start)
            # A page that does not answer 200 (a write: 302) is an error, whatever wrk saw.
            result.errors = sum(f[k] for f in figures for k in ("connect", "read", "write",
                                                                  "timeout")) + unexpected(result)
            peak = max(peak, *(s.peak_memory_mb() for s in on))
            runs.append(result)
            return result

        def wanted(name: str) -> bool:
            return only is None or name in only

        floor = measure("floor", 16, "floor")
        for kind in requests:
            if wanted(kind):
                measure(kind, 16, kind)
        if wanted("mixed"):
            if not cold and only is None:
                # The rows of writes alone (a thousand comments and answers in 30 s) left
                # most pages stale: look again, so that the mixed load starts from a site in
                # use and measures what its own writes (one request in ten) do to it.
                print("  every member's pages looked at once again …", file=sys.stderr)
                look_once(servers[0], requests)
            with servers_parts() as parts:
                parts.stats_reset()
            # A friend's new entry until it is on home, beside the mixed load.
            probe = fanout.Probe(servers[0].url, fanout.pairs(FAN_OUT_SAMPLES, rng)).start()
            measure("mixed", 16, None)
            with servers_parts() as parts:
                parts_found = parts.stats()
            measure("mixed", 50, None)
            fan_out = probe.join()
            servers.append(start_server(log))
            measure("mixed, two servers", 16, None, on=servers)
            measure("mixed, two servers", 50, None, on=servers)
    finally:
        for server in servers:
            server.stop()
        worker.terminate()
        worker.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
        fanout.clean_up()
    for r in runs:
        r.share_of_floor = round(r.rps / floor.rps, 3) if floor.rps else None
    report = {
        "duration_s": duration, "members": sum(1 for _ in requests["home"]),
        "first_looks_s": looked,
        "workers": int(server_env(log).get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1),
        "peak_worker_memory_mb": round(peak, 1), "query_counts": counts,
        "runs": [{**asdict(r), "rps": round(r.rps, 1)} for r in runs],
        "parts_found_mixed_16": parts_found,
        "fan_out_mixed": fan_out,
    }
    if out:
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def _parallel(calls: list[tuple]) -> list[dict]:
    """Run several wrk processes at once (one per server) and wait for all."""
    if len(calls) == 1:
        return [wrk(*calls[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: wrk(*call), calls))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The site under load, against its floor.")
    parser.add_argument("--duration", type=int, default=15, help="seconds of each row")
    parser.add_argument("--members", type=int, default=300, help="members logged in")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--only", help="comma-separated rows beside the floor (member floor, home, …, mixed)"
    )
    parser.add_argument(
        "--cold", action="store_true",
        help="no first look at every member's pages before the rows (an empty cache)",
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    seed_graph.configure_django()
    import seed_all

    seed_all.ensure_seeded()
    # What a run that stopped half-way left (the probe's entries and friendships).
    fanout.clean_up()
    only = set(args.only.split(",")) if args.only else None
    report = run(args.duration, args.members, args.json, only, cold=args.cold)
    print()
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
