"""Met in person: members a host marked as come to the same off-kai see "met at" on each
other's profiles, and meeting counts in people you may know."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import block_create
from communities import services as community_services
from offkai import selectors, services
from sns.suggestions import selectors as suggestions
from sns.suggestions.services import suggestions_refresh
from tests import factories
from tests.html import assert_well_formed
from tests.sns.test_suggestions import suggested

pytestmark = pytest.mark.django_db


def met(event, *people):
    """Everyone in ``people`` came to ``event`` (as its host would confirm)."""
    for person in people:
        factories.answer(event, person, attended=True)
    return event


def test_members_who_came_to_the_same_event_met_there(owner, friend, member):
    event = met(factories.event(owner, days=-3, title="Shared"), friend, member)
    assert selectors.met_at(friend, member) == [event]
    assert selectors.met_at(member, friend) == [event]
    assert selectors.met_at(member, member) == []
    assert selectors.met_at(None, member) == []


def test_only_those_marked_as_come(owner, friend, member, fof):
    event = factories.event(owner, days=-3)
    factories.answer(event, friend, attended=True)
    factories.answer(event, member, attended=False)
    factories.answer(event, fof)  # not confirmed
    assert selectors.met_at(friend, member) == []
    assert selectors.met_at(friend, fof) == []


def test_through_the_attendance_service_hosts_meet_those_who_came(owner, friend):
    event = factories.event(owner, days=-1)
    factories.answer(event, friend)
    services.attendance_confirm(event=event, by=owner, came_ids=[owner.pk, friend.pk])
    assert selectors.met_at(friend, owner) == [event]


def test_newest_first_bounded_and_not_cancelled(owner, friend, member):
    events = [met(factories.event(owner, days=-10 + i), friend, member) for i in range(7)]
    events[-1].cancelled_at = events[-1].starts_at - timedelta(days=1)
    events[-1].save(update_fields=["cancelled_at"])
    shown = selectors.met_at(friend, member)
    assert shown == events[-2:-2 - selectors.MET_AT_SHOWN:-1]
    assert len(shown) == selectors.MET_AT_SHOWN


def test_only_events_the_viewer_may_see(owner, friend, member):
    # A friends-only event of the owner: the friend sees it, the member (a guest who came
    # but is not the owner's friend) does not.
    event = met(factories.event(owner, days=-3, visibility="friends"), friend, member)
    assert selectors.met_at(friend, member) == [event]
    assert selectors.met_at(member, friend) == []


def test_leaving_the_community_hides_its_events(owner, friend, member):
    club = factories.community(owner, members=[friend, member])
    event = met(factories.event(owner, days=-3, community=club, visibility="community"),
                friend, member)
    assert selectors.met_at(member, friend) == [event]
    community_services.membership_leave(community=club, user=member)
    assert selectors.met_at(member, friend) == []


# --- on the profile ------------------------------------------------------------------------

def test_each_profile_shows_met_at(as_user, owner, friend, member, fof):
    event = met(factories.event(owner, days=-3, title="Hanami <party>"), friend, member)
    on_member = as_user(friend).get(member.get_absolute_url()).content.decode()
    on_friend = as_user(member).get(friend.get_absolute_url()).content.decode()
    for body in (on_member, on_friend):
        assert_well_formed(body)
        assert "Met at" in body
        assert f'<a href="{event.get_absolute_url()}">Hanami &lt;party&gt;</a>' in body
    # Someone who was not there sees nothing, nor does one on their own page.
    assert "Met at" not in as_user(fof).get(member.get_absolute_url()).content.decode()
    assert "Met at" not in as_user(member).get(member.get_absolute_url()).content.decode()


def test_the_profile_spends_a_query_on_it_only_when_the_two_met(as_user, owner, friend,
                                                                 member):
    client = as_user(friend)
    with CaptureQueriesContext(connection) as before:
        client.get(member.get_absolute_url())
    met(factories.event(owner, days=-3), friend, member)
    with CaptureQueriesContext(connection) as after:
        body = client.get(member.get_absolute_url()).content.decode()
    assert "Met at" in body
    # Footprints are written once a day: the second visit spends fewer on them.
    assert len(after.captured_queries) <= len(before.captured_queries) + 1


def test_a_block_hides_the_profile_and_its_events(as_user, owner, friend, member):
    met(factories.event(owner, days=-3), friend, member)
    block_create(blocker=member, blocked=friend)
    assert as_user(friend).get(member.get_absolute_url()).status_code == 404


# --- people you may know -------------------------------------------------------------------

@pytest.fixture
def me(db):
    return factories.member("Me Myself")


def test_someone_met_at_an_off_kai_is_suggested(as_user, owner, me):
    stranger = factories.member("Met Stranger")
    met(factories.event(owner, days=-3), me, stranger)
    factories.member("Never Met")
    body = as_user(me).get(reverse("suggestions:list")).content.decode()
    assert_well_formed(body)
    assert suggested(body) == ["Met Stranger"]
    assert "Met at 1 off-kai" in body
    assert "0 mutual friends" not in body


def test_meeting_ranks_above_a_few_mutual_friends(me):
    pals = [factories.member(f"Pal {i}") for i in range(8)]
    for pal in pals:
        factories.befriend(me, pal)
    few = factories.member("Few Mutual")
    for pal in pals[:2]:
        factories.befriend(pal, few)
    many = factories.member("Many Mutual")
    for pal in pals:
        factories.befriend(pal, many)
    met_once = factories.member("Met Once")
    met(factories.event(factories.member("Host"), days=-3), me, met_once)
    suggestions_refresh(member=me)
    ranked = [(p.profile.real_name, p.mutual_count, p.met_count)
              for p in suggestions.people_you_may_know(me)]
    # One off-kai together weighs as much as MET_IN_PERSON_WEIGHT (5) mutual friends.
    assert suggestions.MET_IN_PERSON_WEIGHT == 5
    assert ranked == [("Many Mutual", 8, 0), ("Met Once", 0, 1), ("Few Mutual", 2, 0)]


def test_meeting_twice_outranks_many_mutual_friends(me):
    pals = [factories.member(f"Pal {i}") for i in range(6)]
    for pal in pals:
        factories.befriend(me, pal)
    many = factories.member("Many Mutual")
    for pal in pals:
        factories.befriend(pal, many)
    twice = factories.member("Met Twice")
    host = factories.member("Host")
    for days in (-10, -3):
        met(factories.event(host, days=days), me, twice)
    suggestions_refresh(member=me)
    assert [p.profile.real_name for p in suggestions.people_you_may_know(me)] == [
        "Met Twice", "Many Mutual"
    ]


def test_a_friend_met_at_an_off_kai_is_not_suggested(me, friend):
    factories.befriend(me, friend)
    met(factories.event(friend, days=-3), me, friend)
    suggestions_refresh(member=me)
    assert friend not in list(suggestions.people_you_may_know(me))


def test_unconfirmed_attendance_does_not_count(me):
    other = factories.member("Other")
    event = factories.event(factories.member("Host"), days=-3)
    factories.answer(event, me, attended=True)
    factories.answer(event, other)
    suggestions_refresh(member=me)
    assert list(suggestions.people_you_may_know(me)) == []
