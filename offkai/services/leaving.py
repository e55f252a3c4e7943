"""What a member's leaving the site (sns.leaving) does to off-kai: their events pass to
a co-host or are cancelled, and their answers go with the waitlist served as usual. Called
inside ``member_leave``'s transaction, before the member's row is deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import RSVP, Event, EventHost
from .events import event_cancel
from .rsvp import _promote_and_tell

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def events_creator_leave(*, member: User) -> dict[str, int]:
    """The events ``member`` created: each with another (active) host passes to the one
    added longest ago, past or to come; one still to come without another host is
    cancelled ("The host left the site"; everyone who answered is told) and kept, as are
    past ones — Event.created_by becomes NULL when the member's row goes.

    Returns how many were handed over and how many cancelled.
    """
    handed = cancelled = 0
    # Lock them, since a co-host editing at this moment must see the new creator.
    events = list(
        Event.objects.select_for_update().filter(created_by=member).order_by("pk")
    )
    co_hosts = {}
    for row in (
        EventHost.objects.filter(event__in=events, user__is_active=True)
        .exclude(user=member).order_by("event", "added_at", "pk")
    ):
        co_hosts.setdefault(row.event_id, row.user_id)
    for event in events:
        successor = co_hosts.get(event.pk)
        if successor is not None:
            Event.objects.filter(pk=event.pk).update(created_by_id=successor)
            handed += 1
        elif not event.is_past and not event.is_cancelled:
            # The reason is stored once for everyone: in the site's language.
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("The host left the site")
            event_cancel(event=event, by=member, reason=reason)
            cancelled += 1
    return {"handed_over": handed, "cancelled": cancelled}


@transaction.atomic
def rsvps_leave(*, member: User) -> int:
    """Take back every answer ``member`` gave. An event still to come and not cancelled
    serves its waitlist into the freed place, and those promoted are told, as when a member
    withdraws (even after answers closed: the member is gone either way). Returns how many
    answers went."""
    answers = list(RSVP.objects.filter(user=member).values_list("event_id", flat=True))
    # Lock the events in one order, since answers to them count places under these locks.
    events = list(Event.objects.select_for_update().filter(pk__in=answers).order_by("pk"))
    RSVP.objects.filter(user=member).delete()
    for event in events:
        if not event.is_past and not event.is_cancelled:
            _promote_and_tell(event, member)
    return len(answers)
