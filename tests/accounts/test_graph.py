import itertools

import pytest

from accounts import graph
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
    suggestions = list(graph.people_you_may_know(me))
    assert [(s.profile.real_name, s.mutual_count) for s in suggestions] == [
        ("strong", 3), ("weak", 1),
    ]
    assert list(graph.people_you_may_know(me, exclude_ids={strong.pk})) == [weak]


def test_edges_among_lists_each_pair_once(chain):
    ids = [m.pk for m in chain[:3]]
    assert sorted(graph.edges_among(ids)) == [(ids[0], ids[1]), (ids[1], ids[2])]
