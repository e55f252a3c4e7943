from django.core.management.base import BaseCommand

from sns.policy.services import invitations_refill


class Command(BaseCommand):
    help = (
        "Give members in good standing one more invitation when the site policy's refill "
        "period has passed (run daily from cron; running it again the same day changes nothing)."
    )

    def handle(self, *args, **options):
        count = invitations_refill()
        self.stdout.write(f"Refilled the invitations of {count} member(s).")
