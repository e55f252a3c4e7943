"""Diaries (日記): entries with a visibility level, up to three photos, and comments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sns.comments import CommentBase
from sns.images import StoredPhoto
from sns.likes import like_count
from sns.matching import search_field
from sns.naming import member_ref
from sns.visibility import Level, level_rule, without_hidden_people

MAX_PHOTOS = 3


class EntryQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> EntryQuerySet:
        """The entries ``viewer`` may see; every list and detail view reads through this.

        The author sees everything of theirs; others by the entry's level and how they
        stand to the author; a block either way hides all of it; anonymous visitors see
        public entries only where the site allows public pages.
        """

        # Entries a moderator hid (sns.moderation) are gone for everyone, their author too.
        entries = self.filter(author__is_active=True, hidden_at__isnull=True)
        if (viewer is None or not viewer.is_authenticated) and not settings.SITE_PUBLIC_PAGES:
            return entries.none()
        return entries.filter(level_rule(viewer, owner="author"))

    def with_comment_count(self) -> EntryQuerySet:
        """Annotate ``comment_count`` (a subquery, so it combines with any filter): the
        comments shown, without hidden ones and those of members who left or are suspended."""

        counts = (
            without_hidden_people(
                Comment.objects.filter(entry=OuterRef("pk"), hidden_at__isnull=True),
                "author_id", None,
            )
            .order_by()
            .values("entry")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            comment_count=models.functions.Coalesce(models.Subquery(counts), 0)
        )

    def for_list(self) -> EntryQuerySet:
        """What every entry list shows: the author with their profile, the comment count and
        the like count."""
        return (
            self.select_related("author__profile").with_comment_count()
            .annotate(like_count=like_count(Entry))
        )


class EntryManager(models.Manager.from_queryset(EntryQuerySet)):
    def get_queryset(self) -> EntryQuerySet:
        # The search vector is as long as the entry: no page reads it.
        return super().get_queryset().defer("search")


class Entry(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entries",
        verbose_name=_("author"),
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000, help_text=_("Markdown."))
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Level.choices, default=Level.FRIENDS
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(
        _("hidden by a moderator"), null=True, blank=True, editable=False
    )
    # What search matches (sns.matching): kept by the database, read by nobody else.
    search = search_field("title", "body")

    objects = EntryManager()

    class Meta:
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A friend's newest entries, skipping private ones without visiting the rows.
            models.Index(
                fields=["author", "-created_at", "-id"], include=["visibility"],
                name="entry_author_recent",
            ),
            models.Index(fields=["-created_at", "-id"], name="entry_recent"),
            GinIndex(fields=["search"], name="entry_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("diary:entry", args=[self.pk])


class EntryPhoto(StoredPhoto):
    """One of an entry's photos, stored through sns.images; served only through the entry's
    visibility (diary photo view), never by a public media URL in a page."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="photos", verbose_name=_("diary entry")
    )

    class Meta(StoredPhoto.Meta):
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="entry_photo_position"),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PHOTOS), name="entry_photo_at_most_three"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}#{self.position}"

    def url(self, size: str = "medium") -> str:
        return reverse("diary:photo", args=[self.entry_id, self.position, size])



class Comment(CommentBase):
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="comments", verbose_name=_("diary entry")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="diary_comments", verbose_name=_("author"),
    )

    class Meta(CommentBase.Meta):
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["entry", "created_at", "id"], name="comment_entry_order"),
            models.Index(fields=["author", "-created_at"], name="comment_author_recent"),
        ]

    def __str__(self) -> str:
        return gettext("Comment on diary entry %(entry)s by %(author)s") % {
            "entry": self.entry_id, "author": member_ref(self.author_id),
        }


class DiaryPreference(models.Model):
    """A member's diary settings and where they left off reading new comments."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_preference",
        verbose_name=_("member"),
    )
    default_visibility = models.CharField(
        _("who can see my new entries"), max_length=10, choices=Level.choices,
        default=Level.FRIENDS,
    )
    comments_seen_at = models.DateTimeField(_("comments seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("diary preference")
        verbose_name_plural = _("diary preferences")

    def __str__(self) -> str:
        return str(self.user_id)
