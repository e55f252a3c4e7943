"""Access matrix: secret / approval / open community × persona × view, with every expected
outcome written out.

Personas: admin (the community's admin, ``owner``); insider (a plain member of the
community); friend (the admin's friend, not a member); other (a member with no tie to the
admin, not a member); blocked (blocked by the admin, not a member); anonymous.

Views: the community page, its members page, its topic list, a topic by the insider, a topic
by the admin, the requests page (admins only), search results, "communities my friends are
in" and the admin's profile's community list. Every persona but anonymous is the insider's
friend, so "friends are in" can list the community for each of them.

Outcomes: 200 / 404 for pages; "in" / "out" for lists (the page itself is 200);
"404" for a list whose page is a 404 (the blocked member on the admin's profile);
anonymous visitors are sent to log in ("login") everywhere.
"""

import pytest
from django.urls import reverse

from accounts.services import block_create, block_remove
from communities import services
from communities.models import JoinPolicy, Membership
from tests import factories, warm
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

VIEWS = ["page", "members", "topics", "topic", "admin_topic", "requests",
         "search", "friends_in", "profile"]
PERSONAS = ["admin", "insider", "friend", "other", "blocked", "anonymous"]

LOGIN = {view: "login" for view in VIEWS}
ALL_MEMBER = {
    "page": 200, "members": 200, "topics": 200, "topic": 200, "admin_topic": 200,
    "requests": 404, "search": "in", "friends_in": "in", "profile": "in",
}

EXPECTED = {
    JoinPolicy.SECRET: {
        "admin": {**ALL_MEMBER, "requests": 200},
        "insider": ALL_MEMBER,
        "friend": {
            "page": 404, "members": 404, "topics": 404, "topic": 404, "admin_topic": 404,
            "requests": 404, "search": "out", "friends_in": "out", "profile": "out",
        },
        "other": {
            "page": 404, "members": 404, "topics": 404, "topic": 404, "admin_topic": 404,
            "requests": 404, "search": "out", "friends_in": "out", "profile": "out",
        },
        "blocked": {
            "page": 404, "members": 404, "topics": 404, "topic": 404, "admin_topic": 404,
            "requests": 404, "search": "out", "friends_in": "out", "profile": "404",
        },
        "anonymous": LOGIN,
    },
    JoinPolicy.APPROVAL: {
        "admin": {**ALL_MEMBER, "requests": 200},
        "insider": ALL_MEMBER,
        "friend": ALL_MEMBER,
        "other": ALL_MEMBER,
        # The admin's block hides the admin's topics and profile, not the community.
        "blocked": {**ALL_MEMBER, "admin_topic": 404, "profile": "404"},
        "anonymous": LOGIN,
    },
    JoinPolicy.OPEN: {
        "admin": {**ALL_MEMBER, "requests": 200},
        "insider": ALL_MEMBER,
        "friend": ALL_MEMBER,
        "other": ALL_MEMBER,
        "blocked": {**ALL_MEMBER, "admin_topic": 404, "profile": "404"},
        "anonymous": LOGIN,
    },
}

NAME = {
    JoinPolicy.SECRET: "秘密の茶会",
    JoinPolicy.APPROVAL: "承認制の茶会",
    JoinPolicy.OPEN: "誰でもの茶会",
}


def test_the_table_is_complete():
    for policy in JoinPolicy.values:
        assert set(EXPECTED[policy]) == set(PERSONAS)
        for persona in PERSONAS:
            assert set(EXPECTED[policy][persona]) == set(VIEWS), (policy, persona)


@pytest.fixture
def world(owner, friend, member, blocked):
    insider = factories.member("Inside Member", email="insider@example.com")
    for person in [owner, friend, member, blocked]:
        factories.befriend(insider, person)
    communities = {}
    for policy in JoinPolicy.values:
        community = factories.community(owner, policy=policy, name=NAME[policy])
        Membership.objects.create(community=community, user=insider)
        communities[policy] = {
            "community": community,
            "topic": factories.topic(community, insider, title="Insider topic"),
            "admin_topic": factories.topic(community, owner, title="Admin topic"),
        }
    personas = {
        "admin": owner, "insider": insider, "friend": friend, "other": member,
        "blocked": blocked, "anonymous": None,
    }
    return personas, communities


def _path(view, owner, parts) -> str:
    community = parts["community"]
    pages = {
        "page": reverse("communities:detail", args=[community.pk]),
        "members": reverse("communities:members", args=[community.pk]),
        "topics": reverse("communities:topics", args=[community.pk]),
        "topic": reverse("communities:topic", args=[community.pk, parts["topic"].pk]),
        "admin_topic": reverse(
            "communities:topic", args=[community.pk, parts["admin_topic"].pk]
        ),
        "requests": reverse("communities:requests", args=[community.pk]),
        "search": reverse("communities:list") + "?q=茶会",
        "friends_in": reverse("communities:friends"),
        "profile": owner.get_absolute_url(),
    }
    return pages[view]


def _outcome(client, view, path, community) -> object:
    response = client.get(path)
    if response.status_code == 302:
        assert "login" in response["Location"]
        return "login"
    if view in {"search", "friends_in", "profile"}:
        if response.status_code == 404:
            return "404"
        assert response.status_code == 200
        body = response.content.decode()
        assert_well_formed(body)
        return "in" if community.get_absolute_url() + '"' in body else "out"
    return response.status_code


@pytest.mark.parametrize("policy", JoinPolicy.values)
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(world, as_user, owner, policy, persona):
    personas, communities = world
    parts = communities[policy]
    client = as_user(personas[persona])
    actual = {
        view: _outcome(client, view, _path(view, owner, parts), parts["community"])
        for view in VIEWS
    }
    assert actual == EXPECTED[policy][persona]


# --- warm: with the parts cache on Redis (issue 16, item 5) ---------------------------------

# Persona → the change that decides what they miss, and the persona they answer like before
# it: a friend or a stranger who was in the secret community and left it; the blocked member
# before the admin's block. (Leaving an open or approval community hides nothing here.)
WARM = {"friend": ("leaving", "insider"), "other": ("leaving", "insider"),
        "blocked": ("block", "other")}


def _warm_cases():
    for policy in JoinPolicy.values:
        for persona, (change, _like) in WARM.items():
            if change == "block" or policy == JoinPolicy.SECRET:
                yield pytest.param(policy, persona, id=f"{policy}-{persona}")


@pytest.mark.parametrize(("policy", "persona"), list(_warm_cases()))
def test_access_matrix_warm(world, as_user, owner, policy, persona):
    """Every view read once before the change (the cache holds what it showed), then the
    change through the services, then read again: the persona's row, on the next request."""
    personas, communities = world
    parts, viewer = communities[policy], personas[persona]
    change, like = WARM[persona]
    client = as_user(viewer)

    def read() -> dict:
        return {view: _outcome(client, view, _path(view, owner, parts), parts["community"])
                for view in VIEWS}

    with warm.parts_on_redis() as cached:
        if change == "leaving":
            Membership.objects.create(community=parts["community"], user=viewer)
        else:
            block_remove(blocker=owner, blocked_id=viewer.pk)
        assert read() == EXPECTED[policy][like], "before the change"
        assert warm.filled(cached)
        with warm.committed():
            if change == "leaving":
                services.membership_leave(community=parts["community"], user=viewer)
            else:
                block_create(blocker=owner, blocked=viewer)
        assert read() == EXPECTED[policy][persona], "after the change"
