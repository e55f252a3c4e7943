"""The one way member images enter the site.

Open with Pillow under a pixel cap, apply the camera's orientation, drop every piece of
metadata (EXIF carries GPS), re-encode, make the fixed sizes, and store them through
Django's storage API so that S3 works by configuration alone.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import Refused

T = TypeVar("T")

# Longest side, in pixels, of each stored size.
SIZES = {"small": 96, "medium": 320, "large": 1280}
# The only decoders Pillow may try on an upload: hostile bytes never reach the others.
OPENED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# MPO is how Pillow names a JPEG carrying a second picture (phones' Ultra HDR gain map,
# portrait depth): a camera JPEG all the same, and its first picture is the photo.
ACCEPTED_FORMATS = {*OPENED_FORMATS, "MPO"}
STORED_FORMAT = "WEBP"
STORED_SUFFIX = "webp"

NOT_AN_IMAGE = _("This file is not an image we can use. Please choose a JPEG, PNG, WebP or GIF.")


@dataclass(frozen=True)
class ProcessedImage:
    """Re-encoded renditions, ready to store: size name → encoded bytes."""

    renditions: dict[str, bytes]
    width: int
    height: int


def process(upload) -> ProcessedImage:
    """Check and re-encode an uploaded file; raise Refused with a member's message."""
    if upload.size is not None and upload.size > settings.IMAGE_MAX_BYTES:
        raise Refused(
            _("This image is too large (at most %(mb)d MB).")
            % {"mb": settings.IMAGE_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload, formats=OPENED_FORMATS) as probe:
            # Image.open reads only the header: refuse a decompression bomb before decoding.
            if probe.format not in ACCEPTED_FORMATS:
                raise Refused(NOT_AN_IMAGE, code="format")
            width, height = probe.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise _too_many_pixels()
            probe.seek(0)  # the first frame of an animation
            probe.load()  # a truncated or corrupt file fails here
            image = _upright(probe)
    except Refused:
        raise
    except Image.DecompressionBombError:
        # Pillow's own cap, hit while reading the header of a far larger image than ours.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused(NOT_AN_IMAGE, code="invalid") from None

    image = _eight_bit(image)
    mode = "RGBA" if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    # The original's metadata (EXIF, XMP, ICC, comments) goes with its info dict: no encoder
    # can write any of it into the stored files.
    image.info = {}
    width, height = image.size
    return ProcessedImage(renditions=_renditions(image), width=width, height=height)


def _renditions(image: Image.Image) -> dict[str, bytes]:
    """Each size freshly encoded. Largest first, each scaled in place from the one before:
    a full-size picture (up to IMAGE_MAX_PIXELS × 4 bytes) is never copied again."""
    encoded = {}
    for name, longest in sorted(SIZES.items(), key=lambda item: item[1], reverse=True):
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, STORED_FORMAT, quality=85, method=4)
        encoded[name] = buffer.getvalue()
    return {name: encoded[name] for name in SIZES}


def _upright(image: Image.Image) -> Image.Image:
    """A copy turned as the camera's EXIF orientation says. The EXIF block is dropped anyway,
    so one Pillow cannot parse (whatever it raises: it is hostile input) is no reason to
    refuse pixels that decoded: they are kept as they are."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image.copy()


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (a PNG opens as mode I;16, values up to 65535) scaled to 8 bits:
    Pillow's own conversion clips at 255, which would store the picture plain white."""
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image


def _too_many_pixels() -> Refused:
    return Refused(
        _("This image has too many pixels (at most %(mp)d megapixels).")
        % {"mp": settings.IMAGE_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


class OversizeUpload(UploadedFile):
    """What a form receives for a file larger than IMAGE_MAX_BYTES: its name and real size,
    no content (``process`` refuses it by size before reading)."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(io.BytesIO(), name, content_type, size)


class UploadSizeCap(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS. Django takes a request body of any size (files do not
    count towards DATA_UPLOAD_MAX_MEMORY_SIZE) and neither does gunicorn: this passes each
    file's bytes on to Django's handlers only up to IMAGE_MAX_BYTES and drops the rest, so a
    50 MB (or 5 GB) upload costs no more memory or disk than one at the limit, while the
    form's other fields are still read and shown again with the "too large" message."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return raw_data if self.received <= settings.IMAGE_MAX_BYTES else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if file_size <= settings.IMAGE_MAX_BYTES:
            return None  # the next handler's file, whole
        return OversizeUpload(self.file_name, self.content_type, file_size)


def store(processed: ProcessedImage, *, prefix: str) -> str:
    """Save every rendition; return the key that ``url`` and ``delete`` take."""
    key = f"{prefix}/{uuid.uuid4().hex}"
    for name, data in processed.renditions.items():
        default_storage.save(path(key, name), ContentFile(data))
    return key


def delete(key: str) -> None:
    for name in SIZES:
        default_storage.delete(path(key, name))


class StoredPhoto(models.Model):
    """What every stored photo of a thing is (an entry's, a message's): its key in the
    storage (``store``), served only through a view that checks who may see the thing, and
    its place among the thing's photos. Each app's model adds what it is on and its
    constraints (a place once per thing, at most so many)."""

    image = models.CharField(_("image"), max_length=200, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]


def removed_on_failure(stored: list[str], work: Callable[[], T]) -> T:
    """Run ``work`` (a transaction that stores images, appending each key to ``stored``); if
    it fails, remove the files it stored: nothing in the database points at them once its
    transaction has rolled back."""
    try:
        return work()
    except BaseException:
        for key in stored:
            delete(key)
        raise


def path(key: str, size: str) -> str:
    """The storage path of one rendition (for views that serve images themselves)."""
    if size not in SIZES:
        raise ValueError(f"unknown image size {size!r}")
    return f"{key}/{size}.{STORED_SUFFIX}"


def private_response(key: str, size: str, *, max_age: int = 0):
    """One rendition as an HTTP response, for a view that has already checked that the viewer
    may see it: unknown sizes and missing files are a 404, and no shared cache may keep it
    (who may see it depends on the viewer). ``max_age`` lets the viewer's own browser keep it
    that many seconds (for images whose address changes with the image)."""
    from django.http import FileResponse, Http404

    if not key or size not in SIZES:
        raise Http404
    try:
        handle = default_storage.open(path(key, size), "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=f"image/{STORED_SUFFIX}")
    response["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private"
    return response
