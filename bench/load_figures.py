"""The figures of the load test (``bench/load.py``): wrk's summary, each page's times and
statuses from gunicorn's access log, query counts, and the report's tables with the targets."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import fanout
from load_requests import MEMBER_FLOOR, WRITES, Request

# Targets of issue 8: throughput as a share of the floor's, p95 at 16 connections.
HOME_SHARE, PAGE_SHARE, MIXED_SHARE, P95_MS = 0.25, 0.35, 0.30, 250
# The path of each request in the access log, to tell the pages apart.
PAGES = [
    ("floor", "GET", re.compile(r"^/health/$")),
    (MEMBER_FLOOR, "GET", re.compile(r"^/policy/$")),
    ("home", "GET", re.compile(r"^/$")),
    ("profile", "GET", re.compile(r"^/members/\d+/$")),
    ("diaries", "GET", re.compile(r"^/diary/$")),
    ("entry", "GET", re.compile(r"^/diary/\d+/$")),
    ("topic", "GET", re.compile(r"^/communities/\d+/topics/\d+/$")),
    ("event", "GET", re.compile(r"^/offkai/\d+/$")),
    ("search", "GET", re.compile(r"^/search/")),
    ("inbox", "GET", re.compile(r"^/messages/$")),
    ("conversation", "GET", re.compile(r"^/messages/\d+/$")),
    # The pages with likes (bench/load_likes.py): an entry with 1,000 likes and a topic with
    # liked comments are told apart from the others by their row, not by their path.
    ("likers", "GET", re.compile(r"^/likes/[a-z-]+/\d+/$")),
    ("liked diary", "GET", re.compile(r"^/members/\d+/diary/$")),
    # The album pages (bench/load_albums.py); home with friends' new albums is "home".
    ("big album", "GET", re.compile(r"^/albums/\d+/$")),
    ("album photo", "GET", re.compile(r"^/albums/photos/\d+/$")),
    ("member albums", "GET", re.compile(r"^/members/\d+/albums/$")),
    ("comment", "POST", re.compile(r"^/diary/\d+/comments/$")),
    ("rsvp", "POST", re.compile(r"^/offkai/\d+/rsvp/$")),
    # The fan-out probe's writers (bench/fanout.py), during the mixed load.
    ("new entry", "POST", re.compile(r"^/diary/new/$")),
]
LOG_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) \S+ (?P<us>\d+)$'
)


@dataclass
class Run:
    name: str
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    redirects: int = 0
    share_of_floor: float | None = None
    pages: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(url: str, script: Path, connections: int, seconds: int, kind: str | None) -> dict:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), url]
    if kind:
        command += ["--", kind]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
    return json.loads(line)


def to_run(name: str, connections: int, figures: list[dict]) -> Run:
    """One run's figures; several wrk processes at once (two servers) are added up, their
    percentiles taken as the worst of them."""
    seconds = max(f["duration_us"] for f in figures) / 1e6
    errors = sum(f[k] for f in figures for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        name=name, connections=connections, seconds=seconds,
        requests=sum(f["requests"] for f in figures), errors=errors,
        p50_ms=max(f["p50"] for f in figures) / 1000, p95_ms=max(f["p95"] for f in figures) / 1000,
        p99_ms=max(f["p99"] for f in figures) / 1000, max_ms=max(f["max"] for f in figures) / 1000,
        redirects=sum(f["redirects"] for f in figures),
    )


def log_pages(log: Path, start: int) -> dict:
    """Each page's requests, statuses and server-side p50 / p95 / p99 (ms) in the access log
    from byte ``start``."""
    times: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    with log.open("rb") as f:
        f.seek(start)
        for raw in f:
            match = LOG_LINE.search(raw.decode("utf-8", "replace").strip())
            if not match:
                continue
            path = urllib.request.unquote(match["path"])
            name = next((n for n, method, pattern in PAGES
                         if method == match["method"] and pattern.match(path)), "other")
            times.setdefault(name, []).append(int(match["us"]) / 1000)
            counts = statuses.setdefault(name, {})
            counts[match["status"]] = counts.get(match["status"], 0) + 1
    pages = {}
    for name, values in sorted(times.items()):
        values.sort()
        pages[name] = {
            "requests": len(values), "statuses": statuses[name],
            "p50_ms": _percentile(values, 0.50), "p95_ms": _percentile(values, 0.95),
            "p99_ms": _percentile(values, 0.99),
        }
    return pages


def unexpected(run: Run) -> int:
    """Requests whose status is not what the page answers a member: 200, or 302 for a write."""
    wanted = {name: "302" if method == "POST" else "200" for name, method, _ in PAGES}
    return sum(n for name, page in run.pages.items() for status, n in page["statuses"].items()
               if status != wanted.get(name))


def _percentile(ordered: list[float], q: float) -> float:
    return round(ordered[max(0, int(q * len(ordered) + 0.999999) - 1)], 1)


def query_counts(requests: dict[str, list[Request]]) -> dict[str, int]:
    """How many queries each page takes through Django's test client (the parts cache as this
    process has it: none unless CACHE_URL is set), after one request to warm the process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from run_diary import client_setup

    counts = {}
    client = client_setup()
    for kind, items in requests.items():
        if kind in WRITES:
            continue
        cookie = items[0].cookie.split("|")[0]
        client.cookies.load(cookie)
        client.get(items[0].path, secure=True)  # the process's first reads (site policy)
        with CaptureQueriesContext(connection) as queries:
            client.get(items[0].path, secure=True)
        counts[kind] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        Client().get("/health/", secure=True)
    counts["floor"] = len(queries)
    return counts


def markdown(report: dict) -> str:
    """The load section of the report, as a table with the targets."""
    runs = report["runs"]
    floor = next(r for r in runs if r["name"] == "floor")
    lines = [
        f"{report['members']} members logged in, {report['workers']} gunicorn workers per "
        f"server, {report['duration_s']} s a row; peak worker memory "
        f"{report['peak_worker_memory_mb']:.0f} MB. Floor: `/health/` at "
        f"{floor['rps']:.0f} requests/s. "
        + (f"Before the rows, every member's pages looked at once ({report['first_looks_s']} "
           "s): the rows measure a site in use." if report.get("first_looks_s") is not None
           else "No first looks before the rows (--cold): they start from an empty cache."),
        "",
        "| run | conns | req/s | × floor | p50 | p95 | p99 | errors | queries | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in runs:
        aim, met = target(r)
        lines.append(
            f"| {r['name']} | {r['connections']} | {r['rps']:.1f} | "
            f"{r['share_of_floor']:.2f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['p99_ms']:.0f} | {r['errors']} | {report['query_counts'].get(r['name'], '')} | "
            f"{aim} | {met} |"
        )
    found = report.get("parts_found_mixed_16") or {}
    if found:
        hits = sum(n["hit"] for n in found.values())
        total = hits + sum(n["miss"] for n in found.values())
        lines += ["", f"Cached parts in the mixed load at 16 connections: {hits / total:.1%} "
                  f"of {total} lookups found in Redis.", "",
                  "| part | lookups | found | built ahead |", "|---|---:|---:|---:|"]
        for name, n in sorted(found.items()):
            looked = n["hit"] + n["miss"]
            share = f"{n['hit'] / looked:.1%}" if looked else "–"
            lines.append(f"| {name} | {looked} | {share} | {n.get('built', 0)} |")
    f = report.get("fan_out_mixed") or {}
    if f:
        lines += ["", f"A friend's new entry until it is on home, during the mixed load at 16 "
                  f"and 50 connections ({f['samples']} writers with 20–400 friends, one after "
                  f"another; {f['missed']} not there within {fanout.GIVE_UP_AFTER:.0f} s): "
                  f"the write answered in p50 {f['write_p50_ms']} / p95 {f['write_p95_ms']} ms; on "
                  f"home after p50 {f['delay_p50_ms']} / p95 {f['delay_p95_ms']} / max "
                  f"{f['delay_max_ms']} ms. The member with the most friends "
                  f"({f['biggest_friends']:,}): written in {f['biggest_write_ms']} ms, on a "
                  f"friend's home after {f['biggest_delay_ms']} ms."]
    for r in runs:
        if not r["name"].startswith("mixed"):
            continue
        lines += ["", f"Mixed load at {r['connections']} connections"
                  f"{' over two servers' if 'two' in r['name'] else ''}, each page "
                  "(server-side times from the access log, ms):", "",
                  "| page | requests | p50 | p95 | p99 | statuses |",
                  "|---|---:|---:|---:|---:|---|"]
        for name, page in r["pages"].items():
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(page["statuses"].items()))
            lines.append(f"| {name} | {page['requests']} | {page['p50_ms']} | {page['p95_ms']} "
                         f"| {page['p99_ms']} | {statuses} |")
    return "\n".join(lines)


def target(r: dict) -> tuple[str, str]:
    name = r["name"]
    if name in ("floor", MEMBER_FLOOR):
        return "—", ""
    if name.startswith("mixed"):
        ok = r["share_of_floor"] >= MIXED_SHARE and r["errors"] == 0
        text = f"≥ {MIXED_SHARE} × floor, no errors"
        if r["connections"] <= 16:
            text += f", p95 ≤ {P95_MS}"
            ok = ok and r["p95_ms"] <= P95_MS
        return text, "met" if ok else "MISS"
    share = HOME_SHARE if name == "home" else PAGE_SHARE
    ok = r["share_of_floor"] >= share and r["p95_ms"] <= P95_MS and r["errors"] == 0
    return f"≥ {share} × floor, p95 ≤ {P95_MS}", "met" if ok else "MISS"
