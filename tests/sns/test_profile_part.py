"""A member's page kept as HTML per viewer (``{% part "profile" %}``, accounts.views; issue 16),
with the parts cache on Redis: the page read twice (the second look from the kept HTML, no
query but the session's) before each change, then the change through the services, then the
page again: what adds to it shows, what takes it away is gone, on the next look.

The access matrices, object-reference tests and suspension table read the page warm too
(tests/warm.py); here, what the kept HTML shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from accounts.services import block_create
from communities import services as communities_services
from communities.models import JoinPolicy
from offkai.services import attendance
from sns.visibility import Level
from tests import factories, warm
from tests.sns.home.test_home_kept import GOING, goes
from tests.sns.home.test_home_part import second_look


def profile(client, member, **look) -> str:
    return second_look(client, reverse("accounts:profile", args=[member.pk]), **look)


def test_a_profile_is_kept_and_read_without_a_query(parts, owner, friend, as_user):
    body = profile(as_user(owner), friend, from_kept=True)
    assert "<title>Friend Person" in body and "Friend Person" in body
    assert "Unfriend" in body  # the friend action, per viewer


def test_what_the_member_writes_of_themselves_shows(parts, owner, friend, as_user):
    client = as_user(owner)
    profile(client, friend, from_kept=True)
    with warm.committed():
        accounts_services.profile_update(user=friend, fields={
            "real_name": "Renamed Friend", "introduction": "I walk by the river.",
        })
    body = profile(client, friend, from_kept=True)
    assert "<title>Renamed Friend" in body and "I walk by the river." in body


def test_friends_introductions_and_communities_follow(parts, owner, friend, fof, as_user):
    client = as_user(owner)
    assert "No introductions yet." in profile(client, fof)
    with warm.committed():
        introduction = accounts_services.introduction_write(
            author=friend, subject=fof, body="A fine cook.")
    assert "A fine cook." in profile(client, fof)
    with warm.committed():
        accounts_services.introduction_delete(user=fof, introduction_id=introduction.pk)
    assert "A fine cook." not in profile(client, fof)

    with warm.committed():
        books = factories.community(friend, name="River Readers")
    assert "River Readers" not in profile(client, fof)
    with warm.committed():
        communities_services.membership_join(community=books, user=fof)
    assert "River Readers" in profile(client, fof)
    with warm.committed():
        communities_services.community_update(
            community=books, by=friend, name="Sea Readers", description="…",
            category=books.category, join_policy=JoinPolicy.OPEN,
            topic_policy=books.topic_policy,
        )
    body = profile(client, fof)
    assert "Sea Readers" in body and "River Readers" not in body

    # A new friend of theirs: counted and shown.
    newcomer = factories.member("Newcomer Person")
    with warm.committed():
        accounts_services.friendship_create(a=fof, b=newcomer)
    assert "Newcomer Person" in profile(client, fof)


def test_a_friend_request_and_its_answer_show(parts, owner, member, as_user):
    asker = as_user(member)
    assert "Add as friend" in profile(asker, owner, from_kept=True)
    with warm.committed():
        asker.post(reverse("accounts:friend_request_send", args=[owner.pk]), {"message": "Hi"})
    assert "Request sent" in profile(asker, owner)
    answerer = as_user(owner)
    assert "has asked to be your friend" in profile(answerer, member)
    [request] = owner.friend_requests_received.all()
    with warm.committed():
        accounts_services.friend_request_decline(request_id=request.pk, user=owner)
    assert "Add as friend" in profile(asker, owner)
    assert "Add as friend" in profile(answerer, member)


def test_a_refused_friend_request_is_shown_with_its_text(parts, settings, owner, member,
                                                         as_user):
    client = as_user(member)
    profile(client, owner, from_kept=True)
    settings.FRIEND_REQUESTS_PER_DAY = 1
    with warm.committed():
        accounts_services.friend_request_send(
            sender=member, recipient=factories.member("Someone Else"))
    response = client.post(reverse("accounts:friend_request_send", args=[owner.pk]),
                           {"message": "We met at the river"})
    assert response.status_code == 200
    assert "We met at the river" in response.content.decode()
    # The kept page is the one without it.
    assert "We met at the river" not in profile(client, owner, from_kept=True)


def test_a_friends_only_field_leaves_with_the_friendship(parts, owner, friend, as_user):
    with warm.committed():
        accounts_services.profile_update(user=friend, fields={
            "introduction": "Friends only words.", "introduction_visibility": Level.FRIENDS,
        })
    client = as_user(owner)
    assert "Friends only words." in profile(client, friend, from_kept=True)
    with warm.committed():
        accounts_services.friendship_end(user=owner, other=friend)
    body = profile(client, friend)
    assert "Friends only words." not in body and "Add as friend" in body


@pytest.mark.parametrize("how", ["blocked", "suspended"])
def test_a_member_taken_away_is_gone_on_the_next_look(parts, how, owner, friend, moderator,
                                                      as_user):
    assert how in GOING
    client = as_user(owner)
    profile(client, friend, from_kept=True)
    goes(how, owner, friend, moderator)
    profile(client, friend, status=404)


@pytest.mark.parametrize("how", GOING)
def test_a_friend_on_the_page_taken_away_leaves_it(parts, how, owner, friend, fof, moderator,
                                                   as_user):
    """``fof`` on ``owner``'s page, seen by ``friend``: once fof is gone from friend's world
    (unfriended, blocking, suspended), the friend list on the page no longer shows them."""
    client = as_user(friend)
    with warm.committed():
        accounts_services.friendship_create(a=owner, b=fof)
    assert "Fof Person" in profile(client, owner, from_kept=True)
    goes(how, friend, fof, moderator)
    if how == "unfriended":
        # Still owner's friend, and owner's friends are for every member to see.
        assert "Fof Person" in profile(client, owner)
        with warm.committed():
            accounts_services.friendship_end(user=owner, other=fof)
    assert "Fof Person" not in profile(client, owner)


def test_a_secret_community_left_is_gone_from_the_page(parts, owner, friend, as_user):
    with warm.committed():
        secret = factories.community(friend, name="Quiet Garden",
                                     policy=JoinPolicy.SECRET)
        communities_services.community_invite(community=secret, inviter=friend, invitee=owner)
        communities_services.membership_join(community=secret, user=owner)
    client = as_user(owner)
    assert "Quiet Garden" in profile(client, friend, from_kept=True)
    with warm.committed():
        communities_services.membership_leave(community=secret, user=owner)
    assert "Quiet Garden" not in profile(client, friend)


def test_an_introduction_hidden_by_a_block_leaves(parts, owner, friend, fof, as_user):
    """An introduction on ``friend``'s page by ``fof``: once fof blocks the viewer, gone."""
    with warm.committed():
        accounts_services.introduction_write(author=fof, subject=friend, body="Kind soul.")
    client = as_user(owner)
    assert "Kind soul." in profile(client, friend, from_kept=True)
    with warm.committed():
        block_create(blocker=fof, blocked=owner)
    assert "Kind soul." not in profile(client, friend)


def test_each_language_has_its_own(parts, owner, friend, as_user):
    client = as_user(owner)
    assert "Introductions from friends" in profile(client, friend, from_kept=True)
    with warm.committed():
        client.post(reverse("set_language"), {"language": "ja"})
    assert "Introductions from friends" not in profile(client, friend)
    with warm.committed():
        client.post(reverse("set_language"), {"language": "en"})
    assert "Introductions from friends" in profile(client, friend, from_kept=True)


def test_met_at_follows_the_hosts_record_of_who_came(parts, owner, friend, member, as_user):
    event = factories.event(owner, days=-2, title="Hanami")
    for person in (friend, member):
        factories.answer(event, person)
    with warm.committed():
        attendance.attendance_confirm(event=event, by=owner, came_ids=[friend.pk, member.pk])
    client = as_user(friend)
    assert "Hanami" in profile(client, member, from_kept=True)
    with warm.committed():
        attendance.attendance_confirm(event=event, by=owner, came_ids=[friend.pk])
    assert "Met at" not in profile(client, member)
