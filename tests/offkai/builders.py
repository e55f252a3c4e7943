"""Builders for off-kai tests: rows made directly, so each test states the situation it needs
(including ones the services would refuse to make, such as a past event with answers)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from offkai.models import RSVP, Answer, Event, EventHost

_seq = itertools.count(1)


def event(creator, *, days: float = 7, hours: float = 2, co_hosts=(), **fields) -> Event:
    """An event by ``creator`` starting ``days`` from now (negative: in the past)."""
    starts = timezone.now() + timedelta(days=days)
    fields.setdefault("title", f"Off-kai {next(_seq)}")
    fields.setdefault("visibility", "members")
    made = Event.objects.create(
        created_by=creator, starts_at=starts, ends_at=starts + timedelta(hours=hours), **fields
    )
    EventHost.objects.create(event=made, user=creator)
    for host in co_hosts:
        EventHost.objects.create(event=made, user=host)
    return made


def answer(event: Event, user, answer: str = Answer.ATTENDING, *, guests: int = 0,
           attended: bool | None = None) -> RSVP:
    return RSVP.objects.create(
        event=event, user=user, answer=answer, guests=guests, attended=attended,
        waitlisted_at=timezone.now() if answer == Answer.WAITLISTED else None,
    )
