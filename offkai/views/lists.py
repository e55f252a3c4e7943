"""Finding off-kai: the upcoming list (mine first, then friends', then my communities'), past
events, a month calendar and a community's events. Reads come from ``offkai.selectors``;
each page takes a fixed number of queries."""

from __future__ import annotations

from itertools import groupby

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from communities.models import Community, Membership

from .. import selectors


@require_GET
def upcoming(request):
    page = Paginator(selectors.upcoming(request.user), selectors.EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    groups = [
        (selectors.GROUP_LABELS[group], list(events))
        for group, events in groupby(page.object_list, key=lambda event: event.group)
    ]
    return render(request, "offkai/list.html", {"page": page, "groups": groups})


@require_GET
def past(request):
    page = Paginator(selectors.past(request.user), selectors.EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "offkai/past.html", {"page": page})


@require_GET
def month(request, year: int, month: int):
    """One month, weeks as rows: Sunday first in Japanese (as Japanese calendars are),
    Monday first in English."""
    if not selectors.month_exists(year, month):
        raise Http404
    shown = selectors.month(
        request.user, year, month, sunday_first=(get_language() or "").startswith("ja")
    )
    return render(request, "offkai/month.html", {"month": shown})


@require_GET
def community_events(request, pk: int):
    """A community's coming events, or its past ones with ``?show=past``; a 404 for whoever
    may not see the community."""
    community = get_object_or_404(Community.objects.visible_to(request.user), pk=pk)
    ended = request.GET.get("show") == "past"
    page = Paginator(
        selectors.of_community(request.user, community, ended=ended), selectors.EVENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    is_member = Membership.objects.filter(community=community, user=request.user).exists()
    return render(request, "offkai/community.html", {
        "community": community, "page": page, "ended": ended,
        "can_create": is_member and not community.is_closed,
    })
