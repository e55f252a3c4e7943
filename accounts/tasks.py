"""Background work of the accounts app."""

from django_tasks import task

from sns import mail
from sns.mail_retry import retried_when_mail_fails


@task()
def prune_footprints() -> int:
    """Delete footprints older than the 30 days members see; return how many went."""
    from .services import footprints_prune

    return footprints_prune()


@task()
@retried_when_mail_fails
def send_account_mail(*, subject: str, body: str, from_email: str, to: list[str],
                      html: str = "", headers: dict | None = None,
                      html_only: bool = False) -> None:
    """Send one of allauth's mails (email confirmation, password reset, security notices) as
    ``accounts.adapter`` rendered it in the request; tried again while the mail server is
    down."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers or None)
    if html_only:
        message.content_subtype = "html"
    elif html:
        message.attach_alternative(html, "text/html")
    mail.send(message)


@task()
def send_birthday_notices() -> int:
    """Tell friends of tomorrow's birthdays (``services.birthday_notices_send``)."""
    from .services import birthday_notices_send

    return birthday_notices_send()
