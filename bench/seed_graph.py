"""Seed the benchmark database with a large friend graph (a dev tool, never part of the tests).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_graph.py [--reseed]

Seeds ``tsunagari_bench`` on the PostgreSQL server at 127.0.0.1:5432 (or the database named
by ``BENCH_DATABASE_URL``) with 100,000 members and about 1,000,000 friendships (2,000,000
rows: the table keeps one row each way). Degrees follow a power law: members join one after
another and befriend others in proportion to how many friends those already have
(preferential attachment), and often a friend of the friend they just made (triadic closure,
so that friends of friends share friends as in a real network), and now and then one of a
score of well-known members (a Zipf pick: the organisers everyone adds); a few members end
with thousands of friends (the most about 5,600), the median member with about 11. The
graph is the same on every run (fixed random seed).

Rows go in with PostgreSQL COPY; a marker table records the size, so a second run at the
same size does nothing; ``--reseed`` drops the database and starts again.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tsunagari_bench"
# The marker table: the size seeded, written last.
MARKER = "bench_seed"
MEMBERS = 100_000
FRIENDSHIPS = 1_000_000
RANDOM_SEED = 20240607
# Bumped when what is seeded changes, so that the next run seeds again.
SEED_VERSION = 2
# Besides friendships: pending friend requests and blocks, which suggestions leave out.
PENDING_REQUESTS = 20_000
BLOCKS = 5_000

# --- names ---------------------------------------------------------------------------------
SURNAMES = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
    ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
    ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
    ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"),
    ("阿部", "あべ"), ("石川", "いしかわ"), ("山下", "やました"), ("中島", "なかじま"),
    ("石井", "いしい"), ("小川", "おがわ"), ("前田", "まえだ"), ("岡田", "おかだ"),
    ("長谷川", "はせがわ"), ("藤田", "ふじた"), ("後藤", "ごとう"), ("近藤", "こんどう"),
    ("村上", "むらかみ"), ("遠藤", "えんどう"), ("青木", "あおき"), ("坂本", "さかもと"),
    ("斉藤", "さいとう"), ("福田", "ふくだ"), ("太田", "おおた"), ("西村", "にしむら"),
    ("藤井", "ふじい"), ("金子", "かねこ"), ("岡本", "おかもと"), ("藤原", "ふじわら"),
]
GIVEN_NAMES = [
    ("花子", "はなこ"), ("太郎", "たろう"), ("健二", "けんじ"), ("由紀", "ゆき"),
    ("浩", "ひろし"), ("舞", "まい"), ("海斗", "かいと"), ("愛子", "あいこ"),
    ("翔太", "しょうた"), ("美咲", "みさき"), ("大輔", "だいすけ"), ("陽菜", "ひな"),
    ("蓮", "れん"), ("結衣", "ゆい"), ("拓也", "たくや"), ("さくら", "さくら"),
    ("直樹", "なおき"), ("恵", "めぐみ"), ("誠", "まこと"), ("真由美", "まゆみ"),
    ("和也", "かずや"), ("智子", "ともこ"), ("隆", "たかし"), ("彩", "あや"),
    ("悠斗", "ゆうと"), ("明美", "あけみ"), ("修", "おさむ"), ("優子", "ゆうこ"),
    ("亮", "りょう"), ("千尋", "ちひろ"), ("大樹", "だいき"), ("奈々", "なな"),
    ("剛", "つよし"), ("理恵", "りえ"), ("健太", "けんた"), ("麻衣", "まい"),
]
EN_FIRST = [
    "Emily", "David", "Sophie", "James", "Olivia", "Michael", "Emma", "Daniel", "Charlotte",
    "Thomas", "Hannah", "Lucas", "Grace", "Oliver", "Chloe", "Benjamin", "Isabella", "Samuel",
    "Amelia", "Henry", "Laura", "Matthew", "Sarah", "Jack", "Anna", "William", "Julia", "Paul",
]
EN_LAST = [
    "Carter", "Müller", "Martin", "Smith", "Johnson", "Brown", "Wilson", "Taylor", "Anderson",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright",
    "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Dubois",
]
JA_COMPANY_KINDS = [
    "製作所", "商店", "工務店", "会計事務所", "デザイン室", "物流", "法律事務所", "ソフト",
    "食品", "不動産", "建設", "印刷", "薬局", "酒造", "運輸", "電機",
]
JA_TITLES = [
    "代表取締役", "専務", "社長", "税理士", "デザイナー", "営業部長", "弁護士", "エンジニア",
    "課長", "店長", "主任", "取締役", "看護師", "マネージャー", "", "",
]
EN_COMPANY_KINDS = ["Design", "Trading K.K.", "Consulting", "Foods", "Labs", "& Partners"]
EN_TITLES = ["Founder", "Country Manager", "Chef", "Engineer", "Director", "Consultant", ""]
JA_INTERESTS = [
    "登山", "写真", "日本酒", "ゴルフ", "読書", "釣り", "キャンプ", "茶道", "ヨガ", "イラスト",
    "カフェ巡り", "野球", "将棋", "ピアノ", "旅行", "料理", "ランニング", "映画",
]
EN_INTERESTS = [
    "typography", "cycling", "sake", "running", "jazz", "cooking", "wine", "markets", "hiking",
    "photography", "chess", "travel",
]


# --- configuration -------------------------------------------------------------------------


def bench_database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def configure_django() -> str:
    """Point Django at the bench database (before it reads its settings) and set it up."""
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sns.settings")
    # Production serves static files from a manifest made by collectstatic: the bench makes
    # its own here rather than touch the site's.
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench" / "static"))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


# --- the progress bar ----------------------------------------------------------------------


class Progress:
    """A plain carriage-return progress bar on stderr."""

    def __init__(self, label: str, total: int, width: int = 30):
        self.label, self.total, self.width = label, total, width
        self.done = 0
        self.start = time.monotonic()
        self._shown = -1.0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= 0.2 or (self.done >= self.total and n):
            self._shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(1.0, self.done / self.total) if self.total else 1.0
        filled = int(share * self.width)
        bar = "█" * filled + "·" * (self.width - filled)
        sys.stderr.write(
            f"\r  {self.label:<12} {bar} {share:6.1%} {self.done:>10,}/{self.total:,}"
            f"  {now - self.start:6.1f}s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.done < self.total:
            self._draw(time.monotonic())
        sys.stderr.write("\n")


# --- the graph -----------------------------------------------------------------------------


def build_graph(
    members: int, friendships: int, rng: random.Random, *, triad: float = 0.5,
    uniform: float = 0.05, celebrity: float = 0.01,
) -> list[list[int]]:
    """Adjacency lists (by index 0..members-1) of a power-law graph with about
    ``friendships`` edges: preferential attachment with triadic closure (Holme–Kim), each
    newcomer making a varying number of friends (a few make many, most make a handful)."""
    mean = friendships / members
    core = 12
    adj: list[list[int]] = [[] for _ in range(members)]
    # Each edge puts both ends here, so a uniform pick is a pick in proportion to degree.
    ends: list[int] = []
    for i in range(core):
        for j in range(i):
            adj[i].append(j)
            adj[j].append(i)
            ends += (i, j)
    edges = core * (core - 1) // 2
    celebrities = list(range(20))
    celebrity_weights = list(accumulate(1 / (r + 1) for r in celebrities))
    progress = Progress("graph", members)
    progress.update(core)
    randrange, random_ = rng.randrange, rng.random
    for v in range(core, members):
        # How many friends the newcomer makes: geometric around the mean, at least one, and
        # adjusted as we go so that the total lands on ``friendships``.
        remaining = members - v
        want = (friendships - edges) / remaining if remaining else mean
        k = min(v, max(1, int(rng.expovariate(1 / max(want - 0.5, 0.5)) + 1)))
        chosen: set[int] = set()
        last = -1
        tries = 0
        while len(chosen) < k and tries < 4 * k + 10:
            tries += 1
            roll = random_()
            if roll < celebrity:
                # The well-known few (the organisers everyone adds): a Zipf pick among them.
                u = celebrities[bisect(celebrity_weights, random_() * celebrity_weights[-1])]
                if u >= v:
                    continue
            elif last >= 0 and roll < celebrity + triad:
                neighbours = adj[last]
                u = neighbours[randrange(len(neighbours))]
            elif random_() >= uniform:
                u = ends[randrange(len(ends))]
            else:
                u = randrange(v)  # now and then someone without many friends
            if u in chosen:
                continue
            chosen.add(u)
            last = u
        for u in chosen:
            adj[v].append(u)
            adj[u].append(v)
            ends += (u, v)
        edges += len(chosen)
        if v % 1000 == 0:
            progress.update(1000)
    progress.update(members - progress.done)
    progress.close()
    return adj


# --- the rows ------------------------------------------------------------------------------


def _member_fields(i: int, rng: random.Random) -> tuple[dict, str]:
    """Profile values for member number ``i``, and their language."""
    if rng.random() < 0.8:
        surname, surname_kana = rng.choice(SURNAMES)
        given, given_kana = rng.choice(GIVEN_NAMES)
        company = f"{rng.choice(SURNAMES)[0]}{rng.choice(JA_COMPANY_KINDS)}"
        interests = "、".join(rng.sample(JA_INTERESTS, rng.randint(0, 3)))
        title = rng.choice(JA_TITLES)
        return {
            "real_name": f"{surname} {given}",
            "real_name_kana": f"{surname_kana} {given_kana}",
            "nickname": rng.choice([given_kana, f"{given_kana}ちゃん", given, f"{surname}さん"]),
            "company": company,
            "title": title,
            "interests": interests,
            "introduction": f"{company}の{title or '社員'}です。よろしくお願いします。",
        }, "ja"
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    company = f"{rng.choice(EN_LAST)} {rng.choice(EN_COMPANY_KINDS)}"
    title = rng.choice(EN_TITLES)
    return {
        "real_name": f"{first} {last}",
        "real_name_kana": "",
        "nickname": first[:3] if rng.random() < 0.3 else first,
        "company": company,
        "title": title,
        "interests": ", ".join(rng.sample(EN_INTERESTS, rng.randint(0, 3))),
        "introduction": f"{title or 'Member'} at {company}. Happy to connect!",
    }, "en"


def stored_fields(model) -> list:
    """The columns a row is written with: generated columns (search) the database fills."""
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _columns(model, values: dict) -> tuple[list[str], list]:
    """Every concrete column of ``model`` and a template row: ``values`` where given, else
    the field's default (so fields added later still get a value)."""
    now = datetime.now(UTC)
    columns, row = [], []
    for field in stored_fields(model):
        columns.append(field.column)
        if field.attname in values:
            row.append(values[field.attname])
        elif field.has_default():
            row.append(field.get_default())
        elif field.null:
            row.append(None)
        else:  # auto_now and the like
            row.append(now)
    return columns, row


def _copy(cursor, table: str, columns: list[str], rows, total: int, label: str) -> None:
    progress = Progress(label, total)
    cols = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        n = 0
        for row in rows:
            copy.write_row(row)
            n += 1
            if n == 10_000:
                progress.update(n)
                n = 0
        progress.update(n)
    progress.close()


def seed(members: int, friendships: int) -> None:
    import psycopg
    from django.db import connection
    from psycopg import sql

    from accounts.models import Block, FriendRequest, Friendship, Profile, User

    rng = random.Random(RANDOM_SEED)
    started = time.monotonic()
    adj = build_graph(members, friendships, rng)
    # Member ids in random order, so that the best-connected are not simply the lowest ids.
    ids = list(range(1, members + 1))
    rng.shuffle(ids)
    index_of = {pk: i for i, pk in enumerate(ids)}
    epoch = datetime(2019, 4, 1, tzinfo=UTC)
    span = (datetime(2025, 10, 1, tzinfo=UTC) - epoch).days
    # Members joined in the order they were generated; one day-granular timestamp per day.
    days = [epoch + timedelta(days=d, hours=9) for d in range(span + 2)]
    joined_day = [i * span // members for i in range(members)]
    inactive = set(rng.sample(range(members), members // 100))
    hashed = "!" + "x" * 40  # an unusable password, as set_unusable_password() writes

    user_columns, user_template = _columns(User, {
        "password": hashed, "is_superuser": False, "is_staff": False, "language": "",
        "last_login": None, "invite_quota": None,
    })
    profile_columns, profile_template = _columns(Profile, {})
    u_idx = {c: k for k, c in enumerate(user_columns)}
    p_idx = {c: k for k, c in enumerate(profile_columns)}

    def user_rows():
        name_rng = random.Random(RANDOM_SEED + 1)
        for pk in range(1, members + 1):
            i = index_of[pk]
            user = list(user_template)
            profile = list(profile_template)
            fields, language = _member_fields(i, name_rng)
            user[u_idx["id"]] = pk
            user[u_idx["email"]] = f"member{pk}@bench.example.jp"
            user[u_idx["is_active"]] = i not in inactive
            user[u_idx["date_joined"]] = days[joined_day[i]]
            user[u_idx["language"]] = language if name_rng.random() < 0.5 else ""
            profile[p_idx["id"]] = pk
            profile[p_idx["user_id"]] = pk
            for name, value in fields.items():
                profile[p_idx[name]] = value
            yield user, profile

    def friendship_rows():
        # In the order the friendships were made, both rows of a pair together, as the site
        # writes them: a member's rows end up scattered over the table, not side by side.
        made = []
        for i, friends in enumerate(adj):
            for j in friends:
                if i < j:
                    # Befriended on or after the later of the two joined (within 90 days).
                    made.append((max(joined_day[i], joined_day[j]) + (i * 7919 + j) % 90, i, j))
        made.sort()
        pk = 0
        for day, i, j in made:
            at = days[min(day, span + 1)]
            yield pk + 1, ids[i], ids[j], at
            yield pk + 2, ids[j], ids[i], at
            pk += 2

    rows = 2 * (sum(len(a) for a in adj) // 2)
    with psycopg.connect(_psycopg_url(bench_database_url()), autocommit=False) as conn:
        with conn.cursor() as cursor:
            try:
                # Skip the foreign-key triggers while loading (the rows are consistent by
                # construction); needs a superuser, so without one we just go slower.
                cursor.execute("SET session_replication_role = replica")
            except psycopg.errors.InsufficientPrivilege:
                conn.rollback()
            pairs = list(user_rows())
            _copy(cursor, User._meta.db_table, user_columns, (u for u, _ in pairs), members,
                  "members")
            _copy(cursor, Profile._meta.db_table, profile_columns, (p for _, p in pairs),
                  members, "profiles")
            del pairs
            f_columns = [Friendship._meta.get_field(n).column
                         for n in ("id", "user", "friend", "created_at")]
            _copy(cursor, Friendship._meta.db_table, f_columns, friendship_rows(), rows,
                  "friendships")
            others = _other_pairs(adj, ids, rng, PENDING_REQUESTS + BLOCKS)
            r_columns, r_template = _columns(FriendRequest, {"message": ""})
            b_columns, b_template = _columns(Block, {})
            _copy(cursor, FriendRequest._meta.db_table, r_columns,
                  _pair_rows(r_columns, r_template, others[:PENDING_REQUESTS], "from_user",
                             "to_user"), PENDING_REQUESTS, "requests")
            _copy(cursor, Block._meta.db_table, b_columns,
                  _pair_rows(b_columns, b_template, others[PENDING_REQUESTS:], "blocker",
                             "blocked"), BLOCKS, "blocks")
            for model in (User, Profile, Friendship, FriendRequest, Block):
                table = model._meta.db_table
                cursor.execute(
                    sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), "
                            "(SELECT max(id) FROM {}))").format(
                        sql.Literal(table), sql.Identifier(table)
                    )
                )
            cursor.execute(
                "CREATE TABLE bench_seed (members int NOT NULL, friendships int NOT NULL, "
                "version int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute(
                "INSERT INTO bench_seed (members, friendships, version) VALUES (%s, %s, %s)",
                (members, friendships, SEED_VERSION),
            )
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(_psycopg_url(bench_database_url()), autocommit=True) as conn:
        for model in (User, Profile, Friendship, FriendRequest, Block):
            conn.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
    degrees = sorted((len(a) for a in adj), reverse=True)
    print(
        f"  seeded {members:,} members, {rows // 2:,} friendships ({rows:,} rows) in "
        f"{time.monotonic() - started:.0f}s; degrees: max {degrees[0]:,}, "
        f"top 1% from {degrees[members // 100]:,}, median {degrees[members // 2]}, "
        f"{sum(d >= 2000 for d in degrees)} with ≥ 2,000",
        file=sys.stderr,
    )


# --- the database --------------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _server(url: str):
    import psycopg

    return psycopg.connect(_psycopg_url(_with_database(url, "postgres")), autocommit=True)


def _exists(url: str) -> bool:
    with _server(url) as conn:
        return conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database_name(url),)
        ).fetchone() is not None


def _other_pairs(adj, ids, rng: random.Random, n: int) -> list[tuple[int, int, int]]:
    """``n`` distinct pairs of members (by id, with a day) who are not friends: mostly
    friends of friends (whom one asks or blocks), some strangers."""
    pairs: dict[frozenset, tuple[int, int, int]] = {}
    members = len(adj)
    while len(pairs) < n:
        i = rng.randrange(members)
        if adj[i] and rng.random() < 0.8:
            middle = adj[i][rng.randrange(len(adj[i]))]
            j = adj[middle][rng.randrange(len(adj[middle]))]
        else:
            j = rng.randrange(members)
        if i == j or j in adj[i] or frozenset((i, j)) in pairs:
            continue
        pairs[frozenset((i, j))] = (ids[i], ids[j], rng.randrange(60))
    return list(pairs.values())


def _pair_rows(columns, template, pairs, left: str, right: str):
    from django.utils import timezone

    index = {c: k for k, c in enumerate(columns)}
    now = timezone.now()
    for pk, (a, b, days_ago) in enumerate(pairs, start=1):
        row = list(template)
        row[index["id"]] = pk
        row[index[f"{left}_id"]] = a
        row[index[f"{right}_id"]] = b
        row[index["created_at"]] = now - timedelta(days=days_ago)
        yield row


def _seeded_size(url: str) -> tuple[int, int, int] | None:
    import psycopg

    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('bench_seed')").fetchone()[0] is None:
            return None
        if conn.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'bench_seed' AND column_name = 'version'"
        ).fetchone() is None:
            return None
        row = conn.execute("SELECT members, friendships, version FROM bench_seed").fetchone()
        return (row[0], row[1], row[2]) if row else None


def _has_marker(url: str) -> bool:
    import psycopg

    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('bench_seed')").fetchone()[0] is not None


def _has_tables(url: str) -> bool:
    import psycopg

    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0] > 0


def ensure_seeded(
    *, reseed: bool = False, members: int = MEMBERS, friendships: int = FRIENDSHIPS
) -> None:
    """Create, migrate and seed the bench database unless it already holds this graph."""
    from django.core.management import call_command
    from django.db import connection

    url = bench_database_url()
    name = database_name(url)
    if _exists(url):
        size = _seeded_size(url)
        if size == (members, friendships, SEED_VERSION) and not reseed:
            print(f"  {name}: already seeded ({members:,} members, {friendships:,} "
                  "friendships); --reseed to redo", file=sys.stderr)
            call_command("migrate", "--noinput", verbosity=0)
            return
        # Never drop a database that is not plainly ours: a dev or test database by mistake.
        if "bench" not in name and _has_tables(url) and not _has_marker(url):
            raise SystemExit(
                f"{name} has tables but no {MARKER} marker; refusing to drop it. "
                "Point BENCH_DATABASE_URL at a dedicated database."
            )
        connection.close()
        print(f"  dropping {name} …", file=sys.stderr)
        with _server(url) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    with _server(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"  {name}: migrating …", file=sys.stderr)
    call_command("migrate", "--noinput", verbosity=0)
    connection.close()
    seed(members, friendships)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--friendships", type=int, default=FRIENDSHIPS)
    args = parser.parse_args(argv)
    configure_django()
    ensure_seeded(reseed=args.reseed, members=args.members, friendships=args.friendships)


if __name__ == "__main__":
    main()
