"""The servers of the load test (``bench/load.py``): gunicorn as in production on the bench
database, one task worker, the Redis cache, and the first looks at every member's pages."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import seed_graph
from load_requests import MEMBER_FLOOR, Request

ROOT = Path(__file__).resolve().parent.parent


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
