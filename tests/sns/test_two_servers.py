"""Two app servers over one database and one Redis (DESIGN.md §6: no part of the app may
assume one process or one machine).

Two gunicorn instances of the site run as production runs it (deploy/gunicorn.conf.py, DEBUG
off, static files from collectstatic's manifest, two workers each) on the test database, with
the cache in one Redis database. Each client here is a browser behind a load balancer that
sends any request to either server: one cookie jar, which both servers read (cookies do not
depend on the port). What one server writes — a session, a post, a count kept in the cache —
the other must know at its next request.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import global_settings, settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from accounts.models import FriendRequest, User
from diary import services as diary_services
from diary.models import Comment, Entry
from diary.selectors import ENTRY_COMMENTS_SHOWN
from sns.models import Notification
from tests import factories
from tests.conftest import client_for
from tests.invites.test_race import failures, run_at_once, successes
from tests.sns.test_settings import ROOT, _database_url

# A Redis database of this test's own (tests/sns/test_settings.py uses 3 and 4).
REDIS_DB = 6
CACHE_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
STARTUP_SECONDS = 30
THREADS, REQUESTS = 8, 25


# --- the servers -------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path
    url: str = ""

    def log_tail(self) -> str:
        return f"--- {self.name} ---\n" + self.log.read_text(errors="replace")[-4000:]


def _production_env(static_root: Path, media_root: Path) -> dict[str, str]:
    """The environment of a production app server (README › Configuration), on the test
    database and this test's Redis database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SESSION_ENGINE"}}
    return {
        **env,
        "DEBUG": "0",
        # The test's own: the sessions it opens itself (_logged_in) are signed with it.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "60",
        "DATABASE_URL": _database_url(),
        "CACHE_URL": CACHE_URL,
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_URL": "consolemail://",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
    }


def _start(name: str, env: dict[str, str], log: Path) -> Server:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py",
             "sns.wsgi"],
            cwd=ROOT, env={
                **env, "WEB_CONCURRENCY": "2",
                # Port 0: the system gives a free one, which the log names (no port picked
                # here can be taken by another process before the server binds it).
                "GUNICORN_BIND": "127.0.0.1:0", "GUNICORN_LOG_LEVEL": "info",
                # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn):
                # each server here, and any other gunicorn on the machine, keeps its own.
                "GUNICORN_CMD_ARGS": f"--control-socket {log.with_suffix('.ctl')}",
            },
            stdout=output, stderr=subprocess.STDOUT,
            # A group of its own, so that a master that does not stop is killed with its
            # workers.
            start_new_session=True,
        )
    return Server(name, process, log)


def _wait_ready(server: Server) -> None:
    """Wait for the address the server listens at, then for its /health/ page."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"{server.name} exited\n{server.log_tail()}")
        if not server.url:
            listening = re.search(r"Listening at: (http://\S+)", server.log.read_text())
            server.url = listening.group(1) if listening else ""
        if server.url:
            with contextlib.suppress(OSError):
                if Browser().get(server, "/health/").status == 200:
                    return
        time.sleep(0.1)
    pytest.fail(f"{server.name} did not answer /health/\n{server.log_tail()}")


def _stop(servers: list[Server]) -> None:
    """SIGTERM to each master: gunicorn's graceful shutdown, as a deploy stops it, which lets
    each worker finish the request in hand (the quick one, SIGINT, cut a worker off while
    it closed a response, and it logged the interruption as an error); SIGKILL for a group
    that lingers."""
    for server in servers:
        with contextlib.suppress(ProcessLookupError):
            server.process.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


def _collect_static(env: dict[str, str]) -> None:
    # Production keeps static files in CompressedManifestStaticFilesStorage: pages need the
    # manifest that collectstatic writes.
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _errors_logged(server: Server) -> str:
    """What the server logged of errors: a page failing with DEBUG off answers 500 and logs
    why; a worker that crashes or times out is logged too."""
    written = server.log.read_text(errors="replace")
    first = re.search(r"^.*(Traceback|\[ERROR\]).*$", written, re.M)
    return written[first.start():][:4000] if first else ""


@pytest.fixture
def servers(transactional_db, tmp_path):
    """Servers A and B, over the test's data (committed, hence ``transactional_db``) and an
    empty Redis database; stopped even when the test fails, and their logs checked.

    One pair per test: each process keeps what never changes in production (content type
    ids, ContentType.objects' cache), which the database's flush after a test renumbers.
    """
    cache = redis.Redis.from_url(CACHE_URL)
    cache.flushdb()
    env = _production_env(tmp_path / "static", tmp_path / "media")
    _collect_static(env)
    started: list[Server] = []
    try:
        for name in ("A", "B"):
            started.append(_start(name, env, tmp_path / f"{name}.log"))
        for server in started:
            _wait_ready(server)
        yield started
    finally:
        _stop(started)
        cache.flushdb()
        cache.close()
    for server in started:
        assert not _errors_logged(server), f"--- {server.name} ---\n{_errors_logged(server)}"


# --- browsers ----------------------------------------------------------------------------------


class _Unfollowed(urllib.request.HTTPErrorProcessor):
    """Every answer as it comes: a redirect is a result to check, not a page to load."""

    def http_response(self, request, response):
        return response


@dataclass
class Page:
    status: int
    location: str
    html: str

    def csrf_token(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.html)
        assert match, "no form on this page"
        return match.group(1)


class Browser:
    """One member's browser: a cookie jar shared by whichever server answers."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _Unfollowed()
        )

    def get(self, server: Server, path: str) -> Page:
        return self._open(server.url + path)

    def post(self, server: Server, path: str, data: dict, *, token: str) -> Page:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        return self._open(server.url + path, body)

    def submit(self, form_server: Server, form_path: str, server: Server, path: str,
               data: dict) -> Page:
        """Open the form on ``form_server``, send it to ``server``."""
        token = self.get(form_server, form_path).csrf_token()
        return self.post(server, path, data, token=token)

    def log_in(self, server: Server, member: User) -> Page:
        return self.submit(server, "/accounts/login/", server, "/accounts/login/",
                           {"login": member.email, "password": factories.PASSWORD})

    def _open(self, url: str, body: bytes | None = None) -> Page:
        # Always http://127.0.0.1:<port>/… (Server.url): no other scheme reaches here.
        request = urllib.request.Request(url, data=body)  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            return Page(response.status, response.headers.get("Location", ""),
                        response.read().decode())


def _site_passwords(*members: User) -> None:
    """The suite hashes passwords with MD5 (tests/conftest.py), which production's hashers do
    not read: give these members the factories' password as production hashes it."""
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        encoded = make_password(factories.PASSWORD)
    # One hash serves them all: the salt is inside it.
    User.objects.filter(pk__in=[m.pk for m in members]).update(password=encoded)


def _session_cookie(session_key: str) -> http.cookiejar.Cookie:
    """The session cookie the servers at 127.0.0.1 would have set for ``session_key``."""
    return http.cookiejar.Cookie(
        version=0, name=settings.SESSION_COOKIE_NAME, value=session_key, port=None,
        port_specified=False, domain="127.0.0.1", domain_specified=False,
        domain_initial_dot=False, path="/", path_specified=True, secure=False,
        expires=None, discard=True, comment=None, comment_url=None, rest={},
    )


def _logged_in(*members: User) -> list[Browser]:
    """A browser per member, holding a session opened here in the database the servers share
    (the login form itself is tried once, in part 1: each login costs a production hash)."""
    browsers = []
    for member in members:
        session_key = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
        browser = Browser()
        browser.cookies.set_cookie(_session_cookie(session_key))
        browsers.append(browser)
    return browsers


def _entry(author: User, title: str = "Lunch by the river") -> Entry:
    return diary_services.entry_create(author=author, title=title, body="Grilled fish.",
                                       visibility="friends")


def _header_count(page: Page, path: str) -> str:
    """The count beside the main navigation's link to ``path`` ("" for none)."""
    assert page.status == 200, page.status
    link = re.search(rf'<a href="{re.escape(path)}"[^>]*>(.*?)</a>', page.html, re.S)
    assert link, f"no link to {path} in the navigation"
    count = re.search(r'<span class="nav-count"[^>]*>([^<]*)</span>', link.group(1))
    return count.group(1) if count else ""


def _unread(browser: Browser, server: Server) -> str:
    return _header_count(browser.get(server, "/diary/"), "/notifications/")


def _comment_ids(page: Page) -> list[int]:
    assert page.status == 200, page.status
    return [int(pk) for pk in re.findall(r'<li class="comment" id="comment-(\d+)"', page.html)]


def _comment_count(page: Page) -> int:
    match = re.search(r'<h2 id="comments-title">[^<]*<span class="count">(\d+)</span>',
                      page.html)
    assert match, "no comment count on the entry page"
    return int(match.group(1))


# --- 1. sessions -------------------------------------------------------------------------------


def _login_on_one_server_holds_on_the_other(a: Server, b: Server) -> None:
    """Logged in through A's form: B knows the session; logged out on B: A forgets it."""
    owner = factories.member("Owner Person", email="owner@example.com")
    _site_passwords(owner)
    browser = Browser()
    assert browser.get(b, "/me/edit/").status == 302

    login = browser.log_in(a, owner)

    assert (login.status, login.location) == (302, "/")
    page = browser.get(b, "/me/edit/")
    assert page.status == 200
    assert "Owner Person" in page.html
    # Logging out on B ends the session on A as well.
    logout = browser.submit(b, "/me/edit/", b, "/accounts/logout/", {})
    assert logout.status == 302
    assert browser.get(a, "/me/edit/").status == 302


# --- 2. posts ----------------------------------------------------------------------------------


def _post_on_one_server_shows_on_the_other_at_once(a: Server, b: Server) -> None:
    """An entry written through A is on B's pages at B's next request, and back."""
    owner = factories.member("Owner Person")
    friend = factories.member("Friend Person")
    factories.befriend(owner, friend)
    owners, friends = _logged_in(owner, friend)
    # B has shown the friend these pages (and kept whatever it keeps) before the entry exists.
    for path in ("/", "/diary/"):
        page = friends.get(b, path)
        assert page.status == 200, path
        assert "Lunch by the river" not in page.html, path

    saved = owners.submit(a, "/diary/new/", a, "/diary/new/", {
        "title": "Lunch by the river", "body": "Grilled fish.", "visibility": "friends",
    })

    entry = Entry.objects.get(author=owner)
    assert (saved.status, saved.location) == (302, f"/diary/{entry.pk}/")
    for path in (f"/diary/{entry.pk}/", "/diary/", "/"):
        page = friends.get(b, path)
        assert page.status == 200, path
        assert "Lunch by the river" in page.html, path
    # And back: the friend's comment through B is on the entry page A shows.
    commented = friends.submit(b, f"/diary/{entry.pk}/", b, f"/diary/{entry.pk}/comments/",
                               {"body": "Looks delicious"})
    assert commented.status == 302
    assert "Looks delicious" in owners.get(a, f"/diary/{entry.pk}/").html


# --- 3. what the cache keeps -------------------------------------------------------------------


def _header_counts_follow_writes_on_the_other(a: Server, b: Server) -> None:
    """The header's counts (kept in the "parts" cache where there is one) change on one
    server as soon as the other writes what they count."""
    owner = factories.member("Owner Person")
    friend = factories.member("Friend Person")
    stranger = factories.member("Stranger Person")
    factories.befriend(owner, friend)
    entry = _entry(owner)
    owners, friends, strangers = _logged_in(owner, friend, stranger)
    # Each server has shown the owner's header (and kept its counts, where it keeps them).
    assert _unread(owners, a) == _unread(owners, b) == ""

    # New notifications, written through A: B's header counts them at its next request.
    for body in ("First!", "Second!"):
        commented = friends.submit(a, f"/diary/{entry.pk}/", a, f"/diary/{entry.pk}/comments/",
                                   {"body": body})
        assert commented.status == 302
    assert _unread(owners, b) == "2"

    # One read on A (opening it from the list): B counts one fewer, and so does A.
    first = Notification.objects.filter(recipient=owner).order_by("pk").first()
    opened = owners.get(a, f"/notifications/{first.pk}/")
    assert opened.status == 302
    assert _unread(owners, b) == "1"
    assert _unread(owners, a) == "1"

    # All read on B: A's header shows none.
    read_all = owners.submit(b, "/notifications/", b, "/notifications/read/", {})
    assert read_all.status == 302
    assert _unread(owners, a) == ""
    assert _unread(owners, b) == ""

    # The friend-request count, read with it: sent through A, seen on B; accepted on B,
    # gone on A.
    assert _header_count(owners.get(b, "/diary/"), "/friends/requests/") == ""
    sent = strangers.submit(a, f"/members/{owner.pk}/", a,
                            f"/members/{owner.pk}/friend-request/", {"message": "Hello"})
    assert sent.status == 302
    assert _header_count(owners.get(b, "/diary/"), "/friends/requests/") == "1"
    waiting = FriendRequest.objects.get(to_user=owner)
    accepted = owners.submit(b, "/friends/requests/", b,
                             f"/friends/requests/{waiting.pk}/accept/", {})
    assert accepted.status == 302
    assert _header_count(owners.get(a, "/diary/"), "/friends/requests/") == ""


# --- 4. a mixed load over both -----------------------------------------------------------------


def _mixed_load_over_both_loses_nothing(a: Server, b: Server) -> None:
    """Members reading and commenting at once, each request to either server: every
    request answered, every comment kept once, both servers showing the same."""
    owner = factories.member("Owner Person")
    friends = [factories.member() for _ in range(THREADS - 1)]
    for friend in friends:
        factories.befriend(owner, friend)
    browsers = _logged_in(owner, *friends)
    entry = _entry(owner)
    entry_path = f"/diary/{entry.pk}/"

    reads = (entry_path, "/diary/")

    def browse(t: int) -> list[tuple[str, int, str]]:
        """Read a page (the entry, friends' diaries) on one server and comment through the
        other, in turn: each comment carries a token that the other server's page held."""
        browser, done, token = browsers[t], [], ""
        for i in range(REQUESTS):
            server = (a, b)[(t + i) % 2]
            if i % 2 == 0:
                page = browser.get(server, reads[(t + i // 2) % len(reads)])
                token = page.csrf_token()
                done.append(("get", page.status, ""))
            else:
                page = browser.post(server, f"{entry_path}comments/",
                                    {"body": f"comment {t}-{i}"}, token=token)
                done.append(("post", page.status, page.location))
        return done

    results = run_at_once(THREADS, browse)

    assert not failures(results), failures(results)
    done = [request for requests in successes(results) for request in requests]
    assert all(status in (200, 302) for _, status, _ in done), done
    assert all(status == 302 for kind, status, _ in done if kind == "post"), done
    posted = [int(re.fullmatch(rf"{entry_path}#comment-(\d+)", location).group(1))
              for kind, _, location in done if kind == "post"]
    assert len(posted) == THREADS * (REQUESTS // 2)
    kept = list(Comment.objects.filter(entry=entry).order_by("pk").values_list("pk", flat=True))
    assert sorted(posted) == kept
    # Both servers show the same latest comments, ending with the last one written.
    pages = [browsers[0].get(server, entry_path) for server in (a, b)]
    assert _comment_ids(pages[0]) == _comment_ids(pages[1]) == kept[-ENTRY_COMMENTS_SHOWN:]
    assert _comment_count(pages[0]) == _comment_count(pages[1]) == len(posted)


# --- the test ----------------------------------------------------------------------------------


def test_two_servers_share_sessions_posts_and_cached_counts(servers):
    a, b = servers
    _login_on_one_server_holds_on_the_other(a, b)
    _post_on_one_server_shows_on_the_other_at_once(a, b)
    _header_counts_follow_writes_on_the_other(a, b)
    _mixed_load_over_both_loses_nothing(a, b)
