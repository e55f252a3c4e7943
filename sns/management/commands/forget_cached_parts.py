from django.core.management.base import BaseCommand

from sns import cache


class Command(BaseCommand):
    help = (
        "Forget every page part kept in the Redis of CACHE_URL (sns/cache/). Run it after "
        "restoring the database from a backup or creating it anew: ids are reused, and parts "
        "of the old data would be shown. Sessions and login limits in the same Redis stay."
    )

    def handle(self, *args, **options):
        if not cache.in_use():
            self.stdout.write("No parts are kept (CACHE_URL is not a Redis): nothing to do.")
            return
        self.stdout.write(f"Forgot {cache.forget_all()} cached keys.")
