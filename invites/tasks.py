"""Background work of the invites app: thin wrappers over its services."""

from django_tasks import task

from sns.mail_retry import retried_when_mail_fails


@task()
@retried_when_mail_fails
def send_invitation_email(*, invitation_id: int, token: str) -> bool:
    """Mail the invitation link (or tell the member whose address it is); see
    ``services.invitation_mail_send``. Returns whether a mail went out."""
    # The services enqueue this task.
    from .services import invitation_mail_send

    return invitation_mail_send(invitation_id=invitation_id, token=token)
