"""Off-kai reads for the finding pages: upcoming (mine first, then friends', then my
communities', then the rest), past, one month, a community's events. Every event comes
through ``Event.objects.visible_to(viewer)``, and each list carries what its cards show
(places taken, the viewer's own answer) as annotations, so a page takes a fixed number of
queries however many events it lists."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Friendship
from communities.models import Membership
from sns import cache

from ..models import RSVP, Answer, Event, EventHost

EVENTS_PER_PAGE = 20
# A month is one query; past this many events it stops and says so.
MONTH_EVENTS_MAX = 500
# Shown on a community's page; the community's events page has them all.
ON_COMMUNITY_PAGE = 3
# Months the calendar reaches: far enough for anyone, near enough that no date overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200

# The groups of the upcoming list, in order.
MINE, FRIENDS, COMMUNITIES, OTHERS = 0, 1, 2, 3
GROUP_LABELS = {
    MINE: _("Yours"),
    FRIENDS: _("Your friends'"),
    COMMUNITIES: _("In your communities"),
    OTHERS: _("Other off-kai"),
}
# The answers that make an event "mine" (a "no" does not).
ANSWERED_YES = [Answer.ATTENDING, Answer.WAITLISTED, Answer.MAYBE]


def for_cards(events: QuerySet[Event], viewer) -> QuerySet[Event]:
    """What each event card shows, in the list's own query: ``places_taken`` (the members
    attending and their guests, suspended ones left out), the viewer's ``my_answer`` and
    ``my_attended`` (None without an answer) and ``i_host``; the creator's profile and the
    community."""
    mine = _mine(viewer)
    # Cards show no description (the event's or the community's): a page of them would read
    # 100 kB of text and search vectors for nothing.
    return events.select_related("created_by__profile", "community").defer(
        "description", "community__description", "community__search",
    ).annotate(
        places_taken=_places_taken(),
        my_answer=Subquery(mine.values("answer")[:1]),
        my_attended=Subquery(mine.values("attended")[:1]),
        i_host=Exists(EventHost.objects.filter(event=OuterRef("pk"), user=viewer)),
    )


def _places_taken():
    """The places the attending take at each event (``places_taken``), suspended members'
    answers left out."""
    taken = (
        RSVP.objects.attending().filter(event=OuterRef("pk"))
        .order_by().values("event").annotate(n=Sum(F("guests") + 1)).values("n")
    )
    return Coalesce(Subquery(taken, output_field=IntegerField()), 0)


def places(ids: list[int]) -> dict[int, dict]:
    """What the cards of off-kai ``ids`` say of their places (the hole ``places``, through
    which kept pages show them): ``taken``, and ``left`` (None: no limit)."""
    rows = Event.objects.filter(pk__in=ids).annotate(taken=_places_taken()).values_list(
        "pk", "capacity", "taken"
    )
    return {pk: {"taken": taken, "left": None if capacity is None else max(capacity - taken, 0)}
            for pk, capacity, taken in rows}


cache.holes(
    "places", scopes=lambda pk: [cache.event(pk), cache.answers(pk), cache.PEOPLE],
    compute=places, template="offkai/partials/places.html",
)


def _mine(viewer) -> QuerySet[RSVP]:
    return RSVP.objects.filter(event=OuterRef("pk"), user=viewer)


def upcoming(viewer, now: datetime | None = None) -> QuerySet[Event]:
    """Events that have not ended which ``viewer`` may see, each with its ``group``: those
    the viewer hosts or said yes/maybe to, then those created or hosted by a friend, then
    those of the viewer's communities, then the rest; by start time within each group.
    Cancelled ones stay, for the card to say so."""

    friends = Friendship.objects.filter(user=viewer).values("friend")
    answered = Exists(RSVP.objects.filter(
        event=OuterRef("pk"), user=viewer, answer__in=ANSWERED_YES
    ))
    hosting = Exists(EventHost.objects.filter(event=OuterRef("pk"), user=viewer))
    friend_hosts = Exists(EventHost.objects.filter(event=OuterRef("pk"), user__in=friends))
    mine = Membership.objects.filter(user=viewer).values("community")
    group = Case(
        When(hosting | answered, then=Value(MINE)),
        When(Q(created_by__in=friends) | friend_hosts, then=Value(FRIENDS)),
        When(community__in=mine, then=Value(COMMUNITIES)),
        default=Value(OTHERS), output_field=IntegerField(),
    )
    return (
        for_cards(Event.objects.visible_to(viewer).upcoming(now), viewer)
        .annotate(group=group).order_by("group", "starts_at", "pk")
    )


def past(viewer) -> QuerySet[Event]:
    """Events that have ended which ``viewer`` may see, the latest first."""
    return for_cards(Event.objects.visible_to(viewer).past(), viewer)


def of_community(viewer, community, *, ended: bool) -> QuerySet[Event]:
    """The community's events ``viewer`` may see: coming (soonest first) or past (latest
    first)."""
    events = Event.objects.visible_to(viewer).filter(community=community)
    return for_cards(events.past() if ended else events.upcoming(), viewer)


# --- one month ---------------------------------------------------------------------------------

@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    # (event, starts this day) for each event on the day, by start time.
    events: list[tuple[Event, bool]] = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    previous: date | None
    next: date | None
    truncated: bool
    event_count: int

    @property
    def weekdays(self) -> list[date]:
        return [d.day for d in self.weeks[0]]


def month_exists(year: int, month: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _local_days(event: Event) -> tuple[date, date]:
    """The first and last day (in the site's time zone) an event takes part of. One ending
    exactly at midnight does not take the day that begins then."""
    starts = timezone.localtime(event.starts_at)
    ends = timezone.localtime(event.ends_at)
    if ends > starts and ends.time() == time.min:
        ends -= timedelta(microseconds=1)
    return starts.date(), ends.date()


def month(viewer, year: int, month_number: int, *, sunday_first: bool) -> Month:
    """The month as weeks of days (in the site's time zone), each day with the events
    ``viewer`` may see that take part of it; days of the neighbouring months that fill the
    first and last weeks carry none. One query for the events."""
    first = date(year, month_number, 1)
    following = (first + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    # A day shows each event's time, title and my answer: not a card's people and places
    # (a busy month holds hundreds).
    events = list(
        Event.objects.visible_to(viewer)
        .only("title", "starts_at", "ends_at", "cancelled_at")
        .annotate(my_answer=Subquery(_mine(viewer).values("answer")[:1]))
        .filter(starts_at__lt=_local_midnight(following), ends_at__gte=_local_midnight(first))
        .order_by("starts_at", "pk")[: MONTH_EVENTS_MAX + 1]
    )
    truncated = len(events) > MONTH_EVENTS_MAX
    today = timezone.localdate()
    weeks = [
        [Day(day=d, in_month=d.month == month_number, is_today=d == today) for d in week]
        for week in calendar.Calendar(6 if sunday_first else 0).monthdatescalendar(
            year, month_number
        )
    ]
    days = {d.day: d for week in weeks for d in week if d.in_month}
    for event in events[:MONTH_EVENTS_MAX]:
        start_day, end_day = _local_days(event)
        day = max(start_day, first)
        while day <= min(end_day, last):
            days[day].events.append((event, day == start_day))
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Month(
        first=first, weeks=weeks, truncated=truncated,
        event_count=min(len(events), MONTH_EVENTS_MAX),
        previous=previous if month_exists(previous.year, previous.month) else None,
        next=following if month_exists(following.year, following.month) else None,
    )
