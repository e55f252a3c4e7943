"""The search page's results kept as HTML per viewer and search (``{% part "search" %}``,
sns.search.views; issue 16), with the parts cache on Redis: the results read twice (the second
look from the kept HTML, no query but the session's) before each change, then the change
through the services, then the results again: what is taken away is gone on the next look;
what a write adds shows once the matches kept for everyone are checked again
(``selectors.FOUND_EVERY`` seconds at most: ``later`` below lets that time pass)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from communities import services as communities_services
from communities.models import JoinPolicy
from diary import services as diary
from sns import matching, moderation
from sns.search import selectors
from sns.search.views import KEPT_FOR
from sns.visibility import Level
from tests import factories, warm
from tests.sns.home.test_home_kept import GOING, edit, goes, plan
from tests.sns.home.test_home_part import second_look


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.TOPIC_CREATE_PER_HOUR = 1000
    settings.OFFKAI_CREATE_PER_DAY = 1000


def results(client, words: str, **look) -> str:
    body = second_look(client, reverse("search") + "?" + urlencode({"q": words}), **look)
    return body[body.index("</form>"):]


def test_results_are_kept_and_read_without_a_query(parts, owner, friend, as_user):
    with warm.committed():
        diary.entry_create(author=friend, title="Lanterns by the river", body="…",
                           visibility=Level.FRIENDS)
    body = results(as_user(owner), "lanterns", from_kept=True)
    assert "Lanterns by the river" in body


def test_results_are_kept_for_ten_minutes_at_most(parts, owner, as_user):
    client = as_user(owner)
    results(client, "lanterns", from_kept=True)
    raw = parts._cache.get_client()
    keys = raw.keys(parts.make_key("part:search:*"))
    assert keys
    assert KEPT_FOR == 600 and all(0 < raw.ttl(key) <= KEPT_FOR for key in keys)


def later(parts) -> None:
    """As if ``selectors.FOUND_EVERY`` seconds had passed: the matches kept for everyone are
    due to be checked again by the next search."""
    raw = parts._cache.get_client()
    due = raw.keys(parts.make_key("part:found-checked:*"))
    assert due
    raw.delete(*due)


def test_a_new_entry_shows_once_the_matches_are_checked_again(parts, owner, friend, as_user):
    client = as_user(owner)
    assert "Nothing found" in results(client, "lanterns", from_kept=True)
    with warm.committed():
        diary.entry_create(author=friend, title="Lanterns by the river", body="…",
                           visibility=Level.FRIENDS)
    assert "Lanterns by the river" not in results(client, "lanterns", from_kept=True)
    later(parts)
    assert "Lanterns by the river" in results(client, "lanterns")


def test_an_entry_widened_shows_once_the_matches_are_checked_again(parts, owner, friend,
                                                                    as_user):
    with warm.committed():
        walk = diary.entry_create(author=friend, title="Lanterns by the river", body="…",
                                  visibility=Level.PRIVATE)
    client = as_user(owner)
    assert "Lanterns by the river" not in results(client, "lanterns", from_kept=True)
    with warm.committed():
        diary.entry_update(entry=walk, title=walk.title, body="…", visibility=Level.FRIENDS)
    later(parts)
    assert "Lanterns by the river" in results(client, "lanterns")


def test_matches_are_found_once_for_everyone(parts, owner, friend, member, as_user):
    """A second member's first search of a word nobody wrote asks PostgreSQL for nothing
    but their session and what the page counts of them: every kind was found empty once."""
    results(as_user(owner), "lanterns")
    client = as_user(member)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("search") + "?" + urlencode({"q": "lanterns"})).content
    assert "Nothing found" in body.decode()
    searched = [q["sql"] for q in queries if "tsquery" in q["sql"]]
    assert searched == []


@pytest.mark.parametrize("kind", ["diaries", "topics", "topic_comments"])
def test_past_the_newest_kept_everything_is_searched(parts, kind, owner, friend, monkeypatch):
    """Only the newest FOUND_LIMIT matches are kept: a viewer who may see none of those
    (the newest are private, or in a secret community) gets the older ones all the same."""
    monkeypatch.setattr(selectors, "FOUND_LIMIT", 3)
    club = factories.community(friend, name="Open club", members=[owner])
    secret = factories.community(friend, name="Secret club",
                                 policy=JoinPolicy.SECRET)
    for i, seen in enumerate([True, True, False, False, False, False]):
        when = timedelta(days=10 - i)
        if kind == "diaries":
            factories.entry(friend, Level.MEMBERS if seen else Level.PRIVATE,
                            title=f"Lantern {i}", ago=when)
        elif kind == "topics":
            factories.topic(club if seen else secret, friend, title=f"Lantern {i}")
        else:
            topic = factories.topic(club if seen else secret, friend, title=f"T{i}")
            factories.topic_comment(topic, friend, body=f"Lantern {i}")
    query = matching.tsquery("lantern")
    ids, complete, _marks = selectors.found(kind, query)
    assert len(ids) == 3 and not complete
    shown = selectors.page_of(kind, owner, query, 1).rows
    expected = list(selectors.KINDS[kind](owner, query))
    assert shown == expected and len(shown) == 2


@pytest.mark.parametrize("how", ["private", "hidden", "deleted"])
def test_an_entry_taken_away_leaves_the_results(parts, how, owner, friend, moderator, as_user):
    with warm.committed():
        walk = diary.entry_create(author=friend, title="Lanterns by the river", body="…",
                                  visibility=Level.FRIENDS)
    client = as_user(owner)
    assert "Lanterns by the river" in results(client, "lanterns", from_kept=True)
    with warm.committed():
        if how == "private":
            diary.entry_update(entry=walk, title=walk.title, body="…", visibility=Level.PRIVATE)
        elif how == "hidden":
            moderation.content_hide(target=walk, by=moderator, reason="Spam")
        else:
            diary.entry_delete(entry=walk)
    assert "Lanterns by the river" not in results(client, "lanterns")


@pytest.mark.parametrize("how", GOING)
def test_a_member_who_goes_takes_their_results(parts, how, owner, friend, moderator, as_user):
    with warm.committed():
        diary.entry_create(author=friend, title="Lanterns by the river", body="…",
                           visibility=Level.FRIENDS)
    client = as_user(owner)
    body = results(client, "friend", from_kept=True)
    assert "Friend Person" in body
    assert "Lanterns by the river" in results(client, "lanterns")
    goes(how, owner, friend, moderator)
    assert "Lanterns by the river" not in results(client, "lanterns")
    if how != "unfriended":
        assert "Friend Person" not in results(client, "friend")


def test_a_topic_hidden_and_a_community_left_leave_the_results(parts, owner, friend,
                                                              moderator, as_user):
    club = factories.community(friend, name="Lantern makers", members=[owner])
    topic = factories.topic(club, friend, title="Paper lanterns")
    client = as_user(owner)
    body = results(client, "lantern", from_kept=True)
    assert "Paper lanterns" in body and "Lantern makers" in body
    with warm.committed():
        moderation.content_hide(target=topic, by=moderator, reason="Spam")
    assert "Paper lanterns" not in results(client, "lantern")
    with warm.committed():
        communities_services.community_close(community=club, by=friend)
    assert "Lantern makers" not in results(client, "lantern")


def test_an_off_kai_hidden_or_narrowed_leaves_the_results(parts, owner, friend, moderator,
                                                          as_user):
    lanterns, kites = plan(friend, "Lantern walk"), plan(friend, "Lantern kites")
    client = as_user(owner)
    body = results(client, "lantern", from_kept=True)
    assert "Lantern walk" in body and "Lantern kites" in body
    edit(kites, friend, visibility="private")
    with warm.committed():
        moderation.content_hide(target=lanterns, by=moderator, reason="Spam")
    body = results(client, "lantern")
    assert "Lantern walk" not in body and "Lantern kites" not in body


def test_each_search_and_page_is_kept_apart(parts, owner, friend, as_user):
    with warm.committed():
        diary.entry_create(author=friend, title="Lanterns by the river", body="…",
                           visibility=Level.FRIENDS)
        diary.entry_create(author=friend, title="Kites on the hill", body="…",
                           visibility=Level.FRIENDS)
    client = as_user(owner)
    assert "Kites" not in results(client, "lanterns", from_kept=True)
    assert "Lanterns" not in results(client, "kites", from_kept=True)
    body = second_look(client, reverse("search") + "?" + urlencode(
        {"q": "kites", "kind": "diaries", "page": "junk"}), from_kept=True)
    assert "Page 1" in body


def test_an_off_kai_found_that_ends_is_shown_as_over(parts, generous, owner, friend, as_user,
                                                       monkeypatch):
    """Kept results hold until the first upcoming off-kai they show ends (no write ends it)."""
    picnic = plan(friend, "Lantern picnic", days=1)
    client = as_user(owner)
    assert "going" in results(client, "lantern", from_kept=True)
    picnic.refresh_from_db()
    later = picnic.ends_at + timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    body = results(client, "lantern")
    assert "Lantern picnic" in body and "going" not in body
