import itertools

import pytest

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


def test_edges_among_lists_each_pair_once(chain):
    ids = [m.pk for m in chain[:3]]
    assert sorted(graph.edges_among(ids)) == [(ids[0], ids[1]), (ids[1], ids[2])]


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
