"""Seed the bench database with diaries on top of the friend graph (a dev tool, never a test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_diary.py [--reseed-diary]

Seeds the friend graph first if needed (``seed_graph.py``: 100,000 members, 1,000,000
friendships), then adds 2,000,000 diary entries, 5,000,000 comments and about 250,000
entry photos:

* **Entries** over the last three years, more each month as the site grows, mostly in the
  evening. Authors are drawn with a skew: 30% of members never write, the others with a
  Pareto weight (a few write almost daily) times a little more for the well-connected;
  nobody writes before they joined. Each author has a usual visibility (mostly friends or
  members, some friends of friends, only me or public) and keeps to it 85% of the time.
  Titles and bodies (Markdown: paragraphs, now and then a heading, list, quote, link or
  emphasis; 80% Japanese, 20% English; a few dozen to a few thousand characters) come from
  pools made once, so rows cost little to make.
* **Comments** on entries skewed to recent ones and to well-connected authors (a
  log-normal popularity), none on private entries, 40 "hot" entries with 200-600 comments;
  mostly by the author's friends, some by the author, some by other members; written
  minutes to days after the entry, and inserted in time order (ids grow with time and an
  entry's comments lie scattered over the table, as on the site).

Rows are generated as streams fed to COPY (text format, FREEZE, the secondary indexes
dropped during the load and built again after it), then ANALYZE. The same rows on every run
(fixed random seed; dates end at the hour of seeding). A marker table ``bench_diary_seed``
records the size, so a second run does nothing; ``--reseed-diary`` empties the diary tables
and seeds them again (``--reseed`` redoes the friend graph too).
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import sys
import time
from array import array
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate

import seed_graph
from seed_graph import Progress

MARKER = "bench_diary_seed"
ENTRIES = 2_000_000
COMMENTS = 5_000_000
# Bumped when what is seeded changes, so that the next run seeds again.
SEED_VERSION = 1
RANDOM_SEED = 20250401
DAYS = 3 * 365
HOT_ENTRIES = 40
HOT_COMMENTS = (200, 600)
PHOTO_SHARE = 0.08
CHUNK = 2_000  # rows per write to COPY

# Levels (sns.visibility.Level values), and how often an author's usual one is each.
LEVELS = ["public", "members", "fof", "friends", "private"]
USUAL_LEVEL_WEIGHTS = [2, 35, 8, 50, 5]
# An entry that departs from the author's usual level.
OTHER_LEVEL_WEIGHTS = [3, 30, 15, 35, 17]
PRIVATE = LEVELS.index("private")
# Entries by hour of the day (UTC+9 evenings are busiest: the site is Japanese).
HOUR_WEIGHTS = [
    2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 12, 9, 6, 5, 4, 3, 3, 3, 3, 3, 3,
]

# --- text ----------------------------------------------------------------------------------

JA_SENTENCES = [
    "今日は朝から雨で、駅まで歩くだけで靴がびしょびしょになりました。",
    "久しぶりに大学時代の友人と会って、近況をたっぷり話しました。",
    "新しいプロジェクトが始まり、毎日バタバタしています。",
    "週末は家族で近くの公園へ行き、子どもたちと一緒にお弁当を食べました。",
    "駅前に新しいカフェができたので、仕事帰りに寄ってみました。",
    "最近読んだ本がとても面白かったので、少し感想を書いておきます。",
    "出張で大阪へ。たこ焼きとお好み焼きを両方食べてしまいました。",
    "ランニングを始めて三か月、ようやく十キロ走れるようになりました。",
    "会議が長引いて、お昼を食べそびれてしまいました。",
    "桜がちょうど見頃で、川沿いの道はたくさんの人でにぎわっていました。",
    "夜は鍋にしました。寒い日はやっぱりこれに限ります。",
    "勉強会で発表しました。緊張しましたが、質問もたくさんいただけて良かったです。",
    "引っ越しの準備がなかなか進みません。段ボールが部屋を占領しています。",
    "実家から野菜が届きました。今週はしばらく野菜中心の食事になりそうです。",
    "温泉に一泊して、日頃の疲れがすっかり取れました。",
    "映画館で話題の作品を観てきました。最後の場面で思わず泣いてしまいました。",
    "皆さんはこの連休、どう過ごされましたか。",
    "写真を何枚か撮ったので、また改めて載せますね。",
    "先輩に教えてもらったお店のランチが絶品でした。",
    "取引先との打ち合わせがうまくまとまり、ほっとしています。",
    "台風の影響で電車が止まり、今日は在宅勤務に切り替えました。",
    "娘の運動会で、リレーのアンカーを任されていました。",
    "紅葉を見に山へ行きました。空気が澄んでいて気持ちよかったです。",
    "年末の大掃除、今年こそは早めに始めたいと思います。",
    "久しぶりにギターを弾いてみたら、指が全然動きませんでした。",
    "お昼に食べた定食がボリューム満点で、午後はずっと眠かったです。",
    "資格試験まであと一か月。毎朝一時間の勉強を続けています。",
    "同期の送別会でした。寂しくなりますが、新天地での活躍を祈っています。",
    "ベランダで育てているトマトが、ようやく赤くなってきました。",
    "今日はこのへんで。おやすみなさい。",
]
EN_SENTENCES = [
    "It rained all morning, so I finally sorted the photos from last month's trip.",
    "Caught up with an old friend from university over a long lunch today.",
    "The new project kicked off this week and everything is moving fast.",
    "We took the kids to the park and had a picnic under the cherry trees.",
    "A new coffee place opened near the station, and the flat white is excellent.",
    "I just finished a book I could not put down, so here are a few thoughts.",
    "Business trip to Osaka: I ate far too much takoyaki and regret nothing.",
    "Three months into running and I managed ten kilometres without stopping.",
    "The meeting ran long and I missed lunch entirely.",
    "Hot pot for dinner tonight, which is exactly right for a cold evening.",
    "Gave a short talk at the study group; nervous, but the questions were great.",
    "Packing for the move is going slowly and the boxes have taken over the flat.",
    "Spent a night at an onsen and feel like a new person.",
    "How did everyone spend the long weekend?",
    "I took a few pictures and will post them later.",
    "The tomatoes on the balcony are finally turning red.",
    "The typhoon stopped the trains, so I worked from home.",
    "Exam in a month; I am studying an hour every morning before work.",
    "Farewell party for a colleague tonight; we will miss her.",
    "That is all for today. Good night!",
]
JA_HEADINGS = ["今日のこと", "メモ", "感想", "行ったお店", "やることリスト", "おまけ"]
EN_HEADINGS = ["Today", "Notes", "Thoughts", "Where we ate", "To do", "P.S."]
JA_TOPICS = [
    "ランチ", "散歩", "読書", "出張", "飲み会", "映画", "カフェ", "ランニング", "料理",
    "旅行", "仕事", "勉強会", "引っ越し", "花見", "紅葉", "温泉", "週末", "家族", "写真",
]
JA_TITLE_FORMS = ["今日の{}", "週末の{}", "久しぶりの{}", "{}", "初めての{}", "{}の話",
                  "{}メモ", "{}でした", "{}日記", "{}！"]
EN_TOPICS = [
    "lunch", "a walk", "books", "a business trip", "drinks", "a film", "coffee", "running",
    "cooking", "travel", "work", "the study group", "moving house", "cherry blossoms",
    "the weekend", "family", "photos",
]
EN_TITLE_FORMS = ["Today: {}", "Weekend {}", "About {}", "{}", "Notes on {}", "Finally, {}",
                  "{} again", "A day of {}"]
JA_COMMENTS = [
    "いいですね！", "お疲れさまでした。", "楽しそう！", "今度ぜひご一緒させてください。",
    "わかります、私も同じです。", "写真楽しみにしています。", "おいしそう〜", "すごい！",
    "ありがとうございます。", "無理しないでくださいね。", "また近いうちに飲みましょう。",
    "そのお店、私も気になっていました。", "懐かしいです。", "おめでとうございます！",
    "笑いました。", "参考になります。", "どこですか？", "お大事に。",
]
EN_COMMENTS = [
    "Looks great!", "Well done!", "Sounds fun.", "Count me in next time.",
    "Same here, honestly.", "Can't wait to see the photos.", "Congratulations!",
    "Thanks for sharing.", "Take care of yourself.", "Where is that?", "Ha, love it.",
]


def copy_text(value: str) -> str:
    """``value`` escaped for COPY's text format."""
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _paragraph(rng: random.Random, sentences: list[str], ja: bool) -> str:
    text = ("" if ja else " ").join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
    roll = rng.random()
    if roll < 0.08:
        words = text.split("、" if ja else ", ")
        return "\n".join(f"- {w.strip('。. ')}" for w in words[:5])
    if roll < 0.12:
        return "> " + text
    if roll < 0.20:
        cut = len(text) // 3
        return f"{text[:cut]}**{text[cut:2 * cut]}**{text[2 * cut:]}"
    if roll < 0.25:
        return f"{text} [{'こちら' if ja else 'here'}](https://example.jp/p/{rng.randrange(10**6)})"
    return text


def _body(rng: random.Random, ja: bool) -> str:
    sentences, headings = (JA_SENTENCES, JA_HEADINGS) if ja else (EN_SENTENCES, EN_HEADINGS)
    # A few paragraphs, now and then many: 1-15 (a few hundred characters, some thousands).
    paragraphs = [_paragraph(rng, sentences, ja)
                  for _ in range(min(15, 1 + int(rng.expovariate(1 / 3))))]
    if len(paragraphs) > 2 and rng.random() < 0.3:
        paragraphs.insert(rng.randrange(1, len(paragraphs)), "## " + rng.choice(headings))
    return "\n\n".join(paragraphs)


def text_pools(rng: random.Random) -> dict[str, list[str]]:
    """Titles, bodies and comments made once, already escaped for COPY."""
    pools: dict[str, list[str]] = {}
    for lang, ja in (("ja", True), ("en", False)):
        topics, forms = (JA_TOPICS, JA_TITLE_FORMS) if ja else (EN_TOPICS, EN_TITLE_FORMS)
        comments = JA_COMMENTS if ja else EN_COMMENTS
        pools[f"title_{lang}"] = [
            copy_text(rng.choice(forms).format(t).capitalize()) for t in topics for _ in range(8)
        ]
        pools[f"body_{lang}"] = [copy_text(_body(rng, ja)) for _ in range(5_000)]
        pools[f"comment_{lang}"] = [
            copy_text(("" if ja else " ").join(rng.sample(comments, rng.randint(1, 3)))
                      + ("" if rng.random() < 0.7 else
                         rng.choice(JA_SENTENCES if ja else EN_SENTENCES)))
            for _ in range(3_000)
        ]
    return pools


# --- COPY helpers --------------------------------------------------------------------------


def _text_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return copy_text(str(value))


def _extra_columns(model, known: set[str]) -> tuple[list[str], str]:
    """Columns of ``model`` this seeder does not fill (added later by someone), and their
    default values as one COPY text suffix."""
    _, template = seed_graph._columns(model, {})
    columns, values = [], []
    for field, value in zip(seed_graph.stored_fields(model), template, strict=True):
        if field.column not in known:
            columns.append(field.column)
            values.append(_text_value(value))
    return columns, "".join("\t" + v for v in values)


class Timestamps:
    """Seconds since the epoch → COPY text, cheaply (a day's date is made once)."""

    def __init__(self, start: int, days: int):
        self.base = start // 86400
        first = datetime.fromtimestamp(self.base * 86400, UTC)
        self.days = [(first + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(days + 3)]

    def __call__(self, ts: int) -> str:
        day, sec = divmod(ts, 86400)
        hour, sec = divmod(sec, 3600)
        minute, sec = divmod(sec, 60)
        return f"{self.days[day - self.base]} {hour:02d}:{minute:02d}:{sec:02d}+00"


def _copy_lines(cursor, table: str, columns: list[str], lines, total: int, label: str) -> int:
    """COPY the text lines (each ending in a newline) into ``table``; returns the count."""
    progress = Progress(label, total)
    n = _write_lines(cursor, table, columns, lines, progress.update, freeze=True)
    progress.close()
    return n


def _write_lines(cursor, table: str, columns: list[str], lines, done, *, freeze: bool) -> int:
    cols = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN{" (FREEZE)" if freeze else ""}') as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) == CHUNK:
                copy.write("".join(chunk))
                done(CHUNK)
                n += CHUNK
                chunk = []
        if chunk:
            copy.write("".join(chunk))
            done(len(chunk))
            n += len(chunk)
    return n


def _copy_parallel(url: str, table: str, columns: list[str], lines_of, total: int,
                   label: str, parts: int = 2) -> int:
    """COPY ``total`` rows into ``table`` over ``parts`` connections at once, each taking the
    lines of ``lines_of(first, last, part)`` (committed; the table must not have been emptied
    in an open transaction). For the entries, whose search column PostgreSQL computes row
    by row on one core per connection: two connections halve the longest step of the seed."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    progress = Progress(label, total)
    lock = threading.Lock()

    def done(n: int) -> None:
        with lock:
            progress.update(n)

    def load(part: int) -> int:
        first, last = total * part // parts, total * (part + 1) // parts
        with psycopg.connect(url) as conn, conn.cursor() as cursor:
            _no_triggers(conn, cursor)
            return _write_lines(cursor, table, columns, lines_of(first, last, part), done,
                                freeze=False)

    with ThreadPoolExecutor(parts) as pool:
        n = sum(pool.map(load, range(parts)))
    progress.close()
    return n


def _no_triggers(conn, cursor) -> None:
    """Skip the foreign-key triggers while loading (consistent by construction)."""
    import psycopg

    try:
        cursor.execute("SET session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        conn.rollback()


# --- what is seeded ------------------------------------------------------------------------


def _members(cursor):
    """Active and inactive members in the order they joined: ids, joined (epoch seconds),
    friend lists."""
    cursor.execute(
        "SELECT id, extract(epoch FROM date_joined)::bigint FROM accounts_user "
        "ORDER BY date_joined, id"
    )
    rows = cursor.fetchall()
    cursor.execute("SELECT user_id, array_agg(friend_id) FROM accounts_friendship GROUP BY user_id")
    friends = dict(cursor.fetchall())
    return [pk for pk, _ in rows], [j for _, j in rows], friends


def plan_entries(rng, ids, joined, friends, start: int, end: int, entries: int):
    """When each entry was written and by whom (a member's index), in time order, and each
    author's usual level and language. Compact arrays, not lists of rows."""
    weights = []
    for pk in ids:
        if rng.random() < 0.3:
            weights.append(0.0)
        else:
            degree = len(friends.get(pk, ()))
            weights.append(min(rng.paretovariate(1.2), 150.0) * (1 + math.log1p(degree) / 3))
    cum = list(accumulate(weights))
    usual = rng.choices(range(len(LEVELS)), USUAL_LEVEL_WEIGHTS, k=len(ids))
    # Growth: a day near the end sees 2.5 times the entries of the first; weekends 20% more.
    days = (end - start) // 86400
    rate = [(1 + 1.5 * d / days) * (1.2 if (start // 86400 + d + 3) % 7 >= 5 else 1.0)
            for d in range(days)]
    scale = entries / sum(rate)
    hour_cum = list(accumulate(HOUR_WEIGHTS))
    ts, author = array("q"), array("i")
    carry = 0.0
    progress = Progress("plan", entries)
    for d in range(days):
        carry += rate[d] * scale
        n = int(carry) if d < days - 1 else entries - len(ts)
        carry -= n
        day_start = start + d * 86400
        eligible = bisect(joined, day_start + 86400)
        # Skip members (index order) until some writer has joined.
        if eligible == 0 or cum[eligible - 1] == 0:
            continue
        top = cum[eligible - 1]
        day = []
        for _ in range(n):
            a = bisect(cum, rng.random() * top, 0, eligible)
            hour = bisect(hour_cum, rng.random() * hour_cum[-1])
            t = max(day_start + hour * 3600 + rng.randrange(3600), joined[a] + 60)
            day.append((min(t, end - 1), a))
        day.sort()
        for t, a in day:
            ts.append(t)
            author.append(a)
        progress.update(n)
    progress.close()
    return ts, author, usual


def seed_diary(entries: int, comments: int) -> None:
    import psycopg
    from django.db import connection
    from psycopg import sql

    from diary.models import Comment, Entry, EntryPhoto

    started = time.monotonic()
    rng = random.Random(RANDOM_SEED)
    end = int(datetime.now(UTC).timestamp()) // 3600 * 3600
    start = end - DAYS * 86400
    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    pools = text_pools(rng)
    stamp = Timestamps(start - 86400, DAYS + 60)

    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cursor:
        ids, joined, friends = _members(cursor)
        ts, author, usual = plan_entries(rng, ids, joined, friends, start, end, entries)
        entries = len(ts)
        ja = [(pk * 2654435761) % 100 < 80 for pk in ids]

        # Visibility and comment count of each entry, decided ahead (counts are needed in
        # order to hit the total exactly, and by a comment_count column if one appears).
        visibility = array("b")
        weight = array("d")
        other_cum = list(accumulate(OTHER_LEVEL_WEIGHTS))
        span = end - start
        for k in range(entries):
            a = author[k]
            level = (usual[a] if rng.random() < 0.85
                     else bisect(other_cum, rng.random() * other_cum[-1]))
            visibility.append(level)
            if level == PRIVATE:
                weight.append(0.0)
            else:
                degree = len(friends.get(ids[a], ()))
                recency = 0.2 + (ts[k] - start) / span
                weight.append((0.3 + math.log1p(degree)) * recency
                              * rng.lognormvariate(0, 1.1))
        hot = rng.sample(range(entries // 2, entries - 2_000), HOT_ENTRIES)
        count = array("i", bytes(4 * entries))
        for k in hot:
            if visibility[k] == PRIVATE:
                visibility[k] = LEVELS.index("friends")
            count[k] = rng.randint(*HOT_COMMENTS)
            weight[k] = 0.0
        rest = comments - sum(count)
        scale = rest / sum(weight)
        carry = 0.0
        for k in range(entries):
            if weight[k]:
                carry += weight[k] * scale
                c = int(carry)
                carry -= c
                count[k] = c
        count[max(range(entries), key=weight.__getitem__)] += comments - sum(count)

        _no_triggers(conn, cursor)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        tables = [Comment._meta.db_table, EntryPhoto._meta.db_table, Entry._meta.db_table]
        cursor.execute(
            "SELECT DISTINCT c.conrelid::regclass::text FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]) "
            "AND NOT c.conrelid = ANY(%s::regclass[])",
            [tables, tables],
        )
        also = [t for (t,) in cursor.fetchall()]
        if also:
            print(f"  also emptied (they refer to entries): {', '.join(also)}", file=sys.stderr)
        cursor.execute(
            f"TRUNCATE {', '.join(f'{t}' for t in tables + also)} RESTART IDENTITY"
        )
        # Secondary indexes off during the load, built again after it (faster by far).
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')

        # --- entries
        e_known = {"id", "author_id", "title", "body", "visibility", "created_at", "edited_at"}
        e_extra, e_suffix = _extra_columns(Entry, e_known | {"comment_count"})
        has_count = any(f.column == "comment_count" for f in Entry._meta.concrete_fields)
        e_columns = ["id", "author_id", "title", "body", "visibility", "created_at",
                     "edited_at", *(["comment_count"] if has_count else []), *e_extra]

        def entry_lines(first: int, last: int, part: int):
            text_rng = random.Random(RANDOM_SEED + 1 + 1000 * part)
            rand, randrange = text_rng.random, text_rng.randrange
            titles = {True: pools["title_ja"], False: pools["title_en"]}
            bodies = {True: pools["body_ja"], False: pools["body_en"]}
            for k in range(first, last):
                a = author[k]
                lang = ja[a]
                t = ts[k]
                edited = stamp(min(end, t + randrange(60, 7 * 86400))) if rand() < 0.1 else "\\N"
                title = titles[lang]
                body = bodies[lang]
                n = f"\t{count[k]}" if has_count else ""
                yield (f"{k + 1}\t{ids[a]}\t{title[randrange(len(title))]}\t"
                       f"{body[randrange(len(body))]}\t{LEVELS[visibility[k]]}\t{stamp(t)}\t"
                       f"{edited}{n}{e_suffix}\n")

        # The entries go in over two connections (see _copy_parallel), so the emptied tables
        # are committed first and emptied again, still empty, for the FREEZE of the rest.
        conn.commit()
        _copy_parallel(url, Entry._meta.db_table, e_columns, entry_lines, entries, "entries")
        rest = [t for t in tables + also if t != Entry._meta.db_table]
        cursor.execute(f"TRUNCATE {', '.join(rest)}")

        # --- comments, in the order they were written
        c_known = {"id", "entry_id", "author_id", "body", "created_at"}
        c_extra, c_suffix = _extra_columns(Comment, c_known)
        c_columns = ["id", "entry_id", "author_id", "body", "created_at", *c_extra]

        index_of = {pk: i for i, pk in enumerate(ids)}
        friend_index = {pk: [index_of[f] for f in fs] for pk, fs in friends.items()}

        def comment_lines():
            crng = random.Random(RANDOM_SEED + 2)
            rand, randrange, expo = crng.random, crng.randrange, crng.expovariate
            hot_set = set(hot)
            texts = {True: pools["comment_ja"], False: pools["comment_en"]}
            # Comments not yet due: (time, order, entry id, commenter's index).
            pending: list[tuple[int, int, int, int]] = []
            seq = pk = 0
            members = len(ids)

            def due(until: int):
                nonlocal pk
                while pending and pending[0][0] <= until:
                    t, _, e, who = heapq.heappop(pending)
                    pk += 1
                    body = texts[ja[who]]
                    yield (f"{pk}\t{e}\t{ids[who]}\t{body[randrange(len(body))]}\t{stamp(t)}"
                           f"{c_suffix}\n")

            for k in range(entries):
                t0 = ts[k]
                yield from due(t0)
                n = count[k]
                if not n:
                    continue
                a = author[k]
                fs = friend_index.get(ids[a], ())
                hot_entry = k in hot_set
                for _ in range(n):
                    roll = rand()
                    if roll < 0.15:
                        who = a
                    elif roll < 0.85 and fs:
                        who = fs[randrange(len(fs))]
                    else:
                        who = randrange(members)
                    # Minutes to hours after the entry, now and then weeks; hot ones in days.
                    if hot_entry:
                        delay = int(expo(1 / 86400))
                    elif rand() < 0.85:
                        delay = int(expo(1 / 14400))
                    else:
                        delay = randrange(30 * 86400)
                    t = max(t0 + 1, min(t0 + 60 + delay, end - randrange(1, 3600)))
                    seq += 1
                    heapq.heappush(pending, (t, seq, k + 1, who))
            yield from due(end + 86400)

        written = _copy_lines(cursor, Comment._meta.db_table, c_columns, comment_lines(),
                              sum(count), "comments")

        # --- photos: 8% of entries, one to three each
        p_known = {"id", "entry_id", "image", "position"}
        p_extra, p_suffix = _extra_columns(EntryPhoto, p_known)
        p_columns = ["id", "entry_id", "image", "position", *p_extra]

        def photo_lines():
            prng = random.Random(RANDOM_SEED + 3)
            pk = 0
            for k in range(entries):
                if prng.random() < PHOTO_SHARE:
                    for position in range(prng.choice((1, 1, 1, 2, 3))):
                        pk += 1
                        yield (f"{pk}\t{k + 1}\tdiary/{prng.getrandbits(128):032x}\t"
                               f"{position}{p_suffix}\n")

        photos = _copy_lines(cursor, EntryPhoto._meta.db_table, p_columns, photo_lines(),
                             int(entries * PHOTO_SHARE * 1.6), "photos")

        progress = Progress("indexes", len(indexes))
        # The search index (a GIN of every entry's n-grams) builds far faster with room.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
            progress.update(1)
        progress.close()
        for table in tables:
            cursor.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), "
                        "(SELECT coalesce(max(id), 1) FROM {}))").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
        cursor.execute("DROP TABLE IF EXISTS bench_diary_seed")
        cursor.execute(
            "CREATE TABLE bench_diary_seed (entries int NOT NULL, comments int NOT NULL, "
            "photos int NOT NULL, version int NOT NULL, "
            "seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            "INSERT INTO bench_diary_seed (entries, comments, photos, version) "
            "VALUES (%s, %s, %s, %s)",
            (entries, written, photos, SEED_VERSION),
        )
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
    top = sorted(count, reverse=True)
    print(
        f"  seeded {entries:,} entries, {written:,} comments, {photos:,} photos in "
        f"{time.monotonic() - started:.0f}s; comments per entry: max {top[0]}, "
        f"{sum(c >= 200 for c in top)} entries with ≥ 200, median {top[len(top) // 2]}",
        file=sys.stderr,
    )


def _seeded(url: str) -> tuple[int, int, int] | None:
    import psycopg

    with psycopg.connect(seed_graph._psycopg_url(url), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", [MARKER]).fetchone()[0] is None:
            return None
        row = conn.execute("SELECT entries, comments, version FROM bench_diary_seed").fetchone()
        return (row[0], row[1], row[2]) if row else None


def ensure_seeded(
    *, reseed: bool = False, reseed_diary: bool = False, entries: int = ENTRIES,
    comments: int = COMMENTS,
) -> None:
    """The friend graph (seeded first if needed), then the diaries unless already there."""
    seed_graph.ensure_seeded(reseed=reseed)
    url = seed_graph.bench_database_url()
    if _seeded(url) == (entries, comments, SEED_VERSION) and not reseed_diary:
        print(f"  diaries already seeded ({entries:,} entries, {comments:,} comments); "
              "--reseed-diary to redo", file=sys.stderr)
        return
    seed_diary(entries, comments)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed-diary", action="store_true",
                        help="empty the diary tables and seed them again")
    parser.add_argument("--reseed", action="store_true",
                        help="drop the whole database and seed the friend graph too")
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--comments", type=int, default=COMMENTS)
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed, reseed_diary=args.reseed_diary, entries=args.entries,
                  comments=args.comments)


if __name__ == "__main__":
    main()
