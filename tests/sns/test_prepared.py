"""Queries compiled once per process (sns/prepared.py): the same rows as the QuerySet they
come from, for every viewer; a builder whose SQL depends on more than its parameters is
refused; the second call compiles nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db.models import F, Value
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from accounts.models import FriendRequest, Profile, User
from accounts.selectors import connections
from accounts.services import block_create
from accounts.views import profiles as account_views
from communities import selectors as community_selectors
from diary import selectors as diary_selectors
from diary.models import Entry
from offkai import selectors
from offkai.selectors import pages as offkai_pages
from sns.home import selectors as home
from sns.home.birthdays import this_week
from sns.prepared import NotAPreparedShape, Prepared
from sns.visibility import (
    Level,
    Relation,
    annotated_relation,
    relation_annotations,
    relations_to,
)
from tests import factories


def _events_of(people):
    """An event of each level by the friend, and one by the member."""
    _owner, friend, _fof, member = people
    events = [
        factories.event(friend, visibility=level, title=f"{level} meetup")
        for level in (Level.MEMBERS, Level.FRIENDS, Level.FRIENDS_OF_FRIENDS, Level.PRIVATE)
    ]
    events.append(factories.event(member, visibility=Level.MEMBERS, title="Members"))
    return events


@pytest.fixture
def people(owner, friend, fof, member):
    return owner, friend, fof, member


def test_home_events_are_the_querysets_rows_for_every_viewer(people, moderator):
    _events_of(people)
    now = timezone.now()
    for viewer in [*people, moderator]:
        expected = list(
            selectors.upcoming(viewer, now).filter(group__lt=selectors.OTHERS)[:home.SHORT]
        )
        first = home._EVENTS(viewer=viewer, now=now)[:home.SHORT]
        again = home._EVENTS_BY_IDS(viewer=viewer, now=now, ids=[e.pk for e in first])
        for got in (first, again):
            assert [(e.pk, e.group, e.places_taken, e.i_host, e.created_by.profile.pk)
                    for e in got] == [
                (e.pk, e.group, e.places_taken, e.i_host, e.created_by.profile.pk)
                for e in expected
            ], viewer
    # Some viewer sees some of them, or the comparison above proves little.
    assert home._EVENTS(viewer=people[1], now=now)


def test_home_counts_are_the_querysets(people):
    owner = people[0]
    now = timezone.now()
    # Everyone's birthday is this week (today, tomorrow, ...): the friends' come along.
    for n, member in enumerate(people):
        day = timezone.localdate() + timedelta(days=n)
        Profile.objects.filter(user=member).update(birth_month=day.month, birth_day=day.day)
    keys = this_week(timezone.now())
    for member in people:
        [row] = home._COUNTS(member=member, now=now, recent=now - timedelta(days=30),
                             birthday_keys=keys)
        [expected] = home._counts_query(member, now, now - timedelta(days=30), keys)
        assert {n: getattr(row, "n_" + n) for n in home.COUNTS} == {
            n: getattr(expected, "n_" + n) for n in home.COUNTS
        }
        assert row.profile.pk == expected.profile.pk
    assert home._counts(owner)["friends"] == 1
    assert [b["member"]["id"] for b in home._counts(owner)["birthdays"]] == [people[1].pk]


def test_home_candidates_are_the_querysets_rows(people, moderator):
    """Home's new comments candidates and new in my communities, compiled once, give what
    their QuerySets give, for viewers who see different rows."""
    owner, friend, fof, member = people
    mine = factories.entry(owner, Level.MEMBERS)
    theirs = factories.entry(friend, Level.MEMBERS)
    for author in (friend, fof, member):
        factories.entry_comment(mine, author)
    factories.entry_comment(theirs, owner)
    factories.entry_comment(theirs, fof)
    club = factories.community(friend, members=[owner, fof])
    topic = factories.topic(club, friend)
    factories.topic_comment(topic, fof)
    since = timezone.now() - timedelta(days=1)
    for viewer in [*people, moderator]:
        assert sorted(diary_selectors.active_entry_ids(viewer, since)) == sorted(
            diary_selectors._active_entries(viewer, since)
        ), viewer
        assert community_selectors._PREVIEW(viewer=viewer, since=since) == list(
            community_selectors._new_activity(viewer, since)[:community_selectors.PREVIEW]
        ), viewer
    # Some viewer has some of each, or the comparison above proves little.
    assert diary_selectors.active_entry_ids(owner, since) and community_selectors._PREVIEW(
        viewer=owner, since=since
    )


def test_profile_queries_are_the_querysets_rows(people, moderator):
    """The profile's member, friend cards and mutual friends, compiled once, give what their
    QuerySets give, for every viewer and member (friends, strangers, a block, a request)."""
    owner, friend, fof, member = people
    factories.befriend(owner, member)
    factories.befriend(fof, member)
    block_create(blocker=member, blocked=friend)
    FriendRequest.objects.create(from_user=fof, to_user=owner, message="Hello")

    def rows(users, *fields):
        return [tuple(getattr(u, f) for f in fields) for u in users]

    card_fields = ("pk", "total", "viewer_friend", "viewer_fof", "viewer_blocked")
    member_fields = ("pk", "request_sent_id", "request_received_id",
                     "request_received_message", "met_viewer")
    for viewer in [*people, moderator]:
        for shown in people:
            assert rows(connections._FRIEND_CARDS(member=shown, viewer=viewer), *card_fields) \
                == rows(connections._friend_cards(shown, viewer), *card_fields), (viewer, shown)
            assert rows(connections._MUTUAL_CARDS(viewer=viewer, member=shown), "pk", "total") \
                == rows(connections._mutual_cards(viewer, shown), "pk", "total"), (viewer, shown)
            assert rows(account_views._PROFILE_MEMBER(member=shown, viewer=viewer),
                        *member_fields) \
                == rows(account_views._profile_member(shown, viewer), *member_fields)
    # Some rows differ between viewers, or the comparisons above prove little.
    assert connections._MUTUAL_CARDS(viewer=owner, member=fof)
    [asked] = account_views._PROFILE_MEMBER(member=fof, viewer=owner)
    assert asked.request_received_message == "Hello"


def test_a_list_parameter_takes_any_number_of_ids(owner):
    entries = [factories.entry(owner, Level.FRIENDS) for _ in range(3)]
    by_ids = home._DIARIES
    assert [e.pk for e in by_ids(ids=[entries[0].pk])] == [entries[0].pk]
    assert {e.pk for e in by_ids(ids=[e.pk for e in entries])} == {e.pk for e in entries}
    assert by_ids(ids=[10**12]) == []


def test_values_and_annotations_come_back_as_from_the_queryset(owner, friend):
    factories.entry(owner, Level.FRIENDS, title="One")
    prepared = Prepared(
        lambda author: Entry.objects.filter(author=author).annotate(twice=F("pk") * 2)
        .values_list("title", "twice"),
        author=User,
    )
    [(title, twice)] = prepared(author=owner)
    assert title == "One" and twice == Entry.objects.get(author=owner).pk * 2
    assert prepared(author=friend) == []


def test_a_builder_that_reads_the_clock_is_refused(owner):
    prepared = Prepared(
        lambda author: Entry.objects.filter(author=author, created_at__lt=timezone.now()),
        author=User,
    )
    with pytest.raises(NotAPreparedShape, match="change without being given"):
        prepared(author=owner)


def test_a_builder_that_writes_a_value_into_the_sql_is_refused(owner):
    # A name made of the value: the SQL's text changes with it.
    prepared = Prepared(
        lambda author: Entry.objects.annotate(**{f"by_{abs(author.pk)}": Value(1)}),
        author=User,
    )
    with pytest.raises(NotAPreparedShape, match="SQL depends on the values"):
        prepared(author=owner)


def test_a_value_left_out_or_of_another_kind_is_refused(owner):
    prepared = Prepared(lambda author: Entry.objects.filter(author=author), author=User)
    with pytest.raises(TypeError):
        prepared()
    with pytest.raises(TypeError):
        Prepared(lambda n: Entry.objects.filter(pk=n), n=int)(n=1)


def test_the_second_call_compiles_nothing(owner, monkeypatch):
    factories.entry(owner, Level.FRIENDS)
    prepared = Prepared(
        lambda author, since: Entry.objects.filter(author=author, created_at__gt=since)
        .annotate(one=Value(1)),
        author=User, since=datetime,
    )
    compiled = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    assert len(prepared(author=owner, since=an_hour_ago)) == 1
    first = len(compiled)
    assert first >= 2  # built twice, to check the shape
    assert len(prepared(author=owner, since=an_hour_ago)) == 1
    assert prepared(author=owner, since=timezone.now() + timedelta(hours=1)) == []
    other = factories.member("Other")
    assert prepared(author=other, since=an_hour_ago) == []
    assert len(compiled) == first


def test_event_pages_and_relations_are_the_querysets_rows(people, moderator):
    """An event as a member opens it, and how a viewer stands to a list of members,
    compiled once, give what their QuerySets give, for every viewer."""
    _owner, _friend, fof, member = people
    events = _events_of(people)
    block_create(blocker=member, blocked=fof)
    everyone = [*people, moderator]
    for viewer in everyone:
        for event in events:
            expected = list(offkai_pages._event_page(viewer).filter(pk=event.pk))
            got = offkai_pages._EVENT(viewer=viewer, event=event)
            assert [(e.pk, e.created_by.profile.pk) for e in got] == [
                (e.pk, e.created_by.profile.pk) for e in expected
            ], (viewer, event)
        others = [m for m in everyone if m.pk != viewer.pk]
        expected = {
            m.pk: annotated_relation(viewer, m)
            for m in User.objects.filter(pk__in=[m.pk for m in others])
            .annotate(**relation_annotations(viewer))
        }
        assert relations_to(viewer, everyone) == {**expected, viewer.pk: Relation.SELF}
    # Each relation comes up, or the comparison above proves little.
    assert set(relations_to(fof, everyone).values()) == {
        Relation.SELF, Relation.FRIEND, Relation.FRIEND_OF_FRIEND, Relation.BLOCKED,
        Relation.MEMBER,
    }
