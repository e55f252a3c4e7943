"""The circle picture: a member's friends on a ring, lines between friends who know each other."""

import xml.etree.ElementTree as ET
from xml.dom import minidom

import pytest
from django.urls import reverse

from accounts.models import Profile
from accounts.selectors import circle
from tests import factories
from tests.html import assert_well_formed

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def ring(owner):
    friends = [factories.member(f"Friend {i}") for i in range(4)]
    for friend in friends:
        factories.befriend(owner, friend)
    factories.befriend(friends[0], friends[1])  # two of them know each other
    return friends


def test_layout_places_friends_and_joins_those_who_know_each_other(owner, ring):
    picture = circle.layout(owner, ring)
    assert [node.member for node in picture.nodes] == ring
    assert [(a.member, b.member) for a, b in picture.edges] == [(ring[0], ring[1])]
    for node in picture.nodes:
        assert 0 < node.x < picture.size and 0 < node.y < picture.size


def test_svg_is_a_document_with_a_title_description_and_links(as_user, owner, ring, member):
    response = as_user(member).get(reverse("accounts:circle_svg", args=[owner.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert "Owner Person" in root.find(f"{SVG}title").text
    assert "4 friends" in root.find(f"{SVG}desc").text
    links = {a.get("href") for a in root.iter(f"{SVG}a")}
    assert {f.get_absolute_url() for f in ring} | {owner.get_absolute_url()} == links
    # The friend-to-centre spokes and the one friend-to-friend line.
    assert len(list(root.iter(f"{SVG}line"))) == 4 + 1


def test_names_are_escaped(as_user, owner, member):
    sneaky = factories.member('<script>alert("x")</script>')
    factories.befriend(owner, sneaky)
    body = as_user(member).get(reverse("accounts:circle_svg", args=[owner.pk])).content
    ET.fromstring(body)  # still well-formed XML
    assert b"<script>" not in body


def test_names_stored_with_control_characters_still_make_valid_xml(as_user, owner, member):
    """Names stored before control characters were dropped on the way in (sns.text): the
    standalone picture must stay a valid XML document for the centre and for every friend,
    by any strict parser, with the characters XML 1.0 does not allow left out."""
    pasted = factories.member("x")
    factories.befriend(owner, pasted)
    Profile.objects.filter(user=pasted).update(real_name="Esc\x1b[1mape\x0bd \ufffeName\x7f")
    Profile.objects.filter(user=owner).update(real_name="Owner\x08 Person\x0c")
    body = as_user(member).get(reverse("accounts:circle_svg", args=[owner.pk])).content
    root = ET.fromstring(body)
    minidom.parseString(body)  # noqa: S318 - our own output, parsed to prove it valid
    names = {t.text for t in root.iter(f"{SVG}text")}
    assert names == {"Esc[1maped Name", "Owner Person"}
    assert "Owner Person" in root.find(f"{SVG}title").text


def test_readable_at_150_friends(owner, django_assert_max_num_queries):
    friends = [factories.member(f"名前{i:03d}") for i in range(150)]
    for friend in friends:
        factories.befriend(owner, friend)
    with django_assert_max_num_queries(1):
        picture = circle.layout(owner, friends)
    assert picture.size > circle.BASE_SIZE
    assert picture.font_size >= 9
    # Neighbouring nodes are spread at least a label's height apart along the ring.
    a, b = picture.nodes[0], picture.nodes[1]
    assert ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 >= picture.font_size


@pytest.mark.parametrize("count", [5, 50])
def test_circle_page_has_the_plain_list_and_bounded_queries(
    as_user, owner, member, count, django_assert_max_num_queries
):
    for i in range(count):
        friend = factories.member(f"Pal {i}")
        factories.befriend(owner, friend)
    client = as_user(member)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:circle", args=[owner.pk]))
    body = response.content.decode()
    assert_well_formed(body)
    assert body.count('class="circle-list"') == 1
    assert "Pal 0" in body and f"Pal {count - 1}" in body


def test_empty_circle_and_unknown_member(as_user, member):
    client = as_user(member)
    page = client.get(reverse("accounts:circle", args=[member.pk]))
    assert "No friends yet." in page.content.decode()
    assert client.get(reverse("accounts:circle_svg", args=[999999])).status_code == 404
