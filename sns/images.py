"""The one way member images enter the site.

Open with Pillow under a pixel cap, apply the camera's orientation, drop every piece of
metadata (EXIF carries GPS), re-encode, make the fixed sizes, and store them through
Django's storage API so that S3 works by configuration alone.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Longest side, in pixels, of each stored size.
SIZES = {"small": 96, "medium": 320, "large": 1280}
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
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
    """Check and re-encode an uploaded file; raise ValidationError with a member's message."""
    if upload.size is not None and upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("This image is too large (at most %(mb)d MB).")
            % {"mb": settings.IMAGE_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            # Image.open reads only the header: refuse a decompression bomb before decoding.
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="format")
            width, height = probe.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise _too_many_pixels()
            probe.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(probe)
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own cap, hit while reading the header of a far larger image than ours.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(NOT_AN_IMAGE, code="invalid") from None

    mode = "RGBA" if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info else "RGB"
    image = image.convert(mode)
    renditions = {}
    for name, longest in SIZES.items():
        copy = image.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        # A fresh image has no info dict, so nothing of the original's metadata is written.
        copy.save(buffer, STORED_FORMAT, quality=85, method=4)
        renditions[name] = buffer.getvalue()
    return ProcessedImage(renditions=renditions, width=image.width, height=image.height)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels (at most %(mp)d megapixels).")
        % {"mp": settings.IMAGE_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def store(processed: ProcessedImage, *, prefix: str) -> str:
    """Save every rendition; return the key that ``url`` and ``delete`` take."""
    key = f"{prefix}/{uuid.uuid4().hex}"
    for name, data in processed.renditions.items():
        default_storage.save(path(key, name), ContentFile(data))
    return key


def url(key: str, size: str = "medium") -> str:
    return default_storage.url(path(key, size))


def delete(key: str) -> None:
    for name in SIZES:
        default_storage.delete(path(key, name))


def path(key: str, size: str) -> str:
    """The storage path of one rendition (for views that serve images themselves)."""
    if size not in SIZES:
        raise ValueError(f"unknown image size {size!r}")
    return f"{key}/{size}.{STORED_SUFFIX}"


def private_response(key: str, size: str):
    """One rendition as an HTTP response, for a view that has already checked that the viewer
    may see it: unknown sizes and missing files are a 404, and no shared cache may keep it
    (who may see it depends on the viewer)."""
    from django.http import FileResponse, Http404

    if not key or size not in SIZES:
        raise Http404
    try:
        handle = default_storage.open(path(key, size), "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=f"image/{STORED_SUFFIX}")
    response["Cache-Control"] = "private"
    return response
