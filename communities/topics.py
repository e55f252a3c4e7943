"""Topic reads: a topic's comments (the latest fifty, with a cursor back), the cards the
topic page shows, and "new in my communities". Every topic comes through
``Topic.objects.visible_to(viewer)``; the pages take a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from sns import cache
from sns.paging import latest_page
from sns.prepared import Prepared
from sns.visibility import Relation, relations_to, without_hidden_people

from .models import CommunityPreference, Membership, Topic, TopicComment

TOPIC_COMMENTS_SHOWN = 50
NEW_TOPICS_PAGE_SIZE = 20
# How far back "new in my communities" looks for a member who never opened the page.
NEW_TOPICS_FIRST_LOOK = timedelta(days=7)


def topic_comments_page(
    topic: Topic, before: str | None, *, size: int = TOPIC_COMMENTS_SHOWN
) -> tuple[list[TopicComment], str | None]:
    """The latest ``size`` comments of a topic (before the ``before`` cursor, if given),
    oldest first, and the cursor of the earlier ones (or None)."""
    return latest_page(
        TopicComment.objects.filter(topic=topic, hidden_at__isnull=True)
        # A NULL author left the site: the comment stays, as by "deleted member".
        .filter(Q(author__isnull=True) | Q(author__is_active=True))
        .select_related("author__profile"),
        before, size,
    )


def with_shown_people(viewer, topics) -> list[tuple[Topic, object, object]]:
    """Each topic (with ``author__profile`` and ``last_commenter__profile``) with its author
    and last poster as ``viewer`` may see them (None for a hidden last poster)."""
    from accounts.leaving import shown_author

    topics = list(topics)
    people = [t.author for t in topics if t.author_id is not None] + [
        t.last_commenter for t in topics if t.last_commenter
    ]
    relations = relations_to(viewer, people)
    rows = []
    for topic in topics:
        author = shown_author(topic, relations, Relation.MEMBER)
        last = None
        if topic.last_commenter is not None:
            relation = relations.get(topic.last_commenter_id, Relation.MEMBER)
            if relation is not Relation.BLOCKED and topic.last_commenter.is_active:
                last = topic.last_commenter.profile.shown_to(relation)
        rows.append((topic, author, last))
    return rows


def community_topics(viewer, community) -> QuerySet[Topic]:
    """The community's topics for ``viewer``: pinned first, then by latest activity."""
    return (
        Topic.objects.visible_to(viewer).filter(community=community)
        .select_related("author__profile", "last_commenter__profile")
        .order_by("-pinned", "-last_activity_at", "-pk")
    )


# --- new in my communities ---------------------------------------------------------------------

def topics_seen_at(viewer) -> datetime:
    seen = (
        CommunityPreference.objects.filter(user=viewer)
        .values_list("topics_seen_at", flat=True).first()
    )
    return seen or first_look()


def first_look() -> datetime:
    """Where "new in my communities" starts for a member who never opened it: a week back,
    to the hour (so that home's cached part keeps its key for an hour)."""
    return (timezone.now() - NEW_TOPICS_FIRST_LOOK).replace(minute=0, second=0, microsecond=0)


def _new_activity(viewer, since: datetime) -> QuerySet:
    """(topic, new_comment_count, last_comment_at) rows: the topics in the communities
    ``viewer`` is a member of with comments by others after ``since`` (from members shown
    to the viewer), newest activity first.

    Found from the comments since then, and only a page of topics is read afterwards:
    counting per topic in the topic query read every fresh comment three times and the
    whole member table (162 ms → see bench/).
    """
    mine = Membership.objects.filter(user=viewer).values("community")
    candidates = Topic.objects.visible_to(viewer).filter(
        community__in=mine, last_activity_at__gt=since
    )
    return (
        without_hidden_people(
            TopicComment.objects.filter(
                topic__in=candidates.values("pk"), created_at__gt=since, hidden_at__isnull=True
            ).exclude(author=viewer),
            "author_id", viewer,
        )
        .values("topic")
        .annotate(new_comment_count=Count("pk"), last_comment_at=Max("created_at"))
        .order_by("-last_comment_at", "-topic")
    )


# The topics of a list by id, with what the list shows: compiled once per process
# (sns/prepared.py), one array parameter for the ids.
_TOPICS_BY_IDS = Prepared(
    lambda ids: Topic.objects.select_related(
        "community", "author__profile", "last_commenter__profile"
    ).filter(pk__any=ids),
    ids=list,
)


def _topics_of(rows) -> list[Topic]:
    """The topics of these activity rows, in their order, each carrying its counts (a topic
    deleted since the rows were read is left out)."""
    rows = list(rows)
    ids = [row["topic"] for row in rows]
    found = {topic.pk: topic for topic in (_TOPICS_BY_IDS(ids=ids) if ids else [])}
    topics = []
    for row in rows:
        topic = found.get(row["topic"])
        if topic is None:
            continue
        topic.new_comment_count = row["new_comment_count"]
        topic.last_comment_at = row["last_comment_at"]
        topics.append(topic)
    return topics


def new_topics_page(viewer, since: datetime, number) -> Page:
    """One page of "new in my communities": topics with ``new_comment_count`` and
    ``last_comment_at``."""
    page = Paginator(_new_activity(viewer, since), NEW_TOPICS_PAGE_SIZE).get_page(number)
    page.object_list = _topics_of(page.object_list)
    return page


# Home shows this many, found in a query compiled once per process.
PREVIEW = 5
_PREVIEW = Prepared(
    lambda viewer, since: _new_activity(viewer, since)[:PREVIEW], viewer=User, since=datetime
)


def new_topics_preview(viewer, since: datetime) -> list[Topic]:
    """The first PREVIEW topics of "new in my communities" (for home), uncounted.

    Which topics, with their counts, is cached (sns.cache) until a topic or a comment in
    one of the member's communities changes, the member joins or leaves one, or a block or
    a member's standing changes what they are shown; the topics are read by id.
    """
    rows = cache.cached(
        "new_topics",
        lambda: [
            cache.memberships(viewer), cache.blocks(viewer), cache.PEOPLE,
            *(cache.community(pk) for pk in community_ids(viewer)),
        ],
        lambda: _PREVIEW(viewer=viewer, since=since),
        key=(viewer.pk, since.isoformat(), PREVIEW),
    )
    return _topics_of(rows)


def community_ids(member) -> list[int]:
    """The ids of the communities ``member`` belongs to (cached: sns.cache)."""
    return cache.cached(
        "community_ids", [cache.memberships(member)],
        lambda: list(
            Membership.objects.filter(user=member).values_list("community_id", flat=True)
        ),
        key=(member.pk,),
    )
