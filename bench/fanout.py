"""The fan-out under load (issue 16, item 6), for bench/load.py: a friend's new diary entry,
written through the site, until it is on a friend's home.

The servers queue their tasks in PostgreSQL and one task worker (``manage.py db_worker``, as
README › Running on several machines starts it) runs them; a new entry's request only queues
``diary.tasks.tell_friends``, which bumps every friend's home list. Each sample: a writer and
a reader who are friends, both logged in (sessions written as a login writes them); the
reader's home read once (its lists kept); the writer posts an entry (its answer's time is the
write's); the reader's home polled every 50 ms until the entry's title is on it (the delay).
Also the same for the largest writer of issue 16: the seed's best-connected member (5,600
friends) is given friends up to LARGEST (20,000) for the probe, in rows marked by their
date, which ``clean_up`` removes afterwards (also those of a run that stopped half-way).
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

TITLE = "負荷試験 fan-out"
POLL_EVERY = 0.05
GIVE_UP_AFTER = 30.0
LARGEST = 20_000
# The date of the friendships made for the probe: no other row has it.
_MADE_FOR_THE_PROBE = datetime(2001, 1, 1, tzinfo=UTC)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Browser:
    member_id: int
    cookie: str
    csrf: str


def browser_of(member) -> Browser:
    """A logged-in session for ``member``, as bench/load.py writes them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    session = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.MemberBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    csrf = get_random_string(32)
    return Browser(member.pk, f"sessionid={session.session_key}; csrftoken={csrf}", csrf)


def _open(url: str, browser: Browser, data: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url, method="POST" if data else "GET",
        data=urllib.parse.urlencode(data).encode() if data else None,
        headers={"Cookie": browser.cookie, "X-CSRFToken": browser.csrf,
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@dataclass
class Sample:
    write_ms: float
    delay_ms: float | None  # None: not on home within GIVE_UP_AFTER
    friends: int


def one(url: str, writer: Browser, reader: Browser, friends: int) -> Sample:
    _open(url + "/", reader)
    title = f"{TITLE} {uuid.uuid4().hex[:10]}"
    start = time.monotonic()
    status, _body = _open(url + "/diary/new/", writer, {
        "title": title, "body": "届くまでの時間を測ります。", "visibility": "friends",
    })
    written = time.monotonic()
    if status != 302:
        raise SystemExit(f"writing an entry answered {status}")
    while time.monotonic() - written < GIVE_UP_AFTER:
        if title in _open(url + "/", reader)[1]:
            return Sample((written - start) * 1000, (time.monotonic() - written) * 1000, friends)
        time.sleep(POLL_EVERY)
    return Sample((written - start) * 1000, None, friends)


def pairs(count: int, rng) -> list[tuple[Browser, Browser, int]]:
    """The member with the most friends and one of them, then ``count`` (writer, reader,
    writer's friends) of active friends."""
    from django.db.models import Count

    from accounts.models import Friendship, User

    counts = dict(
        Friendship.objects.filter(user__is_active=True).values("user")
        .annotate(n=Count("pk")).values_list("user", "n")
    )
    writers = rng.sample([pk for pk, n in counts.items() if 20 <= n <= 400], count)
    biggest = max(counts, key=counts.get)
    counts[biggest] += _more_friends(biggest, LARGEST - counts[biggest])
    chosen = []
    for writer_id in [biggest, *writers]:
        reader_id = (
            Friendship.objects.filter(user_id=writer_id, friend__is_active=True)
            .values_list("friend_id", flat=True).first()
        )
        writer, reader = User.objects.get(pk=writer_id), User.objects.get(pk=reader_id)
        chosen.append((browser_of(writer), browser_of(reader), counts[writer_id]))
    return chosen


@dataclass
class Probe:
    """Runs the samples one after another in a thread (beside a load)."""

    url: str
    chosen: list
    samples: list[Sample] = field(default_factory=list)
    thread: threading.Thread | None = None

    def start(self) -> Probe:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        for writer, reader, friends in self.chosen:
            self.samples.append(one(self.url, writer, reader, friends))

    def join(self) -> dict:
        self.thread.join()
        return summary(self.samples)


def summary(samples: list[Sample]) -> dict:
    biggest, usual = samples[0], samples[1:]
    delays = sorted(s.delay_ms for s in usual if s.delay_ms is not None)
    writes = sorted(s.write_ms for s in usual)

    def p(values, q):
        return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None

    return {
        "samples": len(usual), "missed": sum(1 for s in usual if s.delay_ms is None),
        "write_p50_ms": p(writes, 0.5), "write_p95_ms": p(writes, 0.95),
        "delay_p50_ms": p(delays, 0.5), "delay_p95_ms": p(delays, 0.95),
        "delay_max_ms": round(max(delays), 1) if delays else None,
        "delay_mean_ms": round(statistics.mean(delays), 1) if delays else None,
        "biggest_friends": biggest.friends, "biggest_write_ms": round(biggest.write_ms, 1),
        "biggest_delay_ms": round(biggest.delay_ms, 1) if biggest.delay_ms else None,
    }


def _more_friends(member_id: int, n: int) -> int:
    """Make ``member_id`` a friend of ``n`` more active members (none in a block with them),
    both rows of each pair, as the services write them; returns how many."""
    from django.db import connection

    if n <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH more AS (
              SELECT u.id FROM accounts_user u
               WHERE u.is_active AND u.id <> %(m)s
                 AND NOT EXISTS (SELECT 1 FROM accounts_friendship f
                                  WHERE f.user_id = %(m)s AND f.friend_id = u.id)
                 AND NOT EXISTS (SELECT 1 FROM accounts_block b
                                  WHERE (b.blocker_id = %(m)s AND b.blocked_id = u.id)
                                     OR (b.blocker_id = u.id AND b.blocked_id = %(m)s))
               ORDER BY u.id LIMIT %(n)s)
            INSERT INTO accounts_friendship (user_id, friend_id, created_at)
            SELECT %(m)s, id, %(at)s FROM more UNION ALL SELECT id, %(m)s, %(at)s FROM more
            """,
            {"m": member_id, "n": n, "at": _MADE_FOR_THE_PROBE},
        )
        return cursor.rowcount // 2


def clean_up() -> int:
    """Delete the entries the probe wrote (they would pile up in the bench data) and the
    friendships it made."""
    from accounts.models import Friendship
    from diary.models import Entry

    Friendship.objects.filter(created_at=_MADE_FOR_THE_PROBE).delete()
    return Entry.objects.filter(title__startswith=TITLE).delete()[0]
