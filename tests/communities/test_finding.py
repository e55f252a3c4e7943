"""Finding communities: search by name and description (Japanese substrings, secret ones
hidden, paginated with the query kept), "communities my friends are in" ordered by how many
friends, each profile's community list as the viewer may see it; bounded queries."""

import pytest
from django.urls import reverse

from communities import selectors
from communities.models import JoinPolicy, Membership
from communities.views import communities as community_views
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

LIST = reverse("communities:list")
FRIENDS = reverse("communities:friends")


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    return body


def link(community) -> str:
    return f'href="{community.get_absolute_url()}"'


# --- search ----------------------------------------------------------------------------------

def test_search_finds_japanese_substrings_in_name_and_description(as_user, owner, member):
    by_name = factories.community(owner, name="東京の猫好きの集い")
    by_description = factories.community(owner, name="Cats", description="**猫**と暮らす人たち")
    other = factories.community(owner, name="犬の会", description="わんわん")
    body = page(as_user(member), LIST + "?q=猫")
    assert link(by_name) in body and link(by_description) in body
    assert link(other) not in body
    assert 'value="猫"' in body


def test_search_is_case_insensitive_and_treats_wildcards_literally(as_user, owner, member):
    tea = factories.community(owner, name="Green Tea Club")
    percent = factories.community(owner, name="100% juice")
    body = page(as_user(member), LIST + "?q=green tea")
    assert link(tea) in body and link(percent) not in body
    body = page(as_user(member), LIST + "?q=%25")
    assert link(percent) in body and link(tea) not in body


def test_search_keeps_secret_communities_from_non_members(as_user, owner, member):
    secret = factories.community(owner, policy=JoinPolicy.SECRET, name="秘密の猫会")
    assert link(secret) not in page(as_user(member), LIST + "?q=猫")
    assert link(secret) in page(as_user(owner), LIST + "?q=猫")


def test_search_without_results_says_so(as_user, member):
    body = page(as_user(member), LIST + "?q=存在しない")
    assert "No communities match" in body


def test_search_results_are_paginated_with_the_query_kept(as_user, owner, member):
    category = factories.category()
    for i in range(community_views.COMMUNITIES_PER_PAGE + 3):
        factories.community(owner, name=f"将棋 {i}", category=category)
    factories.community(owner, name="囲碁", category=category)
    body = page(as_user(member), LIST + "?q=将棋")
    assert body.count('class="community-row"') == community_views.COMMUNITIES_PER_PAGE
    assert "?q=%E5%B0%86%E6%A3%8B&amp;page=2" in body
    second = page(as_user(member), LIST + "?q=将棋&page=2")
    assert second.count('class="community-row"') == 3
    assert "囲碁" not in second


def test_an_overlong_query_is_cut(as_user, owner, member):
    community = factories.community(owner, name="a" * 100)
    assert link(community) in page(as_user(member), LIST + "?q=" + "a" * 300)


# --- communities my friends are in -----------------------------------------------------------

def test_friends_are_in_orders_by_friend_count(as_user, owner, member):
    friends = [factories.member() for _ in range(3)]
    for person in friends:
        factories.befriend(owner, person)
    stranger = factories.member()
    one = factories.community(member, name="One friend", members=friends[:1])
    three = factories.community(member, name="Three friends", members=friends)
    two = factories.community(member, name="Two friends", members=[*friends[1:], stranger])
    none = factories.community(member, name="No friend", members=[stranger])
    secret = factories.community(friends[0], policy=JoinPolicy.SECRET, name="Friend secret")
    closed = factories.community(member, name="Closed one", members=friends)
    from communities import services

    services.community_close(community=closed, by=member)
    assert [(c.pk, c.friend_count) for c in selectors.friends_in(owner)] == [
        (three.pk, 3), (two.pk, 2), (one.pk, 1),
    ]
    body = page(as_user(owner), FRIENDS)
    assert body.index("Three friends") < body.index("Two friends") < body.index("One friend")
    assert "3 friends" in body and "1 friend" in body
    assert link(none) not in body and link(secret) not in body and link(closed) not in body


def test_friends_are_in_shows_a_secret_community_to_its_members(as_user, owner, friend):
    secret = factories.community(friend, policy=JoinPolicy.SECRET, name="Our secret")
    assert link(secret) not in page(as_user(owner), FRIENDS)
    Membership.objects.create(community=secret, user=owner)
    body = page(as_user(owner), FRIENDS)
    assert link(secret) in body and "You are a member" in body


def test_friends_are_in_is_empty_without_friends(as_user, member):
    assert "None of your friends" in page(as_user(member), FRIENDS)


# --- the profile's community list ------------------------------------------------------------

def test_a_profile_lists_the_communities_the_viewer_may_see(as_user, owner, member):
    open_one = factories.community(owner, name="Open one")
    secret = factories.community(owner, policy=JoinPolicy.SECRET, name="Secret one")
    factories.community(member, name="Not hers")
    body = page(as_user(member), owner.get_absolute_url())
    assert link(open_one) in body and link(secret) not in body
    assert "Not hers" not in body
    assert '<span class="count">1</span>' in body.split("profile-communities")[1]
    body = page(as_user(owner), owner.get_absolute_url())
    assert link(open_one) in body and link(secret) in body
    Membership.objects.create(community=secret, user=member)
    assert link(secret) in page(as_user(member), owner.get_absolute_url())


def test_a_profile_lists_up_to_ten_with_the_full_count(as_user, owner, member):
    category = factories.category()
    for i in range(12):
        factories.community(owner, name=f"Circle {i}", category=category)
    body = page(as_user(member), owner.get_absolute_url()).split("profile-communities")[1]
    assert body.count("/communities/") == selectors.ON_PROFILE
    assert '<span class="count">12</span>' in body
    assert "Circle 11" in body and "Circle 0<" not in body


# --- bounded queries -------------------------------------------------------------------------

@pytest.mark.parametrize("n", [5, 50])
def test_finding_has_bounded_queries(as_user, owner, member, django_assert_max_num_queries, n):
    category = factories.category()
    friends = [factories.member() for _ in range(3)]
    for person in friends:
        factories.befriend(member, person)
    for i in range(n):
        community = factories.community(owner, category=category, name=f"俳句 {i}")
        factories.join(community, [member, *friends])
    client = as_user(member)
    with django_assert_max_num_queries(8):
        page(client, LIST + "?q=俳句")
    with django_assert_max_num_queries(8):
        page(client, FRIENDS)
    # (The profile: its communities among the rest, and the albums' section.)
    with django_assert_max_num_queries(13):
        page(client, owner.get_absolute_url())


def test_finding_in_japanese(as_user, owner, friend, settings):
    settings.LANGUAGE_CODE = "ja"
    community = factories.community(owner, name="茶道の会", members=[friend])
    assert "友だちが参加しているコミュニティ" in page(as_user(owner), FRIENDS)
    assert "友だち1人" in page(as_user(friend), FRIENDS)
    body = page(as_user(owner), LIST + "?q=茶道")
    assert "コミュニティを検索" in body and link(community) in body
    assert "「華道」に一致するコミュニティはありません。" in page(as_user(owner), LIST + "?q=華道")
