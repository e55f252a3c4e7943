from django.core.management.base import BaseCommand, CommandError

from accounts.services import names_policy_switched
from sns.models import SitePolicy
from sns.site_policy import identity_policy

POLICIES = [choice.value for choice in SitePolicy.Identity]


class Command(BaseCommand):
    help = (
        "After changing IDENTITY_POLICY in the environment (a change in the admin does this "
        "by itself): keep members' real names as private as they were under the policy given "
        "with --from. Turning to nicknames sets 'only me' on the real names that were shown; "
        "turning from nicknames to the members' choice keeps everyone under their nickname."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="before", required=True, choices=POLICIES,
                            help="The identity policy the site had before.")

    def handle(self, *args, before: str, **options):
        after = identity_policy()
        if before == after:
            raise CommandError(f"The site's identity policy is {after} already.")
        changed = names_policy_switched(before=before, after=after)
        self.stdout.write(f"{before} → {after}: {changed} profiles changed.")
