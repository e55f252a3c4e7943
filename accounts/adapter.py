from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from .middleware import member_language_activate


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Members join only through an invitation (invites.views), never the open form.
        return False

    def login(self, request, user) -> None:
        """Log in, and from here on speak the member's chosen language: the request began
        anonymous, in the browser's language, and allauth's "signed in" message and the
        redirect that follow belong to the member."""
        super().login(request, user)
        member_language_activate(request, user)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth puts the host name in the key: a site reached by two names would allow
        # each account twice the failed logins. One site, one count per account.
        return credentials.get("email", credentials.get("username", "")).lower()

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mail (email confirmation, password reset, security notices) rendered
        here in the request, as allauth renders it (its language, its links), and sent by a
        background task that tries again while the mail server is down (sns.mail_retry): a
        reset asked for during an outage is not lost, and the page never waits on the mail
        server."""
        from .tasks import send_account_mail

        request = allauth_context.request
        message = self.render_mail(template_prefix, email, {
            "request": request, "email": email, "current_site": get_current_site(request),
            **context,
        })
        html = next((content for content, kind in getattr(message, "alternatives", [])
                     if kind == "text/html"), "")
        send_account_mail.enqueue(
            subject=message.subject, body=message.body, from_email=message.from_email,
            to=list(message.to), html=html, headers=dict(message.extra_headers),
            html_only=message.content_subtype == "html",
        )
