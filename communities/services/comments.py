"""Comments on a community's topics: writing one (and telling those taking part), deleting
one. Each keeps the topic's count, latest activity and last poster as comments come and go."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sns import cache, limits
from sns.comments import comment_body_clean, comment_participants
from sns.notify import Kind, notify
from sns.withdraw import about_withdraw

from ..models import Topic, TopicComment
from ..selectors import membership_of
from .rules import CommunityError, require_open


@transaction.atomic
def topic_comment_create(*, topic_id: int, author: User, body: str) -> TopicComment:
    """A member comments on a topic; the topic's author and earlier commenters are notified
    (COMMUNITY_TOPIC_COMMENT), once each, never the commenter, nobody in a block with them.

    Raises Topic.DoesNotExist when ``author`` may not see the topic, CommunityError for
    non-members, Refused for an empty or over-long body (RateLimited past
    COMMENTS_PER_HOUR).
    """
    limits.take(author, limits.COMMENTS)
    # Locked, so that comments on a topic are written one after another.
    topic = (
        Topic.objects.visible_to(author).select_related("community")
        .select_for_update(of=("self",)).get(pk=topic_id)
    )
    body = comment_body_clean(body)
    require_open(topic.community)
    if membership_of(topic.community, author) is None:
        raise CommunityError(_("Only members can comment."))
    now = timezone.now()
    comment = TopicComment.objects.create(topic=topic, author=author, body=body, created_at=now)
    Topic.objects.filter(pk=topic.pk).update(
        comment_count=F("comment_count") + 1, last_activity_at=now, last_commenter=author
    )
    cache.bump(cache.community(topic.community_id))
    participants = (
        comment_participants(
            TopicComment.objects.filter(topic=topic, pk__lt=comment.pk), commenter=author,
            also=[topic.author_id] if topic.author_id else None,
        )
        .filter(community_memberships__community=topic.community)
        .distinct().order_by("pk")
    )
    for recipient in participants:
        notify(recipient=recipient, kind=Kind.COMMUNITY_TOPIC_COMMENT, actor=author,
               target=comment)
    return comment


@transaction.atomic
def topic_comment_delete(*, comment_id: int, by: User) -> Topic:
    """The commenter or the community's admins delete a comment; its notifications go."""
    comment = TopicComment.objects.select_related("topic__community").get(pk=comment_id)
    topic = Topic.objects.select_for_update().get(pk=comment.topic_id)
    if comment.author_id != by.pk:
        membership = membership_of(comment.topic.community, by)
        if membership is None or not membership.moderates:
            raise CommunityError(
                _("Only the comment's author or the community's admins can do this.")
            )
    about_withdraw(model=TopicComment, ids=[comment.pk])
    comment.delete()
    cache.bump(cache.community(topic.community_id))
    last = TopicComment.objects.filter(topic=topic).order_by("-created_at", "-pk").first()
    Topic.objects.filter(pk=topic.pk).update(
        comment_count=F("comment_count") - 1,
        last_commenter_id=last.author_id if last else None,
        last_activity_at=last.created_at if last else topic.created_at,
    )
    topic.refresh_from_db()
    return topic
