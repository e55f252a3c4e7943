"""Background work of the site policy: the approval email and the invitation refill."""

from django_tasks import task

from accounts.models import User
from sns import mail
from sns.mail_retry import retried_when_mail_fails

from .services import invitations_refill


@task()
@retried_when_mail_fails
def send_approval_email(*, member_id: int) -> bool:
    """Tell a member, in their language, that a moderator approved them: they can log in and
    start. False when they are gone, inactive or (again) waiting."""
    member = User.objects.select_related("profile").filter(pk=member_id).first()
    if member is None or not member.is_active or member.awaiting_approval:
        return False
    message = mail.build(
        to=member.email, template="sns/email/member_approved",
        language=mail.member_language(member),
        context={"member": member, "name": member.display_name},
    )
    mail.send(message)
    return True


@task()
def refill_invitations() -> int:
    """Give members in good standing their periodic invitation (``invitations_refill``)."""
    return invitations_refill()
