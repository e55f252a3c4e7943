"""あしあと (footprints): the visitors page's read, and the window members see (and the site
keeps)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from sns.visibility import ids_in_block_with

from ..models import Footprint, User

# Members see (and the site keeps) the footprints of this many days.
FOOTPRINT_DAYS = 30


def window_start(now: datetime | None = None) -> datetime:
    """The oldest moment a footprint shown (and kept) may be from."""
    return (now or timezone.now()) - timedelta(days=FOOTPRINT_DAYS)


def visitors_of(owner: User) -> QuerySet[Footprint]:
    """``owner``'s footprints of the last 30 days, newest first, with the visitors' profiles.

    Leaves out members who left and members hidden from ``owner`` by a block either way.
    """
    return (
        Footprint.objects.filter(
            owner=owner, visited_at__gte=window_start(), visitor__is_active=True
        )
        .exclude(visitor_id__in=ids_in_block_with(owner))
        .select_related("visitor__profile")
        .order_by("-visited_at", "-pk")
    )
