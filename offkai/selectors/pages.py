"""What the event page and the hosts' answers page read. Every event comes through
``Event.objects.visible_to(viewer)``; each page takes a fixed number of queries whatever the
number of answers and comments."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from sns.paging import latest_page
from sns.prepared import Prepared
from sns.visibility import block_either_way, relations_to

from ..models import RSVP, Answer, Event, EventComment, EventHost

ATTENDEES_PER_PAGE = 50
ANSWERS_PER_PAGE = 100
EVENT_COMMENTS_SHOWN = 50

# The answers page lists the groups in this order.
ANSWER_ORDER = Case(
    When(answer=Answer.ATTENDING, then=Value(0)),
    When(answer=Answer.WAITLISTED, then=Value(1)),
    When(answer=Answer.MAYBE, then=Value(2)),
    default=Value(3), output_field=IntegerField(),
)


def _event_page(viewer) -> QuerySet[Event]:
    return Event.objects.visible_to(viewer).select_related("community", "created_by__profile")


# A member's look at an event, compiled once per process (sns/prepared.py): building it cost
# more than running it.
_EVENT = Prepared(
    lambda viewer, event: _event_page(viewer).filter(pk=event.pk), viewer=User, event=Event
)


def event_or_404(viewer, pk: int) -> Event:
    if viewer is None or not viewer.is_authenticated:
        # A visitor, where the site has public pages: public events only.
        return get_object_or_404(_event_page(viewer), pk=pk)
    found = _EVENT(viewer=viewer, event=Event(pk=pk))
    if not found:
        raise Http404
    return found[0]


def hosted_event_or_404(viewer, pk: int) -> Event:
    """The event if ``viewer`` hosts it; the same 404 as for nothing otherwise."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    hosted = Exists(EventHost.objects.filter(event=OuterRef("pk"), user=viewer))
    return get_object_or_404(
        Event.objects.visible_to(viewer).filter(hosted)
        .select_related("community", "created_by__profile"),
        pk=pk,
    )


def hosts(event: Event) -> list:
    """The hosts (active members), the creator first, then in the order they were added."""
    rows = (
        EventHost.objects.filter(event=event, user__is_active=True)
        .select_related("user__profile")
        .annotate(is_creator=Case(
            When(user_id=event.created_by_id, then=Value(0)), default=Value(1),
            output_field=IntegerField(),
        ))
        .order_by("is_creator", "added_at", "pk")
    )
    return [row.user for row in rows]


def attendees(event: Event, viewer) -> QuerySet:
    """The members attending, in the order they answered, without those in a block with the
    viewer (blocking hides both ways; the counts still hold their places)."""

    people = (
        User.objects.filter(is_active=True, rsvps__event=event, rsvps__answer=Answer.ATTENDING)
        .annotate(answered_at=F("rsvps__answered_at"))
        .select_related("profile")
        .order_by("answered_at", "pk")
    )
    if viewer is not None and viewer.is_authenticated:
        people = people.exclude(block_either_way(viewer, OuterRef("pk")))
    return people


def my_answer(event: Event, viewer) -> tuple[RSVP | None, int | None]:
    """The viewer's answer and, when waitlisted, their place in the list (1 = next)."""
    if viewer is None or not viewer.is_authenticated:
        return None, None
    answer = (
        RSVP.objects.filter(event=event, user=viewer)
        .annotate(ahead=_waiting_ahead())
        .first()
    )
    if answer is None or answer.answer != Answer.WAITLISTED:
        return answer, None
    return answer, answer.ahead + 1


def _waiting_ahead():
    ahead = (
        RSVP.objects.waitlist().filter(event=OuterRef("event"))
        .filter(Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
                | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")))
        .order_by().values("event").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(ahead), 0)


# --- comments ----------------------------------------------------------------------------------

def comments_page(
    event: Event, before: str | None, *, size: int = EVENT_COMMENTS_SHOWN
) -> tuple[list[EventComment], str | None]:
    """The latest ``size`` comments (before the ``before`` cursor, if given), oldest first,
    and the cursor of the earlier ones (or None): a link walks back, as on diary entries."""
    return latest_page(
        EventComment.objects.filter(event=event, hidden_at__isnull=True)
        # A NULL author left the site: the comment stays, as by "deleted member".
        .filter(Q(author__isnull=True) | Q(author__is_active=True))
        .select_related("author__profile"),
        before, size,
    )


def relations_for(viewer, *groups) -> dict:
    """``relations_to`` for everyone on a page at once: one query."""
    return relations_to(viewer, [m for group in groups for m in group])


# --- the hosts' answers page --------------------------------------------------------------------

def answer_rows(event: Event) -> QuerySet[RSVP]:
    """Every counted answer (none of a suspended member), grouped (attending, waitlisted in
    order, maybe, declined), each with its member and, for the waitlisted, ``position`` in
    the list."""
    return (
        RSVP.objects.filter(event=event).counted()
        .select_related("user__profile")
        .annotate(
            group=ANSWER_ORDER,
            position=Window(
                RowNumber(), partition_by=[F("answer")],
                order_by=[F("waitlisted_at").asc(nulls_last=True), F("pk").asc()],
            ),
        )
        .order_by("group", F("waitlisted_at").asc(nulls_last=True), "answered_at", "pk")
    )
