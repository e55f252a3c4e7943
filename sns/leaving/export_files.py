"""The files of the data download that are written as they are read, a chunk at a time,
with the photos that go with them (diary entries, albums, messages), and what every file
of it shares (times, names, JSON). sns/leaving/export.py assembles the zip."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter

from django.contrib.postgres.expressions import ArraySubquery
from django.core.files.storage import default_storage
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import JSONObject

from accounts.models import User
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from conversations import selectors as conversation_selectors
from conversations.models import Participant
from diary.models import Comment, Entry, EntryPhoto
from sns import images
from sns.people import DELETED_MEMBER
from sns.visibility import without_hidden_people

ENTRY_CHUNK = 200
# The rendition of a diary photo put in the zip: the largest the site keeps.
PHOTO_SIZE = "large"



def json_time(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (``...Z``), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def member_name(user: User | None) -> str:

    return user.display_name if user is not None else str(DELETED_MEMBER.name)


def _entry_rows(member: User) -> Iterator:

    # The comments as the owner sees them on the entry page: without those a moderator hid
    # or whose authors are suspended or stand in a block with the owner; those of members
    # who left stay, as "deleted member".
    comments = without_hidden_people(
        Comment.objects.filter(hidden_at__isnull=True), "author_id", member
    ).select_related("author__profile").order_by("created_at", "pk")
    # Each entry's photos (position and key) come in its own row: one query fewer a chunk.
    photos = ArraySubquery(
        EntryPhoto.objects.filter(entry=OuterRef("pk")).order_by("position")
        .values(photo=JSONObject(position="position", image="image"))
    )
    return (
        Entry.objects.filter(author=member)
        .annotate(photo_list=photos)
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("created_at", "pk")
        .iterator(chunk_size=ENTRY_CHUNK)
    )


def entries_write(archive: zipfile.ZipFile, member: User) -> None:
    """diary/entries.json, written entry by entry, and diary/photos/<entry>-<position>.webp."""
    photos = []
    with archive.open("diary/entries.json", "w") as out:
        out.write(b"[")
        for n, entry in enumerate(_entry_rows(member)):
            files = []
            for photo in entry.photo_list:
                name = f"diary/photos/{entry.pk}-{photo['position']}.{images.STORED_SUFFIX}"
                files.append(name)
                photos.append((name, photo["image"]))
            item = {
                "id": entry.pk,
                "title": entry.title,
                "body": entry.body,
                "visibility": entry.visibility,
                "created_at": json_time(entry.created_at),
                "edited_at": json_time(entry.edited_at),
                "hidden_by_moderator": entry.hidden_at is not None,
                "photos": files,
                "comments": [
                    {"author": member_name(c.author), "body": c.body,
                     "created_at": json_time(c.created_at)}
                    for c in entry.comments.all()
                ],
            }
            out.write((b",\n" if n else b"\n") + json_bytes(item))
        out.write(b"\n]\n")
    for name, key in photos:
        _copy_file(archive, name, key)


def albums_write(archive: zipfile.ZipFile, member: User) -> None:
    """albums/albums.json and albums/photos/<photo>.webp: the albums the member made (their
    own, and those they started in communities) with the photos they added, the photos they
    added to others' albums (with the album's title while they may still see it), and their
    comments on album photos; four queries."""
    mine = list(
        Album.objects.filter(owner=member).select_related("community").order_by("created_at", "pk")
    )
    photos = list(
        AlbumPhoto.objects.filter(uploader=member)
        .annotate(album_seen=still_visible(Album.objects.visible_to(member), "album"))
        .select_related("album").order_by("album_id", "position", "pk")
    )
    comments = list(
        AlbumPhotoComment.objects.filter(author=member)
        .annotate(photo_seen=still_visible(AlbumPhoto.objects.visible_to(member), "photo"))
        .select_related("photo__album").order_by("created_at", "pk")
    )
    own_ids = {album.pk for album in mine}

    def photo_item(photo) -> dict:
        return {"file": f"albums/photos/{photo.pk}.{images.STORED_SUFFIX}",
                "caption": photo.caption, "created_at": json_time(photo.created_at),
                "hidden_by_moderator": photo.hidden_at is not None}

    archive.writestr("albums/albums.json", json_bytes({
        "albums": [{
            "title": album.title, "description": album.description,
            "visibility": album.visibility if album.community_id is None else None,
            "community": album.community.name if album.community_id else None,
            "created_at": json_time(album.created_at),
            "hidden_by_moderator": album.hidden_at is not None,
            "photos": [photo_item(p) for p in photos if p.album_id == album.pk],
        } for album in mine],
        "photos_in_others_albums": [
            {**photo_item(p), "album": p.album.title if p.album_seen else None}
            for p in photos if p.album_id not in own_ids
        ],
        "comments": [
            {"body": c.body, "created_at": json_time(c.created_at),
             "album": c.photo.album.title if c.photo_seen else None}
            for c in comments
        ],
    }))
    for photo in photos:
        _copy_file(archive, f"albums/photos/{photo.pk}.{images.STORED_SUFFIX}", photo.image)


def _copy_file(archive: zipfile.ZipFile, name: str, key: str) -> None:
    """Copy one stored photo into the zip through Django's storage (S3 works alike)."""
    try:
        source = default_storage.open(images.path(key, PHOTO_SIZE), "rb")
    except FileNotFoundError:
        return
    with source, archive.open(name, "w") as target:
        shutil.copyfileobj(source, target)


def messages_write(archive: zipfile.ZipFile, member: User) -> None:
    """messages.json: each conversation the member is or was in, who was in it and what was
    written in it that they may read (in one they left, up to when they left); three
    queries, written conversation by conversation."""
    seats = list(
        Participant.objects.filter(member=member).select_related("conversation")
        .order_by("conversation_id")
    )
    ids = [seat.conversation_id for seat in seats]
    members: dict[int, list[str]] = {}
    for p in (Participant.objects.filter(conversation_id__in=ids)
              .select_related("member__profile").order_by("conversation_id", "pk")):
        members.setdefault(p.conversation_id, []).append(member_name(p.member))
    messages = groupby(
        conversation_selectors.messages_readable_by(member).select_related("author__profile")
        .annotate(photo_count=Count("photos")).order_by("conversation_id", "created_at", "pk")
        .iterator(chunk_size=500),
        key=attrgetter("conversation_id"),
    )
    written = dict.fromkeys(ids, ())
    with archive.open("messages.json", "w") as out:
        out.write(b"[")
        for n, seat in enumerate(seats):
            # The messages come in the seats' order: take this conversation's group.
            for conversation_id, group in messages:
                written[conversation_id] = list(group)
                if conversation_id >= seat.conversation_id:
                    break
            out.write((b"," if n else b"") + json_bytes({
                "subject": seat.conversation.subject,
                "started_at": json_time(seat.conversation.created_at),
                "members": members.get(seat.conversation_id, []),
                "left_at": json_time(seat.left_at),
                "messages": [
                    {"from": member_name(m.author) if m.author_id else None,
                     "mine": m.author_id == member.pk, "body": m.body,
                     "created_at": json_time(m.created_at), "photos": m.photo_count}
                    for m in written.pop(seat.conversation_id, ())
                ],
            }))
        out.write(b"]")


def still_visible(visible: QuerySet, field: str) -> Exists:
    """Whether the row's ``field`` (what the member commented on or answered) is among
    ``visible``. The member's own words and answers are theirs to take; what others wrote
    around them (a title, a description) comes along only while the member may still see it:
    not once its author blocked them, made it private or was suspended."""
    return Exists(visible.filter(pk=OuterRef(field)))
