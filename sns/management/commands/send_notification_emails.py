from django.core.management.base import BaseCommand

from sns.notifications.mail import notification_emails_send


class Command(BaseCommand):
    help = (
        "Mail each member their notifications that waited NOTIFICATION_EMAIL_DELAY seconds, "
        "one message per member. Run every 5 minutes from cron; safe on several machines."
    )

    def handle(self, *args, **options):
        sent = notification_emails_send()
        self.stdout.write(f"{sent} message(s) sent.")
