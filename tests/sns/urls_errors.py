"""URLs that fail on purpose, to render the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path

from sns.urls import handler400, handler403, handler404, handler500  # noqa: F401


@login_not_required
def bad(request):
    raise SuspiciousOperation("bad input")


@login_not_required
def forbidden(request):
    raise PermissionDenied


@login_not_required
def broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("fail/400/", bad),
    path("fail/403/", forbidden),
    path("fail/500/", broken),
    path("", include("sns.urls")),
]
