"""Access matrix: an event's page, its answers page and its CSV, over every visibility level
(and a community's and a secret community's event) × persona, with every expected outcome
written out. The same table checks ``offkai.services.may_see`` (who gets notices) against
``Event.objects.visible_to`` (who may see): the two must never disagree.

Personas: host (the creator, ``owner``); cohost (a friend of the owner made co-host);
friend (the owner's friend); fof (a friend of the friend); insider (a member of the
community, no tie to the owner); member (no tie at all); blocked (blocked by the owner;
insider too, so a community does not lift a block); anonymous (not logged in; the site
has no public pages).

Outcomes: 200 / 404; "login" when a visitor is sent to log in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from communities.models import JoinPolicy, Membership
from offkai.models import Event
from offkai.services import may_see
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

VIEWS = ["detail", "answers", "csv"]
PERSONAS = ["host", "cohost", "friend", "fof", "insider", "member", "blocked", "anonymous"]
# The events: one per level without a community, then a community's own.
EVENTS = ["public", "members", "fof", "friends", "private", "community", "open_members",
          "secret"]

HOST = {"detail": 200, "answers": 200, "csv": 200}
SEES = {"detail": 200, "answers": 404, "csv": 404}
NONE = {"detail": 404, "answers": 404, "csv": 404}
LOGIN = {"detail": "login", "answers": "login", "csv": "login"}

EXPECTED = {
    "public": {
        "host": HOST, "cohost": HOST, "friend": SEES, "fof": SEES, "insider": SEES,
        "member": SEES, "blocked": NONE, "anonymous": LOGIN,
    },
    "members": {
        "host": HOST, "cohost": HOST, "friend": SEES, "fof": SEES, "insider": SEES,
        "member": SEES, "blocked": NONE, "anonymous": LOGIN,
    },
    "fof": {
        "host": HOST, "cohost": HOST, "friend": SEES, "fof": SEES, "insider": NONE,
        "member": NONE, "blocked": NONE, "anonymous": LOGIN,
    },
    "friends": {
        "host": HOST, "cohost": HOST, "friend": SEES, "fof": NONE, "insider": NONE,
        "member": NONE, "blocked": NONE, "anonymous": LOGIN,
    },
    # "Hosts only".
    "private": {
        "host": HOST, "cohost": HOST, "friend": NONE, "fof": NONE, "insider": NONE,
        "member": NONE, "blocked": NONE, "anonymous": LOGIN,
    },
    # An open community's event for its members only.
    "community": {
        "host": HOST, "cohost": HOST, "friend": NONE, "fof": NONE, "insider": SEES,
        "member": NONE, "blocked": NONE, "anonymous": LOGIN,
    },
    # An open community's event for all members: its level reaches outside too.
    "open_members": {
        "host": HOST, "cohost": HOST, "friend": SEES, "fof": SEES, "insider": SEES,
        "member": SEES, "blocked": NONE, "anonymous": LOGIN,
    },
    # A secret community's event, asked for "all members": only its members see it.
    "secret": {
        "host": HOST, "cohost": HOST, "friend": NONE, "fof": NONE, "insider": SEES,
        "member": NONE, "blocked": NONE, "anonymous": LOGIN,
    },
}


def test_the_table_is_complete():
    assert set(EXPECTED) == set(EVENTS)
    for name in EVENTS:
        assert set(EXPECTED[name]) == set(PERSONAS), name
        for persona in PERSONAS:
            assert set(EXPECTED[name][persona]) == set(VIEWS), (name, persona)


@pytest.fixture
def world(owner, friend, fof, member, blocked):
    cohost = factories.member("Co Host", email="cohost@example.com")
    factories.befriend(owner, cohost)
    insider = factories.member("Inside Member", email="insider@example.com")
    open_club = factories.community(owner, name="Open club")
    secret_club = factories.community(owner, policy=JoinPolicy.SECRET,
                                      name="Secret club")
    for club in (open_club, secret_club):
        for person in (insider, blocked, cohost):
            Membership.objects.create(community=club, user=person)
    events = {
        level: factories.event(owner, visibility=level, co_hosts=[cohost], title=level)
        for level in ["public", "members", "fof", "friends", "private"]
    }
    events["community"] = factories.event(owner, visibility="community", community=open_club,
                                          co_hosts=[cohost], title="community")
    events["open_members"] = factories.event(owner, visibility="members", community=open_club,
                                             co_hosts=[cohost], title="open_members")
    # As the service would store it: a secret community forces "community".
    events["secret"] = factories.event(owner, visibility="community", community=secret_club,
                                       co_hosts=[cohost], title="secret")
    personas = {
        "host": owner, "cohost": cohost, "friend": friend, "fof": fof, "insider": insider,
        "member": member, "blocked": blocked, "anonymous": None,
    }
    return personas, events


def _path(view: str, event: Event) -> str:
    return {
        "detail": reverse("offkai:detail", args=[event.pk]),
        "answers": reverse("offkai:answers", args=[event.pk]),
        "csv": reverse("offkai:answers_csv", args=[event.pk]),
    }[view]


def _outcome(client, view: str, event: Event):
    response = client.get(_path(view, event))
    if response.status_code == 302:
        assert "login" in response["Location"]
        return "login"
    if response.status_code == 200 and view != "csv":
        assert_well_formed(response.content.decode())
    return response.status_code


@pytest.mark.parametrize("name", EVENTS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(world, as_user, name, persona):
    personas, events = world
    client = as_user(personas[persona])
    event = events[name]
    actual = {view: _outcome(client, view, event) for view in VIEWS}
    assert actual == EXPECTED[name][persona]


@pytest.mark.parametrize("name", EVENTS)
def test_notices_reach_exactly_who_may_see(world, name):
    personas, events = world
    event = events[name]
    people = [p for p in personas.values() if p is not None]
    reached = set(may_see(event, User.objects.filter(pk__in=[p.pk for p in people]))
                  .values_list("pk", flat=True))
    seeing = {p.pk for p in people if Event.objects.visible_to(p).filter(pk=event.pk).exists()}
    expected = {personas[p].pk for p in PERSONAS
                if p != "anonymous" and EXPECTED[name][p]["detail"] == 200}
    assert reached == seeing == expected


def test_an_inactive_creators_events_reach_nobody(world):
    personas, events = world
    User.objects.filter(pk=personas["host"].pk).update(is_active=False)
    event = events["members"]
    assert not may_see(event, User.objects.all()).exists()
    assert not Event.objects.visible_to(personas["friend"]).filter(pk=event.pk).exists()


def test_a_public_event_is_open_to_visitors_where_the_site_allows(world, as_user, settings):
    settings.SITE_PUBLIC_PAGES = True
    _personas, events = world
    visitor = as_user(None)
    assert _outcome(visitor, "detail", events["public"]) == 200
    assert _outcome(visitor, "detail", events["members"]) == 404
    assert _outcome(visitor, "answers", events["public"]) == "login"
    body = visitor.get(_path("detail", events["public"])).content.decode()
    assert "Log in to answer." in body and 'name="answer"' not in body
    assert "Log in to comment." in body
