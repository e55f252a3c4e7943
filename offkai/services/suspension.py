"""What suspending a member (sns.moderation) does to their off-kai answers, and what lifting
the suspension does. Called inside ``member_suspend`` / ``member_unsuspend``'s transaction,
after the member's ``is_active`` changed.

The answers themselves stay as they were while the member is suspended: ``counted()``
leaves them out of every place, count and list, so suspending only has to serve each
waitlist into the places freed. Lifting takes each "attending" or waiting answer again as a
new "attending" answer would be taken, under the event's lock: a place when it fits and
nobody is waiting, else the end of the waitlist. Events that are over or cancelled are left
alone (who came stays for "met at")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import RSVP, Answer, Event
from .rsvp import _promote_and_tell, new_party_place

if TYPE_CHECKING:
    from accounts.models import User

# The answers that hold or wait for a place.
_IN_LINE = (Answer.ATTENDING, Answer.WAITLISTED)


def _locked_events(member: User) -> QuerySet[Event]:
    """The events still to come and not cancelled where ``member`` attends or waits, locked
    in one order, since answers to them count places under these locks (rsvp_answer)."""
    answered = RSVP.objects.filter(user=member, answer__in=_IN_LINE).values("event")
    return (
        Event.objects.select_for_update(of=("self",))
        .filter(pk__in=answered, ends_at__gte=timezone.now(), cancelled_at__isnull=True)
        .order_by("pk")
    )


@transaction.atomic
def rsvps_suspend(*, member: User) -> int:
    """``member`` was just suspended: their places (and a place at the head of a waitlist
    they held up) go to the waitlist, served in order, and those promoted are told, as when
    a member withdraws. Returns how many events were served."""
    events = list(_locked_events(member))
    for event in events:
        _promote_and_tell(event, member)
    return len(events)


@transaction.atomic
def rsvps_reinstate(*, member: User) -> int:
    """``member``'s suspension was just lifted: each of their "attending" or waiting answers
    is taken again as a new "attending" answer (with as many guests as the event now
    allows), even after answers closed, since it is the answer they gave. Returns how many
    answers were taken again."""
    now = timezone.now()
    taken = 0
    for event in _locked_events(member):
        answers = RSVP.objects.filter(event=event)
        mine = answers.get(user=member)
        guests = min(mine.guests, event.guest_limit)
        mine.answer, mine.waitlisted_at = new_party_place(
            event, others=answers.exclude(user=member), guests=guests, now=now
        )
        mine.guests, mine.answered_at = guests, now
        mine.save(update_fields=["answer", "guests", "answered_at", "waitlisted_at"])
        taken += 1
    return taken
