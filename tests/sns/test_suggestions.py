"""People you may know (sns.suggestions): friends of friends, most mutual friends first,
without those one cannot or need not ask; ranked ahead and read back."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Block, FriendRequest, Profile, User
from sns.suggestions import selectors
from sns.suggestions import services as ranking
from tests import factories
from tests.html import assert_well_formed

SUGGESTIONS = reverse("suggestions:list")


def suggested(body: str) -> list[str]:
    """The names suggested, in order."""
    return re.findall(
        r'<li class="suggestion">.*?<span class="person-name">([^<]*)</span>', body,
        flags=re.DOTALL,
    )


@pytest.fixture
def me(db):
    return factories.member("Me Myself")


@pytest.fixture
def my_friends(me):
    friends = [factories.member(f"My Friend {i}") for i in range(3)]
    for friend in friends:
        factories.befriend(me, friend)
    return friends


def known_by(name: str, friends: list[User]) -> User:
    person = factories.member(name)
    for friend in friends:
        factories.befriend(person, friend)
    return person


def test_friends_of_friends_ranked_by_mutual_friends(as_user, me, my_friends):
    known_by("One Mutual", my_friends[:1])
    known_by("Three Mutual", my_friends)
    known_by("Two Mutual", my_friends[:2])
    factories.member("A Stranger")
    body = as_user(me).get(SUGGESTIONS).content.decode()
    assert_well_formed(body)
    assert suggested(body) == ["Three Mutual", "Two Mutual", "One Mutual"]
    assert "3 mutual friends" in body
    assert "1 mutual friend<" in body


def test_leaves_out_me_my_friends_blocks_and_pending_requests(as_user, me, my_friends):
    # My friends know each other, so each is a friend of a friend too.
    factories.befriend(my_friends[0], my_friends[1])
    kept = known_by("Kept Person", my_friends[:1])
    i_block = known_by("I Block", my_friends[:1])
    blocks_me = known_by("Blocks Me", my_friends[:1])
    i_asked = known_by("I Asked", my_friends[:1])
    asked_me = known_by("Asked Me", my_friends[:1])
    Block.objects.create(blocker=me, blocked=i_block)
    Block.objects.create(blocker=blocks_me, blocked=me)
    FriendRequest.objects.create(from_user=me, to_user=i_asked)
    FriendRequest.objects.create(from_user=asked_me, to_user=me)
    body = as_user(me).get(SUGGESTIONS).content.decode()
    assert suggested(body) == ["Kept Person"]
    assert reverse("accounts:friend_request_send", args=[kept.pk]) in body
    listed = body.split('<ul class="requests suggestions">')[1].split("</ul>")[0]
    for person in [me, *my_friends, i_block, blocks_me, i_asked, asked_me]:
        assert f'href="{person.get_absolute_url()}"' not in listed


def test_add_as_friend_sends_a_request(as_user, me, my_friends):
    person = known_by("New Person", my_friends[:1])
    client = as_user(me)
    body = client.get(SUGGESTIONS).content.decode()
    action = reverse("accounts:friend_request_send", args=[person.pk])
    assert re.search(rf'<form method="post" action="{action}">', body)
    assert "Add as friend" in body
    client.post(action)
    assert FriendRequest.objects.filter(from_user=me, to_user=person).exists()
    assert suggested(client.get(SUGGESTIONS).content.decode()) == []


def test_twenty_a_page(as_user, me, my_friends):
    for i in range(25):
        known_by(f"Person {i:02d}", my_friends[:1])
    client = as_user(me)
    body = client.get(SUGGESTIONS).content.decode()
    assert len(suggested(body)) == 20
    assert 'rel="next" href="?page=2"' in body
    assert len(suggested(client.get(SUGGESTIONS + "?page=2").content.decode())) == 5


def test_empty_state(as_user, me):
    body = as_user(me).get(SUGGESTIONS).content.decode()
    assert_well_formed(body)
    assert "No suggestions for now." in body


def test_cards_show_what_a_friend_of_a_friend_may_see(as_user, me, my_friends):
    person = known_by("Careful Person", my_friends[:1])
    services.profile_update(user=person, fields={"company": "Hidden Co.",
                                                 "company_visibility": "friends"})
    open_person = known_by("Open Person", my_friends[:1])
    services.profile_update(user=open_person, fields={"company": "Open Co."})
    body = as_user(me).get(SUGGESTIONS).content.decode()
    assert "Open Co." in body
    assert "Hidden Co." not in body


def test_linked_from_the_friend_requests_page(as_user, me):
    body = as_user(me).get(reverse("accounts:friend_requests")).content.decode()
    assert f'href="{SUGGESTIONS}"' in body


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(SUGGESTIONS).status_code == 302


@pytest.mark.parametrize("count", [5, 50])
def test_queries_are_bounded(as_user, me, my_friends, count, django_assert_max_num_queries):
    for i in range(count):
        known_by(f"Person {i:02d}", my_friends[: 1 + i % 3])
    client = as_user(me)
    # The first visit ranks the suggestions too: a lock, the stamp, the delete, the insert.
    with django_assert_max_num_queries(13):
        response = client.get(SUGGESTIONS)
    assert len(suggested(response.content.decode())) == min(count, 20)
    # Then: session, user, my profile (is the ranking fresh?), blocks, pending requests,
    # the count, the page, the nav's count.
    with django_assert_max_num_queries(8):
        response = client.get(SUGGESTIONS)
    assert len(suggested(response.content.decode())) == min(count, 20)


def test_in_japanese(as_user, me, my_friends):
    known_by("Someone", my_friends)
    me.language = "ja"
    me.save(update_fields=["language"])
    body = as_user(me).get(SUGGESTIONS).content.decode()
    assert_well_formed(body)
    assert '<html lang="ja">' in body
    assert "知り合いかも" in body
    assert "共通の友だち" in body
    assert "People you may know" not in body


# --- the ranking (sns.suggestions.services) and reading it back (selectors) ----------------

def test_people_you_may_know_ranks_by_mutual_friends(db):
    me = factories.member("me")
    f1, f2, f3 = (factories.member(f"f{i}") for i in range(3))
    for f in (f1, f2, f3):
        factories.befriend(me, f)
    strong, weak = factories.member("strong"), factories.member("weak")
    for f in (f1, f2, f3):
        factories.befriend(f, strong)
    factories.befriend(f1, weak)
    ranking.suggestions_refresh(member=me)
    suggestions = list(selectors.people_you_may_know(me))
    assert [(s.profile.real_name, s.mutual_count) for s in suggestions] == [
        ("strong", 3), ("weak", 1),
    ]
    assert list(selectors.people_you_may_know(me, exclude_ids={strong.pk})) == [weak]


def test_suggestions_are_read_from_the_stored_ranking(db):
    me, pal, stranger, later = (factories.member(n) for n in ("me", "pal", "stranger", "later"))
    factories.befriend(me, pal)
    factories.befriend(pal, stranger)
    assert selectors.suggestions_are_fresh(me) is None
    assert ranking.suggestions_refresh(member=me) == 1
    me.profile.refresh_from_db()
    assert selectors.suggestions_are_fresh(me) is True
    # A friend of a friend who appears after the ranking waits for the next one...
    factories.befriend(pal, later)
    assert [s.profile.real_name for s in selectors.people_you_may_know(me)] == ["stranger"]
    # ...but whoever became my friend since is left out at once.
    factories.befriend(me, stranger)
    assert list(selectors.people_you_may_know(me)) == []
    ranking.suggestions_refresh(member=me)
    assert [s.profile.real_name for s in selectors.people_you_may_know(me)] == ["later"]


def test_suggestions_keep_the_best_ranked(db, settings):
    me, pal = factories.member("me"), factories.member("pal")
    factories.befriend(me, pal)
    for i in range(ranking.SUGGESTIONS_KEPT + 5):
        factories.befriend(pal, factories.member(f"fof{i}"))
    assert ranking.suggestions_refresh(member=me) == ranking.SUGGESTIONS_KEPT


def test_a_stale_ranking_is_ranked_again_by_a_task(as_user, db):
    me, pal, stranger = (factories.member(n) for n in ("me", "pal", "stranger"))
    factories.befriend(me, pal)
    ranking.suggestions_refresh(member=me)
    factories.befriend(pal, stranger)  # new since the ranking
    long_ago = timezone.now() - selectors.SUGGESTIONS_FRESH_FOR - timedelta(minutes=1)
    Profile.objects.filter(user=me).update(suggestions_computed_at=long_ago)
    # The page enqueues the ranking (the immediate backend in tests runs it at once).
    as_user(me).get("/friends/suggestions/")
    me.profile.refresh_from_db()
    assert me.profile.suggestions_computed_at > long_ago
    assert [s.profile.real_name for s in selectors.people_you_may_know(me)] == ["stranger"]


def test_a_stale_ranking_is_claimed_once(db):
    me = factories.member("me")
    ranking.suggestions_refresh(member=me)
    long_ago = timezone.now() - selectors.SUGGESTIONS_FRESH_FOR - timedelta(minutes=1)
    Profile.objects.filter(user=me).update(suggestions_computed_at=long_ago)
    assert ranking.suggestions_refresh_claim(member=me) is True
    assert ranking.suggestions_refresh_claim(member=me) is False  # the second visit queues nothing
    me.profile.refresh_from_db()
    assert selectors.suggestions_are_fresh(me) is True
