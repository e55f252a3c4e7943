"""Album writes: making and changing albums, photos through the pipeline within the album
space, captions, order, cover, deletion with the files, comments and their notifications;
who may do each (the rest get the same 'does not exist' as for nothing)."""

import pytest
from django.core.files.storage import default_storage

from albums import selectors, services
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities.models import JoinPolicy
from sns import images
from sns.errors import Refused
from sns.models import Notification, SitePolicy
from sns.site_policy import policy_memo_set
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db


def processed(n=1):
    return [images.process(factories.image_file()) for _ in range(n)]


def stored(photo) -> bool:
    return default_storage.exists(images.path(photo.image, "large"))


def test_create_an_album_and_upload_many_photos_in_order(owner):
    album = services.album_create(owner=owner, title="  Kyoto  ", description="Autumn",
                                  visibility=Level.FRIENDS)
    assert album.title == "Kyoto" and album.visibility == Level.FRIENDS
    photos = services.photos_upload(album_id=album.pk, uploader=owner, photos=processed(3),
                                    captions=["one", "two"])
    album.refresh_from_db()
    assert album.photo_count == 3 and album.cover_id == photos[0].pk
    assert [p.caption for p in selectors.photos_of(album, owner)] == ["one", "two", ""]
    assert all(stored(p) and p.size_bytes > 0 for p in photos)
    assert selectors.space_used(owner) == sum(p.size_bytes for p in photos)
    more = services.photos_upload(album_id=album.pk, uploader=owner, photos=processed(1))
    assert list(selectors.photos_of(album, owner))[-1] == more[0]


def test_an_empty_title_and_an_unknown_level_are_refused(owner):
    with pytest.raises(Refused, match="title"):
        services.album_create(owner=owner, title=" \x00 ")
    with pytest.raises(Refused):
        services.album_create(owner=owner, title="T", visibility="everyone")
    with pytest.raises(Refused, match="at most 100"):
        services.album_create(owner=owner, title="x" * 101)


def test_only_the_owner_adds_to_a_members_album(owner, friend):
    album = factories.album(owner, Level.MEMBERS)
    with pytest.raises(Album.DoesNotExist):
        services.photos_upload(album_id=album.pk, uploader=friend, photos=processed())
    assert not AlbumPhoto.objects.exists()


def test_the_space_is_checked_and_a_full_space_refused_with_used_and_total(owner):
    policy_memo_set(SitePolicy(album_quota_mb=1), seconds=float("inf"))
    album = factories.album(owner)
    factories.album_photo(album, size_bytes=1024 * 1024 - 10)
    with pytest.raises(Refused) as refused:
        services.photos_upload(album_id=album.pk, uploader=owner, photos=processed())
    assert str(refused.value) == (
        "Your album space is full: 1.0 MB of 1 MB used. Delete photos to make room."
    )
    assert AlbumPhoto.objects.count() == 1
    # Nothing of the refused upload stays in the storage.
    assert not default_storage.exists(f"albums/{owner.pk}")


def test_a_failing_upload_leaves_no_file(owner, monkeypatch):
    album = factories.album(owner)
    keys = []
    real_store = images.store

    def store_then_fail(processed, *, prefix):
        if len(keys) == 2:
            raise RuntimeError("the disk is full")
        key = real_store(processed, prefix=prefix)
        keys.append(key)
        return key

    monkeypatch.setattr(images, "store", store_then_fail)
    with pytest.raises(RuntimeError):
        services.photos_upload(album_id=album.pk, uploader=owner, photos=processed(3))
    assert not AlbumPhoto.objects.exists()
    assert keys and not any(default_storage.exists(images.path(k, "large")) for k in keys)


def test_too_many_photos_at_once_are_refused(owner):
    album = factories.album(owner)
    with pytest.raises(Refused, match="at most 20"):
        services.photos_upload(album_id=album.pk, uploader=owner,
                               photos=processed(1) * 21)


def test_the_daily_photo_limit(owner, settings):
    settings.ALBUM_PHOTOS_PER_DAY = 2
    album = factories.album(owner)
    with pytest.raises(Refused, match="at most 2 photos a day"):
        services.photos_upload(album_id=album.pk, uploader=owner, photos=processed(3))


def test_community_members_add_photos_and_admins_edit(owner, friend, member):
    community = factories.community(owner, members=[friend])
    album = services.album_create(owner=friend, title="Off-kai", community=community)
    assert album.community == community
    services.photos_upload(album_id=album.pk, uploader=owner, photos=processed())
    [photo] = services.photos_upload(album_id=album.pk, uploader=friend, photos=processed())
    # Not a member: may see it (an open community) but not add to it.
    with pytest.raises(Album.DoesNotExist):
        services.photos_upload(album_id=album.pk, uploader=member, photos=processed())
    with pytest.raises(Refused):
        services.album_create(owner=member, title="Mine", community=community)
    # The community's admin edits the album a member made and may delete any photo.
    services.album_update(album_id=album.pk, editor=owner, title="Off-kai 2026")
    services.photo_delete(photo_id=photo.pk, editor=owner)
    album.refresh_from_db()
    assert album.title == "Off-kai 2026" and album.photo_count == 1
    # The friend (its maker) may edit it; a plain uploader only their own photos.
    with pytest.raises(Album.DoesNotExist):
        services.album_update(album_id=album.pk, editor=member, title="Mine")


def test_a_secret_communitys_album_is_for_its_members(owner, friend, member):
    community = factories.community(owner, policy=JoinPolicy.SECRET)
    album = factories.album(owner, community=community, photos=1)
    assert Album.objects.visible_to(owner).filter(pk=album.pk).exists()
    assert not Album.objects.visible_to(member).filter(pk=album.pk).exists()
    assert not AlbumPhoto.objects.visible_to(member).filter(album=album).exists()


def test_captions_order_and_cover(owner, friend):
    album = factories.album(owner)
    a, b, c = (factories.album_photo(album) for _ in range(3))
    services.photo_caption_update(photo_id=b.pk, editor=owner, caption=" At\tthe  river ")
    b.refresh_from_db()
    assert b.caption == "At the river"
    with pytest.raises(Refused):
        services.photo_caption_update(photo_id=b.pk, editor=owner, caption="x" * 201)
    services.photo_move(photo_id=c.pk, editor=owner, by=-1)
    assert list(selectors.photos_of(album, owner)) == [a, c, b]
    services.photo_move(photo_id=a.pk, editor=owner, by=-1)  # at the start: stays
    assert list(selectors.photos_of(album, owner)) == [a, c, b]
    services.photo_move(photo_id=a.pk, editor=owner, by=1)
    assert list(selectors.photos_of(album, owner)) == [c, a, b]
    services.photo_cover_set(photo_id=b.pk, editor=owner)
    album.refresh_from_db()
    assert album.cover == b
    for write in (
        lambda: services.photo_move(photo_id=a.pk, editor=friend, by=1),
        lambda: services.photo_cover_set(photo_id=a.pk, editor=friend),
        lambda: services.photo_caption_update(photo_id=a.pk, editor=friend, caption="x"),
        lambda: services.photo_delete(photo_id=a.pk, editor=friend),
    ):
        with pytest.raises(AlbumPhoto.DoesNotExist):
            write()


def test_deleting_the_cover_photo_moves_the_cover_and_removes_the_files(
    owner, django_capture_on_commit_callbacks
):
    album = factories.album(owner)
    a, b = factories.album_photo(album), factories.album_photo(album)
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo_id=a.pk, editor=owner)
    album.refresh_from_db()
    assert album.cover == b and album.photo_count == 1 and not stored(a)


def test_deleting_an_album_takes_its_photos_comments_and_files(
    owner, friend, django_capture_on_commit_callbacks
):
    album = factories.album(owner, photos=2)
    photo = album.photos.first()
    comment = services.comment_create(photo_id=photo.pk, author=friend, body="Nice")
    assert Notification.objects.filter(recipient=owner, kind="album_comment").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.album_delete(album_id=album.pk, editor=owner)
    assert not Album.objects.exists() and not AlbumPhoto.objects.exists()
    assert not AlbumPhotoComment.objects.filter(pk=comment.pk).exists()
    assert not Notification.objects.filter(kind="album_comment").exists()
    assert not stored(photo)
    with pytest.raises(Album.DoesNotExist):
        services.album_delete(album_id=album.pk, editor=owner)


def test_comments_notify_the_uploader_and_the_album_owner(owner, friend, fof):
    community = factories.community(owner, members=[friend, fof])
    album = factories.album(owner, community=community)
    photo = factories.album_photo(album, friend)
    services.comment_create(photo_id=photo.pk, author=fof, body="Great shot")
    told = set(Notification.objects.filter(kind="album_comment").values_list("recipient",
                                                                               flat=True))
    assert told == {owner.pk, friend.pk}
    with pytest.raises(Refused):
        services.comment_create(photo_id=photo.pk, author=fof, body="  ")


def test_comments_only_where_the_photo_is_seen_and_deleted_by_who_may(owner, friend, member):
    album = factories.album(owner, Level.FRIENDS)
    photo = factories.album_photo(album)
    with pytest.raises(AlbumPhoto.DoesNotExist):
        services.comment_create(photo_id=photo.pk, author=member, body="Hi")
    comment = services.comment_create(photo_id=photo.pk, author=friend, body="Hi")
    other = services.comment_create(photo_id=photo.pk, author=friend, body="Again")
    assert services.comment_delete(comment_id=comment.pk, user=friend) == photo.pk
    with pytest.raises(AlbumPhotoComment.DoesNotExist):
        services.comment_delete(comment_id=other.pk, user=member)
    services.comment_delete(comment_id=other.pk, user=owner)  # the album's owner
    assert not AlbumPhotoComment.objects.exists()


def test_leaving_removes_ones_albums_and_photos_but_not_a_communitys_album(
    owner, friend, django_capture_on_commit_callbacks
):
    community = factories.community(owner, members=[friend])
    mine = factories.album(friend, photos=1)
    shared = factories.album(friend, community=community)
    kept = factories.album_photo(shared, owner)
    gone = factories.album_photo(shared, friend)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.albums_delete_all(member=friend) == 1
    assert not Album.objects.filter(pk=mine.pk).exists()
    shared.refresh_from_db()
    assert shared.photo_count == 1 and list(shared.photos.all()) == [kept]
    assert shared.cover is None or shared.cover == kept
    assert not stored(gone) and stored(kept)
