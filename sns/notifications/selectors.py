"""A member's notifications as they may see them, and whom each kind is mailed to."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import User
from communities.models import Membership
from sns.models import Announcement, Notification, NotificationPreference
from sns.notify import Kind
from sns.visibility import without_hidden_people

# The header shows at most this, then "99+": the count stops reading rows there.
UNREAD_SHOWN_MAX = 99


def inbox(member) -> QuerySet[Notification]:
    """``member``'s notifications as they may see them, newest first: those caused by a
    member who left, was suspended, or stands in a block with them either way are left out
    (notifications without an actor stay)."""
    return without_hidden_people(
        Notification.objects.filter(recipient=member), "actor_id", member
    ).order_by("-created_at", "-pk")


def unread(member) -> QuerySet[Notification]:
    """``member``'s unread notifications that they may see (the partial index
    ``notification_unread`` holds them)."""
    return inbox(member).filter(read_at__isnull=True).order_by()


def unread_count(member) -> int:
    """How many of ``member``'s notifications are unread, counted up to 100 (one query that
    stops there). The header reads it together with another count: sns.context_processors."""
    return unread(member)[: UNREAD_SHOWN_MAX + 1].count()


# --- email preferences -----------------------------------------------------------------------

# The off-kai app mails these itself, whatever the preference: the batched email never
# includes them, so nobody gets the same news twice.
ALWAYS_EMAILED = frozenset({
    Kind.EVENT_CHANGED, Kind.EVENT_CANCELLED, Kind.EVENT_PROMOTED, Kind.EVENT_REMINDER,
})

# What each kind does without a preference row: news that asks for an answer or concerns
# the member's standing comes by email; comments and community-wide news stay in the app.
EMAIL_BY_DEFAULT: dict[str, bool] = {
    Kind.FRIEND_REQUEST_RECEIVED: True,
    Kind.FRIEND_REQUEST_ACCEPTED: True,
    Kind.INTRODUCTION_WRITTEN: True,
    Kind.DIARY_COMMENT: False,
    Kind.DIARY_COMMENT_AFTER: False,
    Kind.COMMUNITY_JOIN_REQUEST: True,
    Kind.COMMUNITY_JOIN_APPROVED: True,
    Kind.COMMUNITY_TOPIC_COMMENT: False,
    Kind.COMMUNITY_INVITATION: True,
    Kind.EVENT_NEW: False,
    Kind.EVENT_COMMENT: False,
    Kind.ALBUM_COMMENT: False,
    Kind.INVITEE_JOINED: True,
    Kind.MEMBER_INVITED: True,
    Kind.MODERATION_WARNING: True,
    Kind.INVITEE_WARNED: True,
    Kind.INVITEE_SUSPENDED: True,
    Kind.INVITE_RIGHT_REMOVED: True,
    Kind.ANNOUNCEMENT: True,
    # Who wrote, without the text unless the member lets mail quote messages (items.py).
    Kind.MESSAGE: True,
    # Gathered, one per thing until read ("Aki and 2 others liked your entry").
    Kind.LIKE: False,
    Kind.ALBUM_COMMENT: False,
    Kind.BIRTHDAY: False,
}

# Kinds a member gets only when they chose them (a preference row, either way for email):
# a friend's birthday is news only to those who want it.
OPT_IN = frozenset({Kind.BIRTHDAY})

# The kinds a member chooses for, in the order the settings page lists them.
CHOOSABLE: list[str] = [kind for kind in Kind.values if kind not in ALWAYS_EMAILED]


def email_kinds(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """For each member, the kinds they get by email (the batched email's and the
    announcements'), from their preference rows and the defaults: one query."""
    user_ids = list(user_ids)
    wanted = {
        user_id: {kind for kind, on in EMAIL_BY_DEFAULT.items() if on} for user_id in user_ids
    }
    rows = NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=CHOOSABLE)
    for user_id, kind, email in rows.values_list("user_id", "kind", "email"):
        (wanted[user_id].add if email else wanted[user_id].discard)(kind)
    return wanted


def choices_of(member) -> tuple[dict[str, bool], set[str]]:
    """Whether ``member`` gets each choosable kind by email, in ``CHOOSABLE`` order, and
    the kinds of ``OPT_IN`` they chose: one query."""
    rows = dict(NotificationPreference.objects.filter(user=member, kind__in=CHOOSABLE)
                .values_list("kind", "email"))
    email = {kind: rows.get(kind, EMAIL_BY_DEFAULT.get(kind, False)) for kind in CHOOSABLE}
    return email, set(rows) & OPT_IN


def email_choices(member) -> dict[str, bool]:
    """Whether ``member`` gets each choosable kind by email, in ``CHOOSABLE`` order."""
    return choices_of(member)[0]


# --- announcements ---------------------------------------------------------------------------

def announcements_visible_to(member) -> QuerySet[Announcement]:
    """The sent announcements addressed to ``member``: the site-wide ones and those of the
    communities they belong to, newest first. Nothing for a visitor."""

    if member is None or not member.is_authenticated:
        return Announcement.objects.none()
    mine = Membership.objects.filter(user=member).values("community")
    return (
        Announcement.objects.filter(sent_at__isnull=False)
        .filter(Q(community__isnull=True) | Q(community__in=mine))
        .order_by("-sent_at", "-pk")
    )


def announcements_for(member, limit: int = 3) -> list[Announcement]:
    """The latest announcements for ``member`` (for the home page)."""
    return list(announcements_visible_to(member).select_related("community")[:limit])


def audience(announcement: Announcement):
    """The active members an announcement is for."""

    members = User.objects.filter(is_active=True)
    if announcement.community_id is not None:
        members = members.filter(community_memberships__community=announcement.community_id)
    return members
