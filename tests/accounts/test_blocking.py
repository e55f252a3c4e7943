"""Blocking hides both ways, completely: what a blocked member may not see does not exist."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts import services
from accounts.models import Block, FriendRequest, Friendship, Introduction
from sns.visibility import Relation, relation_between
from tests import factories
from tests.html import assert_well_formed


def owner_pages(owner):
    return [
        reverse("accounts:profile", args=[owner.pk]),
        reverse("accounts:friends", args=[owner.pk]),
        reverse("accounts:circle", args=[owner.pk]),
        reverse("accounts:circle_svg", args=[owner.pk]),
    ]


@pytest.mark.parametrize("direction", ["i_block", "they_block"])
def test_owner_pages_are_404_both_ways(as_user, owner, member, direction):
    if direction == "i_block":
        services.block_create(blocker=owner, blocked=member)
    else:
        services.block_create(blocker=member, blocked=owner)
    for url in owner_pages(owner):
        assert as_user(member).get(url).status_code == 404, url
    for url in owner_pages(member):
        assert as_user(owner).get(url).status_code == 404, url


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", 200), ("friend", 200), ("fof", 200), ("member", 200), ("blocked", 404)],
)
def test_profile_table(request, as_user, owner, friend, fof, member, blocked, persona, expected):
    viewer = request.getfixturevalue(persona)
    assert as_user(viewer).get(reverse("accounts:profile", args=[owner.pk])).status_code \
        == expected


def test_the_404_is_the_same_as_for_a_missing_member(as_user, owner, blocked):
    client = as_user(blocked)
    hidden = client.get(reverse("accounts:profile", args=[owner.pk]))
    missing = client.get(reverse("accounts:profile", args=[999_999]))
    assert hidden.status_code == missing.status_code == 404

    def unique_bits_removed(response):
        # The CSRF token is masked afresh on every render; the language switch returns to
        # the page's own address.
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        return re.sub(rb'name="next" value="[^"]+"', b"", body)

    assert unique_bits_removed(hidden) == unique_bits_removed(missing)


def test_relation_is_blocked_both_ways(owner, blocked):
    assert relation_between(blocked, owner) is Relation.BLOCKED
    assert relation_between(owner, blocked) is Relation.BLOCKED


def test_blocking_ends_friendship_requests_and_introductions(owner, friend):
    other = factories.member()
    services.friend_request_send(sender=other, recipient=owner)
    Introduction.objects.create(author=friend, subject=owner, body="A good person.")
    Introduction.objects.create(author=owner, subject=friend, body="Also good.")
    services.block_create(blocker=owner, blocked=friend)
    services.block_create(blocker=owner, blocked=other)
    assert not Friendship.objects.between(owner, friend).exists()
    assert not FriendRequest.objects.between(owner, other).exists()
    assert not Introduction.objects.filter(author__in=[owner, friend],
                                           subject__in=[owner, friend]).exists()
    assert Block.objects.filter(blocker=owner).count() == 2


def test_a_blocked_member_cannot_send_requests_either_way(owner, blocked):
    with pytest.raises(services.FriendRequestError):
        services.friend_request_send(sender=blocked, recipient=owner)
    with pytest.raises(services.FriendRequestError):
        services.friend_request_send(sender=owner, recipient=blocked)
    assert not FriendRequest.objects.exists()


def test_the_request_view_is_404_for_a_blocked_member(as_user, owner, blocked):
    response = as_user(blocked).post(
        reverse("accounts:friend_request_send", args=[owner.pk]), {"message": "hi"}
    )
    assert response.status_code == 404


def test_blocked_members_disappear_from_third_party_friend_lists(as_user, owner, friend):
    # owner and friend are friends; a stranger blocked by owner looks at friend's list.
    stranger = factories.member("Stranger Danger")
    services.block_create(blocker=owner, blocked=stranger)
    body = as_user(stranger).get(reverse("accounts:friends", args=[friend.pk])).content.decode()
    assert "Owner Person" not in body
    body = as_user(stranger).get(reverse("accounts:profile", args=[friend.pk])).content.decode()
    assert "Owner Person" not in body
    svg = as_user(stranger).get(reverse("accounts:circle_svg", args=[friend.pk])).content.decode()
    assert "Owner Person" not in svg


def test_block_confirmation_list_and_unblock(as_user, owner, member):
    client = as_user(owner)
    url = reverse("accounts:block", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert_well_formed(page.content.decode())
    assert not Block.objects.exists()  # GET only asks
    assert client.post(url).status_code == 302
    assert Block.objects.filter(blocker=owner, blocked=member).exists()
    listing = client.get(reverse("accounts:blocks")).content.decode()
    assert_well_formed(listing)
    assert "Plain Member" in listing
    assert client.get(reverse("accounts:unblock", args=[member.pk])).status_code == 405
    client.post(reverse("accounts:unblock", args=[member.pk]))
    assert not Block.objects.exists()
    assert client.get(reverse("accounts:profile", args=[member.pk])).status_code == 200
    assert "You have not blocked anyone." in client.get(reverse("accounts:blocks")).content.decode()


def test_blocking_oneself_is_refused(owner):
    with pytest.raises(services.BlockError):
        services.block_create(blocker=owner, blocked=owner)


def test_unblocking_restores_nothing(owner, friend):
    services.block_create(blocker=owner, blocked=friend)
    services.block_remove(blocker=owner, blocked_id=friend.pk)
    assert not Friendship.objects.between(owner, friend).exists()


@pytest.mark.parametrize("count", [5, 50])
def test_block_list_queries_are_bounded(as_user, owner, count, django_assert_max_num_queries):
    for _ in range(count):
        services.block_create(blocker=owner, blocked=factories.member())
    client = as_user(owner)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:blocks")).status_code == 200


def test_block_list_in_japanese(as_user, owner, blocked):
    client = as_user(owner)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    body = client.get(reverse("accounts:blocks")).content.decode()
    assert "ブロック" in body


@pytest.mark.django_db(transaction=True)
def test_block_racing_with_an_acceptance_leaves_no_friendship():
    """Whichever comes first, a block and an acceptance at once never leave them friends."""
    for _ in range(5):
        a, b = factories.member(), factories.member()
        request = services.friend_request_send(sender=b, recipient=a)
        barrier = threading.Barrier(2)

        def accept(a=a, request=request, barrier=barrier):
            barrier.wait()
            try:
                services.friend_request_accept(request_id=request.pk, user=a)
            except FriendRequest.DoesNotExist:
                pass
            finally:
                connection.close()

        def block(a=a, b=b, barrier=barrier):
            barrier.wait()
            try:
                services.block_create(blocker=b, blocked=a)
            finally:
                connection.close()

        threads = [threading.Thread(target=accept), threading.Thread(target=block)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert Block.objects.filter(blocker=b, blocked=a).exists()
        assert not Friendship.objects.between(a, b).exists()
        assert not FriendRequest.objects.between(a, b).exists()
