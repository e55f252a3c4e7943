"""Keyset (cursor) paging, for feeds and long comment threads: a cursor names the last row
shown by its time and pk, so a page is one index range however deep the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F, Func, IntegerField, Q, QuerySet, Subquery

from .client_input import id_or_none

Cursor = tuple[datetime, int]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant_encode(moment: datetime) -> str:
    """A time for a URL: microseconds since the epoch. An integer, so it survives any time
    zone and compares exactly (no float rounding)."""
    return str((moment - _EPOCH) // timedelta(microseconds=1))


def instant_decode(value: str | None) -> datetime | None:
    try:
        return _EPOCH + timedelta(microseconds=int(value or ""))
    except (ValueError, OverflowError):
        return None


def cursor_encode(created_at: datetime, pk: int) -> str:
    """The ``?before=`` value for the page after a row: its time, ``_``, its pk."""
    return f"{instant_encode(created_at)}_{pk}"


def cursor_decode(value: str | None) -> Cursor | None:
    """The (created_at, pk) of a ``?before=`` value; None for a missing or malformed one."""
    moment, _sep, digits = (value or "").partition("_")
    created_at, pk = instant_decode(moment), id_or_none(digits)
    if created_at is None or pk is None:
        return None
    return created_at, pk


@dataclass
class FeedPage:
    """One page of a keyset-paginated feed: its rows and the cursor of the next, older page."""

    items: list
    next_cursor: str | None
    is_first: bool


def latest_page(rows: QuerySet, before: str | None, size: int) -> tuple[list, str | None]:
    """The latest ``size`` of ``rows`` (which have ``created_at``) before the ``before``
    cursor, if given, oldest first as a thread reads, and the cursor of the earlier ones
    (or None). A thread of hundreds of comments shows its latest ones; a link walks back."""
    rows = rows.order_by("-created_at", "-pk")
    cursor = cursor_decode(before)
    if cursor is not None:
        created_at, pk = cursor
        rows = rows.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(pk__lt=pk)
        )
    found = list(rows[: size + 1])
    if len(found) <= size:
        return found[::-1], None
    oldest_shown = found[size - 1]
    return found[:size][::-1], cursor_encode(oldest_shown.created_at, oldest_shown.pk)


def row_count(queryset) -> Subquery:
    """``SELECT count(*)`` of ``queryset`` as a scalar subquery, to annotate a list's first
    rows (or a member's row) with: the page and its total in one query, however full the page.

    Uncorrelated, so PostgreSQL counts once per statement (an InitPlan), the same work as a
    separate ``count()``. (A window count over the rows would read every row of a member with
    thousands of friends: the profile of a 5,600-friend member took 130 ms that way.)
    """
    return Subquery(
        queryset.order_by().values(n=Func(F("pk"), function="COUNT")),
        output_field=IntegerField(),
    )
