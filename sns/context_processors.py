from django.conf import settings
from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from .site_policy import identity_policy


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # The operator's choice in admin, else the setting (sns.site_policy).
        "IDENTITY_POLICY": SimpleLazyObject(identity_policy),
    }


def header_counts(request):
    """The counts in the main navigation: unread notifications and conversations with unread
    messages ("" for none, "99+" past 99), and the friend requests waiting for an answer (the
    same count as ``accounts.context_processors.friend_requests``, whose value this replaces).

    Both are read in one query, so the notification count costs no page a query of its own.
    Lazy, so pages that do not show the navigation (errors, mail) spend nothing on them.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = SimpleLazyObject(lambda: read_counts(user))
    return {
        "NOTIFICATIONS_UNREAD": SimpleLazyObject(lambda: counts["unread"]),
        "FRIEND_REQUESTS_WAITING": SimpleLazyObject(lambda: counts["requests"]),
        "MESSAGES_UNREAD": SimpleLazyObject(lambda: counts["messages"]),
    }


def _count(queryset) -> Coalesce:
    """``queryset``'s row count as a subquery of the member's row."""
    model = queryset.model
    counted = (
        model.objects.filter(pk__in=queryset.values("pk")).order_by().annotate(one=Value(1))
        .values("one").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def read_counts(user) -> dict:
    """Kept in the cache of page parts (sns.cache): every page shows them, and they change
    only when a notification or a friend request of the member is written (or a block, or a
    member's standing)."""
    from . import cache
    from .notifications.selectors import UNREAD_SHOWN_MAX

    if cache.in_use():
        # Read again by a part that shows them (home): a hit, recorded by the part.
        row = cache.cached(
            "header", [cache.inbox(user), cache.blocks(user), cache.PEOPLE],
            lambda: _query_counts(user), key=(user.pk,),
        )
    else:
        # Once per request (the member's object is the request's): the header and home.
        row = getattr(user, "_header_counts", None)
        if row is None:
            row = user._header_counts = _query_counts(user)
    return {
        "requests": row["requests"],
        "unread": _shown_count(row["unread"], UNREAD_SHOWN_MAX),
        "messages": _shown_count(row["messages"], UNREAD_SHOWN_MAX),
    }


def _shown_count(count: int, most: int) -> str:
    return f"{most}+" if count > most else str(count or "")


def _query_counts(user) -> dict:
    from accounts.models import FriendRequest, User
    from conversations.selectors import unread_count as unread_conversations

    from .notifications.selectors import UNREAD_SHOWN_MAX, unread

    return User.objects.filter(pk=user.pk).values(
        requests=_count(FriendRequest.objects.received_by(user).order_by()),
        # Stops at 100 rows of the partial index notification_unread.
        unread=_count(unread(user)[: UNREAD_SHOWN_MAX + 1]),
        messages=_count(unread_conversations(user)[: UNREAD_SHOWN_MAX + 1]),
    ).get()
