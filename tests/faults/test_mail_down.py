"""The mail server is down (issue 9, faults): nothing that was to be mailed is lost.

Django's SMTP backend talks to a port where nothing listens, then to a small server of the
test's own on that port (tests/faults/smtp.py). Tasks go through the production queue
(django-tasks' database backend) and are run by ``manage.py db_worker --batch``, as the
worker runs them: a task that could not mail fails, and is enqueued again to run later
(sns.mail_retry), allauth's own mails included; the batched notification email keeps its
notifications unmarked, and the next cron run mails them.
"""

from __future__ import annotations

import logging
import re
import signal
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts import services as accounts_services
from accounts.models import User
from invites import services as invites_services
from invites.tasks import send_invitation_email
from offkai import services as offkai_services
from offkai.models import Answer
from sns.dailynews.services import daily_news_start
from sns.mail_retry import RETRY_DELAYS
from sns.models import Announcement, DailyNewsDelivery, Notification
from sns.notifications.announcements import announcement_send
from sns.notify import Kind
from sns.visibility import Level
from tests import factories
from tests.faults.postgres import free_port
from tests.faults.smtp import mail_server

READY, FAILED, SUCCESSFUL = (TaskResultStatus.READY, TaskResultStatus.FAILED,
                             TaskResultStatus.SUCCESSFUL)


@pytest.fixture
def mail_port(settings) -> int:
    """Mail goes by SMTP to this port, where nothing listens until a test starts a server."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def queue(settings):
    """Production's task queue: tasks wait in the database for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}


def run_worker() -> None:
    """``manage.py db_worker --batch``: run every task that is due, then stop. The command
    sets its signal handlers and log levels for the process: those of the test run are put
    back."""
    signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval=0")
    finally:
        for number, handler in signals.items():
            signal.signal(number, handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def a_minute_later(task: DBTaskResult) -> None:
    """The clock moves past the retry's time."""
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())


def tasks(status) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=status).order_by("enqueued_at"))


def recipients(message_list) -> list[str]:
    return sorted(message["To"] for message in message_list)


# --- the batched notification email (cron) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notifications_not_mailed_while_the_server_is_down_go_out_at_the_next_run(
    owner, member, mail_port
):
    accounts_services.friend_request_send(sender=member, recipient=owner)
    waited = timezone.now() - timedelta(seconds=settings.NOTIFICATION_EMAIL_DELAY + 1)
    Notification.objects.update(created_at=waited)

    with pytest.raises(ConnectionRefusedError):
        call_command("send_notification_emails")

    # The run that failed marked nothing: the news still waits for a run that mails it.
    assert Notification.objects.get(recipient=owner).mailed_at is None
    with mail_server(mail_port) as server:
        call_command("send_notification_emails")
        call_command("send_notification_emails")
    assert recipients(server.received) == [owner.email]
    assert Notification.objects.get(recipient=owner).mailed_at is not None


# --- tasks run by the worker -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_announcement_the_server_could_not_take_is_delivered_by_the_retry(
    owner, friend, member, moderator, mail_port, queue
):
    everyone = [owner, friend, member, moderator]
    item = Announcement.objects.create(title="Summer party", body="Come.", by_email=True)
    announcement_send(announcement=item, by=moderator)

    run_worker()

    [failed] = tasks(FAILED)
    [retry] = tasks(READY)
    assert failed.exception_class_path == "builtins.ConnectionRefusedError"
    assert retry.task_path == failed.task_path == "sns.notifications.tasks.deliver_announcement"
    assert retry.args_kwargs["kwargs"] == {"announcement_id": item.pk, "mail_attempt": 1}
    assert retry.run_after - failed.finished_at == pytest.approx(
        timedelta(seconds=RETRY_DELAYS[0]), abs=timedelta(seconds=5))
    # The failed chunk recorded nothing either: the retry records and mails it once.
    announced = Notification.objects.filter(
        kind=Kind.ANNOUNCEMENT, target_id=item.pk,
        target_type=ContentType.objects.get_for_model(Announcement))
    assert not announced.exists()

    run_worker()  # not yet due
    assert tasks(READY) == [retry]

    a_minute_later(retry)
    with mail_server(mail_port) as server:
        run_worker()

    assert [t.pk for t in tasks(SUCCESSFUL)] == [retry.pk]
    assert tasks(READY) == []
    assert recipients(server.received) == sorted(m.email for m in everyone)
    assert sorted(announced.values_list("recipient_id", flat=True)) == sorted(
        m.pk for m in everyone)


@pytest.mark.django_db(transaction=True)
def test_an_invitation_the_server_could_not_take_is_mailed_by_the_retry(owner, mail_port, queue):
    invitation = invites_services.invitation_create(inviter=owner, email="guest@example.com")

    run_worker()

    [retry] = tasks(READY)
    assert retry.task_path == "invites.tasks.send_invitation_email"
    a_minute_later(retry)
    with mail_server(mail_port) as server:
        run_worker()

    [message] = server.received
    assert message["To"] == "guest@example.com"
    assert invitation.token in message.get_payload(0).get_payload(decode=True).decode()
    assert tasks(READY) == []


@pytest.mark.django_db(transaction=True)
def test_notices_of_a_cancelled_offkai_are_recorded_and_mailed_once_by_the_retry(
    owner, friend, member, mail_port, queue
):
    event = factories.event(owner)
    for person in (friend, member):
        factories.answer(event, person, Answer.ATTENDING)
    offkai_services.event_cancel(event=event, by=owner, reason="Typhoon")
    told = Notification.objects.filter(kind=Kind.EVENT_CANCELLED)

    run_worker()

    # The notices were taken back with the mail that failed: the retry does not repeat them.
    assert not told.exists()
    [retry] = tasks(READY)
    a_minute_later(retry)
    with mail_server(mail_port) as server:
        run_worker()

    assert recipients(server.received) == sorted([friend.email, member.email])
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([friend.pk, member.pk])


@pytest.mark.parametrize(("answer", "retried"), [
    ("450 4.2.1 Mailbox busy, try again later", True),
    ("550 5.1.1 No such user here", False),
])
@pytest.mark.django_db(transaction=True)
def test_a_refusal_is_retried_only_when_the_server_says_later(
    owner, mail_port, queue, answer, retried
):
    invites_services.invitation_create(inviter=owner, email="guest@example.com")

    with mail_server(mail_port, refuse=answer) as server:
        run_worker()

    assert server.received == []
    assert len(tasks(FAILED)) == 1
    assert len(tasks(READY)) == (1 if retried else 0)


@pytest.mark.django_db(transaction=True)
def test_after_the_last_retry_the_failure_stands(owner, mail_port, queue, caplog):
    invitation = invites_services.invitation_create(inviter=owner, email="guest@example.com",
                                                    send=False)
    send_invitation_email.enqueue(invitation_id=invitation.pk, token=invitation.token,
                                  mail_attempt=len(RETRY_DELAYS))

    run_worker()

    assert len(tasks(FAILED)) == 1
    assert tasks(READY) == []
    assert f"gave up after {len(RETRY_DELAYS) + 1} attempts" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_asked_for_while_the_server_is_down_is_mailed_by_the_retry(
    member, mail_port, queue, client
):
    """allauth's own mails (here the reset link) go through the same retried task: the page
    answers as usual during the outage, and the link arrives once the server is back."""
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302

    run_worker()

    [failed] = tasks(FAILED)
    [retry] = tasks(READY)
    assert retry.task_path == failed.task_path == "accounts.tasks.send_account_mail"
    a_minute_later(retry)
    with mail_server(mail_port) as server:
        run_worker()

    [message] = server.received
    assert message["To"] == member.email
    text = (message.get_payload(0) if message.is_multipart() else message).get_payload(
        decode=True).decode()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", text).group(1)
    assert client.get(link, follow=True).status_code == 200
    assert tasks(READY) == []


# --- the daily news (sns.dailynews) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_daily_news_the_server_could_not_take_goes_out_with_the_retry(mail_port, queue):
    readers = []
    for n in range(3):
        person = factories.member(f"Reader {n}")
        User.objects.filter(pk=person.pk).update(daily_news=True)
        friend = factories.member(f"Writer {n}")
        factories.befriend(person, friend)
        factories.entry(friend, Level.FRIENDS)
        readers.append(person)
    late = timezone.localtime().replace(hour=23, minute=0)
    assert daily_news_start(now=late) == 3

    run_worker()

    [failed] = tasks(FAILED)
    [retry] = tasks(READY)
    assert retry.task_path == failed.task_path == "sns.dailynews.tasks.send_daily_news_batch"
    assert retry.args_kwargs["kwargs"]["mail_attempt"] == 1
    assert retry.run_after - failed.finished_at == pytest.approx(
        timedelta(seconds=RETRY_DELAYS[0]), abs=timedelta(seconds=5))
    assert not DailyNewsDelivery.objects.filter(sent_at__isnull=False).exists()

    a_minute_later(retry)
    with mail_server(mail_port) as server:
        run_worker()
        run_worker()

    assert [t.pk for t in tasks(SUCCESSFUL)] == [retry.pk]
    assert recipients(server.received) == sorted(p.email for p in readers)
    assert DailyNewsDelivery.objects.filter(mailed=True).count() == 3
