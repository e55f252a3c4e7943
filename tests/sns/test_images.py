"""The one way member images enter the site: sns.images (DESIGN.md §3, "Images")."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from sns import images
from tests import factories

GPS_IFD = 0x8825
ORIENTATION = 0x0112
RED = (220, 30, 30)


# --- building test files ---------------------------------------------------------------------


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _encode(picture: Image.Image, fmt: str, **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def _jpeg_with_gps(size=(640, 480), orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (35.0, 39.0, 29.16)  # GPSLatitude: the Imperial Palace, more or less
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (139.0, 45.0, 10.0)  # GPSLongitude
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return _encode(Image.new("RGB", size, RED), "JPEG", exif=exif, quality=90)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png_bomb(width: int, height: int) -> bytes:
    """A real, valid 1-bit greyscale PNG of width × height black pixels.

    Written row by row through zlib, so building it needs no memory for the pixels, and
    the file is tiny (20000 × 20000 → about 50 KB) while decoding it would take 400 MB.
    """
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none", then the packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _stored(key: str, size: str) -> Image.Image:
    with default_storage.open(f"{key}/{size}.{images.STORED_SUFFIX}") as stored:
        data = stored.read()
    picture = Image.open(io.BytesIO(data))
    picture.load()
    picture.raw_bytes = data  # for the byte-level checks
    return picture


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@pytest.fixture
def decoding_spy(monkeypatch):
    """Records every decode (ImageFile.load) Pillow performs during the test."""
    calls = []
    original = ImageFile.ImageFile.load

    def load(self):
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls


# --- metadata ----------------------------------------------------------------------------


def test_fixture_really_carries_gps():
    with Image.open(io.BytesIO(_jpeg_with_gps())) as original:
        exif = original.getexif()
        assert exif[0x010F] == "PhoneMaker"
        gps = exif.get_ifd(GPS_IFD)
        assert gps[1] == "N" and gps[3] == "E"
        assert float(gps[2][0]) == 35.0
        assert "exif" in original.info


def test_exif_and_gps_are_gone_from_every_stored_rendition():
    processed = images.process(_upload(_jpeg_with_gps(size=(1600, 1200)), "gps.jpg"))
    key = images.store(processed, prefix="test")
    for size in images.SIZES:
        picture = _stored(key, size)
        assert picture.format == "WEBP"
        assert dict(picture.getexif()) == {}, size
        assert picture.getexif().get_ifd(GPS_IFD) == {}, size
        assert "exif" not in picture.info, size
        assert "xmp" not in picture.info, size
        assert "icc_profile" not in picture.info, size
        # Nothing of the camera's block survives anywhere in the file either.
        assert b"EXIF" not in picture.raw_bytes and b"Exif" not in picture.raw_bytes, size
        assert b"PhoneMaker" not in picture.raw_bytes, size


def test_orientation_6_is_applied():
    data = _jpeg_with_gps(size=(200, 100), orientation=6)
    with Image.open(io.BytesIO(data)) as original:
        assert original.size == (200, 100)
        assert original.getexif()[ORIENTATION] == 6

    processed = images.process(_upload(data, "sideways.jpg"))
    assert (processed.width, processed.height) == (100, 200)
    key = images.store(processed, prefix="test")
    for size in images.SIZES:
        picture = _stored(key, size)
        assert picture.height > picture.width, size
        # The rotation is baked into the pixels, not left as a tag for viewers to obey.
        assert ORIENTATION not in picture.getexif(), size


# --- refusals ------------------------------------------------------------------------------


def test_bomb_fixture_is_small_and_a_real_png():
    data = _png_bomb(20_000, 20_000)
    assert len(data) < 100_000
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", data[16:24]) == (20_000, 20_000)


@pytest.mark.parametrize("size", [(8_000, 6_000), (20_000, 20_000)], ids=["48MP", "400MP"])
def test_decompression_bomb_is_refused_before_decoding(size, decoding_spy):
    data = _png_bomb(*size)
    with pytest.raises(ValidationError) as refused:
        images.process(_upload(data, "bomb.png"))
    assert refused.value.code == "too_many_pixels"
    assert "too many pixels" in _message(refused.value)
    assert "40 megapixels" in _message(refused.value)
    assert decoding_spy == []


def test_pixel_cap_comes_from_settings(settings, decoding_spy):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    data = _encode(Image.new("RGB", (1200, 1000), RED), "PNG")
    with pytest.raises(ValidationError) as refused:
        images.process(_upload(data, "big.png"))
    assert refused.value.code == "too_many_pixels"
    assert decoding_spy == []
    # Just under the cap is fine (and the spy does see a real decode).
    images.process(_upload(_encode(Image.new("RGB", (1000, 1000), RED), "PNG"), "ok.png"))
    assert (1000, 1000) in decoding_spy


def _truncated_jpeg() -> bytes:
    noise = Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3))
    data = _encode(noise, "JPEG", quality=95)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", "Hello, this is not a picture.\nこんにちは\n".encode()),
        ("notes.jpg", b"Hello, this is not a picture either, whatever its name says."),
        ("empty.png", b""),
        ("cut.jpg", _truncated_jpeg()),
        ("picture.bmp", _encode(Image.new("RGB", (64, 64), RED), "BMP")),
        ("picture.tiff", _encode(Image.new("RGB", (64, 64), RED), "TIFF")),
        ("picture.ico", _encode(Image.new("RGB", (64, 64), RED), "ICO")),
    ],
    ids=["text", "text-named-jpg", "empty", "truncated-jpeg", "bmp", "tiff", "ico"],
)
def test_what_is_not_an_accepted_image_is_refused_with_the_message(name, data):
    with pytest.raises(ValidationError) as refused:
        images.process(_upload(data, name))
    assert _message(refused.value) == str(images.NOT_AN_IMAGE)
    assert "JPEG, PNG, WebP or GIF" in _message(refused.value)


def test_truncated_jpeg_header_is_still_readable():
    # The refusal above is about the missing pixels, not an unreadable header.
    with Image.open(io.BytesIO(_truncated_jpeg())) as cut:
        assert cut.format == "JPEG" and cut.size == (400, 300)


def test_too_many_bytes_are_refused(settings, decoding_spy):
    settings.IMAGE_MAX_BYTES = 1024 * 1024
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    data = _encode(noise, "PNG")
    assert len(data) > settings.IMAGE_MAX_BYTES
    with pytest.raises(ValidationError) as refused:
        images.process(_upload(data, "huge.png"))
    assert refused.value.code == "too_large"
    assert "too large" in _message(refused.value)
    assert "1 MB" in _message(refused.value)
    assert decoding_spy == []


def test_default_byte_cap_is_15_mb(settings):
    assert settings.IMAGE_MAX_BYTES == 15 * 1024 * 1024
    assert settings.IMAGE_MAX_PIXELS == 40_000_000


# --- what comes out ------------------------------------------------------------------------


def test_png_transparency_is_kept():
    picture = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    picture.paste((255, 0, 0, 255), (50, 50, 150, 150))
    processed = images.process(_upload(_encode(picture, "PNG"), "cut-out.png"))
    key = images.store(processed, prefix="test")
    for size in images.SIZES:
        stored = _stored(key, size)
        assert stored.mode == "RGBA", size
        assert stored.getpixel((0, 0))[3] == 0, size
        middle = (stored.width // 2, stored.height // 2)
        assert stored.getpixel(middle)[3] == 255, size


def test_palette_png_with_transparent_colour_keeps_transparency():
    picture = Image.new("P", (100, 100), 0)
    picture.putpalette([255, 255, 255, 200, 0, 0] + [0] * (256 * 3 - 6))
    picture.paste(1, (25, 25, 75, 75))
    processed = images.process(
        _upload(_encode(picture, "PNG", transparency=0), "palette.png")
    )
    stored = _stored(images.store(processed, prefix="test"), "medium")
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((50, 50))[3] == 255


def test_jpeg_without_alpha_is_stored_as_rgb():
    processed = images.process(factories.image_file("JPEG", (300, 200)))
    stored = _stored(images.store(processed, prefix="test"), "medium")
    assert stored.mode == "RGB"


def test_animated_gif_keeps_the_first_frame():
    frames = [Image.new("RGB", (120, 80), colour) for colour in (RED, (0, 0, 255), (0, 160, 0))]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100,
                   loop=0)
    with Image.open(io.BytesIO(data)) as original:
        assert original.n_frames == 3

    processed = images.process(_upload(data, "moving.gif"))
    assert (processed.width, processed.height) == (120, 80)
    key = images.store(processed, prefix="test")
    for size in images.SIZES:
        stored = _stored(key, size)
        assert getattr(stored, "n_frames", 1) == 1, size
        assert not getattr(stored, "is_animated", False), size
        r, g, b = stored.convert("RGB").getpixel((stored.width // 2, stored.height // 2))
        assert r > 180 and g < 80 and b < 80, (size, (r, g, b))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_accepted_format_is_taken(fmt):
    processed = images.process(factories.image_file(fmt, (300, 200)))
    assert (processed.width, processed.height) == (300, 200)
    assert set(processed.renditions) == {"small", "medium", "large"}


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ((2000, 1500), {"small": (96, 72), "medium": (320, 240), "large": (1280, 960)}),
        ((900, 3000), {"small": (29, 96), "medium": (96, 320), "large": (384, 1280)}),
        ((50, 40), {"small": (50, 40), "medium": (50, 40), "large": (50, 40)}),
    ],
    ids=["landscape", "portrait", "tiny-not-enlarged"],
)
def test_renditions_have_the_fixed_sizes(original, expected):
    processed = images.process(factories.image_file("PNG", original))
    key = images.store(processed, prefix="profiles/7")
    assert key.startswith("profiles/7/")
    for size, longest in images.SIZES.items():
        stored = _stored(key, size)
        assert max(stored.size) <= longest
        assert stored.size == expected[size], size


def test_renditions_go_through_default_storage_and_delete_removes_them(settings):
    processed = images.process(factories.image_file("JPEG", (1600, 900)))
    key = images.store(processed, prefix="test")
    paths = [f"{key}/{size}.webp" for size in images.SIZES]
    for path in paths:
        assert default_storage.exists(path)
        # The autouse fixture put MEDIA_ROOT in a per-test directory.
        assert (settings.MEDIA_ROOT / path).is_file()
    assert images.path(key, "small") == f"{key}/small.webp"
    with pytest.raises(ValueError):
        images.path(key, "huge")

    images.delete(key)
    for path in paths:
        assert not default_storage.exists(path)
    images.delete(key)  # deleting again is harmless


def test_each_store_gets_its_own_key():
    processed = images.process(factories.image_file("PNG", (100, 100)))
    assert images.store(processed, prefix="p") != images.store(processed, prefix="p")


# --- through the profile edit page -------------------------------------------------------


def _profile_form_data(user, **overrides) -> dict:
    profile = user.profile
    data = {
        "real_name": profile.real_name,
        "real_name_kana": "おーなー ぱーそん",
        "nickname": profile.nickname,
        "shown_name_choice": profile.shown_name_choice,
        "other_name_visibility": profile.other_name_visibility,
        "company": profile.company,
        "company_visibility": profile.company_visibility,
        "title": profile.title,
        "title_visibility": profile.title_visibility,
        "photo_visibility": profile.photo_visibility,
        "introduction": "",
        "introduction_visibility": profile.introduction_visibility,
        "interests": "",
        "interests_visibility": profile.interests_visibility,
        "birthday_visibility": profile.birthday_visibility,
        "birth_year_visibility": profile.birth_year_visibility,
    }
    data.update(overrides)
    return data


def test_photo_upload_on_profile_edit_is_stored_and_shown(owner, as_user, settings):
    client = as_user(owner)
    upload = _upload(_jpeg_with_gps(size=(1200, 900)), "me.jpg")
    response = client.post("/me/edit/", _profile_form_data(owner, photo_upload=upload))
    assert response.status_code == 302
    assert response["Location"] == owner.get_absolute_url()

    owner.profile.refresh_from_db()
    key = owner.profile.photo
    assert key.startswith(f"profiles/{owner.pk}/")
    for size in images.SIZES:
        assert default_storage.exists(f"{key}/{size}.webp")
        assert "exif" not in _stored(key, size).info
    assert owner.profile.real_name_kana == "おーなー ぱーそん"

    page = client.get(owner.get_absolute_url()).content.decode()
    assert f'src="{owner.profile.photo_url("medium")}"' in page
    served = client.get(owner.profile.photo_url("medium"))
    assert b"".join(served.streaming_content) == default_storage.open(
        images.path(key, "medium")).read()
    assert "Your profile was saved." in page


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_replacing_the_photo_deletes_the_old_files(owner, as_user, on_commit):
    client = as_user(owner)
    with on_commit():
        client.post("/me/edit/", _profile_form_data(
            owner, photo_upload=factories.image_file("PNG", (300, 300))))
    owner.profile.refresh_from_db()
    first = owner.profile.photo
    with on_commit():
        client.post("/me/edit/", _profile_form_data(
            owner, photo_upload=factories.image_file("JPEG", (300, 300))))
    owner.profile.refresh_from_db()
    assert owner.profile.photo and owner.profile.photo != first
    assert not default_storage.exists(f"{first}/medium.webp")
    assert default_storage.exists(f"{owner.profile.photo}/medium.webp")

    with on_commit():
        client.post("/me/edit/", _profile_form_data(owner, remove_photo="on"))
    second = owner.profile.photo
    owner.profile.refresh_from_db()
    assert owner.profile.photo == ""
    assert not default_storage.exists(f"{second}/medium.webp")


def test_refused_upload_shows_the_message_on_the_form(owner, as_user):
    client = as_user(owner)
    upload = _upload(b"just some text", "notes.txt")
    response = client.post("/me/edit/", _profile_form_data(owner, photo_upload=upload))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This file is not an image we can use." in body
    owner.profile.refresh_from_db()
    assert owner.profile.photo == ""
