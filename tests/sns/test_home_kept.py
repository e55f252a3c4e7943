"""Home's lists of entries kept as ids (sns/home.py, issue 16): with the parts cache on Redis
and every home read once before each change, what a friend adds shows on the next look (the
writers' fan-out bumps the readers' scopes) and what is removed is gone on the next look
(home reads each kept entry again, with its checks).

Every change goes through the services, as the site makes it; ``committed()`` runs what
waits for the commit (the bumps)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from accounts.blocking import block_create
from diary import services as diary
from sns import moderation
from sns.visibility import Level
from tests import warm

HOME = reverse("home")


@pytest.fixture
def parts(db):
    with warm.parts_on_redis() as parts:
        yield parts


def _home(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def _section(client, heading: str) -> str:
    """Home's section under ``heading``, read twice: the first read fills the cache (if it
    was not), the second is what the member sees from it."""
    _home(client)
    body = _home(client)
    if "Nothing new yet" in body:
        return ""
    found = re.search(rf"<h2>{heading}</h2>(.*?)</section>", body, re.S)
    assert found, heading
    return found.group(1)


def friends_diaries(client) -> list[str]:
    section = _section(client, "Friends(?:&#x27;|') diaries")
    return re.findall(r'<li><a href="/diary/[^"]*">([^<]+)</a>', section)


def commented(client) -> list[str]:
    section = _section(client, "New comments")
    return re.findall(r'<li><a href="/diary/[^"]*#comments">([^<]+)</a>', section)


def write(author, title: str, level=Level.FRIENDS):
    with warm.committed():
        return diary.entry_create(author=author, title=title, body="…", visibility=level)


def test_a_friends_new_entry_shows_on_the_next_look(parts, owner, friend, as_user):
    client = as_user(owner)
    write(friend, "First day")
    assert friends_diaries(client) == ["First day"]
    assert warm.filled(parts)
    write(friend, "Second day")
    assert friends_diaries(client) == ["Second day", "First day"]
    # Private ones never reach it, and reach it once shown.
    hidden = write(friend, "Only for me", Level.PRIVATE)
    assert friends_diaries(client) == ["Second day", "First day"]
    with warm.committed():
        diary.entry_update(entry=hidden, title="Only for me", body="…", visibility=Level.MEMBERS)
    assert friends_diaries(client) == ["Only for me", "Second day", "First day"]


def test_what_is_removed_is_gone_on_the_next_look(parts, owner, friend, moderator, as_user):
    client = as_user(owner)
    first, second = write(friend, "First day"), write(friend, "Second day")
    assert friends_diaries(client) == ["Second day", "First day"]
    with warm.committed():
        diary.entry_update(entry=second, title="Second day", body="…", visibility=Level.PRIVATE)
    assert friends_diaries(client) == ["First day"]
    with warm.committed():
        moderation.content_hide(target=first, by=moderator, reason="Spam")
    assert friends_diaries(client) == []
    with warm.committed():
        moderation.content_unhide(target=first, by=moderator)
    assert friends_diaries(client) == ["First day"]
    with warm.committed():
        diary.entry_delete(entry=first)
    assert friends_diaries(client) == []


@pytest.mark.parametrize("how", ["unfriended", "blocked", "suspended"])
def test_a_friend_who_goes_takes_their_entries(parts, how, owner, friend, moderator, as_user):
    client = as_user(owner)
    write(friend, "First day")
    assert friends_diaries(client) == ["First day"]
    with warm.committed():
        if how == "unfriended":
            accounts_services.friendship_end(user=owner, other=friend)
        elif how == "blocked":
            block_create(blocker=friend, blocked=owner)
        else:
            moderation.member_suspend(member=friend, by=moderator)
    assert friends_diaries(client) == []


def test_the_list_is_found_again_when_its_entries_go(parts, owner, friend, as_user):
    """Home keeps a few more ids than it shows; once removals leave fewer than it shows of
    them, the list is found again from PostgreSQL, and the older entries come up."""
    entries = [write(friend, f"Day {n}") for n in range(12)]
    client = as_user(owner)
    assert friends_diaries(client) == [f"Day {n}" for n in (11, 10, 9, 8, 7)]
    for entry in entries[5:]:
        with warm.committed():
            diary.entry_delete(entry=entry)
    assert friends_diaries(client) == [f"Day {n}" for n in (4, 3, 2, 1, 0)]


def test_new_comments_show_and_go(parts, owner, friend, moderator, as_user):
    mine = write(owner, "My trip")
    client = as_user(owner)
    assert commented(client) == []
    with warm.committed():
        comment = diary.comment_create(entry_id=mine.pk, author=friend, body="Looks fun")
    assert commented(client) == ["My trip"]
    with warm.committed():
        moderation.content_hide(target=comment, by=moderator)
    assert commented(client) == []
    with warm.committed():
        moderation.content_unhide(target=comment, by=moderator)
    assert commented(client) == ["My trip"]
    with warm.committed():
        diary.comment_delete(comment_id=comment.pk, user=friend)
    assert commented(client) == []


def test_new_comments_after_mine_show(parts, owner, friend, fof, as_user):
    """On a friend's entry I commented on, a third member's comment is new for me."""
    theirs = write(friend, "Friend's trip", Level.FRIENDS_OF_FRIENDS)
    with warm.committed():
        diary.comment_create(entry_id=theirs.pk, author=owner, body="Have fun")
    client = as_user(owner)
    assert commented(client) == []
    with warm.committed():
        diary.comment_create(entry_id=theirs.pk, author=fof, body="Me too")
    assert commented(client) == ["Friend&#x27;s trip"]
