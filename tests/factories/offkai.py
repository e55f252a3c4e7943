"""Off-kai and answers, made as rows directly, so each test states the situation it needs
(including ones the services would refuse to make, such as a past event with answers)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from offkai.models import RSVP, Answer, Event, EventHost

_seq = itertools.count(1)


def event(creator: User, *, days: float = 7, hours: float = 2, starts: datetime | None = None,
          co_hosts: Iterable[User] = (), **fields) -> Event:
    """An event by ``creator`` (its host, with ``co_hosts``) starting ``days`` from now
    (negative: in the past) or at ``starts``, lasting ``hours``; ``fields`` set the rest
    (``title``, ``visibility``: ``members`` unless said, ``community``, ``capacity``, …)."""
    if starts is None:
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


def answer(event: Event, user: User, answer: str = Answer.ATTENDING, *, guests: int = 0,
           attended: bool | None = None) -> RSVP:
    """``user``'s answer to ``event`` (waitlisted now if ``answer`` says so)."""
    return RSVP.objects.create(
        event=event, user=user, answer=answer, guests=guests, attended=attended,
        waitlisted_at=timezone.now() if answer == Answer.WAITLISTED else None,
    )
