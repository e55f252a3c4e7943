"""A whole site around one member, at a chosen size, for the query budget of every page
(tests/sns/test_query_budget.py).

``world_build(n)`` makes a viewer whose every list holds ``n`` of each thing: friends (each
with a friend of their own, so there are people to suggest), diaries and comments on them,
communities with topics, comments and join requests, off-kai coming and past with answers,
comments and guests, notifications of every common kind, footprints, introductions,
invitations, friend requests either way, blocks and announcements. ``star`` is one of the
viewer's friends whose own pages (profile, diary, circle) are as full, and who has an
authenticator app for the second-factor pages.

Rows are made through the apps' services and the test factories (tests/factories/) wherever
there is one, so they are the rows the site itself makes (notifications included). The word
``Zelkova`` is in a member's name, a community's, an entry's and an off-kai's title in every
group, so a search finds ``n`` of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import Profile, User
from accounts.services import block_create, footprint_record
from albums.models import Album, AlbumPhoto
from communities import services as community_services
from communities.models import Community, JoinPolicy, Topic, TopicComment
from conversations import services as conversation_services
from conversations.models import Conversation, Message
from diary import services as diary_services
from diary.models import Comment, Entry
from offkai import services as offkai_services
from offkai.models import Answer, Event, EventComment, Guest
from offkai.services import calendar_feed_get_or_create
from sns import images
from sns.dailynews.mail import unsubscribe_token as daily_news_token
from sns.liking import services as like_services
from sns.models import Announcement
from sns.notifications.mail import unsubscribe_token
from sns.notify import Kind, notify_many
from sns.visibility import Level
from tests import factories
from tests.mfa import authenticator_app

SEARCH_WORD = "Zelkova"


@dataclass
class World:
    """What the pages are opened on; each page's URL is built from these."""

    n: int
    viewer: User
    star: User  # a friend of the viewer, with as full pages and an authenticator app
    stranger: User  # a member the viewer could block (confirmation page)
    entry: Entry  # the star's, with comments and a photo
    comment: Comment  # a friend's comment on ``entry``
    own_entry: Entry  # the viewer's, with comments
    community: Community  # the viewer's (admin), with members, topics and join requests
    topic: Topic  # the star's, in ``community``, with comments
    topic_comment: TopicComment
    event: Event  # coming, hosted by the viewer in ``community``, with answers and comments
    event_comment: EventComment
    friend_event: Event  # coming, hosted by a friend
    past_event: Event  # started, hosted by the viewer: the attendance page
    conversation: Conversation  # the star's with the viewer: ``n`` messages, one with a photo
    message: Message  # the star's first in ``conversation``
    album: Album  # the star's (of ``n``), with ``n`` photos
    album_photo: AlbumPhoto  # the first of ``album``, with comments by every friend
    own_album: Album  # the viewer's (of ``n``), with ``n`` photos
    own_photo: AlbumPhoto  # the first of ``own_album``
    announcement: Announcement
    invitation_token: str  # a pending invitation from the viewer
    feed_token: str
    unsubscribe_token: str
    daily_news_token: str
    email_key: str  # confirms a member's new address

    @property
    def category_id(self) -> int:
        return self.community.category_id


def world_build(n: int) -> World:
    """Make the world of size ``n`` (at least 2: the star and another friend)."""
    assert n >= 2
    viewer = factories.member(f"{SEARCH_WORD} Viewer", email="viewer@example.com",
                              company="Viewer K.K.")
    viewer.invite_quota = 2 * n + 5  # room for the invitations below, and some left
    viewer.save(update_fields=["invite_quota"])
    friends = _friends(viewer, n)
    star = friends[0]
    # The star's photo: every list that shows the star shows it, by the checked address.
    Profile.objects.filter(user=star).update(
        photo=images.store(images.process(factories.image_file()), prefix="profiles"))
    fofs = _friends_of_friends(friends)
    _requests_and_blocks(viewer, n)
    entry, comment, own_entry = _diaries(viewer, star, friends)
    community, topic, topic_comment = _communities(viewer, star, friends, fofs)
    event, event_comment, friend_event, past_event = _offkai(viewer, star, friends, fofs,
                                                             community)
    for visitor in [*friends, *fofs]:
        footprint_record(visitor=visitor, owner=viewer)
    _introductions(viewer, star, friends)
    conversation, message = _conversations(viewer, star, friends)
    album, album_photo, own_album = _albums(viewer, star, friends, fofs, community)
    _likes(viewer, friends, [entry, comment, own_entry, topic, topic_comment, event,
                             event_comment, album_photo])
    invitation_token = _invitations(viewer, n)
    _second_factor(star)
    announcement = _announcements(viewer, n)
    _notifications_interleaved(viewer)
    stranger = factories.member()
    return World(
        n=n, viewer=viewer, star=star, stranger=stranger, entry=entry,
        comment=comment, own_entry=own_entry, community=community, topic=topic,
        topic_comment=topic_comment, event=event, event_comment=event_comment,
        friend_event=friend_event, past_event=past_event,
        conversation=conversation, message=message,
        album=album, album_photo=album_photo, own_album=own_album,
        own_photo=own_album.photos.order_by("position").first(),
        announcement=announcement, invitation_token=invitation_token,
        feed_token=calendar_feed_get_or_create(user=viewer).token,
        unsubscribe_token=unsubscribe_token(viewer, [Kind.DIARY_COMMENT]),
        daily_news_token=daily_news_token(viewer),
        email_key=_email_key(viewer, stranger),
    )


def _likes(viewer: User, friends: list[User], things: list) -> None:
    """Every friend likes each of ``things`` (the viewer's own among them gather into one
    notification each); the viewer likes the first."""
    for thing in things:
        for friend in friends:
            like_services.like_add(member=friend, target=thing)
    like_services.like_add(member=viewer, target=things[0])


# --- people ----------------------------------------------------------------------------------

def _friends(viewer: User, n: int) -> list[User]:
    """``n`` friends of the viewer; the first (the star) is also friends with all the others,
    so the star has ``n`` friends and mutual friends with the viewer."""
    friends = [
        factories.member(f"{SEARCH_WORD} Friend {i}", company=f"{SEARCH_WORD} Trading")
        for i in range(n)
    ]
    for i, friend in enumerate(friends):
        factories.befriend(viewer, friend)
        if i:
            factories.befriend(friends[0], friend)
    _birthdays(viewer, friends)
    return friends


def _birthdays(viewer: User, friends: list[User]) -> None:
    """Every friend's birthday this week (home lists them), the star's with its year shown
    (their profile says it); the viewer is told of the star's, due tomorrow."""
    today = timezone.localdate()
    for i, friend in enumerate(friends):
        day = today + timedelta(days=i % 7)
        Profile.objects.filter(user=friend).update(
            birth_month=day.month, birth_day=day.day, birth_year=1990 if i == 0 else None,
            birthday_visibility=Level.FRIENDS, birth_year_visibility=Level.FRIENDS,
        )
    notify_many(recipient_ids=[viewer.pk], kind=Kind.BIRTHDAY, actor=friends[0])


def _friends_of_friends(friends: list[User]) -> list[User]:
    """One friend for each of the viewer's friends: people the viewer may know."""
    fofs = []
    for friend in friends:
        fof = factories.member()
        factories.befriend(friend, fof)
        fofs.append(fof)
    return fofs


def _requests_and_blocks(viewer: User, n: int) -> None:
    """``n`` friend requests to the viewer, ``n`` from them, ``n`` members they block."""
    for _ in range(n):
        accounts_services.friend_request_send(
            sender=factories.member(), recipient=viewer, message="Hello!"
        )
        accounts_services.friend_request_send(sender=viewer, recipient=factories.member())
        block_create(blocker=viewer, blocked=factories.member())


def _introductions(viewer: User, star: User, friends: list[User]) -> None:
    """Each friend introduces the viewer and the star; the viewer introduces the star (so
    the introduction form shows theirs)."""
    for friend in friends:
        accounts_services.introduction_write(author=friend, subject=viewer, body="Kind.")
        if friend != star:
            accounts_services.introduction_write(author=friend, subject=star, body="Kind.")
    accounts_services.introduction_write(author=viewer, subject=star, body="A good friend.")


def _invitations(viewer: User, n: int) -> str:
    """``n + 1`` invitations from the viewer, every other one accepted (the invitee joins
    as the viewer's friend); the token of a pending one."""
    pending = []
    for i in range(n + 1):
        invitation = factories.invitation(viewer, send=False)
        if i % 2:
            factories.redeem(invitation, name=f"Invitee {i}")
        else:
            pending.append(invitation)
    return pending[0].token


def _second_factor(member: User) -> None:
    """An authenticator app and recovery codes, for the pages that manage them."""
    authenticator_app(member)
    RecoveryCodes.activate(member)


def _email_key(viewer: User, stranger: User) -> str:
    """A second address of the viewer's, and the key confirming one that a newer member
    added (an unverified address of the viewer's would keep them from adding an
    authenticator app)."""
    EmailAddress.objects.create(user=viewer, email="viewer.second@example.com", verified=True)
    address = EmailAddress.objects.create(user=stranger, email="stranger.new@example.com")
    return EmailConfirmationHMAC(address).key


# --- diary -----------------------------------------------------------------------------------

def _diaries(viewer: User, star: User, friends: list[User]) -> tuple[Entry, Comment, Entry]:
    """Each friend's entry; the star's ``n + 2`` entries, one with newer and older ones, a
    photo and comments from everyone (the viewer's first, so the others notify them); the
    viewer's own entry with a comment from each friend."""
    n = len(friends)
    for i, friend in enumerate(friends):
        factories.entry(friend, Level.FRIENDS, title=f"{SEARCH_WORD} day {i}",
                        ago=timedelta(minutes=5 + i))
    stars = [
        factories.entry(star, Level.FRIENDS, title=f"Star's day {i}",
                        ago=timedelta(minutes=2 * i + 1))
        for i in range(n + 2)
    ]
    entry = stars[1]
    factories.entry_photo(entry)
    diary_services.comment_create(entry_id=entry.pk, author=viewer, body="Lovely.")
    for friend in friends:
        diary_services.comment_create(entry_id=entry.pk, author=friend, body="Nice!")
    own = factories.entry(viewer, Level.FRIENDS, title="My day")
    for friend in friends:
        diary_services.comment_create(entry_id=own.pk, author=friend, body="Great day.")
    comment = entry.comments.exclude(author__in=[viewer, star]).first()
    return entry, comment, own


# --- messages --------------------------------------------------------------------------------

def _conversations(viewer: User, star: User, friends: list[User]) -> tuple[Conversation,
                                                                            Message]:
    """A conversation of each friend with the viewer (the search word in each); the star's
    with ``n`` messages either way, the star's first with a photo; a group of the viewer
    with every friend (a fuller member list)."""
    n = len(friends)
    conversation = conversation_services.conversation_start(
        sender=star, recipient_ids=[viewer.pk], subject="Star's news",
        body=f"{SEARCH_WORD}: look at this.", photos=[images.process(factories.image_file())],
    )
    for i in range(n):
        conversation_services.message_send(
            conversation_id=conversation.pk, sender=(viewer, star)[i % 2], body=f"Reply {i}"
        )
    for friend in friends[1:]:
        conversation_services.conversation_start(
            sender=friend, recipient_ids=[viewer.pk], subject=f"From {friend.pk}",
            body=f"{SEARCH_WORD} hello",
        )
    conversation_services.conversation_start(
        sender=viewer, recipient_ids=[f.pk for f in friends[:9]], subject="All of us",
        body="Shall we meet?",
    )
    return conversation, conversation.messages.order_by("pk").first()


# --- albums ----------------------------------------------------------------------------------

def _albums(viewer: User, star: User, friends: list[User], fofs: list[User],
            community: Community) -> tuple[Album, AlbumPhoto, Album]:
    """``n`` albums of the star's (the first with ``n`` photos, the first of those commented
    on by every friend) and of the viewer's; one of each other friend (home's friends' new
    albums); a community album with a photo by each friend of a friend."""
    n = len(friends)
    albums = [factories.album(star, Level.MEMBERS, title=f"{SEARCH_WORD} album {i}")
              for i in range(n)]
    for i in range(n):
        factories.album_photo(albums[0], caption=f"Photo {i}")
    photo = albums[0].photos.order_by("position").first()
    for friend in friends:
        factories.album_comment(photo, friend, body=f"{SEARCH_WORD} nice")
    own = [factories.album(viewer, Level.FRIENDS, title=f"Trip {i}") for i in range(n)]
    for _ in range(n):
        factories.album_photo(own[0])
    factories.album_comment(own[0].photos.order_by("position").first(), star)
    for friend in friends[1:]:
        factories.album(friend, Level.FRIENDS, title=f"{friend.pk}'s holiday", photos=1)
    shared = factories.album(viewer, community=community, title="Our off-kai")
    for fof in fofs:
        factories.album_photo(shared, fof)
    return albums[0], photo, own[0]


# --- communities -----------------------------------------------------------------------------

def _communities(viewer: User, star: User, friends: list[User],
                 fofs: list[User]) -> tuple[Community, Topic, TopicComment]:
    """The viewer's community (with an image) of the star and the friends of friends, their
    topics and comments, then join requests; one community started by each friend, which
    the viewer and the star join."""
    category = factories.category(f"{SEARCH_WORD} books")
    community = factories.community(
        viewer, name=f"{SEARCH_WORD} circle", category=category
    )
    key = images.store(images.process(factories.image_file()), prefix="communities")
    Community.objects.filter(pk=community.pk).update(image=key)
    community.refresh_from_db()
    factories.join(community, [star, *fofs])
    topic = factories.topic(community, star, title=f"{SEARCH_WORD} reading list")
    factories.topic_comment(topic, viewer)
    for i, fof in enumerate(fofs):
        factories.topic_comment(topic, fof, body=f"{SEARCH_WORD} reply {i}")
        other = factories.topic(community, fof, title=f"{SEARCH_WORD} topic {i}")
        factories.topic_comment(other, star)
    topic_comment = topic.comments.exclude(author__in=[viewer, star]).first()
    for i, friend in enumerate(friends):
        club = factories.community(friend, name=f"{SEARCH_WORD} club {i}", category=category)
        factories.join(club, [viewer] if friend == star else [viewer, star])
    Community.objects.filter(pk=community.pk).update(join_policy=JoinPolicy.APPROVAL)
    community.refresh_from_db()
    for _ in range(len(fofs)):
        community_services.membership_join(
            community=community, user=factories.member(), message="Hi"
        )
    return community, topic, topic_comment


# --- off-kai ---------------------------------------------------------------------------------

def _offkai(viewer: User, star: User, friends: list[User], fofs: list[User],
            community: Community) -> tuple[Event, EventComment, Event, Event]:
    """The viewer's coming off-kai in their community, answered and commented on by the
    friends of friends (full: one more waits); a coming one by each friend, and one coming
    and one past in the community by each friend of a friend; a past one by each friend
    that the viewer and the star came to (they met there); a started one the viewer hosted,
    with answers and guests."""
    n = len(friends)
    answers = [Answer.MAYBE if i % 3 == 2 else Answer.ATTENDING for i in range(n)]
    event = factories.event(viewer, days=5, title=f"{SEARCH_WORD} picnic",
                            community=community, co_hosts=[star],
                            capacity=answers.count(Answer.ATTENDING))
    for fof, answer in zip(fofs, answers, strict=True):
        factories.answer(event, fof, answer)
    factories.answer(event, factories.member(), Answer.WAITLISTED)
    for fof in fofs:
        offkai_services.event_comment_create(event_id=event.pk, author=fof, body="Count me in.")
    event_comment = event.comments.exclude(author__in=[viewer, star]).first()
    friend_events = []
    for i, friend in enumerate(friends):
        coming = factories.event(friend, days=3 + i / 10, title=f"{SEARCH_WORD} meetup {i}",
                                 visibility=Level.FRIENDS)
        factories.answer(coming, viewer, Answer.ATTENDING)
        friend_events.append(coming)
        past = factories.event(friend, days=-10 - i, title=f"Past meetup {i}")
        factories.answer(past, viewer, Answer.ATTENDING, attended=True)
        if friend != star:
            factories.answer(past, star, Answer.ATTENDING, attended=True)
    for i, fof in enumerate(fofs):
        factories.event(fof, days=4 + i / 10, title=f"Circle meetup {i}",
                        community=community, visibility="community")
        factories.event(fof, days=-20 - i, title=f"Past circle meetup {i}",
                        community=community, visibility="community")
    past_event = factories.event(viewer, days=-1, title="Yesterday's dinner",
                                 co_hosts=[star])
    for i, fof in enumerate(fofs):
        factories.answer(past_event, fof, Answer.ATTENDING, guests=1,
                         attended=True if i % 2 else None)
        Guest.objects.create(event=past_event, brought_by=fof, name=f"Guest {i}",
                             email=f"guest.of.{fof.pk}@example.com")
    return event, event_comment, friend_events[0], past_event


# --- notices ---------------------------------------------------------------------------------

def _notifications_interleaved(viewer: User) -> None:
    """Space the viewer's notifications out in time so that every kind is among the newest,
    as they come to a member over the days, rather than in the blocks the world was built
    in (a page of the newest would otherwise hold fewer kinds the larger the world)."""
    kinds = {}
    now = timezone.now()
    for notification in viewer.notifications.order_by("kind", "pk"):
        rank = kinds.setdefault(notification.kind, {"n": 0, "index": len(kinds)})
        notification.created_at = now - timedelta(minutes=rank["n"] * 60 + rank["index"])
        rank["n"] += 1
        notification.save(update_fields=["created_at"])


def _announcements(viewer: User, n: int) -> Announcement:
    """``n`` announcements sent to every member, each a notification to the viewer."""
    made = None
    for i in range(n):
        made = Announcement.objects.create(
            title=f"{SEARCH_WORD} news {i}", body="We meet on **Friday**.",
            sent_at=timezone.now() - timedelta(minutes=n - i),
        )
        notify_many(recipient_ids=[viewer.pk], kind=Kind.ANNOUNCEMENT, target=made)
    return made
