"""Photo albums (フォトアルバム): a member's albums, each with a title, a description, a
visibility level like a diary entry's, many photos in the member's order with captions, and a
cover; a community's albums, to which its members add photos (an off-kai's pictures), seen as
the community is. Photos are stored through the one image pipeline (sns.images) and served
only through the album's visibility (albums.views.photos.photo_file), never by a public media
URL. Each photo counts against its uploader's album space (SitePolicy.album_quota_mb).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community
from sns.comments import CommentBase
from sns.images import StoredPhoto
from sns.naming import member_ref
from sns.visibility import Level, in_block_with, level_rule, without_hidden_people

TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 5000
CAPTION_MAX_LENGTH = 200
# Files in one upload (one post of the form).
MAX_PHOTOS_PER_UPLOAD = 20


def _anonymous(viewer) -> bool:
    return viewer is None or not viewer.is_authenticated


class AlbumQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> AlbumQuerySet:
        """The albums ``viewer`` may see; every list and page reads through this.

        A member's album: by its level and how the viewer stands to its owner, as a diary
        entry (nothing across a block, nothing of a member who left or is suspended). A
        community's album: as the community (a secret one's only for its members), without
        those made by someone in a block with the viewer or suspended. What a moderator hid
        is gone for everyone, its owner too.
        """
        # Albums of members who left or are suspended go (a hashed list of them, not a join);
        # a community's album whose maker left the site (NULL) stays the community's.
        albums = self.filter(hidden_at__isnull=True).exclude(
            owner__in=User.objects.filter(is_active=False).values("pk")
        ).exclude(community__isnull=True, owner__isnull=True)
        if _anonymous(viewer):
            if not settings.SITE_PUBLIC_PAGES:
                return albums.none()
            return albums.filter(level_rule(viewer, owner="owner"), community__isnull=True)
        own = Q(community__isnull=True) & level_rule(viewer, owner="owner")
        community = Q(community__in=Community.objects.visible_to(viewer)) & (
            Q(owner__isnull=True) | ~in_block_with(viewer, "owner_id")
        )
        return albums.filter(own | community)

    def for_list(self) -> AlbumQuerySet:
        """What every album list shows: the owner with their profile, the community, the
        cover."""
        return self.select_related("owner__profile", "community", "cover")


class Album(models.Model):
    # NULL: the member who made a community's album left the site; the album stays the
    # community's. A member's own albums go with them (albums.services.albums_delete_all).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="albums", verbose_name=_("owner"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="albums",
        verbose_name=_("community"),
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(
        _("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True,
        help_text=_("Markdown."),
    )
    # A member's album only: a community's album is seen as the community is.
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Level.choices, default=Level.FRIENDS
    )
    cover = models.ForeignKey(
        "AlbumPhoto", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("cover"),
    )
    photo_count = models.PositiveIntegerField(_("photos"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When photos were last added (home's friends' new albums order by it).
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    hidden_at = models.DateTimeField(
        _("hidden by a moderator"), null=True, blank=True, editable=False
    )

    objects = AlbumQuerySet.as_manager()

    class Meta:
        verbose_name = _("album")
        verbose_name_plural = _("albums")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            # A member's albums, and their friends' newest (home), by the latest addition.
            models.Index(fields=["owner", "-updated_at", "-id"], include=["visibility"],
                         name="album_owner_recent"),
            models.Index(fields=["community", "-updated_at", "-id"],
                         condition=Q(community__isnull=False), name="album_community_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("albums:detail", args=[self.pk])

    @property
    def is_community(self) -> bool:
        return self.community_id is not None


class AlbumPhotoQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> AlbumPhotoQuerySet:
        """The photos ``viewer`` may see: of albums they may see, not hidden by a moderator,
        not uploaded by a member who left, is suspended, or stands in a block with them."""
        photos = self.filter(album__in=Album.objects.visible_to(viewer), hidden_at__isnull=True)
        return without_hidden_people(photos, "uploader_id", viewer)

    def with_comment_count(self) -> AlbumPhotoQuerySet:
        """Annotate ``comment_count``: the comments shown, without hidden ones and those of
        members who left or are suspended (a subquery, so it combines with any filter)."""
        counts = (
            without_hidden_people(
                AlbumPhotoComment.objects.filter(photo=OuterRef("pk"), hidden_at__isnull=True),
                "author_id", None,
            )
            .order_by().values("photo").annotate(n=models.Count("pk")).values("n")
        )
        return self.annotate(
            comment_count=models.functions.Coalesce(models.Subquery(counts), 0)
        )


class AlbumPhoto(StoredPhoto):
    album = models.ForeignKey(
        Album, on_delete=models.CASCADE, related_name="photos", verbose_name=_("album")
    )
    # Whose album space it takes; a member who leaves takes their photos with them.
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="album_photos",
        verbose_name=_("uploaded by"),
    )
    caption = models.CharField(_("caption"), max_length=CAPTION_MAX_LENGTH, blank=True)
    # The stored bytes of all its sizes: what it takes of its uploader's album space.
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    hidden_at = models.DateTimeField(
        _("hidden by a moderator"), null=True, blank=True, editable=False
    )

    objects = AlbumPhotoQuerySet.as_manager()

    class Meta(StoredPhoto.Meta):
        verbose_name = _("album photo")
        verbose_name_plural = _("album photos")
        indexes = [
            models.Index(fields=["album", "position", "id"], name="album_photo_order"),
            # A member's used space (the quota) is a sum over their photos.
            models.Index(fields=["uploader"], include=["size_bytes"], name="album_photo_space"),
        ]

    def __str__(self) -> str:
        return self.caption or f"{self.album_id}#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("albums:photo", args=[self.pk])

    def url(self, size: str = "medium") -> str:
        return reverse("albums:photo_file", args=[self.pk, size])


class AlbumPhotoComment(CommentBase):
    photo = models.ForeignKey(
        AlbumPhoto, on_delete=models.CASCADE, related_name="comments",
        verbose_name=_("album photo"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="album_comments", verbose_name=_("author"),
    )

    class Meta(CommentBase.Meta):
        verbose_name = _("comment on an album photo")
        verbose_name_plural = _("comments on album photos")
        indexes = [
            models.Index(fields=["photo", "created_at", "id"], name="album_comment_order"),
        ]

    def __str__(self) -> str:
        return gettext("Comment on album photo %(photo)s by %(author)s") % {
            "photo": self.photo_id, "author": member_ref(self.author_id),
        }

    def get_absolute_url(self) -> str:
        return f"{reverse('albums:photo', args=[self.photo_id])}#comment-{self.pk}"
