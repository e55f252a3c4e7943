"""Likes at once, as real concurrent transactions (threads, each its own connection): two
clicks make one like, and many likers at once make one notification that counts them all."""

import pytest
from django.contrib.contenttypes.models import ContentType

from sns.liking import services
from sns.models import Like, Notification
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def test_two_clicks_at_once_make_one_like():
    for _ in range(ROUNDS):
        owner, liker = factories.member(), factories.member()
        entry = factories.entry(owner)
        results = run_at_once(
            2, lambda i, liker=liker, entry=entry: services.like_add(member=liker, target=entry)
        )
        assert not failures(results)
        assert sorted(successes(results)) == [False, True]
        assert Like.objects.filter(
            target_type=ContentType.objects.get_for_model(entry), target_id=entry.pk
        ).count() == 1
        assert Notification.objects.get(recipient=owner).gathered == 1


def test_many_likers_at_once_gather_into_one_notification():
    owner = factories.member()
    entry = factories.entry(owner)
    likers = [factories.member() for _ in range(8)]
    results = run_at_once(8, lambda i: services.like_add(member=likers[i], target=entry))
    assert not failures(results)
    (notification,) = Notification.objects.filter(recipient=owner)
    assert notification.gathered == 8
    assert notification.actor_id in {liker.pk for liker in likers}


def test_a_like_and_its_undo_at_once_leave_a_consistent_count():
    for _ in range(ROUNDS):
        owner, liker, other = factories.member(), factories.member(), factories.member()
        entry = factories.entry(owner)
        services.like_add(member=other, target=entry)
        services.like_add(member=liker, target=entry)
        results = run_at_once(2, lambda i, liker=liker, entry=entry: (
            services.like_remove if i == 0 else services.like_add
        )(member=liker, target=entry))
        assert not failures(results)
        likes = Like.objects.filter(target_id=entry.pk).count()
        notification = Notification.objects.get(recipient=owner)
        assert notification.gathered == likes
