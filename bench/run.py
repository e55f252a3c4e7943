"""The friend-graph benchmark (a dev tool, not a test): ``make bench``.

Seeds the bench database once (see ``seed_graph.py``), then times the graph reads of
``accounts.selectors.graph`` (and the ranking of ``accounts.services.suggestions``) over random
pairs and members, typical and best-connected, and the whole profile page of a member with
thousands of friends through Django's test client, and prints p50 / p95 / max beside the
targets of issue 3.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/run.py [--samples 200] [--reseed]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import seed_graph

SAMPLES = 200
WARMUP = 10
RANDOM_SEED = 7


@dataclass
class Target:
    p95_ms: float
    max_ms: float | None = None

    def describe(self) -> str:
        text = f"p95 ≤ {self.p95_ms:g}"
        return text + (f", max ≤ {self.max_ms:g}" if self.max_ms is not None else "")

    def met(self, p95: float, worst: float) -> bool:
        return p95 <= self.p95_ms and (self.max_ms is None or worst <= self.max_ms)


PATH = Target(15, 60)
MUTUAL = Target(5)
SUGGESTIONS = Target(20)
PROFILE = Target(100)


@dataclass
class Result:
    what: str
    who: str
    times_ms: list[float]
    target: Target | None  # None: work done in the background, reported for information
    note: str = ""
    queries: int | None = None  # of one request, for the pages

    def percentile(self, q: float) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    @property
    def met(self) -> bool:
        if self.target is None:
            return True
        return self.target.met(self.percentile(0.95), max(self.times_ms))


def page_arguments(description: str, *, samples_help: str = "requests per row"
                   ) -> argparse.ArgumentParser:
    """The options every page benchmark takes (rows' samples, query plans, the captured
    queries); each adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--samples", type=int, default=SAMPLES, help=samples_help)
    parser.add_argument("--no-explain", action="store_true", help="leave out the query plans")
    parser.add_argument("--show-queries", action="store_true",
                        help="print every captured query under its page")
    return parser


def record(title: str, results: list[Result]) -> None:
    """Add a benchmark's rows to the JSON lines file that ``BENCH_RESULTS`` names, from
    which ``bench/run_all.py`` writes the one report of ``make bench``."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    rows = [{
        "what": r.what, "who": r.who, "n": len(r.times_ms),
        "p50_ms": round(r.percentile(0.5), 2), "p95_ms": round(r.percentile(0.95), 2),
        "max_ms": round(max(r.times_ms), 2), "queries": r.queries,
        "target": r.target.describe() if r.target else None,
        "met": r.met if r.target else None, "note": r.note,
    } for r in results]
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"title": title, "rows": rows}, ensure_ascii=False) + "\n")


def timed(calls: list[Callable[[], object]]) -> tuple[list[float], list[object]]:
    """Wall time of each call in ms (after a few untimed warm-up calls), and the results."""
    for call in calls[:WARMUP]:
        call()
    times, results = [], []
    for call in calls:
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
        results.append(result)
    return times, results


def sample_members(rng: random.Random, samples: int):
    """Random active members, and the best-connected 1% (by friend count)."""
    from django.db import connection

    from accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.user_id, count(*) FROM accounts_friendship f "
            "JOIN accounts_user u ON u.id = f.user_id WHERE u.is_active "
            "GROUP BY f.user_id ORDER BY count(*) DESC, f.user_id"
        )
        degrees = cursor.fetchall()
        cursor.execute("SELECT id FROM accounts_user WHERE is_active ORDER BY id")
        active = [pk for (pk,) in cursor.fetchall()]
    top = [pk for pk, _ in degrees[: max(1, len(active) // 100)]]
    degree = dict(degrees)
    typical_ids = rng.sample(active, min(len(active), 2 * samples))
    hub_ids = [rng.choice(top) for _ in range(2 * samples)]
    users = User.objects.select_related("profile").in_bulk(set(typical_ids) | set(hub_ids))
    return (
        [users[pk] for pk in typical_ids],
        [users[pk] for pk in hub_ids],
        degree,
        top,
    )


def left_out_ids(viewer) -> set[int]:
    """Members the suggestions page leaves out beyond friends: blocked either way, or with a
    request pending either way."""
    from django.db.models import Q

    from accounts.models import FriendRequest
    from sns.visibility import ids_in_block_with

    ids = ids_in_block_with(viewer)
    pending = FriendRequest.objects.filter(Q(from_user=viewer) | Q(to_user=viewer))
    for from_id, to_id in pending.values_list("from_user_id", "to_user_id"):
        ids.add(to_id if from_id == viewer.pk else from_id)
    return ids


def run_graph(samples: int, rng: random.Random) -> tuple[list[Result], dict]:
    from accounts import services
    from accounts.selectors import graph

    typical, hubs, degree, top = sample_members(rng, samples)
    context = {
        "members": len(degree),
        "top_from": degree[top[-1]],
        "max_degree": degree[top[0]],
    }
    results = []

    def pairs(left, right):
        out = []
        while len(out) < samples:
            a, b = rng.choice(left), rng.choice(right)
            if a.pk != b.pk:
                out.append((a, b))
        return out

    groups = {
        "members": pairs(typical, typical),
        "top 1%": pairs(hubs, hubs),
        "top 1% ↔ member": pairs(hubs, typical),
    }

    for who, group in groups.items():
        times, found = timed([lambda a=a, b=b: list(graph.mutual_friends(a, b)) for a, b in group])
        sizes = sorted(len(f) for f in found)
        results.append(Result("mutual friends (whole list)", who, times, MUTUAL,
                              f"median {sizes[len(sizes) // 2]}, max {sizes[-1]} in common"))

    for who, members in (("members", typical), ("top 1%", hubs)):
        viewers = members[:samples]
        # The ranking is done ahead by a task (accounts.tasks.refresh_suggestions); timed
        # here for information, then the page's read of it against the target.
        times, kept = timed([lambda v=v: services.suggestions_refresh(member=v) for v in viewers])
        results.append(Result("suggestions: ranking (task)", who, times, None,
                              f"median {sorted(kept)[len(kept) // 2]} kept"))
        # As the suggestions page asks: leaving out blocks either way and pending requests
        # (looked up beforehand, not timed).
        left_out = {v.pk: left_out_ids(v) for v in viewers}
        times, found = timed([
            lambda v=v, out=left_out[v.pk]: list(graph.people_you_may_know(v, exclude_ids=out)[:20])
            for v in viewers
        ])
        full = sum(len(f) == 20 for f in found)
        excluded = sum(map(len, left_out.values()))
        results.append(Result("people you may know (20)", who, times, SUGGESTIONS,
                              f"{full}/{len(found)} full pages, {excluded} left out"))

    for who, group in groups.items():
        times, found = timed([lambda a=a, b=b: graph.connection_path(a, b) for a, b in group])
        hops = Counter("none" if p is None else f"{len(p) - 1} hops" for p in found)
        results.append(Result("connection path (≤ 3 hops)", who, times, PATH,
                              ", ".join(f"{k}: {v}" for k, v in sorted(hops.items()))))
    return results, context


def run_profile(samples: int, rng: random.Random) -> Result:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    with connection.cursor() as cursor:
        # The best-connected member with at least 2,000 friends.
        cursor.execute(
            "SELECT f.user_id, count(*) FROM accounts_friendship f "
            "JOIN accounts_user u ON u.id = f.user_id WHERE u.is_active "
            "GROUP BY f.user_id HAVING count(*) >= 2000 ORDER BY count(*) DESC LIMIT 1"
        )
        row = cursor.fetchone()
        if row is None:
            raise SystemExit("No member with 2,000 friends: reseed with --reseed.")
        hub_id, friends = row
        cursor.execute(
            "SELECT id FROM accounts_user WHERE is_active AND id <> %s", [hub_id]
        )
        viewers = rng.sample([pk for (pk,) in cursor.fetchall()], samples + WARMUP)
    # As in production: static files from collectstatic's manifest, DEBUG off, https only;
    # plus the test client's host name.
    call_command("collectstatic", "--noinput", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    url = f"/members/{hub_id}/"
    times = []
    viewer_users = User.objects.in_bulk(viewers)
    for n, viewer in enumerate(viewers):
        client.force_login(viewer_users[viewer])
        start = time.perf_counter()
        response = client.get(url, secure=True)
        body = response.content
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if n >= WARMUP:
            times.append(elapsed)
    return Result("profile page (whole)", f"{friends:,} friends", times, PROFILE,
                  f"{len(body):,} bytes, viewed by random members")


def report(results: list[Result], context: dict, samples: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT members, friendships FROM bench_seed")
        members, friendships = cursor.fetchone()
    print()
    print(f"Friend graph benchmark: {members:,} members, {friendships:,} friendships "
          f"({2 * friendships:,} rows); top 1% have ≥ {context['top_from']:,} friends, "
          f"the most {context['max_degree']:,}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores (load average {load}), Python {platform.python_version()}, "
          f"PostgreSQL {version.split()[0]}; {samples} samples each (after {WARMUP} warm-up), "
          "times in ms")
    print()
    header = (f"{'':29} {'who':<16} {'p50':>7} {'p95':>7} {'max':>7}  "
              f"{'target':<20} {'':4}  notes")
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.what:<29} {r.who:<16} {r.percentile(0.5):7.2f} {r.percentile(0.95):7.2f} "
            f"{max(r.times_ms):7.2f}  {r.target.describe() if r.target else 'background task':<20} "
            f"{('met' if r.met else 'MISS') if r.target else '—':4}"
            f"  {r.note}"
        )
    ok = all(r.met for r in results)
    print()
    print("All targets met." if ok else "Some targets were missed.")
    record("Friend graph", results)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the friend-graph reads.")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="pairs/members per row")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the database again")
    parser.add_argument("--skip-profile", action="store_true", help="leave out the profile page")
    args = parser.parse_args(argv)

    seed_graph.configure_django()
    seed_graph.ensure_seeded(reseed=args.reseed)
    rng = random.Random(RANDOM_SEED)
    print("  timing the graph reads …", file=sys.stderr)
    results, context = run_graph(args.samples, rng)
    if not args.skip_profile:
        print("  timing the profile page …", file=sys.stderr)
        results.append(run_profile(args.samples, rng))
    report(results, context, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
