"""Several runs of the batched email at once (cron on several machines): real concurrent
transactions in threads, each with its own connection. Each notification goes out once."""

import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from sns.models import Notification
from sns.notifications import mail as notification_mail
from sns.notify import Kind
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

THREADS = 6


class SlowBackend(EmailBackend):
    """The test outbox, as slow as a mail server: the runs overlap while one is sending."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_mail_each_notification_once(owner, outbox, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.sns.notifications.test_notifications_race.SlowBackend"
    # Small batches, so that the runs take turns on the same members' notifications.
    monkeypatch.setattr(notification_mail, "BATCH", 4)
    members = [factories.member() for _ in range(12)]
    Notification.objects.bulk_create([
        Notification(recipient=member, actor=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED)
        for member in members for _ in range(3)
    ])
    now = timezone.now() + timedelta(minutes=6)

    results = run_at_once(THREADS, lambda i: notification_mail.notification_emails_send(now=now))

    assert not failures(results)
    mailed = Counter(
        int(pk) for message in outbox for pk in re.findall(r"/notifications/(\d+)/", message.body)
    )
    every = set(Notification.objects.values_list("pk", flat=True))
    assert set(mailed) == every
    assert all(times == 1 for times in mailed.values()), mailed
    assert sum(successes(results)) == len(outbox)
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()
    # Several runs did part of the work: they really ran at the same time.
    assert sum(1 for sent in successes(results) if sent) > 1
