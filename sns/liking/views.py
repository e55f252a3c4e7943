"""イイネ!: the like and unlike buttons (a form that works without JavaScript; with it,
static/js/likes.js posts the same form and takes the answer as JSON) and who liked a thing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sns.client_input import next_path
from sns.errors import Refused
from sns.likes import like_states

from . import selectors, services
from .registry import spec_of


def _target_or_404(viewer, kind: str, pk: int):
    """The thing of ``kind`` and ``pk`` if ``viewer`` may see it; else 404, as if missing."""
    spec = spec_of(kind)
    if spec is None:
        raise Http404
    return spec, get_object_or_404(spec.visible(viewer), pk=pk)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def count_label(count: int) -> str:
    """The count as the button's neighbour says it ("3 likes")."""
    return ngettext("%(n)d like", "%(n)d likes", count) % {"n": count}


def _answer(request, spec, target, kind: str, pk: int, error: Refused | None = None):
    """After a like or an unlike: the new state as JSON for the script, else back to the page
    the button was on (its ``next``, a path on this site) or the thing's own."""
    if _wants_json(request):
        state = like_states(request.user, [target])[(kind, pk)]
        return JsonResponse({
            "liked": state.liked, "count": state.count, "count_label": count_label(state.count),
            "error": str(error) if error else "",
        }, status=429 if error else 200)
    if error:
        messages.error(request, str(error))
    return redirect(next_path(request, request.POST.get("next", "")) or spec.url(target))


@require_POST
def like(request, kind: str, pk: int):
    spec, target = _target_or_404(request.user, kind, pk)
    try:
        services.like_add(member=request.user, target=target)
    except Refused as error:
        return _answer(request, spec, target, kind, pk, error)
    return _answer(request, spec, target, kind, pk)


@require_POST
def unlike(request, kind: str, pk: int):
    spec, target = _target_or_404(request.user, kind, pk)
    services.like_remove(member=request.user, target=target)
    return _answer(request, spec, target, kind, pk)


@require_GET
def likers(request, kind: str, pk: int):
    """Who liked a thing: those of them the viewer may see, newest first."""
    spec, target = _target_or_404(request.user, kind, pk)
    people, next_cursor = selectors.likers_page(request.user, target, request.GET.get("before"))
    state = like_states(request.user, [target])[(kind, pk)]
    return render(request, "sns/likers.html", {
        "target": target, "target_url": spec.url(target), "target_title": spec.title(target),
        "kind": kind, "like": state,
        "people": people, "next_cursor": next_cursor,
        "showing_earlier": "before" in request.GET,
        "title": _("Who liked this"),
    })
