"""Background work of the daily news: one task per batch of members (services)."""

from datetime import date

from django_tasks import task

from sns.mail_retry import retried_when_mail_fails

from . import services


@task()
@retried_when_mail_fails
def send_daily_news_batch(*, day: str, member_ids: list[int]) -> int:
    """Mail the news of ``day`` (ISO, site time) to the members of a batch claimed for it;
    tried again while the mail server is down (those mailed are skipped then)."""
    return services.daily_news_batch_send(day=date.fromisoformat(day), member_ids=member_ids)
