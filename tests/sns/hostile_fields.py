"""Where members (and the operator) write, and where the site shows it: for the hostile text
test (tests/sns/test_xss.py).

Each ``Field`` writes one object per text given, through the apps' services (announcements and
the site policy as the admin saves them), and names the pages, and emails, that show them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import User
from albums import services as albums_services
from albums.models import Album, AlbumPhoto
from communities import services as community_services
from communities.models import Category, JoinPolicy
from diary import services as diary_services
from invites import services as invites_services
from offkai import services as offkai_services
from offkai.models import Answer
from offkai.selectors import GUESTS_MAX
from sns import moderation
from sns.models import Announcement, Report, SitePolicy
from sns.notify import Kind, notify_many
from sns.site_policy import policy_memo_set
from sns.visibility import Level
from tests import factories
from tests.conftest import client_for

# How a field's payloads are put together: Markdown blocks, lines, or words of one line.
BLOCKS, LINES, WORDS = "\n\n", "\n", " "
_seq = itertools.count(1)


# --- the pieces ------------------------------------------------------------------------------

@dataclass
class Look:
    """A page to read: who opens it and where (a POST with ``data``), or a rendered email.
    ``follow``: its later pages too (the rel="next" links). ``raw``: a form showing the text
    as typed (markers there prove nothing about how the text is shown)."""

    label: str
    client: Client | None = None
    url: str = ""
    data: dict | None = None
    follow: bool = False
    html: str = ""
    raw: bool = False


@dataclass
class Scene:
    """The people: ``author`` writes, ``reader`` (a friend of the author) reads, the moderator
    reads reports in the admin."""

    author: User
    reader: User
    moderator: User
    # Runs what waits for the commit (mail): pytest-django's django_capture_on_commit_callbacks.
    committing: Callable
    _clients: dict = field(default_factory=dict)
    _category: Category | None = None

    def client(self, user: User | None) -> Client:
        key = user.pk if user else None
        if key not in self._clients:
            self._clients[key] = client_for(user)
        return self._clients[key]

    @property
    def as_author(self) -> Client:
        return self.client(self.author)

    @property
    def as_reader(self) -> Client:
        return self.client(self.reader)

    @property
    def category(self) -> Category:
        if self._category is None:
            self._category = Category.objects.create(name_ja="本", name_en="Books")
        return self._category


Write = Callable[[Scene, list[str]], list[Look]]


@dataclass(frozen=True)
class Field:
    """Where members write: ``write`` makes one object per text and gives the pages that
    show them; ``limit`` is the longest text it takes; ``joint`` how payloads are put
    together; ``alone``: one payload an object, never several."""

    name: str
    limit: int
    write: Write
    joint: str = LINES
    alone: bool = False
    columns: int = 1  # model fields written with the same text (for the count of cases)


def _in_groups(texts: list[str], size: int):
    for start in range(0, len(texts), size):
        yield texts[start:start + size]


def _new_member() -> User:
    return factories.member(f"Someone {next(_seq)}")


def _found(scene: Scene, kind: str) -> Look:
    """The search results of one kind for a word most payloads hold."""
    query = "?" + urlencode({"q": "alert", "kind": kind})
    return Look(f"search results ({kind})", scene.as_reader, reverse("search") + query,
                follow=True)


# A short field shown in lists is read there for every payload; its own page, the same
# template for each, for the first few objects.
SAMPLE = 3


def _sample(looks: list[Look]) -> list[Look]:
    return looks[:SAMPLE]


# --- accounts --------------------------------------------------------------------------------

def write_profiles(scene: Scene, texts: list[str]) -> list[Look]:
    """A member per text, with it in every profile field (cut to each one's length), all
    friends of one member: their profiles, and that member's friend list and circle, as the
    reader (another member) sees them."""
    hub = _new_member()
    looks = []
    for text in texts:
        member = factories.member(
            text[:80], real_name_kana=text[:80], nickname=text[:40], company=text[:120],
            title=text[:120], interests=text[:300], introduction=text[:4000],
            email=f"profile{next(_seq)}@example.com",
        )
        factories.befriend(hub, member)
        looks.append(Look("profile", scene.as_reader, member.get_absolute_url()))
    pk = hub.pk
    return [
        *looks,
        Look("friend list", scene.as_reader, reverse("accounts:friends", args=[pk]), follow=True),
        Look("circle", scene.as_reader, reverse("accounts:circle", args=[pk])),
        Look("circle picture", scene.as_reader, reverse("accounts:circle_svg", args=[pk])),
        _found(scene, "members"),
        Look("members in the admin", scene.client(scene.moderator),
             reverse("admin:accounts_user_changelist")),
    ]


def write_friend_requests(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for text in texts:
        sender = _new_member()
        accounts_services.friend_request_send(sender=sender, recipient=scene.author, message=text)
        looks.append(Look("sender's profile", scene.as_author, sender.get_absolute_url()))
    return [
        *looks,
        Look("friend requests", scene.as_author, reverse("accounts:friend_requests"), follow=True)
    ]


def write_introductions(scene: Scene, texts: list[str]) -> list[Look]:
    for text in texts:
        friend = _new_member()
        factories.befriend(friend, scene.author)
        accounts_services.introduction_write(author=friend, subject=scene.author, body=text)
    pk = scene.author.pk
    return [
        Look("introductions", scene.as_reader, reverse("accounts:introductions", args=[pk]),
             follow=True),
        Look("profile", scene.as_reader, scene.author.get_absolute_url()),
    ]


def write_invitations(scene: Scene, texts: list[str]) -> list[Look]:
    """Invitations with the text as their message: the page the invitee opens, the inviter's
    list, and the invitation email."""
    User.objects.filter(pk=scene.author.pk).update(invite_quota=10_000)
    scene.author.refresh_from_db()
    mail.outbox.clear()
    looks = []
    for text in texts:
        with scene.committing(execute=True):
            invitation = invites_services.invitation_create(
                inviter=scene.author, email=f"guest{next(_seq)}@example.com", message=text,
            )
        looks.append(Look("invitation page", scene.client(None),
                          reverse("invites:accept", args=[invitation.token])))
    looks += [Look("invitation email", html=_html_of(message)) for message in mail.outbox]
    assert len(looks) == 2 * len(texts), "each invitation is mailed, with an HTML part"
    return [*looks, Look("my invitations", scene.as_author, reverse("invites:mine"))]


def _html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


# --- diary -----------------------------------------------------------------------------------

def _entry(scene: Scene, title: str = "An ordinary day", body: str = "Nothing happened."):
    return diary_services.entry_create(author=scene.author, title=title, body=body,
                                       visibility=Level.FRIENDS)


def write_entry_titles(scene: Scene, texts: list[str]) -> list[Look]:
    looks = [Look("entry", scene.as_reader, _entry(scene, title=text).get_absolute_url())
             for text in texts]
    looks = _sample(looks)
    return [
        *looks,
        Look("friends' diaries", scene.as_reader, reverse("diary:friends"), follow=True),
        Look("author's diary", scene.as_reader, reverse("diary:member", args=[scene.author.pk]),
             follow=True),
        Look("home", scene.as_reader, reverse("home")),
        _found(scene, "diaries"),
    ]


def write_entry_bodies(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for text in texts:
        entry = _entry(scene, body=text)
        looks += [
            Look("entry", scene.as_reader, entry.get_absolute_url()),
            Look("edit form", scene.as_author, reverse("diary:edit", args=[entry.pk]), raw=True),
            Look("preview", scene.as_author, reverse("diary:new"), raw=True, data={
                "title": "Preview", "body": text, "visibility": Level.FRIENDS, "preview": "1"}),
        ]
    return [
        *looks,
        Look("author's diary", scene.as_reader, reverse("diary:member", args=[scene.author.pk]),
             follow=True),
    ]


def write_entry_comments(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for group in _in_groups(texts, 50):  # the comments an entry page shows
        entry = _entry(scene)
        for text in group:
            diary_services.comment_create(entry_id=entry.pk, author=scene.reader, body=text)
        looks += [Look("entry", scene.as_reader, entry.get_absolute_url()),
                  Look("entry (author)", scene.as_author, entry.get_absolute_url())]
    return [*looks, Look("new comments", scene.as_author, reverse("diary:new_comments"),
                         follow=True)]


# --- albums ----------------------------------------------------------------------------------

def _album(scene: Scene, *, title: str = "Holiday", description: str = "By the sea.",
           captions: tuple[str, ...] = ("",)):
    """An album of the author's, for friends, through the service; its photos are rows with
    the captions given (no files: the pages read none)."""
    album = albums_services.album_create(owner=scene.author, title=title,
                                         description=description, visibility=Level.FRIENDS)
    photos = [AlbumPhoto.objects.create(album=album, uploader=scene.author,
                                        image=f"albums/{next(_seq)}", caption=caption,
                                        position=n)
              for n, caption in enumerate(captions)]
    Album.objects.filter(pk=album.pk).update(photo_count=len(photos), cover=photos[0])
    return album, photos


def _album_lists(scene: Scene) -> list[Look]:
    return [
        Look("author's albums", scene.as_reader,
             reverse("albums:member", args=[scene.author.pk]), follow=True),
        Look("my albums", scene.as_author, reverse("albums:mine"), follow=True),
        Look("author's profile", scene.as_reader, scene.author.get_absolute_url()),
        Look("home", scene.as_reader, reverse("home")),
    ]


def write_album_titles(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for text in texts:
        album, [photo] = _album(scene, title=text)
        looks += [Look("album", scene.as_reader, album.get_absolute_url()),
                  Look("photo", scene.as_reader, photo.get_absolute_url()),
                  Look("edit form", scene.as_author, reverse("albums:edit", args=[album.pk]),
                       raw=True)]
    return [*_sample(looks), *_album_lists(scene)]


def write_album_descriptions(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for text in texts:
        album, _photos = _album(scene, description=text)
        looks += [Look("album", scene.as_reader, album.get_absolute_url()),
                  Look("edit form", scene.as_author, reverse("albums:edit", args=[album.pk]),
                       raw=True)]
    return looks


def write_photo_captions(scene: Scene, texts: list[str]) -> list[Look]:
    album, photos = _album(scene, captions=tuple(texts))
    looks = [Look("album", scene.as_reader, album.get_absolute_url(), follow=True),
             Look("album (author)", scene.as_author, album.get_absolute_url(), follow=True)]
    for photo in photos:
        looks += [Look("photo", scene.as_reader, photo.get_absolute_url()),
                  Look("photo (author)", scene.as_author, photo.get_absolute_url())]
    return looks


def write_photo_comments(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for group in _in_groups(texts, 50):  # the comments a photo page shows
        _album_made, [photo] = _album(scene)
        for text in group:
            albums_services.comment_create(photo_id=photo.pk, author=scene.reader, body=text)
        looks += [Look("photo", scene.as_reader, photo.get_absolute_url()),
                  Look("photo (author)", scene.as_author, photo.get_absolute_url())]
    return looks


# --- communities -----------------------------------------------------------------------------

def _community(scene: Scene, *, name: str = "", description: str = "We read books.",
               policy: str = JoinPolicy.OPEN):
    return factories.community(
        scene.author, name=name or f"Readers {next(_seq)}", description=description,
        category=scene.category, policy=policy,
        members=[scene.reader] if policy == JoinPolicy.OPEN else [],
    )


def write_community_names(scene: Scene, texts: list[str]) -> list[Look]:
    looks = [Look("community", scene.as_reader, _community(scene, name=text).get_absolute_url())
             for text in texts]
    looks = _sample(looks)
    return [
        *looks,
        Look("communities", scene.as_reader, reverse("communities:list"), follow=True),
        Look("friends' communities", scene.as_reader, reverse("communities:friends"),
             follow=True),
        _found(scene, "communities"),
    ]


def write_community_descriptions(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for text in texts:
        community = _community(scene, description=text)
        looks += [
            Look("community", scene.as_reader, community.get_absolute_url()),
            Look("edit form", scene.as_author, reverse("communities:edit", args=[community.pk]),
                 raw=True),
        ]
    return looks


def _topic(scene: Scene, community, *, title: str = "Hello", body: str = "Hello **all**."):
    return factories.topic(community, scene.author, title=title, body=body)


def write_topic_titles(scene: Scene, texts: list[str]) -> list[Look]:
    community = _community(scene)
    looks = [Look("topic", scene.as_reader, _topic(scene, community, title=text).get_absolute_url())
             for text in texts]
    looks = _sample(looks)
    return [
        *looks,
        Look("topics", scene.as_reader, reverse("communities:topics", args=[community.pk]),
             follow=True),
        Look("community", scene.as_reader, community.get_absolute_url()),
    ]


def write_topic_bodies(scene: Scene, texts: list[str]) -> list[Look]:
    community = _community(scene)
    looks = []
    for text in texts:
        topic = _topic(scene, community, body=text)
        looks += [
            Look("topic", scene.as_reader, topic.get_absolute_url()),
            Look("edit form", scene.as_author,
                 reverse("communities:topic_edit", args=[community.pk, topic.pk]), raw=True),
        ]
    return looks


def write_topic_comments(scene: Scene, texts: list[str]) -> list[Look]:
    community = _community(scene)
    looks = []
    for group in _in_groups(texts, 50):
        topic = _topic(scene, community)
        for text in group:
            community_services.topic_comment_create(topic_id=topic.pk, author=scene.reader,
                                                    body=text)
        looks += [Look("topic", scene.as_reader, topic.get_absolute_url()),
                  Look("topic (author)", scene.as_author, topic.get_absolute_url())]
    return [*looks, Look("new in my communities", scene.as_author,
                         reverse("communities:new_topics"), follow=True)]


def write_join_requests(scene: Scene, texts: list[str]) -> list[Look]:
    community = _community(scene, policy=JoinPolicy.APPROVAL)
    for text in texts:
        community_services.membership_join(community=community, user=_new_member(), message=text)
    return [Look("join requests", scene.as_author,
                 reverse("communities:requests", args=[community.pk]), follow=True)]


# --- off-kai ---------------------------------------------------------------------------------

def _event(scene: Scene, **fields):
    starts = timezone.now() + timedelta(days=7)
    values = {"title": "Picnic", "description": "", "venue": "", "address": "", "fee": ""}
    values.update(fields)
    return offkai_services.event_create(
        creator=scene.author, starts_at=starts, ends_at=starts + timedelta(hours=2),
        capacity=None, rsvp_deadline=None, guest_limit=0, community=None,
        visibility=Level.MEMBERS, **values,
    )


def write_event_facts(scene: Scene, texts: list[str]) -> list[Look]:
    """Title, venue and fee at once: the lists show the first two."""
    events = [_event(scene, title=text, venue=text, fee=text) for text in texts]
    looks = _sample([Look("off-kai", scene.as_reader, e.get_absolute_url()) for e in events])
    month = timezone.localtime(events[0].starts_at)
    return [
        *looks,
        Look("off-kai list", scene.as_reader, reverse("offkai:list"), follow=True),
        Look("month", scene.as_reader, reverse("offkai:month", args=[month.year, month.month])),
        _found(scene, "events"),
    ]


def write_event_addresses(scene: Scene, texts: list[str]) -> list[Look]:
    """The address, on the off-kai's page only (with the map link made from it)."""
    return [Look("off-kai", scene.as_reader, _event(scene, address=text).get_absolute_url())
            for text in texts]


def write_event_descriptions(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for text in texts:
        event = _event(scene, description=text)
        looks += [Look("off-kai", scene.as_reader, event.get_absolute_url()),
                  Look("edit form", scene.as_author, reverse("offkai:edit", args=[event.pk]),
                       raw=True)]
    return looks


def write_event_comments(scene: Scene, texts: list[str]) -> list[Look]:
    looks = []
    for group in _in_groups(texts, 50):
        event = _event(scene)
        for text in group:
            offkai_services.event_comment_create(event_id=event.pk, author=scene.reader,
                                                 body=text)
        looks += [Look("off-kai", scene.as_reader, event.get_absolute_url()),
                  Look("off-kai (host)", scene.as_author, event.get_absolute_url())]
    return looks


def write_cancel_reasons(scene: Scene, texts: list[str]) -> list[Look]:
    """Cancelled off-kai: their page, and the email to those who were coming."""
    mail.outbox.clear()
    looks = []
    for text in texts:
        event = _event(scene)
        offkai_services.rsvp_answer(event_id=event.pk, user=scene.reader,
                                    answer=Answer.ATTENDING)
        with scene.committing(execute=True):
            offkai_services.event_cancel(event=event, by=scene.author, reason=text)
        looks.append(Look("off-kai", scene.as_reader, event.get_absolute_url()))
    mails = [Look("cancellation email", html=_html_of(m)) for m in mail.outbox
             if scene.reader.email in m.to]
    assert len(mails) == len(texts)
    return looks + mails


def write_guest_names(scene: Scene, texts: list[str]) -> list[Look]:
    """Guests a host records after the off-kai: the attendance and answers pages."""
    looks = []
    for group in _in_groups(texts, GUESTS_MAX):
        event = factories.event(scene.author, days=-1, title="Yesterday's dinner")
        factories.answer(event, scene.reader, Answer.ATTENDING, attended=True)
        for text in group:
            offkai_services.guest_add(event=event, by=scene.author, name=text,
                                 brought_by_id=scene.reader.pk)
        looks += [
            Look("attendance", scene.as_author, reverse("offkai:attendance", args=[event.pk])),
            Look("answers", scene.as_author, reverse("offkai:answers", args=[event.pk])),
        ]
    return looks


# --- reports, announcements, search ----------------------------------------------------------

def write_reports(scene: Scene, texts: list[str]) -> list[Look]:
    """A report per text (its details), on an entry with the same text: the moderators read
    both in the admin."""
    looks = []
    for text in texts:
        entry = diary_services.entry_create(author=scene.author, title="Reported", body=text,
                                            visibility=Level.MEMBERS)
        report = moderation.report_create(reporter=scene.reader, target=entry,
                                          reason=Report.Reason.OTHER, details=text)
        looks.append(Look("report", scene.client(scene.moderator),
                          reverse("admin:sns_report_change", args=[report.pk])))
    return [*looks, Look("reports", scene.client(scene.moderator),
                         reverse("admin:sns_report_changelist"))]


def _announcement(**fields) -> Announcement:
    fields.setdefault("title", "News")
    fields.setdefault("body", "We meet on **Friday**.")
    return Announcement.objects.create(sent_at=timezone.now(), **fields)


def write_announcement_titles(scene: Scene, texts: list[str]) -> list[Look]:
    """Announcements (the operator writes them in the admin) and the notification of each."""
    announcements = [_announcement(title=text) for text in texts]
    for announcement in announcements:
        notify_many(recipient_ids=[scene.reader.pk], kind=Kind.ANNOUNCEMENT, target=announcement)
    looks = _sample([
        Look("announcement", scene.as_reader,
             reverse("notifications:announcement", args=[announcement.pk]))
        for announcement in announcements
    ])
    return [
        *looks,
        Look("home", scene.as_reader, reverse("home")),
        Look("notifications", scene.as_reader, reverse("notifications:list"), follow=True),
    ]


def write_announcement_bodies(scene: Scene, texts: list[str]) -> list[Look]:
    return [Look("announcement", scene.as_reader,
                 reverse("notifications:announcement", args=[_announcement(body=text).pk]))
            for text in texts]


def write_search_queries(scene: Scene, texts: list[str]) -> list[Look]:
    """What a member types into a search box, shown back to them."""
    looks = [Look("search", scene.as_reader,
                  reverse("search") + "?" + urlencode({"q": text, "kind": "members"}))
             for text in texts]
    # Searching one kind is quicker; the page of every kind shows the query the same ways.
    everything = [Look("search (everything)", scene.as_reader,
                       reverse("search") + "?" + urlencode({"q": text})) for text in texts]
    return looks + _sample(everything)


def write_site_policy(scene: Scene, texts: list[str]) -> list[Look]:
    """The operator's site policy (admin): its text and rules, on the policy page, and the
    domains invitations may go to, named under the invitation form's address field. The site
    holds one policy at a time, so each is read at once."""
    looks = []
    for text in texts:
        policy_memo_set(SitePolicy(body_en=text, rules_en=text), seconds=float("inf"))
        looks.append(Look("policy", html=_page(scene.client(None), reverse("policy"))))
        # (Rules a member has not accepted yet would stop them at the acceptance page.)
        policy_memo_set(SitePolicy(invite_domains=text), seconds=float("inf"))
        looks.append(Look("invitation form", html=_page(scene.as_author, reverse("invites:mine"))))
    return looks


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


FIELDS = [
    Field("profile fields", 4000, write_profiles, alone=True, columns=7),
    Field("friend request message", 500, write_friend_requests),
    Field("introduction", 1000, write_introductions, BLOCKS),
    Field("invitation message", 2000, write_invitations),
    Field("diary title", 200, write_entry_titles, WORDS),
    Field("diary body", 20_000, write_entry_bodies, BLOCKS),
    Field("diary comment", 5000, write_entry_comments, alone=True),
    Field("album title", 100, write_album_titles, WORDS),
    Field("album description", 5000, write_album_descriptions, BLOCKS),
    Field("photo caption", 200, write_photo_captions, WORDS),
    Field("photo comment", 5000, write_photo_comments, alone=True),
    Field("community name", 100, write_community_names, WORDS),
    Field("community description", 20_000, write_community_descriptions, BLOCKS),
    Field("topic title", 150, write_topic_titles, WORDS),
    Field("topic body", 20_000, write_topic_bodies, BLOCKS),
    Field("topic comment", 5000, write_topic_comments, alone=True),
    Field("join request message", 1000, write_join_requests),
    Field("off-kai title, venue, fee", 100, write_event_facts, WORDS, columns=3),
    Field("off-kai address", 300, write_event_addresses, WORDS),
    Field("off-kai description", 20_000, write_event_descriptions, BLOCKS),
    Field("off-kai comment", 5000, write_event_comments, alone=True),
    Field("off-kai cancel reason", 2000, write_cancel_reasons),
    Field("off-kai guest name", 100, write_guest_names, WORDS),
    Field("report details", 2000, write_reports, BLOCKS),
    Field("announcement title", 150, write_announcement_titles, WORDS),
    Field("announcement body", 10_000, write_announcement_bodies, BLOCKS),
    Field("search query", 100, write_search_queries, WORDS),
    Field("site policy text, rules, invitation domains", 20_000, write_site_policy, BLOCKS,
          columns=3),
]

