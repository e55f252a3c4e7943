"""Home (新着): each part shows what is new for the member, only what they may see, in a
fixed number of queries; a new member is told what to do."""

from datetime import timedelta

import pytest
from django.urls import reverse

from communities.models import JoinPolicy
from offkai.models import Answer
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

HOME = reverse("home")


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.TOPIC_CREATE_PER_HOUR = 1000


def home_of(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    return body


def test_a_new_member_is_told_what_to_do(member, as_user):
    body = home_of(as_user(member))
    assert "Nothing new yet" in body
    assert reverse("diary:new") in body and reverse("communities:list") in body


def test_friends_diaries_show_and_others_do_not(owner, friend, member, as_user):
    factories.entry(friend, Level.FRIENDS, title="Friend's day")
    factories.entry(member, Level.MEMBERS, title="A stranger's day")
    body = home_of(as_user(owner))
    assert "Friend&#x27;s day" in body or "Friend's day" in body
    assert "A stranger" not in body
    assert "Nothing new yet" not in body


def test_new_comments_on_my_entries(owner, friend, as_user):
    entry = factories.entry(owner, Level.FRIENDS, title="My trip")
    factories.entry_comment(entry, friend, "Looks fun")
    body = home_of(as_user(owner))
    assert "My trip" in body and "1 new comment" in body


def test_new_in_my_communities_leaves_out_others_and_secret_ones(owner, friend, member,
                                                                  as_user):
    mine = factories.community(friend, members=[owner])
    topic = factories.topic(mine, friend, title="Our topic")
    factories.topic_comment(topic, friend)
    elsewhere = factories.community(member, policy=JoinPolicy.SECRET)
    hidden = factories.topic(elsewhere, member, title="Secret topic")
    factories.topic_comment(hidden, member)
    body = home_of(as_user(owner))
    assert "Our topic" in body and "Secret topic" not in body


def test_upcoming_off_kai_mine_friends_and_communities_only(owner, friend, member, as_user):
    going = factories.event(member, title="I am going")
    factories.answer(going, owner, Answer.ATTENDING)
    factories.event(friend, title="Friend hosts")
    factories.event(member, title="Unrelated meetup")
    factories.event(friend, title="Long gone", days=-10)
    body = home_of(as_user(owner))
    assert "I am going" in body and "Friend hosts" in body
    assert "Unrelated meetup" not in body and "Long gone" not in body


def test_what_waits_for_me(owner, member, as_user):
    from accounts import services

    services.friend_request_send(sender=member, recipient=owner, message="hi")
    club = factories.community(owner, policy=JoinPolicy.APPROVAL)
    from communities import services as community_services

    community_services.membership_join(community=club, user=factories.member())
    invitation = factories.invitation(owner)
    joined = factories.redeem(invitation, name="New Comer")
    body = home_of(as_user(owner))
    assert "1 friend request" in body
    assert "1 request to join your communities" in body
    assert "accepted your invitation" in body and joined.display_name in body


def test_suspended_members_are_left_out(owner, friend, as_user):
    entry = factories.entry(friend, Level.FRIENDS, title="Soon hidden")
    factories.entry_comment(factories.entry(owner, Level.FRIENDS, title="Mine"), friend)
    factories.event(friend, title="Friend's meetup")
    friend.is_active = False
    friend.save()
    body = home_of(as_user(owner))
    assert entry.title not in body and "Friend&#x27;s meetup" not in body
    assert "1 new comment" not in body


def test_home_in_japanese(member, as_user, settings):
    settings.LANGUAGE_CODE = "ja"
    client = as_user(member)
    client.cookies["django_language"] = "ja"
    assert "友だちの日記" in home_of(client)


@pytest.mark.parametrize("n", [5, 50])
def test_home_takes_a_fixed_number_of_queries(owner, as_user, django_assert_max_num_queries,
                                             n):
    club = factories.community(owner)
    for i in range(n):
        person = factories.member()
        factories.befriend(owner, person)
        factories.join(club, [person])
        factories.entry(person, Level.FRIENDS, title=f"Entry {i}",
                        ago=timedelta(minutes=i + 1))
        mine = factories.entry(owner, Level.FRIENDS, title=f"Mine {i}")
        factories.entry_comment(mine, person)
        topic = factories.topic(club, person, title=f"Topic {i}")
        factories.topic_comment(topic, person)
        factories.event(person, title=f"Meetup {i}", visibility=Level.FRIENDS)
    client = as_user(owner)
    client.get(HOME)  # the site policy is read once per process, then remembered
    with django_assert_max_num_queries(15):
        home_of(client)
