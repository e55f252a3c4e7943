"""Parts of pages kept in the shared cache, and how a write makes them stale.

The cache is the ``"parts"`` alias (sns/settings.py): the Redis of ``CACHE_URL``, else
Django's DummyCache, and then ``cached`` simply computes and ``bump`` does nothing (the tests
run that way, so every page is also tested on its cold path). Only plain data is kept (ints,
datetimes, tuples of ids): the page reads the few rows it shows by id, so a profile edit or a
renamed topic never needs an invalidation.

The package: ``store`` (generations, keys, bump), ``scopes``, ``parts`` (``cached``,
``rendered`` and what a part being built records), ``holes``, ``shared``, ``ahead`` (parts
built ahead) and ``stats``; everyone imports ``from sns import cache`` and reads
``cache.<name>``.

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
accounts.selectors.                                           (150 + 20 spare) and the
circle                                                        friendships among them
m's communities,        ("memberships", m)                    their ids
communities.selectors
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
home's content as       every generation read while it was    the HTML (``rendered``),
HTML, sns/home.html     built: the parts above it read, and   with the list of those
({% part %})            what sns.home declares (the member,   generations and a digest of
                        requests, footprints, invites,        their tokens; key (m,
                        friends, blocks, memberships, people, language, time zone); ten
                        announcements, each community of m,   minutes at most, and until the
                        each off-kai shown, each member       first off-kai shown ends, and
                        named, each friend whose birthday     until midnight, site time (the
                        it shows); friends' diaries and new   week of friends' birthdays
                        comments apart (below)                moves on)
home's friends' diaries those of the friends' newest entries  the HTML (detached parts:
and new comments, each  and of the entries with new comments  home keeps a marker, filled
kept apart (detached)   (above), each entry shown, its        on each request); key (m,
                        author; seen for new comments         language, time zone)
friends' diaries as     feed, friends, blocks, people, each   the HTML; key (m, cursor,
HTML, diary.selectors   entry shown and its author            language, time zone)
an entry's page as      ("entry", e) ("comments", e)          the HTML; key (e, m, comments'
HTML, diary.views.      ("diary", author) and m's friends,    cursor, language, time zone);
entries                 blocks, people; each member named     entry-head: (title, author) or
                                                              None, whether m may open it
a topic's page as       ("community", c) and m's              the HTML; key (t, m, …);
HTML, communities.      memberships, blocks, people; each     topic-head: (title, may
views                   member named                          comment) or None
a conversation's page   ("conversation", c), m's blocks,      the HTML; key (c, m, cursor,
as HTML, conversa-      people; each member named             language, time zone); m's
tions.views                                                   marks outside
m's inbox as HTML,      ("inbox", m) m's blocks, people;      the HTML; key (m, archived,
conversations.views     each conversation and member shown    cursor, language, time zone)
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
sns.search.selectors    them changed                          decides who may see each);
                                                              checked again at most every
                                                              ten seconds (``recheck``)
search results as       m's friends, blocks, memberships,     the HTML; key (m, digest of
HTML, sns.search.views  off-kai, people; what the search      the words, kind, page); ten
                        finds of each kind shown; each        minutes at most, and until the
                        entry, community, off-kai and member  first upcoming off-kai ends
                        shown
holes in kept pages:    ("comments", e) ("people",); an       {"n": count}; {"taken": n,
an entry's count of     off-kai's ("event", e) ("answers",    "left": n or None}; filled in
comments, an off-kai's  e) ("people",)                        the kept HTML on each request
places (diary.selectors,                                      (``holes``, holes.py)
offkai.selectors)
======================  ====================================  ==============================

Also kept: home's friends' new albums, a part kept apart like friends' diaries (its scopes
m's ``friends_albums``, friends, blocks, people, each album shown and its owner), and a
profile's albums section, inside the profile's HTML (p's ``albums`` and each album shown).

The circle is the same for every viewer: each request leaves out the friends the viewer
stands in a block with, so a block touches only the two members' own scopes.

**Who bumps**, each in the service that writes, beside the write:

* ``("member", m)``: ``User.save`` and ``User.delete`` (every write of the row through the
  model: the admin, allauth, moderation, leaving), and the bulk updates of sns.policy
  (accepting the rules, the quota refill).
* ``("inbox", m)``: sns.notifications (``notify``, ``notify_many``, ``withdraw``, the read
  marks: the only writers of notifications); accounts.services (a friend request to m sent,
  accepted, declined, cancelled, or answered by m asking back); conversations.services (a
  message m sent, m's read marks, archiving and leaving: messages to m bump it by ``notify``).
* ``("requests", m)``: accounts.services, a friend request m received or sent made,
  accepted, declined or withdrawn (after ``inbox``, with it).
* ``("friends", m)``: ``accounts.services.friendship_changed``, called where a friendship is
  made (``friendship_create``) or ended (``friendship_end``, ``accounts.services.blocks``), for
  both members and every friend of both (the line between the two is in their circles).
* ``("blocks", m)``: accounts.services.blocks, both members, on block and unblock.
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
  deleted), offkai.services.attendance (who came recorded), sns.moderation.content (e or a
  comment on it hidden or shown again).
* ``("conversation", c)``: conversations.services (a message sent, a member leaving it, a
  member's messages deleted as they leave the site), sns.moderation.content (a message
  hidden or shown again).
* ``("answers", e)``: offkai.services, an answer to e made or taken back (by its member,
  their suspension or leaving), with ``("offkai", m)`` of that member and of those it moved
  off the waitlist (their cards show their answer).
* ``("album", a)``: albums.services (a made, edited, deleted, given photos, its photos'
  captions, order, cover or comments changed), sns.moderation.content (a, a photo of it or
  a comment on one hidden or shown again).
* ``("albums", m)``: albums.services, with ``album``, for m's albums (a profile lists them).
* ``("friends_albums", m)``: albums.services, for each friend of the owner of an album given
  photos or no longer private (in the task ``albums.tasks.tell_friends``, after commit:
  fan-out); what removes is each album's ``album``, which home's section depends on.
* ``("introductions", m)``: accounts.services, an introduction of m written, rewritten or
  deleted (one between two former friends goes with the friendship, which bumps ``friends``).
* ``("footprints", m)``: accounts.services.footprints, a first visit of the day to m's page.
* ``("invites", m)``: invites.services (an invitation of m's sent, resent, revoked or
  accepted).
* ``("seen", m)``: diary.services and communities.services, m reads new comments or what is
  new in their communities.
* ``("announcements",)``: sns.notifications.announcements, an announcement sent.
* ``("community", c)`` also: c renamed or closed, a join request made or decided, an admin's
  role handed over (its join requests are counted on its admins' home), a topic edited.
* ``("member", m)`` also: accounts.services.profile_update (m's name, photo and birthday).
* ``("people",)``: a member suspended or reinstated (sns.moderation.members), refused
  (sns.policy) or gone (sns.leaving), and any edit or deletion in the admin of members,
  friendships, friend requests, blocks or notifications (sns.admin_kit.StalesCachedParts):
  the member's rows leave, or come back into, other members' counts, circles, inboxes and
  communities; finding all of those would cost more than computing every part once again,
  and it happens rarely. Also any edit or deletion of members' content in the admin
  (``ReadOnlyAdmin``: entries, comments, topics, off-kai, …), of communities, invitations,
  footprints or announcements, and a change of the site policy (names, quotas).

**Built ahead**: after the bumps of ``feed`` (a friend's new entry), ``commented`` (a new
comment) and ``offkai`` (an answer), a task builds home's kept lists again for the members
who keep one (``builds_ahead``, ahead.py), so that their next home finds them.

Not cached: home's counts (sns.home: one query that also reads the member's profile and
marks; footprints and invitations count within a window of time, which no write ends) and a
profile's friend count (about 1 ms at 5,600 friends, counted without reading the members;
its per-viewer blocks would need one query of their own).
"""

from .ahead import build_ahead, builds_ahead, kept
from .holes import fill, hole, holes
from .parts import apart, builders, cached, depends_on, holds_until, recording, rendered
from .scopes import (
    ANNOUNCEMENTS,
    EVENTS,
    PEOPLE,
    album,
    albums,
    answers,
    blocks,
    commented,
    comments,
    community,
    conversation,
    diary,
    entry,
    event,
    feed,
    footprints,
    friends,
    friends_albums,
    inbox,
    introductions,
    invites,
    likes,
    member,
    memberships,
    offkai,
    requests,
    seen,
)
from .shared import recheck, shared, shared_scope
from .stats import BUILT, HIT, MISS, STATS_EVERY, STATS_KEY, stats, stats_flush, stats_reset
from .store import (
    ALIAS,
    DEFAULT_TIMEOUT,
    Scope,
    bump,
    first_in,
    forget_all,
    generation_key,
    in_use,
    part_key,
)

__all__ = [
    "ALIAS",
    "ANNOUNCEMENTS",
    "BUILT",
    "DEFAULT_TIMEOUT",
    "EVENTS",
    "HIT",
    "MISS",
    "PEOPLE",
    "STATS_EVERY",
    "STATS_KEY",
    "Scope",
    "album",
    "albums",
    "answers",
    "apart",
    "blocks",
    "build_ahead",
    "builders",
    "builds_ahead",
    "bump",
    "cached",
    "commented",
    "comments",
    "community",
    "conversation",
    "depends_on",
    "diary",
    "entry",
    "event",
    "feed",
    "fill",
    "first_in",
    "footprints",
    "forget_all",
    "friends",
    "friends_albums",
    "generation_key",
    "holds_until",
    "hole",
    "holes",
    "in_use",
    "inbox",
    "introductions",
    "invites",
    "kept",
    "likes",
    "member",
    "memberships",
    "offkai",
    "part_key",
    "recheck",
    "recording",
    "rendered",
    "requests",
    "seen",
    "shared",
    "shared_scope",
    "stats",
    "stats_flush",
    "stats_reset",
]
