"""Suspension (issue 7, item 7): a suspended member cannot log in, what they wrote and who
they are disappear from every place a member looks, their pending invitations are revoked,
their inviter is told and may lose the right to invite; lifting the suspension restores it.

The places are a table: each row is looked at before the suspension (where the member or
what they wrote shows), after it (gone, or a 404), and after it is lifted (back again).
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.services import footprint_record
from diary import services as diary_services
from invites import services as invites_services
from invites.models import Invitation, State
from offkai.models import CalendarFeed
from sns import moderation
from sns.models import ModerationLog, Notification, SitePolicy
from sns.notifications.selectors import inbox
from sns.paging import instant_encode
from sns.visibility import Level
from tests import factories, warm
from tests.html import assert_well_formed
from tests.invites.test_race import failures, run_at_once

NAME = "Suspended Sato"
ENTRY_TITLE = "Tea diary by Sato"
DIARY_COMMENT = "Sato comments on your entry"
TOPIC_TITLE = "Tea topic by Sato"
TOPIC_COMMENT = "Sato replies in your topic"
EVENT_TITLE = "Tea ceremony evening by Sato"
Action = ModerationLog.Action


class World:
    """owner and friend are friends; Sato is a friend of both and comments, writes, joins,
    visits; pat is a friend of friend only (Sato is among pat's people you may know)."""

    def __init__(self, owner, friend):
        self.owner, self.friend = owner, friend
        self.sato = factories.member(NAME, email="sato@example.com")
        self.pat = factories.member("Pat Newcomer", email="pat@example.com")
        for a, b in [(owner, self.sato), (friend, self.sato), (friend, self.pat)]:
            factories.befriend(a, b)
        self.entry = factories.entry(self.sato, Level.MEMBERS, title=ENTRY_TITLE)
        self.owner_entry = factories.entry(owner, Level.MEMBERS, title="Owner's entry")
        diary_services.comment_create(
            entry_id=self.owner_entry.pk, author=self.sato, body=DIARY_COMMENT
        )
        self.club = factories.community(owner, members=[self.sato, friend])
        self.topic = factories.topic(self.club, self.sato, title=TOPIC_TITLE)
        self.owner_topic = factories.topic(self.club, owner, title="Owner's topic")
        factories.topic_comment(self.owner_topic, self.sato, TOPIC_COMMENT)
        footprint_record(visitor=self.sato, owner=owner)
        self.event = factories.event(self.sato, title=EVENT_TITLE)
        factories.answer(self.event, owner, "attending")
        self.feed = CalendarFeed.objects.create(user=owner)


@pytest.fixture
def world(owner, friend, settings):
    settings.TOPIC_CREATE_PER_HOUR = 100
    return World(owner, friend)


def _look(client, url: str, marker: str) -> str:
    response = client.get(url)
    if response.status_code == 404:
        return "404"
    assert response.status_code == 200, (url, response.status_code)
    body = response.content.decode()
    if "html" in response["Content-Type"]:
        assert_well_formed(body)
    return "shown" if marker in body else "gone"


def _number(client, url: str, pattern: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(pattern, response.content.decode(), re.S)
    assert found, (url, pattern)
    return found.group(1)


def _yesterday() -> str:
    # A fixed look back: opening these pages without one moves the member's last look.
    return instant_encode(timezone.now() - timedelta(days=1))


def _notifications_by_sato(w) -> str:
    return str(inbox(w.owner).filter(actor=w.sato).count())


def _unread_in_the_header(client) -> str:
    """The header's unread count (cached with Redis: sns.cache), on a page of little else."""
    response = client.get("/notifications/settings/")
    found = re.search(r'title="unread">(\d+)</span>', response.content.decode())
    return found.group(1) if found else "0"


def _new_on_home(client) -> str:
    """How many new comments home's "new in my communities" counts on the owner's topic
    (cached with Redis: sns.cache)."""
    found = re.search(r"Owner&#x27;s topic</a> <span class=\"muted small\">[^·]+· (\d+) new",
                      client.get("/").content.decode())
    return found.group(1) if found else "0"


# Each place: who looks, and what they see, as a function of the world and their client.
PLACES = {
    "friends' diaries": ("owner", lambda w, c: _look(c, "/diary/", ENTRY_TITLE)),
    "the member's diary": (
        "owner", lambda w, c: _look(c, f"/members/{w.sato.pk}/diary/", ENTRY_TITLE)),
    "their entry's page": ("owner", lambda w, c: _look(c, f"/diary/{w.entry.pk}/", ENTRY_TITLE)),
    "their comment on my entry": (
        "owner", lambda w, c: _look(c, f"/diary/{w.owner_entry.pk}/", DIARY_COMMENT)),
    "comment count on my entry's page": ("owner", lambda w, c: _number(
        c, f"/diary/{w.owner_entry.pk}/", r'Comments <span class="count">(\d+)</span>')),
    "comment count in my diary": ("owner", lambda w, c: _number(
        c, f"/members/{w.owner.pk}/diary/", r"(\d+) comments?</a>")),
    "new comments on my entries": (
        "owner", lambda w, c: _look(c, f"/diary/comments/?since={_yesterday()}",
                                    "Owner&#x27;s entry")),
    "the community's topics": (
        "owner", lambda w, c: _look(c, f"/communities/{w.club.pk}/topics/", TOPIC_TITLE)),
    "the community page": (
        "owner", lambda w, c: _look(c, f"/communities/{w.club.pk}/", TOPIC_TITLE)),
    "their topic's page": ("owner", lambda w, c: _look(
        c, f"/communities/{w.club.pk}/topics/{w.topic.pk}/", TOPIC_TITLE)),
    "their comment in my topic": ("owner", lambda w, c: _look(
        c, f"/communities/{w.club.pk}/topics/{w.owner_topic.pk}/", TOPIC_COMMENT)),
    "comment count on my topic's page": ("owner", lambda w, c: _number(
        c, f"/communities/{w.club.pk}/topics/{w.owner_topic.pk}/",
        r'Comments <span class="count">(\d+)</span>')),
    "comment count in the topic list": ("owner", lambda w, c: _number(
        c, f"/communities/{w.club.pk}/topics/",
        r"Owner&#x27;s topic</a>\s*<span[^>]*>[^<]*? · (\d+) comments?")),
    "new in my communities": (
        "owner", lambda w, c: _look(c, f"/communities/new-topics/?since={_yesterday()}",
                                    "Owner&#x27;s topic")),
    "the community's members": (
        "owner", lambda w, c: _look(c, f"/communities/{w.club.pk}/members/", NAME)),
    "the community's member count": ("owner", lambda w, c: _number(
        c, f"/communities/{w.club.pk}/", r"(\d+) members?</p>")),
    "my friend list": ("owner", lambda w, c: _look(c, f"/members/{w.owner.pk}/friends/", NAME)),
    "my friend count": ("owner", lambda w, c: _number(
        c, f"/members/{w.owner.pk}/", r'Friends <span class="count">(\d+)</span>')),
    "mutual friends": ("owner", lambda w, c: _number(
        c, f"/members/{w.friend.pk}/", r"(\d+) mutual friends?</h2>")),
    "people you may know": ("pat", lambda w, c: _look(c, "/friends/suggestions/", NAME)),
    "the circle picture": (
        "owner", lambda w, c: _look(c, f"/members/{w.owner.pk}/circle.svg", NAME)),
    "the circle page": ("owner", lambda w, c: _look(c, f"/members/{w.owner.pk}/circle/", NAME)),
    "footprints": ("owner", lambda w, c: _look(c, "/footprints/", NAME)),
    "notifications they caused (inbox query)": ("owner", lambda w, c: _notifications_by_sato(w)),
    "unread notifications in the header": ("owner", lambda w, c: _unread_in_the_header(c)),
    "new comments on home": ("owner", lambda w, c: _new_on_home(c)),
    "the notification list": ("owner", lambda w, c: _look(c, "/notifications/", NAME)),
    "home": ("owner", lambda w, c: _look(c, "/", NAME)),
    "search for members": ("owner", lambda w, c: _look(c, "/search/?q=Sato&kind=members", NAME)),
    "search for diaries": (
        "owner", lambda w, c: _look(c, "/search/?q=Tea+diary&kind=diaries", ENTRY_TITLE)),
    "their off-kai's page": ("owner", lambda w, c: _look(c, f"/offkai/{w.event.pk}/", EVENT_TITLE)),
    "upcoming off-kai": ("owner", lambda w, c: _look(c, "/offkai/", EVENT_TITLE)),
    "their off-kai's calendar file": (
        "owner", lambda w, c: _look(c, f"/offkai/{w.event.pk}.ics", EVENT_TITLE)),
    "my calendar feed": (
        "owner", lambda w, c: _look(c, f"/offkai/feed/{w.feed.token}.ics", EVENT_TITLE)),
    "their profile": ("owner", lambda w, c: _look(c, f"/members/{w.sato.pk}/", NAME)),
}

# before the suspension · while suspended · after it is lifted
EXPECTED = """
friends' diaries                          shown  gone  shown
the member's diary                        shown  404   shown
their entry's page                        shown  404   shown
their comment on my entry                 shown  gone  shown
comment count on my entry's page          1      0     1
comment count in my diary                 1      0     1
new comments on my entries                shown  gone  shown
the community's topics                    shown  gone  shown
the community page                        shown  gone  shown
their topic's page                        shown  404   shown
their comment in my topic                 shown  gone  shown
comment count on my topic's page          1      0     1
comment count in the topic list           1      0     1
new in my communities                     shown  gone  shown
the community's members                   shown  gone  shown
the community's member count              3      2     3
my friend list                            shown  gone  shown
my friend count                           2      1     2
mutual friends                            1      0     1
people you may know                       shown  gone  shown
the circle picture                        shown  gone  shown
the circle page                           shown  gone  shown
footprints                                shown  gone  shown
notifications they caused (inbox query)   2      0     2
unread notifications in the header        2      0     2
new comments on home                      1      0     1
the notification list                     shown  gone  shown
home                                      shown  gone  shown
search for members                        shown  gone  shown
search for diaries                        shown  gone  shown
their off-kai's page                      shown  404   shown
upcoming off-kai                          shown  gone  shown
their off-kai's calendar file             shown  404   shown
my calendar feed                          shown  gone  shown
their profile                             shown  404   shown
"""


def _expected() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in EXPECTED.strip().splitlines():
        *words, before, during, after = line.split()
        rows[" ".join(words)] = (before, during, after)
    assert set(rows) == set(PLACES), set(rows) ^ set(PLACES)
    return rows


def _gone_and_back(place, world, moderator, as_user, committed=nullcontext) -> None:
    before, during, after = _expected()[place]
    viewer, look = PLACES[place]
    client = as_user(getattr(world, viewer))

    assert look(world, client) == before, "before the suspension"
    with committed():
        moderation.member_suspend(member=world.sato, by=moderator, reason="Spam")
    assert look(world, client) == during, "while suspended"
    with committed():
        moderation.member_unsuspend(member=world.sato, by=moderator)
    assert look(world, client) == after, "after the suspension was lifted"


@pytest.mark.parametrize("place", list(PLACES))
def test_a_suspended_member_is_gone_from(place, world, moderator, as_user):
    _gone_and_back(place, world, moderator, as_user)


@pytest.mark.parametrize("place", list(PLACES))
def test_a_suspended_member_is_gone_from_warm(place, world, moderator, as_user):
    """The same, with the parts cache on Redis (issue 16, item 5): each look before a change
    is read once more than it needs, so that what the page caches was cached before the
    change; the suspension and its lifting show on the very next look all the same."""
    viewer, look = PLACES[place]
    with warm.parts_on_redis() as parts:
        client = as_user(getattr(world, viewer))
        look(world, client)  # fills the cache
        client.get("/")  # and the header's counts and home's parts, for the places not a page
        assert warm.filled(parts)
        _gone_and_back(place, world, moderator, as_user, warm.committed)


# --- logging in ----------------------------------------------------------------------------

def test_a_suspended_member_cannot_log_in(client, member, moderator):
    moderation.member_suspend(member=member, by=moderator, reason="Spam")
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/inactive/"
    page = client.get(response.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert_well_formed(body)
    assert "This account cannot log in" in body
    assert "The moderators suspended this account" in body
    # Not logged in: a member page sends them to log in.
    assert client.get("/diary/").url.startswith("/accounts/login/")


def test_a_wrong_password_gives_the_usual_answer(client, member, moderator):
    moderation.member_suspend(member=member, by=moderator)
    response = client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    assert response.status_code == 200
    assert "/accounts/inactive/" not in response.content.decode()


def test_an_open_session_stops_working(as_user, member, moderator):
    client = as_user(member)
    assert client.get("/diary/").status_code == 200
    moderation.member_suspend(member=member, by=moderator)
    response = client.get("/diary/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_after_the_suspension_is_lifted_they_log_in_again(client, member, moderator):
    moderation.member_suspend(member=member, by=moderator)
    moderation.member_unsuspend(member=member, by=moderator)
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"


# --- what suspending does -------------------------------------------------------------------

def test_suspending_revokes_pending_invitations_and_tells_the_inviter(owner, moderator):
    invitee = factories.redeem(factories.invitation(owner, "invitee@example.com"), "Ivy Invitee")
    invitations = factories.invitations_in_every_state(invitee)

    assert moderation.member_suspend(member=invitee, by=moderator, reason="Spam links")

    invitee.refresh_from_db()
    assert not invitee.is_active
    assert invitee.suspended_at is not None
    states = {key: Invitation.objects.get(pk=i.pk).state for key, i in invitations.items()}
    # Pending and expired ones are revoked; the accepted one stays as it was.
    assert states == {
        State.PENDING: State.REVOKED, State.ACCEPTED: State.ACCEPTED,
        State.EXPIRED: State.REVOKED, State.REVOKED: State.REVOKED,
    }
    [told] = Notification.objects.filter(recipient=owner, kind="invitee_suspended")
    assert told.target == invitee and told.actor is None
    log = ModerationLog.objects.filter(member=invitee).order_by("pk")
    assert [e.action for e in log] == [Action.SUSPEND, Action.INVITATIONS_REVOKED]
    assert log[0].moderator == moderator
    assert log[0].reason == "Spam links"
    assert log[0].member_label == "Ivy Invitee <invitee@example.com>"


def test_suspending_twice_does_nothing_more(member, moderator):
    assert moderation.member_suspend(member=member, by=moderator)
    assert not moderation.member_suspend(member=member, by=moderator)
    assert ModerationLog.objects.filter(action=Action.SUSPEND).count() == 1


def test_only_staff_suspend_and_nobody_themself(member, friend, moderator):
    with pytest.raises(moderation.ModerationError):
        moderation.member_suspend(member=friend, by=member)
    with pytest.raises(moderation.ModerationError, match="yourself"):
        moderation.member_suspend(member=moderator, by=moderator)
    friend.refresh_from_db()
    assert friend.is_active


def test_lifting_keeps_revoked_invitations_revoked(member, moderator):
    pending = factories.invitation(member, "guest@example.com")
    moderation.member_suspend(member=member, by=moderator)
    assert moderation.member_unsuspend(member=member, by=moderator, reason="Appeal accepted")
    member.refresh_from_db()
    assert member.is_active and member.suspended_at is None
    assert Invitation.objects.get(pk=pending.pk).state == State.REVOKED
    assert ModerationLog.objects.filter(
        member=member, action=Action.UNSUSPEND, reason="Appeal accepted"
    ).exists()
    assert not moderation.member_unsuspend(member=member, by=moderator)


def test_a_member_who_left_is_neither_suspended_nor_lifted(member, moderator):
    member.is_active = False
    member.save(update_fields=["is_active"])
    with pytest.raises(moderation.ModerationError, match="nothing to suspend"):
        moderation.member_suspend(member=member, by=moderator)
    assert not moderation.member_unsuspend(member=member, by=moderator)
    member.refresh_from_db()
    assert not member.is_active and member.suspended_at is None


# --- inviters vouch for their invitees ------------------------------------------------------

def _invitees(inviter, n: int) -> list:
    return [
        factories.redeem(factories.invitation(inviter, f"invitee{i}@example.com"), f"Invitee {i}")
        for i in range(n)
    ]


def _limit(n: int | None) -> None:
    policy = SitePolicy.current()
    policy.invitee_suspension_limit = n
    policy.save()


def test_an_inviter_loses_the_right_after_more_than_n_suspended_invitees(owner, moderator):
    _limit(1)
    first, second, third = _invitees(owner, 3)

    moderation.member_suspend(member=first, by=moderator)
    owner.refresh_from_db()
    assert owner.may_invite  # one is not more than one

    moderation.member_suspend(member=second, by=moderator)
    owner.refresh_from_db()
    assert not owner.may_invite
    assert Notification.objects.filter(recipient=owner, kind="invite_right_removed").count() == 1
    removed = ModerationLog.objects.get(member=owner, action=Action.INVITE_RIGHT_REMOVED)
    assert removed.moderator is None
    assert "more than 1" in removed.reason

    with pytest.raises(invites_services.InvitationError, match="cannot invite anyone"):
        factories.invitation(owner, "another@example.com")

    # A moderator gives it back; suspensions count afresh from then.
    assert moderation.invite_right_restore(member=owner, by=moderator, reason="Talked to them")
    owner.refresh_from_db()
    assert owner.may_invite
    factories.invitation(owner, "another@example.com")
    moderation.member_suspend(member=third, by=moderator)
    owner.refresh_from_db()
    assert owner.may_invite
    assert ModerationLog.objects.filter(
        member=owner, action=Action.INVITE_RIGHT_RESTORED, moderator=moderator
    ).exists()


def test_suspensions_count_even_when_lifted(owner, moderator):
    _limit(1)
    [invitee] = _invitees(owner, 1)
    moderation.member_suspend(member=invitee, by=moderator)
    moderation.member_unsuspend(member=invitee, by=moderator)
    moderation.member_suspend(member=invitee, by=moderator)
    owner.refresh_from_db()
    assert not owner.may_invite


def test_without_a_limit_the_right_stays(owner, moderator):
    _limit(None)
    for invitee in _invitees(owner, 3):
        moderation.member_suspend(member=invitee, by=moderator)
    owner.refresh_from_db()
    assert owner.may_invite
    assert Notification.objects.filter(recipient=owner, kind="invitee_suspended").count() == 3


def test_the_invite_page_says_why(as_user, owner, moderator):
    owner.may_invite = False
    owner.save(update_fields=["may_invite"])
    response = as_user(owner).post(
        "/invite/", {"email": "friend-to-be@example.com", "message": "Join us"}
    )
    assert response.status_code == 200
    assert "You cannot invite anyone at the moment" in response.content.decode()
    assert not Invitation.objects.filter(email="friend-to-be@example.com").exists()


def test_a_warning_is_told_to_the_member_and_their_inviter(owner, moderator):
    [invitee] = _invitees(owner, 1)
    moderation.member_warn(member=invitee, by=moderator, reason="Be kind")
    assert Notification.objects.filter(recipient=invitee, kind="moderation_warning").exists()
    told = Notification.objects.get(recipient=owner, kind="invitee_warned")
    assert told.target == invitee
    assert ModerationLog.objects.filter(member=invitee, action=Action.WARN,
                                        reason="Be kind").exists()


@pytest.mark.django_db(transaction=True)
def test_invitees_suspended_at_once_are_all_counted(settings):
    inviter = factories.member("Careless Inviter")
    moderators = [factories.member(f"Moderator {i}", staff=True) for i in range(4)]
    _limit(2)
    invitees = _invitees(inviter, 4)

    results = run_at_once(4, lambda i: moderation.member_suspend(
        member=invitees[i], by=moderators[i]
    ))

    assert not failures(results), failures(results)
    inviter.refresh_from_db()
    assert not inviter.may_invite
    assert ModerationLog.objects.filter(
        member=inviter, action=Action.INVITE_RIGHT_REMOVED
    ).count() == 1


# --- the invite subtree -------------------------------------------------------------------------

def test_suspending_a_subtree(owner, moderator):
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    carol = factories.redeem(factories.invitation(alice, "carol@example.com"), "Carol C")
    dave = factories.redeem(factories.invitation(carol, "dave@example.com"), "Dave D")
    bob = factories.redeem(factories.invitation(owner, "bob@example.com"), "Bob B")
    pending = factories.invitation(dave, "pending@example.com")

    assert [m.pk for m in moderation.subtree(alice)] == [alice.pk, carol.pk, dave.pk]
    assert moderation.subtree_suspend(root=alice, by=moderator, reason="Spam ring") == 3

    for person, active in [(alice, False), (carol, False), (dave, False), (bob, True),
                           (owner, True)]:
        person.refresh_from_db()
        assert person.is_active is active, person
    assert Invitation.objects.get(pk=pending.pk).state == State.REVOKED
    # Only the root's inviter, who is still here, is told.
    assert list(
        Notification.objects.filter(kind="invitee_suspended").values_list("recipient", flat=True)
    ) == [owner.pk]


def test_revoking_a_subtrees_invitations(owner, moderator):
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    carol = factories.redeem(factories.invitation(alice, "carol@example.com"), "Carol C")
    mine = factories.invitation(alice, "a-guest@example.com")
    theirs = factories.invitation(carol, "c-guest@example.com")
    outside = factories.invitation(owner, "o-guest@example.com")

    assert moderation.subtree_invitations_revoke(root=alice, by=moderator) == 2
    assert Invitation.objects.get(pk=mine.pk).state == State.REVOKED
    assert Invitation.objects.get(pk=theirs.pk).state == State.REVOKED
    assert Invitation.objects.get(pk=outside.pk).state == State.PENDING
    alice.refresh_from_db()
    assert alice.is_active


def test_the_suspension_is_logged_with_the_report(owner, member, moderator):
    entry = factories.entry(owner)
    report = factories.report(member, entry)
    moderation.report_decide(report=report, by=moderator, decision="suspend", note="Scam")
    log = ModerationLog.objects.get(action=Action.SUSPEND)
    assert log.report == report
    assert log.member == owner
    assert log.target_type == ContentType.objects.get_for_model(entry)
    assert log.at <= timezone.now()
