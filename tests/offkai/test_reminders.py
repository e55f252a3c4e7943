"""The day-before reminder: to those attending and the hosts, once per start time, in each
one's language, with the time in the site's time zone; never for the cancelled, the
declined or the waitlisted."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import block_create
from offkai.models import Answer, Event
from offkai.services import reminders
from offkai.tasks import send_offkai_reminders
from sns.models import Notification
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def send(django_capture_on_commit_callbacks, outbox):
    """reminders_send with the mail tasks run (the immediate backend, after commit)."""

    def run(now=None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_send(now=now)

    return run


def reminded(event) -> set[int]:
    return set(Notification.objects.filter(
        kind=Notification.Kind.EVENT_REMINDER, target_id=event.pk
    ).values_list("recipient_id", flat=True))


def mailed(outbox) -> set[str]:
    return {address for message in outbox for address in message.to}


def test_attending_members_and_hosts_are_reminded_the_others_not(send, outbox, owner):
    co_host = factories.member("Co Host", email="cohost@example.com")
    event = factories.event(owner, days=0.5, co_hosts=[co_host], title="Izakaya night")
    going = factories.member(email="going@example.com")
    factories.answer(event, going)
    others = {}
    for answer in (Answer.MAYBE, Answer.DECLINED, Answer.WAITLISTED):
        others[answer] = factories.member(email=f"{answer}@example.com")
        factories.answer(event, others[answer], answer)

    assert send() == 3

    assert reminded(event) == {owner.pk, co_host.pk, going.pk}
    assert mailed(outbox) == {"owner@example.com", "cohost@example.com", "going@example.com"}
    assert len(outbox) == 3
    event.refresh_from_db()
    assert event.reminded_at is not None
    message = outbox[0]
    assert "Izakaya night" in message.subject
    assert f"http://testserver/offkai/{event.pk}/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert f'href="http://testserver/offkai/{event.pk}/"' in html


def test_never_twice_for_the_same_start_time(send, outbox, owner, friend):
    event = factories.event(owner, days=0.5)
    factories.answer(event, friend)
    assert send() == 2
    assert send() == 0
    assert len(outbox) == 2
    assert Notification.objects.filter(kind=Notification.Kind.EVENT_REMINDER).count() == 2
    # A new start time (the change clears reminded_at) is reminded again.
    event.starts_at += timedelta(hours=2)
    event.ends_at += timedelta(hours=2)
    event.reminded_at = None
    event.save()
    assert send() == 2
    assert len(outbox) == 4


def test_only_events_starting_in_the_next_24_hours(send, outbox, owner):
    later = factories.event(owner, days=1.5)
    started = factories.event(owner, days=-0.01)
    cancelled = factories.event(owner, days=0.5)
    cancelled.cancelled_at = timezone.now()
    cancelled.save(update_fields=["cancelled_at"])
    assert send() == 0
    assert outbox == []
    for event in (later, started, cancelled):
        event.refresh_from_db()
        assert event.reminded_at is None
    # The later one's turn comes when it is within 24 hours.
    assert send(timezone.now() + timedelta(hours=14)) == 1
    later.refresh_from_db()
    assert later.reminded_at is not None


def test_the_mail_is_in_each_recipients_language_and_the_site_time_zone(send, outbox, owner):
    event = factories.event(owner, title="新年会", venue="居酒屋つながり",
                            address="東京都渋谷区1-2-3", fee="3,000円")
    starts = datetime(2031, 1, 10, 19, 0, tzinfo=TOKYO)
    event.starts_at, event.ends_at = starts, starts + timedelta(hours=2, minutes=30)
    event.save()
    ja = factories.member(email="ja@example.com")
    ja.language = "ja"
    ja.save(update_fields=["language"])
    en = factories.member(email="en@example.com")
    en.language = "en"
    en.save(update_fields=["language"])
    factories.answer(event, ja, guests=2)
    factories.answer(event, en)

    assert send(starts - timedelta(hours=20)) == 3

    by_address = {message.to[0]: message for message in outbox}
    japanese, english = by_address["ja@example.com"], by_address["en@example.com"]
    assert "リマインダー" in japanese.subject
    assert "新年会" in japanese.subject
    assert "19:00" in japanese.body and "21:30" in japanese.body
    assert "2031年1月10日" in japanese.body
    assert "ゲスト2人" in japanese.body
    assert "キャンセル待ち" in japanese.body
    assert "Reminder" in english.subject
    assert "7 p.m." in english.body and "9:30 p.m." in english.body
    assert "10 a.m." not in english.body  # not UTC
    for message in (japanese, english):
        assert "居酒屋つながり" in message.body
        assert "東京都渋谷区1-2-3" in message.body
        assert "3,000円" in message.body
        assert "https://www.openstreetmap.org/search?query=" in message.body
        html = message.alternatives[0][0]
        assert "https://www.openstreetmap.org/search?query=" in html
    # The owner (no language chosen) gets the site's language.
    assert "Reminder" in by_address["owner@example.com"].subject


def test_a_member_who_may_no_longer_see_the_event_is_not_reminded(send, outbox, owner, member):
    event = factories.event(owner, days=0.5)
    factories.answer(event, member)
    block_create(blocker=owner, blocked=member)
    assert send() == 1
    assert mailed(outbox) == {"owner@example.com"}
    assert member.pk not in reminded(event)


def test_a_mail_queued_for_an_old_time_or_a_changed_answer_is_not_sent(outbox, owner, friend):
    event = factories.event(owner, days=0.5)
    rsvp = factories.answer(event, friend)
    old = event.starts_at.isoformat()
    assert reminders.reminder_mail_send(event_id=event.pk, user_id=friend.pk, starts_at=old)
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.save()
    assert not reminders.reminder_mail_send(event_id=event.pk, user_id=friend.pk, starts_at=old)
    new = event.starts_at.isoformat()
    rsvp.answer = Answer.DECLINED
    rsvp.save()
    assert not reminders.reminder_mail_send(event_id=event.pk, user_id=friend.pk, starts_at=new)
    event.cancelled_at = timezone.now()
    event.save()
    assert not reminders.reminder_mail_send(event_id=event.pk, user_id=owner.pk, starts_at=new)
    assert len(outbox) == 1


def test_the_management_command_and_the_task(outbox, owner, friend):
    first = factories.event(owner, days=0.5)
    factories.answer(first, friend)
    out = StringIO()
    call_command("send_offkai_reminders", stdout=out)
    assert out.getvalue().strip() == "Reminded 2 members."
    factories.event(owner, days=0.7)
    result = send_offkai_reminders.enqueue()
    assert result.return_value == 1
    call_command("send_offkai_reminders", stdout=out)
    assert out.getvalue().strip().endswith("Reminded 0 members.")


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_remind_each_event_once(owner):
    events = [factories.event(owner, days=0.5) for _ in range(3)]
    for event in events:
        for _ in range(3):
            factories.answer(event, factories.member())
    results = run_at_once(6, lambda i: reminders.reminders_send())
    assert not failures(results)
    # Each event's four members (three attending, the host) were reminded by one run only.
    assert sum(successes(results)) == 12
    for event in events:
        assert Notification.objects.filter(
            kind=Notification.Kind.EVENT_REMINDER, target_id=event.pk
        ).count() == 4
    assert Event.objects.filter(reminded_at__isnull=True).count() == 0
