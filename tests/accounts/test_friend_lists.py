"""Friend lists on profiles: who may see them, what each card shows, mutual friends and how
the viewer is connected to the member."""

import re

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Block, Profile, User
from sns import images
from sns.visibility import Level, Relation, relations_to
from tests import factories
from tests.html import assert_well_formed

OK, HIDDEN, LOGIN = 200, 404, 302


def profile_url(user: User) -> str:
    return reverse("accounts:profile", args=[user.pk])


def friends_url(user: User) -> str:
    return reverse("accounts:friends", args=[user.pk])


def set_profile(user: User, **fields) -> None:
    Profile.objects.filter(user=user).update(**fields)
    user.refresh_from_db()
    user.profile.refresh_from_db()


def section(body: str, css_class: str) -> str:
    """The HTML of the first <section> whose class list has ``css_class`` ('' if none)."""
    found = re.search(
        rf'<section class="card {css_class}"[^>]*>(.*?)</section>', body, flags=re.DOTALL
    )
    return found.group(1) if found else ""


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


# --- who may see a friend list --------------------------------------------------------------

# friends_visibility level → persona → what the friend list pages answer that persona.
FRIEND_LIST = {
    Level.MEMBERS: {"owner": OK, "friend": OK, "fof": OK, "member": OK, "blocked": HIDDEN,
                    "anonymous": LOGIN},
    Level.FRIENDS: {"owner": OK, "friend": OK, "fof": HIDDEN, "member": HIDDEN,
                    "blocked": HIDDEN, "anonymous": LOGIN},
    Level.PRIVATE: {"owner": OK, "friend": HIDDEN, "fof": HIDDEN, "member": HIDDEN,
                    "blocked": HIDDEN, "anonymous": LOGIN},
}
CASES = [(level, persona, expected) for level, row in FRIEND_LIST.items()
         for persona, expected in row.items()]


@pytest.mark.parametrize(("level", "persona", "expected"), CASES)
def test_who_may_see_the_friend_list(request, as_user, owner, friend, fof, blocked,
                                     level, persona, expected):
    Block.objects.get_or_create(blocker=owner, blocked=blocked)
    set_profile(owner, friends_visibility=level)
    viewer = request.getfixturevalue(persona)
    client = as_user(viewer)
    for name in ["accounts:friends", "accounts:circle", "accounts:circle_svg"]:
        response = client.get(reverse(name, args=[owner.pk]))
        assert response.status_code == expected, (name, response.status_code)
    if expected == OK:
        assert "Friend Person" in client.get(friends_url(owner)).content.decode()
    if viewer is None or persona == "blocked":
        return
    # The profile itself stays visible; only the friend list and its links go.
    body = client.get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    shown = expected == OK
    assert (friends_url(owner) in body or reverse("accounts:circle", args=[owner.pk]) in body) \
        is shown
    assert ('<ul class="people">' in body and "Friend Person" in body) is shown


def test_a_member_who_blocks_the_viewer_hides_their_friend_list(as_user, owner, friend, member):
    Block.objects.create(blocker=owner, blocked=member)
    assert as_user(member).get(friends_url(owner)).status_code == HIDDEN
    Block.objects.all().delete()
    Block.objects.create(blocker=member, blocked=owner)
    assert as_user(member).get(friends_url(owner)).status_code == HIDDEN


def test_friends_visibility_is_chosen_on_the_settings_page(as_user, owner, friend, member):
    client = as_user(owner)
    body = client.get(reverse("accounts:settings")).content.decode()
    assert 'name="friends_visibility"' in body
    response = client.post(reverse("accounts:settings"), {
        "language": "", "leaves_footprints": "on", "friends_visibility": Level.FRIENDS,
    })
    assert response.status_code == 302
    owner.profile.refresh_from_db()
    assert owner.profile.friends_visibility == Level.FRIENDS
    assert owner.profile.leaves_footprints
    assert as_user(member).get(friends_url(owner)).status_code == HIDDEN
    assert as_user(friend).get(friends_url(owner)).status_code == OK


# --- each card as that friend's own settings allow -----------------------------------------


def test_relations_to_tells_each_relation_in_one_query(
    owner, friend, fof, member, blocked, django_assert_num_queries
):
    Block.objects.get_or_create(blocker=owner, blocked=blocked)
    with django_assert_num_queries(1):
        relations = relations_to(owner, [owner, friend, fof, member, blocked])
    assert relations == {
        owner.pk: Relation.SELF, friend.pk: Relation.FRIEND, fof.pk: Relation.FRIEND_OF_FRIEND,
        member.pk: Relation.MEMBER, blocked.pk: Relation.BLOCKED,
    }
    with django_assert_num_queries(0):
        assert relations_to(None, [owner, friend]) == {
            owner.pk: Relation.ANONYMOUS, friend.pk: Relation.ANONYMOUS,
        }


@pytest.fixture
def pal(owner):
    """A friend of the owner who shows company and photo to friends only."""
    pal = factories.member("Pal Person", company="Secret Kite Co.")
    services.profile_update(
        user=pal, fields={"company_visibility": Level.FRIENDS, "photo_visibility": Level.FRIENDS},
        photo=images.process(factories.image_file("PNG", (120, 90))),
    )
    factories.befriend(owner, pal)
    return pal


def pal_card(body: str, pal: User) -> str:
    found = re.search(
        rf'<li class="person"><a href="{profile_url(pal)}">.*?</li>', body, flags=re.DOTALL
    )
    assert found, "no card for pal"
    return found.group(0)


@pytest.mark.parametrize("page", ["profile", "friends"])
def test_each_card_follows_that_friends_own_visibility(as_user, owner, pal, member, page):
    url = profile_url(owner) if page == "profile" else friends_url(owner)
    # Not pal's friend: pal's name only.
    card = pal_card(as_user(member).get(url).content.decode(), pal)
    assert "Pal Person" in card
    assert "Secret Kite Co." not in card
    assert "<img" not in card
    # Pal's friend sees what pal shows to friends, on someone else's friend list.
    factories.befriend(member, pal)
    card = pal_card(as_user(member).get(url).content.decode(), pal)
    assert "Secret Kite Co." in card
    assert "<img" in card


# --- mutual friends -------------------------------------------------------------------------


def test_mutual_friends_with_their_count_and_links(as_user, owner, member):
    shared = [factories.member(f"Shared {i}") for i in range(3)]
    for person in shared:
        factories.befriend(owner, person)
        factories.befriend(member, person)
    factories.befriend(owner, factories.member("Only Owners"))
    body = as_user(member).get(profile_url(owner)).content.decode()
    mutual = section(body, "mutual")
    assert "3 mutual friends" in mutual
    assert set(links(mutual)) == {profile_url(p) for p in shared}
    assert "Only Owners" not in mutual


def test_at_most_eight_mutual_friends_are_shown_with_the_full_count(as_user, owner, member):
    for i in range(10):
        person = factories.member(f"Shared {i}")
        factories.befriend(owner, person)
        factories.befriend(member, person)
    mutual = section(as_user(member).get(profile_url(owner)).content.decode(), "mutual")
    assert "10 mutual friends" in mutual
    assert len(links(mutual)) == 8


def test_no_mutual_friends_says_so_and_none_on_my_own_page(as_user, owner, friend, member):
    assert "0 mutual friends" in as_user(member).get(profile_url(owner)).content.decode()
    own = as_user(owner).get(profile_url(owner)).content.decode()
    assert "mutual friend" not in own
    assert "How you are connected" not in own


def test_mutual_friends_one_in_the_singular(as_user, owner, friend, fof):
    mutual = section(as_user(fof).get(profile_url(owner)).content.decode(), "mutual")
    assert "1 mutual friend<" in mutual
    assert links(mutual) == [profile_url(friend)]


def test_mutual_friends_follow_the_friend_list_setting(as_user, owner, friend, fof):
    set_profile(owner, friends_visibility=Level.FRIENDS)
    body = as_user(fof).get(profile_url(owner)).content.decode()
    assert "mutual friend" not in body


# --- how you are connected ------------------------------------------------------------------


def chain(body: str) -> list[str]:
    return links(section(body, "connection"))


def test_two_hops_each_step_a_link(as_user, owner, friend, fof):
    body = as_user(fof).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert "How you are connected" in body
    assert chain(body) == [profile_url(fof), profile_url(friend), profile_url(owner)]
    assert "Friend Person" in section(body, "connection")


def test_three_hops_each_step_a_link(as_user, owner, friend, fof):
    far = factories.member("Far Person")
    factories.befriend(fof, far)
    body = as_user(far).get(profile_url(owner)).content.decode()
    assert chain(body) == [
        profile_url(far), profile_url(fof), profile_url(friend), profile_url(owner),
    ]


def test_not_connected_within_three_steps(as_user, owner, friend, fof):
    far = factories.member("Far Person")
    farther = factories.member("Farther Person")
    factories.befriend(fof, far)
    factories.befriend(far, farther)
    for viewer in [farther, factories.member("Stranger")]:
        connection = section(as_user(viewer).get(profile_url(owner)).content.decode(),
                             "connection")
        assert "Not connected within 3 steps." in connection
        assert not links(connection)


def test_no_chain_on_a_friends_page(as_user, owner, friend):
    assert "How you are connected" not in as_user(friend).get(profile_url(owner)).content.decode()


def test_a_chain_through_friendships_hidden_from_me_is_not_shown(as_user, owner, friend, fof):
    far = factories.member("Far Person")
    factories.befriend(fof, far)
    # Neither end of the friend → fof friendship lets far see it.
    set_profile(friend, friends_visibility=Level.PRIVATE)
    set_profile(fof, friends_visibility=Level.PRIVATE)
    connection = section(as_user(far).get(profile_url(owner)).content.decode(), "connection")
    assert "Not connected within 3 steps." in connection
    assert profile_url(friend) not in connection


def test_a_chain_through_a_blocked_member_is_not_shown(as_user, owner, friend, fof):
    far = factories.member("Far Person")
    factories.befriend(fof, far)
    Block.objects.create(blocker=friend, blocked=far)
    connection = section(as_user(far).get(profile_url(owner)).content.decode(), "connection")
    assert profile_url(friend) not in connection


# --- bounded queries, well-formed pages, Japanese -------------------------------------------


def crowd(owner: User, viewer: User, count: int) -> list[User]:
    """``count`` friends of ``owner``, every other one also the viewer's friend."""
    people = []
    for n in range(count):
        person = factories.member(f"Crowd {n}", company=f"Co {n}")
        factories.befriend(owner, person)
        if n % 2:
            factories.befriend(viewer, person)
        people.append(person)
    return people


# The profile: session, user, member, relation, footprint (2), friends with their count,
# mutual friends with theirs, the chain, its members, the relation of its third member,
# introductions, the nav's count.
PROFILE_QUERIES = 15  # …plus one for the community list, one for whether it may be opened


@pytest.mark.parametrize("count", [5, 50])
def test_profile_queries_are_bounded(as_user, owner, member, count,
                                     django_assert_max_num_queries):
    people = crowd(owner, member, count)
    far = factories.member("Far Person")
    hop = factories.member("Hop Person")
    factories.befriend(far, hop)
    factories.befriend(hop, people[0])
    bodies = []
    for viewer in [member, far]:  # a friend of friends, and three hops away
        client = as_user(viewer)
        with django_assert_max_num_queries(PROFILE_QUERIES):
            response = client.get(profile_url(owner))
        body = response.content.decode()
        assert_well_formed(body)
        assert f'<span class="count">{count}</span>' in body
        bodies.append(body)
    assert f"{count // 2} mutual friends" in bodies[0]
    assert len(chain(bodies[1])) == 4


@pytest.mark.parametrize("count", [5, 50])
def test_friends_page_queries_are_bounded(as_user, owner, member, count,
                                          django_assert_max_num_queries):
    crowd(owner, member, count)
    client = as_user(member)
    with django_assert_max_num_queries(8):
        response = client.get(friends_url(owner))
    body = response.content.decode()
    assert_well_formed(body)
    assert body.count('<li class="person">') == min(count, 30)


def test_profile_and_friends_page_in_japanese(as_user, owner, friend, fof):
    far = factories.member("Far Person")
    factories.befriend(fof, far)
    far.language = "ja"
    far.save(update_fields=["language"])
    body = as_user(far).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert '<html lang="ja">' in body
    assert "つながり" in body
    assert "共通の友だち" in body
    assert "How you are connected" not in body
    stranger = factories.member("Stranger")
    stranger.language = "ja"
    stranger.save(update_fields=["language"])
    body = as_user(stranger).get(profile_url(owner)).content.decode()
    assert "3ステップ以内" in body
    body = as_user(far).get(friends_url(owner)).content.decode()
    assert_well_formed(body)
    assert "Friend Person" in body
