"""Download my data: a zip of JSON and photos, built for one member.

Written with ``zipfile`` into a SpooledTemporaryFile (memory up to SPOOL_MAX_BYTES, then a
temporary file), so a member with thousands of entries costs bounded memory: entries are
read with ``.iterator()`` a chunk at a time and written to the zip as they come. Each kind
takes a fixed number of queries (prefetching, never one per row). Photos are read through
Django's storage (sns.images), never from local paths.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import datetime
from tempfile import SpooledTemporaryFile

from django.db.models import Q
from django.utils import timezone

from accounts.models import Friendship, Introduction, User
from communities.models import Membership, Topic, TopicComment
from diary.models import Comment, Entry
from invites.models import Invitation
from offkai.models import RSVP, Event, EventComment, EventHost
from sns.likes import KINDS
from sns.models import Like

from .export_files import (
    albums_write,
    entries_write,
    json_bytes,
    json_time,
    member_name,
    messages_write,
    still_visible,
)

SPOOL_MAX_BYTES = 16 * 1024 * 1024



def export_filename(now: datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    return f"tsunagari-{day.isoformat()}.zip"


def export_build(member: User) -> SpooledTemporaryFile:
    """The zip of ``member``'s data, rewound and ready to send."""
    # Handed to FileResponse, which closes it once sent.
    spool = SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", json_bytes(_profile(member)))
        archive.writestr("friends.json", json_bytes(_friends(member)))
        entries_write(archive, member)
        archive.writestr("comments.json", json_bytes(_comments(member)))
        archive.writestr("communities.json", json_bytes(_communities(member)))
        archive.writestr("events.json", json_bytes(_events(member)))
        archive.writestr("introductions.json", json_bytes(_introductions(member)))
        archive.writestr("invitations.json", json_bytes(_invitations(member)))
        archive.writestr("likes.json", json_bytes(_likes(member)))
        messages_write(archive, member)
        albums_write(archive, member)
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
        "date_joined": json_time(member.date_joined),
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
        {"id": row.friend_id, "name": row.friend.display_name, "since": json_time(row.created_at)}
        for row in rows
    ]


def _comments(member: User) -> dict:

    return {
        "diary": [
            {"entry_id": c.entry_id, "entry_title": c.entry.title if c.shown else None,
             "entry_author": member_name(c.entry.author) if c.shown else None, "body": c.body,
             "created_at": json_time(c.created_at)}
            for c in Comment.objects.filter(author=member).exclude(entry__author=member)
            .annotate(shown=still_visible(Entry.objects.visible_to(member), "entry_id"))
            .select_related("entry__author__profile").order_by("created_at", "pk")
        ],
        "topics": [
            {"community": c.topic.community.name if c.shown else None, "topic_id": c.topic_id,
             "topic": c.topic.title if c.shown else None, "body": c.body,
             "created_at": json_time(c.created_at)}
            for c in TopicComment.objects.filter(author=member)
            .annotate(shown=still_visible(Topic.objects.visible_to(member), "topic_id"))
            .select_related("topic__community").order_by("created_at", "pk")
        ],
        "offkai": [
            {"event_id": c.event_id, "event": c.event.title if c.shown else None,
             "body": c.body, "created_at": json_time(c.created_at)}
            for c in EventComment.objects.filter(author=member)
            .annotate(shown=still_visible(Event.objects.visible_to(member), "event_id"))
            .select_related("event").order_by("created_at", "pk")
        ],
    }


def _communities(member: User) -> dict:

    return {
        "memberships": [
            {"community_id": m.community_id, "community": m.community.name, "role": m.role,
             "joined_at": json_time(m.joined_at)}
            for m in Membership.objects.filter(user=member).select_related("community")
            .order_by("joined_at", "pk")
        ],
        "topics_started": [
            {"community": t.community.name, "topic_id": t.pk, "title": t.title, "body": t.body,
             "created_at": json_time(t.created_at)}
            for t in Topic.objects.filter(author=member).select_related("community")
            .order_by("created_at", "pk")
        ],
    }


def _event(event) -> dict:
    return {
        "event_id": event.pk, "title": event.title, "description": event.description,
        "starts_at": json_time(event.starts_at), "ends_at": json_time(event.ends_at),
        "venue": event.venue, "address": event.address,
        "cancelled_at": json_time(event.cancelled_at),
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
             "answered_at": json_time(r.answered_at), "came": r.attended}
            for r in RSVP.objects.filter(user=member)
            .annotate(shown=still_visible(Event.objects.visible_to(member), "event_id"))
            .select_related("event").order_by("event__starts_at", "pk")
        ],
    }


def _introductions(member: User) -> dict:
    def rows(found: Iterable[Introduction], other: str) -> list[dict]:
        return [
            {other: member_name(getattr(i, other)), "body": i.body,
             "created_at": json_time(i.created_at), "updated_at": json_time(i.updated_at)}
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
            "id": like.target_id, "created_at": json_time(like.created_at),
        }
        for like in found
    ]


def _invitations(member: User) -> list[dict]:

    return [
        {"email": i.email, "message": i.message, "state": i.state,
         "created_at": json_time(i.created_at), "expires_at": json_time(i.expires_at),
         "accepted_at": json_time(i.accepted_at), "revoked_at": json_time(i.revoked_at)}
        for i in Invitation.objects.filter(inviter=member).order_by("created_at", "pk")
    ]


__all__ = ["export_build", "export_filename"]
