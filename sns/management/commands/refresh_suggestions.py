from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from sns.suggestions.selectors import SUGGESTIONS_FRESH_FOR
from sns.suggestions.services import suggestions_refresh


class Command(BaseCommand):
    help = (
        "Rank people-you-may-know again for members seen in the last DAYS days whose ranking "
        "is missing or stale. Run it from cron (hourly) so pages read a fresh ranking."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        now = timezone.now()
        members = User.objects.filter(
            is_active=True, last_login__gte=now - timedelta(days=days)
        ).filter(
            Q(profile__suggestions_computed_at__isnull=True)
            | Q(profile__suggestions_computed_at__lt=now - SUGGESTIONS_FRESH_FOR)
        )
        count = 0
        for member in members.iterator():
            suggestions_refresh(member=member)
            count += 1
        self.stdout.write(f"Ranked suggestions for {count} members.")
