"""Home's lists of entries kept as ids (sns.home.selectors, issue 16): with the parts cache on Redis
and every home read once before each change, what a friend adds shows on the next look (the
writers' fan-out bumps the readers' scopes) and what is removed is gone on the next look
(home reads each kept entry again, with its checks).

Every change goes through the services, as the site makes it; ``committed()`` runs what
waits for the commit (the bumps)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.services import block_create
from communities import services as communities_services
from diary import services as diary
from offkai import services as offkai_services
from offkai.models import Event
from sns import cache, moderation
from sns.home import selectors as home
from sns.visibility import Level
from tests import factories, warm

HOME = reverse("home")


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


GOING = ["unfriended", "blocked", "suspended"]


def goes(how: str, owner, friend, moderator) -> None:
    """``friend`` leaves ``owner``'s world as ``how`` says (one of GOING)."""
    with warm.committed():
        if how == "unfriended":
            accounts_services.friendship_end(user=owner, other=friend)
        elif how == "blocked":
            block_create(blocker=friend, blocked=owner)
        else:
            moderation.member_suspend(member=friend, by=moderator)


def deleted(event) -> None:
    """``event``'s row gone, as every way of deleting one bumps its scope (the admin, a host
    leaving the site: every part), which home's kept HTML is kept under: the kept list of ids
    below it still holds the event, and must find it gone."""
    with warm.committed():
        Event.objects.filter(pk=event.pk).delete()
        cache.bump(cache.event(event))


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


@pytest.mark.parametrize("how", GOING)
def test_a_friend_who_goes_takes_their_entries(parts, how, owner, friend, moderator, as_user):
    client = as_user(owner)
    write(friend, "First day")
    assert friends_diaries(client) == ["First day"]
    goes(how, owner, friend, moderator)
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


# --- upcoming off-kai: the ids kept, the cards read again ----------------------------------


def offkai(client) -> list[str]:
    section = _section(client, "Upcoming off-kai")
    return re.findall(r'<a href="/offkai/\d+/">([^<]+)</a>', section)


def plan(host, title: str, *, days: float = 7, **overrides):
    starts = timezone.now() + timedelta(days=days)
    values = {
        "title": title, "description": "", "starts_at": starts,
        "ends_at": starts + timedelta(hours=2), "venue": "", "address": "", "capacity": None,
        "fee": "", "rsvp_deadline": None, "guest_limit": 0, "community": None,
        "visibility": "members",
    }
    values.update(overrides)
    with warm.committed():
        return offkai_services.event_create(creator=host, **values)


def edit(event, by, **changes):
    values = {
        name: getattr(event, name) for name in [
            "title", "description", "starts_at", "ends_at", "venue", "address", "capacity",
            "fee", "rsvp_deadline", "guest_limit", "visibility",
        ]
    }
    values.update(changes)
    with warm.committed():
        return offkai_services.event_update(event=event, by=by, **values)


def test_off_kai_that_concern_me_show_on_the_next_look(
    parts, generous, owner, friend, fof, member, as_user
):
    client = as_user(owner)
    assert offkai(client) == []
    plan(friend, "Friend's picnic", days=3)
    assert offkai(client) == ["Friend&#x27;s picnic"]
    assert warm.filled(parts)
    # A stranger's off-kai is not listed until I answer it (my own write: the next look).
    stranger_s = plan(member, "Stranger's talk", days=1)
    assert offkai(client) == ["Friend&#x27;s picnic"]
    with warm.committed():
        offkai_services.rsvp_answer(event_id=stranger_s.pk, user=owner, answer="attending")
    assert offkai(client) == ["Stranger&#x27;s talk", "Friend&#x27;s picnic"]
    with warm.committed():
        offkai_services.rsvp_withdraw(event_id=stranger_s.pk, user=owner)
    assert offkai(client) == ["Friend&#x27;s picnic"]
    # A friend made co-host of a friend's friend's off-kai: it is my friend's.
    theirs = plan(fof, "Their walk", days=2)
    assert offkai(client) == ["Friend&#x27;s picnic"]
    edit(theirs, fof, co_hosts=[friend])
    assert offkai(client) == ["Their walk", "Friend&#x27;s picnic"]
    # One in a community I am in.
    club = factories.community(member)
    with warm.committed():
        communities_services.membership_join(community=club, user=owner)
    plan(member, "Club meeting", days=2, community=club, visibility="community")
    assert offkai(client) == ["Their walk", "Friend&#x27;s picnic", "Club meeting"]


def test_off_kai_removed_are_gone_on_the_next_look(
    parts, generous, owner, friend, moderator, as_user, monkeypatch
):
    client = as_user(owner)
    picnic, walk = plan(friend, "Picnic", days=2), plan(friend, "Walk", days=3)
    assert offkai(client) == ["Picnic", "Walk"]
    edit(walk, friend, visibility="private")
    assert offkai(client) == ["Picnic"]
    with warm.committed():
        moderation.content_hide(target=picnic, by=moderator, reason="Spam")
    assert offkai(client) == []
    with warm.committed():
        moderation.content_unhide(target=picnic, by=moderator)
    assert offkai(client) == ["Picnic"]
    # Moved later than another: the order follows at once.
    edit(walk, friend, visibility="members")
    assert offkai(client) == ["Picnic", "Walk"]
    edit(picnic, friend, starts_at=picnic.starts_at + timedelta(days=5),
         ends_at=picnic.ends_at + timedelta(days=5))
    assert offkai(client) == ["Walk", "Picnic"]
    deleted(walk)
    assert offkai(client) == ["Picnic"]
    # Over: gone without any write, once its end has passed.
    picnic.refresh_from_db()
    later = picnic.ends_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert offkai(client) == []


@pytest.mark.parametrize("how", GOING)
def test_a_friend_who_goes_takes_their_off_kai(
    parts, generous, how, owner, friend, moderator, as_user
):
    client = as_user(owner)
    plan(friend, "Picnic")
    assert offkai(client) == ["Picnic"]
    goes(how, owner, friend, moderator)
    assert offkai(client) == []


def test_the_off_kai_list_is_found_again_when_its_events_go(
    parts, generous, owner, friend, as_user
):
    events = [plan(friend, f"Meet {n}", days=1 + n) for n in range(12)]
    client = as_user(owner)
    assert offkai(client) == [f"Meet {n}" for n in range(5)]
    for event in events[:8]:
        deleted(event)
    assert offkai(client) == [f"Meet {n}" for n in range(8, 12)]


# --- built ahead: the write's task builds the lists again for those who keep one -------------


def _kept_now(name: str, scopes, key) -> list[int]:
    """The part as kept and current; fails if it would have to be computed."""

    def computed():
        raise AssertionError(f"{name} was not built ahead")

    return cache.cached(name, scopes, computed, key=key)


def test_a_friends_new_entry_is_built_into_the_lists_kept(parts, owner, friend, fof, as_user):
    client = as_user(owner)
    assert friends_diaries(client) == []
    entry = write(friend, "Built ahead")
    # Bumped and built again by the task: the next look finds it without computing.
    assert _kept_now(
        "home-diaries",
        [cache.feed(owner), cache.friends(owner), cache.blocks(owner), cache.PEOPLE],
        (owner.pk,),
    ) == [entry.pk]
    # A friend who kept no list (never opened home) is not built one.
    assert cache.kept("home-diaries", [(fof.pk,), (owner.pk,)]) == [False, True]


def test_a_comment_is_built_into_the_participants_lists(parts, owner, friend, as_user):
    mine = write(owner, "My trip")
    client = as_user(owner)
    assert commented(client) == []
    with warm.committed():
        diary.comment_create(entry_id=mine.pk, author=friend, body="Looks fun")
    since = home._comments_since(None)
    assert _kept_now(
        "home-commented", [cache.commented(owner), cache.blocks(owner), cache.PEOPLE],
        (owner.pk, since.isoformat()),
    ) == [mine.pk]


def test_an_answer_is_built_into_the_members_off_kai_list(
    parts, generous, owner, member, as_user
):
    client = as_user(owner)
    assert offkai(client) == []
    talk = plan(member, "Talk", days=1)
    with warm.committed():
        offkai_services.rsvp_answer(event_id=talk.pk, user=owner, answer="attending")
    assert _kept_now(
        "home-events",
        [cache.EVENTS, cache.offkai(owner), cache.friends(owner), cache.memberships(owner),
         cache.blocks(owner), cache.PEOPLE],
        (owner.pk,),
    ) == [talk.pk]
