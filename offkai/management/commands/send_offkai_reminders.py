from django.core.management.base import BaseCommand

from offkai.services import reminders_send


class Command(BaseCommand):
    help = (
        "Remind those attending (and the hosts) of the off-kai starting in the next 24 hours, "
        "once per start time. Run it from cron every 15 minutes."
    )

    def handle(self, *args, **options):
        count = reminders_send()
        self.stdout.write(f"Reminded {count} members.")
