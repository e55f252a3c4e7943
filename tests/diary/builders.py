"""Diary test data for the cross-cutting battery (access matrix, XSS, browser journey).

Entries, photos and comments are made straight through ``diary.models`` (and the one image
function, ``sns.images``), so the battery depends on nothing but the models and the URL
names: the views under test are the only code path exercised.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from diary.models import Comment, Entry, EntryPhoto
from sns import images
from tests import factories

_seq = itertools.count(1)

LOGIN_PATH = "/accounts/login/"


def token(prefix: str = "Diary") -> str:
    """A word that appears nowhere on a page unless the entry it names is shown there."""
    return f"{prefix}{next(_seq)}x{uuid.uuid4().hex[:10]}"


def entry(author, level, *, title: str | None = None, body: str = "Hello, diary.",
          ago: timedelta | None = None) -> Entry:
    created_at = timezone.now() - (ago or timedelta(minutes=30))
    return Entry.objects.create(
        author=author, title=title if title is not None else token(f"Entry{level}"),
        body=body, visibility=level, created_at=created_at,
    )


def photo(entry: Entry, position: int = 0) -> EntryPhoto:
    key = images.store(images.process(factories.image_file()), prefix="diary")
    return EntryPhoto.objects.create(entry=entry, image=key, position=position)


def comment(entry: Entry, author, body: str = "Nice entry!", *,
            ago: timedelta | None = None) -> Comment:
    created_at = timezone.now() - (ago or timedelta(minutes=10))
    return Comment.objects.create(entry=entry, author=author, body=body, created_at=created_at)


def archive_url(entry: Entry) -> str:
    """The monthly archive holding ``entry`` (its month in the site's time zone)."""
    local = timezone.localtime(entry.created_at)
    for month in (local.month, f"{local.month:02d}"):
        try:
            return reverse("diary:archive", args=[entry.author_id, local.year, month])
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"diary:archive for {local.year}-{local.month}")


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(LOGIN_PATH)


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()
