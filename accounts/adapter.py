from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from django.contrib.sites.shortcuts import get_current_site

from .middleware import member_language_activate
from .selectors.known_devices import known_device_id, known_device_remember

# allauth's limiter (the one its own "login_failed" uses, with the rollback a successful login
# needs) for the ceiling per account; its rate is ACCOUNT_RATE_LIMITS[ACCOUNT_CEILING].
ACCOUNT_CEILING = "login_failed_account"


def _login(credentials: dict) -> str:
    return credentials.get("email", credentials.get("username", "")).lower()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Members join only through an invitation (invites.views.invitations), never the open form.
        return False

    def login(self, request, user) -> None:
        """Log in, and from here on speak the member's chosen language: the request began
        anonymous, in the browser's language, and allauth's "signed in" message and the
        redirect that follow belong to the member."""
        super().login(request, user)
        member_language_activate(request, user)

    # --- failed logins ----------------------------------------------------------------------
    # Three limits (sns/settings.py, LOGIN_FAILURES_*): per address whatever the account, and,
    # for one account, per client (the address, or a browser the member logged in on before)
    # and a higher ceiling over all the clients it never logged in on. A stranger who knows a
    # member's address thus uses up their own client's allowance and, at worst, the ceiling,
    # but never the member's own browser's (accounts.selectors.known_devices).

    def _login_client(self, request, login: str) -> str:
        # Asked twice per login (the key, then the ceiling): the answer may read the database.
        known = getattr(request, "_login_clients", None)
        if known is None:
            known = request._login_clients = {}
        if login not in known:
            device = known_device_id(request, login)
            known[login] = f"device:{device}" if device else f"ip:{ratelimit.get_ip(request)}"
        return known[login]

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth puts the host name in the key: a site reached by two names would allow
        # each account twice the failed logins. One site, one count per account and client.
        login = _login(credentials)
        return f"{login}:{self._login_client(request, login)}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        login = _login(credentials)
        self._account_rl_usage = None
        if self._login_client(request, login).startswith("device:"):
            return
        self._account_rl_usage = ratelimit.consume(
            request, app="allauth.account", action=ACCOUNT_CEILING, key=login
        )
        if not self._account_rl_usage:
            # Refused before the password was tried: not a failure of this client's.
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        # A login that succeeds (or is refused unheard) takes nothing from any allowance.
        super()._rollback_login_failed_rl_usage()
        if usage := getattr(self, "_account_rl_usage", None):
            usage.rollback()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # After a password reset (the member proved they read the mail): the ceiling too.
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(request, app="allauth.account", action=ACCOUNT_CEILING,
                        key=_login(credentials))

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        known_device_remember(request=request, response=response, user=user)
        return response

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
