"""Background work of the site policy: the approval email and the invitation refill."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from accounts.models import User
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
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "member": member,
            "name": member.display_name,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL.rstrip("/") + reverse("home"),
        }
        subject = render_to_string("sns/email/member_approved_subject.txt", context).strip()
        text = render_to_string("sns/email/member_approved.txt", context)
        html = render_to_string("sns/email/member_approved.html", context)
    message = EmailMultiAlternatives(subject, text, to=[member.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


@task()
def refill_invitations() -> int:
    """Give members in good standing their periodic invitation (``invitations_refill``)."""
    return invitations_refill()
