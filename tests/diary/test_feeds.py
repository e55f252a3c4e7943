"""Friends' diaries (keyset pages) and new comments (新着コメント)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from diary import selectors, services
from diary.models import Comment, DiaryPreference, Entry
from sns import paging
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

FRIENDS = "/diary/"
NEW = "/diary/comments/"
_seq = itertools.count(1)


def entry(author, visibility=Level.FRIENDS, **fields) -> Entry:
    fields.setdefault("title", f"Entry {next(_seq)}")
    fields.setdefault("body", "本文")
    return Entry.objects.create(author=author, visibility=visibility, **fields)


def comment(e: Entry, author, ago: timedelta | None = None, body: str = "hi") -> Comment:
    c = services.comment_create(entry_id=e.pk, author=author, body=body)
    if ago is not None:
        Comment.objects.filter(pk=c.pk).update(created_at=timezone.now() - ago)
    return c


def titles(body: str) -> list[str]:
    return re.findall(r'class="entry-row-title"><a href="[^"]+">([^<]+)</a>', body)


def walk(viewer, size=selectors.FEED_PAGE_SIZE) -> list[list[Entry]]:
    """Every page of the viewer's friends' diaries, following the cursors."""
    pages, before = [], None
    while True:
        page = selectors.friends_page(viewer, before, size=size)
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        before = page.next_cursor


# --- friends' diaries --------------------------------------------------------------------------

def test_friends_diaries_list_friends_entries_newest_first(owner, friend, as_user):
    other = factories.member("Second Friend")
    factories.befriend(owner, other)
    now = timezone.now()
    entry(friend, title="older", created_at=now - timedelta(hours=2))
    entry(other, title="newer", created_at=now - timedelta(hours=1))
    entry(owner, title="my own")
    response = as_user(owner).get(FRIENDS)
    body = response.content.decode()
    assert response.status_code == 200
    assert_well_formed(body)
    assert titles(body) == ["newer", "older"]
    assert "Friend Person" in body and "Second Friend" in body


def test_friends_diaries_honour_visibility_and_friendship(owner, friend, fof, member, as_user):
    for level in Level.values:
        entry(friend, level, title=f"friend {level}")
        entry(fof, level, title=f"fof {level}")
        entry(member, level, title=f"member {level}")
    shown = set(titles(as_user(owner).get(FRIENDS).content.decode()))
    # Friends' entries only, and of those what a friend may see: everything but "only me".
    assert shown == {f"friend {level}" for level in Level.values if level != Level.PRIVATE}


def test_friends_diaries_hide_blocked_and_departed_members(owner, friend, as_user):
    from accounts.services import block_create

    gone = factories.member("Gone Person")
    factories.befriend(owner, gone)
    entry(gone, title="gone")
    entry(friend, title="blocked later")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert titles(as_user(owner).get(FRIENDS).content.decode()) == ["blocked later"]
    block_create(blocker=friend, blocked=owner)
    assert titles(as_user(owner).get(FRIENDS).content.decode()) == []
    assert titles(as_user(friend).get(FRIENDS).content.decode()) == []


def test_friends_diaries_go_through_visible_to(owner, friend):
    """Even a friendship row left behind by a block does not leak an entry."""
    from accounts.models import Block, Friendship

    e = entry(friend)
    Block.objects.create(blocker=owner, blocked=friend)
    assert Friendship.objects.filter(user=owner, friend=friend).exists()
    assert e not in selectors.friends_entries(owner)


def test_friends_diaries_show_comment_counts(owner, friend, as_user):
    e = entry(friend)
    comment(e, owner)
    comment(e, friend)
    body = as_user(owner).get(FRIENDS).content.decode()
    assert "2 comments" in body


def test_an_empty_feed_says_so(member, as_user):
    body = as_user(member).get(FRIENDS).content.decode()
    assert_well_formed(body)
    assert "Your friends have not written anything you can read yet." in body


@pytest.mark.parametrize("plan", ["per friend", "walk"])
def test_keyset_pages_have_no_duplicates_or_gaps_even_with_equal_times(
    owner, friend, plan, monkeypatch
):
    # Both query plans (chosen by the number of friends) give the same pages.
    monkeypatch.setattr(selectors, "PER_FRIEND_UP_TO", 500 if plan == "per friend" else 0)
    other = factories.member()
    factories.befriend(owner, other)
    base = timezone.now() - timedelta(days=1)
    made = []
    for i in range(47):
        # Runs of entries written in the very same microsecond, by both friends.
        created = base + timedelta(minutes=i // 4)
        made.append(entry(friend if i % 2 else other, created_at=created))
    pages = walk(owner, size=10)
    assert [len(p) for p in pages] == [10, 10, 10, 10, 7]
    seen = [e.pk for page in pages for e in page]
    expected = [e.pk for e in sorted(made, key=lambda e: (e.created_at, e.pk), reverse=True)]
    assert seen == expected


def test_a_new_entry_does_not_shift_the_older_pages(owner, friend):
    base = timezone.now() - timedelta(days=1)
    for i in range(5):
        entry(friend, created_at=base + timedelta(minutes=i))
    first = selectors.friends_page(owner, None, size=2)
    entry(friend, title="brand new")
    second = selectors.friends_page(owner, first.next_cursor, size=2)
    assert [e.pk for e in second.items] == [
        e.pk for e in Entry.objects.order_by("-created_at", "-pk")[3:5]
    ]
    assert not {e.pk for e in first.items} & {e.pk for e in second.items}


def test_the_older_link_walks_the_pages(owner, friend, as_user):
    base = timezone.now() - timedelta(days=1)
    for i in range(25):
        entry(friend, title=f"e{i:02d}", created_at=base + timedelta(minutes=i))
    client = as_user(owner)
    body = client.get(FRIENDS).content.decode()
    assert titles(body) == [f"e{i:02d}" for i in range(24, 4, -1)]
    older = re.search(r'<a rel="next" href="\?before=([^"]+)">Older entries</a>', body)
    assert older
    second = client.get(FRIENDS, {"before": older.group(1)}).content.decode()
    assert_well_formed(second)
    assert titles(second) == [f"e{i:02d}" for i in range(4, -1, -1)]
    assert 'rel="next"' not in second
    assert f'href="{FRIENDS}">Newest</a>' in second


@pytest.mark.parametrize("before", ["junk", "12_x", "_", "9" * 40 + "_1", "-5_1"])
def test_a_malformed_cursor_shows_a_page_not_an_error(owner, friend, as_user, before):
    entry(friend, title="there")
    response = as_user(owner).get(FRIENDS, {"before": before})
    assert response.status_code == 200


def test_cursors_round_trip():
    moment = timezone.now()
    assert paging.cursor_decode(paging.cursor_encode(moment, 42)) == (moment, 42)
    assert paging.cursor_decode(None) is None


@pytest.mark.parametrize("count", [5, 50])
def test_friends_diaries_take_a_bounded_number_of_queries(
    owner, as_user, django_assert_max_num_queries, count
):
    friends = [factories.member() for _ in range(5)]
    for f in friends:
        factories.befriend(owner, f)
    for i in range(count):
        e = entry(friends[i % 5])
        Comment.objects.create(entry=e, author=owner, body="x")
    client = as_user(owner)
    with django_assert_max_num_queries(8):
        response = client.get(FRIENDS)
    assert len(titles(response.content.decode())) == min(count, selectors.FEED_PAGE_SIZE)


def test_friends_diaries_in_japanese(owner, friend, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    entry(friend, title="海へ行った")
    body = as_user(owner).get(FRIENDS).content.decode()
    assert_well_formed(body)
    assert "友だちの日記" in body
    assert "海へ行った" in body


def test_hostile_titles_are_not_active_in_the_feed(owner, friend, as_user):
    entry(friend, title="<script>alert(1)</script>", body='<img src=x onerror="alert(1)">')
    body = as_user(owner).get(FRIENDS).content.decode()
    assert "<script>alert" not in body
    assert "onerror=" not in body


def test_the_navigation_links_to_friends_diaries(owner, as_user):
    body = as_user(owner).get("/").content.decode()
    assert f'href="{FRIENDS}"' in body


# --- new comments ------------------------------------------------------------------------------

def new_titles(body: str) -> list[str]:
    return re.findall(r'class="entry-row-title"><a href="[^"]+#comments">([^<]+)</a>', body)


def test_new_comments_on_my_entry_and_where_i_commented(owner, friend, fof, as_user):
    mine = entry(owner, title="mine")
    theirs = entry(friend, Level.FRIENDS_OF_FRIENDS, title="theirs")
    untouched = entry(friend, title="untouched")
    comment(mine, friend, ago=timedelta(hours=3))
    comment(theirs, owner, ago=timedelta(hours=2))
    comment(theirs, fof, ago=timedelta(hours=1))
    comment(theirs, friend, ago=timedelta(minutes=30))
    comment(untouched, friend)
    body = as_user(owner).get(NEW).content.decode()
    assert_well_formed(body)
    assert new_titles(body) == ["theirs", "mine"]
    assert "2 new comments" in body
    assert "1 new comment" in body


def test_my_own_comments_are_not_new_to_me(owner, friend, as_user):
    mine = entry(owner, title="mine")
    comment(mine, owner)
    assert new_titles(as_user(owner).get(NEW).content.decode()) == []


def test_visiting_moves_the_last_look(owner, friend, as_user):
    mine = entry(owner, title="mine")
    comment(mine, friend, ago=timedelta(hours=1))
    client = as_user(owner)
    before = timezone.now()
    assert new_titles(client.get(NEW).content.decode()) == ["mine"]
    seen = DiaryPreference.objects.get(user=owner).comments_seen_at
    assert seen >= before
    assert new_titles(client.get(NEW).content.decode()) == []
    comment(mine, friend)
    assert new_titles(client.get(NEW).content.decode()) == ["mine"]
    assert DiaryPreference.objects.get(user=owner).comments_seen_at > seen


def test_the_last_look_never_moves_back(owner):
    later = timezone.now()
    services.comments_seen_mark(user=owner, at=later)
    services.comments_seen_mark(user=owner, at=later - timedelta(hours=1))
    assert DiaryPreference.objects.get(user=owner).comments_seen_at == later


def test_the_first_look_covers_the_last_week(owner, friend, as_user):
    recent, old = entry(owner, title="recent"), entry(owner, title="old")
    comment(recent, friend, ago=timedelta(days=6))
    comment(old, friend, ago=timedelta(days=8))
    assert new_titles(as_user(owner).get(NEW).content.decode()) == ["recent"]


def test_the_first_look_starts_at_the_same_moment_on_home_and_on_the_page(
    owner, friend, as_user
):
    """Before a first look both start a week back, to the hour (home keeps its list under
    that key): a comment just after it is new on both."""
    edge = entry(owner, title="edge")
    comment(edge, friend, ago=timezone.now() - selectors.first_look() - timedelta(minutes=1))
    client = as_user(owner)
    assert "edge" in client.get("/").content.decode()
    assert new_titles(client.get(NEW).content.decode()) == ["edge"]


def test_entries_out_of_sight_drop_out(owner, friend, as_user):
    theirs = entry(friend, title="theirs")
    comment(theirs, owner, ago=timedelta(hours=2))
    comment(theirs, friend, ago=timedelta(hours=1))
    Entry.objects.filter(pk=theirs.pk).update(visibility=Level.PRIVATE)
    assert new_titles(as_user(owner).get(NEW).content.decode()) == []


def test_comments_from_blocked_or_departed_members_are_not_new(owner, member, as_user):
    from accounts.services import block_create

    mine = entry(owner, Level.MEMBERS, title="mine")
    gone = factories.member("Gone")
    comment(mine, member, ago=timedelta(hours=1))
    comment(mine, gone, ago=timedelta(hours=1))
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    block_create(blocker=owner, blocked=member)
    assert new_titles(as_user(owner).get(NEW).content.decode()) == []


def test_later_pages_keep_the_first_pages_look(owner, friend, as_user):
    base = timezone.now() - timedelta(hours=5)
    for i in range(selectors.NEW_COMMENTS_PAGE_SIZE + 3):
        e = entry(owner, title=f"n{i:02d}")
        c = comment(e, friend)
        Comment.objects.filter(pk=c.pk).update(created_at=base + timedelta(minutes=i))
    client = as_user(owner)
    first = client.get(NEW).content.decode()
    assert len(new_titles(first)) == selectors.NEW_COMMENTS_PAGE_SIZE
    link = re.search(r'<a rel="next" href="\?([^"]+)">', first).group(1).replace("&amp;", "&")
    second = client.get(f"{NEW}?{link}").content.decode()
    assert_well_formed(second)
    assert new_titles(second) == ["n02", "n01", "n00"]
    # The first page moved the last look; the next visit starts from it.
    assert new_titles(client.get(NEW).content.decode()) == []


def test_new_comment_entry_count(owner, friend):
    comment(entry(owner), friend)
    comment(entry(owner), friend)
    assert selectors.new_comment_entry_count(owner) == 2
    services.comments_seen_mark(user=owner, at=timezone.now())
    assert selectors.new_comment_entry_count(owner) == 0


@pytest.mark.parametrize("count", [5, 50])
def test_new_comments_take_a_bounded_number_of_queries(
    owner, as_user, django_assert_max_num_queries, count
):
    commenters = [factories.member() for _ in range(5)]
    for i in range(count):
        e = entry(owner, Level.MEMBERS)
        Comment.objects.create(entry=e, author=commenters[i % 5], body="x")
    client = as_user(owner)
    with django_assert_max_num_queries(12):
        response = client.get(NEW)
    assert len(new_titles(response.content.decode())) == min(
        count, selectors.NEW_COMMENTS_PAGE_SIZE
    )


def test_new_comments_in_japanese(owner, friend, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    comment(entry(owner, title="ひとこと"), friend)
    body = as_user(owner).get(NEW).content.decode()
    assert_well_formed(body)
    assert "新着コメント" in body
    assert "ひとこと" in body
    assert "New comments" not in body


def test_feed_pages_need_a_login(owner):
    from django.test import Client

    for path in (FRIENDS, NEW):
        response = Client().get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
