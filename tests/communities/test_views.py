"""Community pages: list by category, the page with its buttons per state, members (admins
first), requests, the actions; secret communities a 404 to non-members; bounded queries;
well-formed HTML; Japanese."""

import pytest
from django.urls import reverse

from communities import services
from communities.models import Community, JoinPolicy, JoinRequest, Membership, Role
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

LIST = reverse("communities:list")
NEW = reverse("communities:new")


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.pk, *args])


def page(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status
    body = response.content.decode()
    if status == 200:
        assert_well_formed(body)
    return body


# --- creating and editing ------------------------------------------------------------------

def test_a_member_starts_a_community_with_an_image(as_user, owner):
    category = factories.category()
    response = as_user(owner).post(NEW, {
        "name": "Tea Ceremony", "description": "# Welcome\n**tea**", "category": category.pk,
        "join_policy": JoinPolicy.OPEN, "topic_policy": "members",
        "image": factories.image_file(),
    })
    community = Community.objects.get()
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()
    assert Membership.objects.get(community=community).role == Role.ADMIN
    body = page(as_user(owner), community.get_absolute_url())
    assert "<strong>tea</strong>" in body
    assert url("image", community, "medium") in body
    assert as_user(owner).get(url("image", community, "medium")).status_code == 200


def test_the_form_refuses_a_taken_name(as_user, owner):
    factories.community(owner, name="Go")
    response = as_user(owner).post(NEW, {
        "name": "GO", "description": "", "category": factories.category().pk,
        "join_policy": JoinPolicy.OPEN, "topic_policy": "members",
    })
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert_well_formed(response.content.decode())


def test_only_the_admin_reaches_edit_and_close(as_user, owner, member):
    community = factories.community(owner, members=[member])
    page(as_user(member), url("edit", community), 404)
    page(as_user(member), url("close", community), 404)
    page(as_user(owner), url("edit", community))
    page(as_user(owner), url("close", community))
    response = as_user(owner).post(url("edit", community), {
        "name": "New name", "description": "x", "category": community.category.pk,
        "join_policy": JoinPolicy.APPROVAL, "topic_policy": "admins",
    })
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.name == "New name"
    as_user(owner).post(url("close", community))
    community.refresh_from_db()
    assert community.is_closed
    assert community.name not in page(as_user(owner), LIST)


# --- the page per state --------------------------------------------------------------------

def test_all_members_means_what_it_says_where_it_is_in_japanese(as_user, owner):
    # "All members": a link to the member list here, the community's members in "who may
    # start topics", and the site's members as a visibility level.
    owner.language = "ja"
    owner.save(update_fields=["language"])
    club = factories.community(owner)
    client = as_user(owner)
    detail = page(client, club.get_absolute_url())
    assert f'<a href="{url("members", club)}">メンバー一覧</a>' in detail
    assert ">コミュニティのメンバー全員</option>" in page(client, url("edit", club))


def test_buttons_follow_the_viewers_state(as_user, owner, member, friend):
    open_one = factories.community(owner)
    assert "Join</button>" in page(as_user(member), open_one.get_absolute_url())
    as_user(member).post(url("join", open_one))
    body = page(as_user(member), open_one.get_absolute_url())
    assert "Leave</button>" in body
    assert "Invite a friend" not in body  # member has no friends
    assert "Invite a friend" in page(as_user(owner), open_one.get_absolute_url())
    as_user(member).post(url("leave", open_one))
    assert not Membership.objects.filter(community=open_one, user=member).exists()

    by_approval = factories.community(owner, policy=JoinPolicy.APPROVAL)
    assert "Request to join" in page(as_user(member), by_approval.get_absolute_url())
    as_user(member).post(url("join", by_approval), {"message": "Please"})
    body = page(as_user(member), by_approval.get_absolute_url())
    assert "waiting for the admins" in body
    as_user(member).post(url("join", by_approval), {"withdraw": "1"})
    assert not JoinRequest.objects.exists()


def test_the_admin_cannot_leave_and_is_told_why(as_user, owner):
    community = factories.community(owner)
    response = as_user(owner).post(url("leave", community), follow=True)
    assert "handing the role over" in response.content.decode()
    assert Membership.objects.filter(community=community, user=owner).exists()


def test_requests_page_approve_and_refuse(as_user, owner, member, friend):
    community = factories.community(owner, policy=JoinPolicy.APPROVAL)
    factories.join(community, [member, friend])
    page(as_user(member), url("requests", community), 404)
    body = page(as_user(owner), url("requests", community))
    assert "Approve" in body
    first, second = JoinRequest.objects.order_by("pk")
    as_user(owner).post(url("decide", community, first.pk), {"decision": "approve"})
    as_user(owner).post(url("decide", community, second.pk), {"decision": "refuse"})
    assert Membership.objects.filter(community=community, user=member).exists()
    assert not Membership.objects.filter(community=community, user=friend).exists()
    response = as_user(owner).post(url("decide", community, first.pk), {"decision": "approve"})
    assert response.status_code == 404


def test_invite_a_friend_into_a_secret_community(as_user, owner, friend):
    community = factories.community(owner, policy=JoinPolicy.SECRET)
    page(as_user(friend), community.get_absolute_url(), 404)
    as_user(owner).post(url("invite", community), {"invitee": friend.pk})
    assert "Join</button>" in page(as_user(friend), community.get_absolute_url())
    as_user(friend).post(url("join", community))
    assert Membership.objects.filter(community=community, user=friend).exists()


def test_members_admins_first_and_admin_actions(as_user, owner, friend, member):
    community = factories.community(owner)
    joiner = factories.member("Early Joiner")
    factories.join(community, [joiner, member, friend])
    services.subadmin_set(community=community, by=owner, user=friend, on=True)
    body = page(as_user(member), url("members", community))
    assert body.index("Owner Person") < body.index("Friend Person") < body.index("Early Joiner")
    assert "Hand over" not in body
    client = as_user(owner)
    assert "Hand over" in page(client, url("members", community))
    client.post(url("role", community, member.pk), {"action": "subadmin"})
    client.post(url("role", community, joiner.pk), {"action": "remove"})
    client.post(url("role", community, member.pk), {"action": "admin"})
    roles = dict(Membership.objects.filter(community=community).values_list("user", "role"))
    assert roles == {owner.pk: Role.SUBADMIN, member.pk: Role.ADMIN, friend.pk: Role.SUBADMIN}
    assert as_user(owner).post(
        url("role", community, friend.pk), {"action": "remove"}
    ).status_code == 404  # no longer the admin


# --- secret communities are a 404 ------------------------------------------------------------

@pytest.mark.parametrize("name", ["detail", "members", "requests", "edit", "close"])
def test_a_secret_community_does_not_exist_for_non_members(as_user, owner, member, name):
    community = factories.community(owner, policy=JoinPolicy.SECRET, name="Hidden circle")
    assert as_user(member).get(url(name, community)).status_code == 404
    assert as_user(owner).get(url(name, community)).status_code == 200


def test_a_secret_community_is_in_no_list_of_a_non_member(as_user, owner, member):
    community = factories.community(owner, policy=JoinPolicy.SECRET, name="Hidden circle")
    assert "Hidden circle" not in page(as_user(member), LIST)
    assert "Hidden circle" not in page(as_user(member), url("join", community).replace(
        f"{community.pk}/join/", f"category/{community.category_id}/"
    ))
    assert "Hidden circle" in page(as_user(owner), LIST)
    for action in ["join", "leave", "invite"]:
        assert as_user(member).post(url(action, community)).status_code == 404
    assert not Membership.objects.filter(user=member).exists()


def test_anonymous_visitors_are_sent_to_log_in(as_user, owner):
    community = factories.community(owner)
    assert as_user(None).get(community.get_absolute_url()).status_code == 302
    assert as_user(None).get(LIST).status_code == 302


# --- lists, queries, Japanese ----------------------------------------------------------------

def test_list_by_category_with_member_counts(as_user, owner, member):
    books, music = factories.category("Books"), factories.category("Music")
    reading = factories.community(owner, name="Reading", category=books, members=[member])
    factories.community(owner, name="Piano", category=music)
    body = page(as_user(member), reverse("communities:category", args=[books.pk]))
    assert "Reading" in body and "Piano" not in body
    assert "2 members" in body
    assert reading.get_absolute_url() in body


@pytest.mark.parametrize("n", [5, 50])
def test_the_list_has_bounded_queries(as_user, owner, member, django_assert_max_num_queries, n):
    category = factories.category()
    for i in range(n):
        factories.community(owner, category=category, name=f"C{i}", members=[member])
    client = as_user(member)
    with django_assert_max_num_queries(8):
        page(client, LIST)


@pytest.mark.parametrize("n", [5, 50])
def test_community_pages_have_bounded_queries(
    as_user, owner, django_assert_max_num_queries, n
):
    community = factories.community(owner, policy=JoinPolicy.APPROVAL)
    people = [factories.member() for _ in range(n)]
    for person in people:
        factories.befriend(owner, person)
    factories.join(community, people)
    for join_request in JoinRequest.objects.all()[: n // 2]:
        services.join_request_decide(request_id=join_request.pk, by=owner, approve=True)
    client = as_user(owner)
    for name in ["detail", "members", "requests"]:
        with django_assert_max_num_queries(14):
            page(client, url(name, community))


def test_pages_in_japanese(as_user, owner, member, settings):
    settings.LANGUAGE_CODE = "ja"
    community = factories.community(owner, policy=JoinPolicy.APPROVAL, name="猫の会")
    factories.join(community, [member])
    client = as_user(owner)
    client.cookies["django_language"] = "ja"
    body = page(client, community.get_absolute_url())
    assert "猫の会" in body and "参加申請" in body and "メンバー" in body
    assert "コミュニティ" in page(client, LIST)
    assert "管理人" in page(client, url("members", community))
    assert "承認" in page(client, url("requests", community))
