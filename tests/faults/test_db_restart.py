"""PostgreSQL restarted while the site serves a load (issue 9, faults).

The site runs as production runs it (gunicorn with deploy/gunicorn.conf.py, DEBUG off,
persistent connections kept 600 s and health-checked, Redis for the cache) over a PostgreSQL
server of this test's own (tests/faults/postgres.py: the machine's shared server is never
touched). Members read an entry and a community topic, comment on both, and write entries
with a photo, each request marked so that its write can be found. Meanwhile the database is
stopped (``pg_ctl stop -m fast``: open transactions are rolled back), left down for a few
seconds and started again.

What must hold:

- every request is answered, none later than gunicorn's worker timeout: during the outage
  every write with the site's own error page (503, or 500), never a hung worker or gunicorn's
  bare page; a read either so, or with the page itself when it is kept whole in Redis (issue
  16: the page's HTML and whether the viewer may open it are read from Redis, and nothing
  can change them while the database is down);
- within ``RECOVERY_LIMIT`` seconds of the database being back every request succeeds,
  without restarting the app servers (their persistent connections are replaced);
- nothing is lost or half-written: a write whose POST was answered with its redirect is in
  the database exactly once, a write whose POST failed is not there at all; what is written
  beside a row in its transaction is there with it (an entry's photo and its files, the
  notice of a comment, a topic's count of comments and its latest commenter).

Slow (a server, a migration, twenty seconds of load): ``make test-faults``, not ``make test``.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from PIL import Image

from sns import images
from tests.faults.postgres import PrivatePostgres, private_postgres
from tests.sns.test_settings import ROOT
from tests.sns.test_two_servers import (
    Browser,
    Server,
    _collect_static,
    _production_env,
    _session_cookie,
    _start,
    _stop,
    _wait_ready,
)

pytestmark = pytest.mark.faults

DATABASE = "tsunagari_faults"
# A Redis database of this test's own (see tests/sns/test_two_servers.py for the others).
REDIS_DB = 9
MEMBERS = 6  # load threads, one member each
WORKER_TIMEOUT = 10  # gunicorn's, for this server: no answer may take longer
WARM_SECONDS = 3
OUTAGE_SECONDS = 4
RECOVERY_LIMIT = 10
AFTER_SECONDS = RECOVERY_LIMIT + 4
PAUSE = 0.02  # between one member's requests, so that two cores serve six members


# --- the site ----------------------------------------------------------------------------------


@dataclass
class Site:
    postgres: PrivatePostgres
    server: Server
    media: Path
    world: dict


def _site_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = _production_env(tmp_path / "static", tmp_path / "media")
    return {
        **env,
        "DATABASE_URL": database_url,
        # Production's persistent connections: each worker keeps its connection across the
        # restart, and Django's health check must notice that it died.
        "CONN_MAX_AGE": "600",
        "CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "GUNICORN_TIMEOUT": str(WORKER_TIMEOUT),
        # The load writes more than a member may in an hour: the limits are not under test.
        "COMMENTS_PER_HOUR": "0",
        "UPLOADS_PER_DAY": "0",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def site(tmp_path):
    cache = redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
    cache.flushdb()
    with private_postgres() as postgres:
        postgres.create_database(DATABASE)
        env = _site_env(tmp_path, postgres.url(DATABASE))
        _manage(env, "migrate", "--noinput", "--verbosity=0")
        world = json.loads(_manage(
            {**env, "FAULTS_MEMBERS": str(MEMBERS)},
            "shell", "-c", "from tests.faults.world import main; main()",
        ).strip().splitlines()[-1])
        _collect_static(env)
        server = _start("site", env, tmp_path / "site.log")
        try:
            _wait_ready(server)
            yield Site(postgres, server, tmp_path / "media", world)
        finally:
            _stop([server])
            cache.flushdb()
            cache.close()
        # Every failure was answered by Django: no request reached gunicorn's own error
        # handling, and no worker was killed for hanging.
        log = server.log.read_text(errors="replace")
        assert not re.search(r"\[(ERROR|CRITICAL)\]", log), server.log_tail()


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Answer:
    member: int
    kind: str  # "read", "comment", "topic_comment", "entry"
    marker: str
    started: float
    ended: float
    status: int = 0  # 0: no HTTP answer at all
    location: str = ""
    error_page: bool = False  # the site's own error page, through its middleware
    whole: bool = False  # a page of the site's, to its end, with the form to comment
    problem: str = ""

    @property
    def took(self) -> float:
        return self.ended - self.started

    @property
    def ok(self) -> bool:
        """The page shown, or the write done: sent on to what was written (a redirect to
        the login page or back to the form would be a write refused)."""
        if self.kind == "read":
            return self.status == 200
        written = r"/diary/\d+/" if self.kind == "entry" else r"/.*#comment-\d+"
        return self.status == 302 and re.fullmatch(written, self.location) is not None


@dataclass
class Clock:
    """When the outage began and ended, on the monotonic clock the answers use."""

    stopping: float = 0.0
    down: float = 0.0
    starting: float = 0.0
    up: float = 0.0


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "#2e86c1").save(buffer, "JPEG")
    return buffer.getvalue()


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        .encode() for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.jpg"'
        f"\r\nContent-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n"
        for name, data in files.items()
    ]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Member:
    """One member's browser, sending the load's requests and keeping every answer."""

    def __init__(self, site: Site, number: int):
        self.number, self.base = number, site.server.url
        self.browser = Browser()
        self.browser.cookies.set_cookie(_session_cookie(site.world["members"][number]["session"]))
        self.entry = f"/diary/{site.world['entry']}/"
        self.topic = f"/communities/{site.world['community']}/topics/{site.world['topic']}/"
        self.token = ""
        self.answers: list[Answer] = []

    def send(self, kind: str, path: str, marker: str = "", *, data: dict | None = None,
             files: dict[str, bytes] | None = None) -> Answer:
        body, headers = None, {}
        if data is not None:
            fields = {**data, "csrfmiddlewaretoken": self.token}
            if files:
                body, headers["Content-Type"] = _multipart(fields, files)
            else:
                body = urllib.parse.urlencode(fields).encode()
        # Always http://127.0.0.1:<port>/… (the server's own address).
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        answer = Answer(self.number, kind, marker, time.monotonic(), 0.0)
        try:
            with self.browser.opener.open(request, timeout=WORKER_TIMEOUT + 5) as response:
                html = response.read().decode(errors="replace")
                answer.status = response.status
                answer.location = response.headers.get("Location", "")
                # The site's pages carry its Content Security Policy and its stylesheet;
                # gunicorn's own error page has neither.
                answer.error_page = (
                    response.status >= 500 and "Content-Security-Policy" in response.headers
                    and "/static/css/site." in html
                )
        except OSError as error:  # refused, reset, timed out: all counted as no answer
            answer.problem = repr(error)
        answer.ended = time.monotonic()
        if kind == "read" and answer.status == 200:
            self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
            answer.whole = "/comments/" in html and html.rstrip().endswith("</html>")
        self.answers.append(answer)
        return answer

    def step(self, n: int) -> None:
        """The n-th request of the member's round: read, comment, read, comment; now and
        then an entry with a photo."""
        marker = f"load-{self.number}-{n}"
        if n % 10 == 9:
            self.send("entry", "/diary/new/", marker, data={
                "title": marker, "body": "Photo of the day.", "visibility": "friends",
            }, files={"photo1": _photo()})
        elif n % 4 == 0:
            self.send("read", self.entry)
        elif n % 4 == 1:
            self.send("comment", f"{self.entry}comments/", marker, data={"body": marker})
        elif n % 4 == 2:
            self.send("read", self.topic)
        else:
            self.send("topic_comment", f"{self.topic}comments/", marker, data={"body": marker})


def _load_through_a_restart(site: Site) -> tuple[list[Answer], Clock]:
    members = [Member(site, n) for n in range(MEMBERS)]
    for member in members:
        assert member.send("read", member.entry).ok
    stop = threading.Event()
    crashed: list[BaseException] = []

    def run(member: Member) -> None:
        n = 1
        try:
            while not stop.is_set():
                member.step(n)
                n += 1
                time.sleep(PAUSE)
        except BaseException as error:  # the test fails with it below
            crashed.append(error)

    threads = [threading.Thread(target=run, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    clock = Clock()
    try:
        time.sleep(WARM_SECONDS)
        clock.stopping = time.monotonic()
        site.postgres.stop("fast")
        clock.down = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        clock.starting = time.monotonic()
        site.postgres.start()
        clock.up = time.monotonic()
        time.sleep(AFTER_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a member's request hung"
    assert not crashed, crashed
    answers = sorted((a for m in members for a in m.answers), key=lambda a: a.started)
    return answers, clock


def _while_down(site: Site) -> list[Answer]:
    """Each member reads the topic twice with the database up (the second read from the page
    kept in Redis), then, the database stopped, reads it again and comments on it."""
    members = [Member(site, n) for n in range(MEMBERS)]
    for member in members:
        assert all(member.send("read", member.topic).ok for _ in range(2)), member.answers
    site.postgres.stop("fast")
    try:
        for member in members:
            member.answers.clear()
            member.send("read", member.topic)
            member.send("topic_comment", f"{member.topic}comments/", "down", data={"body": "down"})
    finally:
        site.postgres.start()
    return [a for m in members for a in m.answers]


def _reads_after_a_quiet_restart(site: Site) -> list[Answer]:
    """The database restarted while nobody asked anything: each worker's persistent
    connection died unseen. The next requests, all at once so that both workers serve, must
    find that out before using it (CONN_HEALTH_CHECKS) and connect again, none failing."""
    site.postgres.stop("fast")
    site.postgres.start()
    members = [Member(site, n) for n in range(MEMBERS)]
    threads = [threading.Thread(target=lambda m=m: [m.send("read", m.topic) for _ in range(3)])
               for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [a for m in members for a in m.answers]


# --- what the database holds -------------------------------------------------------------------


def _rows(site: Site, sql: str, *params) -> list[tuple]:
    with site.postgres.connect(DATABASE) as connection:
        return connection.execute(sql, params).fetchall()


def _written(site: Site) -> dict[str, list]:
    """Each marker found, with the rows found for it (one list entry per row)."""
    found: dict[str, list] = {}
    for (body,) in _rows(site, "SELECT body FROM diary_comment WHERE entry_id = %s",
                         site.world["entry"]):
        found.setdefault(body, []).append("comment")
    for (body,) in _rows(site, "SELECT body FROM communities_topiccomment WHERE topic_id = %s",
                         site.world["topic"]):
        found.setdefault(body, []).append("topic_comment")
    for (title,) in _rows(site, "SELECT title FROM diary_entry WHERE title LIKE 'load-%%'"):
        found.setdefault(title, []).append("entry")
    return found


def _assert_whole(site: Site) -> None:
    """What each write puts beside its row is there with it."""
    # A topic's count of comments and its latest commenter are the comments' own.
    [(count, last_commenter, last_activity)] = _rows(
        site, "SELECT comment_count, last_commenter_id, last_activity_at FROM "
        "communities_topic WHERE id = %s", site.world["topic"])
    [(rows,)] = _rows(site, "SELECT count(*) FROM communities_topiccomment WHERE topic_id = %s",
                      site.world["topic"])
    assert count == rows
    [(author, created)] = _rows(
        site, "SELECT author_id, created_at FROM communities_topiccomment WHERE topic_id = %s "
        "ORDER BY created_at DESC, id DESC LIMIT 1", site.world["topic"])
    assert (last_commenter, last_activity) == (author, created)
    # Every comment on another's entry came with its notice to the entry's author.
    unnoticed = _rows(site, """
        SELECT c.id FROM diary_comment c JOIN diary_entry e ON e.id = c.entry_id
        WHERE c.author_id <> e.author_id AND (
            SELECT count(*) FROM sns_notification n
            WHERE n.kind = 'diary_comment' AND n.target_id = c.id) <> 1""")
    assert unnoticed == []
    # Every entry has its photo, and every photo its files; no file is left by a write that
    # failed.
    photos = _rows(site, """
        SELECT e.title, array_agg(p.image) FILTER (WHERE p.id IS NOT NULL) FROM diary_entry e
        LEFT JOIN diary_entryphoto p ON p.entry_id = e.id
        WHERE e.title LIKE 'load-%%' GROUP BY e.id""")
    assert all(keys and len(keys) == 1 for _title, keys in photos), photos
    kept = {key for _title, keys in photos for key in keys}
    for key in kept:
        for size in images.SIZES:
            assert (site.media / images.path(key, size)).is_file(), key
    stored = {str(p.parent.relative_to(site.media)) for p in site.media.rglob("*.*")
              if p.parent.parent.parent.name == "diary"}
    assert stored == kept


# --- the test ----------------------------------------------------------------------------------


def _report(answers: list[Answer], clock: Clock) -> str:
    failed_after = [a for a in answers if a.started >= clock.up and not a.ok]
    recovery = max((a.ended - clock.up for a in failed_after), default=0.0)
    during = [a for a in answers if clock.down <= a.started and a.ended <= clock.starting]
    writes = [a for a in answers if a.kind != "read"]
    return (
        f"{len(answers)} requests ({sum(a.ok for a in writes)} writes done, "
        f"{sum(not a.ok for a in writes)} failed); stop took "
        f"{clock.down - clock.stopping:.2f} s, down "
        f"{clock.starting - clock.down:.2f} s, start took {clock.up - clock.starting:.2f} s; "
        f"during the outage {len(during)} answered "
        f"{sorted({a.status for a in during})} in at most "
        f"{max((a.took for a in during), default=0):.3f} s; last failure "
        f"{recovery:.2f} s after the database was back; slowest answer "
        f"{max(a.took for a in answers):.3f} s"
    )


def test_a_database_restart_under_load_fails_cleanly_and_loses_nothing(site, capsys):
    answers, clock = _load_through_a_restart(site)
    summary = _report(answers, clock)
    with capsys.disabled():
        print(f"\n[faults] {summary}")

    # Every request answered, none after gunicorn's timeout.
    assert all(a.status for a in answers), [a for a in answers if not a.status]
    assert max(a.took for a in answers) < WORKER_TIMEOUT, summary
    # Before the outage, all went well; during it, the site's own error page, at once, but
    # for a page kept whole in Redis, which is still shown (and is whole: it carries its form).
    assert all(a.ok for a in answers if a.ended < clock.stopping), summary
    during = [a for a in answers if clock.down <= a.started and a.ended <= clock.starting]
    assert len(during) >= MEMBERS, summary
    refused = [a for a in during if a.status in (500, 503) and a.error_page]
    shown = [a for a in during if a.kind == "read" and a.ok and a.whole]
    assert len(refused) + len(shown) == len(during), [
        a for a in during if a not in refused and a not in shown]
    assert any(a.kind != "read" for a in during), summary
    # Back within RECOVERY_LIMIT seconds: after that, everything succeeds (and the load went
    # on long enough to show it).
    late = [a for a in answers if a.started >= clock.up + RECOVERY_LIMIT]
    assert len(late) >= MEMBERS, summary
    assert all(a.ok for a in answers if a.started >= clock.up + RECOVERY_LIMIT), summary
    assert all(a.ended - clock.up <= RECOVERY_LIMIT
               for a in answers if a.started >= clock.up and not a.ok), summary

    # Nothing lost, nothing written twice, nothing written by a request that failed.
    written = _written(site)
    writes = [a for a in answers if a.kind != "read"]
    for answer in writes:
        expected = [answer.kind] if answer.ok else []
        assert written.pop(answer.marker, []) == expected, answer
    assert not [marker for marker in written if marker.startswith("load-")]
    assert any(a.ok for a in writes if a.started >= clock.up)
    _assert_whole(site)
    # Each request the outage failed is one line of the log, not a traceback each (issue 15).
    log = site.server.log.read_text(errors="replace")
    assert "Traceback" not in log, site.server.log_tail()
    failed = [a for a in answers if a.status >= 500]
    assert log.count("(the database is unavailable: ") == len(failed), summary

    # A page kept whole in Redis is still read while the database is down; a write is not
    # taken, and says so on the site's own page.
    down = _while_down(site)
    assert all(a.ok and a.whole for a in down if a.kind == "read"), down
    assert all(a.status == 503 and a.error_page for a in down if a.kind != "read"), down
    assert not _rows(site, "SELECT 1 FROM communities_topiccomment WHERE body = 'down'")

    quiet = _reads_after_a_quiet_restart(site)
    assert len(quiet) == 3 * MEMBERS
    assert all(a.ok for a in quiet), quiet
