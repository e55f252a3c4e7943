"""Redis emptied in the middle of a run (issue 16, item 5): a restart without persistence,
an operator's FLUSHDB, an eviction of everything. Members post, comment, ask, block and
read; the parts cache (sns.cache) is emptied between reads and writes, between a write and
its bump, and while a part is being computed. After each step every page equals what the
cold computation gives (the same page with no cache), and every write made around the flush
is there. (The flush empties this run's keys only, ``cache.forget_all``: for the site the
same as a FLUSHDB, and a run in another worktree keeps its own.)
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import Block, FriendRequest, Friendship
from accounts.selectors import circle
from accounts.services import block_create
from communities import services as community_services
from communities.models import TopicComment
from diary import services as diary_services
from diary.models import Comment, Entry
from sns import cache, moderation
from tests import factories, warm


@contextmanager
def cold():
    """No parts cache: every part computed from PostgreSQL."""
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(CACHES={**settings.CACHES, cache.ALIAS: dummy}):
        yield


def _page(client, url: str) -> str:
    """The answer's status and body (a circle not shown to a viewer is a 404)."""
    response = client.get(url)
    assert response.status_code in {200, 404}, url
    # What differs between any two answers: the CSRF token.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return f"{response.status_code}\n{body}"


class Site:
    def __init__(self, owner, friend, fof, member, moderator, as_user):
        self.people = {"owner": owner, "friend": friend, "fof": fof, "member": member}
        self.owner, self.friend, self.fof, self.member = owner, friend, fof, member
        self.moderator = moderator
        self.clients = {name: as_user(person) for name, person in self.people.items()}
        self.club = factories.community(owner, name="Tea club", members=[friend, member])
        self.topic = factories.topic(self.club, owner, title="Matcha tasting")

    def pages(self) -> list[str]:
        """Every page that shows a cached part: the header's counts (on each page), home's
        new in my communities, the circle and its picture, and the lists beside them."""
        return [
            "/", "/notifications/settings/", "/diary/", "/friends/requests/",
            reverse("communities:detail", args=[self.club.pk]),
            reverse("accounts:circle", args=[self.owner.pk]),
            reverse("accounts:circle_svg", args=[self.owner.pk]),
            reverse("accounts:circle_svg", args=[self.friend.pk]),
        ]

    def read(self) -> dict:
        return {(name, url): _page(client, url)
                for name, client in self.clients.items() for url in self.pages()}

    def assert_as_cold(self) -> dict:
        """Every page as each member, warm, equals the same page computed cold."""
        warm_pages = self.read()
        with cold():
            cold_pages = self.read()
        for key, body in warm_pages.items():
            assert body == cold_pages[key], key
        return warm_pages


@pytest.fixture
def site(owner, friend, fof, member, moderator, as_user, settings):
    settings.TOPIC_CREATE_PER_HOUR = 1000
    with warm.parts_on_redis() as parts:
        built = Site(owner, friend, fof, member, moderator, as_user)
        built.parts = parts
        yield built


def test_a_flush_between_reads_and_writes_loses_nothing_and_shows_nothing_stale(site):
    s = site
    s.assert_as_cold()
    assert warm.filled(s.parts)
    with warm.committed():
        entry = diary_services.entry_create(author=s.friend, title="Spring tea", body="Sencha.",
                                            visibility="friends")
        diary_services.comment_create(entry_id=entry.pk, author=s.owner, body="Lovely.")
        factories.topic_comment(s.topic, s.member, "Cold brew next time?")
        accounts_services.friend_request_send(sender=s.member, recipient=s.owner)
    before_flush = s.assert_as_cold()  # read twice: cached

    cache.forget_all()  # the flush, between reads and writes
    assert s.assert_as_cold() == before_flush

    with warm.committed():
        hidden = factories.topic_comment(s.topic, s.friend, "Too bitter.")
        cache.forget_all()  # the flush, between a write and its bump
        accounts_services.friendship_end(user=s.friend, other=s.fof)
    s.assert_as_cold()

    with warm.committed():
        moderation.content_hide(target=hidden, by=s.moderator)
        block_create(blocker=s.owner, blocked=s.member)
    # The flush while a part is computed: the circle's ids are filed under generations
    # that the flush took away.
    ring = circle._ring

    def flushed_midway(member, size):
        found = ring(member, size)
        cache.forget_all()
        return found

    circle._ring = flushed_midway
    try:
        s.assert_as_cold()
    finally:
        circle._ring = ring
    after = s.assert_as_cold()

    # Nothing lost: every write made around the flushes is there and shows.
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert Comment.objects.filter(entry=entry, author=s.owner).exists()
    assert TopicComment.objects.filter(topic=s.topic, author=s.member).exists()
    assert TopicComment.objects.filter(pk=hidden.pk, hidden_at__isnull=False).exists()
    assert not Friendship.objects.between(s.friend, s.fof).exists()
    assert Block.objects.filter(blocker=s.owner, blocked=s.member).exists()
    # The block ended the member's request; the friend's entry is still on the owner's list.
    assert not FriendRequest.objects.filter(from_user=s.member).exists()
    assert "Spring tea" in after[("owner", "/diary/")]
    assert "Too bitter." not in after[("owner", reverse("communities:detail",
                                                         args=[s.club.pk]))]
    assert "Fof Person" not in after[("friend", reverse("accounts:circle_svg",
                                                        args=[s.friend.pk]))]


def test_a_flush_before_a_bump_never_keeps_what_the_write_removed(site):
    """The header's count read from the cache, then a write that removes from it, then the
    flush before the write's bump: the next page counts without it."""
    s = site
    accounts_services.friend_request_send(sender=s.member, recipient=s.owner)
    client = s.clients["owner"]
    pages = [_page(client, "/notifications/settings/") for _ in range(2)]
    assert all('Friend requests <span class="nav-count">1</span>' in page for page in pages)
    with warm.committed():
        community_services.membership_leave(community=s.club, user=s.member)
        block_create(blocker=s.member, blocked=s.owner)
        cache.forget_all()
    page = _page(client, "/notifications/settings/")
    assert 'Friend requests <span class="nav-count">' not in page
    s.assert_as_cold()
