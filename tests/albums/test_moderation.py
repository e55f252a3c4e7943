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


# --- one's data and leaving (sns.leaving) ------------------------------------------------------

def test_the_data_download_holds_ones_albums_and_photos(owner, friend, member, as_user):
    import io
    import json
    import zipfile

    mine = factories.album(owner, Level.FRIENDS, title="わたしのアルバム")
    photo = factories.album_photo(mine, caption="川辺で")
    club = factories.community(friend, members=[owner])
    shared = factories.album(friend, community=club, title="Off-kai")
    elsewhere = factories.album_photo(shared, owner, caption="Mine in theirs")
    factories.album_photo(shared, friend, caption="NOT-MINE")
    factories.album_comment(factories.album_photo(factories.album(friend, Level.MEMBERS)),
                            owner, "My comment on a photo")
    response = as_user(owner).post(reverse("leaving:data"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("albums/albums.json"))
    [album] = data["albums"]
    assert album["title"] == "わたしのアルバム" and album["visibility"] == Level.FRIENDS
    assert [p["caption"] for p in album["photos"]] == ["川辺で"]
    assert [(p["caption"], p["album"]) for p in data["photos_in_others_albums"]] == [
        ("Mine in theirs", "Off-kai")]
    assert [c["body"] for c in data["comments"]] == ["My comment on a photo"]
    for item in (photo, elsewhere):
        content = archive.read(f"albums/photos/{item.pk}.webp")
        assert content[:4] == b"RIFF"
    assert b"NOT-MINE" not in archive.read("albums/albums.json")


def test_leaving_takes_ones_albums_and_photos(owner, friend, as_user,
                                              django_capture_on_commit_callbacks):
    from sns.leaving.services import member_leave
    from tests.factories import PASSWORD

    club = factories.community(owner, members=[friend])
    mine = factories.album(friend, photos=1)
    shared = factories.album(friend, community=club, title="Club album")
    kept = factories.album_photo(shared, owner)
    gone = factories.album_photo(shared, friend)
    with django_capture_on_commit_callbacks(execute=True):
        member_leave(member=friend, password=PASSWORD)
    assert not Album.objects.filter(pk=mine.pk).exists()
    shared.refresh_from_db()
    assert shared.owner is None and list(shared.photos.all()) == [kept]
    assert not default_storage.exists(images.path(gone.image, "large"))
    # The community's album stays for its members, its maker gone.
    assert as_user(owner).get(shared.get_absolute_url()).status_code == 200
