"""Abuse limits (sns/limits.py) and login throttling.

For every limited action, the request just past the member's allowance is refused with a
clear message in the member's language, writes nothing, and gives back the form with what the
member typed. Uses are counted in the database under the member's row lock, so requests at
once never pass an allowance; staff are not limited. Failed logins are limited per account and
client and per address by allauth, in the shared cache, so the limit holds across processes.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import FriendRequest, User
from albums.models import Album, AlbumPhoto
from communities.models import Community, JoinPolicy, Topic, TopicComment, TopicPolicy
from conversations import services as conversation_services
from conversations.models import Conversation, Message
from diary import services as diary_services
from diary.models import Comment, Entry, EntryPhoto
from invites import services as invites_services
from invites.models import Invitation
from offkai.models import Event, EventComment
from sns import limits
from sns.models import Like, LimitedAction, Report
from tests import factories, pages
from tests.accounts.test_profiles import edit_data
from tests.invites.test_race import failures, run_at_once, successes
from tests.offkai.test_event_views import form_data as event_data
from tests.sns.test_settings import ROOT, _database_url

ALLOWED = 2

# What each limit says at an allowance of 2, written here rather than taken from the code.
MESSAGES = {
    "en": {
        "INVITATIONS_PER_DAY":
            "You can send at most 2 invitation emails a day. Please try again tomorrow.",
        "FRIEND_REQUESTS_PER_DAY":
            "You can send at most 2 friend requests a day. Please try again tomorrow.",
        "COMMENTS_PER_HOUR": "You can post at most 2 comments an hour. Please try again later.",
        "TOPIC_CREATE_PER_HOUR":
            "You can start at most 2 topics an hour. Please try again later.",
        "COMMUNITY_CREATE_PER_DAY":
            "You can start at most 2 communities a day. Please try again tomorrow.",
        "OFFKAI_CREATE_PER_DAY":
            "You can create at most 2 off-kai a day. Please try again tomorrow.",
        "REPORTS_PER_DAY": "You can send at most 2 reports a day. Please try again tomorrow.",
        "UPLOADS_PER_DAY": "You can upload at most 2 photos a day. Please try again tomorrow.",
        "CONVERSATIONS_PER_DAY":
            "You can start at most 2 conversations a day. Please try again tomorrow.",
        "MESSAGES_PER_HOUR": "You can send at most 2 messages an hour. Please try again later.",
        "LIKES_PER_HOUR": "You can like at most 2 things an hour. Please try again later.",
        "ALBUM_PHOTOS_PER_DAY":
            "You can add at most 2 photos a day to albums. Please try again tomorrow.",
    },
    "ja": {
        "INVITATIONS_PER_DAY": "招待メールを送れるのは1日2通までです。明日もう一度お試しください。",
        "FRIEND_REQUESTS_PER_DAY":
            "友だち申請を送れるのは1日2件までです。明日もう一度お試しください。",
        "COMMENTS_PER_HOUR":
            "コメントを書けるのは1時間に2件までです。しばらくしてからお試しください。",
        "TOPIC_CREATE_PER_HOUR":
            "トピックを立てられるのは1時間に2件までです。しばらくしてからお試しください。",
        "COMMUNITY_CREATE_PER_DAY":
            "コミュニティを作れるのは1日2件までです。明日もう一度お試しください。",
        "OFFKAI_CREATE_PER_DAY": "オフ会を作れるのは1日2件までです。明日もう一度お試しください。",
        "REPORTS_PER_DAY": "通報できるのは1日2件までです。明日もう一度お試しください。",
        "UPLOADS_PER_DAY":
            "写真をアップロードできるのは1日2枚までです。明日もう一度お試しください。",
        "CONVERSATIONS_PER_DAY": "新しい会話は1日に2件までです。明日またお試しください。",
        "MESSAGES_PER_HOUR": "メッセージは1時間に2件までです。しばらくしてからお試しください。",
        "LIKES_PER_HOUR": "イイネ!できるのは1時間に2件までです。しばらくしてからお試しください。",
        "ALBUM_PHOTOS_PER_DAY":
            "アルバムに追加できる写真は1日2枚までです。明日もう一度お試しください。",
    },
}


def typed(i: int) -> str:
    return f"Words typed for try {i}"


class _FormValues(HTMLParser):
    """Every value a page's forms hold, by field name (inputs' value, textareas' text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.values.setdefault(self._textarea, []).append("")

    def handle_data(self, data):
        if self._textarea is not None:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_values(html: str) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(html)
    return {name: [v.strip() for v in values] for name, values in parser.values.items()}


# --- the world the limited actions happen in -----------------------------------------------

@dataclass
class World:
    actor: User
    friend: User
    entry: Entry
    club: Community
    topic: Topic
    event: Event
    own_club: Community
    recipients: list[User]
    reported: list[Entry]
    conversation: Conversation
    album: Album


@pytest.fixture
def world(owner, friend) -> World:
    club = factories.community(friend, members=[owner])
    made = World(
        actor=owner,
        friend=friend,
        entry=factories.entry(friend, "members"),
        club=club,
        topic=factories.topic(club, friend),
        event=factories.event(friend),
        own_club=factories.community(owner, name="Owner's club"),
        recipients=[factories.member(f"Recipient {i}") for i in range(ALLOWED + 1)],
        reported=[factories.entry(friend, "members") for _ in range(ALLOWED + 1)],
        conversation=conversation_services.conversation_start(
            sender=friend, recipient_ids=[owner.pk], subject="Hello", body="Hi there"
        ),
        album=factories.album(owner),
    )
    # Setting the scene (the owner's club) is not what a test counts.
    LimitedAction.objects.all().delete()
    return made


@dataclass(frozen=True)
class Case:
    setting: str
    # The i-th use (0, 1: allowed; 2: just past the limit), through the site as a browser does.
    use: Callable[[Client, World, int], object]
    # What the refused use typed, field by field, that its form must still hold.
    kept: Callable[[int], dict[str, str]]
    # What the use writes; the refused one must leave it as it was.
    state: Callable[[World], object]


def _invite(client, w, i):
    return client.post(reverse("invites:mine"),
                       {"email": f"guest{i}@example.com", "message": typed(i)})


def _friend_request(client, w, i):
    return client.post(reverse("accounts:friend_request_send", args=[w.recipients[i].pk]),
                       {"message": typed(i)})


def _diary_comment(client, w, i):
    return client.post(reverse("diary:comment_create", args=[w.entry.pk]), {"body": typed(i)},
                       follow=True)


def _topic_comment(client, w, i):
    return client.post(reverse("communities:topic_comment", args=[w.club.pk, w.topic.pk]),
                       {"body": typed(i)}, follow=True)


def _event_comment(client, w, i):
    return client.post(reverse("offkai:comment", args=[w.event.pk]), {"body": typed(i)},
                       follow=True)


def _topic(client, w, i):
    return client.post(reverse("communities:topic_new", args=[w.club.pk]),
                       {"title": f"Title {i}", "body": typed(i)})


def _community_fields(i: int, **more) -> dict:
    return {
        "name": f"Club number {i}", "description": typed(i),
        "category": factories.category().pk, "join_policy": JoinPolicy.OPEN,
        "topic_policy": TopicPolicy.MEMBERS, **more,
    }


def _community(client, w, i):
    return client.post(reverse("communities:new"), _community_fields(i))


def _event(client, w, i):
    return client.post(reverse("offkai:new"), event_data(title=f"Party {i}", description=typed(i)))


def _report(client, w, i):
    return client.post(pages.report_url("entry", w.reported[i].pk),
                       {"reason": "spam", "details": typed(i)})


def _diary_photo(client, w, i):
    return client.post(reverse("diary:new"), {
        "title": f"Title {i}", "body": typed(i), "visibility": "members",
        "photo1": factories.image_file(),
    })


def _profile_photo(client, w, i):
    data = edit_data(w.actor.profile, introduction=typed(i))
    return client.post(reverse("accounts:edit"), {**data, "photo_upload": factories.image_file()})


def _community_image(client, w, i):
    return client.post(reverse("communities:edit", args=[w.own_club.pk]), {
        **_community_fields(i, name=w.own_club.name), "image": factories.image_file(),
    })


def _conversation(client, w, i):
    return client.post(reverse("conversations:compose"), {
        "to": [w.friend.pk], "subject": f"Subject {i}", "body": typed(i),
    })


def _message(client, w, i):
    return client.post(reverse("conversations:reply", args=[w.conversation.pk]),
                       {"body": typed(i)})


def _like(client, w, i):
    kind, thing = [("entry", w.entry), ("topic", w.topic), ("offkai", w.event)][i]
    return client.post(reverse("likes:like", args=[kind, thing.pk]), follow=True)


def _album_photo(client, w, i):
    return client.post(reverse("albums:upload", args=[w.album.pk]),
                       {"photos": [factories.image_file()]})


def _body(i):
    return {"body": typed(i)}


CASES = {
    "invitation": Case("INVITATIONS_PER_DAY", _invite,
                       lambda i: {"email": f"guest{i}@example.com", "message": typed(i)},
                       lambda w: Invitation.objects.count()),
    "friend request": Case("FRIEND_REQUESTS_PER_DAY", _friend_request,
                           lambda i: {"message": typed(i)},
                           lambda w: FriendRequest.objects.count()),
    "diary comment": Case("COMMENTS_PER_HOUR", _diary_comment, _body,
                          lambda w: Comment.objects.count()),
    "topic comment": Case("COMMENTS_PER_HOUR", _topic_comment, _body,
                          lambda w: TopicComment.objects.count()),
    "off-kai comment": Case("COMMENTS_PER_HOUR", _event_comment, _body,
                            lambda w: EventComment.objects.count()),
    "topic": Case("TOPIC_CREATE_PER_HOUR", _topic,
                  lambda i: {"title": f"Title {i}", "body": typed(i)},
                  lambda w: Topic.objects.count()),
    "community": Case("COMMUNITY_CREATE_PER_DAY", _community,
                      lambda i: {"name": f"Club number {i}", "description": typed(i)},
                      lambda w: Community.objects.count()),
    "off-kai": Case("OFFKAI_CREATE_PER_DAY", _event,
                    lambda i: {"title": f"Party {i}", "description": typed(i)},
                    lambda w: Event.objects.count()),
    "report": Case("REPORTS_PER_DAY", _report, lambda i: {"details": typed(i)},
                   lambda w: Report.objects.count()),
    "diary photo": Case("UPLOADS_PER_DAY", _diary_photo,
                        lambda i: {"title": f"Title {i}", "body": typed(i)},
                        lambda w: (Entry.objects.count(), EntryPhoto.objects.count())),
    "profile photo": Case("UPLOADS_PER_DAY", _profile_photo,
                          lambda i: {"introduction": typed(i)},
                          lambda w: w.actor.profile.__class__.objects.filter(user=w.actor)
                          .values_list("photo", "introduction").get()),
    "conversation": Case("CONVERSATIONS_PER_DAY", _conversation,
                         lambda i: {"subject": f"Subject {i}", "body": typed(i)},
                         lambda w: Conversation.objects.count()),
    "message": Case("MESSAGES_PER_HOUR", _message, _body, lambda w: Message.objects.count()),
    "like": Case("LIKES_PER_HOUR", _like, lambda i: {}, lambda w: Like.objects.count()),
    "album photo": Case("ALBUM_PHOTOS_PER_DAY", _album_photo, lambda i: {},
                        lambda w: AlbumPhoto.objects.count()),
    "community image": Case("UPLOADS_PER_DAY", _community_image,
                            lambda i: {"description": typed(i)},
                            lambda w: Community.objects.filter(pk=w.own_club.pk)
                            .values_list("image", "description").get()),
}


def test_every_limit_has_a_case():
    assert {case.setting for case in CASES.values()} == {limit.setting for limit in limits.ALL}


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("name", CASES)
def test_the_request_just_past_the_limit_is_refused_and_keeps_what_was_typed(
    name, language, world, as_user, settings
):
    case = CASES[name]
    setattr(settings, case.setting, ALLOWED)
    User.objects.filter(pk=world.actor.pk).update(language=language)
    client = as_user(world.actor)
    for i in range(ALLOWED):
        response = case.use(client, world, i)
        assert response.status_code in (200, 302)
        assert MESSAGES[language][case.setting] not in response.content.decode()
    before = case.state(world)

    response = case.use(client, world, ALLOWED)

    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGES[language][case.setting] in page
    values = form_values(page)
    for field, text in case.kept(ALLOWED).items():
        assert text in values.get(field, []), (field, values.get(field))
    assert case.state(world) == before
    action = next(limit.action for limit in limits.ALL if limit.setting == case.setting)
    used = sum(LimitedAction.objects.filter(user=world.actor, action=action)
               .values_list("amount", flat=True))
    assert used == ALLOWED


def test_a_resent_invitation_counts_and_the_one_past_the_limit_is_not_sent(
    owner, as_user, settings, outbox, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_DAY = ALLOWED
    client = as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invites:mine"), {"email": "guest@example.com", "message": "Hi"})
    invitation = Invitation.objects.get()
    resend = reverse("invites:resend", args=[invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend).status_code == 302
    token = Invitation.objects.get().token

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, follow=True)

    assert MESSAGES["en"]["INVITATIONS_PER_DAY"] in response.content.decode()
    assert Invitation.objects.get().token == token
    assert len(outbox) == ALLOWED


def test_a_moderator_resending_an_invitation_takes_nothing_from_the_inviters_allowance(
    owner, moderator, settings, outbox, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_DAY = ALLOWED
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invites_services.invitation_create(inviter=owner, email="a@example.com")
    for _ in range(ALLOWED + 1):
        with django_capture_on_commit_callbacks(execute=True):
            invites_services.invitation_resend(invitation=invitation, by=moderator)
    assert len(outbox) == ALLOWED + 2

    # The inviter's allowance is as one invitation left it: one more, then the limit.
    invites_services.invitation_create(inviter=owner, email="b@example.com")
    with pytest.raises(limits.RateLimited):
        invites_services.invitation_create(inviter=owner, email="c@example.com")


def test_comments_share_one_allowance_across_diaries_topics_and_off_kai(
    world, as_user, settings
):
    settings.COMMENTS_PER_HOUR = ALLOWED
    client = as_user(world.actor)
    _diary_comment(client, world, 0)
    _topic_comment(client, world, 1)

    response = _event_comment(client, world, 2)

    assert MESSAGES["en"]["COMMENTS_PER_HOUR"] in response.content.decode()
    assert not EventComment.objects.exists()
    assert Comment.objects.count() == TopicComment.objects.count() == 1


def test_a_withdrawn_friend_request_still_counts(owner, member, settings):
    settings.FRIEND_REQUESTS_PER_DAY = ALLOWED
    for _ in range(ALLOWED):
        sent = accounts_services.friend_request_send(sender=owner, recipient=member)
        accounts_services.friend_request_cancel(request_id=sent.pk, user=owner)

    with pytest.raises(limits.RateLimited):
        accounts_services.friend_request_send(sender=owner, recipient=member)
    assert not FriendRequest.objects.exists()


def test_a_refused_comment_counts_nothing(world, settings):
    settings.COMMENTS_PER_HOUR = 1
    with pytest.raises(ValidationError):  # an empty comment
        diary_services.comment_create(entry_id=world.entry.pk, author=world.actor,
                                               body="  ")
    assert not LimitedAction.objects.exists()
    diary_services.comment_create(entry_id=world.entry.pk, author=world.actor,
                                           body="Now with words")
    assert LimitedAction.objects.get().action == limits.COMMENTS.action


def test_staff_are_not_limited(world, moderator, settings):
    settings.COMMENTS_PER_HOUR = 1
    for i in range(3):
        diary_services.comment_create(entry_id=world.entry.pk, author=moderator,
                                               body=f"Moderator note {i}")
    assert Comment.objects.filter(author=moderator).count() == 3
    assert not LimitedAction.objects.exists()


def test_uses_older_than_the_window_do_not_count_and_are_cleared(world, settings):
    settings.COMMENTS_PER_HOUR = ALLOWED

    def comment(i):
        return diary_services.comment_create(
            entry_id=world.entry.pk, author=world.actor, body=typed(i)
        )

    comment(0)
    comment(1)
    with pytest.raises(limits.RateLimited):
        comment(2)
    an_hour_ago = timezone.now() - timedelta(hours=1, seconds=1)
    LimitedAction.objects.update(at=an_hour_ago)
    comment(3)
    comment(4)
    with pytest.raises(limits.RateLimited):
        comment(5)
    # The uses from before the window went when the member acted again.
    assert LimitedAction.objects.count() == ALLOWED
    assert not LimitedAction.objects.filter(at__lte=an_hour_ago).exists()


def test_zero_turns_a_limit_off(world, settings):
    settings.COMMENTS_PER_HOUR = 0
    for i in range(5):
        diary_services.comment_create(entry_id=world.entry.pk, author=world.actor,
                                               body=typed(i))
    assert not LimitedAction.objects.exists()


def test_the_allowances_come_from_the_environment():
    script = (
        "from django.conf import settings; from sns import limits; "
        "print(' '.join(f'{l.setting}={l.allowed}' for l in limits.ALL)); "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    base = {k: v for k, v in os.environ.items()
            if k not in {limit.setting for limit in limits.ALL} | {"BEHIND_PROXY"}}

    def run(**env) -> list[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT,
            env={**base, "DATABASE_URL": "postgres://x@localhost/x", **env},
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert run() == [
        "INVITATIONS_PER_DAY=20", "FRIEND_REQUESTS_PER_DAY=30", "COMMENTS_PER_HOUR=60",
        "TOPIC_CREATE_PER_HOUR=10", "COMMUNITY_CREATE_PER_DAY=3", "OFFKAI_CREATE_PER_DAY=10",
        "REPORTS_PER_DAY=20", "UPLOADS_PER_DAY=50", "CONVERSATIONS_PER_DAY=20",
        "MESSAGES_PER_HOUR=60", "LIKES_PER_HOUR=300",
        "ALBUM_PHOTOS_PER_DAY=200", "0",
    ]
    changed = run(COMMENTS_PER_HOUR="7", UPLOADS_PER_DAY="0", BEHIND_PROXY="1")
    assert "COMMENTS_PER_HOUR=7" in changed and "UPLOADS_PER_DAY=0" in changed
    assert changed[-1] == "1"


# --- at once: the member's row lock ----------------------------------------------------------

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_comments_sent_at_once_never_pass_the_allowance(settings):
    settings.COMMENTS_PER_HOUR = 5
    author, writer = factories.member("Entry Author"), factories.member("Fast Writer")
    entry = factories.entry(author, "members")

    results = run_at_once(THREADS, lambda i: diary_services.comment_create(
        entry_id=entry.pk, author=writer, body=f"At once {i}"
    ))

    assert len(successes(results)) == 5
    assert all(isinstance(e, limits.RateLimited) for e in failures(results)), failures(results)
    assert Comment.objects.filter(author=writer).count() == 5
    assert LimitedAction.objects.filter(user=writer).count() == 5


@pytest.mark.django_db(transaction=True)
def test_friend_requests_both_ways_at_once_keep_the_allowance_and_never_deadlock(settings):
    settings.FRIEND_REQUESTS_PER_DAY = 5
    busy = factories.member("Busy Sender")
    others = [factories.member(f"Other {i}") for i in range(THREADS)]

    def work(i: int):
        # Half send to the busy member, half receive from them: the pair locks and the
        # limit's lock meet in every order.
        if i % 2:
            return accounts_services.friend_request_send(sender=others[i], recipient=busy)
        return accounts_services.friend_request_send(sender=busy, recipient=others[i])

    results = run_at_once(THREADS, work)

    assert all(isinstance(e, limits.RateLimited) for e in failures(results)), failures(results)
    assert FriendRequest.objects.filter(to_user=busy).count() == THREADS // 2
    assert FriendRequest.objects.filter(from_user=busy).count() == 5
    assert len(failures(results)) == THREADS // 2 - 5


# --- login throttling (allauth, in the shared cache) ----------------------------------------

LOGIN = reverse("account_login")
TOO_MANY = {"en": "Too many failed login attempts. Try again later.",
            "ja": "ログイン失敗が連続しています。時間が経ってからやり直してください。"}
WRONG = "The email address and/or password you specified are not correct."

FAIL_LOGINS = """
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
# A checkout has no collectstatic manifest.
override_settings(STORAGES={{**settings.STORAGES, "staticfiles": {{
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}).enable()
browser = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="{address}")
for email in {emails!r}:
    page = browser.post("/accounts/login/", {{"login": email, "password": "wrong"}})
    text = page.content.decode()
    print(page.status_code, "{wrong}" in text, "Too many failed" in text)
"""


def made_up_address() -> str:
    """An address of the benchmarking range (198.18.0.0/15) no other test uses: limits kept
    in Redis outlive a test."""
    return f"198.{18 + secrets.randbelow(2)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


def _fail_in_another_process(emails: list[str], address: str, cache_url: str | None):
    """Fail to log in as each of ``emails`` from ``address``, in a process of its own."""
    env = {**os.environ, "DATABASE_URL": _database_url()}
    if cache_url:
        env["CACHE_URL"] = cache_url
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c",
         FAIL_LOGINS.format(emails=emails, address=address, wrong=WRONG)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Each was an ordinary failure, refused for the password, not yet for the limit.
    assert result.stdout.split("\n")[:len(emails)] == ["200 True False"] * len(emails), (
        result.stdout
    )


@pytest.fixture
def shared_cache(request):
    """The default cache the site runs on, for this test and the processes it starts: the
    database's, or Redis (CACHE_URL; a database of its own, and the test's keys are its own:
    an address and an account made up for it)."""
    if request.param == "database":
        yield None
        caches["default"].clear()  # committed by the processes: leave nothing behind
        return
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
             "LOCATION": "redis://127.0.0.1:6379/7"}
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(CACHES={"default": redis, "parts": dummy}):
        yield redis["LOCATION"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared_cache", ["database", "redis"], indirect=True)
def test_failed_logins_for_one_account_lock_it_in_every_process(shared_cache):
    member = factories.member(email=f"target-{uuid.uuid4().hex[:12]}@example.com")
    address = made_up_address()
    # Five failures (5 per 5 minutes per account and client), from two other processes.
    _fail_in_another_process([member.email] * 3, address, shared_cache)
    _fail_in_another_process([member.email] * 2, address, shared_cache)

    browser = Client(REMOTE_ADDR=address)
    response = browser.post(LOGIN, {"login": member.email, "password": factories.PASSWORD})

    assert response.status_code == 200
    assert TOO_MANY["en"] in response.content.decode()
    assert "_auth_user_id" not in browser.session
    # Not from another address: the account's own ceiling is higher (tests/accounts/test_auth
    # .py), so that a stranger cannot lock a member out from elsewhere.
    elsewhere = Client(REMOTE_ADDR=made_up_address())
    response = elsewhere.post(LOGIN, {"login": member.email, "password": factories.PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared_cache", ["database", "redis"], indirect=True)
def test_failed_logins_from_one_address_lock_that_address_out_in_every_process(shared_cache):
    owner = factories.member(email=f"owner-{uuid.uuid4().hex[:12]}@example.com")
    address = made_up_address()
    # Ten failures a minute per address (allauth), each for another account, elsewhere.
    _fail_in_another_process(
        [f"nobody{i}-{uuid.uuid4().hex[:8]}@example.com" for i in range(10)], address,
        shared_cache,
    )

    browser = Client(REMOTE_ADDR=address)
    response = browser.post(LOGIN, {"login": owner.email, "password": factories.PASSWORD},
                            HTTP_ACCEPT_LANGUAGE="ja")

    assert TOO_MANY["ja"] in response.content.decode()
    assert "_auth_user_id" not in browser.session
    elsewhere = Client(REMOTE_ADDR=made_up_address())
    assert elsewhere.post(LOGIN, {"login": owner.email, "password": factories.PASSWORD},
                          ).status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared_cache", ["database", "redis"], indirect=True)
def test_failed_logins_at_once_from_many_addresses_never_pass_the_account_ceiling(
    shared_cache, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                    "login_failed_account": "3/h/key"}
    member = factories.member(email=f"target-{uuid.uuid4().hex[:12]}@example.com")
    addresses = {made_up_address() for _ in range(THREADS)}

    def fail(address: str) -> str:
        page = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en").post(
            LOGIN, {"login": member.email, "password": "wrong"})
        text = page.content.decode()
        return "wrong" if WRONG in text else "too many" if TOO_MANY["en"] in text else text

    results = run_at_once(len(addresses), lambda i: fail(sorted(addresses)[i]))

    answers = successes(results)
    assert len(answers) == len(addresses), failures(results)
    # Each password tried was counted: no more than three were, whatever the timing.
    assert 1 <= answers.count("wrong") <= 3
    assert answers.count("wrong") + answers.count("too many") == len(answers), answers


@pytest.mark.parametrize("proxies, shared", [(1, False), (0, True)])
def test_behind_a_proxy_each_visitor_has_their_own_address(owner, settings, proxies, shared):
    # Every request comes from the proxy (REMOTE_ADDR); the visitor is in X-Forwarded-For.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for i in range(10):
        attacker.post(LOGIN, {"login": f"nobody{i}@example.com", "password": "x"})

    visitor = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = visitor.post(LOGIN, {"login": owner.email, "password": factories.PASSWORD})

    # With TRUSTED_PROXY_COUNT (BEHIND_PROXY's default) the visitor logs in; without it the
    # attacker's failures lock every visitor out.
    assert (TOO_MANY["en"] in response.content.decode()) is shared
    assert (response.status_code == 302) is not shared
