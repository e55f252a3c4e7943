"""The kernel's visibility building blocks (sns.visibility), each held to the one table of
levels: what ``can_see`` says a viewer in each relation may see is what every rendering of
the rule (a filter, an audience, raw SQL) gives, for every persona."""

import itertools

import pytest
from django.db import connection
from django.db.models import OuterRef

from accounts.models import User
from sns.visibility import (
    _SEES,
    Level,
    Relation,
    block_either_way,
    blocked_between,
    can_see,
    friend_of_friend,
    friendship,
    ids_in_block_with,
    in_block_with,
    level_audience,
    level_sql,
    relation_between,
    without_blocked,
)
from tests import factories

PERSONAS = ["owner", "friend", "fof", "member", "blocked"]


@pytest.fixture
def people(request, owner, friend, fof, member, blocked) -> dict[str, User]:
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def test_each_relation_sees_what_the_narrower_one_sees():
    # The renderings of the rule ask for one test per level (the widest relation that sees
    # it): that holds only while the relations nest.
    order = [Relation.MEMBER, Relation.FRIEND_OF_FRIEND, Relation.FRIEND, Relation.SELF]
    for narrower, wider in itertools.pairwise(order):
        assert _SEES[narrower] <= _SEES[wider]
    assert _SEES[Relation.BLOCKED] == frozenset()


@pytest.mark.django_db
def test_the_friend_tests(people):
    owner = people["owner"]
    others = User.objects.filter(pk__in=[p.pk for p in people.values()]).annotate(
        friend=friendship(owner, OuterRef("pk")),
        fof=friend_of_friend(owner, OuterRef("pk")),
        fof_asked_the_other_way=friend_of_friend(OuterRef("pk"), owner),
    )
    by_name = {p.pk: name for name, p in people.items()}
    rows = {by_name[u.pk]: (u.friend, u.fof, u.fof_asked_the_other_way) for u in others}
    assert rows["friend"][0] and not rows["fof"][0] and not rows["member"][0]
    # Within two steps: a friend of a friend, and a friend too (read after friendship).
    assert rows["fof"][1:] == (True, True)
    assert rows["friend"][1:] == (True, True)
    assert rows["member"][1:] == (False, False)
    assert rows["blocked"][1:] == (False, False)


@pytest.mark.django_db
def test_the_block_tests_agree(people):
    owner, blocked, member = people["owner"], people["blocked"], people["member"]
    assert blocked_between(owner, blocked) and blocked_between(blocked, owner)
    assert not blocked_between(owner, member)
    everyone = User.objects.filter(pk__in=[p.pk for p in people.values()])
    for viewer in (owner, blocked):
        kept = set(without_blocked(everyone, "pk", viewer).values_list("pk", flat=True))
        hidden = set(everyone.filter(in_block_with(viewer, "pk")).values_list("pk", flat=True))
        annotated = {
            u.pk for u in everyone.annotate(b=block_either_way(viewer, OuterRef("pk"))) if u.b
        }
        assert hidden == annotated == ids_in_block_with(viewer)
        assert kept == {p.pk for p in people.values()} - hidden
    assert ids_in_block_with(owner) == {blocked.pk}
    assert ids_in_block_with(blocked) == {owner.pk}
    assert ids_in_block_with(member, owner, among=[blocked.pk, member.pk]) == {blocked.pk}
    assert ids_in_block_with(member, among=[blocked.pk]) == set()
    assert set(without_blocked(everyone, "pk", None)) == set(everyone)


def _expected(viewer: User, owner: User) -> set[str]:
    relation = relation_between(viewer, owner)
    return {level for level in Level.values if can_see(level, relation)}


@pytest.mark.django_db
def test_level_sql_is_the_level_rule(people):
    """The raw-SQL rendering (search) sees what ``can_see`` says, blocks aside."""
    levels = ", ".join(f"('{value}')" for value in Level.values)
    for owner in people.values():
        sql = level_sql(level="v.level", owner=str(owner.pk))
        for name, viewer in people.items():
            if relation_between(viewer, owner) is Relation.BLOCKED:
                continue  # blocks are the caller's
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT v.level FROM (VALUES {levels}) v(level) WHERE {sql}",  # noqa: S608
                    [viewer.pk] * sql.count("%s"),
                )
                seen = {row[0] for row in cursor.fetchall()}
            assert seen == _expected(viewer, owner), (name, owner)


@pytest.mark.django_db
@pytest.mark.parametrize("level", Level.values)
def test_level_audience_is_the_level_rule(people, level):
    """Asked the other way round (who of some members a level reaches), the same rule:
    everyone the level reaches but the owner (the caller's), blocks aside."""
    owner = people["owner"]
    reach = level_audience(level, owner=owner)
    others = [p for p in people.values() if p.pk != owner.pk]
    expected = {
        p.pk for p in others
        if relation_between(p, owner) is not Relation.BLOCKED and level in _expected(p, owner)
    }
    blocked = people["blocked"].pk
    if reach is None:
        assert expected == set()
        return
    got = set(
        User.objects.filter(pk__in=[p.pk for p in others]).filter(reach)
        .values_list("pk", flat=True)
    )
    assert got - {blocked} == expected


@pytest.mark.django_db
def test_friends_of_friends_reach_across_a_second_friend():
    owner, middle, other = (factories.member(n) for n in ("A Owner", "B Middle", "C Other"))
    factories.befriend(owner, middle)
    factories.befriend(middle, other)
    assert relation_between(other, owner) is Relation.FRIEND_OF_FRIEND
    reach = level_audience(Level.FRIENDS_OF_FRIENDS, owner=owner)
    assert list(User.objects.filter(pk=other.pk).filter(reach)) == [other]
