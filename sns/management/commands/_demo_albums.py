"""The demo's photo albums (seed_demo, through _demo_life): Taro's hike for his friends,
Hanako's dinner for every member, and the hiking community's album of its last walk, with
photos by two of its members; a comment or two. Written through albums.services, pictures
drawn by _demo_pictures, then dated."""

from __future__ import annotations

from accounts.models import User
from albums import services as albums_services
from albums.models import Album, AlbumPhoto
from communities.models import Community
from sns.visibility import Level

from ._demo_pictures import picture

# indexes into seed_demo.MEMBERS (as _demo_life's)
H, T, E, K = 0, 1, 2, 3

# owner, days ago, level, title, description, [(uploader, [(scene, caption for the picture,
# caption for the photo)])], [(photo index, commenter, days ago, text)]
ALBUMS = [
    (T, 5, Level.FRIENDS, "高尾山ハイキング",
     "紅葉には少し早かったけれど、山頂からの眺めは最高でした。", [
        (T, [("mountains", "Mt. Takao", "山頂から富士山が見えました"),
             ("autumn", "Maple trail", "色づき始めた 4 号路"),
             ("city", "Back in town", "帰りに寄った駅前の蕎麦屋")]),
    ], [(0, H, 4.5, "富士山がくっきり！来月はご一緒させてください。")]),
    (H, 3, Level.MEMBERS, "朝活勉強会の懇親会",
     "勉強会のあとの懇親会。**料理がおいしい** お店でした。", [
        (H, [("table", "Dinner", "乾杯の前に一枚"),
             ("lanterns", "Night", "二次会へ向かう路地")]),
    ], [(0, T, 2.5, "いいお店でしたね。また行きましょう。")]),
]
# The hiking community's album: its maker, days ago, title, and each member's photos.
CLUB_ALBUM = (K, 2, "9 月の日帰りハイク", [
    (K, [("mountains", "Ridge", "尾根道で休憩"), ("sea", "Coast", "帰りは海沿いを歩きました")]),
    (H, [("autumn", "Leaves", "みんなで集合写真の代わりに")]),
])


def load(clock, m: list[User], community_name: str) -> None:
    """Make the albums, add their photos and comments, then date them."""
    seed = 500
    for owner, days, level, title, description, uploads, comments in ALBUMS:
        album = albums_services.album_create(owner=m[owner], title=title,
                                             description=description, visibility=level)
        seed = _upload(album, m, uploads, seed)
        photos = list(AlbumPhoto.objects.filter(album=album).order_by("position"))
        for index, who, when, text in comments:
            comment = albums_services.comment_create(photo_id=photos[index].pk, author=m[who],
                                                     body=text)
            clock.stamp(comment, when, "created_at")
        _dated(clock, album, days)
    maker, days, title, uploads = CLUB_ALBUM
    club = Community.objects.get(name=community_name)
    album = albums_services.album_create(owner=m[maker], title=title, community=club,
                                         description="参加した皆さん、写真を追加してください。")
    _upload(album, m, uploads, seed)
    _dated(clock, album, days)


def _upload(album: Album, m: list[User], uploads, seed: int) -> int:
    for uploader, pictures in uploads:
        added = albums_services.photos_upload(
            album_id=album.pk, uploader=m[uploader],
            photos=[picture(scene, text, seed=seed + n) for n, (scene, text, _c) in
                    enumerate(pictures)],
            captions=[caption for _s, _t, caption in pictures],
        )
        seed += len(added)
    return seed


def _dated(clock, album: Album, days: float) -> None:
    clock.stamp(album, days, "created_at", "updated_at")
    for photo in AlbumPhoto.objects.filter(album=album):
        clock.stamp(photo, days, "created_at")
