"""Rows rendered once (``{% cache %}`` in entry_row.html and comment.html, the
template_fragments cache of sns/settings.py): each is kept under everything it shows, so a
change of any of it shows on the next read, with no write dropping anything, and two viewers
who are shown a row differently each get their own."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from accounts import services as accounts_services
from diary import services as diary
from sns import images
from sns.visibility import Level
from tests import factories

FEED = reverse("diary:friends")


@pytest.fixture(autouse=True)
def _kept():
    """The fragments are kept for real here (the settings' LocMemCache), emptied first."""
    caches["template_fragments"].clear()


def rows(client) -> str:
    body = client.get(FEED).content.decode()
    return "".join(re.findall(r'<li class="entry-row">.*?</li>', body, re.S))


def test_an_entry_row_follows_what_it_shows(owner, friend, as_user):
    entry = factories.entry(friend, Level.FRIENDS, title="Spring walk", body="Cherry")
    client = as_user(owner)
    assert "Spring walk" in rows(client) and "0 comments" in rows(client)
    assert len(caches["template_fragments"]._cache) >= 1
    diary.comment_create(entry_id=entry.pk, author=owner, body="Lovely")
    assert "1 comment" in rows(client)
    diary.entry_update(entry=entry, title="Spring hike", body="Plum", visibility=Level.FRIENDS)
    shown = rows(client)
    assert "Spring hike" in shown and "Plum" in shown and "Spring walk" not in shown
    # Whichever name the site shows, it changes.
    accounts_services.profile_update(
        user=friend, fields={"real_name": "Kaze Real", "nickname": "Kaze"}
    )
    assert "Kaze" in rows(client)
    factories.entry_photo(entry)
    assert "entry-thumb" in rows(client)
    ja = as_user(owner).get(FEED, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "コメント1件" in ja and "1 comment" not in ja


def test_a_comments_author_is_shown_to_each_viewer_as_they_may_see_them(
    owner, friend, member, as_user
):
    """The photo of a friends-only profile: the friend sees it on the comment, a member
    who is not a friend does not, whichever of them read the thread first."""
    entry = factories.entry(friend, Level.MEMBERS, title="Open entry")
    accounts_services.profile_update(
        user=friend, fields={"photo_visibility": Level.FRIENDS},
        photo=images.process(factories.image_file("PNG", (200, 150))),
    )
    diary.comment_create(entry_id=entry.pk, author=friend, body="My own comment")
    url = entry.get_absolute_url()

    def head(client) -> str:
        body = client.get(url).content.decode()
        return re.search(r'<div class="comment-head">.*?</div>', body, re.S).group(0)

    stranger, mine = as_user(member), as_user(owner)
    assert "<img" not in head(stranger)
    assert "<img" in head(mine)
    assert "<img" not in head(stranger)
    # Narrowed to "only me": gone for the friend too, on the next read.
    accounts_services.profile_update(user=friend, fields={"photo_visibility": Level.PRIVATE})
    assert "<img" not in head(mine)


def test_an_event_card_keeps_its_badges_per_viewer(owner, friend, as_user):
    """The card's title and time are kept; who hosts, who answered and whether it is
    cancelled are each viewer's, on every read."""
    from offkai.services.events import event_cancel

    event = factories.event(owner, visibility=Level.FRIENDS, title="Tea ceremony")

    def card(client) -> str:
        body = client.get(reverse("offkai:list")).content.decode()
        return re.search(r'<li class="event-card[^"]*">.*?</li>', body, re.S).group(0)

    host, guest = as_user(owner), as_user(friend)
    assert "Tea ceremony" in card(guest) and "You host" not in card(guest)
    assert "You host" in card(host)
    assert "You host" not in card(guest)
    event.title = "Tea ceremony in Uji"
    event.save(update_fields=["title"])
    assert "Tea ceremony in Uji" in card(guest)
    event_cancel(event=event, by=owner, reason="Rain")
    assert "Cancelled" in card(guest) and "event-cancelled" in card(host)
