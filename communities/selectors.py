"""Community reads that are more than a QuerySet method: the community, topic or membership
a page is about (a 404 for what the viewer may not know exists), member lists, communities
of friends and on a profile, a topic's comments (the latest fifty, with a cursor back) and
the cards the topic page shows, and "new in my communities". Every community comes through
``Community.objects.visible_to(viewer)`` and every topic through
``Topic.objects.visible_to(viewer)``; the pages take a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, Q, QuerySet, Window
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Friendship, User
from sns import cache
from sns.paging import latest_page
from sns.people import shown_author
from sns.prepared import Prepared
from sns.visibility import Relation, relations_to, without_hidden_people

from .models import Community, CommunityPreference, Membership, Topic, TopicComment, TopicPolicy

ON_PROFILE = 10


# --- the community, topic or membership a page is about ----------------------------------------

def community_or_404(viewer, pk: int) -> Community:
    return get_object_or_404(
        Community.objects.visible_to(viewer).select_related("category"), pk=pk
    )


def membership_of(community: Community, user) -> Membership | None:
    return Membership.objects.filter(community=community, user=user).first()


def moderated_or_404(viewer, pk: int) -> tuple[Community, Membership]:
    """The community ``pk`` and the viewer's membership, if they are its admin or a
    sub-admin; else the same 404 as no community."""
    community = community_or_404(viewer, pk)
    membership = membership_of(community, viewer)
    if membership is None or not membership.moderates:
        raise Http404
    return community, membership


def topic_or_404(viewer, pk: int, topic_id: int) -> Topic:
    return get_object_or_404(
        Topic.objects.visible_to(viewer).select_related("community", "author__profile"),
        pk=topic_id, community_id=pk,
    )


def can_start_topic(community: Community, membership: Membership | None) -> bool:
    if membership is None or community.is_closed:
        return False
    return community.topic_policy == TopicPolicy.MEMBERS or membership.moderates


# --- members and communities -------------------------------------------------------------------

def community_members(community: Community, viewer) -> QuerySet[Membership]:
    """The community's memberships as ``viewer`` may see them (a block hides both ways): the
    admin first, then the sub-admins, then by joining."""
    return Membership.objects.filter(community=community).listed_for(viewer)


def with_roles(memberships) -> list[User]:
    """The members of these memberships, each carrying its ``role``."""
    people = []
    for membership in memberships:
        membership.user.role = membership.role
        people.append(membership.user)
    return people


def friends_in(viewer) -> QuerySet[Community]:
    """Open communities ``viewer`` may see with at least one of their friends as a member,
    the most friends first, each with ``friend_count``."""
    friend_ids = Friendship.objects.filter(user=viewer, friend__is_active=True).values("friend")
    return (
        Community.objects.visible_to(viewer).open_ones()
        .filter(memberships__user__in=friend_ids)
        .annotate(friend_count=Count("memberships"))
        .select_related("category")
        .order_by("-friend_count", Lower("name"), "pk")
    )


def communities_of(member, viewer, limit: int = ON_PROFILE) -> tuple[list[Community], int]:
    """Up to ``limit`` of ``member``'s open communities that ``viewer`` may see (a secret one
    only to its members), the latest joined first, and how many there are (one query: the
    total is a window count over the unsliced rows)."""
    communities = (
        Community.objects.visible_to(viewer).open_ones()
        .filter(memberships__user=member)
        .annotate(total=Window(Count("pk")))
        .order_by("-memberships__joined_at", "-pk")
    )
    shown = list(communities[:limit])
    return shown, shown[0].total if shown else 0


# --- topics ------------------------------------------------------------------------------------

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


def topic_scopes(viewer, pk: int) -> list:
    """What decides a topic's page for ``viewer``: its community (every comment, edit, pin,
    hiding, role and closing there), the viewer's memberships and blocks, members'
    standing."""
    return [cache.community(pk), cache.memberships(viewer), cache.blocks(viewer), cache.PEOPLE]


def topic_head(viewer, pk: int, topic_id: int) -> tuple[str, bool] | None:
    """The topic's title and whether ``viewer`` may comment, if they may open it; else
    None. Kept (sns.cache) under ``topic_scopes``."""
    member = Exists(Membership.objects.filter(community_id=pk, user=viewer))
    return cache.cached(
        "topic-head", topic_scopes(viewer, pk),
        lambda: Topic.objects.visible_to(viewer).filter(pk=topic_id, community_id=pk)
        .annotate(may_comment=member & Q(community__closed_at__isnull=True))
        .values_list("title", "may_comment").first(),
        key=(topic_id, viewer.pk),
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
