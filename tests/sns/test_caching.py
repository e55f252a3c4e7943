"""Page parts kept in the shared cache (sns.cache): the header's counts, the circle picture and
home's "new in my communities". Each is read from the cache on the next request, and every
write that changes it shows on the very next request.

The "parts" alias is a real Redis here (a database of this module's own, emptied before and
after each test). A test's transaction never commits, and the services bump generations only
once theirs has: each write runs under ``django_capture_on_commit_callbacks(execute=True)``,
which runs what waits for the commit when the write is done, as the commit would. Each write
test reads the part twice first (the second read from the cache), so a missing bump leaves
the old value on the page and the test fails.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import FriendRequest, User
from accounts.selectors import circle
from accounts.services import block_create, block_remove
from communities import services as community_services
from communities.models import JoinPolicy, JoinRequest, Topic
from sns import cache, moderation
from sns.leaving.services import member_leave
from sns.notify import Kind, notify, notify_many
from sns.policy.services import member_refuse
from tests import factories

# A Redis database of this module's own (test_settings uses 3 and 4, test_two_servers 6).
REDIS_DB = 12
LIGHT = "/notifications/settings/"  # a page that shows little besides the header
HOME = reverse("home")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def parts(settings):
    settings.CACHES = {**settings.CACHES, cache.ALIAS: {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "KEY_PREFIX": "test-caching",
    }}
    parts = caches[cache.ALIAS]
    parts.clear()
    yield parts
    parts.clear()


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.TOPIC_CREATE_PER_HOUR = 1000


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` around a write: what waits for its commit runs at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def visit(client, path: str) -> tuple[str, int]:
    """The page's body and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode(), len(queries)


def cached_twice(client, path: str, read):
    """Read a part on two visits (the second from the cache); return what both showed."""
    first, second = read(visit(client, path)[0]), read(visit(client, path)[0])
    assert first == second
    return second


# --- the cache itself ------------------------------------------------------------------------

def test_a_value_is_kept_until_its_scope_is_bumped(db, committed):
    computed = []

    def compute():
        computed.append(len(computed) + 1)
        return computed[-1]

    def read():
        return cache.cached("sample", [cache.inbox(1), cache.PEOPLE], compute, key=(1,))

    assert read() == read() == 1
    cache.bump(cache.inbox(2))  # another member's scope: nothing changes
    assert read() == 1
    with committed():
        cache.bump(cache.inbox(1))
        assert read() == 1  # not before the commit
    assert read() == read() == 2
    with committed():
        cache.bump(cache.PEOPLE)
    assert read() == 3


def test_an_evicted_generation_never_brings_an_old_value_back(db, parts):
    values = iter(["first", "second"])

    def read():
        return cache.cached("sample", [cache.friends(7)], lambda: next(values), key=(7,))

    assert read() == "first"
    parts.delete("gen:friends:7")  # as Redis evicts a key under memory pressure
    assert read() == read() == "second"


def test_a_slower_readers_older_value_is_never_shown(db, committed):
    """A reader that read the generations before a write and stores its value after a
    newer reader's: the value it leaves is out of date, and the next reader computes."""
    scopes = [cache.inbox(3)]
    assert cache.cached("sample", scopes, lambda: "old", key=(3,)) == "old"
    slow = {}

    def slow_compute():
        # The write and its bump land while this reader computes from the old state.
        with committed():
            cache.bump(cache.inbox(3))
        assert cache.cached("sample", scopes, lambda: "new", key=(3,)) == "new"
        slow["stored"] = True
        return "old"

    assert cache.cached("sample", scopes, slow_compute, key=(3,), refresh=True) == "old"
    assert slow["stored"]
    assert cache.cached("sample", scopes, lambda: "newest", key=(3,)) == "newest"


def test_hits_and_misses_are_counted(db, committed):
    cache.stats_reset()
    for _ in range(3):
        cache.cached("counted", [cache.inbox(5)], lambda: 1, key=(5,))
    with committed():
        cache.bump(cache.inbox(5))
    cache.cached("counted", [cache.inbox(5)], lambda: 2, key=(5,))
    # Built ahead by a write's task: not a page's lookup.
    cache.cached("counted", [cache.inbox(5)], lambda: 3, key=(5,), ahead=True)
    cache.stats_flush()
    assert cache.stats()["counted"] == {"hit": 2, "miss": 2, "built": 1}
    out = io.StringIO()
    call_command("cached_parts_stats", stdout=out)
    assert re.search(r"counted\s+4 lookups\s+50.0% found, 1 built ahead", out.getvalue())
    call_command("cached_parts_stats", "--reset", stdout=io.StringIO())
    assert cache.stats() == {}


def test_without_a_cache_everything_is_computed(db, settings):
    settings.CACHES = {**settings.CACHES, cache.ALIAS: {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache",
    }}
    calls = []
    for _ in range(2):
        cache.cached("sample", lambda: pytest.fail("no scopes without a cache"),
                     lambda: calls.append(1), key=())
    assert len(calls) == 2


# --- the header's counts ---------------------------------------------------------------------

def unread(body: str) -> str | None:
    found = re.search(r'>Notifications(?: <span class="nav-count" title="unread">([^<]+)'
                      r"</span>)?</a>", body)
    assert found, "no Notifications link in the header"
    return found.group(1)


def waiting(body: str) -> str | None:
    found = re.search(r'>Friend requests(?: <span class="nav-count">(\d+)</span>)?</a>', body)
    assert found, "no Friend requests link in the header"
    return found.group(1)


def test_the_header_counts_come_from_the_cache(owner, friend, member, as_user):
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    accounts_services.friend_request_send(sender=member, recipient=owner)
    client = as_user(owner)
    first, first_queries = visit(client, LIGHT)
    second, second_queries = visit(client, LIGHT)
    # The counts' query, and the member's row (accounts/backends.py), are read once.
    assert second_queries == first_queries - 2
    assert unread(first) == unread(second) == "2"  # the acceptance, the request
    assert waiting(first) == waiting(second) == "1"


def test_a_notification_made_or_made_in_bulk_counts_at_once(owner, friend, as_user, committed):
    client = as_user(owner)
    assert cached_twice(client, LIGHT, unread) is None
    with committed():
        accounts_services.introduction_write(author=friend, subject=owner, body="Kind soul.")
    assert unread(visit(client, LIGHT)[0]) == "1"
    with committed():
        notify_many(recipient_ids=[owner.pk], kind=Kind.EVENT_REMINDER)
    assert unread(visit(client, LIGHT)[0]) == "2"


def test_reading_one_or_all_counts_down(owner, friend, as_user, committed):
    first = notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    for _ in range(2):
        notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    client = as_user(owner)
    assert cached_twice(client, LIGHT, unread) == "3"
    with committed():
        client.get(f"/notifications/{first.pk}/")
    assert unread(visit(client, LIGHT)[0]) == "2"
    with committed():
        client.post("/notifications/read/")
    assert unread(visit(client, LIGHT)[0]) is None


def test_a_withdrawn_notification_counts_down(owner, friend, as_user, committed):
    introduction = accounts_services.introduction_write(
        author=friend, subject=owner, body="Kind soul."
    )
    client = as_user(owner)
    assert cached_twice(client, LIGHT, unread) == "1"
    with committed():
        accounts_services.introduction_delete(user=owner, introduction_id=introduction.pk)
    assert unread(visit(client, LIGHT)[0]) is None


def test_friend_requests_sent_cancelled_declined_and_accepted(owner, member, as_user, committed):
    others = [factories.member(f"Asker {i}") for i in range(2)]
    client = as_user(owner)
    assert cached_twice(client, LIGHT, waiting) is None
    for other in [member, *others]:
        with committed():
            as_user(other).post(reverse("accounts:friend_request_send", args=[owner.pk]))
    assert waiting(visit(client, LIGHT)[0]) == "3"
    sent = {r.from_user_id: r.pk for r in FriendRequest.objects.filter(to_user=owner)}
    with committed():
        as_user(member).post(reverse("accounts:friend_request_cancel", args=[sent[member.pk]]))
    assert waiting(visit(client, LIGHT)[0]) == "2"
    with committed():
        client.post(reverse("accounts:friend_request_decline", args=[sent[others[0].pk]]))
    assert waiting(visit(client, LIGHT)[0]) == "1"
    with committed():
        client.post(reverse("accounts:friend_request_accept", args=[sent[others[1].pk]]))
    assert waiting(visit(client, LIGHT)[0]) is None


def test_asking_back_answers_the_request_waiting_for_me(owner, member, as_user, committed):
    accounts_services.friend_request_send(sender=member, recipient=owner)
    client = as_user(owner)
    assert cached_twice(client, LIGHT, waiting) == "1"
    with committed():
        client.post(reverse("accounts:friend_request_send", args=[member.pk]))
    assert waiting(visit(client, LIGHT)[0]) is None


def test_a_block_hides_the_blocked_members_notifications_and_unblocking_shows_them(
    owner, member, as_user, committed
):
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=member)
    client = as_user(owner)
    assert cached_twice(client, LIGHT, unread) == "1"
    with committed():
        block_create(blocker=member, blocked=owner)
    assert unread(visit(client, LIGHT)[0]) is None
    with committed():
        block_remove(blocker=member, blocked_id=owner.pk)
    assert unread(visit(client, LIGHT)[0]) == "1"


def test_a_suspended_members_requests_and_notifications_go_and_come_back(
    owner, member, moderator, as_user, committed
):
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=member)
    accounts_services.friend_request_send(sender=member, recipient=owner)
    client = as_user(owner)
    assert cached_twice(client, LIGHT, lambda body: (unread(body), waiting(body))) == ("2", "1")
    with committed():
        moderation.member_suspend(member=member, by=moderator)
    body = visit(client, LIGHT)[0]
    assert (unread(body), waiting(body)) == (None, None)
    with committed():
        moderation.member_unsuspend(member=member, by=moderator)
    body = visit(client, LIGHT)[0]
    assert (unread(body), waiting(body)) == ("2", "1")


def test_a_member_who_leaves_leaves_no_request(owner, member, as_user, committed):
    accounts_services.friend_request_send(sender=member, recipient=owner)
    client = as_user(owner)
    assert cached_twice(client, LIGHT, waiting) == "1"
    with committed():
        member_leave(member=member, password=factories.PASSWORD)
    assert waiting(visit(client, LIGHT)[0]) is None


def test_a_refused_newcomers_request_goes(owner, member, moderator, as_user, committed):
    accounts_services.friend_request_send(sender=member, recipient=owner)
    User.objects.filter(pk=member.pk).update(awaiting_approval=True)
    client = as_user(owner)
    assert cached_twice(client, LIGHT, waiting) == "1"
    with committed():
        assert member_refuse(member=member, by=moderator)
    assert waiting(visit(client, LIGHT)[0]) is None


def _admin_change_data(member: User, **changes) -> dict:
    """The admin's change form for ``member`` as it stands, with ``changes``."""
    profile = member.profile
    data = {
        "email": member.email, "language": member.language, "invite_quota": "",
        "is_active": "on",
        "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0", "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": profile.pk, "profile-0-user": member.pk,
        **{f"profile-0-{name}": getattr(profile, name) for name in [
            "real_name", "real_name_kana", "nickname", "shown_name_choice", "company", "title",
            "introduction", "interests",
        ]},
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_edits_in_the_admin_make_the_parts_stale(
    owner, friend, member, moderator, as_user, committed
):
    accounts_services.friend_request_send(sender=member, recipient=owner)
    other = factories.member("Other Asker")
    accounts_services.friend_request_send(sender=other, recipient=owner)
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    client, admin = as_user(owner), as_user(moderator)
    User.objects.filter(pk=moderator.pk).update(is_superuser=True)
    read = lambda body: (unread(body), waiting(body))  # noqa: E731
    assert cached_twice(client, LIGHT, read) == ("3", "2")
    with committed():  # a member made inactive in their change form
        response = admin.post(reverse("admin:accounts_user_change", args=[member.pk]),
                              _admin_change_data(member, is_active=None))
    assert response.status_code == 302
    assert read(visit(client, LIGHT)[0]) == ("2", "1")
    with committed():  # a member deleted
        response = admin.post(reverse("admin:accounts_user_delete", args=[other.pk]),
                              {"post": "yes"})
    assert response.status_code == 302
    assert read(visit(client, LIGHT)[0]) == ("1", None)
    with committed():  # notifications deleted from the list
        response = admin.post(reverse("admin:sns_notification_changelist"), {
            "action": "delete_selected", "post": "yes",
            "_selected_action": list(owner.notifications.values_list("pk", flat=True)),
        })
    assert response.status_code == 302
    assert read(visit(client, LIGHT)[0]) == (None, None)


# --- the circle picture ----------------------------------------------------------------------

def picture(body: str) -> tuple[set[str], int]:
    """The friends' names in a circle.svg and how many lines join two of them."""
    root = ET.fromstring(body)
    titles = [a.find(f"{SVG}title") for a in root.iter(f"{SVG}a")]
    friend_lines = root.findall(f"{SVG}g")[1].findall(f"{SVG}line")
    return {t.text for t in titles if t is not None}, len(friend_lines)


def svg(member: User) -> str:
    return reverse("accounts:circle_svg", args=[member.pk])


@pytest.fixture
def ring(owner):
    """Owner's friends A, B, C, none of them friends of each other."""
    friends = [factories.member(f"Ring {name}") for name in "ABC"]
    for friend in friends:
        factories.befriend(owner, friend)
    return friends


def test_the_circle_comes_from_the_cache(owner, ring, member, as_user):
    client = as_user(member)
    first, first_queries = visit(client, svg(owner))
    second, second_queries = visit(client, svg(owner))
    # The friend ids and the lines among them, and the viewer's row.
    assert second_queries == first_queries - 3
    assert picture(first) == picture(second) == ({"Ring A", "Ring B", "Ring C"}, 0)
    page = visit(client, reverse("accounts:circle", args=[owner.pk]))[0]
    assert '<span class="count">3</span>' in page


def test_a_friendship_between_two_friends_draws_their_line_and_ending_it_removes_it(
    owner, ring, member, as_user, committed
):
    a, b, _c = ring
    client = as_user(member)
    assert cached_twice(client, svg(owner), picture)[1] == 0
    with committed():
        accounts_services.friend_request_send(sender=a, recipient=b)
        accounts_services.friend_request_accept(
            request_id=FriendRequest.objects.get(from_user=a).pk, user=b
        )
    assert picture(visit(client, svg(owner))[0])[1] == 1
    with committed():
        as_user(a).post(reverse("accounts:unfriend", args=[b.pk]))
    assert picture(visit(client, svg(owner))[0])[1] == 0


def test_a_block_between_two_friends_removes_their_line(owner, ring, member, as_user, committed):
    a, b, _c = ring
    factories.befriend(a, b)
    client = as_user(member)
    assert cached_twice(client, svg(owner), picture)[1] == 1
    with committed():
        block_create(blocker=a, blocked=b)
    assert picture(visit(client, svg(owner))[0])[1] == 0


def test_a_new_friend_joins_the_ring_and_one_unfriended_leaves_it(
    owner, ring, member, as_user, committed
):
    client = as_user(member)
    assert cached_twice(client, svg(owner), picture)[0] == {"Ring A", "Ring B", "Ring C"}
    newcomer = factories.member("Ring D")
    with committed():
        accounts_services.friend_request_send(sender=newcomer, recipient=owner)
        accounts_services.friend_request_send(sender=owner, recipient=newcomer)  # yes, back
    assert picture(visit(client, svg(owner))[0])[0] == {"Ring A", "Ring B", "Ring C", "Ring D"}
    with committed():
        as_user(owner).post(reverse("accounts:unfriend", args=[ring[0].pk]))
    assert picture(visit(client, svg(owner))[0])[0] == {"Ring B", "Ring C", "Ring D"}


def test_a_suspended_friend_leaves_the_ring_and_comes_back(
    owner, ring, member, moderator, as_user, committed
):
    client = as_user(member)
    assert "Ring A" in cached_twice(client, svg(owner), picture)[0]
    with committed():
        moderation.member_suspend(member=ring[0], by=moderator)
    assert picture(visit(client, svg(owner))[0])[0] == {"Ring B", "Ring C"}
    with committed():
        moderation.member_unsuspend(member=ring[0], by=moderator)
    assert picture(visit(client, svg(owner))[0])[0] == {"Ring A", "Ring B", "Ring C"}


def test_a_friend_who_leaves_the_site_leaves_the_ring(owner, ring, member, as_user, committed):
    client = as_user(member)
    assert "Ring A" in cached_twice(client, svg(owner), picture)[0]
    with committed():
        member_leave(member=ring[0], password=factories.PASSWORD)
    assert picture(visit(client, svg(owner))[0])[0] == {"Ring B", "Ring C"}


def test_each_viewer_sees_the_cached_ring_without_whom_they_block(
    owner, ring, member, as_user, committed
):
    a, b, _c = ring
    factories.befriend(a, b)
    viewer = factories.member("Viewer")
    block_create(blocker=viewer, blocked=a)
    # Another member fills the cache; the viewer's own blocks still apply.
    assert cached_twice(as_user(member), svg(owner), picture) == (
        {"Ring A", "Ring B", "Ring C"}, 1
    )
    assert picture(visit(as_user(viewer), svg(owner))[0]) == ({"Ring B", "Ring C"}, 0)
    page = visit(as_user(viewer), reverse("accounts:circle", args=[owner.pk]))[0]
    assert '<span class="count">2</span>' in page


def test_a_viewer_hiding_more_than_the_spare_still_gets_a_full_ring(
    owner, member, monkeypatch
):
    monkeypatch.setattr(circle, "SPARE", 1)
    friends = [factories.member(f"Pal {i}") for i in range(6)]
    for friend in friends:
        factories.befriend(owner, friend)
    newest = friends[::-1]
    assert [f.pk for f in circle.friends_shown(owner, member, limit=3)[0]] == [
        f.pk for f in newest[:3]
    ]
    for hidden in newest[:2]:
        block_create(blocker=member, blocked=hidden)
    shown, edges = circle.friends_shown(owner, member, limit=3)
    assert [f.pk for f in shown] == [f.pk for f in newest[2:5]]
    assert edges is None  # read afresh: the layout reads the lines


# --- home: new in my communities -------------------------------------------------------------

@pytest.fixture
def club(owner, friend):
    """A community of friend's with owner in it, and a topic of friend's there."""
    community = factories.community(friend, name="Tea club", members=[owner])
    factories.topic(community, friend, title="Matcha tasting")
    return community


def new_topics(body: str) -> list[str]:
    """The topic titles and counts home lists under "new in my communities"."""
    return re.findall(r'#comments">([^<]+)</a> <span class="muted small">[^·]+· (\d+) new', body)


def topic_of(community) -> Topic:
    return Topic.objects.get(community=community)


def test_new_in_my_communities_comes_from_the_cache(owner, friend, member, club, as_user):
    factories.join(club, [member])
    factories.topic_comment(topic_of(club), member)
    client = as_user(owner)
    first, first_queries = visit(client, HOME)
    second, second_queries = visit(client, HOME)
    # Home's content is kept as HTML (sns.cache.rendered) and the member's row and the
    # header's counts as parts: the second look reads only the session (kept in the
    # database in the tests' settings).
    assert first_queries > 10
    assert second_queries == 1
    assert new_topics(first) == new_topics(second) == [("Matcha tasting", "1")]


def test_a_comment_shows_and_its_deletion_or_hiding_takes_it_away(
    owner, friend, club, moderator, as_user, committed
):
    client = as_user(owner)
    assert cached_twice(client, HOME, new_topics) == []
    with committed():
        comment = factories.topic_comment(topic_of(club), friend, "Try it cold.")
    assert new_topics(visit(client, HOME)[0]) == [("Matcha tasting", "1")]
    with committed():
        moderation.content_hide(target=comment, by=moderator)
    assert new_topics(visit(client, HOME)[0]) == []
    with committed():
        moderation.content_unhide(target=comment, by=moderator)
    assert new_topics(visit(client, HOME)[0]) == [("Matcha tasting", "1")]
    with committed():
        community_services.topic_comment_delete(comment_id=comment.pk, by=friend)
    assert new_topics(visit(client, HOME)[0]) == []


def test_a_topic_hidden_or_deleted_gives_its_place_to_the_next(
    owner, friend, club, moderator, as_user, committed
):
    # Home lists five: the first topic (its comment the oldest) is the sixth.
    topics = [topic_of(club)] + [
        factories.topic(club, friend, title=f"Talk {i}") for i in range(1, 6)
    ]
    for topic in topics:
        factories.topic_comment(topic, friend)
    newest = topics[-1]
    shown = [("Talk 5", "1"), ("Talk 4", "1"), ("Talk 3", "1"), ("Talk 2", "1"),
             ("Talk 1", "1")]
    with_sixth = [*shown[1:], ("Matcha tasting", "1")]
    client = as_user(owner)
    assert cached_twice(client, HOME, new_topics) == shown
    with committed():
        moderation.content_hide(target=newest, by=moderator)
    assert new_topics(visit(client, HOME)[0]) == with_sixth
    with committed():
        moderation.content_unhide(target=newest, by=moderator)
    assert new_topics(visit(client, HOME)[0]) == shown
    with committed():
        community_services.topic_delete(topic=newest, by=friend)
    assert new_topics(visit(client, HOME)[0]) == with_sixth


def test_leaving_or_being_removed_takes_a_community_away(
    owner, friend, club, as_user, committed
):
    factories.topic_comment(topic_of(club), friend)
    client = as_user(owner)
    assert cached_twice(client, HOME, new_topics) == [("Matcha tasting", "1")]
    with committed():
        community_services.membership_leave(community=club, user=owner)
    assert new_topics(visit(client, HOME)[0]) == []
    with committed():
        community_services.membership_join(community=club, user=owner)
    assert cached_twice(client, HOME, new_topics) == [("Matcha tasting", "1")]
    with committed():
        community_services.member_remove(community=club, by=friend, user=owner)
    assert new_topics(visit(client, HOME)[0]) == []


def test_joining_starting_or_being_let_into_a_community_brings_it(
    owner, friend, member, as_user, committed
):
    open_club = factories.community(friend, name="Open club")
    by_approval = factories.community(friend, name="Careful club",
                                      policy=JoinPolicy.APPROVAL)
    for community, title in [(open_club, "Open talk"), (by_approval, "Careful talk")]:
        factories.topic_comment(factories.topic(community, friend, title=title),
                                friend)
    client = as_user(owner)
    assert cached_twice(client, HOME, new_topics) == []
    with committed():
        community_services.membership_join(community=open_club, user=owner)
    assert new_topics(visit(client, HOME)[0]) == [("Open talk", "1")]
    community_services.membership_join(community=by_approval, user=owner)
    with committed():
        community_services.join_request_decide(
            request_id=JoinRequest.objects.get(user=owner).pk, by=friend, approve=True
        )
    assert sorted(new_topics(visit(client, HOME)[0])) == [("Careful talk", "1"), ("Open talk", "1")]
    with committed():
        mine = factories.community(owner, name="My own club")
    factories.join(mine, [member])
    topic = factories.topic(mine, owner, title="My own talk")
    with committed():
        factories.topic_comment(topic, member)
    assert ("My own talk", "1") in new_topics(visit(client, HOME)[0])


def test_a_commenter_suspended_or_blocked_drops_out_and_comes_back(
    owner, club, moderator, as_user, committed
):
    commenter = factories.member("Commenter")
    factories.join(club, [commenter])
    factories.topic_comment(topic_of(club), commenter)
    client = as_user(owner)
    assert cached_twice(client, HOME, new_topics) == [("Matcha tasting", "1")]
    with committed():
        moderation.member_suspend(member=commenter, by=moderator)
    assert new_topics(visit(client, HOME)[0]) == []
    with committed():
        moderation.member_unsuspend(member=commenter, by=moderator)
    assert new_topics(visit(client, HOME)[0]) == [("Matcha tasting", "1")]
    with committed():
        block_create(blocker=owner, blocked=commenter)
    assert new_topics(visit(client, HOME)[0]) == []
    with committed():
        block_remove(blocker=owner, blocked_id=commenter.pk)
    assert new_topics(visit(client, HOME)[0]) == [("Matcha tasting", "1")]


# Every notification write goes through sns.notifications; nothing else writes the table.
def test_notifications_are_written_only_through_sns_notify_and_the_notifications_feature():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"Notification\.objects\.(?:create|bulk_create|update|get_or_create)|"
                         r"Notification\.objects\.filter\([^)]*\)\.(?:update|delete)\(")
    found = {
        str(path.relative_to(root))
        for app in ["accounts", "albums", "communities", "conversations", "diary", "invites",
                    "offkai", "sns"]
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and writers.search(path.read_text())
    }
    # sns.notify records them, the feature marks them read (services) and marks what it
    # mailed (mail: mailed_at), which no count reads. The demo seed
    # dates and marks read what the services wrote, then forgets every cached part
    # (seed_demo: cache.forget_all), which tests/sns/test_seed_demo.py checks.
    assert found == {"sns/notify.py", "sns/notifications/services.py", "sns/notifications/mail.py",
                     "sns/management/commands/_demo_life.py",
                     "sns/management/commands/_demo_messages.py"}


def test_forget_cached_parts_drops_every_part_and_nothing_else(db, parts, capsys):
    """After a restore: every generation and value goes; whatever else shares the Redis
    (a session of the cache backend, a login limit) stays."""
    computed = []

    def read():
        computed.append(len(computed) + 1)
        return computed[-1]

    assert cache.cached("sample", [cache.inbox(1)], read) == 1
    assert cache.cached("sample", [cache.inbox(1)], read) == 1
    redis = parts._cache.get_client(write=True)
    redis.set("django.contrib.sessions.cache-like-key", "kept")
    parts.set("not-a-part", "kept")

    call_command("forget_cached_parts")

    assert "Forgot 2 cached keys." in capsys.readouterr().out
    assert cache.cached("sample", [cache.inbox(1)], read) == 2
    assert redis.get("django.contrib.sessions.cache-like-key") == b"kept"
    assert parts.get("not-a-part") == "kept"
    redis.delete("django.contrib.sessions.cache-like-key")
