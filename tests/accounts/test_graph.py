import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import Profile
from accounts.selectors import graph
from tests import factories


@pytest.fixture
def chain(db):
    """a — b — c — d — e, in a line."""
    people = [factories.member(name) for name in "abcde"]
    for left, right in itertools.pairwise(people):
        factories.befriend(left, right)
    return people


@pytest.mark.parametrize(("target", "expected"), [
    (1, "ab"), (2, "abc"), (3, "abcd"), (4, None),
])
def test_connection_path_is_the_shortest_chain_within_three_hops(chain, target, expected):
    path = graph.connection_path(chain[0], chain[target])
    if expected is None:
        assert path is None
    else:
        assert [m.profile.real_name for m in path] == list(expected)


def test_connection_path_is_symmetric_and_prefers_the_shorter_route(chain):
    a, _, c, d, _ = chain
    factories.befriend(a, c)  # a shortcut: a — c — d
    assert [m.profile.real_name for m in graph.connection_path(a, d)] == ["a", "c", "d"]
    assert [m.profile.real_name for m in graph.connection_path(d, a)] == ["d", "c", "a"]


def test_an_inactive_member_does_not_connect(chain):
    a, b, c, *_ = chain
    b.is_active = False
    b.save()
    assert graph.connection_path(a, c) is None


def test_connection_path_costs_two_queries(chain, django_assert_num_queries):
    with django_assert_num_queries(2):
        graph.connection_path(chain[0], chain[3])


def test_mutual_friends(chain):
    a, b, c, *_ = chain
    assert list(graph.mutual_friends(a, c)) == [b]
    assert list(graph.mutual_friends(a, b)) == []


def test_people_you_may_know_ranks_by_mutual_friends(db):
    me = factories.member("me")
    f1, f2, f3 = (factories.member(f"f{i}") for i in range(3))
    for f in (f1, f2, f3):
        factories.befriend(me, f)
    strong, weak = factories.member("strong"), factories.member("weak")
    for f in (f1, f2, f3):
        factories.befriend(f, strong)
    factories.befriend(f1, weak)
    services.suggestions_refresh(member=me)
    suggestions = list(graph.people_you_may_know(me))
    assert [(s.profile.real_name, s.mutual_count) for s in suggestions] == [
        ("strong", 3), ("weak", 1),
    ]
    assert list(graph.people_you_may_know(me, exclude_ids={strong.pk})) == [weak]


def test_edges_among_lists_each_pair_once(chain):
    ids = [m.pk for m in chain[:3]]
    assert sorted(graph.edges_among(ids)) == [(ids[0], ids[1]), (ids[1], ids[2])]


def test_suggestions_are_read_from_the_stored_ranking(db):
    me, pal, stranger, later = (factories.member(n) for n in ("me", "pal", "stranger", "later"))
    factories.befriend(me, pal)
    factories.befriend(pal, stranger)
    assert graph.suggestions_are_fresh(me) is None
    assert services.suggestions_refresh(member=me) == 1
    me.profile.refresh_from_db()
    assert graph.suggestions_are_fresh(me) is True
    # A friend of a friend who appears after the ranking waits for the next one...
    factories.befriend(pal, later)
    assert [s.profile.real_name for s in graph.people_you_may_know(me)] == ["stranger"]
    # ...but whoever became my friend since is left out at once.
    factories.befriend(me, stranger)
    assert list(graph.people_you_may_know(me)) == []
    services.suggestions_refresh(member=me)
    assert [s.profile.real_name for s in graph.people_you_may_know(me)] == ["later"]


def test_suggestions_keep_the_best_ranked(db, settings):
    me, pal = factories.member("me"), factories.member("pal")
    factories.befriend(me, pal)
    for i in range(services.SUGGESTIONS_KEPT + 5):
        factories.befriend(pal, factories.member(f"fof{i}"))
    assert services.suggestions_refresh(member=me) == services.SUGGESTIONS_KEPT


def test_a_stale_ranking_is_ranked_again_by_a_task(as_user, db):
    me, pal, stranger = (factories.member(n) for n in ("me", "pal", "stranger"))
    factories.befriend(me, pal)
    services.suggestions_refresh(member=me)
    factories.befriend(pal, stranger)  # new since the ranking
    long_ago = timezone.now() - graph.SUGGESTIONS_FRESH_FOR - timedelta(minutes=1)
    Profile.objects.filter(user=me).update(suggestions_computed_at=long_ago)
    # The page enqueues the ranking (the immediate backend in tests runs it at once).
    as_user(me).get("/friends/suggestions/")
    me.profile.refresh_from_db()
    assert me.profile.suggestions_computed_at > long_ago
    assert [s.profile.real_name for s in graph.people_you_may_know(me)] == ["stranger"]


def test_friend_count_leaves_out_who_left_and_blocks_either_way(db):
    from accounts.services import block_create

    member, viewer = factories.member("member"), factories.member("viewer")
    friends = [factories.member(f"f{i}") for i in range(5)]
    for friend in friends:
        factories.befriend(member, friend)
    friends[0].is_active = False
    friends[0].save()
    block_create(blocker=viewer, blocked=friends[1])
    block_create(blocker=friends[2], blocked=viewer)
    assert graph.friend_count(member) == 4
    assert graph.friend_count(member, viewer=viewer) == 2
    assert graph.friend_count(member, viewer=viewer) == (
        graph.friends_of(member, viewer=viewer).count()
    )


def test_a_stale_ranking_is_claimed_once(db):
    me = factories.member("me")
    services.suggestions_refresh(member=me)
    long_ago = timezone.now() - graph.SUGGESTIONS_FRESH_FOR - timedelta(minutes=1)
    Profile.objects.filter(user=me).update(suggestions_computed_at=long_ago)
    assert services.suggestions_refresh_claim(member=me) is True
    assert services.suggestions_refresh_claim(member=me) is False  # the second visit queues nothing
    me.profile.refresh_from_db()
    assert graph.suggestions_are_fresh(me) is True
