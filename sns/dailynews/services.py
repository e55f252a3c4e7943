"""Sending the daily news: claim the members of a batch, then mail each one's news.

``daily_news_start`` runs every hour (cron: ``manage.py send_daily_news``); before the
operator's hour (site time) it does nothing. From the hour on it claims, 500 at a time, the
members who chose the news and have none for the day: a claim is the row
``DailyNewsDelivery(member, day)``, inserted with ``ON CONFLICT DO NOTHING`` (one per member
and day, by the database), so that of two runs at once (two machines) each claims a member
the other did not; each batch goes to a task (``tasks.send_daily_news_batch``).

The task mails each member of its batch under the row lock of their claim, skipping one
another worker holds (``SKIP LOCKED``), and marks it done in the transaction that mails it:
a member is mailed once however many workers are given the batch. A mail server that
cannot be reached leaves the row not done and raises: the task is tried again later
(sns.mail_retry), and a claim left not done for ``STALE_AFTER`` is claimed again by the
next hourly run (a retry that was lost, or gave up), so a day's news is not lost while the
day lasts; the next day's news starts where the last one sent stopped (at most a day back).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import daily_news_set
from sns import mail
from sns.mail_retry import transient
from sns.models import DailyNewsDelivery
from sns.site_policy import policy_current

from .mail import news_message
from .selectors import news_for, news_since

logger = logging.getLogger(__name__)

BATCH = 500
# A claim not done after this long is claimed again by the next hourly run.
STALE_AFTER = timedelta(hours=2)
# Deliveries are kept this many days (the latest done says where the next news starts).
KEPT_DAYS = 7

_CLAIM_SQL = """
WITH candidates AS (
    SELECT id FROM {user} WHERE daily_news AND is_active AND id > %(after)s
     ORDER BY id LIMIT %(n)s
), made AS (
    INSERT INTO {delivery} (member_id, day, claimed_at, mailed, attempts, last_error)
    SELECT id, %(day)s, %(now)s, false, 0, '' FROM candidates
    ON CONFLICT (member_id, day) DO NOTHING
    RETURNING member_id
), again AS (
    UPDATE {delivery} d SET claimed_at = %(now)s
     WHERE d.day = %(day)s AND d.member_id IN (SELECT id FROM candidates)
       AND d.sent_at IS NULL AND d.claimed_at < %(stale)s
    RETURNING d.member_id
)
SELECT (SELECT max(id) FROM candidates),
       ARRAY(SELECT member_id FROM made UNION SELECT member_id FROM again ORDER BY 1)
"""


def news_day(now: datetime) -> date | None:
    """The day (site time) whose news is due at ``now``: None before the operator's hour."""
    local = timezone.localtime(now)
    if local.hour < policy_current().daily_news_hour:
        return None
    return local.date()


def daily_news_batch_claim(*, day: date, after: int, now: datetime) -> tuple[list[int], int | None]:
    """Claim for ``day`` up to ``BATCH`` of the members after id ``after`` who chose the
    news (see the module): return the ids this run claimed, and the last id looked at
    (None: no member left)."""
    sql = _CLAIM_SQL.format(
        user=connection.ops.quote_name(User._meta.db_table),
        delivery=connection.ops.quote_name(DailyNewsDelivery._meta.db_table),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"after": after, "n": BATCH, "day": day, "now": now,
                             "stale": now - STALE_AFTER})
        last, claimed = cursor.fetchone()
    return list(claimed or []), last


def daily_news_start(*, now: datetime | None = None) -> int:
    """From the operator's hour on, claim the day's news of every member who chose it and
    enqueue a task per batch; return how many members were claimed (0 before the hour, or
    when another run claimed them)."""
    from .tasks import send_daily_news_batch  # the tasks call this module

    now = now or timezone.now()
    day = news_day(now)
    if day is None:
        return 0
    DailyNewsDelivery.objects.filter(day__lt=day - timedelta(days=KEPT_DAYS)).delete()
    claimed_count, after = 0, 0
    while True:
        claimed, last = daily_news_batch_claim(day=day, after=after, now=now)
        if claimed:
            send_daily_news_batch.enqueue(day=day.isoformat(), member_ids=claimed)
            claimed_count += len(claimed)
        if last is None:
            return claimed_count
        after = last


def daily_news_send(*, member_id: int, day: date, now: datetime | None = None,
                    smtp=None) -> bool:
    """Mail one member their news of ``day`` if their claim is not done and no other worker
    holds it; mark it done (mailed, or empty: no mail). Return whether a mail went. A
    failure to send raises, the claim left not done."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the claim, so that two workers given the same member cannot both mail them;
        # one that finds it held skips it (the other mails it).
        delivery = (
            DailyNewsDelivery.objects.select_for_update(skip_locked=True)
            .filter(member_id=member_id, day=day, sent_at__isnull=True).first()
        )
        if delivery is None:
            return False
        member = (User.objects.select_related("profile")
                  .filter(pk=member_id, is_active=True, daily_news=True).first())
        message = None
        if member is not None:
            news = news_for(member, since=news_since(member, now), now=now, today=day)
            if not news.is_empty:
                message = news_message(news)
        if message is not None:
            mail.send(message, connection=smtp)
        delivery.sent_at, delivery.mailed = now, message is not None
        delivery.save(update_fields=["sent_at", "mailed"])
    return message is not None


def _failed(*, member_id: int, day: date, error: BaseException, final: bool) -> None:
    """Record a failed attempt; a refusal that would only be repeated (no such mailbox)
    closes the claim without a mail, so that it does not hold up the batch."""
    changes = {"last_error": str(error)[:300], "attempts": F("attempts") + 1}
    if final:
        changes["sent_at"] = timezone.now()
    # Counted in the database: a worker retrying the batch may fail on the same member.
    DailyNewsDelivery.objects.filter(
        member_id=member_id, day=day, sent_at__isnull=True
    ).update(**changes)


def daily_news_batch_send(*, day: date, member_ids: list[int]) -> int:
    """Mail the news of ``day`` to each member of a batch (``daily_news_send``) over one
    connection to the mail server; return how many mails went. A failure that may pass
    stops the batch and raises, for the task to be tried again (those done are skipped
    then)."""
    sent = 0
    smtp = get_connection()
    smtp.open()  # one session for the batch (raises at once while the server is away)
    try:
        for member_id in member_ids:
            try:
                sent += daily_news_send(member_id=member_id, day=day, smtp=smtp)
            except OSError as error:
                final = not transient(error)
                _failed(member_id=member_id, day=day, error=error, final=final)
                if not final:
                    raise
                logger.warning("Daily news for member %s refused: %s", member_id, error)
    finally:
        smtp.close()
    return sent


def daily_news_unsubscribe(*, member_id: int) -> User | None:
    """Stop the daily news of member ``member_id`` (from the link of a mail, no login);
    None when there is no such active member."""
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is not None:
        daily_news_set(member=member, on=False)
    return member
