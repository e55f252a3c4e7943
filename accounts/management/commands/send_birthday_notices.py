from django.core.management.base import BaseCommand

from accounts.services import birthday_notices_send


class Command(BaseCommand):
    help = (
        "Tell the friends who chose birthday notices of the birthdays of tomorrow (site "
        "time), once each. Run it from cron daily; hourly is safe."
    )

    def handle(self, *args, **options):
        count = birthday_notices_send()
        self.stdout.write(f"Told {count} friends of tomorrow's birthdays.")
