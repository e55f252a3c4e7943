"""The albums' section of a profile, kept with the profile's HTML (sns.cache, on a real Redis):
what is made, narrowed, hidden or deleted shows or goes on the next look."""

import re

import pytest

from albums import services
from sns import images, moderation
from sns.visibility import Level
from tests import factories, warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(db):
    with warm.parts_on_redis() as parts:
        yield parts


def on_profile(client, member) -> list[str]:
    """The album titles on ``member``'s profile, read twice (filled, then from the cache)."""
    client.get(member.get_absolute_url())
    body = client.get(member.get_absolute_url()).content.decode()
    section = re.search(r'<section class="card profile-albums">(.*?)</section>', body, re.S)
    assert section
    return re.findall(r'<p class="album-title"><a href="/albums/\d+/">([^<]+)</a>',
                      section.group(1))


def test_the_profile_shows_the_albums_the_viewer_may_see(owner, friend, member, as_user):
    factories.album(owner, Level.FRIENDS, title="ForFriends")
    factories.album(owner, Level.PRIVATE, title="ForMe")
    assert on_profile(as_user(friend), owner) == ["ForFriends"]
    assert on_profile(as_user(member), owner) == []
    assert sorted(on_profile(as_user(owner), owner)) == ["ForFriends", "ForMe"]


def test_what_changes_shows_on_the_next_look(parts, owner, friend, moderator, as_user):
    client = as_user(friend)
    assert on_profile(client, owner) == []
    assert warm.filled(parts)
    with warm.committed():
        album = services.album_create(owner=owner, title="Kyoto", visibility=Level.FRIENDS)
    assert on_profile(client, owner) == ["Kyoto"]
    with warm.committed():
        services.photos_upload(album_id=album.pk, uploader=owner,
                               photos=[images.process(factories.image_file())])
        services.album_update(album_id=album.pk, editor=owner, title="Kyoto in autumn",
                              visibility=Level.FRIENDS)
    assert on_profile(client, owner) == ["Kyoto in autumn"]
    with warm.committed():
        services.album_update(album_id=album.pk, editor=owner, title="Kyoto in autumn",
                              visibility=Level.PRIVATE)
    assert on_profile(client, owner) == []
    with warm.committed():
        services.album_update(album_id=album.pk, editor=owner, title="Kyoto in autumn",
                              visibility=Level.MEMBERS)
    assert on_profile(client, owner) == ["Kyoto in autumn"]
    with warm.committed():
        moderation.content_hide(target=album, by=moderator, reason="Spam")
    assert on_profile(client, owner) == []
    with warm.committed():
        moderation.content_unhide(target=album, by=moderator)
    assert on_profile(client, owner) == ["Kyoto in autumn"]
    with warm.committed():
        services.album_delete(album_id=album.pk, editor=owner)
    assert on_profile(client, owner) == []
