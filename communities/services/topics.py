"""A community's topics: starting, editing, deleting and pinning one, and where a member
left off reading "new in my communities"."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sns import cache, limits
from sns.errors import Refused
from sns.withdraw import about_withdraw

from ..models import Community, CommunityPreference, Topic, TopicComment
from ..selectors import can_start_topic, membership_of
from .rules import CommunityError, require_moderator, require_open


def clean_text(text: str, field: str) -> str:
    """A topic's ``text`` stripped, refused (Refused) when empty or past the length of its
    ``field``, "title" or "body" (comments: ``sns.comments.comment_body_clean``)."""
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write something before posting."), code="empty")
    limit = Topic._meta.get_field(field).max_length
    if len(text) > limit:
        raise Refused(
            _("This can be at most %(limit)d characters long (it has %(length)d).")
            % {"limit": limit, "length": len(text)},
            code="too_long",
        )
    return text


@transaction.atomic
def topic_create(*, community: Community, author: User, title: str, body: str) -> Topic:
    """A member starts a topic (only the admins when the community says so); at most
    TOPIC_CREATE_PER_HOUR an hour."""
    title, body = clean_text(title, "title"), clean_text(body, "body")
    require_open(community)
    membership = membership_of(community, author)
    if membership is None:
        raise CommunityError(_("Only members can start topics."))
    if not can_start_topic(community, membership):
        raise CommunityError(_("Only the community's admins can start topics here."))
    limits.take(author, limits.TOPICS)
    now = timezone.now()
    return Topic.objects.create(
        community=community, author=author, title=title, body=body, created_at=now,
        last_activity_at=now,
    )


def _may_manage(topic: Topic, user: User) -> bool:
    if topic.author_id == user.pk:
        return True
    membership = membership_of(topic.community, user)
    return membership is not None and membership.moderates


@transaction.atomic
def topic_update(*, topic: Topic, by: User, title: str, body: str) -> Topic:
    """The topic's author or the community's admins change it."""
    if not _may_manage(topic, by):
        raise CommunityError(_("Only the topic's author or the community's admins can do this."))
    topic.title, topic.body = clean_text(title, "title"), clean_text(body, "body")
    topic.edited_at = timezone.now()
    topic.save(update_fields=["title", "body", "edited_at"])
    # Its title on home's "new in my communities" (kept HTML: sns.cache.rendered).
    cache.bump(cache.community(topic.community_id))
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic, by: User) -> None:
    """The topic's author or the community's admins delete it, with its comments (and their
    notifications)."""
    if not _may_manage(topic, by):
        raise CommunityError(_("Only the topic's author or the community's admins can do this."))
    about_withdraw(
        model=TopicComment,
        ids=TopicComment.objects.filter(topic=topic).values_list("pk", flat=True),
    )
    about_withdraw(model=Topic, ids=[topic.pk])
    topic.delete()
    cache.bump(cache.community(topic.community_id))


@transaction.atomic
def topic_pin(*, topic: Topic, by: User, pinned: bool) -> Topic:
    require_moderator(topic.community, by)
    Topic.objects.filter(pk=topic.pk).update(pinned=pinned)
    topic.pinned = pinned
    # Its badge on its page (kept HTML: sns.cache.rendered) and its place in the list.
    cache.bump(cache.community(topic.community_id))
    return topic

def topics_seen_mark(*, user: User, at: datetime) -> None:
    """Remember that ``user`` looked at "new in my communities" at ``at`` (never back)."""
    preference, created = CommunityPreference.objects.get_or_create(
        user=user, defaults={"topics_seen_at": at}
    )
    if not created:
        CommunityPreference.objects.filter(pk=preference.pk).filter(
            Q(topics_seen_at__isnull=True) | Q(topics_seen_at__lt=at)
        ).update(topics_seen_at=at)
    cache.bump(cache.seen(user))
