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
  topic, an off-kai, a search, and the writes: a comment, an RSVP) at 16 connections:
  requests per second as a share of the floor's, p50 / p95 / p99, errors;
- the **mixed load** of members at 16 and at 50 connections (each page's share of requests as
  ``MIX`` says), with each page's server-side times and statuses from gunicorn's access log;
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
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import fanout
import seed_graph

ROOT = Path(__file__).resolve().parent.parent
RANDOM_SEED = 11
# Each page's share of the mixed load, in percent.
MIX = {
    "home": 15, "profile": 15, "diaries": 15, "entry": 15, "topic": 10, "event": 10,
    "search": 10, "comment": 5, "rsvp": 5,
}
WRITES = {"comment", "rsvp"}
# Writers of the fan-out probe during the mixed load (bench/fanout.py).
FAN_OUT_SAMPLES = 20
SEARCH_WORDS = ["温泉", "読書", "ラーメン", "打ち合わせ", "カメラ", "登山", "映画", "travel"]
# Targets of issue 8: throughput as a share of the floor's, p95 at 16 connections.
HOME_SHARE, PAGE_SHARE, MIXED_SHARE, P95_MS = 0.25, 0.35, 0.30, 250
# The lightest page of a logged-in member, measured beside the floor (no target).
MEMBER_FLOOR = "member floor"
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
    ("comment", "POST", re.compile(r"^/diary/\d+/comments/$")),
    ("rsvp", "POST", re.compile(r"^/offkai/\d+/rsvp/$")),
    # The fan-out probe's writers (bench/fanout.py), during the mixed load.
    ("new entry", "POST", re.compile(r"^/diary/new/$")),
]
LOG_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) \S+ (?P<us>\d+)$'
)


# --- the members and their requests ----------------------------------------------------------


@dataclass
class Request:
    kind: str
    method: str
    path: str
    cookie: str
    body: str = ""


def pick_requests(n_members: int, rng: random.Random) -> dict[str, list[Request]]:
    """For ``n_members`` random members with 20–400 friends: a logged-in session each, and
    the requests of every kind they would make (their home, a friend's profile, an entry of
    their friends' diaries, a topic of one of their communities, an off-kai they may see)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    from accounts.models import Friendship, User
    from communities.models import Membership, Topic
    from diary import selectors as diary_selectors
    from offkai import selectors

    store_class = import_string(_session_engine() + ".SessionStore")
    candidates = list(
        Friendship.objects.values("user").annotate(n=Count("pk"))
        .filter(n__range=(20, 400), user__is_active=True, user__is_staff=False)
        .order_by("?").values_list("user", flat=True)[: n_members * 2]
    )
    requests: dict[str, list[Request]] = {kind: [] for kind in [MEMBER_FLOOR, *MIX]}
    chosen = 0
    for member in User.objects.filter(pk__in=candidates).select_related("profile"):
        if chosen == n_members:
            break
        entries = diary_selectors.friends_page(member, None, photos=False).items
        community_ids = list(
            Membership.objects.filter(user=member).values_list("community", flat=True)[:20]
        )
        topic = (
            Topic.objects.filter(community_id__in=community_ids, hidden_at__isnull=True)
            .order_by("-last_activity_at").values_list("pk", "community_id").first()
        )
        event = selectors.upcoming(member).values_list("pk", flat=True).first()
        if not (entries and topic and event):
            continue
        chosen += 1
        session = store_class()
        session[SESSION_KEY] = str(member.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.MemberBackend"
        session[HASH_SESSION_KEY] = member.get_session_auth_hash()
        session.create()
        csrf = get_random_string(32)
        cookie = f"sessionid={session.session_key}; csrftoken={csrf}"
        friend = rng.choice(list(
            Friendship.objects.filter(user=member, friend__is_active=True)
            .values_list("friend_id", flat=True)[:50]
        ))
        entry = rng.choice(entries).pk
        word = urllib.request.quote(rng.choice(SEARCH_WORDS))
        for kind, method, path, body in [
            (MEMBER_FLOOR, "GET", "/policy/", ""),
            ("home", "GET", "/", ""),
            ("profile", "GET", f"/members/{friend}/", ""),
            ("diaries", "GET", "/diary/", ""),
            ("entry", "GET", f"/diary/{entry}/", ""),
            ("topic", "GET", f"/communities/{topic[1]}/topics/{topic[0]}/", ""),
            ("event", "GET", f"/offkai/{event}/", ""),
            ("search", "GET", f"/search/?q={word}", ""),
            ("comment", "POST", f"/diary/{entry}/comments/",
             "body=" + urllib.request.quote("負荷試験のコメントです。")),
            ("rsvp", "POST", f"/offkai/{event}/rsvp/",
             "answer=" + rng.choice(["attending", "maybe"])),
        ]:
            requests[kind].append(Request(kind, method, path, f"{cookie}|{csrf}", body))
    if chosen < n_members:
        print(f"  only {chosen} members have friends' entries, a topic and an off-kai",
              file=sys.stderr)
    return requests


def _session_engine() -> str:
    from django.conf import settings

    return settings.SESSION_ENGINE


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(requests: dict[str, list[Request]], path: Path) -> None:
    """The wrk script: every request of every member, drawn by ``MIX`` (or one kind, given
    as the script's argument); its ``done`` prints one JSON line of the figures."""
    lines = ["local kinds = {"]
    floor = [Request("floor", "GET", "/health/", "|")]
    for kind, items in [*requests.items(), ("floor", floor)]:
        # The floor is only ever asked for alone (weight 0 in the mix).
        lines.append(f"  {{name={_lua_string(kind)}, weight={MIX.get(kind, 0)}, items={{")
        for r in items:
            cookie, csrf = r.cookie.split("|")
            headers = f"Cookie={_lua_string(cookie)}" if cookie else ""
            if r.method == "POST":
                headers += (f', ["X-CSRFToken"]={_lua_string(csrf)}, '
                            '["Content-Type"]="application/x-www-form-urlencoded"')
            lines.append(f"    {{{_lua_string(r.method)}, {_lua_string(r.path)}, "
                         f"{{{headers}}}, {_lua_string(r.body) if r.body else 'nil'}}},")
        lines.append("  }},")
    lines.append("}")
    lines.append(LUA_BODY)
    path.write_text("\n".join(lines), encoding="utf-8")


LUA_BODY = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)
end

local chosen = {}
local total = 0
redirects = 0  -- a global: done() reads it from each thread
function init(args)
  math.randomseed(seed * 7919 + os.time())
  for _, kind in ipairs(kinds) do
    if args[1] == nil or args[1] == kind.name then
      table.insert(chosen, kind)
      total = total + kind.weight
    end
  end
end

function request()
  local pick = math.random() * total
  local kind = chosen[#chosen]
  for _, k in ipairs(chosen) do
    pick = pick - k.weight
    if pick <= 0 then kind = k break end
  end
  local r = kind.items[math.random(#kind.items)]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  if status >= 300 and status < 400 then redirects = redirects + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local redirected = 0
  for _, thread in ipairs(threads) do redirected = redirected + thread:get("redirects") end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "redirects": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    redirected, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""


# --- the servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(access_log: Path) -> dict[str, str]:
    """Production settings on the bench database, with the Redis cache."""
    env = dict(os.environ)
    env.update({
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret"),
        "DATABASE_URL": seed_graph.bench_database_url(),
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/5"),
        "CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        # Queued in PostgreSQL and run by one task worker (start_worker), as in production:
        # a new entry reaches the friends' homes through it (bench/fanout.py).
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_URL": "dummymail://",
        "GUNICORN_ACCESS_LOG": str(access_log),
        # Workers live through the whole run, so their peak memory is the run's.
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_LOG_LEVEL": "warning",
    })
    return env


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    access_log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def peak_memory_mb(self) -> float:
        """The largest peak resident set (VmHWM) of any worker so far, in MB."""
        peak = 0
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
            peak = max(peak, kb)
        return peak / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(access_log: Path) -> Server:
    port = free_port()
    env = server_env(access_log)
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "sns.wsgi"],
        cwd=ROOT, env=env,
    )
    server = Server(port, process, access_log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url + "/health/", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise SystemExit("gunicorn did not answer /health/ within 60 s")


def start_worker() -> subprocess.Popen:
    """One task worker on the bench database, as README › Running on several machines runs
    it (``manage.py db_worker``, its default interval)."""
    env = {k: v for k, v in server_env(Path(os.devnull)).items() if not k.startswith("GUNICORN_")}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL,
    )


def cache_flush() -> None:
    """Empty the load test's own Redis database: the bench database may have been seeded
    again since the last run, and its reused ids would find the old data set's parts."""
    import redis

    redis.Redis.from_url(server_env(Path(os.devnull))["CACHE_URL"]).flushdb()


@contextmanager
def servers_parts():
    """This process reading the parts cache as the servers keep it (sns/settings.py: the
    Redis of CACHE_URL, prefixed "parts"), for sns.cache's counts of lookups."""
    import environ
    from django.conf import settings
    from django.test.utils import override_settings

    from sns import cache

    url = server_env(Path(os.devnull))["CACHE_URL"]
    parts = {**environ.Env.cache_url_config(url), "KEY_PREFIX": "parts"}
    with override_settings(CACHES={**settings.CACHES, cache.ALIAS: parts}):
        yield cache


def collect_static() -> None:
    env = server_env(Path(os.devnull))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )


def check_pages(server: Server, requests: dict[str, list[Request]]) -> None:
    """Every kind answers a member as a member: 200 for pages, a redirect for writes (not
    to the login page), before any figure is taken."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for kind, items in requests.items():
        r = items[0]
        cookie, csrf = r.cookie.split("|")
        request = urllib.request.Request(
            server.url + r.path, method=r.method, data=r.body.encode() or None,
            headers={"Cookie": cookie, "X-CSRFToken": csrf,
                     "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with opener.open(request, timeout=30) as response:
                status, location = response.status, ""
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("Location", "")
        expected = 302 if r.method == "POST" else 200
        if status != expected or "/accounts/login" in location:
            raise SystemExit(f"{kind} {r.method} {r.path}: {status} {location} (wanted {expected})")


def look_once(server: Server, requests: dict[str, list[Request]], threads: int = 8) -> float:
    """Every member's every page looked at once (no writes), as members who use the site
    have: what a running site keeps is then there, and the rows measure it in its steady
    state rather than 300 members' first looks (``--cold`` leaves this out). Returns the
    seconds it took."""
    from concurrent.futures import ThreadPoolExecutor

    looks = [r for kind, items in requests.items() if kind != MEMBER_FLOOR
             for r in items if r.method == "GET"]

    def look(r: Request) -> None:
        cookie, _csrf = r.cookie.split("|")
        request = urllib.request.Request(server.url + r.path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    began = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(look, looks))
    return time.monotonic() - began


# --- the runs --------------------------------------------------------------------------------


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


# --- the whole run ---------------------------------------------------------------------------


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
        for kind in [MEMBER_FLOOR, *MIX]:
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
        target, met = _target(r)
        lines.append(
            f"| {r['name']} | {r['connections']} | {r['rps']:.1f} | "
            f"{r['share_of_floor']:.2f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['p99_ms']:.0f} | {r['errors']} | {report['query_counts'].get(r['name'], '')} | "
            f"{target} | {met} |"
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


def _target(r: dict) -> tuple[str, str]:
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
