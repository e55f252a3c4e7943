"""What the services hand to tasks once their transaction has committed: a rolled-back
change tells nobody, and a community of thousands is invited outside the request."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from ..models import Event


def invite_community_after_commit(event: Event) -> None:
    """Record EVENT_NEW for the members of the event's community (offkai.tasks)."""
    from ..tasks import event_invite_community

    pk = event.pk
    transaction.on_commit(lambda: event_invite_community.enqueue(event_id=pk))


def tell_after_commit(
    event: Event, kind: str, *, actor=None, user_ids: list[int] | None = None,
    before: dict | None = None,
) -> None:
    """Tell members of ``kind`` (in-app and by mail, offkai.tasks.send_event_notice):
    ``user_ids``, or by default everyone taking part and the hosts. ``before`` holds the old
    values of what changed, for the mail."""
    from ..tasks import send_event_notice

    arguments = {
        "event_id": event.pk,
        "kind": kind,
        "actor_id": actor.pk if actor is not None else None,
        "user_ids": list(user_ids) if user_ids is not None else None,
        "before": {
            field: value.isoformat() if isinstance(value, datetime) else value
            for field, value in (before or {}).items()
        },
    }
    transaction.on_commit(lambda: send_event_notice.enqueue(**arguments))
