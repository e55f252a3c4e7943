"""Background work of the off-kai app, each task a thin wrapper over a service: the
community's invitation to a new event, the notices of a change, a cancellation or a place
freed on the waitlist (``services.notices``), and the day-before reminder
(``services.reminders``). Those that mail are tried again when the mail server fails
(``sns.mail_retry``)."""

from __future__ import annotations

from django_tasks import task

from sns.mail_retry import retried_when_mail_fails

from . import services


@task()
def event_invite_community(*, event_id: int) -> int:
    """Record EVENT_NEW for the members of the event's community who may see it."""
    return services.event_community_invite(event_id=event_id)


@task()
@retried_when_mail_fails
def send_event_notice(
    *, event_id: int, kind: str, actor_id: int | None = None,
    user_ids: list[int] | None = None, before: dict | None = None,
) -> int:
    """Tell members of a change, a cancellation or a place for them; returns how many."""
    return services.event_notice_send(
        event_id=event_id, kind=kind, actor_id=actor_id, user_ids=user_ids, before=before
    )


@task()
def send_offkai_reminders() -> int:
    """Remind the events starting in the next 24 hours (``services.reminders_send``)."""
    return services.reminders_send()


@task()
@retried_when_mail_fails
def send_event_reminder(*, event_id: int, user_id: int, starts_at: str) -> bool:
    """Mail one member the reminder of an event, in their language, if it still holds."""
    return services.reminder_mail_send(event_id=event_id, user_id=user_id, starts_at=starts_at)
