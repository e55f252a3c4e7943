"""Seed the bench database with photo albums (a dev tool, never a test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_albums.py \
        [--reseed-albums]

Needs the friend graph and the communities (seeds what is missing first), then adds 200,000
albums with 2,000,000 photos and 1,000,000 comments on them (issue 19), planned in
``album_plan.py``: 90% members' own albums at the diaries' mix of levels, 10% communities'
albums with photos by their members; most albums 3-20 photos, 300 of 500-2,000; comments
mostly by friends or the community's members, 100 photos with 100-400 each. Every album's
``photo_count``, ``cover`` (its first photo, or for 15% another of its photos) and
``updated_at`` (its last upload) agree with its photos; nothing before its owner joined.

**One image for all**: a single picture (the demo's mountains, ``_demo_pictures.picture``)
goes through the site's pipeline (``sns.images.process``) once and is saved under the fixed
key IMAGE_KEY in the media storage (as ``sns.images.store`` saves every rendition, but at a
key a later run can find: a checkout without the file gets it back on the next run); every
seeded photo's ``image`` points at it and its ``size_bytes`` is that image's.

No likes on photos (the likes are seeded apart and not again) and no notifications. Albums,
photos and comments go in with COPY (FREEZE; the secondary indexes dropped during the load
and built again after it; photo and comment ids in time order, an album's photos scattered
over the table as on the site), then VACUUM ANALYZE. Invariants are checked in SQL and
printed. The same rows on every run (fixed random seed; dates end at the hour of seeding).
A marker table ``bench_albums_seed`` records the size, so a second run does nothing;
``--reseed-albums`` empties the album tables and seeds them again.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime

import album_plan
import like_plan
import seed_communities
import seed_graph
from message_plan import japanese
from seed_diary import LEVELS, Timestamps, _copy_lines, _extra_columns, _no_triggers, copy_text
from seed_graph import Progress

MARKER = "bench_albums_seed"
SEED_VERSION = 1
RANDOM_SEED = 20261208
ALBUMS = 200_000
PHOTOS = 2_000_000
COMMENTS = 1_000_000
IMAGE_KEY = "albums/bench/seed"
NULL = "\\N"  # in COPY's text format

JA_TOPICS = ["京都旅行", "運動会", "誕生日会", "お花見", "紅葉狩り", "キャンプ", "ランチ会",
             "同窓会", "温泉旅行", "結婚式", "ライブ", "山登り", "海水浴", "ラーメン巡り",
             "カフェ巡り", "初詣", "夏祭り", "北海道", "沖縄", "子どもの成長記録", "うちの犬",
             "うちの猫", "家庭菜園", "鉄道", "夜景", "オフ会", "花火大会", "社員旅行", "料理",
             "台湾"]
EN_TOPICS = ["Kyoto trip", "Sports day", "Birthday party", "Cherry blossoms", "Autumn leaves",
             "Camping", "Lunch club", "Reunion", "Hot springs", "Wedding", "Live show", "Hiking",
             "Beach day", "Ramen tour", "Cafés", "New Year", "Summer festival", "Hokkaido",
             "Okinawa", "Our dog", "The cat", "Garden", "Trains", "Night views", "Meet-up"]
JA_FORMS = ["{}", "{}の写真", "{}（{}月）", "思い出の{}", "{} {}", "{}アルバム"]
EN_FORMS = ["{}", "{} photos", "{} ({})", "{}, again", "{} {}", "Our {}"]
JA_CAPTIONS = ["集合写真", "景色が最高でした", "このお店おすすめです", "ピンぼけですみません",
               "朝いちばんの一枚", "帰り道に", "みんなで乾杯", "お土産", "雨上がり", "夕焼け",
               "ここから本番", "記念に一枚", "見てください、この量", "また来たい"]
EN_CAPTIONS = ["Group photo", "What a view", "Try this place", "Sorry, blurry", "First light",
               "On the way back", "Cheers, everyone", "Souvenirs", "After the rain", "Sunset",
               "Here we go", "One for the album", "Look at that"]
JA_PHOTO_COMMENTS = ["素敵な写真ですね！", "ここどこですか？", "懐かしい！", "楽しそう！",
                     "また行きましょう", "この構図いいですね", "おいしそう…", "いい天気でしたね",
                     "写ってる！", "欲しいです、この写真", "最高の笑顔", "次は誘ってください"]
EN_PHOTO_COMMENTS = ["Lovely shot!", "Where is this?", "Brings back memories.", "Looks fun!",
                     "Let's go again.", "Great framing.", "Looks delicious.", "That's me!",
                     "Send me this one?", "Best smile.", "Invite me next time!"]


def text_pools(rng: random.Random) -> dict[str, list[str]]:
    """Titles, descriptions, captions and comments made once, escaped for COPY."""
    from seed_diary import EN_SENTENCES, JA_SENTENCES

    pools = {}
    for lang, topics, forms, captions, comments, sentences in (
        ("ja", JA_TOPICS, JA_FORMS, JA_CAPTIONS, JA_PHOTO_COMMENTS, JA_SENTENCES),
        ("en", EN_TOPICS, EN_FORMS, EN_CAPTIONS, EN_PHOTO_COMMENTS, EN_SENTENCES),
    ):
        glue = "" if lang == "ja" else " "
        pools[f"title_{lang}"] = [copy_text(rng.choice(forms).format(t, rng.randint(1, 12)))
                                  for t in topics for _ in range(10)]
        pools[f"description_{lang}"] = [""] * 500 + [
            copy_text(glue.join(rng.sample(sentences, rng.randint(1, 3)))) for _ in range(500)]
        pools[f"caption_{lang}"] = [""] * 60 + [copy_text(c) for c in captions for _ in range(3)]
        pools[f"comment_{lang}"] = [
            copy_text(glue.join(rng.sample(comments, rng.randint(1, 2)))
                      + ("" if rng.random() < 0.7 else glue + rng.choice(sentences)))
            for _ in range(2_000)]
    return pools


def stored_image() -> int:
    """The one picture every seeded photo shows, through the image pipeline, saved under
    IMAGE_KEY (again if it is there); returns the bytes of all its sizes."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from sns import images
    from sns.management.commands._demo_pictures import picture

    processed = picture("mountains", "Tsunagari bench", seed=1)
    for name, data in processed.renditions.items():
        where = images.path(IMAGE_KEY, name)
        default_storage.delete(where)
        default_storage.save(where, ContentFile(data))
    return sum(len(data) for data in processed.renditions.values())


INVARIANTS = {
    "photo count or last upload": (
        "SELECT count(*) FROM albums_album a LEFT JOIN (SELECT album_id, count(*) AS n, "
        "max(created_at) AS last FROM albums_albumphoto GROUP BY album_id) p "
        "ON p.album_id = a.id WHERE a.photo_count <> coalesce(p.n, 0) "
        "OR a.updated_at <> coalesce(p.last, a.created_at)"),
    "cover": ("SELECT count(*) FROM albums_album a LEFT JOIN albums_albumphoto p "
              "ON p.id = a.cover_id WHERE (a.photo_count > 0) <> (a.cover_id IS NOT NULL) "
              "OR p.album_id <> a.id"),
    "places": ("SELECT count(*) FROM (SELECT 1 FROM albums_albumphoto "
               "GROUP BY album_id, position HAVING count(*) > 1) d"),
    "album before its owner joined": (
        "SELECT count(*) FROM albums_album a JOIN accounts_user u ON u.id = a.owner_id "
        "WHERE a.created_at <= u.date_joined"),
    "community album by a non-member": (
        "SELECT count(*) FROM albums_album a WHERE a.community_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM communities_membership m WHERE m.community_id = a.community_id "
        "AND m.user_id = a.owner_id AND m.joined_at < a.created_at)"),
    "photo before its album": (
        "SELECT count(*) FROM albums_albumphoto p JOIN albums_album a ON a.id = p.album_id "
        "WHERE p.created_at < a.created_at"),
    "someone else's photo in an own album": (
        "SELECT count(*) FROM albums_albumphoto p JOIN albums_album a ON a.id = p.album_id "
        "WHERE a.community_id IS NULL AND p.uploader_id <> a.owner_id"),
    "photo by a non-member": (
        "SELECT count(*) FROM albums_albumphoto p JOIN albums_album a ON a.id = p.album_id "
        "WHERE a.community_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "communities_membership m WHERE m.community_id = a.community_id "
        "AND m.user_id = p.uploader_id AND m.joined_at < p.created_at)"),
    "past the album space": (
        "SELECT count(*) FROM (SELECT 1 FROM albums_albumphoto GROUP BY uploader_id "
        "HAVING sum(size_bytes) > coalesce((SELECT album_quota_mb FROM sns_sitepolicy "
        "ORDER BY id DESC LIMIT 1), 200) * 1048576) x"),
    "comment before its photo or author": (
        "SELECT count(*) FROM albums_albumphotocomment c JOIN albums_albumphoto p "
        "ON p.id = c.photo_id JOIN accounts_user u ON u.id = c.author_id "
        "WHERE c.created_at <= p.created_at OR c.created_at <= u.date_joined"),
    "comment on a private album": (
        "SELECT count(*) FROM albums_albumphotocomment c JOIN albums_albumphoto p "
        "ON p.id = c.photo_id JOIN albums_album a ON a.id = p.album_id "
        "WHERE a.visibility = 'private' AND a.community_id IS NULL"),
    "comment by a stranger to a friends' album": (
        "SELECT count(*) FROM albums_albumphotocomment c JOIN albums_albumphoto p "
        "ON p.id = c.photo_id JOIN albums_album a ON a.id = p.album_id "
        "WHERE a.visibility = 'friends' AND a.community_id IS NULL "
        "AND c.author_id <> a.owner_id AND NOT EXISTS (SELECT 1 FROM accounts_friendship f "
        "WHERE f.user_id = a.owner_id AND f.friend_id = c.author_id)"),
    "comment across a block": (
        "SELECT count(*) FROM albums_albumphotocomment c JOIN albums_albumphoto p "
        "ON p.id = c.photo_id JOIN albums_album a ON a.id = p.album_id "
        "JOIN accounts_block b ON (b.blocker_id = c.author_id AND b.blocked_id IN "
        "(a.owner_id, p.uploader_id)) OR (b.blocked_id = c.author_id AND b.blocker_id IN "
        "(a.owner_id, p.uploader_id))"),
    "after now": (
        "SELECT (SELECT count(*) FROM albums_album WHERE updated_at > now()) + "
        "(SELECT count(*) FROM albums_albumphoto WHERE created_at > now()) + "
        "(SELECT count(*) FROM albums_albumphotocomment WHERE created_at > now())"),
}


def check(cursor) -> dict[str, int]:
    """The invariants, counted in SQL (each must be 0)."""
    found = {}
    for name, query in INVARIANTS.items():
        cursor.execute(query)
        found[name] = cursor.fetchone()[0]
    return found


def figures(cursor) -> str:
    """The shape of what was seeded: albums by kind and level, photos per album, comments."""
    cursor.execute("SELECT CASE WHEN community_id IS NULL THEN visibility ELSE 'community' END,"
                   " count(*) FROM albums_album GROUP BY 1 ORDER BY 2 DESC")
    kinds = ", ".join(f"{k} {n:,}" for k, n in cursor.fetchall())
    cursor.execute(
        "SELECT count(*) FILTER (WHERE photo_count = 0), "
        "count(*) FILTER (WHERE photo_count BETWEEN 3 AND 20), "
        "count(*) FILTER (WHERE photo_count >= 500), "
        "percentile_disc(0.5) WITHIN GROUP (ORDER BY photo_count), max(photo_count), "
        "count(DISTINCT owner_id) FILTER (WHERE community_id IS NULL) FROM albums_album")
    empty, usual, big, median, top, owners = cursor.fetchone()
    cursor.execute(
        "WITH c AS (SELECT photo_id, count(*) AS n FROM albums_albumphotocomment "
        "GROUP BY photo_id) SELECT count(*), count(*) FILTER (WHERE n >= 50), "
        "percentile_disc(0.5) WITHIN GROUP (ORDER BY n), max(n) FROM c")
    commented, many, c_median, c_top = cursor.fetchone()
    return (f"albums: {kinds}; {owners:,} members with albums of their own; photos per album "
            f"median {median}, {usual:,} with 3-20, {big} with 500+, max {top}, {empty:,} "
            f"empty; {commented:,} photos with comments (median {c_median}, {many} with 50+, "
            f"max {c_top})")


def _copy(cursor, model, columns: list[str], lines, total: int, label: str) -> int:
    extra, suffix = _extra_columns(model, set(columns))
    return _copy_lines(cursor, model._meta.db_table, [*columns, *extra],
                       (line + suffix + "\n" for line in lines), total, label)


def seed_albums(albums: int, photos: int, comments: int) -> dict:
    import psycopg
    from django.db import connection

    from albums.models import Album, AlbumPhoto, AlbumPhotoComment

    started = time.monotonic()
    rng = random.Random(RANDOM_SEED)
    end = int(datetime.now(UTC).timestamp()) // 3600 * 3600
    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    pools = text_pools(rng)
    size = stored_image()
    tables = [m._meta.db_table for m in (AlbumPhotoComment, AlbumPhoto, Album)]
    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cursor:
        print("  albums: reading the site and planning …", file=sys.stderr)
        world = like_plan.load_world(cursor)
        communities = album_plan.load_communities(cursor)
        conn.commit()
        plan = album_plan.plan_albums(rng, world, communities, albums, photos, end)
        album_plan.plan_uploads(rng, world, plan, communities, end)
        c_at, c_photo, c_author = album_plan.plan_comments(rng, world, plan, comments, end)
        stamp = Timestamps(min(plan.created) - 86400, (end - min(plan.created)) // 86400 + 10)

        _no_triggers(conn, cursor)
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
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

        def lang(pk: int) -> str:
            return "ja" if japanese(pk) else "en"

        def album_lines():
            randrange = random.Random(RANDOM_SEED + 1).randrange
            for k in range(len(plan.owner)):
                owner, community = plan.owner[k], plan.community[k]
                titles = pools[f"title_{lang(owner)}"]
                texts = pools[f"description_{lang(owner)}"]
                cover, community = plan.cover[k] or NULL, community or NULL
                yield (f"{k + 1}\t{owner}\t{community}\t{titles[randrange(len(titles))]}"
                       f"\t{texts[randrange(len(texts))]}\t{LEVELS[plan.level[k]]}\t{cover}\t"
                       f"{plan.count[k]}\t{stamp(plan.created[k])}\t{stamp(plan.updated[k])}")

        def photo_lines():
            randrange = random.Random(RANDOM_SEED + 2).randrange
            pk = 0
            for b in range(len(plan.u_n)):
                k, who, at = plan.u_album[b], plan.u_uploader[b], stamp(plan.u_at[b])
                captions = pools[f"caption_{lang(who)}"]
                for position in range(plan.u_first[b], plan.u_first[b] + plan.u_n[b]):
                    pk += 1
                    yield (f"{pk}\t{k + 1}\t{who}\t{IMAGE_KEY}\t{position}\t"
                           f"{captions[randrange(len(captions))]}\t{size}\t{at}")

        def comment_lines():
            randrange = random.Random(RANDOM_SEED + 3).randrange
            for i in range(len(c_at)):
                texts = pools[f"comment_{lang(c_author[i])}"]
                yield (f"{i + 1}\t{c_photo[i]}\t{c_author[i]}\t{texts[randrange(len(texts))]}\t"
                       f"{stamp(c_at[i])}")

        _copy(cursor, Album, ["id", "owner_id", "community_id", "title", "description",
                              "visibility", "cover_id", "photo_count", "created_at",
                              "updated_at"], album_lines(), len(plan.owner), "albums")
        written = _copy(cursor, AlbumPhoto, ["id", "album_id", "uploader_id", "image", "position",
                                             "caption", "size_bytes", "created_at"],
                        photo_lines(), sum(plan.u_n), "photos")
        said = _copy(cursor, AlbumPhotoComment, ["id", "photo_id", "author_id", "body",
                                                 "created_at"], comment_lines(), len(c_at),
                     "comments")
        progress = Progress("indexes", len(indexes))
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
            progress.update(1)
        progress.close()
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f'(SELECT coalesce(max(id), 1) FROM "{table}"))')
        marker = {"albums": len(plan.owner), "photos": written, "comments": said,
                  "comments_asked": comments, "big": len(plan.big), "image_bytes": size,
                  "version": SEED_VERSION}
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(
            f"CREATE TABLE {MARKER} (albums int NOT NULL, photos int NOT NULL, "
            "comments int NOT NULL, comments_asked int NOT NULL, big int NOT NULL, "
            "image_bytes int NOT NULL, "
            "version int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"INSERT INTO {MARKER} ({', '.join(marker)}) "  # noqa: S608
                       f"VALUES ({', '.join(['%s'] * len(marker))})", list(marker.values()))
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
        with conn.cursor() as cursor:
            found = check(cursor)
            shape = figures(cursor)
    print(f"  seeded {marker['albums']:,} albums, {written:,} photos, {said:,} comments in "
          f"{time.monotonic() - started:.0f}s; {shape}", file=sys.stderr)
    print("  invariants (each 0): " + ", ".join(f"{k} {v}" for k, v in found.items()),
          file=sys.stderr)
    if any(found.values()):
        raise SystemExit("albums: an invariant does not hold (see above)")
    return marker


def ensure_seeded(*, reseed: bool = False, reseed_albums: bool = False, albums: int = ALBUMS,
                  photos: int = PHOTOS, comments: int = COMMENTS) -> None:
    """The friend graph and communities (seeded first if needed), then the albums unless
    there; the one image stored again if this checkout lacks it."""
    seed_graph.ensure_seeded(reseed=reseed)
    seed_communities.ensure_seeded()
    marker = seed_communities.seeded(seed_graph.bench_database_url(), MARKER)
    if (marker and not (reseed or reseed_albums) and marker["version"] == SEED_VERSION
            and (marker["albums"], marker["photos"], marker["comments_asked"])
            == (albums, photos, comments)):
        from django.core.files.storage import default_storage

        from sns import images

        if not default_storage.exists(images.path(IMAGE_KEY, "medium")):
            stored_image()
        print(f"  albums already seeded ({marker['albums']:,} albums, {marker['photos']:,} "
              "photos); --reseed-albums to redo", file=sys.stderr)
        return
    seed_albums(albums, photos, comments)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed-albums", action="store_true",
                        help="empty the album tables and seed them again")
    parser.add_argument("--reseed", action="store_true",
                        help="drop the whole database and seed the friend graph too")
    parser.add_argument("--albums", type=int, default=ALBUMS)
    parser.add_argument("--photos", type=int, default=PHOTOS)
    parser.add_argument("--comments", type=int, default=COMMENTS)
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed, reseed_albums=args.reseed_albums, albums=args.albums,
                  photos=args.photos, comments=args.comments)


if __name__ == "__main__":
    main()
