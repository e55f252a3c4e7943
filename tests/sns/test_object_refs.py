"""Object references (issue 9, item 2; DESIGN.md §3 "a 404, not a 403, for what a viewer may
not know exists", §6 of "What we take": owner-only views load the object through the
owner and never trust an owner field from a form).

Three tables:

- ``REFS``: every URL the site routes with an id or a token in it (read from the resolver;
  ``test_every_url_with_an_id_or_token_is_covered`` fails for a new one without an entry).
  Each entry opens the URL as ``me`` (a member with no tie to the ``owner``) with the id of
  something of the owner's (or of another member's) that ``me`` may not see or may not
  act on, or with a guessed or altered token, and expects the answer ``me`` gets for an id
  that does not exist (a 404 alike to the byte, but for the CSRF token), or the page every
  stranger gets; nothing is written.
- ``GONE``: ids of things deleted or hidden by a moderator are a 404, even to their author.
- ``FORMS``: posting a form with extra owner, author, host, community or user fields: the
  object belongs to the member who posted, in the place the URL names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cached_property

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core import signing
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import Block, FriendRequest, Introduction, Profile, User
from accounts.services import block_create
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities import services as community_services
from communities.models import (
    Community,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    Topic,
    TopicComment,
)
from conversations import services as conversation_services
from conversations.models import Conversation, Message, Participant
from diary import services as diary_services
from diary.models import Comment, Entry
from invites import services as invites_services
from invites.models import Invitation
from offkai import services as offkai_services
from offkai.models import RSVP, Event, EventComment, EventHost, Guest
from offkai.services import calendar_feed_get_or_create, calendar_feed_reset
from sns import images, moderation
from sns.dailynews.mail import unsubscribe_token as daily_news_token
from sns.leaving.services import member_leave
from sns.models import Announcement, Like, Notification, NotificationPreference, Report
from sns.notifications.mail import unsubscribe_token
from sns.notifications.selectors import CHOOSABLE
from sns.notify import notify
from sns.visibility import Level
from tests import factories, warm
from tests.sns.test_query_budget import _routes

pytestmark = pytest.mark.django_db

MISSING = 10_000_000  # an id nothing has


@pytest.fixture(autouse=True)
def _generous_creation_limits(settings):
    # Scenes start several communities and topics; these tests are not about those limits.
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.TOPIC_CREATE_PER_HOUR = 1000


# --- the scene -----------------------------------------------------------------------------

class Scene:
    """``me`` looks at what ``owner`` (and ``friend``, the owner's friend) have; each thing is
    made when a check first asks for it."""

    def __init__(self, owner, friend, member, moderator, as_user):
        self.owner, self.friend, self.me, self.moderator = owner, friend, member, moderator
        self.as_user = as_user
        self.client = as_user(member)
        self.warm = False  # GONE read warm: the parts cache on Redis (issue 16, item 5)

    def seen(self, client: Client, *urls: str) -> None:
        """Warm: each page read (and shown) before what removes it, so that whatever the page
        caches was cached before the change. Cold: nothing."""
        if self.warm:
            for url in urls:
                assert client.get(url).status_code == 200, url

    def change(self):
        """Around what removes: warm, what waits for its commit (the bumps) runs at the end
        of the block, as the commit would; cold, nothing."""
        return warm.committed() if self.warm else nullcontext()

    # people
    @cached_property
    def blocker(self) -> User:
        """A member who blocks ``me``."""
        blocker = factories.member("Blocking Person")
        self.seen(self.client, *(url_of(name, blocker.pk) for name in (
            "accounts:profile", "accounts:introductions", "diary:member")))
        with self.change():
            block_create(blocker=blocker, blocked=self.me)
        return blocker

    @cached_property
    def suspended(self) -> User:
        person = factories.member("Suspended Person")
        self.seen(self.client, url_of("accounts:profile", person.pk))
        with self.change():
            moderation.member_suspend(member=person, by=self.moderator, reason="refs")
        return person

    @cached_property
    def private_friends(self) -> User:
        """The owner, with a friend list for nobody but the owner (warm: narrowed from
        every member's after ``me`` read it)."""
        if self.warm:
            accounts_services.profile_update(user=self.owner,
                                             fields={"friends_visibility": Level.MEMBERS})
            self.seen(self.client, *(url_of(name, self.owner.pk) for name in (
                "accounts:friends", "accounts:circle", "accounts:circle_svg")))
            with self.change():
                accounts_services.profile_update(user=self.owner,
                                                 fields={"friends_visibility": Level.PRIVATE})
        else:
            Profile.objects.filter(user=self.owner).update(friends_visibility=Level.PRIVATE)
        return self.owner

    # diaries
    @cached_property
    def private_entry(self) -> Entry:
        entry = factories.entry(self.owner, Level.PRIVATE, title="Owner's private entry")
        factories.entry_photo(entry)
        return entry

    @cached_property
    def members_entry(self) -> Entry:
        """An entry ``me`` may read (but not edit)."""
        entry = factories.entry(self.owner, Level.MEMBERS, title="Owner's open entry")
        factories.entry_photo(entry)
        return entry

    @cached_property
    def friends_comment(self) -> Comment:
        """The friend's comment on the entry ``me`` may read."""
        return factories.entry_comment(self.members_entry, self.friend, "Friend's comment")

    # messages
    @cached_property
    def owners_conversation(self) -> Conversation:
        """The owner's conversation with the friend (``me`` is not in it), its first message
        with a photo."""
        return conversation_services.conversation_start(
            sender=self.owner, recipient_ids=[self.friend.pk], subject="Between us",
            body="Only for you.", photos=[images.process(factories.image_file())],
        )

    @cached_property
    def left_conversation(self) -> Conversation:
        """A group ``me`` was in (open to messages from any member) and left."""
        conversation_services.message_preference_update(member=self.me, reach=Level.MEMBERS,
                                                        text_in_mail=False)
        conversation = conversation_services.conversation_start(
            sender=self.owner, recipient_ids=[self.friend.pk, self.me.pk], subject="Group",
            body="Hello all.",
        )
        conversation_services.conversation_leave(member=self.me,
                                                 conversation_id=conversation.pk)
        return conversation

    # albums
    @cached_property
    def private_album(self) -> Album:
        """The owner's album for nobody else, with a photo the friend commented on."""
        album = factories.album(self.owner, Level.PRIVATE, title="Owner's private album")
        factories.album_photo(album)
        return album

    @cached_property
    def members_album(self) -> Album:
        """An album ``me`` may see (not change), with a photo the friend commented on."""
        album = factories.album(self.owner, Level.MEMBERS, title="Owner's open album")
        factories.album_comment(factories.album_photo(album), self.friend, "Friend's words")
        return album

    @cached_property
    def secret_album(self) -> Album:
        """An album of the owner's secret community (``me`` is not in it)."""
        album = factories.album(self.owner, community=self.secret_club, title="Club album")
        factories.album_photo(album)
        return album

    # communities
    @cached_property
    def secret_club(self) -> Community:
        club = factories.community(self.owner, policy=JoinPolicy.SECRET,
                                   name="Owner's secret club")
        Membership.objects.create(community=club, user=self.friend)
        return club

    @cached_property
    def open_club(self) -> Community:
        """An open community the owner leads and ``me`` belongs to (but does not moderate)."""
        club = factories.community(self.owner, name="Owner's open club")
        Membership.objects.create(community=club, user=self.me)
        Membership.objects.create(community=club, user=self.friend)
        return club

    @cached_property
    def my_club(self) -> Community:
        """A community ``me`` leads."""
        return factories.community(self.me, name="My own club")

    @cached_property
    def owners_topic(self) -> Topic:
        return factories.topic(self.open_club, self.owner, title="Owner's topic")

    @cached_property
    def secret_topic(self) -> Topic:
        return factories.topic(self.secret_club, self.owner, title="Secret topic")

    @cached_property
    def friends_topic_comment(self) -> TopicComment:
        return factories.topic_comment(self.owners_topic, self.friend, "Friend's reply")

    @cached_property
    def join_request(self) -> JoinRequest:
        """A request to join an approval community the owner leads."""
        club = factories.community(self.owner, policy=JoinPolicy.APPROVAL,
                                   name="Owner's approval club")
        return JoinRequest.objects.create(community=club, user=self.friend, message="Let me in")

    # off-kai
    @cached_property
    def private_event(self) -> Event:
        return factories.event(self.owner, visibility="private", title="Hosts only")

    @cached_property
    def members_event(self) -> Event:
        """An off-kai ``me`` may see (and answer) but does not host."""
        return factories.event(self.owner, visibility=Level.MEMBERS, title="Open off-kai")

    @cached_property
    def past_event(self) -> Event:
        """A started off-kai the owner hosts, with a guest."""
        event = factories.event(self.owner, days=-1, visibility=Level.MEMBERS,
                                title="Last week's off-kai")
        factories.answer(event, self.friend)
        return event

    @cached_property
    def guest(self) -> Guest:
        return offkai_services.guest_add(event=self.past_event, by=self.owner, name="Guest Person",
                                    email="guest@example.com")

    @cached_property
    def friends_event_comment(self) -> EventComment:
        return EventComment.objects.create(event=self.members_event, author=self.friend,
                                           body="Friend's event comment")

    # the rest
    @cached_property
    def friend_request(self) -> FriendRequest:
        """A request from the friend to a third member: neither end is ``me``."""
        third = factories.member("Third Person")
        return accounts_services.friend_request_send(sender=self.friend, recipient=third)

    @cached_property
    def introduction(self) -> Introduction:
        return accounts_services.introduction_write(author=self.friend, subject=self.owner,
                                                    body="A fine person.")

    @cached_property
    def invitation(self) -> Invitation:
        return factories.invitation(self.owner, "owner-guest@example.com", send=False)

    @cached_property
    def owners_notification(self) -> Notification:
        return notify(recipient=self.owner, kind=Notification.Kind.FRIEND_REQUEST_ACCEPTED,
                      actor=self.friend)

    @cached_property
    def club_announcement(self) -> Announcement:
        """Sent to the secret club's members only."""
        return Announcement.objects.create(title="For the club", body="Hello club",
                                           community=self.secret_club,
                                           created_by=self.moderator, sent_at=timezone.now())


@pytest.fixture
def scene(owner, friend, member, moderator, as_user) -> Scene:
    return Scene(owner, friend, member, moderator, as_user)


# --- answers ---------------------------------------------------------------------------------

def _page(response) -> bytes:
    """The body without what differs between any two answers (the CSRF token, the language
    switch's return address)."""
    body = response.content
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
    return re.sub(rb'name="next" value="[^"]+"', b"", body)


# Warm REFS (issue 16, item 5): members who may see what ``me`` may not, each of whose GETs
# fills the parts cache before ``me`` asks (a part cached for one viewer must never reach
# another); empty when cold.
FIRST_READERS: list[Client] = []
# A GET that writes: opening a notification marks it read for its recipient.
WRITING_GETS = ("notifications:open",)


def like_missing(client: Client, url: str, missing: str, *, method: str = "get",
                 data: dict | None = None) -> None:
    """``url`` answers ``client`` exactly as ``missing`` (the same URL with an id nothing
    has) does: a 404, alike to the byte. (A first look at ``missing`` shows the messages
    left by what came before, so that neither compared page has them.)"""
    if method == "get" and resolve(url.split("?")[0]).view_name not in WRITING_GETS:
        for reader in FIRST_READERS:
            reader.get(url)
    getattr(client, method)(missing, data or {})
    found = getattr(client, method)(url, data or {})
    absent = getattr(client, method)(missing, data or {})
    assert absent.status_code == 404, (missing, absent.status_code)
    assert found.status_code == 404, (url, found.status_code, found.get("Location"))
    assert _page(found) == _page(absent), url


def url_of(name: str, *args) -> str:
    return reverse(name, args=list(args))


def both(name: str, *args, swap: int = 0) -> tuple[str, str]:
    """The URL ``name`` with ``args``, and the same with argument ``swap`` made missing."""
    missing = list(args)
    missing[swap] = MISSING
    return url_of(name, *args), url_of(name, *missing)


def check_get_like_missing(name: str, thing: Callable[[Scene], list], swap: int = 0):
    """A GET of ``name`` with ``thing``'s ids answers ``me`` as a missing id does."""

    def check(s: Scene) -> None:
        like_missing(s.client, *both(name, *thing(s), swap=swap))

    return check


def check_post_like_missing(name: str, thing: Callable[[Scene], list], unchanged, swap=0,
                            data: dict | None = None):
    """A POST to ``name`` with ``thing``'s ids answers ``me`` as a missing id does, and
    ``unchanged(scene)`` (a snapshot of the database) is the same before and after."""

    def check(s: Scene) -> None:
        args = thing(s)
        before = unchanged(s)
        like_missing(s.client, *both(name, *args, swap=swap), method="post", data=data)
        assert unchanged(s) == before, name

    return check


def everything(s: Scene) -> tuple:
    """What a stray write could touch, for POSTs whose 404 must change nothing."""
    return (
        list(Entry.objects.order_by("pk").values("pk", "title", "body", "visibility")),
        list(Comment.objects.order_by("pk").values_list("pk", flat=True)),
        list(Topic.objects.order_by("pk").values("pk", "title", "pinned")),
        list(TopicComment.objects.order_by("pk").values_list("pk", flat=True)),
        list(Membership.objects.order_by("pk").values("pk", "role")),
        list(JoinRequest.objects.order_by("pk").values_list("pk", flat=True)),
        list(Event.objects.order_by("pk").values("pk", "title", "cancelled_at")),
        list(RSVP.objects.order_by("pk").values("pk", "answer", "attended")),
        list(EventComment.objects.order_by("pk").values_list("pk", flat=True)),
        list(Guest.objects.order_by("pk").values("pk", "invitation_id")),
        list(Invitation.objects.order_by("pk").values("pk", "token", "revoked_at", "sent_at")),
        list(FriendRequest.objects.order_by("pk").values_list("pk", flat=True)),
        list(Introduction.objects.order_by("pk").values_list("pk", flat=True)),
        list(Notification.objects.order_by("pk").values("pk", "read_at")),
    )


# --- REFS: every URL with an id or a token -------------------------------------------------

def _profile_of_blocker(name: str):
    return check_get_like_missing(name, lambda s: [s.blocker.pk])


def _friend_request_answer(name: str):
    """Someone else's request (and, for accept and decline, one ``me`` sent: only its
    recipient answers it)."""

    def check(s: Scene) -> None:
        check_post_like_missing(name, lambda s: [s.friend_request.pk], everything)(s)
        if name != "accounts:friend_request_cancel":
            mine = accounts_services.friend_request_send(sender=s.me, recipient=s.friend)
            check_post_like_missing(name, lambda s: [mine.pk], everything)(s)

    return check


def _invitation_post(name: str):
    return check_post_like_missing(name, lambda s: [s.invitation.pk], everything)


def _invitation_page(s: Scene) -> None:
    """An altered token (one character changed, or cut short) is the page of no invitation:
    a 404 for a visitor, nothing of the owner's invitation on it."""
    token = s.invitation.token
    visitor = Client()
    altered = token[:-1] + ("a" if token[-1] != "a" else "b")
    for guess in (altered, token[:-4], "x" * len(token)):
        response = visitor.get(url_of("invites:accept", guess))
        assert response.status_code == 404, guess
        assert s.invitation.email.encode() not in response.content
    # A used-up invitation offers nothing to sign up with.
    invites_services.invitation_revoke(invitation=s.invitation)
    response = visitor.post(url_of("invites:accept", token), factories.signup_data(
        s.invitation.email))
    assert response.status_code == 410
    assert not User.objects.filter(email=s.invitation.email).exists()


def _unfriend(s: Scene) -> None:
    """Only one's own friends: the owner (no friend of mine) is a 404 like nobody."""
    like_missing(s.client, *both("accounts:unfriend", s.owner.pk))
    before = everything(s), list(s.owner.friendships.values_list("friend", flat=True))
    like_missing(s.client, *both("accounts:unfriend", s.owner.pk), method="post")
    assert (everything(s), list(s.owner.friendships.values_list("friend", flat=True))) == before


def _unblock(s: Scene) -> None:
    """Removing a block ``me`` did not make changes nobody's blocks: the owner's of the
    friend stays (the page is the one every member gets back)."""
    block_create(blocker=s.owner, blocked=s.friend)
    before = list(Block.objects.values_list("blocker", "blocked"))
    response = s.client.post(url_of("accounts:unblock", s.friend.pk))
    assert response.status_code == 302
    assert list(Block.objects.values_list("blocker", "blocked")) == before
    assert s.client.post(url_of("accounts:unblock", MISSING)).status_code == 404


def _introduce(s: Scene) -> None:
    """Only a friend introduces: for the owner, ``me`` is sent back to their page with a
    message, as any member who is not a friend, and nothing is written; a blocked-off
    member is a 404 like nobody."""
    for method in ("get", "post"):
        response = getattr(s.client, method)(url_of("accounts:introduce", s.owner.pk),
                                             {"body": "I know them."})
        assert response.status_code == 302 and response.url == s.owner.get_absolute_url()
    assert not Introduction.objects.filter(subject=s.owner).exists()
    like_missing(s.client, *both("accounts:introduce", s.blocker.pk))


def _photo(s: Scene) -> None:
    entry = s.private_entry
    like_missing(s.client, url_of("diary:photo", entry.pk, 0, "small"),
                 url_of("diary:photo", MISSING, 0, "small"))
    # Another position or size of a photo ``me`` may see is a 404 too.
    visible = s.members_entry
    assert s.client.get(url_of("diary:photo", visible.pk, 0, "small")).status_code == 200
    assert s.client.get(url_of("diary:photo", visible.pk, 1, "small")).status_code == 404
    assert s.client.get(url_of("diary:photo", visible.pk, 0, "huge")).status_code == 404


def _profile_photo(s: Scene) -> None:
    """The owner's friends-only photo, and the photo of a member who blocks ``me``, answer as
    a member who does not exist; the same owner's photo for members is served, in its
    sizes only."""
    photo = images.store(images.process(factories.image_file()), prefix="profiles")
    Profile.objects.filter(user=s.owner).update(photo=photo, photo_visibility=Level.FRIENDS)
    Profile.objects.filter(user=s.blocker).update(photo=photo, photo_visibility=Level.MEMBERS)
    for person in (s.owner, s.blocker):
        like_missing(s.client, *both("accounts:photo", person.pk, "small"))
    Profile.objects.filter(user=s.owner).update(photo_visibility=Level.MEMBERS)
    assert s.client.get(url_of("accounts:photo", s.owner.pk, "small")).status_code == 200
    like_missing(s.client, url_of("accounts:photo", s.owner.pk, "huge"),
                 url_of("accounts:photo", MISSING, "huge"))


def _archive(s: Scene) -> None:
    now = timezone.localtime()
    like_missing(s.client, url_of("diary:archive", s.blocker.pk, now.year, now.month),
                 url_of("diary:archive", MISSING, now.year, now.month))
    assert s.client.get(url_of("diary:archive", s.owner.pk, now.year, 13)).status_code == 404


def _diary_comment_delete(s: Scene) -> None:
    """The friend's comment on an entry ``me`` may read, and one on an entry ``me`` may not:
    neither is ``me``'s to delete."""
    hidden_comment = factories.entry_comment(s.private_entry, s.owner, "On a private entry")
    for comment in (s.friends_comment, hidden_comment):
        check_post_like_missing("diary:comment_delete", lambda s, c=comment: [c.pk],
                                everything)(s)


def _category(s: Scene) -> None:
    category = s.open_club.category
    assert s.client.get(url_of("communities:category", category.pk)).status_code == 200
    assert s.client.get(url_of("communities:category", MISSING)).status_code == 404


def _community_image(s: Scene) -> None:
    Community.objects.filter(pk=s.secret_club.pk).update(image="communities/none")
    like_missing(s.client, url_of("communities:image", s.secret_club.pk, "small"),
                 url_of("communities:image", MISSING, "small"))


def _moderated_page(name: str):
    """A page of a community ``me`` is in but does not moderate (and of a secret one)."""

    def check(s: Scene) -> None:
        like_missing(s.client, *both(name, s.open_club.pk))
        like_missing(s.client, *both(name, s.secret_club.pk))

    return check


def _decide(s: Scene) -> None:
    """A request to join a community ``me`` does not moderate, sent to one ``me`` leads:
    neither the owner's community's id nor ``me``'s takes it."""
    request, mine = s.join_request, s.my_club
    check_post_like_missing("communities:decide",
                            lambda s: [request.community_id, request.pk], everything,
                            data={"decision": "approve"})(s)
    before = everything(s)
    response = s.client.post(url_of("communities:decide", mine.pk, request.pk),
                             {"decision": "approve"})
    assert response.status_code == 404
    assert everything(s) == before


def _role(s: Scene) -> None:
    for club in (s.open_club, s.secret_club):
        check_post_like_missing("communities:role", lambda s, c=club: [c.pk, s.friend.pk],
                                everything, data={"action": "admin"})(s)
    # In ``me``'s own community, a member of another is no member here.
    before = list(Membership.objects.filter(community=s.my_club).values("user", "role"))
    s.client.post(url_of("communities:role", s.my_club.pk, s.friend.pk), {"action": "admin"})
    assert list(Membership.objects.filter(community=s.my_club).values("user", "role")) == before


def _topic_url(name: str, *, data: dict | None = None, method: str = "get"):
    """The secret community's topic; and the owner's topic under ``me``'s own community's
    id (a topic answers only under its own community)."""

    def check(s: Scene) -> None:
        secret, topic, mine = s.secret_topic, s.owners_topic, s.my_club
        before = everything(s)
        like_missing(s.client, url_of(name, secret.community_id, secret.pk),
                     url_of(name, secret.community_id, MISSING), method=method, data=data)
        like_missing(s.client, url_of(name, mine.pk, topic.pk),
                     url_of(name, mine.pk, MISSING), method=method, data=data)
        if method == "post":
            assert everything(s) == before

    return check


def _topic_owner_only(name: str, *, method: str = "get", data: dict | None = None):
    """The owner's topic in a community ``me`` is in but does not moderate."""

    def check(s: Scene) -> None:
        _topic_url(name, method=method, data=data)(s)
        before = everything(s)
        topic = s.owners_topic
        like_missing(s.client, url_of(name, topic.community_id, topic.pk),
                     url_of(name, topic.community_id, MISSING), method=method, data=data)
        assert everything(s) == before

    return check


def _topic_comment_delete(s: Scene) -> None:
    comment = s.friends_topic_comment
    topic = comment.topic
    other = factories.topic(s.open_club, s.me, title="My topic")
    before = everything(s)
    like_missing(s.client, url_of("communities:topic_comment_delete", topic.community_id,
                                  topic.pk, comment.pk),
                 url_of("communities:topic_comment_delete", topic.community_id, topic.pk,
                        MISSING), method="post")
    # Under another topic's id it is no comment either.
    response = s.client.post(url_of("communities:topic_comment_delete", other.community_id,
                                    other.pk, comment.pk))
    assert response.status_code == 404
    assert everything(s) == before


def _month(s: Scene) -> None:
    assert s.client.get(url_of("offkai:month", 2026, 13)).status_code == 404
    assert s.client.get(url_of("offkai:month", 2026, 0)).status_code == 404


def _hosted(name: str, *, method: str = "get", data: dict | None = None):
    """An off-kai ``me`` may see but does not host, and one ``me`` may not see."""

    def check(s: Scene) -> None:
        events = s.members_event, s.private_event
        before = everything(s)
        for event in events:
            like_missing(s.client, *both(name, event.pk), method=method, data=data)
        assert everything(s) == before

    return check


def _attendance(name: str, *, method: str = "get", data: dict | None = None):
    """The past off-kai ``me`` may see but does not host."""

    def check(s: Scene) -> None:
        event = s.past_event
        before = everything(s)
        like_missing(s.client, *both(name, event.pk), method=method, data=data)
        assert everything(s) == before

    return check


def _guest_invite(s: Scene) -> None:
    """Another host's guest, under that off-kai's id and under one ``me`` hosts."""
    guest = s.guest
    check_post_like_missing("offkai:guest_invite", lambda s: [guest.event_id, guest.pk],
                            everything, swap=1)(s)
    mine = factories.event(s.me, days=-1, title="My past off-kai")
    before = everything(s)
    response = s.client.post(url_of("offkai:guest_invite", mine.pk, guest.pk))
    assert response.status_code == 404
    assert everything(s) == before


def _event_comment_delete(s: Scene) -> None:
    comment = s.friends_event_comment
    check_post_like_missing("offkai:comment_delete", lambda s: [comment.event_id, comment.pk],
                            everything, swap=1)(s)
    # Under another off-kai's id it is no comment of that one.
    other = factories.event(s.me, title="My off-kai")
    assert s.client.post(url_of("offkai:comment_delete", other.pk, comment.pk)
                         ).status_code == 404
    assert EventComment.objects.filter(pk=comment.pk).exists()


def _feed(s: Scene) -> None:
    """A feed answers only to its current secret: guessed, altered, reset or a departed
    member's is a 404 like any other."""
    feed = calendar_feed_get_or_create(user=s.owner)
    factories.answer(s.members_event, s.owner)
    visitor = Client()
    assert visitor.get(url_of("offkai:feed", feed.token)).status_code == 200
    altered = feed.token[:-1] + ("A" if feed.token[-1] != "A" else "B")
    for guess in (altered, feed.token[:-1], "guess", feed.token.upper()):
        if guess != feed.token:
            assert visitor.get(url_of("offkai:feed", guess)).status_code == 404, guess
    old = feed.token
    calendar_feed_reset(user=s.owner)
    assert visitor.get(url_of("offkai:feed", old)).status_code == 404
    gone = calendar_feed_get_or_create(user=s.suspended)
    assert visitor.get(url_of("offkai:feed", gone.token)).status_code == 404


def _notification_open(s: Scene) -> None:
    notification = s.owners_notification
    like_missing(s.client, *both("notifications:open", notification.pk))
    notification.refresh_from_db()
    assert notification.read_at is None
    # One of ``me``'s own, caused by a member who blocks ``me``: hidden, so a 404 too.
    hidden = notify(recipient=s.me, kind=Notification.Kind.FRIEND_REQUEST_ACCEPTED,
                    actor=s.blocker)
    like_missing(s.client, *both("notifications:open", hidden.pk))


def _unsubscribe(s: Scene) -> None:
    """An altered token or one for another kind list changes nobody's preferences."""
    kinds = [CHOOSABLE[0]]
    token = unsubscribe_token(s.owner, kinds)
    visitor = Client()
    for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace(":", ";"),
                  "guess"):
        for method in ("get", "post"):
            assert getattr(visitor, method)(url_of("notifications:unsubscribe", guess)
                                            ).status_code == 404, guess
    gone = unsubscribe_token(s.suspended, kinds)
    assert visitor.post(url_of("notifications:unsubscribe", gone)).status_code == 404
    assert not NotificationPreference.objects.exists()


def _daily_news_unsubscribe(s: Scene) -> None:
    """An altered token, one made for another purpose (a notification kind's unsubscribe,
    signed with another salt) or one of a suspended member stops nobody's daily news."""
    User.objects.filter(pk__in=[s.owner.pk, s.suspended.pk]).update(daily_news=True)
    token = daily_news_token(s.owner)
    visitor = Client()
    other_purpose = unsubscribe_token(s.owner, [CHOOSABLE[0]])
    for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace(":", ";"),
                  "guess", other_purpose, signing.dumps(s.owner.pk)):
        for method in ("get", "post"):
            assert getattr(visitor, method)(url_of("dailynews:unsubscribe", guess)
                                            ).status_code == 404, guess
    gone = daily_news_token(s.suspended)
    assert visitor.post(url_of("dailynews:unsubscribe", gone)).status_code == 404
    assert User.objects.filter(daily_news=True).count() == 2


def _announcement(s: Scene) -> None:
    like_missing(s.client, *both("notifications:announcement", s.club_announcement.pk))
    unsent = Announcement.objects.create(title="Draft", body="Not yet", created_by=s.moderator)
    like_missing(s.client, *both("notifications:announcement", unsent.pk))


def _confirm_email(s: Scene) -> None:
    """Another member's address is confirmed only by its own key: an altered key is the page
    of an invalid link, and the address stays unconfirmed."""
    address = EmailAddress.objects.create(user=s.owner, email="owner-new@example.com",
                                          verified=False)
    key = EmailConfirmationHMAC(address).key
    altered = key[:-1] + ("A" if key[-1] != "A" else "B")
    answers = [s.client.get(reverse("account_confirm_email", args=[k]))
               for k in (altered, "nothing-at-all")]
    assert answers[0].status_code == answers[1].status_code
    assert _page(answers[0]) == _page(answers[1])
    s.client.post(reverse("account_confirm_email", args=[altered]))
    address.refresh_from_db()
    assert not address.verified


def _reset_password(s: Scene) -> None:
    """A reset key made for another member, or altered, sets no password."""
    visitor = Client()
    key = default_token_generator.make_token(s.owner)
    altered = key[:-1] + ("a" if key[-1] != "a" else "b")
    for uid, token in ((user_pk_to_url_str(s.me), key), (user_pk_to_url_str(s.owner), altered)):
        url = reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": token})
        response = visitor.post(url, {"password1": "Another-pass-1234",
                                      "password2": "Another-pass-1234"}, follow=True)
        assert response.status_code == 200
    for person in (s.owner, s.me):
        person.refresh_from_db()
        assert person.check_password(factories.PASSWORD)


def _report(s: Scene) -> None:
    """The report page names its target in the query: another member's private entry is a
    404 like no entry (and one's own content cannot be reported)."""
    entry = s.private_entry
    like_missing(s.client, f"/report/?type=entry&id={entry.pk}",
                 f"/report/?type=entry&id={MISSING}")
    like_missing(s.client, f"/report/?type=entry&id={entry.pk}",
                 f"/report/?type=entry&id={MISSING}", method="post", data={"reason": "spam"})
    assert not Report.objects.exists()


def _conversation(name: str, *, method: str = "get", data: dict | None = None):
    """A conversation ``me`` is not in, and one ``me`` left: the same 404 as none."""

    def check(s: Scene) -> None:
        conversations = s.owners_conversation, s.left_conversation
        before = _messages(s)
        for conversation in conversations:
            like_missing(s.client, *both(name, conversation.pk), method=method, data=data)
        assert _messages(s) == before

    return check


def _messages(s: Scene) -> tuple:
    return (
        list(Message.objects.order_by("pk").values_list("pk", "body")),
        # (Not the read marks: a warm run's first readers, in it, read it.)
        list(Participant.objects.order_by("pk").values("pk", "archived_at", "left_at")),
    )


def _message_photo(s: Scene) -> None:
    """A photo of a message ``me`` cannot read: the same 404 as no photo."""
    message = s.owners_conversation.messages.get()
    like_missing(s.client, *both("conversations:photo", message.pk, 0, "small"))
    # Its other sizes and places alike; a moderator, not in it, no more.
    like_missing(s.client, url_of("conversations:photo", message.pk, 0, "large"),
                 url_of("conversations:photo", MISSING, 0, "large"))
    like_missing(s.as_user(s.moderator), *both("conversations:photo", message.pk, 0, "small"))


def _report_message(s: Scene) -> None:
    """A message of a conversation ``me`` is not in is no message to report."""
    message = s.owners_conversation.messages.get()
    for method, data in (("get", None), ("post", {"reason": "spam"})):
        like_missing(s.client, f"/report/?type=message&id={message.pk}",
                     f"/report/?type=message&id={MISSING}", method=method, data=data)
    assert not Report.objects.exists()


def _albums_now(s: Scene) -> tuple:
    """What a stray write to albums could touch."""
    return (
        list(Album.objects.order_by("pk").values("pk", "title", "visibility", "cover",
                                                  "photo_count", "description")),
        list(AlbumPhoto.objects.order_by("pk").values("pk", "caption", "position")),
        list(AlbumPhotoComment.objects.order_by("pk").values_list("pk", flat=True)),
        everything(s),
    )


def _album_photo(which: str) -> Callable[[Scene], list]:
    return lambda s: [getattr(s, which).photos.get().pk]


def _album_post(name: str, things, data: dict | None = None):
    return check_post_like_missing(name, things, _albums_now, data=data)


def _album_file(s: Scene) -> None:
    """A photo of an album ``me`` may not see, in every size: the same 404 as no photo; a
    secret community's too, and the moderator no more than anyone."""
    for album in (s.private_album, s.secret_album):
        photo = album.photos.get()
        for size in ("small", "large"):
            like_missing(s.client, *both("albums:photo_file", photo.pk, size))
        like_missing(s.as_user(s.moderator), *both("albums:photo_file", photo.pk, "small"))
    visible = s.members_album.photos.get()
    assert s.client.get(url_of("albums:photo_file", visible.pk, "small")).status_code == 200
    assert s.client.get(url_of("albums:photo_file", visible.pk, "huge")).status_code == 404


def _album_comment_delete(s: Scene) -> None:
    """The friend's comment on a photo ``me`` may see: not ``me``'s to delete."""
    comment = AlbumPhotoComment.objects.get(photo__album=s.members_album)
    _album_post("albums:comment_delete", lambda s: [comment.pk])(s)


REFS: dict[str, Callable[[Scene], None]] = {
    # albums
    "albums:detail": check_get_like_missing("albums:detail", lambda s: [s.private_album.pk]),
    "albums:edit": check_get_like_missing("albums:edit", lambda s: [s.members_album.pk]),
    "albums:delete": _album_post("albums:delete", lambda s: [s.members_album.pk]),
    "albums:upload": _album_post("albums:upload", lambda s: [s.members_album.pk]),
    "albums:member": check_get_like_missing("albums:member", lambda s: [s.blocker.pk]),
    "albums:community": check_get_like_missing("albums:community",
                                               lambda s: [s.secret_club.pk]),
    "albums:photo": check_get_like_missing("albums:photo", _album_photo("private_album")),
    "albums:photo_file": _album_file,
    "albums:caption": _album_post("albums:caption", _album_photo("members_album"),
                                  data={"caption": "Mine now"}),
    "albums:cover": _album_post("albums:cover", _album_photo("members_album")),
    "albums:move": _album_post("albums:move", _album_photo("members_album"), data={"by": "1"}),
    "albums:photo_delete": _album_post("albums:photo_delete", _album_photo("members_album")),
    "albums:comment_create": _album_post("albums:comment_create",
                                         _album_photo("private_album"),
                                         data={"body": "Let me in"}),
    "albums:comment_delete": _album_comment_delete,
    # invitations
    "invites:resend": _invitation_post("invites:resend"),
    "invites:revoke": _invitation_post("invites:revoke"),
    "invites:accept": _invitation_page,
    # members
    "accounts:profile": _profile_of_blocker("accounts:profile"),
    "accounts:friends": check_get_like_missing("accounts:friends",
                                               lambda s: [s.private_friends.pk]),
    "accounts:circle": check_get_like_missing("accounts:circle",
                                              lambda s: [s.private_friends.pk]),
    "accounts:circle_svg": check_get_like_missing("accounts:circle_svg",
                                                  lambda s: [s.private_friends.pk]),
    "accounts:photo": _profile_photo,
    "accounts:introductions": _profile_of_blocker("accounts:introductions"),
    "accounts:introduce": _introduce,
    "accounts:introduction_delete": check_post_like_missing(
        "accounts:introduction_delete", lambda s: [s.introduction.pk], everything),
    "accounts:friend_request_accept": _friend_request_answer("accounts:friend_request_accept"),
    "accounts:friend_request_decline": _friend_request_answer(
        "accounts:friend_request_decline"),
    "accounts:friend_request_cancel": _friend_request_answer("accounts:friend_request_cancel"),
    "accounts:friend_request_send": check_post_like_missing(
        "accounts:friend_request_send", lambda s: [s.blocker.pk], everything),
    "accounts:unfriend": _unfriend,
    "accounts:block": check_get_like_missing("accounts:block", lambda s: [s.blocker.pk]),
    "accounts:unblock": _unblock,
    # diaries
    "diary:entry": check_get_like_missing("diary:entry", lambda s: [s.private_entry.pk]),
    "diary:edit": check_get_like_missing("diary:edit", lambda s: [s.members_entry.pk]),
    "diary:delete": check_post_like_missing("diary:delete", lambda s: [s.members_entry.pk],
                                            everything),
    "diary:photo": _photo,
    "diary:member": check_get_like_missing("diary:member", lambda s: [s.blocker.pk]),
    "diary:archive": _archive,
    "diary:comment_create": check_post_like_missing(
        "diary:comment_create", lambda s: [s.private_entry.pk], everything,
        data={"body": "Let me in"}),
    "diary:comment_delete": _diary_comment_delete,
    # communities
    "communities:category": _category,
    "communities:detail": check_get_like_missing("communities:detail",
                                                 lambda s: [s.secret_club.pk]),
    "communities:image": _community_image,
    "communities:members": check_get_like_missing("communities:members",
                                                  lambda s: [s.secret_club.pk]),
    "communities:topics": check_get_like_missing("communities:topics",
                                                 lambda s: [s.secret_club.pk]),
    "communities:topic_new": check_get_like_missing("communities:topic_new",
                                                    lambda s: [s.secret_club.pk]),
    "communities:edit": _moderated_page("communities:edit"),
    "communities:close": _moderated_page("communities:close"),
    "communities:requests": _moderated_page("communities:requests"),
    "communities:join": check_post_like_missing("communities:join",
                                                lambda s: [s.secret_club.pk], everything),
    "communities:leave": check_post_like_missing("communities:leave",
                                                 lambda s: [s.secret_club.pk], everything),
    "communities:invite": check_post_like_missing(
        "communities:invite", lambda s: [s.secret_club.pk], everything,
        data={"invitee": "0"}),
    "communities:decide": _decide,
    "communities:role": _role,
    "communities:topic": _topic_url("communities:topic"),
    "communities:topic_edit": _topic_owner_only("communities:topic_edit"),
    "communities:topic_delete": _topic_owner_only("communities:topic_delete", method="post"),
    "communities:topic_pin": _topic_owner_only("communities:topic_pin", method="post",
                                               data={"pinned": "1"}),
    "communities:topic_comment": _topic_url("communities:topic_comment", method="post",
                                            data={"body": "Let me in"}),
    "communities:topic_comment_delete": _topic_comment_delete,
    "offkai:community": check_get_like_missing("offkai:community",
                                               lambda s: [s.secret_club.pk]),
    # off-kai
    "offkai:month": _month,
    "offkai:detail": check_get_like_missing("offkai:detail", lambda s: [s.private_event.pk]),
    "offkai:ics": check_get_like_missing("offkai:ics", lambda s: [s.private_event.pk]),
    "offkai:rsvp": check_post_like_missing("offkai:rsvp", lambda s: [s.private_event.pk],
                                           everything, data={"answer": "attending"}),
    "offkai:comment": check_post_like_missing("offkai:comment",
                                              lambda s: [s.private_event.pk], everything,
                                              data={"body": "Let me in"}),
    "offkai:comment_delete": _event_comment_delete,
    "offkai:edit": _hosted("offkai:edit"),
    "offkai:cancel": _hosted("offkai:cancel", method="post", data={"reason": "Mine now"}),
    "offkai:answers": _hosted("offkai:answers"),
    "offkai:answers_csv": _hosted("offkai:answers_csv"),
    "offkai:attendance": _attendance("offkai:attendance"),
    "offkai:guest_add": _attendance("offkai:guest_add", method="post",
                                    data={"name": "My guest"}),
    "offkai:guest_invite": _guest_invite,
    "offkai:feed": _feed,
    # messages
    "conversations:detail": _conversation("conversations:detail"),
    "conversations:reply": _conversation("conversations:reply", method="post",
                                         data={"body": "Let me in"}),
    "conversations:archive": _conversation("conversations:archive", method="post",
                                           data={"seen": "1"}),
    "conversations:unarchive": _conversation("conversations:unarchive", method="post"),
    "conversations:leave": _conversation("conversations:leave"),
    "conversations:photo": _message_photo,
    # likes: of an entry ``me`` may not see
    "likes:list": check_get_like_missing("likes:list", lambda s: ["entry", s.private_entry.pk],
                                         swap=1),
    "likes:like": check_post_like_missing("likes:like", lambda s: ["entry", s.private_entry.pk],
                                          lambda s: _likes(), swap=1),
    "likes:unlike": check_post_like_missing(
        "likes:unlike", lambda s: ["entry", s.private_entry.pk], lambda s: _likes(), swap=1),
    # notifications, and allauth's keys
    "notifications:open": _notification_open,
    "notifications:unsubscribe": _unsubscribe,
    "dailynews:unsubscribe": _daily_news_unsubscribe,
    "notifications:announcement": _announcement,
    "account_confirm_email": _confirm_email,
    "account_reset_password_from_key": _reset_password,
}

# Ids that come in the query string rather than the path.
QUERY_REFS: dict[str, Callable[[Scene], None]] = {"report": _report}
# More than one check for one name.
MORE_REFS: dict[str, Callable[[Scene], None]] = {
    "a secret community's album": check_get_like_missing("albums:detail",
                                                         lambda s: [s.secret_album.pk]),
    "a secret community's album photo": check_get_like_missing(
        "albums:photo", _album_photo("secret_album")),
    "adding to a secret community's album": _album_post("albums:upload",
                                                        lambda s: [s.secret_album.pk]),
    "a private album photo's delete page": check_get_like_missing(
        "albums:photo_delete", _album_photo("private_album")),
    "a message to report": _report_message,
    "leaving a conversation (POST)": _conversation("conversations:leave", method="post"),
    "liking a topic of a secret club": check_post_like_missing(
        "likes:like", lambda s: ["topic", factories.topic(s.secret_club, s.owner).pk],
        lambda s: _likes(), swap=1),
    "liking the entry of a member who blocks me": check_post_like_missing(
        "likes:like", lambda s: ["entry", factories.entry(s.blocker, Level.MEMBERS).pk],
        lambda s: _likes(), swap=1),
    "liking a photo of a private album": check_post_like_missing(
        "likes:like", lambda s: [
            "photo", factories.album(s.owner, Level.PRIVATE, photos=1).photos.get().pk,
        ], lambda s: _likes(), swap=1),
    "who liked a comment of a member who blocks me": check_get_like_missing(
        "likes:list", lambda s: [
            "entry-comment", factories.entry_comment(s.members_entry, s.blocker).pk,
        ], swap=1),
}


def _likes() -> list:
    return list(Like.objects.order_by("pk").values_list("pk", flat=True))


def _routes_with_ids() -> set[str]:
    names = set()
    for name, pattern in _routes():
        converters = getattr(pattern.pattern, "converters", {})
        if converters or pattern.pattern.regex.groupindex:
            names.add(name)
    return names


def test_every_url_with_an_id_or_token_is_covered():
    routed = _routes_with_ids()
    assert routed - set(REFS) == set(), "URLs with an id or a token and no entry in REFS"
    assert set(REFS) - routed == set(), "entries for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted([*REFS, *QUERY_REFS, *MORE_REFS]))
def test_another_members_id_or_a_guessed_token(scene, name):
    {**REFS, **QUERY_REFS, **MORE_REFS}[name](scene)


@pytest.mark.parametrize("name", sorted([*REFS, *QUERY_REFS, *MORE_REFS]))
def test_another_members_id_or_a_guessed_token_warm(scene, name):
    """The same with the parts cache on Redis, each page first read by the owner and the
    friend, who may see what it names; the blocker, the suspended member and the private
    friend list were each seen by ``me`` before the block, the suspension, the narrowing."""
    scene.warm = True
    FIRST_READERS[:] = [scene.as_user(scene.owner), scene.as_user(scene.friend)]
    try:
        with warm.parts_on_redis():
            {**REFS, **QUERY_REFS, **MORE_REFS}[name](scene)
    finally:
        FIRST_READERS.clear()


# --- GONE: what was deleted or hidden ------------------------------------------------------

def _hide(s: Scene, thing) -> None:
    assert moderation.content_hide(target=thing, by=s.moderator, reason="refs")


def _gone_entry(s: Scene, *, hidden: bool) -> None:
    """Even its author: a hidden entry is gone for everyone, the author too; a deleted one
    is gone."""
    entry = factories.entry(s.me, Level.MEMBERS, title="My entry")
    factories.entry_photo(entry)
    mine = factories.entry_comment(entry, s.me, "My own comment")
    pk = entry.pk
    s.seen(s.client, *(url_of(name, pk) for name in ("diary:entry", "diary:edit", "diary:delete")),
           url_of("diary:photo", pk, 0, "small"), url_of("diary:member", s.me.pk))
    with s.change():
        if hidden:
            _hide(s, entry)
        else:
            diary_services.entry_delete(entry=entry)
    for name in ("diary:entry", "diary:edit", "diary:delete"):
        like_missing(s.client, *both(name, pk))
    like_missing(s.client, url_of("diary:photo", pk, 0, "small"),
                 url_of("diary:photo", MISSING, 0, "small"))
    before = everything(s)
    for name, data in (("diary:comment_create", {"body": "Still here?"}),
                       ("diary:delete", None), ("diary:edit", {"title": "Back", "body": "Back",
                                                                "visibility": "members"})):
        like_missing(s.client, *both(name, pk), method="post", data=data)
    if hidden:
        like_missing(s.client, *both("diary:comment_delete", mine.pk), method="post")
    assert everything(s) == before


def _gone_topic(s: Scene, *, hidden: bool) -> None:
    topic = factories.topic(s.open_club, s.me, title="My topic")
    pk, club = topic.pk, s.open_club.pk
    s.seen(s.client, *(url_of(name, club, pk) for name in ("communities:topic",
                                                            "communities:topic_edit")),
           url_of("communities:topics", club), "/")
    with s.change():
        if hidden:
            _hide(s, topic)
        else:
            community_services.topic_delete(topic=topic, by=s.me)
    for name in ("communities:topic", "communities:topic_edit"):
        like_missing(s.client, *both(name, club, pk, swap=1))
    before = everything(s)
    for name, data in (("communities:topic_comment", {"body": "Still here?"}),
                       ("communities:topic_delete", None),
                       ("communities:topic_pin", {"pinned": "1"}),
                       ("communities:topic_edit", {"title": "Back", "body": "Back"})):
        like_missing(s.client, *both(name, club, pk, swap=1), method="post", data=data)
    assert everything(s) == before


def _gone_event(s: Scene) -> None:
    """A hidden off-kai is gone for its hosts too."""
    event = factories.event(s.me, title="My off-kai")
    s.seen(s.client, *(url_of(name, event.pk) for name in ("offkai:detail", "offkai:edit",
                                                            "offkai:answers")))
    with s.change():
        _hide(s, event)
    for name in ("offkai:detail", "offkai:ics", "offkai:edit", "offkai:cancel",
                 "offkai:answers", "offkai:answers_csv"):
        like_missing(s.client, *both(name, event.pk))
    before = everything(s)
    for name, data in (("offkai:rsvp", {"answer": "attending"}),
                       ("offkai:comment", {"body": "Still here?"}),
                       ("offkai:cancel", {"reason": "Gone"})):
        like_missing(s.client, *both(name, event.pk), method="post", data=data)
    assert everything(s) == before


def _gone_comments(s: Scene) -> None:
    """One's own comments a moderator hid: deleting them is a 404 like a missing one (the
    moderators' log keeps pointing at them)."""
    entry = s.members_entry
    diary = factories.entry_comment(entry, s.me, "My diary comment")
    topic = s.owners_topic
    on_topic = factories.topic_comment(topic, s.me, "My topic comment")
    on_event = EventComment.objects.create(event=s.members_event, author=s.me, body="Mine")
    s.seen(s.client, entry.get_absolute_url(), topic.get_absolute_url(),
           s.members_event.get_absolute_url(), "/")
    with s.change():
        for comment in (diary, on_topic, on_event):
            _hide(s, comment)
    before = everything(s)
    like_missing(s.client, *both("diary:comment_delete", diary.pk), method="post")
    like_missing(s.client, *both("communities:topic_comment_delete", topic.community_id,
                                 topic.pk, on_topic.pk, swap=2), method="post")
    like_missing(s.client, *both("offkai:comment_delete", s.members_event.pk, on_event.pk,
                                 swap=1), method="post")
    assert everything(s) == before


def _gone_notification(s: Scene) -> None:
    """A notification withdrawn with the comment it told of."""
    entry = factories.entry(s.me, Level.MEMBERS, title="My entry")
    comment = factories.entry_comment(entry, s.friend, "Hello")
    notification = notify(recipient=s.me, kind=Notification.Kind.DIARY_COMMENT,
                          actor=s.friend, target=comment)
    s.seen(s.client, url_of("notifications:list"))
    with s.change():
        assert as_friend(s).post(url_of("diary:comment_delete", comment.pk)).status_code == 302
    like_missing(s.client, *both("notifications:open", notification.pk))


def as_friend(s: Scene) -> Client:
    return s.as_user(s.friend)


def _gone_friend_request(s: Scene) -> None:
    request = accounts_services.friend_request_send(sender=s.friend, recipient=s.me)
    s.seen(s.client, url_of("accounts:friend_requests"))
    with s.change():
        assert s.client.post(url_of("accounts:friend_request_decline", request.pk)
                             ).status_code == 302
    before = everything(s)
    for name in ("accounts:friend_request_accept", "accounts:friend_request_decline"):
        like_missing(s.client, *both(name, request.pk), method="post")
    assert everything(s) == before
    assert not s.me.friendships.filter(friend=s.friend).exists()


def _gone_introduction(s: Scene) -> None:
    introduction = accounts_services.introduction_write(author=s.friend, subject=s.owner,
                                                        body="Kind.")
    s.seen(as_friend(s), url_of("accounts:introductions", s.owner.pk))
    with s.change():
        accounts_services.introduction_delete(user=s.owner, introduction_id=introduction.pk)
    like_missing(as_friend(s), *both("accounts:introduction_delete", introduction.pk),
                 method="post")


def _gone_members(s: Scene) -> None:
    """A suspended member's pages, and those of a member who left, are a 404 like nobody's."""
    left = factories.member("Left Person")
    suspended = factories.member("Suspended Person")
    for person in (suspended, left):
        factories.befriend(person, s.friend)  # a circle to draw
        s.seen(s.client, *(url_of(name, person.pk) for name in (
            "accounts:profile", "accounts:friends", "accounts:circle", "accounts:circle_svg",
            "accounts:introductions", "diary:member", "accounts:block")))
    with s.change():
        moderation.member_suspend(member=suspended, by=s.moderator, reason="refs")
        member_leave(member=left, password=factories.PASSWORD)
    for person in (suspended, left):
        for name in ("accounts:profile", "accounts:friends", "accounts:circle",
                     "accounts:circle_svg", "accounts:introductions", "diary:member",
                     "accounts:block"):
            like_missing(s.client, *both(name, person.pk))
        like_missing(s.client, *both("accounts:photo", person.pk, "small"))
        like_missing(s.client, *both("accounts:friend_request_send", person.pk),
                     method="post")


GONE: dict[str, Callable[[Scene], None]] = {
    "a hidden entry": lambda s: _gone_entry(s, hidden=True),
    "a deleted entry": lambda s: _gone_entry(s, hidden=False),
    "a hidden topic": lambda s: _gone_topic(s, hidden=True),
    "a deleted topic": lambda s: _gone_topic(s, hidden=False),
    "a hidden off-kai": _gone_event,
    "hidden comments": _gone_comments,
    "a withdrawn notification": _gone_notification,
    "an answered friend request": _gone_friend_request,
    "a deleted introduction": _gone_introduction,
    "suspended and departed members": _gone_members,
}


@pytest.mark.parametrize("thing", list(GONE))
def test_the_id_of_something_gone(scene, thing):
    GONE[thing](scene)


@pytest.mark.parametrize("thing", list(GONE))
def test_the_id_of_something_gone_warm(scene, thing):
    """The same with the parts cache on Redis, each page read while the thing was there."""
    scene.warm = True
    with warm.parts_on_redis() as parts:
        GONE[thing](scene)
        assert warm.filled(parts)


# --- FORMS: no owner, author, host, community or user from the client ------------------------

# Every name a form could take an owner or a place from, each set to someone else's id.
def _foreign(s: Scene, other_club: Community, other_entry: Entry) -> dict:
    theirs = str(s.owner.pk)
    return {
        "author": theirs, "user": theirs, "owner": theirs, "created_by": theirs,
        "creator": theirs, "host": theirs, "hosts": theirs, "inviter": theirs,
        "from_user": theirs, "sender": theirs, "reporter": theirs, "recipient": theirs,
        "subject": theirs, "admin": theirs, "by": theirs, "user_id": theirs,
        "author_id": theirs, "community": str(other_club.pk), "community_id": str(other_club.pk),
        "entry": str(other_entry.pk), "entry_id": str(other_entry.pk),
    }


@dataclass
class Post:
    """One form, posted by ``me`` with the foreign fields."""

    url: Callable[[Scene], str]
    data: Callable[[Scene], dict]
    made: Callable[[Scene], object]  # what the post made or changed, read back
    check: Callable[[Scene, object], None]  # it is ``me``'s, in the URL's place


def _new_entry_data(s: Scene) -> dict:
    return {"title": "Mine", "body": "My words", "visibility": "members"}


def _event_data(s: Scene) -> dict:
    from tests.offkai.test_event_views import form_data

    return form_data(title="My off-kai", co_hosts=[])


def _profile_data(s: Scene) -> dict:
    from tests.accounts.test_profiles import edit_data

    return edit_data(s.me.profile, company="My company K.K.")


def _mine(s: Scene, thing, field: str = "author") -> None:
    assert getattr(thing, f"{field}_id") == s.me.pk, (thing, field)


FORMS: dict[str, Post] = {
    "albums:new": Post(
        lambda s: url_of("albums:new"),
        lambda s: {"title": "My album", "description": "", "visibility": "members"},
        lambda s: Album.objects.get(title="My album"),
        lambda s, a: (_mine(s, a, "owner"), _same(a.community_id, None))),
    "albums:comment_create": Post(
        lambda s: url_of("albums:comment_create", s.members_album.photos.get().pk),
        lambda s: {"body": "My photo comment"},
        lambda s: AlbumPhotoComment.objects.get(body="My photo comment"),
        lambda s, c: (_mine(s, c), _same(c.photo_id, s.members_album.photos.get().pk))),
    "diary:new": Post(
        lambda s: url_of("diary:new"), _new_entry_data,
        lambda s: Entry.objects.get(title="Mine"), _mine),
    "diary:edit": Post(
        lambda s: url_of("diary:edit", s.my_entry.pk), _new_entry_data,
        lambda s: Entry.objects.get(pk=s.my_entry.pk),
        lambda s, e: (_same(e.title, "Mine"), _mine(s, e))),
    "diary:comment_create": Post(
        lambda s: url_of("diary:comment_create", s.members_entry.pk),
        lambda s: {"body": "My comment"},
        lambda s: Comment.objects.get(body="My comment"),
        lambda s, c: (_mine(s, c), _same(c.entry_id, s.members_entry.pk))),
    "communities:new": Post(
        lambda s: url_of("communities:new"),
        lambda s: {"name": "My new club", "description": "Ours",
                   "category": str(s.open_club.category_id), "join_policy": "open",
                   "topic_policy": "members"},
        lambda s: Community.objects.get(name="My new club"),
        lambda s, c: (_mine(s, c, "created_by"), _same(
            list(c.memberships.values_list("user", "role")), [(s.me.pk, Role.ADMIN)]))),
    "communities:edit": Post(
        lambda s: url_of("communities:edit", s.my_club.pk),
        lambda s: {"name": "My renamed club", "description": "Ours",
                   "category": str(s.my_club.category_id), "join_policy": "open",
                   "topic_policy": "members"},
        lambda s: Community.objects.get(pk=s.my_club.pk),
        lambda s, c: (_same(c.name, "My renamed club"), _mine(s, c, "created_by"),
                      _same(list(c.memberships.values_list("user", "role")),
                            [(s.me.pk, Role.ADMIN)]))),
    "communities:topic_new": Post(
        lambda s: url_of("communities:topic_new", s.open_club.pk),
        lambda s: {"title": "My topic", "body": "Let us talk"},
        lambda s: Topic.objects.get(title="My topic"),
        lambda s, t: (_mine(s, t), _same(t.community_id, s.open_club.pk))),
    "communities:topic_edit": Post(
        lambda s: url_of("communities:topic_edit", s.open_club.pk, s.my_topic.pk),
        lambda s: {"title": "My topic, edited", "body": "Let us talk"},
        lambda s: Topic.objects.get(pk=s.my_topic.pk),
        lambda s, t: (_same(t.title, "My topic, edited"), _mine(s, t),
                      _same(t.community_id, s.open_club.pk))),
    "communities:topic_comment": Post(
        lambda s: url_of("communities:topic_comment", s.open_club.pk, s.owners_topic.pk),
        lambda s: {"body": "My reply", "topic": str(s.my_topic.pk)},
        lambda s: TopicComment.objects.get(body="My reply"),
        lambda s, c: (_mine(s, c), _same(c.topic_id, s.owners_topic.pk))),
    "communities:join": Post(
        lambda s: url_of("communities:join", s.owners_open_club_to_join.pk),
        lambda s: {"message": ""},
        lambda s: list(Membership.objects.filter(community=s.owners_open_club_to_join)
                       .values_list("user", flat=True)),
        lambda s, members: _same(sorted(members), sorted([s.owner.pk, s.me.pk]))),
    "offkai:new": Post(
        lambda s: url_of("offkai:new"), _event_data,
        lambda s: Event.objects.get(title="My off-kai"),
        lambda s, e: (_mine(s, e, "created_by"), _same(e.community_id, None),
                      _same(list(e.host_rows.values_list("user", flat=True)), [s.me.pk]))),
    "offkai:edit": Post(
        lambda s: url_of("offkai:edit", s.my_event.pk),
        lambda s: {**_event_data(s), "title": "My off-kai, edited"},
        lambda s: Event.objects.get(pk=s.my_event.pk),
        lambda s, e: (_same(e.title, "My off-kai, edited"), _mine(s, e, "created_by"),
                      _same(e.community_id, None),
                      _same(list(e.host_rows.values_list("user", flat=True)), [s.me.pk]))),
    "offkai:comment": Post(
        lambda s: url_of("offkai:comment", s.members_event.pk),
        lambda s: {"body": "My event comment", "event": str(s.my_event.pk)},
        lambda s: EventComment.objects.get(body="My event comment"),
        lambda s, c: (_mine(s, c), _same(c.event_id, s.members_event.pk))),
    "offkai:rsvp": Post(
        lambda s: url_of("offkai:rsvp", s.members_event.pk),
        lambda s: {"answer": "attending", "guests": "0", "event": str(s.my_event.pk)},
        lambda s: list(RSVP.objects.values_list("event", "user")),
        lambda s, answers: _same(answers, [(s.members_event.pk, s.me.pk)])),
    "offkai:guest_add": Post(
        lambda s: url_of("offkai:guest_add", s.my_past_event.pk),
        lambda s: {"name": "My guest", "event": str(s.past_event.pk)},
        lambda s: Guest.objects.get(name="My guest"),
        lambda s, g: _same(g.event_id, s.my_past_event.pk)),
    "accounts:edit": Post(
        lambda s: url_of("accounts:edit"), _profile_data,
        lambda s: list(Profile.objects.filter(company="My company K.K.")
                       .values_list("user", flat=True)),
        lambda s, users: _same(users, [s.me.pk])),
    "accounts:settings": Post(
        lambda s: url_of("accounts:settings"),
        lambda s: {"language": "ja", "friends_visibility": "private",
                   "leaves_footprints": "on", "default_visibility": "friends"},
        lambda s: list(User.objects.filter(language="ja").values_list("pk", flat=True)),
        lambda s, users: (_same(users, [s.me.pk]),
                          _same(Profile.objects.get(user=s.owner).friends_visibility,
                                Level.MEMBERS))),
    "accounts:friend_request_send": Post(
        lambda s: url_of("accounts:friend_request_send", s.friend.pk),
        lambda s: {"message": "Hello", "to_user": str(s.moderator.pk)},
        lambda s: list(FriendRequest.objects.values_list("from_user", "to_user")),
        lambda s, pairs: _same(pairs, [(s.me.pk, s.friend.pk)])),
    "accounts:introduce": Post(
        lambda s: url_of("accounts:introduce", s.my_friend.pk),
        lambda s: {"body": "A fine friend."},
        lambda s: Introduction.objects.get(body="A fine friend."),
        lambda s, i: (_mine(s, i), _same(i.subject_id, s.my_friend.pk))),
    "invites:mine": Post(
        lambda s: url_of("invites:mine"),
        lambda s: {"email": "my-guest@example.com", "message": "Come"},
        lambda s: Invitation.objects.get(email="my-guest@example.com"),
        lambda s, i: _mine(s, i, "inviter")),
    "report": Post(
        lambda s: f"/report/?type=entry&id={s.members_entry.pk}",
        lambda s: {"reason": "spam", "details": "Cheap watches"},
        lambda s: Report.objects.get(details="Cheap watches"),
        lambda s, r: _mine(s, r, "reporter")),
    "notifications:settings": Post(
        lambda s: url_of("notifications:settings"),
        lambda s: dict.fromkeys(CHOOSABLE, "app"),
        lambda s: sorted(set(NotificationPreference.objects.values_list("user", flat=True))),
        lambda s, users: _same(users, [s.me.pk])),
}


def _same(actual, expected) -> None:
    assert actual == expected, (actual, expected)


@pytest.fixture
def own_things(scene: Scene) -> Scene:
    """``me``'s own things, for the forms that edit them."""
    s = scene
    s.my_entry = factories.entry(s.me, Level.MEMBERS, title="My first entry")
    s.my_topic = factories.topic(s.open_club, s.me, title="My first topic")
    s.my_event = factories.event(s.me, title="My first off-kai")
    s.my_past_event = factories.event(s.me, days=-1, title="My past off-kai")
    s.my_friend = factories.member("My Friend")
    factories.befriend(s.me, s.my_friend)
    s.owners_open_club_to_join = factories.community(s.owner, name="Open to join")
    return s


@pytest.mark.parametrize("name", list(FORMS))
def test_a_form_takes_no_owner_from_the_client(own_things, name):
    s = own_things
    post = FORMS[name]
    other_club, other_entry = s.secret_club, s.private_entry
    url = post.url(s)
    # The form's own fields win (an off-kai's community is one: see the test below).
    response = s.client.post(url, {**_foreign(s, other_club, other_entry), **post.data(s)})
    assert response.status_code == 302, (url, response.status_code,
                                         response.content.decode()[:2000])
    post.check(s, post.made(s))


def test_an_off_kai_goes_only_into_ones_own_communities(scene):
    """The community is a form field: one ``me`` is not in is refused like no community."""
    for club in (scene.secret_club, scene.join_request.community):
        response = scene.client.post(url_of("offkai:new"),
                                     {**_event_data(scene), "community": str(club.pk),
                                      "visibility": "community"})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Event.objects.filter(title="My off-kai").exists()


def test_co_hosts_are_only_ones_friends(scene):
    response = scene.client.post(url_of("offkai:new"),
                                 {**_event_data(scene), "co_hosts": [str(scene.owner.pk)]})
    assert response.status_code == 200
    assert not Event.objects.filter(title="My off-kai").exists()
    assert not EventHost.objects.filter(user=scene.owner).exists()


def test_a_community_invitation_is_only_for_ones_friends(scene):
    """The invitee is a form field: a member who is not ``me``'s friend is not invited."""
    club = scene.open_club
    stranger, mine = factories.member("Stranger Person"), factories.member("My Friend")
    factories.befriend(scene.me, mine)
    for invitee in (stranger, mine):
        scene.client.post(url_of("communities:invite", club.pk), {"invitee": str(invitee.pk)})
    assert list(club.invitations.values_list("invitee", "inviter")) == [(mine.pk, scene.me.pk)]
