"""Sending the daily news: nothing before the operator's hour, then one mail per member who
chose it and has news, once a day, however many runs and workers at once; a mail server
that fails leaves the news to be sent later, not lost."""

from __future__ import annotations

import smtplib
import threading
from datetime import datetime, time, timedelta

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from sns.dailynews import services
from sns.dailynews.services import daily_news_batch_send, daily_news_start
from sns.models import DailyNewsDelivery, SitePolicy
from sns.site_policy import policy_memo_set
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """Today (site time) at ``hour``, ``days`` later."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def reader(name: str, *, news: bool = True, chose: bool = True):
    """A member who chose the daily news, with a friend's new entry to tell (``news``)."""
    person = factories.member(name)
    User.objects.filter(pk=person.pk).update(daily_news=chose)
    if news:
        friend = factories.member(f"{name}'s friend")
        factories.befriend(person, friend)
        factories.entry(friend, Level.FRIENDS, title=f"News for {name}")
    return person


def mailed_to(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def test_nothing_before_the_hour(outbox):
    reader("Early")
    policy_memo_set(SitePolicy(daily_news_hour=9), seconds=float("inf"))
    assert daily_news_start(now=at(8, 59)) == 0
    assert outbox == [] and not DailyNewsDelivery.objects.exists()
    assert daily_news_start(now=at(9, 0)) == 1
    assert len(outbox) == 1


def test_once_a_day_to_those_who_chose_it_with_news(outbox):
    a, b = reader("Ayumi"), reader("Botan")
    quiet = reader("Quiet", news=False)
    reader("Not chosen", chose=False)
    gone = reader("Suspended")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert daily_news_start(now=at(8)) == 3
    assert mailed_to(outbox) == sorted([a.email, b.email])
    done = DailyNewsDelivery.objects.get(member=quiet)
    assert done.sent_at is not None and not done.mailed  # nothing new: no mail
    # Again the same day (another hour, another machine): nobody twice.
    assert daily_news_start(now=at(9)) == 0
    call_command("send_daily_news")
    assert len(outbox) == 2
    # The next day: only what is new since.
    outbox.clear()
    assert daily_news_start(now=at(8, days=1)) == 3
    assert outbox == []


def test_batches(outbox, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    people = [reader(f"Reader {n}") for n in range(5)]
    assert daily_news_start(now=at(8)) == 5
    assert mailed_to(outbox) == sorted(p.email for p in people)


class DownBackend(EmailBackend):
    """A mail server that cannot be reached."""

    def open(self):
        raise ConnectionRefusedError("the mail server is away")

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is away")


class RefusingBackend(EmailBackend):
    """A mail server that refuses one mailbox for good (5xx) and takes the rest."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("nobody"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


def test_a_mail_outage_leaves_the_news_to_be_sent_later(outbox, settings):
    a, b = reader("Ayumi"), reader("Botan")
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    # The tasks fail (the immediate backend keeps the failure; the worker's queue tries
    # again later: tests/faults/test_daily_news_down.py).
    assert daily_news_start(now=at(8)) == 2
    assert outbox == []
    assert not DailyNewsDelivery.objects.filter(sent_at__isnull=False).exists()
    # Within the hour the claims are still the first run's: nothing is claimed twice.
    assert daily_news_start(now=at(9)) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A claim not done for STALE_AFTER is claimed again: the news goes out, once.
    assert daily_news_start(now=at(8) + services.STALE_AFTER + timedelta(minutes=1)) == 2
    assert mailed_to(outbox) == sorted([a.email, b.email])
    assert daily_news_start(now=at(23)) == 0
    assert len(outbox) == 2


def test_a_failure_while_sending_records_the_attempt_and_stops_the_batch(outbox, settings):
    a, b = reader("Ayumi"), reader("Botan")
    day = timezone.localdate()
    for person in (a, b):
        DailyNewsDelivery.objects.create(member=person, day=day)
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    with pytest.raises(ConnectionRefusedError):
        daily_news_batch_send(day=day, member_ids=[a.pk, b.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert daily_news_batch_send(day=day, member_ids=[a.pk, b.pk]) == 2
    assert len(outbox) == 2


def test_a_mailbox_refused_for_good_does_not_hold_up_the_batch(outbox, settings):
    nobody = reader("Nobody")
    User.objects.filter(pk=nobody.pk).update(email="nobody@example.com")
    other = reader("Other")
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert daily_news_start(now=at(8)) == 2
    assert mailed_to(outbox) == [other.email]
    refused = DailyNewsDelivery.objects.get(member=nobody)
    assert refused.sent_at is not None and not refused.mailed and refused.attempts == 1
    assert "no such user" in refused.last_error


@pytest.mark.django_db(transaction=True)
def test_two_machines_at_once_mail_each_member_once():
    django_mail.outbox = []
    people = [reader(f"Reader {n}") for n in range(6)]
    barrier = threading.Barrier(2)
    claimed = []

    def run():
        try:
            barrier.wait()
            claimed.append(daily_news_start(now=at(8)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(claimed) == 6
    assert mailed_to(django_mail.outbox) == sorted(p.email for p in people)


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_batch_mail_each_member_once():
    django_mail.outbox = []
    people = [reader(f"Reader {n}") for n in range(6)]
    day = timezone.localdate()
    for person in people:
        DailyNewsDelivery.objects.create(member=person, day=day)
    ids = [p.pk for p in people]
    barrier = threading.Barrier(2)
    sent = []

    def run(order):
        try:
            barrier.wait()
            sent.append(daily_news_batch_send(day=day, member_ids=order))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(o,)) for o in (ids, ids[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sent) == 6
    assert mailed_to(django_mail.outbox) == sorted(p.email for p in people)
    assert DailyNewsDelivery.objects.filter(mailed=True).count() == 6
