"""Off-kai calendars: one event's ``.ics`` (to whoever may see the event), a member's
private feed (no login: the secret in the URL is the key) and the page that shows that URL
and resets it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from sns.middleware import public_where_allowed

from .. import selectors, services
from ..models import Event

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@public_where_allowed
def event_ics(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    return _ics_response(selectors.event_ics(event), f"offkai-{event.pk}.ics")


@require_safe
@login_not_required
def feed(request, token: str):
    found = selectors.feed_by_token(token)
    if found is None:
        raise Http404
    name = _("%(site)s off-kai") % {"site": settings.SITE_NAME}
    response = _ics_response(selectors.feed_ics(found, name=name), "offkai.ics")
    # A secret URL: keep it out of shared caches and search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def feed_settings(request):
    if request.method == "POST":
        services.calendar_feed_reset(user=request.user)
        messages.success(request, _(
            "Your calendar feed has a new address. The old one no longer works: add the new "
            "one to your calendar app."
        ))
        return redirect("offkai:calendar")
    feed = services.calendar_feed_get_or_create(user=request.user)
    url = selectors.absolute_url(reverse("offkai:feed", args=[feed.token]))
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(request, "offkai/calendar.html", {
        "feed_url": url,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/render?"
        + urlencode({"cid": webcal}),
        "past_days": selectors.FEED_PAST_DAYS,
    })
