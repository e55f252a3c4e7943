"""Uploaded pictures, as a browser would send them."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_file(
    fmt: str = "JPEG", size: tuple[int, int] = (640, 480), name: str | None = None, **save_kwargs
) -> SimpleUploadedFile:
    """A picture of ``size`` in ``fmt``; ``save_kwargs`` go to Pillow (``quality``, ``exif``)."""
    picture = Image.new("RGB", size, "#c0392b")
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save_kwargs)
    return SimpleUploadedFile(name or f"photo.{fmt.lower()}", buffer.getvalue())
