"""Albums: made by a member (their own, or one of a community they are in), edited and
deleted by those who may (``selectors.may_edit``); a member's albums deleted as they leave.

Who reads what a write changes (sns/cache/): a member's profile lists their albums
(``albums``), friends' home lists their newest (``friends_albums``, fanned out after commit
in a task), and every list shows an album under its own ``album`` scope, which every change
and deletion bumps so that it goes from those lists on the next request."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Friendship, User
from communities.models import Community
from sns import cache, images
from sns.errors import Refused
from sns.text import without_controls
from sns.visibility import Level
from sns.withdraw import about_withdraw

from .. import selectors
from ..models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Album,
    AlbumPhoto,
    AlbumPhotoComment,
)
from ..tasks import tell_friends


class AlbumError(Refused):
    """An album write refused, in the member's words."""


def _title(value: str) -> str:
    value = " ".join(without_controls(value or "").split())
    if not value:
        raise AlbumError(_("Give the album a title."), code="empty")
    if len(value) > TITLE_MAX_LENGTH:
        raise AlbumError(
            _("An album's title can be at most %(limit)d characters long (it has %(length)d).")
            % {"limit": TITLE_MAX_LENGTH, "length": len(value)},
            code="too_long",
        )
    return value


def _description(value: str) -> str:
    value = without_controls(value or "").strip()
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise AlbumError(
            _("An album's description can be at most %(limit)d characters long (it has "
              "%(length)d).") % {"limit": DESCRIPTION_MAX_LENGTH, "length": len(value)},
            code="too_long",
        )
    return value


def _level(visibility: str) -> str:
    if visibility not in Level.values:
        raise AlbumError(_("Choose who can see the album."), code="level")
    return visibility


def _friends_told(owner_id: int) -> None:
    """A new, or newly shown, album of ``owner_id``: their friends' home lists it, a few
    seconds later (in a task after commit: a member may have thousands of friends)."""
    if cache.in_use():
        transaction.on_commit(lambda: tell_friends.enqueue(owner_id=owner_id), robust=True)


def friends_tell(*, owner_id: int) -> int:
    """Bump the ``friends_albums`` scope of each friend of ``owner_id``."""
    friends = list(
        Friendship.objects.filter(user_id=owner_id).values_list("friend_id", flat=True)
    )
    cache.bump(*(cache.friends_albums(pk) for pk in friends))
    return len(friends)


def album_changed(album: Album, *, told: bool = False) -> None:
    """What lists show of ``album`` changed (or it went): its own scope and its owner's list;
    ``told``: something was added that friends' home should list."""
    cache.bump(cache.album(album))
    if album.owner_id:
        cache.bump(cache.albums(album.owner_id))
        if told and album.community_id is None and album.visibility != Level.PRIVATE:
            _friends_told(album.owner_id)


@transaction.atomic
def album_create(
    *, owner: User, title: str, description: str = "", visibility: str = Level.FRIENDS,
    community: Community | None = None,
) -> Album:
    """A new album of ``owner``'s, or (``community``) of a community they are in, where its
    members add photos; a community's album is seen as the community is (its level unused)."""
    title, description = _title(title), _description(description)
    if community is not None:
        # Lock the community, since a member leaving or a closing at the same time must be
        # served before or after, never in between.
        community = Community.objects.select_for_update().get(pk=community.pk)
        if not selectors.may_make_community_album(community, owner):
            raise AlbumError(_("Only members of the community can make its albums."),
                             code="not_member")
        visibility = Level.MEMBERS
    album = Album.objects.create(
        owner=owner, community=community, title=title, description=description,
        visibility=_level(visibility),
    )
    # A new album has no photos yet: friends' home lists it once it has some.
    album_changed(album)
    return album


@transaction.atomic
def album_update(
    *, album_id: int, editor: User, title: str, description: str = "",
    visibility: str | None = None,
) -> Album:
    """Change an album's title, description and (a member's album) level; Album.DoesNotExist
    when ``editor`` may not change it (a 404 for the view)."""
    # Lock the album, since a photo upload counts and dates it at the same time.
    album = (Album.objects.visible_to(editor).select_for_update(of=("self",))
             .select_related("community").get(pk=album_id))
    if not selectors.may_edit(album, editor):
        raise Album.DoesNotExist
    album.title, album.description = _title(title), _description(description)
    widened = False
    if album.community_id is None and visibility is not None:
        widened = album.visibility == Level.PRIVATE and visibility != Level.PRIVATE
        album.visibility = _level(visibility)
    album.save(update_fields=["title", "description", "visibility"])
    album_changed(album, told=widened)
    return album


def _delete_files_after_commit(keys: Iterable[str]) -> None:
    for key in keys:
        transaction.on_commit(lambda key=key: images.delete(key))


def _delete(albums) -> int:
    """Delete ``albums`` (a queryset) with their photos, their photos' comments and the
    notifications about those; the files once the transaction commits."""
    photos = AlbumPhoto.objects.filter(album__in=albums)
    keys = list(photos.values_list("image", flat=True))
    about_withdraw(
        model=AlbumPhotoComment,
        ids=AlbumPhotoComment.objects.filter(photo__in=photos).values_list("pk", flat=True),
    )
    about_withdraw(model=AlbumPhoto, ids=photos.values_list("pk", flat=True))
    # The cover points at a photo that goes too.
    count = albums.update(cover=None)
    albums.delete()
    _delete_files_after_commit(keys)
    return count


@transaction.atomic
def album_delete(*, album_id: int, editor: User) -> Album:
    """Delete an album with all its photos (whoever uploaded them) and their comments;
    Album.DoesNotExist when ``editor`` may not."""
    album = Album.objects.visible_to(editor).select_for_update(of=("self",)).get(pk=album_id)
    if not selectors.may_edit(album, editor):
        raise Album.DoesNotExist
    _delete(Album.objects.filter(pk=album.pk))
    album_changed(album)
    if album.community_id:
        cache.bump(cache.community(album.community_id))
    return album


@transaction.atomic
def albums_remove(*, ids) -> int:
    """Delete the albums ``ids`` with their photos and comments, whoever's they are (the
    operator, in admin); the files after commit. Returns how many."""
    albums = list(Album.objects.filter(pk__in=list(ids)).only("pk", "owner_id", "community_id",
                                                              "visibility"))
    count = _delete(Album.objects.filter(pk__in=[a.pk for a in albums]))
    for album in albums:
        album_changed(album)
    return count


@transaction.atomic
def albums_delete_all(*, member: User) -> int:
    """Delete ``member``'s own albums and every photo they uploaded to others' (they leave
    the site), with the comments on them; the files after commit. Community albums they made
    stay the community's (owner NULL, by the database). Returns how many albums went."""
    own = Album.objects.filter(owner=member, community__isnull=True)
    count = _delete(own)
    photos = AlbumPhoto.objects.filter(uploader=member)
    albums = set(photos.values_list("album_id", flat=True))
    for album_id in albums:
        cache.bump(cache.album(album_id))
    keys = list(photos.values_list("image", flat=True))
    about_withdraw(
        model=AlbumPhotoComment,
        ids=AlbumPhotoComment.objects.filter(photo__in=photos).values_list("pk", flat=True),
    )
    about_withdraw(model=AlbumPhoto, ids=photos.values_list("pk", flat=True))
    Album.objects.filter(cover__in=photos).update(cover=None)
    photos.delete()
    for album_id in albums:
        _recount(album_id)
    _delete_files_after_commit(keys)
    cache.bump(cache.albums(member))
    return count


def _recount(album_id: int) -> None:
    """Set an album's photo count from its rows (after photos went in bulk)."""
    Album.objects.filter(pk=album_id).update(
        photo_count=AlbumPhoto.objects.filter(album_id=album_id).count(),
    )


def album_shown_again_or_hidden(*, target) -> None:
    """A moderator hid ``target`` (an album, a photo, a comment on one: sns.moderation), or
    showed it again: the lists that show its album are stale; a photo hidden that was its
    album's cover gives that place to the first photo still shown (and shown again, takes it
    back if the album has none)."""
    album_id = target.pk if isinstance(target, Album) else (
        target.album_id if isinstance(target, AlbumPhoto) else target.photo.album_id
    )
    if isinstance(target, AlbumPhoto):
        cover = Album.objects.filter(pk=album_id).values_list("cover_id", flat=True).first()
        if (cover == target.pk and target.hidden_at is not None) or cover is None:
            first = (AlbumPhoto.objects.filter(album_id=album_id, hidden_at__isnull=True)
                     .order_by("position", "pk").values_list("pk", flat=True).first())
            Album.objects.filter(pk=album_id).update(cover_id=first)
    album = Album.objects.filter(pk=album_id).only("pk", "owner_id", "community_id",
                                                    "visibility").first()
    if album is not None:
        album_changed(album, told=target.hidden_at is None and isinstance(target, Album))
