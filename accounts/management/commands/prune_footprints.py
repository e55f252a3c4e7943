from django.core.management.base import BaseCommand

from accounts.selectors.footprints import FOOTPRINT_DAYS
from accounts.services import footprints_prune


class Command(BaseCommand):
    help = f"Delete footprints older than {FOOTPRINT_DAYS} days. Run it daily (cron)."

    def handle(self, *args, **options):
        count = footprints_prune()
        self.stdout.write(f"{count} footprint(s) older than {FOOTPRINT_DAYS} days removed.")
