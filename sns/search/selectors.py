"""What a search finds: members, communities, diaries, community topics and their
comments, and off-kai (the matching itself is ``sns.matching``).

Each kind reads through its ``visible_to(viewer)`` as every page does, and only the fields
a viewer may see of a member are searched (a company hidden from you does not find them).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from accounts.models import Friendship, User
from communities.models import Community, Topic, TopicComment
from diary.models import Entry
from offkai.models import Event
from offkai.selectors import for_cards
from sns import cache
from sns.matching import matches
from sns.site_policy import identity_policy
from sns.visibility import level_sql, without_hidden_people

PAGE_SIZE = 20
PREVIEW_SIZE = 5
MAX_PAGES = 25




# --- the kinds ----------------------------------------------------------------------------

# A query whose rarest pair is in more than this share of a table's rows is "common": its
# matches are found by walking the rows newest first (a page is found after a few thousand)
# rather than from the index (which would hand over every one of its thousands of matches to
# be sorted by date: 24,000 for "travel" at 1.2% of the entries took 200 ms). The search
# columns' statistics keep every word above about 0.3% (diary 0006, communities 0009).
COMMON_SHARE = 0.005
_TOKEN = re.compile(r"'([^']*)'")


def _share_in(table: str, query: str) -> float:
    """How often the query's rarest token appears in ``table``'s rows, from PostgreSQL's own
    statistics of its search column (its most common elements); 0 when a token is not among
    them (then it is rare, and the index is the way)."""
    from django.db import connection

    tokens = set(_TOKEN.findall(query))
    if not tokens:
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(t.freq) FROM pg_stats s, "
            "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS t(elem, freq) "
            "WHERE s.tablename = %s AND s.attname = 'search' AND t.elem = ANY(%s)",
            [table, list(tokens)],
        )
        found, share = cursor.fetchone()
    return float(share) if found == len(tokens) else 0.0


def _newest_first(model, query: str, within: bool = False) -> tuple[Q, list]:
    """The match and the order (newest first) for ``model``'s rows that match ``query``.

    Newest first lets PostgreSQL walk the rows by date (an index on ``-created_at``) and
    stop at a page for a common word (温泉 is in a third of the seeded entries); for those,
    the match is written so that the index cannot be used, because the planner, which
    guesses a phrase's share from its pairs as if they were independent, would otherwise
    read them all (7 s → 10 ms, see bench/run_home_search.py). Rare words come from the
    index, and the date is then written so that PostgreSQL cannot walk the rows by it
    instead: with no statistics for a rare word and a small LIMIT (the five of "every
    kind"), it would, and read all 2,000,000 entries for a word found nowhere (8 s).
    ``within``: the rows are looked for among a few hundred ids (``found``), read by their
    key; the match is then checked row by row, never from the index.
    """
    table = model._meta.db_table
    if within or _share_in(table, query) >= COMMON_SHARE:
        # The table name is a model's; the query travels as a parameter.
        match = Q(RawSQL(  # noqa: S611
            f'ts_match_vq("{table}"."search", to_tsquery(\'simple\'::regconfig, %s))',
            [query], output_field=BooleanField(),
        ))
        newest = F("created_at").desc()
    else:
        match = Q(search=matches(query))
        newest = RawSQL(f'"{table}"."created_at" + interval \'0\'', []).desc()  # noqa: S611
    return match, [newest, F("pk").desc()]


def _among(rows: QuerySet, within) -> QuerySet:
    return rows if within is None else rows.filter(pk__in=within)


def entries(viewer, query: str, within=None) -> QuerySet:
    """Diary entries ``viewer`` may see that match, newest first (among the ids ``within``
    when given: every kind takes them)."""

    match, newest = _newest_first(Entry, query, within is not None)
    return _among(
        Entry.objects.visible_to(viewer)
        .filter(match)
        .for_list().prefetch_related("photos")
        .order_by(*newest),
        within,
    )


def topics(viewer, query: str, within=None) -> QuerySet:
    """Community topics ``viewer`` may find (``Topic.objects.findable_by``) that match by
    title or body, newest first."""

    match, newest = _newest_first(Topic, query, within is not None)
    return _among(
        Topic.objects.findable_by(viewer).filter(match)
        .select_related("community", "author__profile")
        .order_by(*newest),
        within,
    )


def topic_comments(viewer, query: str, within=None) -> QuerySet:
    """Comments on community topics ``viewer`` may find (``TopicComment.objects.findable_by``)
    that match, newest first, each with its topic and community."""

    match, newest = _newest_first(TopicComment, query, within is not None)
    return _among(
        TopicComment.objects.findable_by(viewer).filter(match)
        .select_related("topic__community", "author__profile")
        .order_by(*newest),
        within,
    )


def communities(viewer, query: str, within=None) -> QuerySet:
    """Open communities ``viewer`` may see that match: name matches first, then the largest."""

    return (
        _among(Community.objects.visible_to(viewer).open_ones(), within)
        .filter(search=matches(query))
        .annotate(name_hit=ExpressionWrapper(Q(name_search=matches(query)),
                                             output_field=BooleanField()))
        .select_related("category").with_member_count()
        .order_by("-name_hit", "-member_count", "pk")
    )


def events(viewer, query: str, within=None) -> QuerySet:
    """Off-kai ``viewer`` may see that match: upcoming ones first (soonest first), then past
    ones (latest first)."""
    from django.db.models.functions import Now

    upcoming = Q(ends_at__gte=Now())
    return (
        for_cards(_among(Event.objects.visible_to(viewer), within), viewer)
        .filter(search=matches(query))
        .annotate(upcoming=Case(When(upcoming, then=Value(True)), default=Value(False)))
        .order_by(
            "-upcoming",
            Case(When(upcoming, then=F("starts_at"))).asc(nulls_last=True),
            F("starts_at").desc(), "pk",
        )
    )


def _visible_profile_text(viewer) -> tuple[str, list]:
    """The SQL of the profile text ``viewer`` may search: the shown name always, the other
    name, the reading and the company by their owner's visibility settings."""
    policy = identity_policy()
    if policy == "real_name":
        real_shown = "TRUE"
    elif policy == "nickname":
        real_shown = "FALSE"
    else:
        real_shown = (
            """("accounts_profile"."shown_name_choice" = 'real_name' """
            """AND "accounts_profile"."real_name" <> '')"""
        )

    def sees(level_column: str) -> str:
        # The level rule as SQL; level_column is one of three field names below, and every
        # placeholder is the viewer's id.
        return level_sql(
            level=f'"accounts_profile"."{level_column}"', owner='"accounts_profile"."user_id"'
        )

    other = sees("other_name_visibility")
    return _with_params(
        f"""CASE WHEN {real_shown} THEN "accounts_profile"."real_name" """
        """ELSE "accounts_profile"."nickname" END"""
        f""" || ' ' || CASE WHEN {other} THEN (CASE WHEN {real_shown} """
        """THEN "accounts_profile"."nickname" ELSE "accounts_profile"."real_name" END) """
        """ELSE '' END"""
        f""" || ' ' || CASE WHEN {real_shown} OR {other} """
        """THEN "accounts_profile"."real_name_kana" ELSE '' END"""
        f""" || ' ' || CASE WHEN {sees("company_visibility")} """
        """THEN "accounts_profile"."company" ELSE '' END""",
        viewer,
    )


def _with_params(sql: str, viewer) -> tuple[str, list]:
    # Every placeholder in the visible-text SQL is the viewer's id.
    return sql, [viewer.pk] * sql.count("%s")


def members(viewer, query: str, within=None) -> QuerySet:
    """Active members ``viewer`` may find, by the parts of their profile the viewer may see:
    friends first, then by shown name."""

    visible_sql, params = _visible_profile_text(viewer)
    # The index finds the candidates by every name field; then each is matched again on
    # only what the viewer may see of them ("accounts_profile" is the join made here).
    visible_match = RawSQL(  # noqa: S611 (built from constants; values are parameters)
        f"to_tsvector('simple'::regconfig, tsunagari_ngrams({visible_sql})) "
        "@@ to_tsquery('simple'::regconfig, %s)",
        [*params, query], output_field=BooleanField(),
    )
    found = _among(User.objects.filter(
        is_active=True, awaiting_approval=False, profile__search=matches(query)
    ), within).filter(visible_match)
    # By the reading of the shown name; on a nickname site the readings (of the real names)
    # may be hidden, and ordering by them would tell which of two comes first.
    by_name = ["profile__real_name_kana", "profile__nickname"]
    if identity_policy() == "nickname":
        by_name = ["profile__nickname"]
    return (
        without_hidden_people(found, "pk", viewer)
        .annotate(is_friend=Exists(Friendship.objects.filter(user=viewer, friend=OuterRef("pk"))))
        .select_related("profile")
        .order_by("-is_friend", *by_name, "pk")
    )


KINDS = {
    "members": members,
    "communities": communities,
    "diaries": entries,
    "topics": topics,
    "topic_comments": topic_comments,
    "events": events,
}


@dataclass
class Results:
    kind: str
    rows: list = field(default_factory=list)
    has_more: bool = False


def page_of(kind: str, viewer, query: str, number: int, size: int = PAGE_SIZE) -> Results:
    """One page of one kind (counted by looking one row ahead, never by counting all the
    matches: a common word matches tens of thousands of entries).

    With the parts cache, the rows are looked for among what the search finds for everyone
    (``found``): none found, no query; a few hundred ids, read by their key. When those are
    only the newest of more and the viewer's page is not among them, or the kind's order is
    the viewer's own or changes with time, everything is searched as without the cache."""
    number = max(1, min(number, MAX_PAGES))
    start = (number - 1) * size
    rows = None
    if cache.in_use():
        ids, complete, _marks = cache.shared(
            "found", _found_key(kind, query), lambda: found(kind, query)
        )
        if complete or kind in NEWEST_FIRST:
            rows = list(KINDS[kind](viewer, query, within=ids)[start:start + size + 1]) \
                if ids else []
            if not complete and len(rows) <= size:
                rows = None
    if rows is None:
        rows = list(KINDS[kind](viewer, query)[start:start + size + 1])
    return Results(kind=kind, rows=rows[:size], has_more=len(rows) > size)


# --- what a search finds, kept for everyone (issue 16) ------------------------------------
# A search's matches among everything (not yet by who may see them) are kept in the parts
# cache for every viewer, as ids with a digest of what decides who may see each (its level,
# its community's policy, its author), and checked again at most every FOUND_EVERY seconds
# by one request (``recheck``, sns.cache.recheck): when they changed, each viewer's kept
# results of that search are built again. So what a write adds to a search (a new entry
# with the word, one made visible) is in the results FOUND_EVERY seconds later at most; what
# a write takes away is gone on the next search (each viewer's rows are read through the
# kind's own visibility, and the kept results declare everything they show).

FOUND_EVERY = 10
# Finding more costs more for a word in a few percent of the rows (walked by date: 500 of
# "travel" in 2,000,000 entries took 200 ms, 200 take 75), and serves only deeper pages.
FOUND_LIMIT = 200
# Kinds whose order is the same for every viewer and does not change with time (newest
# first): the newest FOUND_LIMIT of their matches serve every viewer's first pages.
NEWEST_FIRST = {"diaries", "topics", "topic_comments"}


def _found_key(kind: str, query: str) -> tuple:
    return (kind, hashlib.blake2b(query.encode(), digest_size=12).hexdigest())


def _found_rows(kind: str, query: str) -> QuerySet:
    """The matches of ``kind`` for everyone, as (id, what decides who may see it …)."""

    if kind in NEWEST_FIRST:
        model, shown = {
            "diaries": (Entry, ("visibility", "author_id")),
            "topics": (Topic, ("community_id", "community__join_policy", "author_id")),
            "topic_comments": (TopicComment, ("topic__hidden_at", "author_id",
                                              "topic__community__join_policy")),
        }[kind]
        match, newest = _newest_first(model, query)
        return (model.objects.filter(hidden_at__isnull=True).filter(match)
                .order_by(*newest).values_list("pk", *shown))
    if kind == "communities":
        rows = Community.objects.open_ones().filter(search=matches(query))
        shown = ("join_policy",)
    elif kind == "events":
        rows = Event.objects.filter(hidden_at__isnull=True, search=matches(query))
        shown = ("visibility", "community_id", "created_by_id")
    else:
        rows = User.objects.filter(is_active=True, awaiting_approval=False,
                                   profile__search=matches(query))
        shown = ("profile__shown_name_choice", "profile__other_name_visibility",
                 "profile__company_visibility")
    return rows.order_by("pk").values_list("pk", *shown)


def found(kind: str, query: str) -> tuple[tuple[int, ...], bool, str]:
    """What the search finds of ``kind`` for everyone: (the ids, whether that is all of them,
    a digest of the ids and of what decides who may see each)."""
    rows = list(_found_rows(kind, query)[:FOUND_LIMIT + 1])
    complete = len(rows) <= FOUND_LIMIT
    rows = rows[:FOUND_LIMIT]
    marks = hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()
    return tuple(row[0] for row in rows), complete, marks


def recheck(query: str, kinds) -> None:
    """Check what the search ``query`` finds of ``kinds`` again, if nobody did in the last
    FOUND_EVERY seconds (on every search, before its kept results are read)."""
    cache.recheck("found", {
        _found_key(kind, query): (lambda kind=kind: found(kind, query)) for kind in kinds
    }, FOUND_EVERY)
