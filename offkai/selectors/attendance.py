"""What the attendance page and "met at" read: the events a host may confirm, who may have
come, the guests recorded, and the off-kai two members both came to (a host confirmed it).
The writes are in ``offkai.services.attendance``."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User

from ..models import RSVP, TAKING_PART, Event, EventHost, Guest
from .pages import ANSWER_ORDER

# How many guests one event may record: a bound for the page and against mistakes.
GUESTS_MAX = 100
# How many shared events a profile shows under "met at".
MET_AT_SHOWN = 5


def hosted_started(viewer) -> QuerySet[Event]:
    """The events ``viewer`` hosts that have started and were not cancelled: those whose
    attendance they may confirm. Anyone else's, or a future or cancelled one, is a 404."""
    if viewer is None or not viewer.is_authenticated:
        return Event.objects.none()
    return Event.objects.visible_to(viewer).filter(
        host_rows__user=viewer, starts_at__lte=timezone.now(), cancelled_at__isnull=True
    )


def host_ids(event: Event) -> set[int]:
    return set(EventHost.objects.filter(event=event).values_list("user_id", flat=True))


def hosts_with_attendance(event: Event) -> list[User]:
    """The event's hosts (active members), each with ``attended`` from their answer (None
    without one or unconfirmed)."""
    answer = RSVP.objects.filter(event=event, user=OuterRef("pk"))
    return list(
        User.objects.filter(is_active=True, pk__in=EventHost.objects.filter(event=event)
                            .values("user"))
        .annotate(attended=Subquery(answer.values("attended")[:1]))
        .select_related("profile").order_by("pk")
    )


def answers_to_confirm(event: Event, hosts: list[User]) -> QuerySet[RSVP]:
    """The answers of those who may have come (attending, then waitlisted in order, then
    maybe), the hosts' left out (they are listed apart), each with its member."""
    return (
        RSVP.objects.filter(event=event, answer__in=TAKING_PART, user__is_active=True)
        .exclude(user_id__in=[h.pk for h in hosts])
        .select_related("user__profile")
        .order_by(ANSWER_ORDER, "waitlisted_at", "answered_at", "pk")
    )


# --- guests --------------------------------------------------------------------------------

# How many members the "brought by" menu lists: the hosts, then those who answered.
BROUGHT_BY_CHOICES = 300


def brought_by_choices(event: Event, hosts: list[User]) -> list[tuple[int, str]]:
    """(id, name) of who may have brought a guest, for the form's menu."""
    answered = (
        User.objects.filter(is_active=True, rsvps__event=event, rsvps__answer__in=TAKING_PART)
        .exclude(pk__in=[h.pk for h in hosts])
        .select_related("profile")
        .order_by("rsvps__answered_at", "pk")
    )
    members = [*hosts, *answered[: max(BROUGHT_BY_CHOICES - len(hosts), 0)]]
    return [(m.pk, m.display_name) for m in members]


def guests_of(event: Event) -> list[Guest]:
    """The guests recorded (at most GUESTS_MAX), with who brought them and their invitation."""
    return list(
        Guest.objects.filter(event=event)
        .select_related("brought_by__profile", "invitation__accepted_user__profile")
        [:GUESTS_MAX]
    )


# --- met at --------------------------------------------------------------------------------

def came_to(member) -> Exists:
    """Whether ``member`` came to the event (OuterRef "pk"): a host confirmed it."""
    return Exists(RSVP.objects.filter(event=OuterRef("pk"), user=member, attended=True))


def met_any(viewer) -> Exists | Value:
    """For a queryset of members: whether each came to some off-kai with ``viewer``. Rides
    along in a page's own query of the member, so that ``met_at`` runs only when it may find
    something (most pairs of members never met)."""
    if viewer is None or not viewer.is_authenticated:
        return Value(False)
    return Exists(RSVP.objects.filter(
        user=OuterRef("pk"), attended=True,
        event__in=RSVP.objects.filter(user=viewer, attended=True).values("event"),
    ))


def met_at(viewer, member, *, limit: int = MET_AT_SHOWN) -> list[Event]:
    """The events both ``viewer`` and ``member`` came to (a host marked both as come), that
    ``viewer`` may see, newest first, at most ``limit``. None for oneself or a visitor."""
    if viewer is None or not viewer.is_authenticated or viewer.pk == member.pk:
        return []
    return list(
        Event.objects.visible_to(viewer)
        .filter(cancelled_at__isnull=True)
        .filter(came_to(viewer), came_to(member))
        .order_by("-starts_at", "-pk")[:limit]
    )


def met_count(viewer) -> Coalesce:
    """For a queryset of members: at how many off-kai each came together with ``viewer``."""
    shared = (
        RSVP.objects.filter(
            user=OuterRef("pk"), attended=True,
            event__in=RSVP.objects.filter(user=viewer, attended=True).values("event"),
        )
        .order_by().values("user").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(shared), 0)


def met_in_person_sql() -> str:
    """``met_count`` as SQL, for the ranking of people you may know
    (accounts.services.suggestions, SQL throughout): one row (``id``) per member and off-kai
    they came to with the member named by the ``%(member)s`` parameter. Starts from that
    member's answers (the ``rsvp_user`` index), then each event's answers (the ``rsvp_once``
    index)."""
    table = RSVP._meta.db_table
    return f"""
        SELECT other.user_id AS id
          FROM {table} came
          JOIN {table} other ON other.event_id = came.event_id
         WHERE came.user_id = %(member)s AND came.attended
           AND other.attended AND other.user_id <> %(member)s"""  # noqa: S608 - our table name
