"""Hostile files (issue 9, item 4) through every upload field members have: the profile photo,
the diary's three photos and the community image, posted to the real pages.

Each file is refused with the message written in the tables below, in the member's language,
or stored as a fresh WebP encode in which nothing of the original's extra bytes survives
(appended HTML or JS, comments, EXIF and GPS, XMP, ICC). None causes a 500; a refused file
costs nothing already saved; served images carry their type, ``nosniff`` and an inline
disposition. All files are made here, by Pillow or by hand.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms

from accounts.forms import ProfileForm
from albums.models import Album, AlbumPhoto
from communities.models import Community, JoinPolicy
from diary import services as diary_services
from diary.models import Entry, EntryPhoto
from sns import images
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db

MARK = b"HOSTILE-PAYLOAD-7f3a"
RED = (210, 20, 20)
GPS_IFD = 0x8825
ORIENTATION = 0x0112

# The messages a member reads, written out (not taken from the code under test).
NOT_AN_IMAGE = "This file is not an image we can use. Please choose a JPEG, PNG, WebP or GIF."
TOO_MANY_PIXELS = "This image has too many pixels (at most 40 megapixels)."
TOO_LARGE = "This image is too large (at most 15 MB)."
EMPTY = "The submitted file is empty."
JA = {
    NOT_AN_IMAGE: "このファイルは使用できる画像ではありません。",
    TOO_MANY_PIXELS: "画像の画素数が多すぎます（40メガピクセルまで）。",
    TOO_LARGE: "画像のファイルサイズが大きすぎます（15 MBまで）。",
    EMPTY: "入力されたファイルは空です。",
}
TYPED = "Typed before the photo 書きかけの本文"


# --- making hostile files ------------------------------------------------------------------

def _encode(picture: Image.Image, fmt: str, **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def _red(fmt: str, size=(240, 160), **save_kwargs) -> bytes:
    return _encode(Image.new("RGB", size, RED), fmt, **save_kwargs)


def _noise(fmt: str) -> bytes:
    return _encode(Image.frombytes("RGB", (300, 200), os.urandom(300 * 200 * 3)), fmt)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png(width: int, height: int, depth: int, colour: int, row: bytes) -> bytes:
    """A PNG written by hand, row by row through zlib (a 48-megapixel one is a few KB)."""
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(b"\x00" + row) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", idat + compressor.flush()) + _png_chunk(b"IEND", b""))


def _png_bomb_header(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels and carries almost none."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00")) + _png_chunk(b"IEND", b""))


def _png_with_chunk(chunk: bytes) -> bytes:
    data = _red("PNG")
    return data[:33] + chunk + data[33:]  # right after the IHDR chunk


def _gif_bomb() -> bytes:
    data = _encode(Image.new("P", (1, 1)), "GIF")
    return data[:6] + struct.pack("<HH", 65535, 65535) + data[10:]  # the logical screen


def _jpeg_bomb() -> bytes:
    data = bytearray(_red("JPEG", (8, 8)))
    at = data.index(b"\xff\xc0")  # start of frame: height and width follow the precision
    data[at + 5:at + 9] = struct.pack(">HH", 50_000, 50_000)
    return bytes(data)


def _webp_bomb() -> bytes:
    data = bytearray(_red("WEBP", (1, 1), lossless=True))
    assert data[12:16] == b"VP8L"
    bits = int.from_bytes(data[21:25], "little")
    bits = (bits & ~((1 << 28) - 1)) | 16383 | (16383 << 14)  # 16384 × 16384
    data[21:25] = bits.to_bytes(4, "little")
    return bytes(data)


def _corrupt_png() -> bytes:
    data = bytearray(_red("PNG"))
    data[29] ^= 0xFF  # the IHDR checksum
    return bytes(data)


def _exif(*, gps: bool = False, orientation: int | None = None, text: bytes = b"") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if text:
        exif[0x010E] = text.decode()  # ImageDescription
    if gps:
        block = exif.get_ifd(GPS_IFD)
        block.update({1: "N", 2: (35.0, 39.0, 29.16), 3: "E", 4: (139.0, 45.0, 10.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def _png_html_polyglot() -> bytes:
    return _red("PNG") + b"<html><body><script>alert('" + MARK + b"')</script></body></html>"


def _png_text_chunks() -> bytes:
    html = b"<html><script>alert('" + MARK + b"')</script></html>"
    return _png_with_chunk(_png_chunk(b"tEXt", b"Comment\x00" + html)
                           + _png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + html))


def _jpeg_js_polyglot() -> bytes:
    comment = b"*/=alert('" + MARK + b"');/*<script>" + MARK + b"</script>"
    return _red("JPEG", comment=comment) + b"*/alert('" + MARK + b"');"


def _gif_comment_polyglot() -> bytes:
    return _red("GIF", comment=b"<script>" + MARK + b"</script>") + b"<script>" + MARK


def _webp_metadata() -> bytes:
    xmp = b"<x:xmpmeta><script>" + MARK + b"</script></x:xmpmeta>"
    return _red("WEBP", exif=_exif(gps=True, text=MARK), xmp=xmp)


def _jpeg_icc() -> bytes:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _red("JPEG", icc_profile=icc + MARK, exif=_exif(text=MARK), xmp=MARK)


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (120, 80), c) for c in (RED, (0, 0, 230), (0, 160, 0))]
    return _encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100,
                   loop=0)


def _mpo() -> bytes:
    """A JPEG carrying a second picture (as phones' Ultra HDR and portrait shots do)."""
    data = _encode(Image.new("RGB", (240, 160), RED), "MPO", save_all=True,
                   append_images=[Image.new("RGB", (240, 160), (0, 0, 0))])
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.format == "MPO"
    return data


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert('" + MARK + b"')</script></svg>")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert('" + MARK
       + b"'))>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
HTML = b"<!DOCTYPE html><html><body><script>alert('" + MARK + b"')</script></body></html>"
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n(" + MARK + b") print showpage\n"


# --- what must happen to each ---------------------------------------------------------------

def _reddish(picture: Image.Image) -> bool:
    r, g, b = picture.convert("RGB").getpixel((picture.width // 2, picture.height // 2))
    return r > 170 and g < 80 and b < 80


@dataclass(frozen=True)
class Refused:
    name: str
    make: Callable[[], bytes]
    message: str


@dataclass(frozen=True)
class Cleaned:
    name: str
    make: Callable[[], bytes]
    check: Callable[[Image.Image], bool] = _reddish  # on the stored large rendition


REFUSED = {
    "png-bomb-900mp": Refused("bomb.png", lambda: _png_bomb_header(30_000, 30_000),
                              TOO_MANY_PIXELS),
    "png-bomb-48mp": Refused("bomb.png", lambda: _png(8000, 6000, 1, 0, bytes(1000)),
                             TOO_MANY_PIXELS),
    "gif-bomb": Refused("bomb.gif", _gif_bomb, TOO_MANY_PIXELS),
    "jpeg-bomb": Refused("bomb.jpg", _jpeg_bomb, TOO_MANY_PIXELS),
    "webp-bomb": Refused("bomb.webp", _webp_bomb, TOO_MANY_PIXELS),
    "png-ztxt-bomb": Refused("text.png", lambda: _png_with_chunk(_png_chunk(
        b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(50 * 1024 * 1024), 9))),
        NOT_AN_IMAGE),
    "truncated-jpeg": Refused("cut.jpg", lambda: (d := _noise("JPEG"))[:len(d) // 2],
                              NOT_AN_IMAGE),
    "truncated-png": Refused("cut.png", lambda: (d := _noise("PNG"))[:len(d) // 2],
                             NOT_AN_IMAGE),
    "corrupt-png": Refused("bad.png", _corrupt_png, NOT_AN_IMAGE),
    "jpeg-magic-then-garbage": Refused("photo.jpg", lambda: b"\xff\xd8\xff\xe0" + os.urandom(4000),
                                       NOT_AN_IMAGE),
    "svg-as-jpg": Refused("photo.jpg", lambda: SVG, NOT_AN_IMAGE),
    "pdf-as-jpg": Refused("photo.jpg", lambda: PDF, NOT_AN_IMAGE),
    "html-as-png": Refused("photo.png", lambda: HTML, NOT_AN_IMAGE),
    "eps-as-jpg": Refused("photo.jpg", lambda: EPS, NOT_AN_IMAGE),
    "zero-bytes": Refused("photo.jpg", lambda: b"", EMPTY),
    "html-name": Refused("<img src=x onerror=alert(1)>.jpg", lambda: HTML, NOT_AN_IMAGE),
}

CLEANED = {
    "png-html-polyglot": Cleaned("photo.png", _png_html_polyglot),
    "png-text-chunks": Cleaned("photo.png", _png_text_chunks),
    "jpeg-js-polyglot": Cleaned("photo.jpg", _jpeg_js_polyglot),
    "jpeg-exif-script": Cleaned("photo.jpg", lambda: _red("JPEG", exif=_exif(text=MARK))),
    "gif-comment-polyglot": Cleaned("photo.gif", _gif_comment_polyglot),
    "webp-exif-xmp": Cleaned("photo.webp", _webp_metadata),
    "webp-unreadable-exif": Cleaned("photo.webp",
                                    lambda: _red("WEBP", exif=b"Exif\x00\x00" + MARK)),
    "jpeg-icc-xmp-exif": Cleaned("photo.jpg", _jpeg_icc),
    "jpeg-gps-rotated": Cleaned(
        "photo.jpg", lambda: _red("JPEG", (200, 100), exif=_exif(gps=True, orientation=6)),
        lambda stored: stored.height > stored.width and _reddish(stored),
    ),
    "animated-gif": Cleaned("moving.gif", lambda: _animated("GIF")),
    "animated-webp": Cleaned("moving.webp", lambda: _animated("WEBP")),
    "cmyk-jpeg": Cleaned("print.jpg", lambda: _encode(
        Image.new("CMYK", (240, 160), (0, 230, 230, 20)), "JPEG")),
    "png-16-bit-grey": Cleaned(
        "scan.png", lambda: _png(64, 48, 16, 0, struct.pack(">H", 30_000) * 64),
        lambda stored: 100 <= stored.convert("L").getpixel((5, 5)) <= 135,
    ),
    "png-16-bit-rgb": Cleaned(
        "deep.png", lambda: _png(64, 48, 16, 2, struct.pack(">HHH", 54000, 5000, 5000) * 64)),
    "mpo-jpeg": Cleaned("phone.jpg", _mpo),
    "name-path-traversal": Cleaned("../../../../etc/passwd.jpg", lambda: _red("JPEG")),
    "name-windows-traversal": Cleaned("..\\..\\windows\\win.ini.png", lambda: _red("PNG")),
    "name-unicode": Cleaned("夏休み　の写真 😀 \ufeff\u202egpj.exe.jpg", lambda: _red("JPEG")),
    "name-very-long": Cleaned("写" * 300 + "a" * 700 + ".jpg", lambda: _red("JPEG")),
}


# --- the upload fields -----------------------------------------------------------------------

@dataclass
class Posted:
    response: object
    key: str | None  # the stored image's key, if one was stored
    served: str | None  # the URL that serves it through an access-checked view
    also: list | None = None  # every key the post stored (several photos at once), if more


def _profile_data(user, **extra) -> dict:
    initial = ProfileForm(instance=user.profile).initial
    return {**{k: v for k, v in initial.items() if v is not None}, **extra}


def _post_profile(client, user, upload, text=TYPED) -> Posted:
    response = client.post(reverse("accounts:edit"),
                           _profile_data(user, introduction=text, photo_upload=upload))
    user.profile.refresh_from_db()
    photo = user.profile.photo or None
    return Posted(response, photo, photo and reverse("accounts:photo", args=[user.pk, "medium"]))


def _diary_data(text=TYPED, **extra) -> dict:
    return {"title": "Summer", "body": text, "visibility": Level.FRIENDS, **extra}


def _post_diary(client, user, upload, field="photo3", text=TYPED) -> Posted:
    response = client.post(reverse("diary:new"), _diary_data(text, **{field: upload}))
    photo = EntryPhoto.objects.filter(entry__author=user).first()
    return Posted(response, photo and photo.image, photo and photo.url("medium"))


def _community_data(text=TYPED, **extra) -> dict:
    return {"name": "Tea", "description": text, "category": factories.category().pk,
            "join_policy": JoinPolicy.OPEN, "topic_policy": "members", **extra}


def _post_community(client, user, upload, text=TYPED) -> Posted:
    response = client.post(reverse("communities:new"), _community_data(text, image=upload))
    community = Community.objects.filter(image__gt="").first()
    served = community and reverse("communities:image", args=[community.pk, "medium"])
    return Posted(response, community and community.image, served)


def _post_album(client, user, upload, text=TYPED) -> Posted:
    """Into a new album titled with the text typed (the upload page shows it again): the file
    between two good photos, so that one refused keeps the other two out as well."""
    album = Album.objects.create(owner=user, title=text, visibility=Level.FRIENDS)
    good = [SimpleUploadedFile(f"good{n}.jpg", _red("JPEG")) for n in (1, 2)]
    response = client.post(reverse("albums:upload", args=[album.pk]),
                           {"photos": [good[0], upload, good[1]]})
    photos = list(AlbumPhoto.objects.filter(album=album).order_by("position"))
    if not photos:
        return Posted(response, None, None)
    # The hostile file is the second of the three.
    assert len(photos) == 3
    photo = photos[1]
    return Posted(response, photo.image, photo.url("medium"), also=[p.image for p in photos])


TARGETS = {"profile": _post_profile, "diary": _post_diary, "community": _post_community,
           "album": _post_album}
FIELD_NAMES = {"profile": "photo_upload", "diary": "photo3", "community": "image",
               "album": "photos"}


@pytest.fixture(autouse=True)
def _room_to_create(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000


def _media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root) for name in names
    )


# --- what is stored and served ---------------------------------------------------------------

WEBP_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def assert_fresh_webp(data: bytes) -> Image.Image:
    """A WebP file with nothing but pixels in it: the RIFF length covers the whole file (nothing
    appended), only image chunks (no EXIF, XMP, ICCP, ANIM), no trace of the payload."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert int.from_bytes(data[4:8], "little") + 8 == len(data)
    at, chunks = 12, []
    while at < len(data):
        chunks.append(data[at:at + 4])
        length = int.from_bytes(data[at + 4:at + 8], "little")
        at += 8 + length + (length & 1)
    assert at == len(data)
    assert set(chunks) <= WEBP_CHUNKS, chunks
    assert MARK not in data and b"<script" not in data.lower() and b"PhoneMaker" not in data
    picture = Image.open(io.BytesIO(data))
    picture.load()
    assert picture.format == "WEBP" and not getattr(picture, "is_animated", False)
    assert dict(picture.getexif()) == {} and picture.getexif().get_ifd(GPS_IFD) == {}
    assert not {"exif", "xmp", "icc_profile"} & set(picture.info)
    return picture


def _stored(key: str, size: str) -> bytes:
    with default_storage.open(images.path(key, size), "rb") as handle:
        return handle.read()


def assert_served(client, url: str, key: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == _stored(key, "medium")
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="medium.webp"'
    assert response["Content-Length"] == str(len(body))
    assert "private" in response["Cache-Control"]


# --- every hostile file through every upload field -------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", REFUSED)
def test_refused_with_the_message_and_nothing_stored(case, target, owner, as_user, settings):
    hostile = REFUSED[case]
    posted = TARGETS[target](as_user(owner), owner, SimpleUploadedFile(hostile.name,
                                                                       hostile.make()))
    body = posted.response.content.decode()
    assert posted.response.status_code == 200
    assert hostile.message in body
    assert TYPED in body  # the text typed beside the file is shown again, as typed
    assert posted.key is None and _media_files(settings) == []
    assert not Entry.objects.exists() and not Community.objects.exists()
    if target == "album":
        # Several files at once: the refused one is named, as text.
        assert "<img src=x" not in body
        assert "“" in body and "”: " + hostile.message in body
    else:
        assert "onerror=alert" not in body  # the file's name is never echoed raw


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CLEANED)
def test_stored_as_a_fresh_encode_and_served_clean(case, target, owner, as_user, settings):
    hostile = CLEANED[case]
    client = as_user(owner)
    posted = TARGETS[target](client, owner, SimpleUploadedFile(hostile.name, hostile.make()))
    assert posted.response.status_code == 302
    assert posted.key
    for size in images.SIZES:
        picture = assert_fresh_webp(_stored(posted.key, size))
        if size == "large":
            assert hostile.check(picture)
    # Under the media folder: the three renditions at a key of our making, nothing else; the
    # member's file name is used nowhere.
    keys = posted.also or [posted.key]
    expected = sorted(images.path(key, size) for key in keys for size in images.SIZES)
    assert _media_files(settings) == expected
    assert re.fullmatch(r"(profiles|diary|communities|albums)/\d+/[0-9a-f]{32}", posted.key)
    # Nothing was written beside the media folder either (where "../" would have led).
    assert [p.name for p in settings.MEDIA_ROOT.parent.iterdir()] == ["media"]
    if posted.served:
        assert_served(client, posted.served, posted.key)


# --- the size limit ------------------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


@pytest.mark.parametrize("target", TARGETS)
def test_a_50_mb_upload_is_refused_without_being_kept(target, owner, as_user, settings):
    data = b"\xff\xd8\xff\xe0" + bytes(FIFTY_MB - 4)
    posted = TARGETS[target](as_user(owner), owner, SimpleUploadedFile("big.jpg", data))
    body = posted.response.content.decode()
    assert posted.response.status_code == 200
    assert TOO_LARGE in body and TYPED in body
    assert posted.key is None and _media_files(settings) == []
    # The form saw the file's size and none of its bytes: past IMAGE_MAX_BYTES they were
    # dropped as they arrived (sns.images.UploadSizeCap), kept neither in memory nor on disk.
    files = posted.response.context["form"].files
    # (Of the album's three files at once, the second.)
    received = files.getlist("photos")[1] if target == "album" else files[FIELD_NAMES[target]]
    assert type(received) is images.OversizeUpload
    assert received.size == FIFTY_MB
    assert type(received.file) is io.BytesIO  # the empty one it was made with


def test_the_size_cap_is_exact(owner, as_user, settings):
    settings.IMAGE_MAX_BYTES = len(at_cap := _noise("PNG"))
    client = as_user(owner)
    response = client.post(reverse("diary:new"), _diary_data(
        photo1=SimpleUploadedFile("a.png", at_cap),
        photo2=SimpleUploadedFile("b.png", at_cap + b"\x00"),
    ))
    assert response.status_code == 200
    assert "This image is too large (at most 0 MB)." in response.content.decode()
    form = response.context["form"]
    assert type(form.files["photo1"]) is not images.OversizeUpload
    assert form.files["photo1"].size == len(at_cap)
    assert type(form.files["photo2"]) is images.OversizeUpload
    assert "photo1" not in form.errors and "photo2" in form.errors


# --- the member's language -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("target", "name", "make", "message"),
    [
        ("profile", "photo.jpg", lambda: SVG, NOT_AN_IMAGE),
        ("diary", "bomb.png", lambda: _png_bomb_header(30_000, 30_000), TOO_MANY_PIXELS),
        ("community", "big.jpg", lambda: bytes(FIFTY_MB), TOO_LARGE),
        ("diary", "empty.jpg", lambda: b"", EMPTY),
        ("album", "photo.png", lambda: _png_bomb_header(30_000, 30_000), TOO_MANY_PIXELS),
    ],
    ids=["profile-svg", "diary-bomb", "community-50mb", "diary-empty", "album-bomb"],
)
def test_messages_in_japanese(target, name, make, message, owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    posted = TARGETS[target](as_user(owner), owner, SimpleUploadedFile(name, make()))
    body = posted.response.content.decode()
    assert posted.response.status_code == 200
    assert JA[message] in body and message not in body
    assert TYPED in body


# --- every diary photo field, and nothing already saved is lost ------------------------------

def test_each_diary_photo_field_cleans_or_refuses(owner, as_user, settings):
    client = as_user(owner)
    hostile = {"photo1": _png_html_polyglot(), "photo2": _jpeg_bomb(), "photo3": SVG}
    response = client.post(reverse("diary:new"), _diary_data(**{
        field: SimpleUploadedFile(f"{field}.jpg", data) for field, data in hostile.items()
    }))
    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) == {"photo2", "photo3"}
    assert form.errors["photo2"] == [TOO_MANY_PIXELS] and form.errors["photo3"] == [NOT_AN_IMAGE]
    # The good photo beside them is not stored either: the entry was not saved.
    assert _media_files(settings) == [] and not Entry.objects.exists()

    response = client.post(reverse("diary:new"), _diary_data(**{
        field: SimpleUploadedFile(f"{field}.jpg", data) for field, data in (
            ("photo1", _png_html_polyglot()), ("photo2", _jpeg_js_polyglot()),
            ("photo3", _red("JPEG", exif=_exif(gps=True))),
        )
    }))
    assert response.status_code == 302
    entry = Entry.objects.get()
    for photo in entry.photos.all():
        for size in images.SIZES:
            assert_fresh_webp(_stored(photo.image, size))
        assert_served(client, photo.url("medium"), photo.image)


def test_diary_edit_with_a_bad_photo_keeps_the_text_typed_and_the_photos(owner, as_user):
    entry = diary_services.entry_create(
        author=owner, title="Old title", body="Old body", visibility=Level.FRIENDS,
        photos=[images.process(SimpleUploadedFile("a.jpg", _red("JPEG"))) for _ in range(2)],
    )
    before = list(entry.photos.values_list("position", "image"))
    client = as_user(owner)
    response = client.post(reverse("diary:edit", args=[entry.pk]), _diary_data(
        text="New body, typed with care 新しい本文", title="New title",
        photo3=SimpleUploadedFile("p.jpg", _webp_bomb()),
    ))
    body = response.content.decode()
    assert response.status_code == 200
    assert TOO_MANY_PIXELS in body
    assert "New body, typed with care 新しい本文" in body and 'value="New title"' in body
    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("Old title", "Old body")
    assert list(entry.photos.values_list("position", "image")) == before
    for photo in entry.photos.all():
        assert_served(client, photo.url("medium"), photo.image)


def test_profile_edit_with_a_bad_photo_keeps_the_photo(owner, as_user):
    client = as_user(owner)
    assert client.post(reverse("accounts:edit"), _profile_data(
        owner, photo_upload=SimpleUploadedFile("me.png", _red("PNG")))).status_code == 302
    owner.profile.refresh_from_db()
    kept, introduction = owner.profile.photo, owner.profile.introduction
    posted = _post_profile(client, owner, SimpleUploadedFile("me.jpg", PDF), text="New words")
    assert posted.response.status_code == 200
    assert NOT_AN_IMAGE in posted.response.content.decode()
    assert "New words" in posted.response.content.decode()
    assert (owner.profile.photo, owner.profile.introduction) == (kept, introduction)
    for size in images.SIZES:
        assert_fresh_webp(_stored(kept, size))


def test_community_edit_with_a_bad_image_keeps_the_image(owner, as_user):
    client = as_user(owner)
    posted = _post_community(client, owner, SimpleUploadedFile("c.gif", _animated("GIF")))
    community = Community.objects.get()
    response = client.post(reverse("communities:edit", args=[community.pk]), {
        **_community_data("A new description"), "name": community.name,
        "image": SimpleUploadedFile("c.png", (d := _noise("PNG"))[:len(d) // 3]),
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert NOT_AN_IMAGE in body and "A new description" in body
    community.refresh_from_db()
    assert community.image == posted.key and community.description == TYPED
    assert_served(client, posted.served, posted.key)


# --- many files at once (an album) -----------------------------------------------------------

def test_an_album_takes_every_cleaned_file_at_once(owner, as_user, settings):
    """Up to 20 hostile-but-usable files in one post: each stored as a fresh encode."""
    album = Album.objects.create(owner=owner, title="All at once", visibility=Level.FRIENDS)
    cases = list(CLEANED.values())[:20]
    client = as_user(owner)
    response = client.post(reverse("albums:upload", args=[album.pk]), {"photos": [
        SimpleUploadedFile(case.name, case.make()) for case in cases
    ]})
    assert response.status_code == 302
    photos = list(AlbumPhoto.objects.filter(album=album).order_by("position"))
    assert len(photos) == len(cases)
    for photo, case in zip(photos, cases, strict=True):
        assert case.check(assert_fresh_webp(_stored(photo.image, "large")))
    assert_served(client, photos[0].url("medium"), photos[0].image)


def test_an_album_names_every_refused_file_and_keeps_none(owner, as_user, settings):
    album = Album.objects.create(owner=owner, title="Mixed", visibility=Level.FRIENDS)
    refused = [REFUSED["html-name"], REFUSED["zero-bytes"], *list(REFUSED.values())[:3]]
    files = [SimpleUploadedFile("fine.jpg", _red("JPEG"))] + [
        SimpleUploadedFile(case.name, case.make()) for case in refused
    ]
    response = as_user(owner).post(reverse("albums:upload", args=[album.pk]), {"photos": files})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No photo was added. Choose the photos again without the ones named." in body
    for case in refused:
        assert case.message in body
    assert "<img src=x" not in body
    assert not AlbumPhoto.objects.exists() and _media_files(settings) == []


def test_an_album_refuses_more_than_twenty_files_at_once(owner, as_user, settings):
    album = Album.objects.create(owner=owner, title="Too many", visibility=Level.FRIENDS)
    files = [SimpleUploadedFile(f"p{n}.jpg", _red("JPEG")) for n in range(21)]
    response = as_user(owner).post(reverse("albums:upload", args=[album.pk]), {"photos": files})
    assert response.status_code == 200
    assert "Add at most 20 photos at a time (you chose 21)." in response.content.decode()
    assert not AlbumPhoto.objects.exists() and _media_files(settings) == []
