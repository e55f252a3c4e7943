from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from invites.services import invitation_create
from sns.errors import Refused


class Command(BaseCommand):
    help = "Invite EMAIL on behalf of the site (to bootstrap a new site) and print the link."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--message", default="", help="A personal message for the invitee.")
        parser.add_argument(
            "--no-mail", action="store_true", help="Only print the link; send no email."
        )

    def handle(self, *args, email, message, no_mail, **options):
        try:
            invitation = invitation_create(
                inviter=None, email=email, message=message, send=not no_mail
            )
        except Refused as error:
            raise CommandError(str(error)) from None
        link = settings.SITE_URL.rstrip("/") + reverse("invites:accept", args=[invitation.token])
        self.stdout.write(f"Invitation for {invitation.email}: {link}")
        self.stdout.write(f"It expires {invitation.expires_at:%Y-%m-%d %H:%M %Z}.")
