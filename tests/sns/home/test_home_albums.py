"""Home's friends' new albums (a part kept apart, sns.home), with the parts cache on Redis and
home read once before each change: a friend's new album, photos added or an album no longer
private show on the next look (albums.services fans out to the friends' ``friends_albums``);
what is deleted, hidden, narrowed, or by a friend who goes, is gone on the next look."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from albums import services as albums
from sns import images, moderation
from sns.visibility import Level
from tests import factories, warm
from tests.sns.home.test_home_kept import GOING, goes

HOME = reverse("home")


def friends_albums(client) -> list[str]:
    """The titles in home's friends' new albums, read twice (the first read fills the
    cache, the second is what the member sees from it)."""
    client.get(HOME)
    body = client.get(HOME).content.decode()
    found = re.search(r"<h2>Friends(?:&#x27;|') new albums</h2>(.*?)</section>", body, re.S)
    if not found:
        return []
    return re.findall(r'<p class="album-title"><a href="/albums/\d+/">([^<]+)</a>', found.group(1))


def made(owner, title: str, level=Level.FRIENDS):
    with warm.committed():
        album = albums.album_create(owner=owner, title=title, visibility=level)
        albums.photos_upload(album_id=album.pk, uploader=owner,
                             photos=[images.process(factories.image_file())])
    return album


def test_a_friends_album_shows_and_goes(parts, owner, friend, moderator, as_user):
    client = as_user(owner)
    assert friends_albums(client) == []
    first = made(friend, "Kyoto")
    assert friends_albums(client) == ["Kyoto"]
    assert warm.filled(parts)
    second = made(friend, "Nara")
    assert friends_albums(client) == ["Nara", "Kyoto"]
    # Photos added bring an album to the top.
    with warm.committed():
        albums.photos_upload(album_id=first.pk, uploader=friend,
                             photos=[images.process(factories.image_file())])
    assert friends_albums(client) == ["Kyoto", "Nara"]
    # Private ones never reach it; shown, they do.
    hidden = made(friend, "Only me", Level.PRIVATE)
    assert friends_albums(client) == ["Kyoto", "Nara"]
    with warm.committed():
        albums.album_update(album_id=hidden.pk, editor=friend, title="Only me",
                            visibility=Level.FRIENDS)
    assert friends_albums(client) == ["Only me", "Kyoto", "Nara"]
    with warm.committed():
        albums.album_update(album_id=hidden.pk, editor=friend, title="Only me",
                            visibility=Level.PRIVATE)
    assert friends_albums(client) == ["Kyoto", "Nara"]
    with warm.committed():
        moderation.content_hide(target=second, by=moderator, reason="Spam")
    assert friends_albums(client) == ["Kyoto"]
    with warm.committed():
        albums.album_delete(album_id=first.pk, editor=friend)
    assert friends_albums(client) == []


@pytest.mark.parametrize("how", GOING)
def test_a_friend_who_goes_takes_their_albums(parts, how, owner, friend, moderator, as_user):
    client = as_user(owner)
    made(friend, "Kyoto")
    assert friends_albums(client) == ["Kyoto"]
    goes(how, owner, friend, moderator)
    assert friends_albums(client) == []
