"""イイネ!: the like and unlike buttons (a form that works without JavaScript; with it,
static/js/likes.js posts the same form and takes the answer as JSON) and who liked a thing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sns import cache
from sns.client_input import next_path
from sns.errors import Refused
from sns.likes import like_states
from sns.paging import cursor_decode, cursor_encode

from . import selectors, services
from .registry import page_scope, spec_of


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
    """Who liked a thing: those of them the viewer may see, newest first. Whether the viewer
    may see the thing is asked on every request; the list, the count and the viewer's button
    are kept as HTML per viewer ({% part %}), built by ``_likers_page`` only when something it
    showed changed: a like or an unlike on the thing's page, the viewer's friends or blocks,
    members' standing, a name shown."""
    spec, target = _target_or_404(request.user, kind, pk)
    cursor = cursor_decode(request.GET.get("before"))
    # The part's key and the button's way back: the cursor as read (a malformed one is the
    # latest likes).
    before = cursor_encode(*cursor) if cursor else ""
    return render(request, "sns/likers.html", {
        "target_url": spec.url(target), "target_title": spec.title(target),
        "kind": kind, "pk": pk, "before": before,
        "back": request.path + (f"?before={before}" if before else ""),
        "page": SimpleLazyObject(lambda: _likers_page(request.user, kind, target, before)),
        "showing_earlier": "before" in request.GET,
        "title": _("Who liked this"),
    })


def _likers_page(viewer, kind: str, target, before: str) -> dict:
    """What the kept part of "who liked this" shows ``viewer``, each read declared before it
    is read (but the names of those it shows: a rename is late by at most the part's
    timeout)."""
    cache.depends_on(page_scope(target), cache.friends(viewer), cache.blocks(viewer),
                     cache.PEOPLE)
    people, next_cursor = selectors.likers_page(viewer, target, before or None)
    cache.depends_on(*{cache.member(member.pk) for member, _shown in people})
    state = like_states(viewer, [target])[(kind, target.pk)]
    return {"people": people, "next_cursor": next_cursor, "like": state}
