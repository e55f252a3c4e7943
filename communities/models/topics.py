"""A community's talk: topics, their comments, and where a member left off reading "new in
my communities"."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sns.comments import CommentBase
from sns.matching import search_field
from sns.naming import member_ref
from sns.paging import cursor_encode
from sns.visibility import without_hidden_people

from .communities import Community, JoinPolicy, Membership


class TopicQuerySet(models.QuerySet):
    def findable_by(self, viewer) -> TopicQuerySet:
        """The topics search shows ``viewer``: those ``visible_to`` them, but of a secret
        community only to its members (an invitee may open its pages to decide whether to
        join, but site search does not bring them its talk)."""
        if viewer is None or not viewer.is_authenticated:
            return self.none()
        member = Exists(Membership.objects.filter(community=OuterRef("community"), user=viewer))
        return self.visible_to(viewer).filter(~Q(community__join_policy=JoinPolicy.SECRET) | member)

    def visible_to(self, viewer) -> TopicQuerySet:
        """Topics of communities ``viewer`` may see, without those by members who stand in a
        block with the viewer (either way) or who left the site, and without those a
        moderator hid (for everyone, their author too)."""
        if viewer is None or not viewer.is_authenticated:
            return self.none()
        return without_hidden_people(
            self.filter(
                community__in=Community.objects.visible_to(viewer), hidden_at__isnull=True
            ),
            "author_id", viewer,
        )


class Topic(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="topics", verbose_name=_("community"),
    )
    # NULL: the member left the site; the topic stays, shown as by "deleted member".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="community_topics", verbose_name=_("author"),
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=150)
    body = models.TextField(_("body"), max_length=20000, help_text=_("Markdown."))
    pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("latest activity"), default=timezone.now)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    last_commenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("last poster"),
    )
    hidden_at = models.DateTimeField(
        _("hidden by a moderator"), null=True, blank=True, editable=False
    )
    # What search matches (sns.search).
    search = search_field("title", "body")

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-pinned", "-last_activity_at", "-pk"]
        indexes = [
            models.Index(
                fields=["community", "-pinned", "-last_activity_at", "-id"], name="topic_list"
            ),
            models.Index(fields=["author", "-created_at"], name="topic_author_recent"),
            # Search: the index finds a rare word's topics, the date walks a common word's.
            GinIndex(fields=["search"], name="topic_search"),
            models.Index(fields=["-created_at", "-id"], name="topic_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communities:topic", args=[self.community_id, self.pk])


class TopicCommentQuerySet(models.QuerySet):
    def findable_by(self, viewer) -> TopicCommentQuerySet:
        """The comments search shows ``viewer``: on topics ``Topic.objects.findable_by``
        them, not hidden by a moderator, and not by a member who stands in a block with the
        viewer or was suspended (those who left the site stay, as "deleted member")."""
        return without_hidden_people(
            self.filter(topic__in=Topic.objects.findable_by(viewer), hidden_at__isnull=True),
            "author_id", viewer,
        )


class TopicComment(CommentBase):
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="comments", verbose_name=_("topic"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="topic_comments", verbose_name=_("author"),
    )
    search = search_field("body")

    objects = TopicCommentQuerySet.as_manager()

    class Meta(CommentBase.Meta):
        verbose_name = _("topic comment")
        verbose_name_plural = _("topic comments")
        indexes = [
            models.Index(fields=["topic", "created_at", "id"], name="topic_comment_order"),
            models.Index(fields=["author", "-created_at"], name="topic_comment_author"),
            GinIndex(fields=["search"], name="topic_comment_search"),
            models.Index(fields=["-created_at", "-id"], name="topic_comment_recent"),
        ]

    def __str__(self) -> str:
        return gettext("Comment on topic %(topic)s by %(author)s") % {
            "topic": self.topic_id, "author": member_ref(self.author_id),
        }

    def get_absolute_url(self) -> str:
        """The comment in its topic (with ``topic`` loaded): the page of comments that ends
        with it, since the topic page shows only the latest ones. The cursor names the place
        just after it (sns.paging.latest_page reads "before")."""
        cursor = cursor_encode(self.created_at, self.pk + 1)
        return f"{self.topic.get_absolute_url()}?comments_before={cursor}#comment-{self.pk}"


class CommunityPreference(models.Model):
    """Where a member left off reading "new in my communities"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="community_preference", verbose_name=_("member"),
    )
    topics_seen_at = models.DateTimeField(_("topics seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("community preference")
        verbose_name_plural = _("community preferences")

    def __str__(self) -> str:
        return str(self.user_id)
