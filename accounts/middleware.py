from allauth.account.internal.stagekit import LOGIN_SESSION_KEY, unstash_login
from django.utils import translation


def member_language_activate(request, user) -> None:
    """Speak ``user``'s chosen language for the rest of ``request`` (nothing if they chose
    none: the browser's or the site's language stays)."""
    if user is not None and user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class MemberLanguageMiddleware:
    """Show a member the site in the language they chose in their settings: once logged in,
    and already between the password and the second factor, when allauth keeps the login
    pending in the session (the code page, its errors, the messages that follow)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            member_language_activate(request, user)
        elif LOGIN_SESSION_KEY in request.session:
            # Read only when a login is pending, so that other visitors pay no query.
            pending = unstash_login(request, peek=True)
            member_language_activate(request, pending.user if pending else None)
        return self.get_response(request)
