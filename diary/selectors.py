"""Diary reads: an entry's comments, my friends' diaries (マイミク最新日記), new comments on
the entries I take part in (新着コメント) and a member's diary settings. Every entry comes through
``Entry.objects.visible_to(viewer)``; the pages take a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import BooleanField, Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Friendship, User
from sns import cache
from sns.likes import counts_by_id
from sns.paging import Cursor, FeedPage, cursor_decode, cursor_encode, latest_page
from sns.prepared import Prepared
from sns.visibility import (
    Level,
    Relation,
    block_either_way,
    relations_to,
    without_hidden_people,
)

from .models import Comment, DiaryPreference, Entry, EntryQuerySet

FEED_PAGE_SIZE = 20
NEW_COMMENTS_PAGE_SIZE = 20
# How far back "new comments" looks for a member who has never opened the page.
NEW_COMMENTS_FIRST_LOOK = timedelta(days=7)

# --- an entry's comments -------------------------------------------------------------------------

def comment_counts(ids: list[int]) -> dict[int, dict]:
    """The count of comments of entries ``ids`` as lists show it (the hole ``comments``,
    through which kept pages show it): ``n``."""
    rows = Entry.objects.filter(pk__in=ids).with_comment_count().values_list(
        "pk", "comment_count"
    )
    return {pk: {"n": n} for pk, n in rows}


cache.holes(
    "comments", scopes=lambda pk: [cache.comments(pk), cache.PEOPLE],
    compute=comment_counts, template="diary/partials/comment_count.html",
)
# How many liked an entry (sns.likes), as lists show it.
cache.holes(
    "likes-entry", scopes=lambda pk: [cache.likes("entry", pk)],
    compute=lambda ids: counts_by_id(Entry, ids), template="partials/like_count.html",
)


def entry_comments(entry: Entry) -> QuerySet[Comment]:
    """The comments the entry page lists, oldest first, with their authors' profiles.

    The entry must already have come through ``visible_to``; ``sns.comments.comment_cards``
    then drops the comments of members who stand in a block with the viewer.
    """
    return (
        Comment.objects.filter(entry=entry, hidden_at__isnull=True)
        # A NULL author left the site: the comment stays, as by "deleted member".
        .filter(Q(author__isnull=True) | Q(author__is_active=True))
        .select_related("author__profile")
        .order_by("created_at", "pk")
    )


ENTRY_COMMENTS_SHOWN = 50


def entry_comments_page(
    entry: Entry, before: str | None, *, size: int = ENTRY_COMMENTS_SHOWN
) -> tuple[list[Comment], str | None]:
    """The latest ``size`` comments of an entry (before the ``before`` cursor, if given),
    oldest first as the page lists them, and the cursor of the earlier ones (or None).

    An entry with hundreds of comments shows its latest fifty; a link walks back.
    """
    return latest_page(entry_comments(entry), before, size)


# --- friends' diaries --------------------------------------------------------------------------

# The newest entries of a list of authors, newest first, one page (+1 to know if there is
# more), from the cursor on. Private entries never reach a friend, so they are skipped here;
# everything else of an active, unblocked friend is visible to them (visible_to checks again).
#
# Two plans, chosen by the number of friends (bench/run_diary.py measured both):
# - few friends: each friend's newest entries from the (author, created_at) index, merged —
#   a few index probes per friend; a walk would pass over everyone else's entries first.
# - many friends: walk the newest entries of the site and keep the friends' — with thousands
#   of friends a page is found within the first few hundred entries.
_CURSOR_SQL = "AND e.created_at <= %(at)s AND (e.created_at < %(at)s OR e.id < %(pk)s)"
_PER_FRIEND_SQL = """
SELECT x.id, x.created_at
  FROM unnest(%(authors)s::bigint[]) AS f(author_id)
 CROSS JOIN LATERAL (
       SELECT e.id, e.created_at FROM {entry} e
        WHERE e.author_id = f.author_id AND e.visibility <> 'private' {cursor}
        ORDER BY e.created_at DESC, e.id DESC LIMIT %(n)s) x
 ORDER BY x.created_at DESC, x.id DESC LIMIT %(n)s
"""
_WALK_SQL = """
SELECT e.id, e.created_at FROM {entry} e
 WHERE e.author_id = ANY(%(authors)s::bigint[]) AND e.visibility <> 'private' {cursor}
 ORDER BY e.created_at DESC, e.id DESC LIMIT %(n)s
"""
PER_FRIEND_UP_TO = 500


def friend_author_ids(viewer) -> list[int]:
    """The viewer's friends whose entries may reach them: active, in no block with them."""

    return list(
        without_hidden_people(Friendship.objects.filter(user=viewer), "friend_id", viewer)
        .values_list("friend_id", flat=True)
    )


def friends_entry_ids(viewer, before: Cursor | None, size: int) -> list[tuple[int, datetime]]:
    """(id, created_at) of up to ``size`` of my friends' newest entries, from ``before`` on."""
    authors = friend_author_ids(viewer)
    if not authors:
        return []
    sql = _PER_FRIEND_SQL if len(authors) <= PER_FRIEND_UP_TO else _WALK_SQL
    params = {"authors": authors, "n": size}
    if before is not None:
        params["at"], params["pk"] = before
    sql = sql.format(entry=Entry._meta.db_table, cursor=_CURSOR_SQL if before else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def entries_by_ids(ids: list[int]) -> EntryQuerySet:
    """Friends' entries by id, as ``friends_entries`` reads them: one array parameter for
    the ids, so that the SQL is the same for any number (sns.home prepares it)."""
    # Made private since its id was found (home keeps the ids, sns.home): gone too.
    return (
        Entry.objects.filter(pk__any=ids, hidden_at__isnull=True)
        .exclude(visibility=Level.PRIVATE)
        .for_list().order_by("-created_at", "-pk")
    )


def friends_entries(viewer, ids: list[int] | None = None) -> EntryQuerySet:
    """My friends' entries that I may see, newest first, with authors' profiles and comment
    counts; with ``ids``, just those (``friends_page`` finds the ids of one page first)."""
    if ids is not None:
        # These ids come from ``friends_entry_ids``, which is ``visible_to`` for a friend:
        # every level but private, of active friends in no block with the viewer (the
        # access matrix in tests/diary checks the feed against the rule). Running the general
        # rule again on one page doubled the feed's time (bench/run_diary.py).
        # Entries a moderator hid are few: they are dropped from the page here rather than
        # checked for every friend's entries in the index walk (a page may come out short).
        return entries_by_ids(ids)
    entries = Entry.objects.visible_to(viewer).filter(author__in=friend_author_ids(viewer))
    return entries.for_list().order_by("-created_at", "-pk")


def friends_page(
    viewer, before: str | None, *, size: int = FEED_PAGE_SIZE, photos: bool = True
) -> FeedPage:
    """One page of my friends' diaries: ``before`` is the ``?before=`` cursor or None.

    Items are entries with their photos (for the thumbnail; ``photos=False`` for a list
    without them), for templates/diary/partials/entry_row.html. What it reads is declared for
    a page kept as HTML (sns.cache.rendered: the friends' diaries page).
    """
    cache.depends_on(cache.feed(viewer), cache.friends(viewer), cache.blocks(viewer),
                     cache.PEOPLE)
    cursor = cursor_decode(before)
    rows = friends_entry_ids(viewer, cursor, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    cache.depends_on(*(cache.entry(pk) for pk, _at in rows))
    entries = friends_entries(viewer, [pk for pk, _at in rows])
    entries = list(entries.prefetch_related("photos") if photos else entries)
    cache.depends_on(*{cache.member(entry.author_id) for entry in entries})
    next_cursor = cursor_encode(rows[-1][1], rows[-1][0]) if more else None
    return FeedPage(items=entries, next_cursor=next_cursor, is_first=cursor is None)


# --- new comments ------------------------------------------------------------------------------

def comments_seen_at(viewer) -> datetime:
    """Since when comments count as new for ``viewer``: their last look at the new comments
    page, or before their first, ``first_look()``."""
    seen = (
        DiaryPreference.objects.filter(user=viewer)
        .values_list("comments_seen_at", flat=True).first()
    )
    return seen or first_look()


def first_look() -> datetime:
    """Where new comments start for a member who never opened them: a week back, to the
    hour (so that home's kept list keeps its key for the hour, sns.home), on home and on the
    page alike."""
    return (timezone.now() - NEW_COMMENTS_FIRST_LOOK).replace(minute=0, second=0, microsecond=0)


def new_comments(viewer, since: datetime) -> EntryQuerySet:
    """Entries ``viewer`` wrote or commented on, may still see, and that have comments by
    others after ``since``; annotated with ``new_comment_count`` and ``last_comment_at``,
    most recent activity first.

    New comments count only from active members in no block with the viewer.
    """
    # First, which of the entries I wrote or commented on have such comments, as a list:
    # asked in one query with the visibility rule, the planner gathered every comment of the
    # period from the whole table (410 ms on the bench for a member with 300 friends), or
    # built the viewer's whole friend-of-friend set to check a few entries.
    return new_comments_on(viewer, since, active_entry_ids(viewer, since))


def _active_entries(viewer, since: datetime) -> QuerySet:
    mine = RawSQL(
        '"diary_comment"."entry_id" IN (SELECT id FROM diary_entry WHERE author_id = %s '
        "UNION SELECT entry_id FROM diary_comment WHERE author_id = %s)",
        [viewer.pk, viewer.pk], output_field=BooleanField(),
    )
    return without_hidden_people(
        Comment.objects.filter(mine, created_at__gt=since, hidden_at__isnull=True)
        .exclude(author=viewer),
        "author_id", viewer,
    ).values_list("entry_id", flat=True).distinct()


_ACTIVE_ENTRIES = Prepared(_active_entries, viewer=User, since=datetime)


def active_entry_ids(viewer, since: datetime) -> list[int]:
    """The entries ``viewer`` wrote or commented on that have comments by others (active, in
    no block with the viewer) after ``since``: the candidates of ``new_comments``, which
    checks each again (home keeps this list, sns.home). Compiled once per process."""
    return _ACTIVE_ENTRIES(viewer=viewer, since=since)


def new_comments_on(viewer, since: datetime, active: list[int]) -> EntryQuerySet:
    """``new_comments`` among the entries ``active``, each checked as there: the viewer may
    see it, and it has comments by others after ``since`` (counted)."""

    fresh = (
        Comment.objects.filter(
            entry=OuterRef("pk"), created_at__gt=since, hidden_at__isnull=True,
        )
        .filter(Q(author__isnull=True) | Q(author__is_active=True))
        .exclude(author=viewer)
        .filter(~block_either_way(viewer, OuterRef("author")))
    )
    return (
        Entry.objects.visible_to(viewer)
        .filter(pk__any=active)
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


# --- settings ------------------------------------------------------------------------------

def diary_preference(user: User) -> DiaryPreference:
    """The member's diary settings: the stored row, or the defaults (unsaved) before the
    member first changes them — reading a page never writes."""
    return DiaryPreference.objects.filter(user=user).first() or DiaryPreference(user=user)
