"""Every page a member or a visitor can open takes the same number of queries however much
data is behind it, and at most 15 (DESIGN.md §3, "Queries per page are constant").

The site is built around one member twice (tests/sns/query_world.py), with 3 and with 25 of
everything, and each page in ``PAGES`` is opened once in each; a page whose count differs
between the two runs a query per row somewhere. ``PAGES`` and ``SKIPPED`` together must
name every URL the site routes (the admin aside: the moderators' console has its own
tests), so a page added without an entry here fails ``test_every_url_is_walked_or_skipped``.

The "parts" cache is the dummy one in tests (no CACHE_URL): these are the cold counts.
``pytest -s`` prints the table of counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import StringConverter
from django.utils import timezone

from sns.models import SitePolicy
from sns.site_policy import policy_memo_set
from tests.mfa import pass_second_factor
from tests.sns.query_world import SEARCH_WORD, World, world_build

# The walk builds and rolls back its own data (the ``walks`` fixture); the mark has the test
# database made for this module even when it runs alone.
pytestmark = pytest.mark.django_db

BUDGET = 15
SMALL, LARGE = 3, 25

VIEWER, STAR, VISITOR = "viewer", "star", "visitor"


# --- the pages -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """One page to open: its URL name, how to build its URL from the world, who opens it
    and what it answers. ``variant`` tells apart two visits of one URL name."""

    name: str
    url: Callable[[World], str]
    who: str = VIEWER
    status: int = 200
    variant: str = ""
    method: str = "get"
    grows: bool = False  # shows more rows in the larger world
    budget: int = BUDGET  # (one file, not a page, is allowed more: see its entry)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


def at(name: str, *paths: str, query: str = "", **kwargs) -> Page:
    """A page whose URL arguments are attributes of the world (``"star.pk"``)."""

    def url(world: World) -> str:
        return reverse(name, args=[attrgetter(p)(world) for p in paths]) + query

    return Page(name, url, **kwargs)


def listing(name: str, *paths: str, **kwargs) -> Page:
    """A page listing what there is more of in the larger world (checked: a list the world
    left empty would count nothing)."""
    return at(name, *paths, grows=True, **kwargs)


def _search(kind: str = "") -> Page:
    query = f"?q={SEARCH_WORD}" + (f"&kind={kind}" if kind else "")
    return listing("search", query=query, variant=kind or "all kinds")


def _report(kind: str, path: str) -> Page:
    def url(world: World) -> str:
        return f"{reverse('report')}?type={kind}&id={attrgetter(path)(world)}"

    return Page("report", url, variant=kind)


def _month(name: str, path: str) -> Callable[[World], str]:
    """The URL of the month (site time) of the thing at ``path``, for a member ``pk``."""

    def url(world: World) -> str:
        thing = attrgetter(path)(world)
        local = timezone.localtime(getattr(thing, "created_at", None) or thing.starts_at)
        if name == "diary:archive":
            return reverse(name, args=[thing.author_id, local.year, local.month])
        return reverse(name, args=[local.year, local.month])

    return url


def _likers(kind: str, path: str) -> Page:
    """Who liked the thing at ``path`` (of ``kind``): every friend in the world."""

    def url(world: World) -> str:
        return reverse("likes:list", args=[kind, attrgetter(path)(world).pk])

    return Page("likes:list", url, grows=True, variant=kind)


def _latest_notification(world: World) -> str:
    pk = world.viewer.notifications.order_by("-pk").values_list("pk", flat=True).first()
    return reverse("notifications:open", args=[pk])


def _reset_key(world: World) -> str:
    """The link of a password reset message to the viewer."""
    return reverse("account_reset_password_from_key", kwargs={
        "uidb36": user_pk_to_url_str(world.viewer),
        "key": default_token_generator.make_token(world.viewer),
    })


def _reset_form(world: World) -> str:
    # Where that link leads once allauth has kept the key in the session.
    return reverse("account_reset_password_from_key", kwargs={
        "uidb36": user_pk_to_url_str(world.viewer), "key": "set-password",
    })


# In the order they are opened (pages that change what later ones show, such as the new
# comments that a look marks seen, come after those).
PAGES: list[Page] = [
    # sns
    listing("home"),
    listing("notifications:list"),
    at("notifications:settings"),
    at("notifications:announcement", "announcement.pk"),
    Page("notifications:open", _latest_notification, status=302),
    at("policy"),
    at("policy_accept", status=302),  # the member accepted the rules: straight on
    at("policy_waiting", status=302),  # the member is approved: straight on
    _search(), _search("members"), _search("communities"), _search("diaries"),
    _search("topics"), _search("topic_comments"), _search("events"),
    _report("entry", "entry.pk"), _report("comment", "comment.pk"),
    _report("topic", "topic.pk"), _report("topic_comment", "topic_comment.pk"),
    _report("event", "friend_event.pk"), _report("event_comment", "event_comment.pk"),
    _report("member", "star.pk"), _report("message", "message.pk"),
    # likes: who liked each kind of thing
    _likers("entry", "entry"), _likers("entry-comment", "comment"),
    _likers("topic", "topic"), _likers("topic-comment", "topic_comment"),
    _likers("offkai", "event"), _likers("offkai-comment", "event_comment"),
    _likers("photo", "album_photo"),
    _report("album", "album.pk"), _report("album_photo", "album_photo.pk"),
    Page("report", lambda w: f"{reverse('report')}?type=album_comment&id="
         f"{w.album_photo.comments.order_by('pk').values_list('pk', flat=True)[0]}",
         variant="album_comment"),
    # messages
    listing("conversations:inbox"),
    at("conversations:inbox", query="?archived=1", variant="archived"),
    listing("conversations:detail", "conversation.pk"),
    Page("conversations:photo",
         lambda w: reverse("conversations:photo", args=[w.message.pk, 0, "small"])),
    at("conversations:compose"),
    at("conversations:compose", query="?q=a", variant="friends named"),
    Page("conversations:compose",
         lambda w: f"{reverse('conversations:compose')}?to={w.star.pk}&to={w.stranger.pk}",
         variant="to"),
    listing("conversations:search", query=f"?q={SEARCH_WORD}"),
    at("conversations:leave", "conversation.pk"),
    # albums
    listing("albums:mine"),
    at("albums:new"),
    Page("albums:new", lambda w: f"{reverse('albums:new')}?community={w.community.pk}",
         variant="community"),
    listing("albums:detail", "album.pk"),
    listing("albums:detail", "own_album.pk", variant="mine"),
    at("albums:edit", "own_album.pk"),
    at("albums:delete", "own_album.pk"),
    at("albums:upload", "own_album.pk"),
    listing("albums:member", "star.pk"),
    listing("albums:community", "community.pk"),
    listing("albums:photo", "album_photo.pk"),
    at("albums:photo", "own_photo.pk", variant="mine"),
    Page("albums:photo_file",
         lambda w: reverse("albums:photo_file", args=[w.album_photo.pk, "small"])),
    at("albums:photo_delete", "own_photo.pk"),
    # accounts
    listing("accounts:profile", "star.pk"),
    listing("accounts:profile", "viewer.pk", variant="mine"),
    listing("accounts:friends", "star.pk"),
    listing("accounts:circle", "star.pk"),
    listing("accounts:circle_svg", "star.pk"),
    Page("accounts:photo", lambda w: reverse("accounts:photo", args=[w.star.pk, "small"])),
    listing("accounts:introductions", "star.pk"),
    listing("accounts:introductions", "viewer.pk", variant="mine"),
    at("accounts:introduce", "star.pk"),
    at("accounts:unfriend", "star.pk"),
    at("accounts:block", "stranger.pk"),
    listing("accounts:blocks"),
    listing("accounts:footprints"),
    listing("accounts:friend_requests"),
    listing("suggestions:list"),
    at("accounts:edit"),
    at("accounts:settings"),
    at("leaving:data"),
    # The data download: a file of everything a member has, one constant query for each kind
    # of thing (friends, entries, comments of three kinds, communities, off-kai, messages,
    # albums with their photos and comments, likes…), which is more kinds than any page shows.
    listing("leaving:data", method="post", variant="zip", budget=22),
    at("leaving:leave"),
    # invites
    listing("invites:mine"),
    at("invites:accept", "invitation_token", variant="member"),
    # diary
    listing("diary:friends"),
    listing("diary:entry", "entry.pk"),
    Page("diary:photo", lambda w: reverse("diary:photo", args=[w.entry.pk, 0, "small"])),
    listing("diary:member", "star.pk"),
    at("diary:member", "viewer.pk", variant="mine"),
    Page("diary:archive", _month("diary:archive", "entry"), grows=True),
    at("diary:new"),
    at("diary:edit", "own_entry.pk"),
    at("diary:delete", "own_entry.pk"),
    listing("diary:new_comments"),
    # communities
    listing("communities:list"),
    listing("communities:list", query=f"?q={SEARCH_WORD}", variant="search"),
    listing("communities:category", "category_id"),
    listing("communities:friends"),
    listing("communities:detail", "community.pk"),
    Page("communities:image",
         lambda w: reverse("communities:image", args=[w.community.pk, "small"])),
    listing("communities:members", "community.pk"),
    listing("communities:requests", "community.pk"),
    listing("communities:topics", "community.pk"),
    listing("communities:topic", "community.pk", "topic.pk"),
    at("communities:new"),
    at("communities:edit", "community.pk"),
    at("communities:close", "community.pk"),
    at("communities:topic_new", "community.pk"),
    at("communities:topic_edit", "community.pk", "topic.pk"),
    listing("communities:new_topics"),
    # offkai
    listing("offkai:list"),
    listing("offkai:past"),
    Page("offkai:month", _month("offkai:month", "event")),
    listing("offkai:community", "community.pk"),
    listing("offkai:community", "community.pk", query="?show=past", variant="past"),
    listing("offkai:detail", "event.pk"),
    at("offkai:detail", "friend_event.pk", variant="friend's"),
    listing("offkai:answers", "event.pk"),
    listing("offkai:answers_csv", "event.pk"),
    at("offkai:ics", "event.pk"),
    at("offkai:calendar"),
    listing("offkai:attendance", "past_event.pk"),
    at("offkai:new"),
    at("offkai:edit", "event.pk"),
    at("offkai:cancel", "event.pk"),
    # allauth, as the member
    at("account_email"),
    at("account_change_password"),
    at("account_set_password", status=302),  # the member has a password: to "change"
    at("account_reauthenticate"),
    at("account_request_reauthentication_code"),
    at("mfa_index"),
    at("mfa_activate_totp"),
    at("mfa_index", who=STAR, variant="with an app"),
    at("mfa_reauthenticate", who=STAR),
    at("mfa_deactivate_totp", who=STAR),
    at("mfa_view_recovery_codes", who=STAR),
    at("mfa_generate_recovery_codes", who=STAR),
    at("mfa_download_recovery_codes", who=STAR),
    at("account_logout"),  # GET asks to confirm
    # visitors
    at("home", who=VISITOR, variant="landing"),
    at("policy", who=VISITOR, variant="visitor"),
    at("health", who=VISITOR),
    at("invites:accept", "invitation_token", who=VISITOR),
    listing("offkai:feed", "feed_token", who=VISITOR),
    at("notifications:unsubscribe", "unsubscribe_token", who=VISITOR),
    at("dailynews:unsubscribe", "daily_news_token", who=VISITOR),
    at("account_login", who=VISITOR),
    at("account_signup", who=VISITOR),  # says signing up is by invitation
    at("account_inactive", who=VISITOR),
    at("account_email_verification_sent", who=VISITOR),
    at("account_confirm_email", "email_key", who=VISITOR),
    at("account_reset_password", who=VISITOR),
    at("account_reset_password_done", who=VISITOR),
    Page("account_reset_password_from_key", _reset_key, who=VISITOR, status=302),
    Page("account_reset_password_from_key", _reset_form, who=VISITOR, variant="form"),
    at("account_reset_password_from_key_done", who=VISITOR),
]

# URL names not opened here, each with why. Everything else the site routes is in PAGES.
SKIPPED: dict[str, str] = {
    # POST-only actions (require_POST): they answer a GET with 405 and redirect after work.
    **dict.fromkeys([
        "set_language", "invites:resend", "invites:revoke",
        "accounts:friend_request_accept", "accounts:friend_request_decline",
        "accounts:friend_request_cancel", "accounts:friend_request_send", "accounts:unblock",
        "accounts:introduction_delete",
        "diary:comment_create", "diary:comment_delete",
        "communities:join", "communities:leave", "communities:invite", "communities:decide",
        "communities:role", "communities:topic_delete", "communities:topic_pin",
        "communities:topic_comment", "communities:topic_comment_delete",
        "offkai:rsvp", "offkai:comment", "offkai:comment_delete", "offkai:guest_add",
        "offkai:guest_invite", "notifications:read_all",
        "conversations:reply", "conversations:archive", "conversations:unarchive",
        "likes:like", "likes:unlike",
        "albums:caption", "albums:cover", "albums:move", "albums:comment_create",
        "albums:comment_delete",
    ], "POST-only"),
    # allauth's steps that are pages only in the middle of their flow; a redirect otherwise.
    "mfa_authenticate": "a login stage, between the password and the code",
    "account_confirm_login_code": "a login stage, after asking for a login code (the site "
                                  "offers none)",
    "account_confirm_reauthentication_code": "after account_request_reauthentication_code "
                                             "mailed a code",
}

# Pages known to break the budget, each with why (pytest.mark.xfail, strict): none.
XFAIL: dict[str, str] = {}


# --- walking ---------------------------------------------------------------------------------

@dataclass
class Visit:
    status: int
    location: str  # where a redirect leads
    size: int  # of the body
    queries: list[str]

    @property
    def count(self) -> int:
        return len(self.queries)


def _logged_in(member, *, second_factor: bool = False) -> Client:
    """A client of ``member`` who has just given their password again (after a code from
    their app, with ``second_factor``), so that the pages asking for a recent login show
    themselves instead of asking for it."""
    client = Client()
    client.force_login(member, backend="accounts.backends.MemberBackend")
    if second_factor:
        pass_second_factor(client, member)
    request = RequestFactory().get("/")
    request.session, request.user = client.session, member
    record_authentication(request, member, "password", email=member.email,
                          reauthenticated=True)
    request.session.save()
    return client


def _visit(client: Client, page: Page, world: World) -> Visit:
    url = page.url(world)
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, page.method)(url)
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
    return Visit(response.status_code, response.get("Location", ""), len(body),
                 [q["sql"] for q in captured.captured_queries])


def _walk(n: int) -> dict[str, Visit]:
    """Build the world of size ``n``, open every page in it, and forget the world."""
    with transaction.atomic():
        world = world_build(n)
        clients = {
            VIEWER: _logged_in(world.viewer),
            STAR: _logged_in(world.star, second_factor=True),
            VISITOR: Client(),
        }
        visits = {page.id: _visit(clients[page.who], page, world) for page in PAGES}
        transaction.set_rollback(True)
    return visits


def _print_table(walks: dict[int, dict[str, Visit]]) -> None:
    print(f"\nqueries per page (budget {BUDGET}), {SMALL} and {LARGE} of everything:")
    for page in PAGES:
        small, large = walks[SMALL][page.id], walks[LARGE][page.id]
        flag = "" if small.count == large.count and large.count <= page.budget else "  <-- over"
        print(f"  {page.id:48} {small.count:3} {large.count:3}  ({large.status}){flag}")


@pytest.fixture(scope="module")
def walks(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each size's visits, page id → Visit; built once for the module."""
    quick = {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "LANGUAGE_CODE": "en",
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
        "STORAGES": {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        "COMMUNITY_CREATE_PER_DAY": 1000,
        "TOPIC_CREATE_PER_HOUR": 1000,
    }
    with django_db_blocker.unblock(), override_settings(**quick):
        # The site policy as every test sees it (tests/conftest.py): read once per process.
        policy_memo_set(SitePolicy(), seconds=float("inf"))
        try:
            # Content types, as a server that has answered a few pages has them cached (the
            # one cache of the process a page's count depends on).
            ContentType.objects.get_for_models(*apps.get_models())
            found = {SMALL: _walk(SMALL), LARGE: _walk(LARGE)}
        finally:
            policy_memo_set(None)
    _print_table(found)
    return found


# --- the tests -------------------------------------------------------------------------------

def _routes(patterns=None, namespace: str = ""):
    """(name, pattern) for every URL the site routes but the admin's; a pattern without a
    name goes by its route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or str(pattern.pattern)
            yield (f"{namespace}:{name}" if namespace else name), pattern


def test_every_url_is_walked_or_skipped():
    routed = {name for name, _pattern in _routes()}
    walked = {page.name for page in PAGES}
    assert not walked & set(SKIPPED), "a page is both walked and skipped"
    assert routed - walked - set(SKIPPED) == set(), "pages with no entry in PAGES or SKIPPED"
    assert (walked | set(SKIPPED)) - routed == set(), "entries for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_a_skipped_url_is_no_page(member, as_user, name):
    """What SKIPPED says holds: a member's GET finds no page there (405 for a POST-only
    action, a redirect for allauth's steps outside their flow)."""
    pattern = dict(_routes())[name].pattern
    kwargs = {
        key: "x" if isinstance(converter, StringConverter) else 1
        for key, converter in getattr(pattern, "converters", {}).items()
    }
    response = as_user(member).get(reverse(name, kwargs=kwargs))
    assert response.status_code == (405 if SKIPPED[name] == "POST-only" else 302)


def test_the_counts_are_cold():
    # Without CACHE_URL the parts of pages are computed on every request: what is counted
    # here is what a page costs when nothing is cached.
    assert settings.CACHES["parts"]["BACKEND"].endswith("DummyCache")


def _shape(sql: str) -> str:
    """A statement without its values (and lists of them): the same query for another row,
    or for more rows at once, has the same shape."""
    return re.sub(r"\?(?:, \?)+", "?", re.sub(r"\b\d+\b|'[^']*'|_django_curs_\w+", "?", sql))


def _explain(small: Visit, large: Visit) -> str:
    """The larger run's queries, numbered, then the shapes run a different number of times
    in the two runs (the usual sign of a query per row)."""
    lines = [f"  {i:2}. {sql[:500]}" for i, sql in enumerate(large.queries, 1)]
    before = Counter(_shape(sql) for sql in small.queries)
    after = Counter(_shape(sql) for sql in large.queries)
    lines += [
        f"  x{before[shape]} -> x{after[shape]}: {shape[:400]}"
        for shape in before | after if before[shape] != after[shape]
    ]
    return "\n".join(lines)


@pytest.mark.parametrize("page", [
    pytest.param(page, id=page.id, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[page.id])]
                 if page.id in XFAIL else [])
    for page in PAGES
])
def test_queries_do_not_grow_with_the_data(walks, page):
    small, large = walks[SMALL][page.id], walks[LARGE][page.id]
    assert (small.status, large.status) == (page.status, page.status), (
        f"{page.id}: {small.status} {small.location}")
    if page.grows:
        assert large.size > small.size, (
            f"{page.id} shows no more with {LARGE} of everything than with {SMALL}: the world "
            "leaves its list empty, so its count proves nothing")
    assert small.count == large.count and large.count <= page.budget, (
        f"{page.id}: {small.count} queries with {SMALL} of everything, {large.count} with "
        f"{LARGE} (budget {page.budget}); the larger run's:\n{_explain(small, large)}"
    )
