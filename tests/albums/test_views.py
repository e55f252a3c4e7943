"""Albums' pages: making an album, adding many photos at once (one bad file named, none
kept; a full album space said plainly), the album and photo pages, captions, order, cover,
deleting, comments, photo files served through the album's visibility, a member's and a
community's albums; the same 404 for what the viewer may not see or change."""

import pytest
from django.urls import reverse

from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities.models import JoinPolicy, Membership
from sns.models import SitePolicy
from sns.site_policy import policy_memo_set
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

MINE = reverse("albums:mine")
NEW = reverse("albums:new")


def page(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    assert_well_formed(html)
    return html


def test_make_an_album_and_add_photos_at_once(owner, as_user):
    client = as_user(owner)
    assert "You have no albums yet" in page(client.get(MINE))
    page(client.get(NEW))
    response = client.post(NEW, {"title": "Kyoto", "description": "In **autumn**",
                                 "visibility": Level.FRIENDS})
    album = Album.objects.get()
    assert response.status_code == 302 and response.url == reverse("albums:upload",
                                                                   args=[album.pk])
    form = page(client.get(response.url))
    assert 'multiple' in form and "Album space: 0.0 MB of 200 MB used" in form
    response = client.post(response.url, {"photos": [
        factories.image_file(name="a.jpg"), factories.image_file("PNG", name="b.png"),
    ]})
    assert response.status_code == 302 and response.url == album.get_absolute_url()
    album.refresh_from_db()
    assert album.photo_count == 2 and album.cover_id is not None
    html = page(client.get(album.get_absolute_url()))
    assert "<strong>autumn</strong>" in html and "Make cover" in html
    for photo in album.photos.all():
        assert f'/albums/photos/{photo.pk}/image/medium/' in html
    mine = page(client.get(MINE))
    assert "Kyoto" in mine and "2 photos" in mine


def test_one_bad_file_is_named_and_nothing_is_kept(owner, as_user):
    album = factories.album(owner)
    client = as_user(owner)
    response = client.post(reverse("albums:upload", args=[album.pk]), {"photos": [
        factories.image_file(name="good.jpg"),
        factories.image_file(name="notes.jpg") if False else _text_file("notes.jpg"),
    ]})
    html = page(response)
    assert "“notes.jpg”: This file is not an image we can use." in html
    assert "No photo was added" in html
    assert not AlbumPhoto.objects.exists()


def _text_file(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"not a picture at all")


def test_a_full_album_space_is_said_plainly(owner, as_user):
    policy_memo_set(SitePolicy(album_quota_mb=1), seconds=float("inf"))
    album = factories.album(owner)
    factories.album_photo(album, size_bytes=1024 * 1024)
    client = as_user(owner)
    form = page(client.get(reverse("albums:upload", args=[album.pk])))
    assert "Album space: 1.0 MB of 1 MB used" in form and "Your album space is full" in form
    html = page(client.post(reverse("albums:upload", args=[album.pk]),
                            {"photos": [factories.image_file()]}))
    assert ("Your album space is full: 1.0 MB of 1 MB used. Delete photos to make room."
            in html)
    assert AlbumPhoto.objects.count() == 1


def test_no_file_chosen_is_said(owner, as_user):
    album = factories.album(owner)
    html = page(as_user(owner).post(reverse("albums:upload", args=[album.pk]), {}))
    assert "Choose at least one photo to add." in html


def test_the_photo_page_caption_cover_order_and_delete(owner, as_user):
    album = factories.album(owner)
    a, b = factories.album_photo(album), factories.album_photo(album)
    client = as_user(owner)
    html = page(client.get(b.get_absolute_url()))
    assert "Save the caption" in html and f'action="/albums/photos/{b.pk}/cover/"' in html
    assert "likes: the lead" not in html
    response = client.post(reverse("albums:caption", args=[b.pk]), {"caption": "By the river"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.caption == "By the river"
    html = page(client.post(reverse("albums:caption", args=[b.pk]), {"caption": "x" * 201}),
                status=400)
    assert "at most 200 characters" in html
    client.post(reverse("albums:cover", args=[b.pk]))
    album.refresh_from_db()
    assert album.cover == b
    response = client.post(reverse("albums:move", args=[b.pk]), {"by": "-1"})
    assert response.url == f"{album.get_absolute_url()}#photo-{b.pk}"
    assert list(album.photos.order_by("position").values_list("pk", flat=True)) == [b.pk, a.pk]
    page(client.get(reverse("albums:photo_delete", args=[a.pk])))
    response = client.post(reverse("albums:photo_delete", args=[a.pk]))
    assert response.url == album.get_absolute_url()
    assert list(album.photos.all()) == [b]


def test_photo_files_follow_the_album(owner, friend, member, as_user):
    album = factories.album(owner, Level.FRIENDS)
    photo = factories.album_photo(album)
    url = reverse("albums:photo_file", args=[photo.pk, "small"])
    response = as_user(friend).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "private" in response["Cache-Control"]
    for user in (member,):
        client = as_user(user)
        assert client.get(url).status_code == 404
        assert client.get(photo.get_absolute_url()).status_code == 404
        assert client.get(album.get_absolute_url()).status_code == 404
    assert as_user(friend).get(reverse("albums:photo_file", args=[photo.pk, "huge"])
                               ).status_code == 404


def test_others_may_not_change_an_album(owner, friend, as_user):
    album = factories.album(owner, Level.MEMBERS)
    photo = factories.album_photo(album)
    client = as_user(friend)
    html = page(client.get(album.get_absolute_url()))
    assert "Make cover" not in html and "Add photos" not in html
    for url in (reverse("albums:edit", args=[album.pk]), reverse("albums:delete", args=[album.pk]),
                reverse("albums:upload", args=[album.pk]),
                reverse("albums:photo_delete", args=[photo.pk])):
        assert client.get(url).status_code == 404
    for name in ("caption", "cover", "move", "photo_delete"):
        assert client.post(reverse(f"albums:{name}", args=[photo.pk]),
                           {"by": "1", "caption": "x"}).status_code == 404


def test_edit_and_delete_an_album(owner, as_user):
    album = factories.album(owner, photos=1)
    client = as_user(owner)
    page(client.get(reverse("albums:edit", args=[album.pk])))
    response = client.post(reverse("albums:edit", args=[album.pk]),
                           {"title": "Renamed", "description": "", "visibility": Level.PRIVATE})
    assert response.status_code == 302
    album.refresh_from_db()
    assert album.title == "Renamed" and album.visibility == Level.PRIVATE
    page(client.get(reverse("albums:delete", args=[album.pk])))
    response = client.post(reverse("albums:delete", args=[album.pk]))
    assert response.url == MINE and not Album.objects.exists()


def test_comment_on_a_photo(owner, friend, as_user):
    album = factories.album(owner, Level.FRIENDS)
    photo = factories.album_photo(album)
    client = as_user(friend)
    response = client.post(reverse("albums:comment_create", args=[photo.pk]),
                           {"body": "What a **view**"})
    comment = AlbumPhotoComment.objects.get()
    assert response.url == f"{photo.get_absolute_url()}#comment-{comment.pk}"
    html = page(client.get(photo.get_absolute_url()))
    assert "<strong>view</strong>" in html
    response = client.post(reverse("albums:comment_create", args=[photo.pk]), {"body": " "})
    assert response.url.endswith("#comment-form")
    html = page(as_user(owner).get("/notifications/"))
    assert f"commented on a photo in the album “{album.title}”" in html
    response = as_user(owner).post(reverse("albums:comment_delete", args=[comment.pk]))
    assert response.status_code == 302 and not AlbumPhotoComment.objects.exists()


def test_a_members_albums_and_a_communitys(owner, friend, member, as_user):
    factories.album(owner, Level.FRIENDS, title="ForFriends", photos=1)
    factories.album(owner, Level.MEMBERS, title="ForMembers")
    html = page(as_user(friend).get(reverse("albums:member", args=[owner.pk])))
    assert "ForFriends" in html and "ForMembers" in html
    html = page(as_user(member).get(reverse("albums:member", args=[owner.pk])))
    assert "ForFriends" not in html and "ForMembers" in html
    html = page(as_user(owner).get(reverse("albums:member", args=[owner.pk])))
    assert "ForFriends" in html and f'href="{MINE}"' in html
    community = factories.community(owner, policy=JoinPolicy.SECRET)
    Membership.objects.create(community=community, user=friend)
    url = reverse("albums:community", args=[community.pk])
    html = page(as_user(friend).get(url))
    assert f'href="{NEW}?community={community.pk}"' in html
    response = as_user(friend).post(f"{NEW}?community={community.pk}",
                                    {"title": "Off-kai photos"})
    album = Album.objects.get(title="Off-kai photos")
    assert album.community == community and album.owner == friend
    # The admin adds to it too; a non-member does not know it exists.
    response = as_user(owner).post(reverse("albums:upload", args=[album.pk]),
                                   {"photos": [factories.image_file()]})
    assert response.status_code == 302
    assert "Off-kai photos" in page(as_user(owner).get(url))
    assert as_user(member).get(url).status_code == 404
    assert as_user(member).get(album.get_absolute_url()).status_code == 404
    assert as_user(member).get(f"{NEW}?community={community.pk}").status_code == 404
    assert as_user(member).get(f"{NEW}?community=x").status_code == 404


def test_japanese_pages(owner, as_user):
    album = factories.album(owner, photos=1)
    client = as_user(owner)
    client.cookies["django_language"] = "ja"
    for url in (MINE, NEW, album.get_absolute_url(),
                album.photos.first().get_absolute_url(),
                reverse("albums:upload", args=[album.pk])):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        page(response)


def test_friends_new_albums_on_home(owner, friend, member, as_user):
    factories.album(friend, Level.FRIENDS, title="FriendsTrip", photos=1)
    factories.album(friend, Level.PRIVATE, title="FriendsSecret", photos=1)
    factories.album(friend, Level.FRIENDS, title="FriendsEmpty")
    factories.album(member, Level.MEMBERS, title="StrangersTrip", photos=1)
    html = page(as_user(owner).get("/"))
    assert "Friends&#x27; new albums" in html or "Friends' new albums" in html
    assert "FriendsTrip" in html
    assert "FriendsSecret" not in html and "FriendsEmpty" not in html
    assert "StrangersTrip" not in html
    assert "FriendsTrip" not in page(as_user(member).get("/"))


def test_a_communitys_page_leads_to_its_albums(owner, member, as_user):
    community = factories.community(owner)
    html = page(as_user(owner).get(community.get_absolute_url()))
    assert f'href="/communities/{community.pk}/albums/"' in html
    assert f'href="{NEW}?community={community.pk}"' in html
    html = page(as_user(member).get(community.get_absolute_url()))
    assert f'href="/communities/{community.pk}/albums/"' in html
    assert f'{NEW}?community=' not in html


def test_a_full_album_space_is_said_in_japanese(owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    policy_memo_set(SitePolicy(album_quota_mb=1), seconds=float("inf"))
    album = factories.album(owner)
    factories.album_photo(album, size_bytes=1024 * 1024)
    client = as_user(owner)
    html = page(client.post(reverse("albums:upload", args=[album.pk]),
                            {"photos": [factories.image_file()]}))
    assert ("アルバムの容量がいっぱいです（1 MB中1.0 MB使用）。写真を削除して空きを作ってください。"
            in html)
    assert "アルバム容量：1 MB中1.0 MB使用" in html
