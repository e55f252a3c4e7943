from django.core.management.base import BaseCommand

from sns.dailynews.services import daily_news_start


class Command(BaseCommand):
    help = (
        "From the daily news hour (admin › Site policy, site time) on, hand each member who "
        "chose the daily news to a task that mails it, once a day. Run it from cron every "
        "hour; before the hour it does nothing, and runs on several machines at once mail "
        "nobody twice."
    )

    def handle(self, *args, **options):
        count = daily_news_start()
        self.stdout.write(f"Handed the daily news of {count} members to the workers.")
