"""Diary entries, their photos and comments, made straight through ``diary.models`` (and the
one image function, ``sns.images``): a test states when each was written, and the views under
test are the only code path exercised."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from diary.models import Comment, Entry, EntryPhoto
from sns import images
from sns.visibility import Level
from tests.factories.images import image_file
from tests.pages import token


def entry(author: User, level: str = Level.MEMBERS, *, title: str | None = None,
          body: str = "Hello, diary.", ago: timedelta | None = None) -> Entry:
    """An entry by ``author`` at ``level``, written ``ago`` (30 minutes unless said); its title
    is a word found nowhere else unless given."""
    created_at = timezone.now() - (ago or timedelta(minutes=30))
    return Entry.objects.create(
        author=author, title=title if title is not None else token(f"Entry{level}"),
        body=body, visibility=level, created_at=created_at,
    )


def entry_photo(entry: Entry, position: int = 0) -> EntryPhoto:
    key = images.store(images.process(image_file()), prefix="diary")
    return EntryPhoto.objects.create(entry=entry, image=key, position=position)


def entry_comment(entry: Entry, author: User, body: str = "Nice entry!", *,
                  ago: timedelta | None = None) -> Comment:
    """A comment on ``entry``, written ``ago`` (10 minutes unless said)."""
    created_at = timezone.now() - (ago or timedelta(minutes=10))
    return Comment.objects.create(entry=entry, author=author, body=body, created_at=created_at)
