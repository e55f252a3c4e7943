"""Every form of the site, for the hostile requests test (tests/sns/test_hostile_requests.py).

Each ``Form`` says where it is posted (built from the world of tests/sns/query_world.py), who
posts it, the fields it reads with a valid value for each (so that a request with a few
hostile values among valid ones reaches the code behind the form, and some are accepted),
and what it may write when it accepts: ``makes``, the exact change in rows of the object it
is for (an entry more, a friend request fewer); ``also``, the tables it may change besides
(notifications, photos); ``target``, the row an edit changes, which a refusal must leave as
it was. ``ROUTES_WITHOUT_FORM`` names, with why, every other URL the site routes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st
from PIL import Image

from accounts.models import Block, FriendRequest, Introduction, User
from communities.models import Community, JoinPolicy, JoinRequest, TopicPolicy
from invites.models import Invitation
from offkai.forms import DATETIME_INPUT
from offkai.models import RSVP, Answer, EventHost, Guest
from sns.models import Report
from sns.notifications.selectors import CHOOSABLE, OPT_IN
from sns.paging import instant_encode
from sns.visibility import Level
from tests.factories import PASSWORD
from tests.mfa import authenticator_app, code
from tests.sns.query_world import World
from tests.sns.test_query_budget import PAGES, STAR, VIEWER, VISITOR, _reset_form, _reset_key

STRANGER = "stranger"  # the world's member with no tie to the viewer
NEW_PASSWORD = "a-Brand-new-passphrase-7"


@dataclass(frozen=True)
class Upload:
    """A file in a multipart body."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def _tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), "#2e86c1").save(buffer, "JPEG")
    return buffer.getvalue()


PHOTO = Upload("photo.jpg", _tiny_jpeg(), "image/jpeg")


# --- valid values ----------------------------------------------------------------------------

_LETTERS = st.sampled_from(list("abcxyzABC 019-_.,!?あいう日本語カナ"))


@dataclass(frozen=True)
class Field:
    """A field the form reads: ``values`` gives, from the world, valid values (the first is
    the one the battery of nastiest values starts from; None leaves the field out, a list
    sends several); ``more`` draws other valid ones (any words that fit, any number in
    range)."""

    name: str
    values: Callable[[World], list]
    more: st.SearchStrategy | None = None

    def strategy(self, world: World) -> st.SearchStrategy:
        given = st.sampled_from(self.values(world))
        return given if self.more is None else st.one_of(given, self.more)


@dataclass(frozen=True)
class Form:
    """A form of the site (see the module's docstring)."""

    name: str  # the URL name: the test's id
    url: Callable[[World], str]
    fields: tuple[Field, ...] = ()
    who: str = VIEWER
    makes: dict[str, int] = field(default_factory=dict)
    also: frozenset[str] = frozenset()
    accepted: int | None = 302  # the answer when it did what it is for (None: never)
    # Whether the valid values are accepted (False: a code sent by mail, a flow the site
    # does not offer).
    reachable: bool = True
    target: Callable[[World], Model] | None = None
    # Run once on the poster's client before the requests (a flow's earlier step).
    prepare: Callable[[Any, World], None] | None = None


def text(name: str, limit: int, *, optional: bool = False) -> Field:
    """Words that fit; never blank unless ``optional``."""
    first = f"Hello {name}"[:limit]
    words = st.text(_LETTERS, max_size=min(limit, 40) - 1).map(lambda s: "w" + s)
    return Field(name, lambda w: [first, *([None, ""] if optional else [])], words)


def const(name: str, *values: str | None) -> Field:
    return Field(name, lambda w: list(values))


def choice(name: str, values, *, optional: bool = False) -> Field:
    return const(name, *values, *([None] if optional else []))


def number(name: str, low: int, high: int) -> Field:
    return Field(name, lambda w: [str(low)], st.integers(low, high).map(str))


def ids(name: str, found: Callable[[World], list[int]], *, many: bool = False) -> Field:
    """Ids of rows the world holds: one, or (``many``) up to three of them."""

    def values(world: World) -> list:
        pks = [str(pk) for pk in found(world)] or ["0"]
        return [pks[:1], pks[:3], []] if many else pks

    return Field(name, values)


def moment(name: str, *, days: int, optional: bool = False) -> Field:
    """A time ``days`` from now (site time, minutes), as the datetime-local input sends it."""

    def values(world: World) -> list:
        sent = (timezone.localtime() + timedelta(days=days)).strftime(DATETIME_INPUT)
        return [sent, *([None, ""] if optional else [])]

    return Field(name, values)


def photo(name: str, *, first: bool = False) -> Field:
    """A file field: a small JPEG or nothing (the JPEG first: the valid values upload it)."""
    return const(name, PHOTO, None) if first else const(name, None, PHOTO)


def tick(name: str) -> Field:
    return const(name, "on", None)


LEVELS = [level for level in Level.values if level != Level.PUBLIC]
NEXT = const("next", None, "/", "/diary/")


# --- the rows a form is about ----------------------------------------------------------------

def _first(queryset) -> int:
    return queryset.order_by("pk").values_list("pk", flat=True)[0]


def _invitation(w: World) -> int:
    return Invitation.objects.get(token=w.invitation_token).pk


def _invitation_row(w: World) -> Invitation:
    """The world's pending invitation, found again after a resend changed its token: the
    viewer's first invitation not accepted."""
    return Invitation.objects.filter(inviter=w.viewer, accepted_at__isnull=True).earliest("pk")


def _received_request(w: World) -> int:
    return _first(FriendRequest.objects.filter(to_user=w.viewer))


def _sent_request(w: World) -> int:
    return _first(FriendRequest.objects.filter(from_user=w.viewer))


def _blocked(w: World) -> int:
    return Block.objects.filter(blocker=w.viewer).order_by("pk").values_list(
        "blocked_id", flat=True)[0]


def _introduction_of_viewer(w: World) -> int:
    return _first(Introduction.objects.filter(subject=w.viewer))


def _club(w: World) -> int:
    """A friend's community the viewer is in (to leave)."""
    return _first(Community.objects.filter(memberships__user=w.viewer).exclude(pk=w.community.pk))


def _friends(w: World) -> list[int]:
    return list(User.objects.filter(friendships__friend=w.viewer).order_by("pk")
                .values_list("pk", flat=True))


def _friends_outside(w: World) -> list[int]:
    """The viewer's friends who are not in the viewer's community (to invite)."""
    return [pk for pk in _friends(w)
            if not w.community.memberships.filter(user_id=pk).exists()]


def _join_request(w: World) -> int:
    return _first(JoinRequest.objects.filter(community=w.community))


def _came(w: World) -> list[int]:
    """Who may be marked as having come to the past off-kai: its answers and hosts."""
    answered = RSVP.objects.filter(event=w.past_event).values_list("user_id", flat=True)
    hosts = EventHost.objects.filter(event=w.past_event).values_list("user_id", flat=True)
    return sorted({*answered, *hosts})


def _guest(w: World) -> int:
    return _first(Guest.objects.filter(event=w.past_event).exclude(email=""))


def url(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    """The URL of ``name`` with arguments found in the world."""
    return lambda w: reverse(name, args=[arg(w) for arg in args])


def _report_url(w: World) -> str:
    return f"{reverse('report')}?type=entry&id={w.entry.pk}"


# --- earlier steps of a flow ----------------------------------------------------------------

def _after_login(client, world: World) -> None:
    """The star gave the password: the login waits for a code from the app."""
    client.post(reverse("account_login"), {"login": world.star.email, "password": PASSWORD})


def _reset_started(client, world: World) -> None:
    """The reset link was opened: allauth keeps its key in the session."""
    client.get(_reset_key(world))


# The secret of the app the viewer sets up, as the activation page keeps it in the session.
APP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _app_shown(client, world: World) -> None:
    """The activation page showed the viewer a new app's secret."""
    session = client.session
    session[SECRET_SESSION_KEY] = APP_SECRET
    session.save()


def app_code(secret: Callable[[World], str]) -> Field:
    """The code an authenticator app shows now, or any six digits."""
    return Field("code", lambda w: [code(secret(w))], st.integers(0, 999_999).map(str))


STAR_APP = app_code(lambda w: authenticator_app(w.star))


def _code_requested(client, world: World) -> None:
    """A code to confirm it is the viewer was asked for (and mailed)."""
    client.post(reverse("account_request_reauthentication_code"),
                {"recipient": world.viewer.email})


def _viewer(w: World) -> User:
    return w.viewer


NOTIFY = frozenset({"sns_notification"})
# A deleted thing takes its likes and the notifications about them (sns.withdraw).
WITHDRAWN = frozenset({"sns_like"}) | NOTIFY
# What a message writes besides itself: its photos, the marks of those it goes to, the
# conversation's latest time, their notifications.
SENT = frozenset({
    "conversations_conversation", "conversations_participant", "conversations_message",
    "conversations_messagephoto",
}) | NOTIFY
# What album writes touch besides the row they are for: the album's count, cover and time,
# its photos' places, comments on what goes, their notifications.
ALBUMS = frozenset({"albums_album", "albums_albumphoto", "albums_albumphotocomment"}) | WITHDRAWN
SUGGEST = frozenset({"accounts_suggestion"})
EVERYTHING = frozenset({"*"})


# --- the forms -------------------------------------------------------------------------------

SIGNUP = (
    Field("email", lambda w: ["joiner@example.com", "joiner.two@example.org"]),
    text("real_name", 80), text("real_name_kana", 80), text("nickname", 40, optional=True),
    choice("shown_name_choice", ["real_name", "nickname"], optional=True),
    const("password1", NEW_PASSWORD), const("password2", NEW_PASSWORD), tick("agree"),
)
ENTRY = (
    text("title", 150), text("body", 200), choice("visibility", LEVELS),
    photo("photo1", first=True), photo("photo2"), photo("photo3"),
    const("preview", None, None, "1"),
)
ALBUM = (text("title", 100), text("description", 500, optional=True), choice("visibility", LEVELS))
COMMUNITY = (
    text("name", 50), text("description", 500, optional=True),
    Field("category", lambda w: [str(w.category_id)]),
    choice("join_policy", JoinPolicy.values), choice("topic_policy", TopicPolicy.values),
    photo("image", first=True),
)
EVENT = (
    text("title", 150), text("description", 500, optional=True),
    moment("starts_at", days=7), moment("ends_at", days=8), text("venue", 150, optional=True),
    text("address", 300, optional=True), const("capacity", "", "1", "40"),
    text("fee", 100, optional=True), moment("rsvp_deadline", days=6, optional=True),
    number("guest_limit", 0, 3), choice("visibility", ["members", "fof", "friends"]),
    ids("co_hosts", _friends, many=True),
)
TOPIC = (text("title", 150), text("body", 500))
PROFILE = (
    text("real_name", 80), text("real_name_kana", 80, optional=True),
    text("nickname", 40, optional=True),
    choice("shown_name_choice", ["real_name", "nickname"]),
    *(choice(f"{name}_visibility", LEVELS) for name in
      ("other_name", "company", "title", "photo", "introduction", "interests")),
    text("company", 120, optional=True), text("title", 120, optional=True),
    text("introduction", 500, optional=True), text("interests", 300, optional=True),
    photo("photo_upload", first=True), tick("remove_photo"),
    const("birth_month", "2", "", None, "12"), const("birth_day", "29", "", None, "31"),
    Field("birth_year", lambda w: ["", None, "1990"], st.integers(1900, 2100).map(str)),
    *(choice(f"{name}_visibility", LEVELS) for name in ("birthday", "birth_year")),
)

FORMS: list[Form] = [
    # sns
    Form("policy_accept", url("policy_accept"), (NEXT,)),
    Form("set_language", url("set_language"), (choice("language", ["ja", "en"]), NEXT)),
    Form("report", _report_url,
         (choice("reason", Report.Reason.values), text("details", 500, optional=True)),
         makes={"sns_report": 1}),
    Form("notifications:read_all", url("notifications:read_all")),
    Form("notifications:settings", url("notifications:settings"),
         tuple(choice(kind, ["app", "email", *(["off"] if kind in OPT_IN else [])])
               for kind in CHOOSABLE),
         also=frozenset({"sns_notificationpreference"})),
    Form("notifications:unsubscribe", lambda w: reverse("notifications:unsubscribe",
                                                        args=[w.unsubscribe_token]),
         who=VISITOR, accepted=200, also=frozenset({"sns_notificationpreference"})),
    Form("dailynews:unsubscribe", lambda w: reverse("dailynews:unsubscribe",
                                                    args=[w.daily_news_token]),
         who=VISITOR, accepted=200, target=_viewer),
    # accounts
    Form("accounts:edit", url("accounts:edit"), PROFILE,
         target=lambda w: w.viewer.profile),
    Form("accounts:settings", url("accounts:settings"), (
        choice("language", ["ja", "en"]), tick("leaves_footprints"), tick("daily_news"),
        choice("friends_visibility", LEVELS, optional=True),
        choice("default_visibility", LEVELS, optional=True),
        choice("reach", ["", "friends", "fof", "members"], optional=True), tick("text_in_mail"),
    ), also=frozenset({"diary_diarypreference", "conversations_messagepreference"}),
        target=_viewer),
    Form("leaving:data", url("leaving:data"), accepted=200),
    # likes: the viewer has not liked the topic yet, and liked the star's entry
    Form("likes:like", url("likes:like", lambda w: "topic", lambda w: w.topic.pk), (NEXT,),
         makes={"sns_like": 1}, also=NOTIFY),
    Form("likes:unlike", url("likes:unlike", lambda w: "entry", lambda w: w.entry.pk), (NEXT,),
         makes={"sns_like": -1}, also=NOTIFY),
    # messages
    Form("conversations:compose", url("conversations:compose"), (
        ids("to", lambda w: [w.star.pk, *_friends(w)[1:3]], many=True),
        text("subject", 100), text("body", 5000),
        photo("photo1", first=True), photo("photo2"), photo("photo3"),
    ), makes={"conversations_conversation": 1}, also=SENT),
    Form("conversations:reply", url("conversations:reply", lambda w: w.conversation.pk), (
        text("body", 5000), photo("photo1", first=True), photo("photo2"), photo("photo3"),
    ), makes={"conversations_message": 1}, also=SENT),
    Form("conversations:archive", url("conversations:archive", lambda w: w.conversation.pk),
         (Field("seen", lambda w: [instant_encode(timezone.now()), None, "0"],
                st.integers(0, 2**62).map(str)),),
         also=frozenset({"conversations_participant"})),
    Form("conversations:unarchive",
         url("conversations:unarchive", lambda w: w.conversation.pk),
         also=frozenset({"conversations_participant"})),
    Form("conversations:leave", url("conversations:leave", lambda w: w.conversation.pk),
         also=frozenset({"conversations_participant"})),
    Form("leaving:leave", url("leaving:leave"),
         (const("password", PASSWORD, "not-my-password"), tick("confirm"),
          tick("delete_messages")),
         makes={"accounts_user": -1}, also=EVERYTHING),
    Form("accounts:introduce", url("accounts:introduce", lambda w: w.star.pk),
         (text("body", 1000),), also=NOTIFY,
         target=lambda w: Introduction.objects.get(author=w.viewer, subject=w.star)),
    Form("accounts:introduction_delete",
         url("accounts:introduction_delete", _introduction_of_viewer),
         makes={"accounts_introduction": -1}, also=NOTIFY),
    Form("accounts:friend_request_send",
         url("accounts:friend_request_send", lambda w: w.stranger.pk),
         (text("message", 500, optional=True), NEXT),
         makes={"accounts_friendrequest": 1}, also=NOTIFY),
    Form("accounts:friend_request_accept",
         url("accounts:friend_request_accept", _received_request), (NEXT,),
         makes={"accounts_friendrequest": -1, "accounts_friendship": 2},
         also=NOTIFY | SUGGEST),
    Form("accounts:friend_request_decline",
         url("accounts:friend_request_decline", _received_request), (NEXT,),
         makes={"accounts_friendrequest": -1}, also=NOTIFY),
    Form("accounts:friend_request_cancel",
         url("accounts:friend_request_cancel", _sent_request), (NEXT,),
         makes={"accounts_friendrequest": -1}, also=NOTIFY),
    Form("accounts:unfriend", url("accounts:unfriend", lambda w: w.star.pk),
         makes={"accounts_friendship": -2},
         # Introductions are between friends: they go with the friendship.
         also=frozenset({"accounts_introduction"}) | NOTIFY | SUGGEST),
    Form("accounts:block", url("accounts:block", lambda w: w.stranger.pk),
         makes={"accounts_block": 1}, also=NOTIFY | SUGGEST),
    Form("accounts:unblock", url("accounts:unblock", _blocked),
         makes={"accounts_block": -1}),
    # invites
    Form("invites:mine", url("invites:mine"), (
        Field("email", lambda w: ["friend.of.mine@example.com",
                                                  "someone@example.org"]),
        text("message", 500, optional=True),
    ), makes={"invites_invitation": 1}),
    Form("invites:resend", url("invites:resend", _invitation), target=_invitation_row),
    Form("invites:revoke", url("invites:revoke", _invitation), target=_invitation_row),
    Form("invites:accept", lambda w: reverse("invites:accept", args=[w.invitation_token]),
         SIGNUP, who=VISITOR,
         makes={"accounts_user": 1, "accounts_profile": 1}, also=EVERYTHING),
    # diary
    Form("diary:new", url("diary:new"), ENTRY, makes={"diary_entry": 1},
         also=frozenset({"diary_entryphoto"}) | NOTIFY),
    Form("diary:edit", url("diary:edit", lambda w: w.own_entry.pk), ENTRY,
         also=frozenset({"diary_entryphoto"}), target=lambda w: w.own_entry),
    Form("diary:delete", url("diary:delete", lambda w: w.own_entry.pk),
         makes={"diary_entry": -1},
         also=frozenset({"diary_comment", "diary_entryphoto"}) | WITHDRAWN),
    Form("diary:comment_create", url("diary:comment_create", lambda w: w.entry.pk),
         (text("body", 500),), makes={"diary_comment": 1}, also=NOTIFY),
    Form("diary:comment_delete",
         url("diary:comment_delete", lambda w: _first(w.own_entry.comments.all())),
         makes={"diary_comment": -1}, also=WITHDRAWN),
    # albums
    Form("albums:new", url("albums:new"), ALBUM, makes={"albums_album": 1}),
    Form("albums:edit", url("albums:edit", lambda w: w.own_album.pk), ALBUM,
         target=lambda w: w.own_album),
    Form("albums:delete", url("albums:delete", lambda w: w.own_album.pk),
         makes={"albums_album": -1}, also=ALBUMS),
    Form("albums:upload", url("albums:upload", lambda w: w.own_album.pk),
         (photo("photos", first=True),), makes={"albums_albumphoto": 1}, also=ALBUMS),
    Form("albums:caption", url("albums:caption", lambda w: w.own_photo.pk),
         (text("caption", 200, optional=True),), target=lambda w: w.own_photo),
    Form("albums:cover", url("albums:cover", lambda w: w.own_photo.pk), also=ALBUMS),
    Form("albums:move", url("albums:move", lambda w: w.own_photo.pk),
         (const("by", "1", "-1", None),), also=ALBUMS),
    Form("albums:photo_delete", url("albums:photo_delete", lambda w: w.own_photo.pk),
         makes={"albums_albumphoto": -1}, also=ALBUMS),
    Form("albums:comment_create", url("albums:comment_create", lambda w: w.album_photo.pk),
         (text("body", 500),), makes={"albums_albumphotocomment": 1}, also=NOTIFY),
    Form("albums:comment_delete", url("albums:comment_delete",
                                      lambda w: _first(w.own_photo.comments.all())),
         makes={"albums_albumphotocomment": -1}, also=WITHDRAWN),
    # communities
    Form("communities:new", url("communities:new"), COMMUNITY,
         makes={"communities_community": 1, "communities_membership": 1}),
    Form("communities:edit", url("communities:edit", lambda w: w.community.pk), COMMUNITY,
         target=lambda w: w.community),
    Form("communities:close", url("communities:close", lambda w: w.community.pk),
         also=frozenset({"communities_joinrequest", "communities_communityinvitation"}) | NOTIFY,
         target=lambda w: w.community),
    Form("communities:join", url("communities:join", lambda w: w.community.pk),
         (text("message", 500, optional=True), const("withdraw", None, None, "1")), who=STRANGER,
         makes={"communities_joinrequest": 1}, also=NOTIFY),
    Form("communities:leave", url("communities:leave", _club),
         makes={"communities_membership": -1}),
    Form("communities:invite", url("communities:invite", lambda w: w.community.pk),
         (ids("invitee", _friends_outside),),
         makes={"communities_communityinvitation": 1}, also=NOTIFY),
    Form("communities:decide",
         url("communities:decide", lambda w: w.community.pk, _join_request),
         (choice("decision", ["approve", "refuse"]),),
         makes={"communities_joinrequest": -1},
         also=frozenset({"communities_membership"}) | NOTIFY),
    Form("communities:role",
         url("communities:role", lambda w: w.community.pk, lambda w: w.star.pk),
         (choice("action", ["admin", "subadmin", "member", "remove"]),),
         also=frozenset({"communities_membership"}) | NOTIFY),
    Form("communities:topic_new", url("communities:topic_new", lambda w: w.community.pk),
         TOPIC, makes={"communities_topic": 1}, also=NOTIFY),
    Form("communities:topic_edit",
         url("communities:topic_edit", lambda w: w.community.pk, lambda w: w.topic.pk),
         TOPIC, target=lambda w: w.topic),
    Form("communities:topic_delete",
         url("communities:topic_delete", lambda w: w.community.pk, lambda w: w.topic.pk),
         makes={"communities_topic": -1},
         also=frozenset({"communities_topiccomment"}) | WITHDRAWN),
    Form("communities:topic_pin",
         url("communities:topic_pin", lambda w: w.community.pk, lambda w: w.topic.pk),
         (const("pinned", "1", "0", None),), target=lambda w: w.topic),
    Form("communities:topic_comment",
         url("communities:topic_comment", lambda w: w.community.pk, lambda w: w.topic.pk),
         (text("body", 500),), makes={"communities_topiccomment": 1}, also=NOTIFY),
    Form("communities:topic_comment_delete",
         url("communities:topic_comment_delete", lambda w: w.community.pk,
             lambda w: w.topic.pk, lambda w: w.topic_comment.pk),
         makes={"communities_topiccomment": -1}, also=WITHDRAWN),
    # off-kai
    Form("offkai:new", url("offkai:new"), (
        *EVENT, Field("community", lambda w: ["", str(w.community.pk)]),
    ), makes={"offkai_event": 1}, also=frozenset({"offkai_eventhost", "offkai_rsvp"}) | NOTIFY),
    Form("offkai:edit", url("offkai:edit", lambda w: w.event.pk), EVENT,
         also=frozenset({"offkai_eventhost", "offkai_rsvp"}) | NOTIFY,
         target=lambda w: w.event),
    Form("offkai:cancel", url("offkai:cancel", lambda w: w.event.pk), (text("reason", 500),),
         also=frozenset({"offkai_rsvp"}) | NOTIFY, target=lambda w: w.event),
    Form("offkai:rsvp", url("offkai:rsvp", lambda w: w.friend_event.pk), (
        choice("answer", [Answer.ATTENDING, Answer.MAYBE, Answer.DECLINED]),
        const("guests", "0", "1"), const("withdraw", None, None, "1"),
    ), also=frozenset({"offkai_rsvp"}) | NOTIFY),
    Form("offkai:comment", url("offkai:comment", lambda w: w.event.pk), (text("body", 500),),
         makes={"offkai_eventcomment": 1}, also=NOTIFY),
    Form("offkai:comment_delete",
         url("offkai:comment_delete", lambda w: w.event.pk, lambda w: w.event_comment.pk),
         makes={"offkai_eventcomment": -1}, also=WITHDRAWN),
    Form("offkai:attendance", url("offkai:attendance", lambda w: w.past_event.pk),
         # A host who came without answering gets an answer that says so.
         (ids("came", _came, many=True), ids("shown", _came, many=True)),
         also=frozenset({"offkai_rsvp"})),
    Form("offkai:guest_add", url("offkai:guest_add", lambda w: w.past_event.pk), (
        text("name", 100), Field("email", lambda w: ["", "guest@example.com"]),
        ids("brought_by", lambda w: [pk for pk in _came(w) if pk != w.viewer.pk]),
    ), makes={"offkai_guest": 1}),
    Form("offkai:guest_invite",
         url("offkai:guest_invite", lambda w: w.past_event.pk, _guest),
         makes={"invites_invitation": 1}, also=frozenset({"offkai_guest"})),
    Form("offkai:calendar", url("offkai:calendar"), also=frozenset({"offkai_calendarfeed"})),
    # allauth, as a member
    Form("account_email", url("account_email"), (
        Field("email", lambda w: ["another@example.com",
                                                  "viewer.second@example.com"]),
        const("action_add", None, ""), const("action_send", None, ""),
        const("action_remove", None, ""), const("action_primary", None, ""),
    ), also=frozenset({"account_emailaddress", "account_emailconfirmation"})),
    Form("account_change_password", url("account_change_password"), (
        const("oldpassword", PASSWORD), const("password1", NEW_PASSWORD),
        const("password2", NEW_PASSWORD),
    ), target=_viewer),
    Form("account_set_password", url("account_set_password"),
         (const("password1", NEW_PASSWORD), const("password2", NEW_PASSWORD)), target=_viewer),
    Form("account_reauthenticate", url("account_reauthenticate"), (const("password", PASSWORD),)),
    Form("account_request_reauthentication_code", url("account_request_reauthentication_code"),
         (Field("recipient", lambda w: [w.viewer.email]),)),
    Form("account_confirm_reauthentication_code",
         url("account_confirm_reauthentication_code"), (number("code", 0, 999999),),
         prepare=_code_requested, reachable=False),
    Form("mfa_activate_totp", url("mfa_activate_totp"), (app_code(lambda w: APP_SECRET),),
         prepare=_app_shown, also=frozenset({"mfa_authenticator"})),
    Form("mfa_reauthenticate", url("mfa_reauthenticate"), (STAR_APP,), who=STAR),
    Form("mfa_deactivate_totp", url("mfa_deactivate_totp"), who=STAR,
         also=frozenset({"mfa_authenticator"})),
    Form("mfa_generate_recovery_codes", url("mfa_generate_recovery_codes"), who=STAR,
         also=frozenset({"mfa_authenticator"})),
    Form("account_logout", url("account_logout"), (NEXT,)),
    # allauth, as a visitor
    Form("account_login", url("account_login"), (
        Field("login", lambda w: [w.viewer.email, "nobody@example.com"]),
        const("password", PASSWORD, "wrong"), tick("remember"), NEXT,
    ), who=VISITOR),
    Form("mfa_authenticate", url("mfa_authenticate"), (STAR_APP,), who=VISITOR,
         prepare=_after_login),
    Form("account_signup", url("account_signup"), (
        Field("email", lambda w: ["walk.in@example.com"]),
        const("password1", NEW_PASSWORD), const("password2", NEW_PASSWORD),
    ), who=VISITOR, reachable=False),  # members join by invitation only
    Form("account_confirm_email", lambda w: reverse("account_confirm_email",
                                                    args=[w.email_key]), who=VISITOR),
    Form("account_confirm_login_code", url("account_confirm_login_code"),
         # The site offers no login by code: every answer sends the visitor away.
         (number("code", 0, 999999),), who=VISITOR, accepted=None, reachable=False),
    Form("account_reset_password", url("account_reset_password"), (
        Field("email", lambda w: [w.viewer.email, "nobody@example.com"]),
    ), who=VISITOR),
    Form("account_reset_password_from_key", _reset_form,
         (const("password1", NEW_PASSWORD), const("password2", NEW_PASSWORD)),
         who=VISITOR, prepare=_reset_started, target=_viewer),
]

# Every other URL the site routes (the admin aside), each with why it takes no form.
_GET_ONLY = "answers a POST with 405"
_READS = "a page that reads no form: a POST shows it as a GET does"
ROUTES_WITHOUT_FORM: dict[str, str] = {
    **dict.fromkeys([
        "search", "accounts:photo", "diary:entry", "diary:photo", "diary:member",
        "diary:archive",
        "communities:list", "communities:category", "communities:friends",
        "communities:detail", "communities:image", "communities:members",
        "communities:requests", "communities:topics", "communities:topic",
        "communities:new_topics", "offkai:list", "offkai:past", "offkai:month",
        "offkai:community", "offkai:detail", "offkai:answers", "offkai:answers_csv",
        "offkai:ics", "offkai:feed", "conversations:photo", "albums:mine", "albums:detail",
        "albums:member", "albums:community", "albums:photo", "albums:photo_file", "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes", "account_inactive", "account_email_verification_sent",
        "account_reset_password_done", "account_reset_password_from_key_done",
    ], _GET_ONLY),
    **dict.fromkeys([
        "home", "notifications:list", "notifications:announcement", "notifications:open",
        "policy", "policy_waiting", "health", "accounts:profile", "accounts:friends",
        "accounts:circle", "accounts:circle_svg", "accounts:introductions", "accounts:blocks",
        "accounts:footprints", "accounts:friend_requests", "suggestions:list",
        "diary:friends", "diary:new_comments", "conversations:inbox", "conversations:detail",
        "conversations:search", "likes:list",
    ], _READS),
}


def pages_once(names=None) -> list:
    """The query budget's visits, one per URL name and visitor (of ``names`` if given)."""
    seen, pages = set(), []
    for page in PAGES:
        if (names is None or page.name in names) and (page.name, page.who) not in seen:
            seen.add((page.name, page.who))
            pages.append(page)
    return pages
