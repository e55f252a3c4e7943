"""Answers (RSVP) and the waitlist.

The rules, in one place:

- Every answer locks the event row first, so answers to one event are decided one after
  another: the places taken (each attending member and their guests) never exceed the
  capacity, however many answer at once.
- "Attending" takes a place when the member's party (1 + guests) fits in the places left
  and nobody is waiting; otherwise the answer joins the end of the waitlist. Nobody
  overtakes the waitlist.
- A waitlisted member who answers "attending" again (e.g. with fewer guests) keeps their
  place in the list; an attending member may change their guests within the places left.
- Whenever places free up (an answer changes, is withdrawn, brings fewer guests, or the
  capacity grows), the waitlist is served strictly in order: the first waiting party is
  promoted while it fits; when it does not fit, nobody behind it is promoted (no
  overtaking, so the first in line is never passed over by a smaller party).
- Guests come only with "attending", at most the event's guest limit each.
- Answers close at ``Event.answers_close_at`` (the deadline, or the start), and when the
  event is cancelled. Hosts answer like everyone else: hosting does not take a place, a
  host who comes answers "attending" (and a host who cannot come says so).
- A suspended member's answer is set aside (``RSVPQuerySet.counted``): it takes no place
  and waits in no line; suspending frees its places for the waitlist and lifting the
  suspension takes it again as a new answer (``suspension``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from sns import cache
from sns.errors import Refused
from sns.notify import Kind
from sns.prepared import Prepared

from ..models import RSVP, Answer, Event, RSVPQuerySet
from . import notices

ANSWERS = (Answer.ATTENDING, Answer.MAYBE, Answer.DECLINED)
# The waitlist is read this many rows at a time while promoting (it stops at the first
# party that does not fit).
_PROMOTE_CHUNK = 50


# Compiled once per process (sns/prepared.py): building the visibility rule cost more than
# running it (an answer: 16 of its 35 ms).
_LOCKED_EVENT = Prepared(
    lambda user, event: Event.objects.visible_to(user).select_for_update(of=("self",))
    .filter(pk=event.pk),
    user=User, event=Event,
)


def _locked_event(event_id: int, user: User) -> Event:
    """The event, locked, if ``user`` may see it; else Event.DoesNotExist (a 404)."""
    found = _LOCKED_EVENT(user=user, event=Event(pk=event_id))
    if not found:
        raise Event.DoesNotExist
    return found[0]


def _require_open(event: Event) -> None:
    if event.is_cancelled:
        raise Refused(_("This off-kai was cancelled; answers are closed."),
                              code="cancelled")
    if timezone.now() >= event.answers_close_at:
        raise Refused(_("Answers to this off-kai are closed."), code="closed")


def _free_places(event: Event, taken: int) -> int | None:
    return None if event.capacity is None else event.capacity - taken


@transaction.atomic
def rsvp_answer(*, event_id: int, user: User, answer: str, guests: int = 0) -> RSVP:
    """``user`` answers ``attending`` / ``maybe`` / ``declined`` (with ``guests`` when
    attending) and gets back their answer as stored: "attending" may come back
    "waitlisted". Promotes from the waitlist when places free up (see the module's rules).

    Raises Event.DoesNotExist when ``user`` may not see the event, Refused when
    answers are closed or the answer breaks a rule.
    """
    # Lock the event, since answers that count the places left must be made one after
    # another: two members must never both take the last place.
    event = _locked_event(event_id, user)
    _require_open(event)
    if answer not in ANSWERS:
        raise Refused(_("Choose attending, maybe or not attending."), code="answer")
    guests = guests if answer == Answer.ATTENDING else 0
    if guests < 0 or guests > event.guest_limit:
        if event.guest_limit == 0:
            message = _("This off-kai takes no guests.")
        else:
            message = ngettext(
                "You can bring at most %(n)d guest.", "You can bring at most %(n)d guests.",
                event.guest_limit,
            ) % {"n": event.guest_limit}
        raise Refused(message, code="guests")
    answers = RSVP.objects.filter(event=event)
    mine = answers.filter(user=user).first()
    now = timezone.now()
    waitlisted_at = None
    if answer == Answer.ATTENDING:
        others = answers.exclude(user=user)
        if mine is not None and mine.answer == Answer.ATTENDING:
            free = _free_places(event, others.places_taken())
            if free is not None and 1 + guests > free:
                room = max(free - 1, 0)
                raise Refused(ngettext(
                    "The off-kai is nearly full: there is room for %(n)d guest with you.",
                    "The off-kai is nearly full: there is room for %(n)d guests with you.",
                    room,
                ) % {"n": room}, code="full")
        elif mine is not None and mine.answer == Answer.WAITLISTED:
            answer, waitlisted_at = Answer.WAITLISTED, mine.waitlisted_at
        else:
            answer, waitlisted_at = new_party_place(event, others=others, guests=guests, now=now)
    if mine is None:
        mine = RSVP.objects.create(
            event=event, user=user, answer=answer, guests=guests, answered_at=now,
            waitlisted_at=waitlisted_at,
        )
    else:
        mine.answer, mine.guests = answer, guests
        mine.answered_at, mine.waitlisted_at = now, waitlisted_at
        mine.save(update_fields=["answer", "guests", "answered_at", "waitlisted_at"])
    _promote_and_tell(event, user)
    # Answered, it may join the off-kai home lists first (sns.home), built again once this
    # commits (one query, here: a task per answer cost the load benchmark's single worker
    # more than it saved); taken back, home's check drops it.
    cache.build_ahead(cache.offkai(user))
    mine.refresh_from_db()
    return mine


def new_party_place(
    event: Event, *, others: RSVPQuerySet, guests: int, now: datetime
) -> tuple[str, datetime | None]:
    """Where a party of one member and ``guests`` that is neither attending nor waiting
    goes when it answers "attending": a place when it fits in the places the ``others``
    leave and nobody is waiting (nobody overtakes the waitlist), else the end of the
    waitlist. Returns the answer and its ``waitlisted_at``. The caller holds the event's
    row lock."""
    free = _free_places(event, others.places_taken())
    if (free is None or 1 + guests <= free) and not others.waitlist().exists():
        return Answer.ATTENDING, None
    return Answer.WAITLISTED, now


@transaction.atomic
def rsvp_withdraw(*, event_id: int, user: User) -> None:
    """``user`` takes their answer back (until answers close); a place they held goes to
    the waitlist. Raises Event.DoesNotExist / Refused as ``rsvp_answer``."""
    event = _locked_event(event_id, user)
    _require_open(event)
    RSVP.objects.filter(event=event, user=user).delete()
    _promote_and_tell(event, user)


def _promote_and_tell(event: Event, user: User) -> None:
    promoted = [r.user_id for r in rsvp_promote(event=event) if r.user_id != user.pk]
    # Who comes and the places taken (its page, the places its cards show: sns.cache), and
    # the answer each card shows its member.
    cache.bump(cache.answers(event), cache.offkai(user),
               *(cache.offkai(pk) for pk in promoted))
    if promoted:
        notices.event_notice_send_after_commit(
            event=event, kind=Kind.EVENT_PROMOTED, user_ids=promoted
        )


def rsvp_promote(*, event: Event) -> list[RSVP]:
    """Move waiting parties to "attending", strictly in waitlist order, while the first
    one fits. The caller holds the event's row lock. Returns the promoted answers."""
    answers = RSVP.objects.filter(event=event)
    taken = answers.places_taken()
    promoted: list[RSVP] = []
    offset = 0
    while True:
        chunk = list(answers.waitlist()[offset:offset + _PROMOTE_CHUNK])
        for row in chunk:
            if event.capacity is not None and taken + row.places > event.capacity:
                return _mark_attending(promoted)
            promoted.append(row)
            taken += row.places
        if len(chunk) < _PROMOTE_CHUNK:
            return _mark_attending(promoted)
        offset += _PROMOTE_CHUNK


def _mark_attending(promoted: list[RSVP]) -> list[RSVP]:
    if promoted:
        RSVP.objects.filter(pk__in=[r.pk for r in promoted]).update(
            answer=Answer.ATTENDING, waitlisted_at=None
        )
        for row in promoted:
            row.answer, row.waitlisted_at = Answer.ATTENDING, None
    return promoted
