"""Hostile requests (issue 9): random and oversized values posted to every form of the site
cause no server error and no partial write.

Every form a member, a community's admin or a visitor can post (tests/sns/hostile_forms.py,
whose table together with ``ROUTES_WITHOUT_FORM`` names every URL the site routes, the admin
aside) is posted, in the world of tests/sns/query_world.py, by its poster:

- ``test_random_values``: Hypothesis draws the form's valid values and spoils a few fields
  with hostile ones: text with NUL, lone surrogates, right-to-left marks, emoji, strings up
  to 1 MB, numbers out of range (2**63, -1, "1e309", "NaN"), dates out of range (year 0,
  99999) or malformed, choices not offered, several values for one field, fields left out,
  files where text is expected, and fields the form does not have;
- ``test_nastiest_values``: the same form with each field in turn holding each of the
  nastiest values (NUL, 1 MB, 2**63, "NaN", "²"), then a body over the upload limit and one
  with too many fields; the valid values alone are accepted (so the form is really reached).

Each request runs in a savepoint rolled back afterwards, and is judged by ``Trial._judge``: an
answer under 500; a refusal (a form shown again, 400, 403, 404, 405, 410) changes no table
and not the row an edit is about; an accepted post changes the row counts of the object it is
for exactly (``makes``) and only the tables it may touch besides (``also``), every row it
made passes its model's validation, and the site's invariants (a topic's comment count, an
off-kai's places, a community's one admin, a friendship's two rows) hold as well as before.
Besides: pages without a form are posted the nastiest values; every page is opened with
hostile values in the query parameters the site reads; every route with an id or a token is
given ids past bigint and hostile tokens; and a NUL anywhere is refused (a 400 before any
view: sns.middleware.NulRefusalMiddleware) in the member's language.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from sns.models import SitePolicy
from sns.site_policy import policy_memo_set
from tests.sns.hostile_forms import (
    EVERYTHING,
    FORMS,
    ROUTES_WITHOUT_FORM,
    STAR,
    STRANGER,
    VIEWER,
    VISITOR,
    Form,
    Upload,
    pages_once,
)
from tests.sns.query_world import World, world_build
from tests.sns.test_query_budget import _logged_in, _routes

pytestmark = pytest.mark.django_db

# Random requests per form; a form without fields has only strange fields to read.
EXAMPLES, EXAMPLES_WITHOUT_FIELDS = 20, 5

# --- hostile values --------------------------------------------------------------------------

NUL = "a NUL\x00 inside"
MEGABYTE = "x" * 1_000_000
# And a digit that str.isdigit() takes but int() refuses.
NASTIEST = {"NUL": NUL, "1 MB": MEGABYTE, "2**63": str(2**63), "NaN": "NaN", "²": "²"}
TEXTS = [
    "\x00", NUL, "\ud800", "lone \udfff surrogate", "\u202e\u2066evil\u2069\u200f", "\ufeff",
    "😀👍🏽👨‍👩‍👧" * 30, " ", "", "\r\n" * 40, MEGABYTE, "あ" * 350_000,
]
NUMBERS = [
    str(2**63), str(2**63 - 1), str(-(2**63) - 1), str(2**31), str(2**64), "-1", "0",
    "1e309", "-1e309", "NaN", "inf", "1.5", "0x1F", "１２", "²", "٣", "1_000", " 7 ", "9" * 400,
]
DATES = [
    "0000-01-01T00:00", "0-01-01T00:00", "99999-01-01T00:00", "9999-12-31T23:59",
    "0001-01-01T00:00", "2024-02-30T10:00", "2024-13-01T00:00", "2024-01-01T24:00",
    "2024-01-01", "now", "-2024-01-01T00:00", "２０２４-01-01T00:00",
]
FILES = [Upload("notes.txt", b"plain text"), Upload("x.jpg", b"<svg onload=alert(1)>"),
         Upload("\x00.jpg", b"\x00" * 64)]
# Names a form does not have (an owner's, a next page's, a NUL's).
STRANGE_NAMES = ["next", "author", "owner", "user", "pk", "id", "\x00", "ü" * 300]

HOSTILE = TEXTS + NUMBERS + DATES + FILES
SCALAR = st.one_of(
    # Drawn by index: Hypothesis would otherwise hash the megabyte strings for every draw.
    st.sampled_from(range(len(HOSTILE))).map(HOSTILE.__getitem__),
    st.text(st.characters(exclude_categories=()), max_size=64),  # NUL and surrogates too
    st.integers().map(str),
    st.binary(max_size=128).map(lambda content: Upload("random.bin", content)),
)
# What a spoiled field holds: one hostile value, several values, or nothing at all.
SPOILED = st.one_of(SCALAR.map(lambda v: [v]), st.lists(SCALAR, min_size=2, max_size=4),
                    st.none())


@st.composite
def submissions(draw, form: Form, world: World) -> dict:
    """The form's valid values, with up to three fields (its own or strange ones) spoiled."""
    data = {}
    for field in form.fields:
        value = draw(field.strategy(world))
        if value is not None:
            data[field.name] = value if isinstance(value, list) else [value]
    names = [field.name for field in form.fields] + STRANGE_NAMES
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=3)):
        value = draw(SPOILED)
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# --- posting ---------------------------------------------------------------------------------

BOUNDARY = "hostile-requests-boundary"


def _utf8(text: str) -> bytes:
    # Lone surrogates go as the bytes a careless client would send: not valid UTF-8.
    return text.encode("utf-8", "surrogatepass")


def _multipart(pairs: list[tuple[str, object]]) -> bytes:
    body = io.BytesIO()
    for name, value in pairs:
        body.write(f"--{BOUNDARY}\r\n".encode())
        disposition = b'Content-Disposition: form-data; name="' + _utf8(name) + b'"'
        if isinstance(value, Upload):
            body.write(disposition + b'; filename="' + _utf8(value.name) + b'"\r\n')
            body.write(f"Content-Type: {value.content_type}\r\n\r\n".encode() + value.content)
        else:
            body.write(disposition + b"\r\n\r\n" + _utf8(value))
        body.write(b"\r\n")
    body.write(f"--{BOUNDARY}--\r\n".encode())
    return body.getvalue()


def encode(data: dict) -> tuple[bytes, str]:
    """The body and its content type: multipart when a file is in it."""
    pairs = [(name, value) for name, values in data.items() for value in values]
    if any(isinstance(value, Upload) for _name, value in pairs):
        return _multipart(pairs), f"multipart/form-data; boundary={BOUNDARY}"
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode("ascii")
    return body, "application/x-www-form-urlencoded"


def _read(response) -> None:
    # A streamed answer (the data download) does its work as it is read.
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


# --- what the database holds -----------------------------------------------------------------

APP_LABELS = {"accounts", "invites", "diary", "communities", "offkai", "conversations", "albums",
              "sns", "account", "mfa"}
MODELS = {
    model._meta.db_table: model
    for label in APP_LABELS
    for model in apps.get_app_config(label).get_models(include_auto_created=True)
}


def snapshot() -> dict[str, tuple[int, int | None]]:
    """Each app table's (row count, highest id), in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT '{table}', count(*), max({quote(model._meta.pk.column)}) FROM {quote(table)}"  # noqa: S608 - the models' own names
        for table, model in MODELS.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {table: (count, top) for table, count, top in cursor.fetchall()}


# Rows that break a rule the site keeps across tables, by rule (ids of the rows).
INVARIANTS = {
    "a topic's comment count is its number of comments": """
        SELECT t.id FROM communities_topic t
        WHERE t.comment_count <> (SELECT count(*) FROM communities_topiccomment c
                                  WHERE c.topic_id = t.id)""",
    "an open community has one admin": """
        SELECT c.id FROM communities_community c WHERE c.closed_at IS NULL
        AND (SELECT count(*) FROM communities_membership m
             WHERE m.community_id = c.id AND m.role = 'admin') <> 1""",
    "an off-kai's creator hosts it": """
        SELECT e.id FROM offkai_event e WHERE e.created_by_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM offkai_eventhost h
                        WHERE h.event_id = e.id AND h.user_id = e.created_by_id)""",
    "an off-kai ends after it starts": """
        SELECT e.id FROM offkai_event e WHERE e.ends_at <= e.starts_at""",
    "an off-kai takes no more than its places": """
        SELECT e.id FROM offkai_event e WHERE e.capacity IS NOT NULL
        AND (SELECT coalesce(sum(1 + r.guests), 0) FROM offkai_rsvp r
             WHERE r.event_id = e.id AND r.answer = 'attending') > e.capacity""",
    "a friendship has its two rows": """
        SELECT f.id FROM accounts_friendship f WHERE NOT EXISTS (
            SELECT 1 FROM accounts_friendship g
            WHERE g.user_id = f.friend_id AND g.friend_id = f.user_id)""",
    "a member has a profile": """
        SELECT u.id FROM accounts_user u WHERE NOT EXISTS (
            SELECT 1 FROM accounts_profile p WHERE p.user_id = u.id)""",
    "an entry has at most three photos": """
        SELECT p.entry_id FROM diary_entryphoto p GROUP BY p.entry_id HAVING count(*) > 3""",
    "an album counts its photos": """
        SELECT a.id FROM albums_album a WHERE a.photo_count <> (
            SELECT count(*) FROM albums_albumphoto p WHERE p.album_id = a.id)""",
    "an album's cover is one of its photos": """
        SELECT a.id FROM albums_album a JOIN albums_albumphoto p ON p.id = a.cover_id
        WHERE p.album_id <> a.id""",
    "a message has at most three photos": """
        SELECT p.message_id FROM conversations_messagephoto p GROUP BY p.message_id
        HAVING count(*) > 3""",
    "a conversation has at most ten members": """
        SELECT p.conversation_id FROM conversations_participant p GROUP BY p.conversation_id
        HAVING count(*) > 10""",
    "a conversation's members include who started it": """
        SELECT c.id FROM conversations_conversation c WHERE c.started_by_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM conversations_participant p
                        WHERE p.conversation_id = c.id AND p.member_id = c.started_by_id)""",
}


_RULES_SQL = " UNION ALL ".join(
    f"SELECT {i}, broken.id FROM ({sql}) AS broken(id)"  # noqa: S608 - the rules above
    for i, sql in enumerate(INVARIANTS.values())
)


def broken_rules() -> dict[str, set[int]]:
    """The rows breaking each rule, in one query."""
    found = {rule: set() for rule in INVARIANTS}
    rules = list(INVARIANTS)
    with connection.cursor() as cursor:
        cursor.execute(_RULES_SQL)
        for i, pk in cursor.fetchall():
            found[rules[i]].add(pk)
    return found


OWN_APPS = APP_LABELS - {"account", "mfa"}


def _new_rows(before: dict, after: dict):
    """The rows a request made in the site's own tables (allauth's leave some fields blank
    that their models call required): those with a higher id than any before it."""
    for table, (_count, top) in after.items():
        old_top = before[table][1]
        if MODELS[table]._meta.app_label not in OWN_APPS:
            continue
        if top is not None and (old_top is None or top > old_top):
            model = MODELS[table]
            yield from model._base_manager.filter(pk__gt=old_top or 0)


# Tables any accepted post may add to: the record of what a member did, for the rate limits.
BOOKKEEPING = {"sns_limitedaction"}


# --- posting as a browser does --------------------------------------------------------------

CSRF_SECRET = "HostileRequestsCsrfSecret0123456"


class Browser(Client):
    """A client that has the site check CSRF as it does for browsers, and sends its cookie's
    token with each POST as the site's forms do: so the middleware reads the body before any
    view, as in production (an oversized body is refused there)."""

    def __init__(self, cookies=None):
        super().__init__(enforce_csrf_checks=True)
        if cookies is not None:
            self.cookies = cookies
        self.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET

    def generic(self, method, path, *args, **extra):
        if method == "POST":
            extra.setdefault("HTTP_X_CSRFTOKEN", self.cookies[settings.CSRF_COOKIE_NAME].value)
        return super().generic(method, path, *args, **extra)


# --- judging each request -------------------------------------------------------------------

@dataclass
class Trial:
    """One form tried again and again: its poster's client and URL, and the database as each
    request finds it (each runs in a savepoint rolled back after it)."""

    form: Form
    world: World
    client: Client
    path: str
    before: dict = dataclasses.field(default_factory=snapshot)
    rules: dict = dataclasses.field(default_factory=broken_rules)
    target: dict | None = None

    def __post_init__(self):
        self.target = self._target_state()

    def _target_state(self) -> dict | None:
        if self.form.target is None:
            return None
        row = self.form.target(self.world)
        return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}

    def post(self, data: dict, *, valid: bool = False) -> bool:
        """Post ``data`` and judge the answer; True when the form accepted it. ``valid``: the
        data is the form's valid values, so an acceptance must have made its object. The
        client's cookies come back as they were (a login or logout in the request is
        forgotten with it)."""
        cookies = copy.deepcopy(self.client.cookies)
        try:
            with transaction.atomic():
                response = self.client.generic("POST", self.path, *encode(data))
                _read(response)
                done = self._judge(response.status_code, valid)
                transaction.set_rollback(True)
        finally:
            self.client.cookies = cookies
        return done

    def _judge(self, status: int, valid: bool) -> bool:
        """See the module's docstring."""
        form, after = self.form, snapshot()
        assert status < 500, f"{form.name}: {status}"
        changed = {t: after[t][0] - self.before[t][0] for t in after if after[t] != self.before[t]}
        if status != form.accepted:
            assert not changed, f"{form.name} refused ({status}) but changed {changed}"
            assert self._target_state() == self.target, (
                f"{form.name} refused ({status}) but changed the row it edits")
            return False
        # A redirect may also be a refusal with a message: then nothing changed at all.
        if changed or valid:
            for table, delta in form.makes.items():
                assert changed.get(table, 0) == delta, (
                    f"{form.name}: {table} changed by {changed.get(table, 0)}, not {delta}: "
                    f"{changed}")
            if form.also != EVERYTHING:
                stray = set(changed) - set(form.makes) - form.also - BOOKKEEPING
                assert not stray, f"{form.name} changed tables it has no business in: {changed}"
        for row in _new_rows(self.before, after):
            row.full_clean()
        if form.target is not None and self._target_state() != self.target:
            form.target(self.world).full_clean()
        for rule, rows in broken_rules().items():
            assert rows <= self.rules[rule], f"{form.name} broke “{rule}”: {rows}"
        return True


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world (two of everything), made once for the module in a transaction that each
    test's own (a savepoint) nests in, and rolled back at the end; and its media folder."""
    media = tmp_path_factory.mktemp("media")
    quick = {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "LANGUAGE_CODE": "en",
        "MEDIA_ROOT": media,
        "COMMUNITY_CREATE_PER_DAY": 1000,
        "TOPIC_CREATE_PER_HOUR": 1000,
        "OFFKAI_CREATE_PER_DAY": 1000,
    }
    with django_db_blocker.unblock(), override_settings(**quick):
        policy_memo_set(SitePolicy(), seconds=float("inf"))
        try:
            with transaction.atomic():
                yield world_build(2), media
                transaction.set_rollback(True)
        finally:
            policy_memo_set(None)


@pytest.fixture
def world(built, settings) -> World:
    world, media = built
    # A login in an earlier test set the members' last login on these objects, and the
    # rollback took it back from the database only (a reset link is made from it).
    for member in (world.viewer, world.star, world.stranger):
        member.refresh_from_db()
    settings.MEDIA_ROOT = media
    # Limits on logins and resets would soon answer every request with 429 alone.
    settings.ACCOUNT_RATE_LIMITS = False
    return world


def trial(world: World, form: Form) -> Trial:
    """Log the form's poster in (and take the flow's earlier steps), note how the database
    stands."""
    logged_in = {
        VIEWER: lambda: _logged_in(world.viewer),
        STAR: lambda: _logged_in(world.star, second_factor=True),
        STRANGER: lambda: _logged_in(world.stranger),
        VISITOR: Client,
    }
    client = Browser(logged_in[form.who]().cookies)
    if form.prepare is not None:
        form.prepare(client, world)
    return Trial(form, world, client, form.url(world))


_BY_NAME = {form.name: form for form in FORMS}


# --- the tests -------------------------------------------------------------------------------

def test_every_route_has_a_form_or_a_reason():
    routed = {name for name, _pattern in _routes()}
    with_form = set(_BY_NAME)
    assert len(with_form) == len(FORMS), "a form is in the table twice"
    assert not with_form & set(ROUTES_WITHOUT_FORM), "a route is both a form and not"
    assert routed - with_form - set(ROUTES_WITHOUT_FORM) == set(), "routes in neither table"
    assert (with_form | set(ROUTES_WITHOUT_FORM)) - routed == set(), "entries for no route"


@pytest.mark.parametrize("name", sorted(_BY_NAME))
def test_random_values(world, name):
    form = _BY_NAME[name]
    tried = trial(world, form)

    @hypothesis_settings(
        max_examples=EXAMPLES if form.fields else EXAMPLES_WITHOUT_FIELDS,
        deadline=None, database=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large],
    )
    @given(data=submissions(form, world))
    def post(data):
        event("accepted" if tried.post(data) else "refused")  # --hypothesis-show-statistics

    post()


def _base(form: Form, world: World) -> dict:
    """The form's first valid values."""
    data = {}
    for field in form.fields:
        value = field.values(world)[0]
        if value is not None:
            data[field.name] = value if isinstance(value, list) else [value]
    return data


@pytest.mark.parametrize("name", sorted(_BY_NAME))
def test_nastiest_values(world, name):
    form = _BY_NAME[name]
    tried = trial(world, form)
    base = _base(form, world)
    assert tried.post(base, valid=True) == form.reachable, (
        f"{name}: the valid values are {'not ' if form.reachable else ''}accepted")
    # A form without fields gets them in a field it does not have.
    for field in [f.name for f in form.fields] or ["next"]:
        for value in NASTIEST.values():
            tried.post({**base, field: [value]})
    oversized = {**base, "padding": ["x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)]}
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    too_many = {**base, **{f"f{i}": ["1"] for i in range(fields)}}
    for data in (oversized, too_many):
        assert not tried.post(data), f"{name} accepted a body past the limits"


def test_a_nul_is_refused_in_the_members_language(world):
    """PostgreSQL cannot store NUL: anywhere in a request it is refused before any view, with
    a page that says why in the member's language."""
    User.objects.filter(pk=world.viewer.pk).update(language="ja")
    member = Browser(_logged_in(world.viewer).cookies)
    comments = world.entry.comments.count()
    response = member.post(reverse("diary:comment_create", args=[world.entry.pk]),
                           {"body": "Lovely\x00"})
    assert response.status_code == 400
    assert "制御文字（NUL）" in response.content.decode()
    assert world.entry.comments.count() == comments
    for path in (reverse("account_login") + "?next=%00", "/invite/%00/"):
        response = Browser().get(path)
        assert response.status_code == 400
        assert "control character (NUL)" in response.content.decode()


@pytest.mark.parametrize("page", pages_once(ROUTES_WITHOUT_FORM), ids=lambda page: page.id)
def test_pages_without_a_form(world, page):
    """Posting the nastiest values (NUL alone: it has the whole request refused) is no server
    error, and writes nothing a GET would not (a footprint)."""
    tried = trial(world, Form(page.name, page.url, who=page.who))
    others = [value for value in NASTIEST.values() if value != NUL]
    for values in ([NUL], others):
        data = {name: [values[i % len(values)]] for i, name in enumerate(STRANGE_NAMES)}
        with transaction.atomic():
            response = tried.client.generic("POST", tried.path, *encode(data))
            _read(response)
            assert response.status_code < 500, (values[0][:20], response.status_code)
            after = snapshot()
            changed = {table for table in MODELS if after[table] != tried.before[table]}
            assert changed <= {"accounts_footprint"}, changed
            transaction.set_rollback(True)


CURSOR = "1700000000000000_"  # a time, then the id of the last row shown (sns.paging)
# Two sets of the query parameters the site reads, each value picked to trip its parser: a
# digit that str.isdigit() takes and int() refuses, numbers past any column, cursors with a
# bad id, broken UTF-8, a choice not offered, a next page on another host. (Not "type": the
# report page's own, kept so that its "id" is read.)
QUERIES = [
    {"q": "\ud800 NaN", "page": "²", "before": CURSOR + "²", "since": "²",
     "comments_before": CURSOR + "²", "kind": "²", "show": "²", "received": "²", "sent": "²",
     "community": "²", "next": "²", "id": "²"},
    {"q": "a" * 5000, "page": str(2**63), "before": CURSOR + str(10**20), "since": str(2**63),
     "comments_before": f"-1_{10**20}", "kind": "\ud800", "show": "-1", "received": "-1",
     "sent": str(2**63), "community": str(2**63), "next": "//evil.example/", "id": str(10**20)},
]


@pytest.mark.parametrize("page", pages_once(), ids=lambda page: page.id)
def test_hostile_query_strings(world, page):
    """Every page, opened with hostile values in every query parameter the site reads (after
    the page's own, which they replace: Django takes the last value)."""
    client = trial(world, Form(page.name, page.url, who=page.who)).client
    path = page.url(world)
    for values in QUERIES:
        query = urlencode(values, errors="surrogatepass")
        with transaction.atomic():
            response = client.get(path + ("&" if "?" in path else "?") + query)
            _read(response)
            assert response.status_code < 500, (values["id"], response.status_code)
            transaction.set_rollback(True)


HUGE_ID = 10**20  # past PostgreSQL's bigint
BROKEN_UTF8 = "broken-utf8"  # stands in the URL for the bytes of a lone surrogate
TOKENS = [BROKEN_UTF8, "²", "%", "a" * 5000, "..", "-1"]


def _hostile_urls() -> list[str]:
    """Every URL the site routes with each id past bigint and each hostile token."""
    urls = []
    for name, pattern in _routes():
        converters = getattr(pattern.pattern, "converters", {})
        if not converters:
            continue
        for token in TOKENS:
            kwargs = {key: HUGE_ID if isinstance(converter, IntConverter) else token
                      for key, converter in converters.items()}
            with contextlib.suppress(NoReverseMatch):  # a token the converter does not take
                urls.append(reverse(name, kwargs=kwargs).replace(BROKEN_UTF8, "%ED%A0%80"))
    return sorted(set(urls))


def test_hostile_ids_and_tokens_in_urls(world):
    """Every route with an id or a token, given ids past bigint and hostile tokens, by a
    member and by a visitor, is no server error and writes nothing."""
    clients = [trial(world, Form("member", lambda w: "/")).client,
               trial(world, Form("visitor", lambda w: "/", who=VISITOR)).client]
    before = snapshot()
    for path in _hostile_urls():
        for client in clients:
            for method in ("GET", "POST"):
                with transaction.atomic():
                    response = client.generic(method, path, b"", content_type="text/plain")
                    _read(response)
                    assert response.status_code < 500, (method, path[:80], response.status_code)
                    if method == "POST":
                        assert snapshot() == before, (path[:80], response.status_code)
                    transaction.set_rollback(True)
