"""What a page's likes cost, on the seeded likes (a dev tool, not a test): "the like count on a
list costs no query per item" (issue 19, item 5), and how long that one query takes.

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/likes.py [--rounds 200]

Times, p50 / p95 in ms over ``--rounds`` calls spread over several pages:

- ``like_states`` (sns.likes) for a page of 50 comments of an entry, as its reader sees them
  (the counts and whether the reader liked each), and for one entry with 1,000 likes or more;
- ``Entry.objects.for_list()`` (the like_count annotation) for the 20 newest entries of a
  popular author, the rows read to the end;
- ``counts_by_id`` for the same 20 entries (the "likes-entry" hole of the kept lists);

each with its query count (1 whatever the size of the page) and the EXPLAIN (ANALYZE,
BUFFERS) of its count query, which must read an index alone (an index-only scan of like_once
or like_newest, both led by the thing).
Seeds what is missing first (``seed_all.py``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import seed_graph

RANDOM_SEED = 19


def _timed(rounds: int, calls: list) -> tuple[float, float, int]:
    """p50, p95 (ms) over ``rounds`` calls taken in turn from ``calls``, and the most queries
    one of them asked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, most = [], 0
    for k in range(rounds):
        call = calls[k % len(calls)]
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        most = max(most, len(queries))
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], most


def _explain(call) -> str:
    """The plan of the query ``call`` asks that reads sns_like, run with ANALYZE."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    sql = next(q["sql"] for q in queries.captured_queries if "sns_like" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def cases(rng: random.Random):
    """(name, calls, a call to explain): the pages measured."""
    from load_likes import _friends_of, hot_entries

    from accounts.models import User
    from diary.models import Comment, Entry
    from sns.likes import counts_by_id, like_states

    hot = hot_entries(50)
    if not hot:
        raise SystemExit("no entry with 1,000 likes: run bench/seed_likes.py first")
    authors = list(dict.fromkeys(author for _, author, _ in hot))[:10]
    readers = {a: User.objects.get(pk=_friends_of(a, rng, 1)[0]) for a in authors}
    # Entries with the most comments among the popular authors', a page of 50 comments each.
    pages = []
    for author in authors:
        entry = (Entry.objects.filter(author=author).with_comment_count()
                 .order_by("-comment_count").first())
        comments = list(Comment.objects.filter(entry=entry).order_by("created_at", "pk")[:50])
        if len(comments) == 50:
            pages.append((readers[author], comments))
    if not pages:  # no popular author's entry has 50 comments: the entries with the most
        for entry in Entry.objects.with_comment_count().order_by("-comment_count")[:5]:
            comments = list(entry.comments.order_by("created_at", "pk")[:50])
            pages.append((entry.author, comments))
    hot_things = [(readers[author], [Entry.objects.get(pk=pk)])
                  for pk, author, _ in hot[:10] if author in readers]

    def newest(author: int) -> list:
        return list(Entry.objects.filter(author=author).for_list()
                    .order_by("-created_at", "-pk")[:20])

    def newest_uncounted(author: int) -> list:  # the same without the like count
        return list(Entry.objects.filter(author=author).select_related("author__profile")
                    .with_comment_count().order_by("-created_at", "-pk")[:20])

    ids = {a: list(Entry.objects.filter(author=a).order_by("-created_at", "-pk")
                   .values_list("pk", flat=True)[:20]) for a in authors}
    return [
        ("like_states, 50 comments", [lambda v=v, c=c: like_states(v, c) for v, c in pages],
         lambda: like_states(*pages[0])),
        ("like_states, an entry with 1,000+ likes",
         [lambda v=v, t=t: like_states(v, t) for v, t in hot_things],
         lambda: like_states(*hot_things[0])),
        ("for_list(), 20 entries of a popular author", [lambda a=a: newest(a) for a in authors],
         lambda: newest(authors[0])),
        ("the same without the like count", [lambda a=a: newest_uncounted(a) for a in authors],
         None),
        ("counts_by_id, the same 20 entries",
         [lambda a=a: counts_by_id(Entry, ids[a]) for a in authors],
         lambda: counts_by_id(Entry, ids[authors[0]])),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="calls of each case")
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    import seed_all

    seed_all.ensure_seeded()
    rng = random.Random(RANDOM_SEED)
    found = cases(rng)
    print("| what | p50 ms | p95 ms | queries |\n|---|---:|---:|---:|")
    plans = []
    for name, calls, explain in found:
        for call in calls:  # once each first: the pages read once, as a site in use has
            call()
        p50, p95, queries = _timed(args.rounds, calls)
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {queries} |")
        if explain is not None:
            plans.append((name, _explain(explain)))
    ok = True
    for name, plan in plans:
        print(f"\n{name}:\n{plan}")
        reads = [line for line in plan.splitlines() if " on sns_like" in line]
        ok = ok and bool(reads) and all("Index Only Scan using like_" in r for r in reads)
    # like_once (type, id, member) or like_newest (type, id, created_at): either holds the
    # thing, so either counts from the index alone; the planner takes the smaller.
    print("\nevery count reads an index of sns_like alone (index-only):", "yes" if ok else "NO",
          file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
