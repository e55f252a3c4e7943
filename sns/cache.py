"""Parts of pages kept in the shared cache, and how a write makes them stale.

The cache is the ``"parts"`` alias (sns/settings.py): the Redis of ``CACHE_URL``, else
Django's DummyCache, and then ``cached`` simply computes and ``bump`` does nothing (the tests
run that way, so every page is also tested on its cold path). Only plain data is kept (ints,
datetimes, tuples of ids): the page reads the few rows it shows by id, so a profile edit or a
renamed topic never needs an invalidation.

**Scopes and generations.** Each cached value is filed under the scopes it depends on; a
scope (``("inbox", member_id)``, ``("people",)``) has a generation, a random token kept in the
cache. A value is kept with a digest of the generations of all its scopes, read with them
in one round trip, and counts only while they are current, so ``bump(scope)`` (a new token)
makes everything filed under the scope stale at once, without knowing the keys; the next
reader computes it again in its place. Tokens are random, never counted up: a generation
evicted by Redis is made again as a fresh token, so what was cached under it is a miss and
no old value can come back. ``bump`` runs once the transaction commits: a reader that
computed from the database before the commit has kept its value with the old generation's
digest. A value's timeout (an hour) is only a backstop, for a bump lost because the cache
could not be reached after a commit.

What is cached (the key is the member's id unless said):

======================  ====================================  ==============================
part, where             scopes                                value
======================  ====================================  ==============================
the member, accounts.   ("member", m)                         the row's columns (every
backends                                                      request's ``request.user``)
header counts,          ("inbox", m) ("blocks", m)            {"requests": n, "unread": n}
sns.context_processors  ("people",)
circle picture,         ("friends", m) ("people",)            m's newest active friend ids
accounts.circle                                               (150 + 20 spare) and the
                                                              friendships among them
m's communities,        ("memberships", m)                    their ids
communities.topics
new in my communities   ("memberships", m) ("blocks", m)      (topic id, new comments, last
(home), communities.    ("people",) ("community", c) for      comment at) of the first five;
topics                  each community c of m                 key (m, since, five)
friends' newest         ("feed", m) ("friends", m)            ids of the newest ten of m's
entries (home),         ("blocks", m) ("people",)             friends' entries (sns.home
sns.home                                                      reads each again, checked)
entries with new        ("commented", m) ("blocks", m)        ids of the candidates; key
comments (home),        ("people",)                           (m, since)
sns.home
upcoming off-kai        ("events",) ("offkai", m)             ids of the first nine that m
(home), sns.home        ("friends", m) ("memberships", m)     hosts, answered, or whose
                        ("blocks", m) ("people",)             hosts are friends or community
                                                              is m's (sns.home reads each
                                                              again, checked)
home's content as       every generation read while it was    the HTML (``rendered`` below),
HTML, sns/home.html     built: the parts above it read, and   with the list of those
({% part %})            what sns.home declares (the member,   generations and a digest of
                        requests, footprints, invites,        their tokens; key (m,
                        friends, blocks, memberships, people, language, time zone); ten
                        announcements, each community of m,   minutes at most, and until the
                        each off-kai shown, each member       first off-kai shown ends
                        named); friends' diaries and new
                        comments apart (below)
home's friends' diaries those of the friends' newest entries  the HTML (detached parts:
and new comments, each  and of the entries with new comments  home keeps a marker, filled
kept apart (detached)   (above), each entry shown, its        on each request); key (m,
                        author; seen for new comments         language, time zone)
friends' diaries as     feed, friends, blocks, people, each   the HTML; key (m, cursor,
HTML, diary.feeds       entry shown and its author            language, time zone)
an entry's page as      ("entry", e) ("comments", e)          the HTML; key (e, m, comments'
HTML, diary.views.      ("diary", author) and m's friends,    cursor, language, time zone);
entries                 blocks, people; each member named     entry-head: (title, author) or
                                                              None, whether m may open it
a topic's page as       ("community", c) and m's              the HTML; key (t, m, …);
HTML, communities.      memberships, blocks, people; each     topic-head: (title, may
views                   member named                          comment) or None
a member p's page as    ("member", p), m's friends, blocks,   the HTML; key (p, m, …); ten
HTML, accounts.views    requests, memberships and off-kai,    minutes at most; profile-head:
                        p's requests, friends, intro-         the name shown, or None if m
                        ductions, memberships and off-kai,    may not open it
                        people;
                        each member, community and off-kai
                        named, the friends of each member
                        on the chain to p
an off-kai's page as    ("event", e) ("answers", e), m's      the HTML; key (e, m, page of
HTML, offkai.views.     friends, blocks, memberships, people; attendees, comments' cursor,
events                  its community; each member named      …); until answers close, it
                                                              starts, it ends; offkai-head:
                                                              (title, cancelled) or None
what a search finds,    ("shared", "found", kind, words),     (ids, all of them or only the
for everyone,           bumped by ``recheck`` when it finds   newest, a digest of what
sns.search              them changed                          decides who may see each);
                                                              checked again at most every
                                                              ten seconds (``recheck``)
search results as       m's friends, blocks, memberships,     the HTML; key (m, digest of
HTML, sns.views_search  off-kai, people; what the search      the words, kind, page); ten
                        finds of each kind shown; each        minutes at most, and until the
                        entry, community, off-kai and member  first upcoming off-kai ends
                        shown
holes in kept pages:    ("comments", e) ("people",); an       {"n": count}; {"taken": n,
an entry's count of     off-kai's ("event", e) ("answers",    "left": n or None}; filled in
comments, an off-kai's  e) ("people",)                        the kept HTML on each request
places (diary.feeds,                                          (``holes`` below)
offkai.selectors)
======================  ====================================  ==============================

The circle is the same for every viewer: each request leaves out the friends the viewer
stands in a block with, so a block touches only the two members' own scopes.

**Who bumps**, each in the service that writes, beside the write:

* ``("member", m)``: ``User.save`` and ``User.delete`` (every write of the row through the
  model: the admin, allauth, moderation, leaving), and the bulk updates of sns.policy
  (accepting the rules, the quota refill).
* ``("inbox", m)``: sns.notifications (``notify``, ``notify_many``, ``withdraw``, the read
  marks: the only writers of notifications); accounts.services (a friend request to m sent,
  accepted, declined, cancelled, or answered by m asking back).
* ``("requests", m)``: accounts.services, a friend request m received or sent made,
  accepted, declined or withdrawn (after ``inbox``, with it).
* ``("friends", m)``: ``accounts.services.friendship_changed``, called where a friendship is
  made (``friendship_create``) or ended (``friendship_end``, ``accounts.blocking``), for
  both members and every friend of both (the line between the two is in their circles).
* ``("blocks", m)``: accounts.blocking, both members, on block and unblock.
* ``("memberships", m)``: communities.services (create, join, approval, leave, removal).
* ``("community", c)``: communities.services (a comment written or deleted, a topic
  deleted), sns.moderation.content (a topic or topic comment hidden or shown again). A new
  topic does not bump: the part lists topics by their new comments.
* ``("feed", m)``: diary.services, for each friend of the author of a new entry, or of one
  no longer private (in the task ``diary.tasks.tell_friends``, after commit: fan-out). The
  kept ids are found without hidden entries being left out, so a moderator's hide and
  unhide need no bump: each read checks them.
* ``("commented", m)``: diary.services, for the author and every commenter of an entry that
  gets a comment, or has a comment shown again by a moderator.
* ``("events",)``: offkai.services, an off-kai made, or changed by its hosts (its time, who
  may see it, its co-hosts), and sns.moderation.content, one shown again. Cancelled, ended,
  deleted, hidden or narrowed, it drops out on the next read, which checks each.
* ``("offkai", m)``: offkai.services, m answers an off-kai, takes an answer back, or is moved
  off a waitlist (home's list checks each on its next read; the cards show m's answer).
* ``("entry", e)``: diary.services (e edited or deleted), sns.moderation.content (e hidden
  or shown again).
* ``("comments", e)``: diary.services (a comment on entry e written or deleted),
  sns.moderation.content (one hidden or shown again), the admin's deletion of one.
* ``("diary", m)``: diary.services (an entry of m's written, edited or deleted),
  sns.moderation.content (one hidden or shown again).
* ``("event", e)``: offkai.services (e edited or cancelled, a comment on it written or
  deleted), offkai.attendance (who came recorded), sns.moderation.content (e or a comment on
  it hidden or shown again).
* ``("answers", e)``: offkai.services, an answer to e made or taken back (by its member,
  their suspension or leaving), with ``("offkai", m)`` of that member and of those it moved
  off the waitlist (their cards show their answer).
* ``("introductions", m)``: accounts.services, an introduction of m written, rewritten or
  deleted (one between two former friends goes with the friendship, which bumps ``friends``).
* ``("footprints", m)``: accounts.footprints, a first visit of the day to m's page.
* ``("invites", m)``: invites.services (an invitation of m's sent, resent, revoked or
  accepted).
* ``("seen", m)``: diary.services and communities.services, m reads new comments or what is
  new in their communities.
* ``("announcements",)``: sns.announcements, an announcement sent.
* ``("community", c)`` also: c renamed or closed, a join request made or decided, an admin's
  role handed over (its join requests are counted on its admins' home), a topic edited.
* ``("member", m)`` also: accounts.services.profile_update (m's name and photo).
* ``("people",)``: a member suspended or reinstated (sns.moderation.members), refused
  (sns.policy) or gone (accounts.leaving), and any edit or deletion in the admin of members,
  friendships, friend requests, blocks or notifications (sns.admin_content.StalesCachedParts):
  the member's rows leave, or come back into, other members' counts, circles, inboxes and
  communities; finding all of those would cost more than computing every part once again,
  and it happens rarely. Also any edit or deletion of members' content in the admin
  (``ReadOnlyAdmin``: entries, comments, topics, off-kai, …), of communities, invitations,
  footprints or announcements, and a change of the site policy (names, quotas).

**Built ahead**: after the bumps of ``feed`` (a friend's new entry), ``commented`` (a new
comment) and ``offkai`` (an answer), a task builds home's kept lists again for the members
who keep one (``builds_ahead`` below), so that their next home finds them.

Not cached: home's counts (sns.home: one query that also reads the member's profile and
marks; footprints and invitations count within a window of time, which no write ends) and a
profile's friend count (about 1 ms at 5,600 friends, counted without reading the members;
its per-viewer blocks would need one query of their own).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import get_language
from redis.exceptions import RedisError

T = TypeVar("T")
Scope = tuple

ALIAS = "parts"
# A backstop only (see above): a value is right until a bump, whatever its age.
DEFAULT_TIMEOUT = 60 * 60
# Longer than any value: a generation that expires only costs a recomputation.
GENERATION_TIMEOUT = 7 * 24 * 60 * 60
_MISSING = object()


def _cache():
    return caches[ALIAS]


# --- scopes: a member's or a community's id, or a model instance ---------------------------

PEOPLE: Scope = ("people",)


def _id(thing) -> int:
    return getattr(thing, "pk", thing)


def member(member) -> Scope:
    return ("member", _id(member))


def inbox(member) -> Scope:
    return ("inbox", _id(member))


def requests(member) -> Scope:
    """The friend requests ``member`` received or sent (also bumps ``inbox``, before)."""
    return ("requests", _id(member))


def friends(member) -> Scope:
    return ("friends", _id(member))


def blocks(member) -> Scope:
    return ("blocks", _id(member))


def memberships(member) -> Scope:
    return ("memberships", _id(member))


def community(community) -> Scope:
    return ("community", _id(community))


def feed(member) -> Scope:
    return ("feed", _id(member))


def commented(member) -> Scope:
    return ("commented", _id(member))


# Every member's list of upcoming off-kai (home): an off-kai made, moved, shown again or with
# other hosts, rare beside the pages that list them.
EVENTS: Scope = ("events",)


def offkai(member) -> Scope:
    """The off-kai ``member`` answered (home lists those first)."""
    return ("offkai", _id(member))


# What a rendered part (``rendered`` below) shows of one row, and of a member's own marks.


def entry(entry) -> Scope:
    """A diary entry as a list shows it: its title, who may see it (its comments are
    ``comments``)."""
    return ("entry", _id(entry))


def comments(entry) -> Scope:
    """A diary entry's comments: one written, deleted, hidden or shown again (its page; lists
    show the count through a hole, ``holes`` below)."""
    return ("comments", _id(entry))


def diary(member) -> Scope:
    """``member``'s entries as a whole: one written, deleted, or its level or title changed
    (an entry's page links the one before and after)."""
    return ("diary", _id(member))


def event(event) -> Scope:
    """An off-kai as its card shows it: when, where, its title, its places, cancelled (who
    answered is ``answers``)."""
    return ("event", _id(event))


def answers(event) -> Scope:
    """An off-kai's answers: who comes, the places taken (its page; cards show the places
    through a hole). A member's own answer, which their cards show, bumps their ``offkai``."""
    return ("answers", _id(event))


def footprints(member) -> Scope:
    """The visits to ``member``'s page (home counts them)."""
    return ("footprints", _id(member))


def invites(member) -> Scope:
    """The invitations ``member`` sent: those using the quota, those accepted."""
    return ("invites", _id(member))


def introductions(member) -> Scope:
    """The introductions friends wrote on ``member``'s page."""
    return ("introductions", _id(member))


def seen(member) -> Scope:
    """Where ``member`` left off reading new comments and new topics."""
    return ("seen", _id(member))


# The announcements sent (to everyone or to a community's members).
ANNOUNCEMENTS: Scope = ("announcements",)


# --- generations and values ------------------------------------------------------------------


def _generation_key(scope: Scope) -> str:
    return "gen:" + ":".join(str(part) for part in scope)


def _token() -> str:
    return secrets.token_hex(8)


def in_use() -> bool:
    """Whether parts are kept at all: a writer may skip a query it makes only to bump."""
    return not isinstance(_cache(), DummyCache)


def bump(*scopes: Scope) -> None:
    """Make every value filed under ``scopes`` stale, once the transaction commits (at once
    outside one). A failure to reach the cache is logged, not raised: the write is done."""
    keys = [_generation_key(scope) for scope in scopes]
    if not keys or not in_use():
        return
    transaction.on_commit(lambda: _set_generations(keys), robust=True)


def _set_generations(keys: list[str]) -> None:
    """A new token for each key. On Redis in pipelined SETs of a thousand, one round trip
    each: a fan-out to a member's 20,000 friends (``feed``) costs tens of milliseconds, where
    ``set_many`` makes and pickles each key through the cache API."""
    cache = _cache()
    raw = getattr(cache, "_cache", None)
    if not hasattr(raw, "get_client"):
        cache.set_many({key: _token() for key in keys}, GENERATION_TIMEOUT)
        return
    client = raw.get_client(write=True)
    # What the cache API would store for a str: the serializer's bytes.
    for start in range(0, len(keys), 1000):
        with client.pipeline(transaction=False) as pipe:
            for key in keys[start:start + 1000]:
                pipe.set(
                    cache.make_key(key), raw._serializer.dumps(_token()), ex=GENERATION_TIMEOUT
                )
            pipe.execute()


def _read(cache, keys: list[str]) -> dict:
    """``cache.get_many(keys)`` in one MGET, without the cache API's checks of each key (a
    page's holes read a hundred keys: the checks cost more than Redis). Our keys are ours."""
    raw = getattr(cache, "_cache", None)
    if not keys or not hasattr(raw, "get_client"):
        return cache.get_many(keys)
    values = raw.get_client().mget([cache.make_key(key) for key in keys])
    loads = raw._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True)
            if value is not None}


def _generations_made(cache, keys: list[str], found: dict) -> None:
    """Make each generation of ``keys`` missing from ``found`` (and add it there)."""
    missing = {key: _token() for key in keys if key not in found}
    if missing:
        # In one write (a member's first look at home makes one per community). Made before
        # the value is computed, so whatever is filed under a token was computed after it was
        # made: a reader's token may replace a bump's, or another reader's, but never brings
        # back a value computed before a write.
        cache.set_many(missing, GENERATION_TIMEOUT)
        found.update(missing)


def cached(
    name: str,
    scopes: Iterable[Scope] | Callable[[], Iterable[Scope]],
    compute: Callable[[], T],
    *,
    key: tuple = (),
    timeout: int = DEFAULT_TIMEOUT,
    refresh: bool = False,
    ahead: bool = False,
) -> T:
    """``compute()``'s value, kept under ``name`` and ``key`` until one of ``scopes`` is
    bumped. ``compute`` must return plain data (no model instances, no querysets).

    ``scopes`` may be a function, for scopes that cost a read to know (each community of a
    member): without a cache it is never called. ``refresh`` computes and keeps the value
    whatever is kept (for a reader that found the kept value out of date); ``ahead`` does
    too, for a builder (``builds_ahead``), counted as built rather than as a page's lookup.
    """
    if not in_use():
        return compute()
    cache = _cache()
    generation_keys = [
        _generation_key(scope) for scope in (scopes() if callable(scopes) else scopes)
    ]
    value_key = _value_key(name, key)
    # The generations and the value in one round trip; the value holds the digest of the
    # generations it was computed under, and counts only while they are the current ones.
    found = _read(cache, [*generation_keys, value_key])
    _generations_made(cache, generation_keys, found)
    _record(generation_keys, found)
    digest = _digest_of(generation_keys, found)
    kept = found.get(value_key)
    if not (refresh or ahead) and isinstance(kept, tuple) and len(kept) == 2 and kept[0] == digest:
        _count(cache, name, HIT)
        return kept[1]
    _count(cache, name, BUILT if ahead else MISS)
    value = compute()
    # A slower reader may overwrite it with a value of older generations: the next reader
    # finds the digest out of date and computes again.
    cache.set(value_key, (digest, value), timeout)
    return value


def _value_key(name: str, key: tuple) -> str:
    return ":".join(["part", name, *(str(part) for part in key)])


# --- rendered parts: HTML kept under every generation it was built from (issue 16, item 2) --
# A page part kept as HTML (home's content, in ``{% part %}``, sns/templatetags/parts.py) is
# built from many reads: cached lists (``cached`` above), rows (an entry, an off-kai, a
# member's name), counts. While it is built, every generation read on the way is recorded:
# those of the ``cached`` parts it reads, and those it declares with ``depends_on`` for what
# it reads from PostgreSQL (declared *before* the read, so that a write committed after the
# read bumps a generation recorded with its older token). The HTML is kept with the list of
# those generations and a digest of their tokens; a reader reads the HTML and the list (one
# round trip), then the generations (a second): one bumped since, or evicted, and the part
# is built again, its inner ``cached`` parts mostly found. What a part shows that no write
# ends (a window of thirty days, an off-kai that ends) is bounded by its timeout.
# Parts nest: an inner part's generations are recorded by the outer one as well, hit or built.

class _Recorder:
    """What a part being built read: the generations' tokens, and until when it holds."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.until: datetime | None = None


_recording: ContextVar[tuple[_Recorder, ...]] = ContextVar("parts_recording", default=())


def _record(keys: Iterable[str], found: dict, until: datetime | None = None) -> None:
    """Record the tokens of ``keys`` in ``found`` for the parts being built. The first token
    seen of a key is the one kept: a part that read a row under it must be built again once
    it changes, even if a later read of the same part saw the newer one."""
    for recorder in _recording.get():
        for key in keys:
            recorder.tokens.setdefault(key, found[key])
        if until is not None and (recorder.until is None or until < recorder.until):
            recorder.until = until


def recording() -> bool:
    """Whether a part is being built (its holes are filled by the outermost part)."""
    return bool(_recording.get())


def builders() -> tuple:
    """The parts being built now, for a value read once per part being built: one read
    while another part was built declared its scopes there, not in this one."""
    return _recording.get()


@contextmanager
def apart():
    """A part looked up or built in the block is kept apart from the parts being built
    around it: they record none of its generations (a detached part, sns/templatetags/sns.py:
    they keep a marker in its place, filled on each request)."""
    token = _recording.set(())
    try:
        yield
    finally:
        _recording.reset(token)


def holds_until(moment: datetime) -> None:
    """The parts being built show something that ends at ``moment`` without a write (an
    off-kai over): they are built again from then on."""
    _record((), {}, until=moment)


def depends_on(*scopes: Scope) -> None:
    """Record ``scopes`` for the parts being built (nothing outside one): call it before
    reading what they stand for."""
    if not scopes or not _recording.get() or not in_use():
        return
    cache = _cache()
    keys = [_generation_key(scope) for scope in scopes]
    found = _read(cache, keys)
    _generations_made(cache, keys, found)
    _record(keys, found)


def _digest_of(keys: list[str], tokens: dict) -> str:
    """The digest of the generations ``keys`` as ``tokens`` holds them: a kept value (a part,
    a page's HTML) counts while the current tokens give the digest it was kept with."""
    return hashlib.blake2b(
        "|".join(f"{key}={tokens[key]}" for key in keys).encode(), digest_size=12
    ).hexdigest()


def rendered(name: str, build: Callable[[], str], *, key: tuple = (),
             timeout: int = DEFAULT_TIMEOUT) -> str:
    """``build()``'s HTML, kept under ``name`` and ``key`` until a generation it read while
    it was built is bumped, ``timeout`` seconds pass, or a moment it ``holds_until``."""
    if not in_use():
        return build()
    cache = _cache()
    value_key = _value_key(name, key)
    kept = cache.get(value_key)
    if isinstance(kept, tuple) and len(kept) == 4:
        keys, digest, until, html = kept
        found = _read(cache, keys) if keys else {}
        if (
            len(found) == len(keys) and _digest_of(keys, found) == digest
            and (until is None or timezone.now() < until)
        ):
            _record(keys, found, until)
            _count(cache, name, HIT)
            return html
    _count(cache, name, MISS)
    recorder = _Recorder()
    token = _recording.set((*_recording.get(), recorder))
    try:
        html = build()
    finally:
        _recording.reset(token)
    keys = sorted(recorder.tokens)
    # An outer part being built holds no longer than this one.
    _record((), {}, until=recorder.until)
    cache.set(value_key, (keys, _digest_of(keys, recorder.tokens), recorder.until, html),
              timeout)
    return html


def first_in(name: str, key: tuple, seconds: int) -> bool:
    """Whether this is the first call with ``name`` and ``key`` in ``seconds`` (one ``SET NX``
    round trip): for a write a page would repeat on every visit. True without Redis, or when
    Redis cannot be reached (the write is then made)."""
    if not in_use():
        return True
    try:
        return bool(_cache().add(_value_key(name, key), 1, seconds))
    except RedisError:
        return True


# --- holes: what kept parts show of a row that changes often, kept once for all (issue 16) ---
# An entry's count of comments or an off-kai's places left change with every comment or
# answer; a part that showed them would be stale for every viewer at once (every home with
# that entry or off-kai on it), to be built again whole for each. A part shows them through a
# hole instead ({% hole "comments" entry.pk n=… %}): built, it keeps a marker in their place;
# served, its markers are filled (``fill``) with values kept once per row under their own
# scopes (``comments(e)``, ``answers(e)``), read for all the holes of a page in one round trip
# and computed in one query for those that changed. A hole outside a part, or without the
# cache, shows the value it was given.

_HOLES: dict[str, tuple[Callable, Callable, str]] = {}
_HOLE = re.compile(r"<!--hole:([a-z-]+):(\d+)-->")


def holes(name: str, *, scopes: Callable[[int], list[Scope]],
          compute: Callable[[list[int]], dict[int, dict]], template: str) -> None:
    """Define the hole ``name``: for a row's id, its value (a dict: the context of
    ``template``) is kept under ``scopes(id)``; ``compute(ids)`` gives those of many rows at
    once (a row it leaves out shows nothing)."""
    _HOLES[name] = (scopes, compute, template)


def hole(name: str, pk: int, given: dict) -> str:
    """What a hole shows where it stands: a marker in a part being built, else ``given``."""
    if _recording.get() and in_use():
        return f"<!--hole:{name}:{int(pk)}-->"
    return _hole_html(name, given)


# What a hole shows for a value, per language, once per process: its values are few (counts).
_HOLE_HTML: dict[tuple, str] = {}
_HOLE_HTML_MAX = 20_000


def _hole_html(name: str, value: dict) -> str:
    key = (name, get_language(), *sorted(value.items()))
    html = _HOLE_HTML.get(key)
    if html is None:
        html = get_template(_HOLES[name][2]).render(value).strip()
        if len(_HOLE_HTML) >= _HOLE_HTML_MAX:
            _HOLE_HTML.clear()
        if not settings.DEBUG:  # in development a template edited shows at once
            _HOLE_HTML[key] = html
    return html


def fill(html: str) -> str:
    """``html`` with each hole's marker replaced by what the hole shows now."""
    wanted = {(name, int(pk)) for name, pk in _HOLE.findall(html)}
    if not wanted:
        return html
    values = _hole_values(sorted(wanted))
    shown = {hole: _hole_html(hole[0], values[hole]) if hole in values else ""
             for hole in wanted}
    return _HOLE.sub(lambda m: shown[(m[1], int(m[2]))], html)


def _hole_values(holes: list[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    """Each hole's value, kept or computed (those not current, in one call a name), the kept
    ones and their generations read in one round trip."""
    by_name: dict[str, list[int]] = {}
    for name, pk in holes:
        by_name.setdefault(name, []).append(pk)
    if not in_use():
        return {(name, pk): value for name, ids in by_name.items()
                for pk, value in _HOLES[name][1](ids).items()}
    cache = _cache()
    generation_keys = {(name, pk): [_generation_key(scope) for scope in _HOLES[name][0](pk)]
                       for name, pk in holes}
    value_keys = {(name, pk): _value_key("hole-" + name, (pk,)) for name, pk in holes}
    every_generation = sorted({key for keys in generation_keys.values() for key in keys})
    found = _read(cache, [*every_generation, *value_keys.values()])
    _generations_made(cache, every_generation, found)
    values: dict[tuple[str, int], dict] = {}
    digests = {}
    for hole in holes:
        digests[hole] = _digest_of(generation_keys[hole], found)
        kept = found.get(value_keys[hole])
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == digests[hole]:
            values[hole] = kept[1]
    for name, ids in by_name.items():
        missing = [pk for pk in ids if (name, pk) not in values]
        _count(cache, "hole-" + name, HIT, len(ids) - len(missing))
        if not missing:
            continue
        _count(cache, "hole-" + name, MISS, len(missing))
        # Computed after the generations were read: a write committed meanwhile bumped one
        # of them, and the next reader computes again.
        computed = {(name, pk): value for pk, value in _HOLES[name][1](missing).items()}
        cache.set_many({value_keys[hole]: (digests[hole], value)
                        for hole, value in computed.items()}, DEFAULT_TIMEOUT)
        values.update(computed)
    return values


# --- values every reader shares and no write can bump (issue 16) -------------------------------
# What a search finds grows with writes anywhere (any new entry with the word in it): no
# service can know which searches it adds to. Such a value is kept for every reader and
# checked again at most every few seconds, by one reader (``recheck``: one SET NX each, in one
# round trip); when it comes out different, it is kept and its scope bumped, so the parts
# built from it are built again. What a write adds shows that late at most; what a write
# takes away is for the scopes the parts declare for what they show.


def shared_scope(name: str, key: tuple) -> Scope:
    return ("shared", name, *key)


def recheck(name: str, computes: dict[tuple, Callable[[], T]], every: int) -> None:
    """For each key of ``computes`` that nobody checked in the last ``every`` seconds, compute
    its value again and, if it differs from the one kept (or none is), keep it and bump its
    scope. The keys are claimed in one pipelined round trip of SET NX (a flushed Redis claims
    them all again)."""
    if not computes or not in_use():
        return
    cache = _cache()
    keys = list(computes)
    raw = getattr(cache, "_cache", None)
    if hasattr(raw, "get_client"):
        with raw.get_client(write=True).pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(cache.make_key(_value_key(f"{name}-checked", key)), 1, nx=True, ex=every)
            claimed = [key for key, won in zip(keys, pipe.execute(), strict=True) if won]
    else:
        claimed = [key for key in keys if cache.add(_value_key(f"{name}-checked", key), 1, every)]
    for key in claimed:
        value = computes[key]()
        value_key = _value_key(name, key)
        if cache.get(value_key, _MISSING) != value:
            cache.set(value_key, value, DEFAULT_TIMEOUT)
            _bump_now(shared_scope(name, key))


def shared(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """The value kept for every reader under ``name`` and ``key`` (computed and kept when
    none is), its scope recorded for the parts being built: they are built again when
    ``recheck`` finds it changed."""
    if not in_use():
        return compute()
    depends_on(shared_scope(name, key))
    cache = _cache()
    value_key = _value_key(name, key)
    value = cache.get(value_key, _MISSING)
    if value is _MISSING:
        # Evicted or never kept: parts built from a value kept before may still stand under
        # the current generation, so the new one is kept with a bump, as ``recheck`` does.
        value = compute()
        cache.set(value_key, value, DEFAULT_TIMEOUT)
        _bump_now(shared_scope(name, key))
    return value


def _bump_now(scope: Scope) -> None:
    # Not once a transaction commits, as ``bump``: what changed was read, not written here.
    _set_generations([_generation_key(scope)])


# --- parts built ahead (issue 16, item 4) ------------------------------------------------------
# A write that adds to many members' pages bumps their scopes (a new entry: each friend's
# ``feed``, in a task); the next page of each would then compute its part while the member
# waits. Instead they are built again at once: a feature registers, for a kind of scope, what
# to build for the members whose scopes of that kind were bumped (``builds_ahead``), and the
# writer calls ``build_ahead`` after its bump: in its task (a new entry), in a task of its
# own (``sns.tasks.build_parts_ahead``: a comment's participants), or once its request's
# transaction commits where it is one member's part (an answer to an off-kai). A builder
# builds only the parts that were kept (``kept``): their members read that page lately,
# where a member with 20,000 friends has mostly friends who will not look today. Built after
# the bump, under the new generations, so what is kept was computed after the write.

_AHEAD: dict[str, list[Callable[[list[int]], None]]] = {}


def builds_ahead(kind: str, build: Callable[[list[int]], None]) -> None:
    """``build(member_ids)`` runs when ``build_ahead`` is given scopes ``(kind, member_id)``
    of those members."""
    _AHEAD.setdefault(kind, []).append(build)


def build_ahead(*scopes: Scope) -> None:
    """Run the builders registered for the kinds of ``scopes`` (after ``bump(*scopes)``),
    once the transaction commits (at once outside one), as the bump does."""
    if not in_use():
        return
    by_kind: dict[str, list[int]] = {}
    for kind, member_id in scopes:
        by_kind.setdefault(kind, []).append(member_id)
    builds = [(build, ids) for kind, ids in by_kind.items() for build in _AHEAD.get(kind, ())]
    for build, member_ids in builds:
        transaction.on_commit(lambda b=build, ids=member_ids: b(ids), robust=True)
    if builds:
        # A task worker looks up few parts: its counts would wait long for STATS_EVERY.
        transaction.on_commit(stats_flush, robust=True)


def kept(name: str, keys: list[tuple]) -> list[bool]:
    """Whether a value of part ``name`` is kept under each of ``keys`` (current or not): in
    one pipelined round trip."""
    if not keys or not in_use():
        return [False] * len(keys)
    cache = _cache()
    raw = getattr(cache, "_cache", None)
    if not hasattr(raw, "get_client"):
        return [cache.has_key(_value_key(name, key)) for key in keys]
    with raw.get_client().pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.exists(cache.make_key(_value_key(name, key)))
        return [bool(n) for n in pipe.execute()]


# --- how often a part was found ---------------------------------------------------------------
# Each process counts its lookups by part and adds them to a hash in Redis every
# STATS_EVERY lookups (one pipelined write, nothing on the others), for
# ``manage.py cached_parts_stats`` and the load benchmark.

HIT, MISS, BUILT = "hit", "miss", "built"
STATS_KEY = "stats"
STATS_EVERY = 200
_counts: dict[str, int] = {}


def _count(cache, name: str, outcome: str, n: int = 1) -> None:
    if not n:
        return
    field = f"{name}:{outcome}"
    _counts[field] = _counts.get(field, 0) + n
    if sum(_counts.values()) >= STATS_EVERY:
        stats_flush(cache)


def stats_flush(cache=None) -> None:
    """Add this process's counts to Redis now (they are added every STATS_EVERY lookups)."""
    counts = dict(_counts)
    _counts.clear()
    if not counts or not in_use():
        return
    cache = cache or _cache()
    try:
        client = cache._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipe:
            for field, n in counts.items():
                pipe.hincrby(cache.make_key(STATS_KEY), field, n)
            pipe.execute()
    except RedisError:
        pass  # counts are worth less than the page being served


def stats() -> dict[str, dict[str, int]]:
    """{part: {"hit": n, "miss": n, "built": n}} as added to Redis so far, by every process
    (built: ahead, by a write's task)."""
    if not in_use():
        return {}
    cache = _cache()
    raw = cache._cache.get_client().hgetall(cache.make_key(STATS_KEY))
    found: dict[str, dict[str, int]] = {}
    for field, n in raw.items():
        name, _, outcome = field.decode().rpartition(":")
        found.setdefault(name, {HIT: 0, MISS: 0, BUILT: 0})[outcome] = int(n)
    return found


def stats_reset() -> None:
    _counts.clear()
    if in_use():
        cache = _cache()
        cache._cache.get_client(write=True).delete(cache.make_key(STATS_KEY))


def forget_all() -> int:
    """Delete every generation and every value kept here, and nothing else of the Redis
    database (sessions, login limits and the default cache may share it); return how many
    keys went. For when the database was restored from a backup or made anew: its ids are
    reused, and a part filed under a generation that no write of the new data ever bumped
    would be shown again. (``manage.py forget_cached_parts``.)"""
    if not in_use():
        return 0
    cache = _cache()
    client = cache._cache.get_client(write=True)
    gone = 0
    for pattern in ("gen:*", "part:*"):
        keys = list(client.scan_iter(match=cache.make_key(pattern), count=1000))
        for start in range(0, len(keys), 1000):
            gone += client.delete(*keys[start:start + 1000])
    return gone
