"""The site policy on every page: a member who joined while the site approves each newcomer
sees only the waiting page until then, and a member who has not accepted the current rules
is asked to accept them before going on."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .site_policy import rules_pending

# Pages a member may open whatever their standing: leaving, confirming an address (which
# comes before logging in), and the policy pages themselves. The site's own views say so
# with ``policy_exempt``; these belong to allauth.
_EXEMPT_URL_NAMES = frozenset({"account_logout", "account_confirm_email"})


def policy_exempt(view_func):
    """Mark a view that a member waiting for approval, or who has not accepted the rules yet,
    may still open (logout, the policy pages, the language switch)."""
    view_func.policy_exempt = True
    return view_func


def public_where_allowed(view):
    """Open ``view`` to visitors who are not logged in where the site has public pages (it
    shows them only PUBLIC entries); elsewhere they are sent to log in as on any page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and not settings.SITE_PUBLIC_PAGES:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return login_not_required(wrapper)


class SitePolicyMiddleware:
    """After authentication: keeps members who may not use the site yet on the page that
    tells them why. Costs no query: the member is loaded already, the policy is kept by the
    process (``sns.site_policy.policy_current``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or self._exempt(request, view_func):
            return None
        if user.awaiting_approval:
            return redirect("policy_waiting")
        if rules_pending(user):
            url = reverse("policy_accept")
            if request.method in ("GET", "HEAD"):
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return None

    @staticmethod
    def _exempt(request, view_func) -> bool:
        if getattr(view_func, "policy_exempt", False):
            return True
        match = request.resolver_match
        if match is not None and match.url_name in _EXEMPT_URL_NAMES:
            return True
        if match is not None and match.namespace == "admin" and request.user.is_staff:
            # Moderators must be able to work (approve the waiting) whatever the rules say.
            return True
        # Static files served through Django in development (whitenoise serves them before us).
        return request.path.startswith(settings.STATIC_URL)


NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(request) -> bool:
    """Whether the path, a query parameter or a form field (name or value) holds NUL."""
    if NUL in request.path:
        return True
    found = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        found.append(request.POST)
    return any(
        NUL in name or any(NUL in value for value in values)
        for data in found for name, values in data.lists()
    )


class NulRefusalMiddleware:
    """Refuse, with a 400 page that says why, a request holding a NUL character (U+0000).

    PostgreSQL cannot store NUL in text, so such a value would fail deep inside a view, as a
    server error, wherever it reached the database (a comment, a search, a token in a URL);
    no one types it, and no form of the site could keep it. Placed after the member's
    language is set, so that the page is in their language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            from .views import nul_refused  # sns.views imports this module's policy_exempt

            return nul_refused(request)
        return self.get_response(request)
