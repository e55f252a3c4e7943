from django.core.management.base import BaseCommand

from sns import cache


class Command(BaseCommand):
    help = (
        "How often each page part kept in Redis (sns/cache/) was found there, as counted by "
        "every process since the last --reset (each process adds its counts every "
        f"{cache.STATS_EVERY} lookups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="start counting again")

    def handle(self, *args, reset=False, **options):
        if not cache.in_use():
            self.stdout.write("No parts are kept (CACHE_URL is not a Redis): nothing counted.")
            return
        if reset:
            cache.stats_reset()
            self.stdout.write("Counting again from now.")
            return
        found = cache.stats()
        hits = sum(n[cache.HIT] for n in found.values())
        total = hits + sum(n[cache.MISS] for n in found.values())
        for name, n in sorted(found.items()):
            looked = n[cache.HIT] + n[cache.MISS]
            share = f"{n[cache.HIT] / looked:>8.1%}" if looked else f"{'–':>8}"
            self.stdout.write(f"{name:<20} {looked:>10} lookups {share} found, "
                              f"{n[cache.BUILT]} built ahead")
        if total:
            self.stdout.write(f"{'all':<20} {total:>10} lookups {hits / total:>8.1%} found")
        else:
            self.stdout.write("Nothing counted yet.")
