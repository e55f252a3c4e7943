"""Album reads that are more than a QuerySet method: the album or photo a page is about (a
404 for what the viewer may not see), who may change or add to an album, a member's album
space, the lists of a member's, a community's and friends' albums, and a photo's comments.
Every album comes through ``Album.objects.visible_to(viewer)`` and every photo through
``AlbumPhoto.objects.visible_to(viewer)``."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce, JSONObject
from django.shortcuts import get_object_or_404

from accounts.models import Friendship, User
from accounts.selectors.names import member_from_names, name_columns
from communities.models import Community, Membership, Role
from sns.paging import latest_page
from sns.site_policy import policy_current

from .models import Album, AlbumPhoto, AlbumPhotoComment

MB = 1024 * 1024
PHOTO_COMMENTS_SHOWN = 50
ON_PROFILE = 6


# --- the album or photo a page is about -----------------------------------------------------

def album_or_404(viewer, pk: int) -> Album:
    return get_object_or_404(Album.objects.visible_to(viewer).for_list(), pk=pk)


def photo_or_404(viewer, pk: int) -> AlbumPhoto:
    return get_object_or_404(
        AlbumPhoto.objects.visible_to(viewer).with_comment_count().select_related(
            "album__owner__profile", "album__community", "uploader__profile"
        ),
        pk=pk,
    )


# --- who may do what ----------------------------------------------------------------------------

def _community_role(album: Album, user) -> str | None:
    if album.community_id is None or user is None or not user.is_authenticated:
        return None
    return (Membership.objects.filter(community_id=album.community_id, user=user)
            .values_list("role", flat=True).first())


def may_edit(album: Album, user) -> bool:
    """Whether ``user`` may change ``album`` (its title, order, cover) and any photo in it:
    its owner, and for a community's album the community's admin and sub-admins."""
    if user is None or not user.is_authenticated:
        return False
    if album.owner_id == user.pk:
        return True
    return _community_role(album, user) in (Role.ADMIN, Role.SUBADMIN)


def may_add(album: Album, user) -> bool:
    """Whether ``user`` may add photos to ``album``: a member's own album, its owner; a
    community's, any member of the (open) community."""
    if user is None or not user.is_authenticated:
        return False
    if album.community_id is None:
        return album.owner_id == user.pk
    return album.community.closed_at is None and _community_role(album, user) is not None


def may_change_photo(photo: AlbumPhoto, user, *, editor: bool) -> bool:
    """Whether ``user`` may change ``photo``'s caption or delete it: who uploaded it, and the
    album's editors (``editor``: ``may_edit`` of its album)."""
    return editor or (user is not None and user.is_authenticated and photo.uploader_id == user.pk)


def may_make_community_album(community: Community, user) -> bool:
    """Any member of an open community may start one of its albums."""
    return (community.closed_at is None and user is not None and user.is_authenticated
            and Membership.objects.filter(community=community, user=user).exists())


# --- album space ---------------------------------------------------------------------------------

def space_quota() -> int:
    """Each member's album space, in bytes (SitePolicy.album_quota_mb)."""
    return policy_current().album_quota_mb * MB


def space_used(member) -> int:
    """The bytes ``member``'s album photos take (all their sizes), wherever they are."""
    return AlbumPhoto.objects.filter(uploader=member).aggregate(
        n=Coalesce(Sum("size_bytes"), 0)
    )["n"]


def space_of(member) -> dict:
    """What the pages show of ``member``'s album space: used and total, in MB and percent."""
    used, quota = space_used(member), space_quota()
    return {
        "used_mb": round(used / MB, 1), "quota_mb": quota // MB,
        "percent": min(100, round(100 * used / quota)) if quota else 100,
        "full": used >= quota,
    }


# --- lists ---------------------------------------------------------------------------------------

def albums_of(member, viewer) -> QuerySet[Album]:
    """``member``'s own albums (not those they made in communities) that ``viewer`` may see,
    the latest added to first."""
    return (Album.objects.visible_to(viewer).filter(owner=member, community__isnull=True)
            .for_list().order_by("-updated_at", "-pk"))


def community_albums(community: Community, viewer) -> QuerySet[Album]:
    return (Album.objects.visible_to(viewer).filter(community=community)
            .for_list().order_by("-updated_at", "-pk"))


ON_HOME = 5


def friends_albums_query(member) -> QuerySet[Album]:
    """The newest albums (with photos) of ``member``'s friends that they may see (home),
    the latest added to first."""
    friends = Friendship.objects.filter(user=member).values("friend")
    return (
        Album.objects.visible_to(member)
        .filter(owner__in=friends, community__isnull=True, photo_count__gt=0)
        .for_list().order_by("-updated_at", "-pk")
    )


def friends_albums_rows(member) -> ArraySubquery:
    """``friends_albums_query``'s first ON_HOME as one array of JSON rows (what a card shows,
    the owner's name fields), to ride along in another query: home's counts (sns.home), which
    has no query to spare. ``albums_from_rows`` makes them albums again."""
    return ArraySubquery(friends_albums_query(member).values(row=JSONObject(
        id="pk", title="title", cover_id="cover_id", photo_count="photo_count",
        owner=name_columns("owner__"),
    ))[:ON_HOME])


def albums_from_rows(rows) -> list[Album]:
    """The albums of ``friends_albums_rows``, each with its owner and the owner's profile
    (the fields their shown name is made of)."""
    return [
        Album(pk=row["id"], title=row["title"], cover_id=row["cover_id"],
              photo_count=row["photo_count"], owner=member_from_names(row["owner"]))
        for row in rows or ()
    ]


def photos_of(album: Album, viewer) -> QuerySet[AlbumPhoto]:
    """The photos of ``album`` that ``viewer`` may see, in the album's order (the album
    itself already checked: this leaves out only photos hidden, or by members who left or
    stand in a block with the viewer)."""
    return (AlbumPhoto.objects.visible_to(viewer).filter(album=album)
            .order_by("position", "pk"))


def neighbours(photo: AlbumPhoto, viewer) -> tuple[AlbumPhoto | None, AlbumPhoto | None]:
    """The photos before and after ``photo`` in its album, as ``viewer`` sees it."""
    photos = photos_of(photo.album, viewer).only("pk", "position")
    before = photos.filter(
        Q(position__lt=photo.position) | Q(position=photo.position, pk__lt=photo.pk)
    ).order_by("-position", "-pk").first()
    after = photos.filter(
        Q(position__gt=photo.position) | Q(position=photo.position, pk__gt=photo.pk)
    ).order_by("position", "pk").first()
    return before, after


def photo_comments_page(
    photo: AlbumPhoto, before: str | None, *, size: int = PHOTO_COMMENTS_SHOWN
) -> tuple[list[AlbumPhotoComment], str | None]:
    """The latest ``size`` comments on ``photo`` (before the cursor ``before``), oldest
    first, and the cursor of the earlier ones (None: no more); hidden ones and those of
    members who left or are suspended left out."""
    comments = (
        AlbumPhotoComment.objects.filter(photo=photo, hidden_at__isnull=True)
        .exclude(author__in=User.objects.filter(is_active=False).values("pk"))
        .select_related("author__profile")
    )
    return latest_page(comments, before, size)
