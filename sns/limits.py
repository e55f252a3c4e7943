"""Abuse limits: how many invitations, friend requests, comments, topics, communities,
off-kai, reports, photos, conversations, messages and likes a member may send in a window of time.

Every limited service calls ``take(member, LIMIT)`` inside its own transaction, before it
writes. ``take`` locks the member's row, adds up the member's uses in the window from
``sns.models.LimitedAction``, and either records this use in that same transaction or
raises ``RateLimited`` with a message in the member's language.

Why rows in PostgreSQL and not a counter in the cache:

- Race-safe across processes and machines. The row lock makes a member's limited actions
  take turns: of two requests at once (two tabs, two app servers) the second waits until
  the first commits, then counts the first's row. Django's database cache has no atomic
  increment (``incr`` is a read and then a write: two processes both read 4 and both write
  5). Redis's INCR is atomic, but a cache may drop or flush a key and so forget a count.
- Counted only for what was done. The use is written in the transaction that does the
  thing: a comment refused as empty, or a write that fails, rolls its use back with it.
- A log of uses, not the things themselves: those can be withdrawn (a friend request),
  deleted (a comment) or replaced (a profile photo), and sending and withdrawing is how a
  member would flood someone.

Each allowance is a setting read from the environment (README, Configuration); 0 turns
that limit off. Staff are never limited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import ngettext_lazy

from .errors import Refused
from .models import LimitedAction

if TYPE_CHECKING:
    User = get_user_model()

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    action: str  # LimitedAction.action
    setting: str  # the setting (and environment variable) that holds the allowance
    window: timedelta
    message: Promise  # ngettext_lazy(..., "n"): formatted with the allowance

    @property
    def allowed(self) -> int:
        return getattr(settings, self.setting)


INVITATIONS = Limit("invitation", "INVITATIONS_PER_DAY", DAY, ngettext_lazy(
    "You can send at most %(n)d invitation email a day. Please try again tomorrow.",
    "You can send at most %(n)d invitation emails a day. Please try again tomorrow.", "n",
))
FRIEND_REQUESTS = Limit("friend_request", "FRIEND_REQUESTS_PER_DAY", DAY, ngettext_lazy(
    "You can send at most %(n)d friend request a day. Please try again tomorrow.",
    "You can send at most %(n)d friend requests a day. Please try again tomorrow.", "n",
))
# One allowance for diary, topic and off-kai comments together: moving from one kind of
# thread to another must not multiply it.
COMMENTS = Limit("comment", "COMMENTS_PER_HOUR", HOUR, ngettext_lazy(
    "You can post at most %(n)d comment an hour. Please try again later.",
    "You can post at most %(n)d comments an hour. Please try again later.", "n",
))
TOPICS = Limit("topic", "TOPIC_CREATE_PER_HOUR", HOUR, ngettext_lazy(
    "You can start at most %(n)d topic an hour. Please try again later.",
    "You can start at most %(n)d topics an hour. Please try again later.", "n",
))
COMMUNITIES = Limit("community", "COMMUNITY_CREATE_PER_DAY", DAY, ngettext_lazy(
    "You can start at most %(n)d community a day. Please try again tomorrow.",
    "You can start at most %(n)d communities a day. Please try again tomorrow.", "n",
))
OFFKAI = Limit("offkai", "OFFKAI_CREATE_PER_DAY", DAY, ngettext_lazy(
    "You can create at most %(n)d off-kai a day. Please try again tomorrow.",
    "You can create at most %(n)d off-kai a day. Please try again tomorrow.", "n",
))
REPORTS = Limit("report", "REPORTS_PER_DAY", DAY, ngettext_lazy(
    "You can send at most %(n)d report a day. Please try again tomorrow.",
    "You can send at most %(n)d reports a day. Please try again tomorrow.", "n",
))
# Each photo stored counts: a diary entry's, a profile photo, a community's image.
UPLOADS = Limit("upload", "UPLOADS_PER_DAY", DAY, ngettext_lazy(
    "You can upload at most %(n)d photo a day. Please try again tomorrow.",
    "You can upload at most %(n)d photos a day. Please try again tomorrow.", "n",
))

# Messages: new conversations (how many members one may write to out of the blue), and every
# message, the first of a conversation included.
CONVERSATIONS = Limit("conversation", "CONVERSATIONS_PER_DAY", DAY, ngettext_lazy(
    "You can start at most %(n)d conversation a day. Please try again tomorrow.",
    "You can start at most %(n)d conversations a day. Please try again tomorrow.", "n",
))
MESSAGES = Limit("message", "MESSAGES_PER_HOUR", HOUR, ngettext_lazy(
    "You can send at most %(n)d message an hour. Please try again later.",
    "You can send at most %(n)d messages an hour. Please try again later.", "n",
))

LIKES = Limit("like", "LIKES_PER_HOUR", HOUR, ngettext_lazy(
    "You can like at most %(n)d thing an hour. Please try again later.",
    "You can like at most %(n)d things an hour. Please try again later.", "n",
))

# Album photos: an album takes many photos at once, so they have their own allowance (UPLOADS
# is for the few photos of entries and messages); the album space (SitePolicy) bounds the rest.
ALBUM_PHOTOS = Limit("album_photo", "ALBUM_PHOTOS_PER_DAY", DAY, ngettext_lazy(
    "You can add at most %(n)d photo a day to albums. Please try again tomorrow.",
    "You can add at most %(n)d photos a day to albums. Please try again tomorrow.", "n",
))


ALL = (INVITATIONS, FRIEND_REQUESTS, COMMENTS, TOPICS, COMMUNITIES, OFFKAI, REPORTS, UPLOADS,
       CONVERSATIONS, MESSAGES, LIKES, ALBUM_PHOTOS)


class RateLimited(Refused):
    """A member went past a limit. A ValidationError, so that a form shows it like any
    other reason the form was refused (``form.add_error(None, error)``)."""

    def __init__(self, limit: Limit, allowed: int):
        super().__init__(limit.message % {"n": allowed}, code="rate_limited")
        self.limit = limit


def take(member: User, limit: Limit, *, amount: int = 1) -> None:
    """Record ``amount`` uses of ``limit`` by ``member`` now, or raise RateLimited if they
    would go past the allowance in the window.

    Call it inside the transaction that does the limited thing, before writing it, and
    before locking anything else of the member's (the member's row first, as everywhere).
    """
    User = get_user_model()

    allowed = limit.allowed
    if member.is_staff or allowed <= 0 or amount <= 0:
        return
    # Lock the member, since two requests at once must not both find room under the limit.
    User.objects.select_for_update(no_key=True).filter(pk=member.pk).values("pk").get()
    since = timezone.now() - limit.window
    mine = LimitedAction.objects.filter(user_id=member.pk, action=limit.action)
    counts = mine.aggregate(
        used=Coalesce(Sum("amount", filter=Q(at__gte=since)), 0),
        stale=Count("pk", filter=Q(at__lt=since)),
    )
    if counts["used"] + amount > allowed:
        raise RateLimited(limit, allowed)
    if counts["stale"]:
        mine.filter(at__lt=since).delete()
    LimitedAction.objects.create(user_id=member.pk, action=limit.action, amount=amount)
