"""The two friend-of-a-friend formulations, timed on the queries the site runs with them (a
dev tool, not a test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/fof.py [--samples 30]
        [--explain] [--reseed]

Seeds its own database (``tsunagari_bench_fof``, or the one ``BENCH_DATABASE_URL`` names)
with the friend graph of ``seed_graph.py`` (100,000 members, 1,000,000 friendships, degrees
up to about 5,600), then, once: viewers of about 20, 200, 1,000 and 5,000 friends; for each,
two friends of a friend to read (the one with the fewest friends and the one with the most),
with 400 diary entries each over three years at the seed's mix of levels; and 20,000
off-kai by random members at the same mix. With each formulation in turn,
``sns.visibility.friend_of_friend`` is replaced and the site's own reads are timed:

* **diary** — the diary page of a friend of a friend (``diary.views.entries``: the count, the
  first page, the months): ``Entry.objects.visible_to``, one ``level_rule`` per entry;
* **relations** — ``relations_to`` for 50 members (10 friends, 20 friends of friends, 20
  others): ``relation_annotations``, one test per member;
* **events** — the upcoming off-kai, counted and the first page: ``Event.objects.visible_to``,
  one ``level_reach`` per event, its creator varying;
* **audience** — ``offkai.services.audience.may_see`` of a friends-of-friends off-kai by the
  viewer, over 5,000 members: ``level_audience``, the viewer varying and the owner fixed.

The formulations:

* **join** — ``Friendship(user=a, friend__friendships__friend=b)``: from the first side
  (the viewer) through its friends' friends, as diary entries and relations asked it;
* **semi-join** — ``Friendship(user=row, friend IN (the fixed side's friends) OR
  friend=fixed)``: from the side that varies row by row against the other side's friends,
  hashed once, as off-kai asked it (``sns.visibility.friend_of_friend`` now).

Prints p50 / p95 of each, in milliseconds, and with ``--explain`` each query's plan summary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import seed_graph

# A database of its own: the other benchmarks' data set is not needed, and not touched.
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tsunagari_bench_fof"
MARKER = "bench_fof_seed"
SEED_VERSION = 1
RANDOM_SEED = 20261201
TARGET_DEGREES = (20, 200, 1000, 5000)
ENTRIES_PER_AUTHOR = 400
EVENTS = 20_000
AUDIENCE = 5_000
LEVELS = ["public", "members", "fof", "friends", "private"]
LEVEL_WEIGHTS = [2, 35, 8, 50, 5]
WARMUP = 3


# --- the formulations ------------------------------------------------------------------------


def join_form(a, b):
    """From ``a`` through its friends' friends: ``a``'s friends joined to their friendships,
    looking for ``b``."""
    from django.apps import apps
    from django.db.models import Exists

    Friendship = apps.get_model("accounts", "Friendship")
    return Exists(Friendship.objects.filter(user=a, friend__friendships__friend=b))


def formulations() -> dict:
    from sns import visibility

    return {"join": join_form, "semi-join": visibility.friend_of_friend}


def use(form) -> None:
    """Make ``form`` the site's friend-of-a-friend test (relations_to's compiled query too)."""
    from sns import visibility

    visibility.friend_of_friend = form
    visibility._relations_query.cache_clear()


# --- the data --------------------------------------------------------------------------------


def _rows(sql: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _chosen() -> dict | None:
    if _rows(f"SELECT to_regclass('{MARKER}')")[0][0] is None:
        return None
    row = _rows(f"SELECT version, chosen FROM {MARKER}")  # noqa: S608 (a constant)
    return json.loads(row[0][1]) if row and row[0][0] == SEED_VERSION else None


def choose(rng: random.Random) -> dict:
    """The viewers (by degree) and, for each, the friends of a friend whose diaries they
    read."""
    degrees = dict(_rows(
        "SELECT f.user_id, count(*) FROM accounts_friendship f JOIN accounts_user u "
        "ON u.id = f.user_id WHERE u.is_active GROUP BY f.user_id"
    ))
    chosen = {"viewers": []}
    for target in TARGET_DEGREES:
        viewer = min(degrees, key=lambda pk, t=target: (abs(degrees[pk] - t), pk))
        fofs = [pk for (pk,) in _rows(
            "SELECT DISTINCT g.friend_id FROM accounts_friendship f "
            "JOIN accounts_friendship g ON g.user_id = f.friend_id "
            "WHERE f.user_id = %(v)s AND g.friend_id <> %(v)s AND NOT EXISTS ("
            "SELECT 1 FROM accounts_friendship k WHERE k.user_id = %(v)s "
            "AND k.friend_id = g.friend_id)", {"v": viewer},
        ) if pk in degrees]
        fofs.sort(key=lambda pk: (degrees[pk], pk))
        chosen["viewers"].append({
            "id": viewer, "degree": degrees[viewer],
            "authors": [[fofs[0], degrees[fofs[0]]], [fofs[-1], degrees[fofs[-1]]]],
        })
    return chosen


def seed(rng: random.Random) -> dict:
    """Entries of the chosen authors and the off-kai, once (a marker table says so)."""
    import psycopg

    from diary.models import Entry
    from offkai.models import Event

    chosen = _chosen()
    if chosen is not None:
        print(f"  {MARKER}: already seeded", file=sys.stderr)
        return chosen
    chosen = choose(rng)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    active = [pk for (pk,) in _rows("SELECT id FROM accounts_user WHERE is_active ORDER BY id")]
    e_columns, e_template = seed_graph._columns(Entry, {"title": "日記", "body": "今日の日記。"})
    v_columns, v_template = seed_graph._columns(Event, {
        "title": "オフ会", "venue": "新宿", "description": "", "address": "", "fee": "",
        "cancel_reason": "",
    })

    def entries():
        authors = {a for v in chosen["viewers"] for a, _degree in v["authors"]}
        for author in sorted(authors):
            for _ in range(ENTRIES_PER_AUTHOR):
                row = dict(zip(e_columns, e_template, strict=True))
                row.update(author_id=author, created_at=now - timedelta(
                    minutes=rng.randrange(3 * 365 * 24 * 60)),
                    visibility=rng.choices(LEVELS, LEVEL_WEIGHTS)[0])
                row.pop("id", None)
                yield row

    def events():
        for _ in range(EVENTS):
            starts = now + timedelta(hours=rng.randrange(-365 * 24, 365 * 24))
            row = dict(zip(v_columns, v_template, strict=True))
            row.update(created_by_id=rng.choice(active), starts_at=starts,
                       ends_at=starts + timedelta(hours=3), community_id=None,
                       visibility=rng.choices(LEVELS, LEVEL_WEIGHTS)[0])
            row.pop("id", None)
            yield row

    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        for model, rows in ((Entry, list(entries())), (Event, list(events()))):
            columns = list(rows[0])
            seed_graph._copy(cursor, model._meta.db_table, columns,
                             ([r[c] for c in columns] for r in rows), len(rows),
                             model._meta.model_name)
        cursor.execute(f"CREATE TABLE {MARKER} (version int NOT NULL, chosen text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s)",  # noqa: S608 (a constant)
                       (SEED_VERSION, json.dumps(chosen)))
    with psycopg.connect(url, autocommit=True) as conn:
        for model in (Entry, Event):
            conn.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
    return chosen


def relation_sample(viewer: int, rng: random.Random) -> list[int]:
    """50 members for ``relations_to``: 10 friends, 20 friends of friends, 20 others."""
    friends = [pk for (pk,) in _rows(
        "SELECT friend_id FROM accounts_friendship WHERE user_id = %s ORDER BY friend_id",
        [viewer])]
    fofs = [pk for (pk,) in _rows(
        "SELECT DISTINCT g.friend_id FROM accounts_friendship f JOIN accounts_friendship g "
        "ON g.user_id = f.friend_id WHERE f.user_id = %s ORDER BY 1 LIMIT 20000", [viewer])]
    fofs = sorted(set(fofs) - set(friends) - {viewer})
    others = rng.sample(range(1, 100_001), 20)
    return (rng.sample(friends, min(10, len(friends))) + rng.sample(fofs, min(20, len(fofs)))
            + others)


# --- the reads -------------------------------------------------------------------------------


def reads(viewer, authors: list, sample: list[int], audience: list[int], event) -> dict:
    """Each read the site makes with the test, as a call (name → callable)."""
    from django.core.paginator import Paginator

    from accounts.models import User
    from diary.views.entries import _entries_of, _months_of
    from offkai.models import Event
    from offkai.services.audience import may_see
    from sns.visibility import relations_to

    members = [User(pk=pk) for pk in sample]

    def diary(author):
        def read():
            page = Paginator(_entries_of(viewer, author), 20).get_page(1)
            list(page.object_list)
            _months_of(viewer, author)
        return read

    def events():
        upcoming = Event.objects.visible_to(viewer).upcoming()
        upcoming.count()
        list(upcoming[:20])

    calls = {f"diary ({n:,} friends)": diary(a) for a, n in authors}
    calls["relations (50)"] = lambda: relations_to(viewer, members)
    calls["events"] = events
    calls[f"audience ({len(audience):,})"] = lambda: list(
        may_see(event, User.objects.filter(pk__in=audience)).values_list("pk", flat=True))
    return calls


def timed(call, n: int) -> list[float]:
    times = []
    for i in range(n + WARMUP):
        start = time.perf_counter()
        call()
        if i >= WARMUP:
            times.append((time.perf_counter() - start) * 1000)
    return times


def explain(call) -> list[str]:
    """The execution time and the top of each query's plan that ``call`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    lines = []
    for query in captured.captured_queries:
        if not query["sql"].startswith("SELECT"):
            continue
        plan = [r[0] for r in _rows("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])]
        lines.append("      " + plan[-1] + " | " + plan[0][:110])
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the plans' summaries")
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    args = parser.parse_args(argv)
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)
    seed_graph.configure_django()
    seed_graph.ensure_seeded(reseed=args.reseed)
    rng = random.Random(RANDOM_SEED)
    chosen = seed(rng)

    from accounts.models import User
    from offkai.models import Event
    from sns.visibility import Level

    active = [pk for (pk,) in _rows("SELECT id FROM accounts_user WHERE is_active ORDER BY id")]
    audience = random.Random(RANDOM_SEED + 1).sample(active, AUDIENCE)
    forms = formulations()
    results: dict[tuple[str, str, str], list[float]] = {}
    for v in chosen["viewers"]:
        viewer = User.objects.get(pk=v["id"])
        authors = [(User.objects.get(pk=pk), n) for pk, n in v["authors"]]
        event = Event(pk=0, created_by_id=viewer.pk, visibility=Level.FRIENDS_OF_FRIENDS)
        calls = reads(viewer, authors, relation_sample(viewer.pk, rng), audience, event)
        who = f"viewer {viewer.pk} ({v['degree']:,} friends)"
        for what, call in calls.items():
            # Alternating, so that neither formulation has the warmer cache throughout.
            for name, form in [*forms.items(), *reversed(forms.items())]:
                use(form)
                results.setdefault((who, what, name), []).extend(timed(call, args.samples // 2))
            if args.explain:
                for name, form in forms.items():
                    use(form)
                    print(f"  {who} · {what} · {name}:", *explain(call), sep="\n")
    use(forms["semi-join"])
    print(f"\n{'who':<28} {'read':<26} " + " ".join(f"{n + ' p50/p95':>20}" for n in forms))
    for (who, what, name), _times in results.items():
        if name != "join":
            continue
        cells = []
        for form in forms:
            times = sorted(results[(who, what, form)])
            p95 = times[max(0, int(0.95 * len(times)) - 1)]
            cells.append(f"{statistics.median(times):9.2f} / {p95:8.2f}")
        print(f"{who:<28} {what:<26} " + " ".join(f"{c:>20}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
