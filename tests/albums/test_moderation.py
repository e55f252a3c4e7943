"""Albums, their photos and their photos' comments can be reported, hidden by a moderator (gone
for everyone, their owner too) and shown again; admin lists them and deletes an album with its
files."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from albums.models import Album, AlbumPhoto
from sns import images, moderation
from sns.models import Report
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["album", "album_photo", "album_comment"])
def test_report_an_album_a_photo_or_a_comment(kind, owner, friend, as_user):
    album = factories.album(owner, Level.MEMBERS)
    photo = factories.album_photo(album, caption="At the river")
    comment = factories.album_comment(photo, owner, "My own words")
    thing = {"album": album, "album_photo": photo, "album_comment": comment}[kind]
    client = as_user(friend)
    url = f"{reverse('report')}?type={kind}&id={thing.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "spam", "details": "Not nice"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.target == thing


def test_a_photo_not_seen_cannot_be_reported(owner, member, as_user):
    photo = factories.album_photo(factories.album(owner, Level.FRIENDS))
    url = f"{reverse('report')}?type=album_photo&id={photo.pk}"
    assert as_user(member).get(url).status_code == 404


def test_hidden_is_gone_for_everyone_and_the_cover_moves(owner, friend, moderator, as_user):
    album = factories.album(owner, Level.MEMBERS)
    first, second = factories.album_photo(album), factories.album_photo(album)
    assert moderation.content_hide(target=first, by=moderator, reason="Spam")
    album.refresh_from_db()
    assert album.cover == second
    for client in (as_user(owner), as_user(friend)):
        assert client.get(first.get_absolute_url()).status_code == 404
        assert client.get(reverse("albums:photo_file", args=[first.pk, "small"])
                          ).status_code == 404
    assert moderation.content_hide(target=album, by=moderator, reason="Spam")
    assert as_user(owner).get(album.get_absolute_url()).status_code == 404
    assert moderation.content_unhide(target=album, by=moderator)
    assert as_user(friend).get(album.get_absolute_url()).status_code == 200


def test_admin_lists_and_deletes_an_album_with_its_files(
    owner, as_user, settings, django_capture_on_commit_callbacks
):
    admin = factories.member("Admin", email="admin@example.com", staff=True)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    album = factories.album(owner, title="Kyoto")
    photo = factories.album_photo(album)
    factories.album_comment(photo, owner)
    client = as_user(admin)
    for name in ("album", "albumphoto", "albumphotocomment"):
        response = client.get(reverse(f"admin:albums_{name}_changelist"))
        assert response.status_code == 200, name
    assert "Kyoto" in client.get(reverse("admin:albums_album_change", args=[album.pk])
                                 ).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:albums_album_delete", args=[album.pk]),
                               {"post": "yes"})
    assert response.status_code == 302
    assert not Album.objects.exists() and not AlbumPhoto.objects.exists()
    assert not default_storage.exists(images.path(photo.image, "large"))
