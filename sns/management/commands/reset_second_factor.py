from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from sns.second_factor import second_factor_reset


class Command(BaseCommand):
    help = (
        "Remove the authenticator app and recovery codes of the member with EMAIL (a lost "
        "phone). For the operator locked out of the admin; other members can be reset in "
        "the admin (Authenticators, action 'Reset the second factor')."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        member = User.objects.filter(email__iexact=email.strip()).first()
        if member is None:
            raise CommandError(f"No member has the address {email}.")
        removed = second_factor_reset(member=member)
        if not removed:
            self.stdout.write(f"{member.email} had no second factor set up.")
            return
        self.stdout.write(
            f"The second factor of {member.email} was reset. They log in with their password"
            + (" and set up an authenticator app again before the admin opens." if member.is_staff
               else ".")
        )
