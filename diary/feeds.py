"""Diary reads across entries: an entry's comments, my friends' diaries (マイミク最新日記) and
new comments on the entries I take part in (新着コメント). Every entry comes through
``Entry.objects.visible_to(viewer)``; the pages take a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from sns.visibility import Relation, relations_to

from .models import Comment, DiaryPreference, Entry, EntryQuerySet

FEED_PAGE_SIZE = 20
NEW_COMMENTS_PAGE_SIZE = 20
# How far back "new comments" looks for a member who has never opened the page.
NEW_COMMENTS_FIRST_LOOK = timedelta(days=7)

Cursor = tuple[datetime, int]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- cursors -----------------------------------------------------------------------------------

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
    moment, _sep, pk = (value or "").partition("_")
    created_at = instant_decode(moment)
    if created_at is None or not pk.isdigit():
        return None
    return created_at, int(pk)


@dataclass
class FeedPage:
    """One page of a keyset-paginated feed: its rows and the cursor of the next, older page."""

    items: list
    next_cursor: str | None
    is_first: bool


def _keyset_page(queryset: QuerySet, before: Cursor | None, size: int) -> tuple[list, str | None]:
    """Rows of ``queryset`` (ordered newest first by created_at, pk) after ``before``."""
    if before is not None:
        created_at, pk = before
        # The plain bound first lets the database start its index walk at the cursor; the OR
        # breaks ties between rows written in the same microsecond by pk.
        queryset = queryset.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(pk__lt=pk)
        )
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (cursor_encode(rows[-1].created_at, rows[-1].pk) if more else None)


# --- an entry's comments -------------------------------------------------------------------------

def entry_comments(entry: Entry) -> QuerySet[Comment]:
    """The comments the entry page lists, oldest first, with their authors' profiles.

    The entry must already have come through ``visible_to``; ``comment_cards`` then drops the
    comments of members who stand in a block with the viewer.
    """
    return (
        Comment.objects.filter(entry=entry, author__is_active=True)
        .select_related("author__profile")
        .order_by("created_at", "pk")
    )


@dataclass
class CommentCard:
    comment: Comment
    shown: object  # accounts.models.ShownProfile of the comment's author, for the viewer
    deletable: bool


def comment_cards(viewer, entry: Entry, comments) -> list[CommentCard]:
    """Each comment with its author as ``viewer`` may see them and whether ``viewer`` may
    delete it; comments by members in a block with the viewer (either way) are left out.
    One query for all the relations."""
    comments = list(comments)
    relations = relations_to(viewer, [c.author for c in comments])
    viewer_pk = viewer.pk if viewer is not None and viewer.is_authenticated else None
    cards = []
    for comment in comments:
        relation = relations.get(comment.author_id, Relation.MEMBER)
        if relation is Relation.BLOCKED:
            continue
        cards.append(CommentCard(
            comment=comment,
            shown=comment.author.profile.shown_to(relation),
            deletable=viewer_pk is not None and viewer_pk in (comment.author_id, entry.author_id),
        ))
    return cards


# --- friends' diaries --------------------------------------------------------------------------

def friends_entries(viewer) -> EntryQuerySet:
    """My friends' entries that I may see, newest first, with authors' profiles and comment
    counts; unsliced, for ``friends_page`` to walk with a cursor.

    The plan this is written for: walk the ``entry_recent`` index newest first and keep the
    rows whose author is in the viewer's friend list (a hashed semi-join), stopping after one
    page. That holds for members with thousands of friends, where "all my friends' entries,
    sorted" would read and sort hundreds of thousands of rows. Active authors only and blocks
    both ways come from ``visible_to``.
    """
    from accounts.models import Friendship

    friends = Friendship.objects.filter(user=viewer).values("friend")
    return (
        Entry.objects.visible_to(viewer)
        .filter(author__in=friends)
        .for_list()
        .order_by("-created_at", "-pk")
    )


def friends_page(viewer, before: str | None, *, size: int = FEED_PAGE_SIZE) -> FeedPage:
    """One page of ``friends_entries``: ``before`` is the ``?before=`` cursor or None.

    Items are entries with their photos (for the thumbnail), for
    templates/diary/partials/entry_row.html.
    """
    cursor = cursor_decode(before)
    entries, next_cursor = _keyset_page(
        friends_entries(viewer).prefetch_related("photos"), cursor, size
    )
    return FeedPage(items=entries, next_cursor=next_cursor, is_first=cursor is None)


# --- new comments ------------------------------------------------------------------------------

def comments_seen_at(viewer) -> datetime:
    """Since when comments count as new for ``viewer``: their last look at the new comments
    page, or a week ago before their first."""
    seen = (
        DiaryPreference.objects.filter(user=viewer)
        .values_list("comments_seen_at", flat=True).first()
    )
    return seen or timezone.now() - NEW_COMMENTS_FIRST_LOOK


def new_comments(viewer, since: datetime) -> EntryQuerySet:
    """Entries ``viewer`` wrote or commented on, may still see, and that have comments by
    others after ``since``; annotated with ``new_comment_count`` and ``last_comment_at``,
    most recent activity first.

    New comments count only from active members in no block with the viewer.
    """
    from accounts.models import Block

    blocked = Block.objects.filter(
        Q(blocker=viewer, blocked=OuterRef("author"))
        | Q(blocker=OuterRef("author"), blocked=viewer)
    )
    fresh = (
        Comment.objects.filter(entry=OuterRef("pk"), created_at__gt=since, author__is_active=True)
        .exclude(author=viewer)
        .filter(~Exists(blocked))
    )
    mine = Q(author=viewer) | Q(pk__in=Comment.objects.filter(author=viewer).values("entry"))
    return (
        Entry.objects.visible_to(viewer)
        .filter(mine)
        .filter(Exists(fresh))
        .annotate(
            new_comment_count=_aggregate(fresh, Count("pk")),
            last_comment_at=_aggregate(fresh, Max("created_at")),
        )
        .select_related("author__profile")
        .order_by("-last_comment_at", "-pk")
    )


def _aggregate(comments: QuerySet, aggregate):
    from django.db.models import Subquery

    return Subquery(
        comments.order_by().values("entry").annotate(value=aggregate).values("value")
    )


def new_comment_entry_count(viewer) -> int:
    """How many entries have new comments for ``viewer`` (for a count in the navigation)."""
    return new_comments(viewer, comments_seen_at(viewer)).count()


def with_shown_authors(viewer, entries) -> list[tuple[Entry, object]]:
    """Each entry (fetched with ``author__profile``) with its author as ``viewer`` may see
    them; one query for all the relations."""
    entries = list(entries)
    relations = relations_to(viewer, [e.author for e in entries])
    return [
        (e, e.author.profile.shown_to(relations.get(e.author_id, Relation.MEMBER)))
        for e in entries
    ]
