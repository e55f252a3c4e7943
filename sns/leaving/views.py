"""/me/data/ (download my data) and /me/leave/ (delete my account)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import LeaveForm
from sns.errors import Refused

from .export import export_build, export_filename
from .services import member_leave


@require_http_methods(["GET", "POST"])
def data_download(request):
    """GET shows what the zip holds and a button; POST sends the zip."""
    if request.method == "POST":
        response = FileResponse(
            export_build(request.user), as_attachment=True, filename=export_filename(),
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "accounts/data.html")


@require_http_methods(["GET", "POST"])
def leave(request):
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = request.user
        language = member.language or translation.get_language() or settings.LANGUAGE_CODE
        try:
            member_leave(member=member, password=form.cleaned_data["password"],
                         delete_messages=form.cleaned_data["delete_messages"])
        except Refused as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            with translation.override(language):
                messages.success(request, _("Your account has been deleted."))
            response = redirect("home")
            # The landing page, and what follows, stays in the language they used.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                                samesite="Lax", secure=request.is_secure())
            return response
    return render(request, "accounts/leave.html", {"form": form})
