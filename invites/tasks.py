"""Background work of the invites app."""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from accounts.models import User
from sns import mail
from sns.mail_retry import retried_when_mail_fails


@task()
@retried_when_mail_fails
def send_invitation_email(*, invitation_id: int, token: str) -> bool:
    """Mail the invitation link, as text and HTML, in the site's language; or, when the
    address is a member's, tell that member in the app instead (no link: nobody is to join
    with it). Returns whether a mail went out.

    The token travels with the task so that a resend in between (a new token) leaves this
    mail with a link that no longer works, never with a link that was not meant for it.
    """
    from . import services  # the services enqueue this task
    from .models import Invitation

    invitation = (
        Invitation.objects.select_related("inviter__profile").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.token != token or not invitation.is_pending:
        return False
    # Looked up here, after the inviter had their answer, so that inviting a member's
    # address costs the request nothing more than inviting anyone else.
    member = User.objects.filter(email__iexact=invitation.email).first()
    if member is not None:
        services.member_invited_notify(invitation=invitation, member=member)
        return False
    message = mail.build(
        to=invitation.email, template="invites/email/invitation",
        language=settings.LANGUAGE_CODE, context={
            "invitation": invitation,
            "inviter_name": invitation.inviter.display_name if invitation.inviter else "",
            "accept_url": mail.absolute_url(reverse("invites:accept", args=[token])),
        },
    )
    mail.send(message)
    return True
