"""The admin site for moderators: staff who passed a second factor, and nobody else.

Django admin's own login form would let a password alone in, so the site's login view does
not log anyone in: it sends visitors through allauth's login (which asks for the
authenticator code when the member has an app), staff without an app to set one up, and
staff whose session has no code yet to give one. Every admin page checks the session record
(``sns.second_factor.second_factor_passed``), not only the login.

Installed in place of ``django.contrib.admin`` (INSTALLED_APPS), so ``admin.site`` is this
site everywhere. Nothing here may import models at module level: Django imports this module
while it loads the apps.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_tasks_db.apps import TasksAppConfig


class ModeratorsAdminConfig(AdminConfig):
    default_site = "sns.admin_site.ModeratorsAdminSite"

    def ready(self):
        super().ready()  # registers every app's admin.py
        # After allauth's and django-tasks' own admin classes, which they replace.
        from . import admin_allauth, admin_tasks  # noqa: F401


class TasksConfig(TasksAppConfig):
    """django-tasks' results, under a name the admin shows in the moderator's language (the
    library's is an English string, not translatable)."""

    verbose_name = gettext_lazy("Background tasks")


class ModeratorsAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from .second_factor import second_factor_passed

        return super().has_permission(request) and second_factor_passed(request)

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Where every admin page sends those it does not let in (``?next=`` the page)."""
        from django.contrib.auth.views import redirect_to_login

        from .second_factor import has_authenticator_app

        next_url = self._next_url(request)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if not (user.is_active and user.is_staff):
            # Members have no business here; the admin does not exist for them.
            raise Http404
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if not has_authenticator_app(user):
            messages.warning(request, _(
                "Before the admin opens, moderators protect their account with an "
                "authenticator app (for example Google Authenticator, Microsoft Authenticator "
                "or 1Password). Set one up here; you may be asked to confirm your password "
                "first."
            ))
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        messages.info(request, _("To open the admin, enter a code from your authenticator app."))
        return HttpResponseRedirect(
            f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}"
        )

    def _next_url(self, request: HttpRequest) -> str:
        next_url = request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return next_url
        return reverse("admin:index", current_app=self.name)
