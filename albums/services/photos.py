"""Album photos: many at once through the one image pipeline, within the uploader's album
space and ALBUM_PHOTOS_PER_DAY; a caption each, the album's order, its cover, deletion.

Photo files live outside the database: those a failed upload stored go with it
(``images.removed_on_failure``), and a deleted photo's once its deletion commits."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sns import cache, images, limits
from sns.errors import Refused
from sns.text import without_controls
from sns.withdraw import about_withdraw

from .. import selectors
from ..models import CAPTION_MAX_LENGTH, MAX_PHOTOS_PER_UPLOAD, Album, AlbumPhoto, AlbumPhotoComment
from .albums import AlbumError, _delete_files_after_commit, album_changed


class SpaceFull(Refused):
    """The photos would take the uploader past their album space (SitePolicy)."""

    def __init__(self, *, used: int, quota: int) -> None:
        super().__init__(
            _("Your album space is full: %(used)s MB of %(quota)s MB used. Delete photos to "
              "make room.") % {"used": f"{used / selectors.MB:.1f}",
                               "quota": quota // selectors.MB},
            code="space_full",
        )


def _caption(caption: str) -> str:
    caption = " ".join(without_controls(caption or "").split())
    if len(caption) > CAPTION_MAX_LENGTH:
        raise AlbumError(
            _("A caption can be at most %(limit)d characters long (it has %(length)d).")
            % {"limit": CAPTION_MAX_LENGTH, "length": len(caption)},
            code="too_long",
        )
    return caption


def _locked_album(album_id: int, user: User) -> Album:
    """The album ``user`` may see, locked (Album.DoesNotExist otherwise)."""
    return (Album.objects.visible_to(user).select_for_update(of=("self",))
            .select_related("community").get(pk=album_id))


def photos_upload(
    *, album_id: int, uploader: User, photos: list[images.ProcessedImage],
    captions: list[str] | None = None,
) -> list[AlbumPhoto]:
    """Add ``photos`` (already through ``images.process``) to the end of album ``album_id``,
    all or none: Album.DoesNotExist when ``uploader`` may not see it or add to it, Refused
    past the album space, ALBUM_PHOTOS_PER_DAY or MAX_PHOTOS_PER_UPLOAD. The first photo of an
    album without a cover becomes its cover."""
    photos = list(photos)
    if not photos:
        raise AlbumError(_("Choose at least one photo to add."), code="empty")
    if len(photos) > MAX_PHOTOS_PER_UPLOAD:
        raise AlbumError(
            _("Add at most %(n)d photos at a time.") % {"n": MAX_PHOTOS_PER_UPLOAD},
            code="too_many",
        )
    captions = [_caption(c) for c in (captions or [])] + [""] * len(photos)
    stored: list[str] = []

    @transaction.atomic
    def work() -> list[AlbumPhoto]:
        # Lock the uploader, since two uploads at once (two tabs) must not both find room in
        # their album space: the second waits, then counts the first's photos.
        User.objects.select_for_update(no_key=True).filter(pk=uploader.pk).values("pk").get()
        limits.take(uploader, limits.ALBUM_PHOTOS, amount=len(photos))
        # Then the album, since uploads to it at once each take the next places.
        album = _locked_album(album_id, uploader)
        if not selectors.may_add(album, uploader):
            raise Album.DoesNotExist
        sizes = [sum(len(data) for data in p.renditions.values()) for p in photos]
        used, quota = selectors.space_used(uploader), selectors.space_quota()
        if used + sum(sizes) > quota:
            raise SpaceFull(used=used, quota=quota)
        last = AlbumPhoto.objects.filter(album=album).aggregate(n=Max("position"))["n"]
        start = 0 if last is None else last + 1
        now = timezone.now()
        rows = []
        for n, (processed, size) in enumerate(zip(photos, sizes, strict=True)):
            key = images.store(processed, prefix=f"albums/{uploader.pk}")
            stored.append(key)
            rows.append(AlbumPhoto(
                album=album, uploader=uploader, image=key, position=start + n,
                caption=captions[n], size_bytes=size, created_at=now,
            ))
        AlbumPhoto.objects.bulk_create(rows)
        album.photo_count = F("photo_count") + len(rows)
        album.updated_at = now
        fields = ["photo_count", "updated_at"]
        if album.cover_id is None:
            album.cover = rows[0]
            fields.append("cover")
        album.save(update_fields=fields)
        album_changed(album, told=True)
        if album.community_id:
            cache.bump(cache.community(album.community_id))
        return rows

    return images.removed_on_failure(stored, work)


def _editable_photo(photo_id: int, user: User, *, album_editor_only: bool = False):
    """Photo ``photo_id`` and its album, the album locked, if ``user`` may change the photo
    (its uploader or the album's editors; ``album_editor_only``: the editors alone);
    AlbumPhoto.DoesNotExist otherwise."""
    photo = AlbumPhoto.objects.visible_to(user).get(pk=photo_id)
    try:
        album = _locked_album(photo.album_id, user)
    except Album.DoesNotExist:
        raise AlbumPhoto.DoesNotExist from None
    editor = selectors.may_edit(album, user)
    if not (editor if album_editor_only else selectors.may_change_photo(photo, user,
                                                                         editor=editor)):
        raise AlbumPhoto.DoesNotExist
    photo.album = album
    return photo, album


@transaction.atomic
def photo_caption_update(*, photo_id: int, editor: User, caption: str) -> AlbumPhoto:
    photo, album = _editable_photo(photo_id, editor)
    photo.caption = _caption(caption)
    photo.save(update_fields=["caption"])
    cache.bump(cache.album(album))
    return photo


@transaction.atomic
def photo_cover_set(*, photo_id: int, editor: User) -> AlbumPhoto:
    """Make the photo its album's cover (the album's editors)."""
    photo, album = _editable_photo(photo_id, editor, album_editor_only=True)
    Album.objects.filter(pk=album.pk).update(cover=photo)
    album_changed(album)
    return photo


@transaction.atomic
def photo_move(*, photo_id: int, editor: User, by: int) -> AlbumPhoto:
    """Move the photo ``by`` places (-1 earlier, +1 later) in its album's order, swapping with
    its neighbour (the album's editors); at either end it stays."""
    photo, album = _editable_photo(photo_id, editor, album_editor_only=True)
    # Renumber first (deletions leave gaps, and equal places are told apart by id), so that a
    # move is always a swap of two neighbours. The album's lock keeps two moves in turn.
    photos = list(AlbumPhoto.objects.filter(album=album).only("pk", "position")
                  .order_by("position", "pk"))
    ids = [p.pk for p in photos]
    at = ids.index(photo.pk)
    to = max(0, min(len(ids) - 1, at + (1 if by > 0 else -1)))
    ids[at], ids[to] = ids[to], ids[at]
    place = {pk: n for n, pk in enumerate(ids)}
    changed = [p for p in photos if p.position != place[p.pk]]
    for p in changed:
        p.position = place[p.pk]
    AlbumPhoto.objects.bulk_update(changed, ["position"])
    album_changed(album)
    photo.position = place[photo.pk]
    return photo


@transaction.atomic
def photo_delete(*, photo_id: int, editor: User) -> Album:
    """Delete the photo (its uploader or the album's editors) with its comments and the
    notifications about them; the file after commit; a cover that was it goes to the first
    photo left. Returns its album."""
    photo, album = _editable_photo(photo_id, editor)
    about_withdraw(
        model=AlbumPhotoComment,
        ids=AlbumPhotoComment.objects.filter(photo=photo).values_list("pk", flat=True),
    )
    about_withdraw(model=AlbumPhoto, ids=[photo.pk])
    AlbumPhoto.objects.filter(pk=photo.pk).delete()
    fields = ["photo_count"]
    album.photo_count = F("photo_count") - 1
    if album.cover_id == photo.pk:
        album.cover = AlbumPhoto.objects.filter(album=album).order_by("position", "pk").first()
        fields.append("cover")
    album.save(update_fields=fields)
    album.refresh_from_db(fields=["photo_count"])
    _delete_files_after_commit([photo.image])
    album_changed(album)
    if album.community_id:
        cache.bump(cache.community(album.community_id))
    return album
