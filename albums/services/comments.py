"""Comments on album photos (the one comment kit, sns.comments): by whoever may see the
photo; its uploader and the album's editors may delete any of them."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from sns import cache, limits
from sns.comments import comment_body_clean
from sns.notify import Kind, notify
from sns.withdraw import about_withdraw

from .. import selectors
from ..models import AlbumPhoto, AlbumPhotoComment


@transaction.atomic
def comment_create(*, photo_id: int, author: User, body: str) -> AlbumPhotoComment:
    """``author`` comments on photo ``photo_id``; notifies its uploader and the album's owner
    (ALBUM_COMMENT). AlbumPhoto.DoesNotExist when they may not see it (a 404 for the view),
    Refused for an empty or over-long body or past COMMENTS_PER_HOUR."""
    limits.take(author, limits.COMMENTS)
    photo = (AlbumPhoto.objects.visible_to(author).select_related("album__owner", "uploader")
             .get(pk=photo_id))
    body = comment_body_clean(body)
    comment = AlbumPhotoComment.objects.create(photo=photo, author=author, body=body)
    cache.bump(cache.album(photo.album_id))
    told = set()
    for recipient in (photo.uploader, photo.album.owner):
        if recipient is not None and recipient.pk not in told:
            told.add(recipient.pk)
            notify(recipient=recipient, kind=Kind.ALBUM_COMMENT, actor=author, target=comment)
    return comment


@transaction.atomic
def comment_delete(*, comment_id: int, user: User) -> int:
    """Delete comment ``comment_id`` if ``user`` wrote it, uploaded the photo or may edit its
    album (and may still see the photo); else AlbumPhotoComment.DoesNotExist. Returns the
    photo's pk."""
    comment = AlbumPhotoComment.objects.select_related("photo__album__community").get(
        pk=comment_id, hidden_at__isnull=True,
        photo__in=AlbumPhoto.objects.visible_to(user),
    )
    photo = comment.photo
    if comment.author_id != user.pk and not selectors.may_change_photo(
        photo, user, editor=selectors.may_edit(photo.album, user)
    ):
        raise AlbumPhotoComment.DoesNotExist
    about_withdraw(model=AlbumPhotoComment, ids=[comment.pk])
    comment.delete()
    cache.bump(cache.album(photo.album_id))
    return photo.pk
