"""Albums and their photos, made straight through ``albums.models`` (and the one image
function, ``sns.images``): a test states whose they are and how much room they take."""

from __future__ import annotations

from itertools import count

from accounts.models import User
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities.models import Community
from sns import images
from sns.visibility import Level
from tests.factories.images import image_file
from tests.pages import token

_seq = count(1)


def album(owner: User | None, level: str = Level.MEMBERS, *, title: str | None = None,
          community: Community | None = None, photos: int = 0,
          description: str = "Our **trip**.") -> Album:
    """An album of ``owner``'s at ``level`` (of ``community`` when given), with ``photos``
    photos by its owner; its title a word found nowhere else unless given."""
    made = Album.objects.create(
        owner=owner, community=community, visibility=level, description=description,
        title=title if title is not None else token(f"Album{level}"),
    )
    for _ in range(photos):
        album_photo(made, owner)
    return made


def album_photo(album: Album, uploader: User | None = None, *, caption: str = "",
                size_bytes: int | None = None) -> AlbumPhoto:
    """A photo in ``album`` by ``uploader`` (its owner unless given), at the end of its order;
    the album's count and cover kept as the upload keeps them."""
    processed = images.process(image_file())
    key = images.store(processed, prefix="albums")
    photo = AlbumPhoto.objects.create(
        album=album, uploader=uploader or album.owner, image=key, caption=caption,
        position=next(_seq),
        size_bytes=size_bytes if size_bytes is not None else sum(
            len(data) for data in processed.renditions.values()
        ),
    )
    album.photo_count += 1
    if album.cover_id is None:
        album.cover = photo
    album.save(update_fields=["photo_count", "cover"])
    return photo


def album_comment(photo: AlbumPhoto, author: User, body: str = "Lovely!") -> AlbumPhotoComment:
    return AlbumPhotoComment.objects.create(photo=photo, author=author, body=body)
