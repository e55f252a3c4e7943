"""Races of album uploads, as real concurrent transactions (threads, each its own
connection): two uploads at once never take a member past their album space, and uploads to
one album at once each take places of their own."""

import pytest

from albums import selectors, services
from albums.models import AlbumPhoto
from sns import images
from sns.errors import Refused
from sns.models import SitePolicy
from sns.site_policy import policy_memo_set
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


def test_two_uploads_at_once_never_pass_the_album_space():
    policy_memo_set(SitePolicy(album_quota_mb=1), seconds=float("inf"))
    photo = images.process(factories.image_file())
    size = sum(len(data) for data in photo.renditions.values())
    quota = selectors.space_quota()
    for _ in range(ROUNDS):
        member = factories.member()
        album = factories.album(member)
        # Room for one of the two uploads, not both.
        factories.album_photo(album, size_bytes=quota - size - size // 2)
        results = run_at_once(2, lambda i, m=member, a=album: services.photos_upload(
            album_id=a.pk, uploader=m, photos=[photo]
        ))
        assert len(successes(results)) == 1
        [refusal] = failures(results)
        assert isinstance(refusal, Refused) and "album space is full" in str(refusal)
        assert selectors.space_used(member) <= quota
        assert AlbumPhoto.objects.filter(uploader=member).count() == 2


def test_members_uploading_to_one_community_album_at_once_each_get_their_places():
    owner = factories.member()
    others = [factories.member() for _ in range(3)]
    community = factories.community(owner, members=others)
    album = factories.album(owner, community=community)
    uploaders = [owner, *others]
    results = run_at_once(4, lambda i: services.photos_upload(
        album_id=album.pk, uploader=uploaders[i],
        photos=[images.process(factories.image_file()) for _ in range(2)],
    ))
    assert not failures(results)
    album.refresh_from_db()
    positions = list(album.photos.values_list("position", flat=True))
    assert album.photo_count == 8 and len(set(positions)) == 8
    assert album.cover_id is not None


def test_uploads_and_deletions_at_once_keep_the_count_and_the_cover():
    owner = factories.member()
    others = [factories.member() for _ in range(2)]
    community = factories.community(owner, members=others)
    album = factories.album(owner, community=community)
    doomed = [factories.album_photo(album, owner) for _ in range(3)]
    album.refresh_from_db()

    def work(i):
        if i < 3:
            return services.photo_delete(photo_id=doomed[i].pk, editor=owner)
        return services.photos_upload(album_id=album.pk, uploader=others[i - 3],
                                      photos=[images.process(factories.image_file())])

    assert not failures(run_at_once(5, work))
    album.refresh_from_db()
    assert album.photo_count == album.photos.count() == 2
    assert album.cover_id in set(album.photos.values_list("pk", flat=True))
