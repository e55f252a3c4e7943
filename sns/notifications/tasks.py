"""Background work of the notifications and announcements."""

from django_tasks import task

from sns.mail_retry import retried_when_mail_fails

from .mail import notification_emails_send


@task()
def send_notification_emails() -> int:
    """Mail the notifications that waited long enough (``notification_emails_send``)."""
    return notification_emails_send()


@task()
@retried_when_mail_fails
def deliver_announcement(*, announcement_id: int) -> int:
    """Record (and mail, if chosen) a sent announcement for its audience."""
    # announcements enqueues this task: imported here, not at the top, to break that cycle.
    from .announcements import announcement_deliver

    return announcement_deliver(announcement_id=announcement_id)
