"""Album writes, by sub-domain: albums (``albums``), their photos (``photos``: the upload
with the album space, captions, order, cover, deletion) and the photos' comments
(``comments``). Each function runs in one transaction; ``from albums import services``."""

from .albums import (
    AlbumError,
    album_create,
    album_delete,
    album_shown_again_or_hidden,
    album_update,
    albums_delete_all,
    albums_remove,
    friends_tell,
)
from .comments import comment_create, comment_delete
from .photos import (
    SpaceFull,
    photo_caption_update,
    photo_cover_set,
    photo_delete,
    photo_move,
    photos_upload,
)

__all__ = [
    "AlbumError",
    "SpaceFull",
    "album_create",
    "album_delete",
    "album_shown_again_or_hidden",
    "album_update",
    "albums_delete_all",
    "albums_remove",
    "comment_create",
    "comment_delete",
    "friends_tell",
    "photo_caption_update",
    "photo_cover_set",
    "photo_delete",
    "photo_move",
    "photos_upload",
]
