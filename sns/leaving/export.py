"""Download my data: a zip of JSON and photos, built for one member.

Written with ``zipfile`` into a SpooledTemporaryFile (memory up to SPOOL_MAX_BYTES, then a
temporary file), so a member with thousands of entries costs bounded memory: entries are
read with ``.iterator()`` a chunk at a time and written to the zip as they come. Each kind
takes a fixed number of queries (prefetching, never one per row). Photos are read through
Django's storage (sns.images), never from local paths.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from tempfile import SpooledTemporaryFile

from django.contrib.postgres.expressions import ArraySubquery
from django.core.files.storage import default_storage
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import Friendship, Introduction, User
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities.models import Membership, Topic, TopicComment
from conversations import selectors as conversation_selectors
from conversations.models import Participant
from diary.models import Comment, Entry, EntryPhoto
from invites.models import Invitation
from offkai.models import RSVP, Event, EventComment, EventHost
from sns import images
from sns.likes import KINDS
from sns.models import Like
from sns.people import DELETED_MEMBER
from sns.visibility import without_hidden_people

SPOOL_MAX_BYTES = 16 * 1024 * 1024
ENTRY_CHUNK = 200
# The rendition of a diary photo put in the zip: the largest the site keeps.
PHOTO_SIZE = "large"



def _time(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (``...Z``), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dump(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _name(user: User | None) -> str:

    return user.display_name if user is not None else str(DELETED_MEMBER.name)


def export_filename(now: datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    return f"tsunagari-{day.isoformat()}.zip"


def export_build(member: User) -> SpooledTemporaryFile:
    """The zip of ``member``'s data, rewound and ready to send."""
    # Handed to FileResponse, which closes it once sent.
    spool = SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _dump(_profile(member)))
        archive.writestr("friends.json", _dump(_friends(member)))
        _entries(archive, member)
        archive.writestr("comments.json", _dump(_comments(member)))
        archive.writestr("communities.json", _dump(_communities(member)))
        archive.writestr("events.json", _dump(_events(member)))
        archive.writestr("introductions.json", _dump(_introductions(member)))
        archive.writestr("invitations.json", _dump(_invitations(member)))
        archive.writestr("likes.json", _dump(_likes(member)))
        _messages(archive, member)
        _albums(archive, member)
    spool.seek(0)
    return spool


# --- each file ---------------------------------------------------------------------------------

def _profile(member: User) -> dict:
    # The profile and the invitation the member came by (with its inviter) in one query.
    member = User.objects.select_related(
        "profile", "accepted_invitation__inviter__profile"
    ).get(pk=member.pk)
    profile = member.profile
    invitation = getattr(member, "accepted_invitation", None)
    inviter = invitation.inviter if invitation is not None else None
    return {
        "email": member.email,
        "language": member.language,
        "date_joined": _time(member.date_joined),
        "invited_by": (
            {"id": inviter.pk, "name": inviter.display_name} if inviter is not None else None
        ),
        "shown_name": member.display_name,
        "real_name": profile.real_name,
        "real_name_kana": profile.real_name_kana,
        "nickname": profile.nickname,
        "shown_name_choice": profile.shown_name_choice,
        "company": profile.company,
        "title": profile.title,
        "introduction": profile.introduction,
        "interests": profile.interests,
        "birthday": {"month": profile.birth_month, "day": profile.birth_day,
                     "year": profile.birth_year},
        "visibility": {
            field: getattr(profile, f"{field}_visibility")
            for field in ("company", "title", "photo", "introduction", "interests",
                          "other_name", "friends", "birthday", "birth_year")
        },
        "leaves_footprints": profile.leaves_footprints,
        "daily_news": member.daily_news,
    }


def _friends(member: User) -> list[dict]:
    rows = (
        Friendship.objects.filter(user=member).select_related("friend__profile")
        .order_by("created_at", "pk")
    )
    return [
        {"id": row.friend_id, "name": row.friend.display_name, "since": _time(row.created_at)}
        for row in rows
    ]


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


def _entries(archive: zipfile.ZipFile, member: User) -> None:
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
                "created_at": _time(entry.created_at),
                "edited_at": _time(entry.edited_at),
                "hidden_by_moderator": entry.hidden_at is not None,
                "photos": files,
                "comments": [
                    {"author": _name(c.author), "body": c.body, "created_at": _time(c.created_at)}
                    for c in entry.comments.all()
                ],
            }
            out.write((b",\n" if n else b"\n") + _dump(item))
        out.write(b"\n]\n")
    for name, key in photos:
        _copy_file(archive, name, key)


def _albums(archive: zipfile.ZipFile, member: User) -> None:
    """albums/albums.json and albums/photos/<photo>.webp: the albums the member made (their
    own, and those they started in communities) with the photos they added, the photos they
    added to others' albums (with the album's title while they may still see it), and their
    comments on album photos; four queries."""
    mine = list(
        Album.objects.filter(owner=member).select_related("community").order_by("created_at", "pk")
    )
    photos = list(
        AlbumPhoto.objects.filter(uploader=member)
        .annotate(album_seen=_still_visible(Album.objects.visible_to(member), "album"))
        .select_related("album").order_by("album_id", "position", "pk")
    )
    comments = list(
        AlbumPhotoComment.objects.filter(author=member)
        .annotate(photo_seen=_still_visible(AlbumPhoto.objects.visible_to(member), "photo"))
        .select_related("photo__album").order_by("created_at", "pk")
    )
    own_ids = {album.pk for album in mine}

    def photo_item(photo) -> dict:
        return {"file": f"albums/photos/{photo.pk}.{images.STORED_SUFFIX}",
                "caption": photo.caption, "created_at": _time(photo.created_at),
                "hidden_by_moderator": photo.hidden_at is not None}

    archive.writestr("albums/albums.json", _dump({
        "albums": [{
            "title": album.title, "description": album.description,
            "visibility": album.visibility if album.community_id is None else None,
            "community": album.community.name if album.community_id else None,
            "created_at": _time(album.created_at),
            "hidden_by_moderator": album.hidden_at is not None,
            "photos": [photo_item(p) for p in photos if p.album_id == album.pk],
        } for album in mine],
        "photos_in_others_albums": [
            {**photo_item(p), "album": p.album.title if p.album_seen else None}
            for p in photos if p.album_id not in own_ids
        ],
        "comments": [
            {"body": c.body, "created_at": _time(c.created_at),
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


def _still_visible(visible: QuerySet, field: str) -> Exists:
    """Whether the row's ``field`` (what the member commented on or answered) is among
    ``visible``. The member's own words and answers are theirs to take; what others wrote
    around them (a title, a description) comes along only while the member may still see it:
    not once its author blocked them, made it private or was suspended."""
    return Exists(visible.filter(pk=OuterRef(field)))


def _comments(member: User) -> dict:

    return {
        "diary": [
            {"entry_id": c.entry_id, "entry_title": c.entry.title if c.shown else None,
             "entry_author": _name(c.entry.author) if c.shown else None, "body": c.body,
             "created_at": _time(c.created_at)}
            for c in Comment.objects.filter(author=member).exclude(entry__author=member)
            .annotate(shown=_still_visible(Entry.objects.visible_to(member), "entry_id"))
            .select_related("entry__author__profile").order_by("created_at", "pk")
        ],
        "topics": [
            {"community": c.topic.community.name if c.shown else None, "topic_id": c.topic_id,
             "topic": c.topic.title if c.shown else None, "body": c.body,
             "created_at": _time(c.created_at)}
            for c in TopicComment.objects.filter(author=member)
            .annotate(shown=_still_visible(Topic.objects.visible_to(member), "topic_id"))
            .select_related("topic__community").order_by("created_at", "pk")
        ],
        "offkai": [
            {"event_id": c.event_id, "event": c.event.title if c.shown else None,
             "body": c.body, "created_at": _time(c.created_at)}
            for c in EventComment.objects.filter(author=member)
            .annotate(shown=_still_visible(Event.objects.visible_to(member), "event_id"))
            .select_related("event").order_by("created_at", "pk")
        ],
    }


def _messages(archive: zipfile.ZipFile, member: User) -> None:
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
        members.setdefault(p.conversation_id, []).append(_name(p.member))
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
            out.write((b"," if n else b"") + _dump({
                "subject": seat.conversation.subject,
                "started_at": _time(seat.conversation.created_at),
                "members": members.get(seat.conversation_id, []),
                "left_at": _time(seat.left_at),
                "messages": [
                    {"from": _name(m.author) if m.author_id else None,
                     "mine": m.author_id == member.pk, "body": m.body,
                     "created_at": _time(m.created_at), "photos": m.photo_count}
                    for m in written.pop(seat.conversation_id, ())
                ],
            }))
        out.write(b"]")


def _communities(member: User) -> dict:

    return {
        "memberships": [
            {"community_id": m.community_id, "community": m.community.name, "role": m.role,
             "joined_at": _time(m.joined_at)}
            for m in Membership.objects.filter(user=member).select_related("community")
            .order_by("joined_at", "pk")
        ],
        "topics_started": [
            {"community": t.community.name, "topic_id": t.pk, "title": t.title, "body": t.body,
             "created_at": _time(t.created_at)}
            for t in Topic.objects.filter(author=member).select_related("community")
            .order_by("created_at", "pk")
        ],
    }


def _event(event) -> dict:
    return {
        "event_id": event.pk, "title": event.title, "description": event.description,
        "starts_at": _time(event.starts_at), "ends_at": _time(event.ends_at),
        "venue": event.venue, "address": event.address,
        "cancelled_at": _time(event.cancelled_at),
    }


def _events(member: User) -> dict:

    return {
        "hosting": [
            {**_event(h.event), "created_by_me": h.event.created_by_id == member.pk}
            for h in EventHost.objects.filter(user=member).select_related("event")
            .order_by("event__starts_at", "pk")
        ],
        "answers": [
            {**(_event(r.event) if r.shown else {"event_id": r.event_id}),
             "answer": r.answer, "guests": r.guests,
             "answered_at": _time(r.answered_at), "came": r.attended}
            for r in RSVP.objects.filter(user=member)
            .annotate(shown=_still_visible(Event.objects.visible_to(member), "event_id"))
            .select_related("event").order_by("event__starts_at", "pk")
        ],
    }


def _introductions(member: User) -> dict:
    def rows(found: Iterable[Introduction], other: str) -> list[dict]:
        return [
            {other: _name(getattr(i, other)), "body": i.body,
             "created_at": _time(i.created_at), "updated_at": _time(i.updated_at)}
            for i in found
        ]

    # Both ways in one query, split here.
    found = list(
        Introduction.objects.filter(
            Q(author=member) | Q(subject=member, author__is_active=True)
        ).select_related("subject__profile", "author__profile").order_by("created_at", "pk")
    )
    return {
        "written_by_me": rows([i for i in found if i.author_id == member.pk], "subject"),
        "about_me": rows([i for i in found if i.subject_id == member.pk], "author"),
    }


def _likes(member: User) -> list[dict]:
    """What the member liked (イイネ!): the kind of thing and its id, and when."""
    kinds = {label: kind for kind, label in KINDS.items()}
    found = Like.objects.filter(member=member).select_related("target_type").order_by(
        "created_at", "pk"
    )
    return [
        {
            "kind": kinds.get(f"{like.target_type.app_label}.{like.target_type.model}"),
            "id": like.target_id, "created_at": _time(like.created_at),
        }
        for like in found
    ]


def _invitations(member: User) -> list[dict]:

    return [
        {"email": i.email, "message": i.message, "state": i.state,
         "created_at": _time(i.created_at), "expires_at": _time(i.expires_at),
         "accepted_at": _time(i.accepted_at), "revoked_at": _time(i.revoked_at)}
        for i in Invitation.objects.filter(inviter=member).order_by("created_at", "pk")
    ]


__all__ = ["export_build", "export_filename"]
