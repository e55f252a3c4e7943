"""A member's private calendar feed: made on first use, given a new secret on request. (The
calendars themselves are built in ``offkai.selectors.calendar``.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from ..models import CalendarFeed

if TYPE_CHECKING:
    from accounts.models import User


def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    """The member's feed, made on first use."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user)
    except IntegrityError:
        # The same member's other tab made it a moment ago.
        return CalendarFeed.objects.get(user=user)


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """Give the member's feed a new secret: the old URL answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user)
    feed.reset()
    return feed
