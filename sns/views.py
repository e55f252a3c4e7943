import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .middleware import policy_exempt


@login_not_required
@policy_exempt
@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the member's account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {"ja", "en"}:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def _error(request, status: int, title: str, text: str):
    return render(request, "error.html", {"title": title, "text": text}, status=status)


@login_not_required
def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"),
                  _("The request could not be understood. Please go back and try again."))


def nul_refused(request):
    """The answer to a request holding a NUL character (sns.middleware.NulRefusalMiddleware)."""
    return _error(request, 400, _("Bad request"), _(
        "What you sent contains an invisible control character (NUL) that the site cannot "
        "store. Please type or paste the text again without it, and send it once more."
    ))


@login_not_required
def permission_denied(request, exception=None):
    return _error(request, 403, _("Not allowed"),
                  _("You are not allowed to do this."))


@login_not_required
def page_not_found(request, exception=None):
    return _error(request, 404, _("Page not found"),
                  _("This page does not exist, or you cannot see it."))


@login_not_required
def server_error(request):
    """A page of its own that needs neither the database nor the base layout's context.

    Rendered without the request: the context processors read the member, whose session is
    in the database, which may be what failed (then they would fail again, and gunicorn
    would answer with its own bare page). A database that cannot be reached is a 503 that
    asks to come back soon, as a proxy or a browser retrying understands it.
    """
    unreachable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    html = loader.render_to_string("500.html", {"LANGUAGE_CODE": translation.get_language()})
    response = HttpResponse(html, status=503 if unreachable else 500)
    if unreachable:
        response["Retry-After"] = "10"
    return response


@login_not_required
@policy_exempt
def health(request):
    """For load balancers and the benchmark's floor: one indexed query, a tiny template.

    200 while the database answers (the newest member's id, read from the primary key's
    index); a database that does not answer is a 503 like any other page (server_error).
    """
    from django.template.loader import get_template

    from accounts.models import User

    User.objects.order_by("-pk").values_list("pk", flat=True).first()
    return HttpResponse(get_template("sns/health.html").render(),
                        headers={"Cache-Control": "no-store"})
