"""Home (新着): what is new for a member, each part a short list with a link to its page,
read through the owning app's public reads (feeds, selectors, visible_to), so that home
shows nothing the full pages would not; the counts come in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Subquery
from django.utils import timezone

from accounts.models import Footprint, Friendship, User
from accounts.selectors.footprints import FOOTPRINT_DAYS
from accounts.selectors.graph import friends_of
from albums import selectors as albums_selectors
from communities import selectors as communities_selectors
from communities.models import CommunityPreference, JoinRequest, Membership, Role
from diary import selectors as diary_selectors
from diary.models import DiaryPreference
from invites.models import Invitation
from invites.selectors import invitations_left, invite_refusal
from offkai import selectors as offkai_selectors
from sns import cache
from sns.context_processors import read_counts
from sns.home.albums import AlbumsSection
from sns.notifications.selectors import announcements_visible_to
from sns.paging import row_count
from sns.prepared import Prepared
from sns.visibility import Relation, without_hidden_people

from .birthdays import birthdays_query, friends_birthdays, this_week

SHORT = 5
# A kept list of ids (below) holds this many more than home shows, for those that go.
SPARE = 4
FRIENDS_SHOWN = 9
# "Invitations accepted" looks this far back.
ACCEPTED_WITHIN = timedelta(days=30)

_NOT_READ = object()


class Sections(AlbumsSection):
    """Home's sections that change more often than the rest, kept apart from it (detached
    parts of sns/home.html): each read on first use, when its part is built, or by is_empty."""

    def __init__(self, member) -> None:
        self.member = member
        self._read: dict[tuple, object] = {}
        self.comments_seen_at: datetime | object | None = _NOT_READ  # as the counts read it

    def _once(self, name: str, read):
        # Once for each part being built: its declarations go to the part that reads it.
        key = (name, cache.builders())
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]

    @property
    def diaries(self) -> list:
        """My friends' newest entries that I may see."""
        return self._once("diaries", lambda: _friends_diaries(self.member))[0]

    @property
    def diaries_more(self) -> bool:
        """Whether they have more than home shows."""
        return self._once("diaries", lambda: _friends_diaries(self.member))[1]

    @property
    def commented(self) -> list:
        """The entries I wrote or commented on with comments I have not read."""
        return self._once("commented", self._commented)

    def _commented(self) -> list:
        member = self.member
        # Which entries the member may see: their friends (and friends' friends), blocks,
        # members' standing.
        cache.depends_on(cache.friends(member), cache.blocks(member), cache.PEOPLE)

        def seen_at():
            return (DiaryPreference.objects.filter(user=member)
                    .values_list("comments_seen_at", flat=True).first())

        if cache.in_use():
            # Built apart from home's counts, under a generation of its own.
            seen = cache.cached("comments-seen", [cache.seen(member)], seen_at, key=(member.pk,))
        else:
            seen = seen_at() if self.comments_seen_at is _NOT_READ else self.comments_seen_at
        since = _comments_since(seen)
        active = _commented_ids(member, since)
        cache.depends_on(*(cache.entry(pk) for pk in active),
                         *(cache.comments(pk) for pk in active))
        return _COMMENTED(viewer=member, since=since, active=active) if active else []


@dataclass
class Home:
    member: User | None = None
    sections: Sections | None = None
    friend_requests: int = 0
    announcements: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    events: list = field(default_factory=list)
    join_requests: int = 0
    accepted: list = field(default_factory=list)
    footprints: int = 0
    friends: int = 0
    invitations_used: int = 0
    friend_cards: list = field(default_factory=list)
    # Why the member may not invite at all (None: they may), else how many more (None: any).
    invite_refusal: str | None = None
    invites_left: int | None = None
    birthdays: list = field(default_factory=list)  # friends' of this week (birthdays.py)

    @property
    def is_empty(self) -> bool:
        """Nothing at all to show: a new member, who is told what to do instead. The
        sections kept apart are read last, only when the rest is empty (a part that reads
        them is built again when they change)."""
        return not (
            self.announcements or self.topics or self.events or self.join_requests
            or self.accepted or self.footprints or self.birthdays
            or self.sections.diaries or self.sections.commented or self.sections.albums
        )


def _counts_query(member, now, recent, birthday_keys):
    """The member's row with home's counts (``_counts``), from ``recent`` for footprints and
    as of ``now`` for invitations: the shape of a prepared query (sns/prepared.py)."""
    moderated = Membership.objects.filter(
        user=member, role__in=[Role.ADMIN, Role.SUBADMIN]
    ).values("community")
    names = dict(
        n_join_requests=row_count(without_hidden_people(
            JoinRequest.objects.filter(community__in=moderated), "user_id", member
        )),
        n_footprints=row_count(without_hidden_people(
            Footprint.objects.filter(owner=member, visited_at__gte=recent), "visitor_id", member
        )),
        n_friends=row_count(without_hidden_people(
            Friendship.objects.filter(user=member), "friend_id", member
        )),
        n_invitations_used=row_count(
            Invitation.objects.filter(inviter=member).counting_against_quota(now)
        ),
        n_comments_seen_at=Subquery(
            DiaryPreference.objects.filter(user=member).values("comments_seen_at")[:1]
        ),
        n_topics_seen_at=Subquery(
            CommunityPreference.objects.filter(user=member).values("topics_seen_at")[:1]
        ),
        n_birthdays=birthdays_query(member, birthday_keys),
        # Friends' new albums, as JSON rows: home has no query to spare for them.
        n_friends_albums=albums_selectors.friends_albums_rows(member),
    )
    # The member's own profile rides along (home shows their photo and name).
    return User.objects.select_related("profile").annotate(**names).filter(pk=member.pk)


COUNTS = ("join_requests", "footprints", "friends", "invitations_used", "comments_seen_at",
          "topics_seen_at", "birthdays", "friends_albums")


# Home's queries, each compiled once per process (sns/prepared.py).
_COUNTS = Prepared(_counts_query, member=User, now=datetime, recent=datetime, birthday_keys=list)
_FRIENDS = Prepared(lambda member: friends_of(member)[:FRIENDS_SHOWN], member=User)
_ANNOUNCEMENTS = Prepared(
    lambda member: announcements_visible_to(member).select_related("community")[:3],
    member=User,
)
_DIARIES = Prepared(diary_selectors.entries_by_ids, ids=list)
_COMMENTED = Prepared(
    lambda viewer, since, active: diary_selectors.new_comments_on(viewer, since, active)[:SHORT],
    viewer=User, since=datetime, active=list,
)


def _home_events(viewer, now):
    """Those I host or answered, my friends' and my communities': not every event I may
    see."""
    return offkai_selectors.upcoming(viewer, now).filter(group__lt=offkai_selectors.OTHERS)


# The first cards with the spare ones (a miss: their ids are kept), and the kept ones again.
_EVENTS = Prepared(
    lambda viewer, now: _home_events(viewer, now)[:SHORT + SPARE], viewer=User, now=datetime,
)
_EVENTS_BY_IDS = Prepared(
    lambda viewer, now, ids: _home_events(viewer, now).filter(pk__any=ids)[:SHORT],
    viewer=User, now=datetime, ids=list,
)
_ACCEPTED = Prepared(
    lambda member, since: Invitation.objects.filter(
        inviter=member, accepted_at__gte=since, accepted_user__is_active=True,
    ).select_related("accepted_user__profile").order_by("-accepted_at")[:SHORT],
    member=User, since=datetime,
)


def _counts(member) -> dict:
    """In one query: join requests to decide, footprints of the window, friends, the
    invitations using the quota, and where the member left off reading new comments and new
    topics; and the member's profile. (Waiting friend requests come with the header's
    counts.)"""
    now = timezone.now()
    [row] = _COUNTS(member=member, now=now, recent=now - timedelta(days=FOOTPRINT_DAYS),
                    birthday_keys=this_week(now))
    member.profile = row.profile
    return {name: getattr(row, "n_" + name) for name in COUNTS}


def home_for(member, sections: Sections | None = None) -> Home:
    """Everything home shows to ``member``, a few of each (``sections``: those kept apart,
    read when shown).

    Home's content is kept as HTML (``{% part %}`` in sns/home.html, sns.cache.rendered):
    what it reads is declared (``cache.depends_on``) before it is read, and the ``cached``
    lists it reads are recorded by themselves, so that a write that changes what home shows
    bumps a generation the kept HTML was built under."""
    cache.depends_on(
        cache.member(member), cache.seen(member), cache.footprints(member),
        cache.invites(member), cache.friends(member), cache.blocks(member),
        cache.memberships(member), cache.PEOPLE, cache.ANNOUNCEMENTS,
        # The join requests to decide (counted below) are those of my communities.
        *(cache.community(pk) for pk in (
            communities_selectors.community_ids(member) if cache.in_use() else ()
        )),
    )
    counts = _counts(member)
    counts["birthdays"] = friends_birthdays(counts["birthdays"], now=timezone.now())
    topics_seen_at = counts.pop("topics_seen_at") or communities_selectors.first_look()
    sections = sections or Sections(member)
    sections.comments_seen_at = counts.pop("comments_seen_at")
    sections.albums_found = counts.pop("friends_albums")
    # Friend requests waiting, from the header's counts, which hold the unread
    # notifications too: home is built again when the requests change, not the notifications.
    cache.depends_on(cache.requests(member))
    with cache.apart():
        friend_requests = read_counts(member)["requests"]
    home = Home(member=member, sections=sections, friend_requests=friend_requests, **counts)
    # They are all my friends, so each shows me what their friends may see.
    friends = _FRIENDS(member=member)
    # Their names and photos: edited after the read, the next home is at most a part's
    # timeout late (sns/home.html); what they stop showing to friends is in that case too.
    cache.depends_on(*(cache.member(f) for f in friends))
    home.friend_cards = [(f, f.profile.shown_to(Relation.FRIEND)) for f in friends]
    home.announcements = _ANNOUNCEMENTS(member=member)
    home.topics = communities_selectors.new_topics_preview(member, topics_seen_at)
    now = timezone.now()
    home.events = _upcoming_events(member, now)
    home.accepted = _ACCEPTED(member=member, since=now - ACCEPTED_WITHIN)
    # A member who may not invite at all is told so, not offered what is left of a quota.
    home.invite_refusal = invite_refusal(member)
    if not home.invite_refusal:
        home.invites_left = invitations_left(member, used=home.invitations_used)
    cache.depends_on(*(cache.member(i.accepted_user_id) for i in home.accepted))
    return home


# --- the lists kept as ids (sns/cache/) ------------------------------------------------------
#
# Finding which entries and off-kai home shows costs most (a walk of every friend's newest
# entries, the entries a member wrote or commented on, every off-kai to come); reading the few
# it shows by id costs little. The ids are kept, the rows read again on each visit with the
# checks that make what was removed go at once: an entry or off-kai deleted, hidden, made
# private or over since drops out there, and a block, an unfriending or a suspension bumps
# the member's own scopes. What adds to the lists (a friend's new entry, a new comment on an
# entry I wrote or commented on, an off-kai made or answered) bumps the readers' ``feed``,
# ``commented``, ``events`` or ``offkai`` scopes (diary.services, fanned out once it commits;
# offkai.services), and the lists kept are built again at once (below).


def _diary_ids(member, refresh: bool = False, ahead: bool = False) -> list[int]:
    """The ids of my friends' newest entries (SHORT and one to tell there are more, and
    SPARE), kept."""
    return cache.cached(
        "home-diaries",
        [cache.feed(member), cache.friends(member), cache.blocks(member), cache.PEOPLE],
        lambda: [pk for pk, _at in
                 diary_selectors.friends_entry_ids(member, None, SHORT + 1 + SPARE)],
        key=(member.pk,), refresh=refresh, ahead=ahead,
    )


def _friends_diaries(member) -> tuple[list, bool]:
    """My friends' newest entries that I may see (SHORT of them), and whether there are
    more."""
    wanted = SHORT + 1

    def entries_of(found: list[int]) -> list:
        if not found:
            return []
        cache.depends_on(*(cache.entry(pk) for pk in found))
        entries = _DIARIES(ids=found)
        cache.depends_on(*(cache.member(e.author_id) for e in entries[:SHORT]))
        return entries

    found = _diary_ids(member)
    entries = entries_of(found)
    if len(entries) < min(len(found), wanted):
        # Entries of the kept list went (deleted, hidden, made private): found again.
        found = _diary_ids(member, refresh=True)
        entries = entries_of(found)
    return entries[:SHORT], len(entries) > SHORT


def _comments_since(seen_at: datetime | None) -> datetime:
    """Where "new comments" start: the member's last look, or ``diary_selectors.first_look()``."""
    return seen_at or diary_selectors.first_look()


def _commented_ids(member, since, ahead: bool = False) -> list[int]:
    """The candidates of home's "new comments" (``diary_selectors.active_entry_ids``), kept."""
    return cache.cached(
        "home-commented", [cache.commented(member), cache.blocks(member), cache.PEOPLE],
        lambda: diary_selectors.active_entry_ids(member, since), key=(member.pk, since.isoformat()),
        ahead=ahead,
    )


# --- built ahead (sns/cache/): by the task of the write that bumped them --------------------


def _build_diaries(member_ids: list[int]) -> None:
    """A friend's new entry: the lists of the friends who kept one, found again."""
    keys = [(pk,) for pk in member_ids]
    for pk, was_kept in zip(member_ids, cache.kept("home-diaries", keys), strict=True):
        if was_kept:
            _diary_ids(User(pk=pk), ahead=True)


def _build_commented(member_ids: list[int]) -> None:
    """A new comment: the candidates of each participant who kept them, found again."""
    seen = dict(
        DiaryPreference.objects.filter(user_id__in=member_ids)
        .values_list("user_id", "comments_seen_at")
    )
    since = {pk: _comments_since(seen.get(pk)) for pk in member_ids}
    keys = [(pk, since[pk].isoformat()) for pk in member_ids]
    for pk, was_kept in zip(member_ids, cache.kept("home-commented", keys), strict=True):
        if was_kept:
            _commented_ids(User(pk=pk), since[pk], ahead=True)


cache.builds_ahead("feed", _build_diaries)
cache.builds_ahead("commented", _build_commented)


def _event_ids(member, find, refresh: bool = False, ahead: bool = False) -> list[int]:
    return cache.cached(
        "home-events",
        [cache.EVENTS, cache.offkai(member), cache.friends(member), cache.memberships(member),
         cache.blocks(member), cache.PEOPLE],
        find, key=(member.pk,), refresh=refresh, ahead=ahead,
    )


def _upcoming_events(member, now) -> list:
    """Home's upcoming off-kai (SHORT of them): the ids kept, the cards read again. A miss
    reads the cards themselves, in the one query that finds them."""
    found_now: list = []

    def find() -> list[int]:
        found_now[:] = _EVENTS(viewer=member, now=now)
        return [event.pk for event in found_now]

    def read(found: list[int]) -> list:
        cache.depends_on(*(cache.event(pk) for pk in found))
        events = found_now[:SHORT] if found_now or not found else _EVENTS_BY_IDS(
            viewer=member, now=now, ids=found
        )
        cache.depends_on(*(cache.member(e.created_by_id) for e in events if e.created_by_id))
        if events:
            # The first to end leaves the list then, without a write.
            cache.holds_until(min(e.ends_at for e in events))
        return events

    found = _event_ids(member, find)
    events = read(found)
    if len(events) < min(len(found), SHORT):
        # Some ended, or went (deleted, hidden, narrowed): found again.
        events = read(_event_ids(member, find, refresh=True))
    return events


def _build_events(member_ids: list[int]) -> None:
    """An answer to an off-kai: the member's list, if kept, found again (their next home is
    likely soon, and would otherwise wait for it)."""
    keys = [(pk,) for pk in member_ids]
    now = timezone.now()
    for pk, was_kept in zip(member_ids, cache.kept("home-events", keys), strict=True):
        if was_kept:
            member = User(pk=pk)
            _event_ids(
                member, lambda m=member: [e.pk for e in _EVENTS(viewer=m, now=now)], ahead=True
            )


cache.builds_ahead("offkai", _build_events)
