"""One off-kai: create, edit, cancel, its page, answers (RSVP), the hosts' list of answers
(and its CSV), comments. Every read goes through ``Event.objects.visible_to``; host-only
pages are the same 404 as nothing to everyone else. Writes are service calls."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors.connections import cards
from communities.models import Community
from sns import cache
from sns.comments import CommentForm, comment_cards, comment_post, comment_remove, draft_form
from sns.errors import Refused
from sns.likes import like_states
from sns.middleware import public_where_allowed
from sns.paging import cursor_decode, cursor_encode

from .. import selectors, services
from ..forms import CancelForm, EventForm, add_service_errors
from ..models import RSVP, Answer, Event, EventComment

# --- writing -------------------------------------------------------------------------------


def _chosen_community(request) -> dict:
    """``?community=<id>`` preselects a community the member may hold an off-kai in."""
    try:
        pk = int(request.GET.get("community") or 0)
    except ValueError:
        return {}
    community = (
        Community.objects.open_ones().filter(pk=pk, memberships__user=request.user).first()
    )
    if community is None:
        return {}
    return {"community": community, "visibility": "community"}


@require_http_methods(["GET", "POST"])
def event_new(request):
    form = EventForm(request.POST or None, user=request.user,
                     initial=_chosen_community(request) if request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                creator=request.user, **form.event_fields(), co_hosts=form.co_host_users()
            )
        except Refused as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your off-kai was created."))
            return redirect(event)
    return render(request, "offkai/form.html", {"form": form, "event": None})


@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = selectors.hosted_event_or_404(request.user, pk)
    if event.is_cancelled:
        messages.error(request, _("A cancelled off-kai cannot be changed."))
        return redirect(event)
    form = EventForm(request.POST or None, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(
                event=event, by=request.user, **form.event_fields(),
                co_hosts=form.co_host_users(),
            )
        except Refused as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The off-kai was saved."))
            return redirect(event)
    return render(request, "offkai/form.html", {"form": form, "event": event})


@require_http_methods(["GET", "POST"])
def event_cancel(request, pk: int):
    """GET asks for the reason; POST cancels and tells everyone who answered."""
    event = selectors.hosted_event_or_404(request.user, pk)
    if event.is_cancelled:
        messages.info(request, _("This off-kai is already cancelled."))
        return redirect(event)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(event=event, by=request.user,
                                  reason=form.cleaned_data["reason"])
        except Refused as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The off-kai was cancelled. Everyone who answered "
                                        "will be told."))
            return redirect(event)
    return render(request, "offkai/cancel.html", {"form": form, "event": event})


# --- reading -------------------------------------------------------------------------------

@public_where_allowed
@require_GET
def detail(request, pk: int):
    """An off-kai, its answers and comments. The page's content is kept as HTML per viewer
    ({% part %} in the template, sns.cache.rendered), built by ``_detail_page`` only when
    something it showed changed, or a moment it shows passes (answers close, it ends);
    whether the viewer may open it is asked on every request (one lookup of a kept part,
    ``_detail_head``). The comment form, which holds a refused draft, is outside."""
    viewer = request.user
    head = _detail_head(viewer, pk)
    if head is None:
        raise Http404
    title, cancelled = head
    before = request.GET.get("comments_before")
    cursor = cursor_decode(before)
    # The page of attendees as read (a malformed or overlong one is the first), the same
    # number in the part's key and for the page, so that no request makes a key of its own.
    number = request.GET.get("page", "")
    attendees_page = int(number) if number.isascii() and number.isdigit() and len(
        number) < 6 else 1
    return render(request, "offkai/detail.html", {
        "title": title,
        "event_pk": pk,
        # The part's key: each value as read (a malformed cursor: the latest comments).
        "attendees_page": attendees_page,
        "comments_before": cursor_encode(*cursor) if cursor else "",
        "showing_earlier": bool(before),
        "page": SimpleLazyObject(lambda: _detail_page(viewer, pk, attendees_page, before)),
        "can_comment": viewer.is_authenticated and not cancelled,
        "cancelled": cancelled,
        "comment_form": draft_form(request, f"offkai:{pk}", CommentForm),
    })


def _detail_scopes(viewer, pk: int) -> list:
    """What decides whether ``viewer`` may open off-kai ``pk``: the off-kai (its level,
    hosts, hiding), the viewer's friends, blocks and communities, members' standing."""
    return [cache.event(pk), cache.friends(viewer), cache.blocks(viewer),
            cache.memberships(viewer), cache.PEOPLE]


def _detail_head(viewer, pk: int) -> tuple[str, bool] | None:
    """The off-kai's title and whether it was cancelled, if ``viewer`` may open it; else
    None. Kept (sns.cache) under ``_detail_scopes``."""

    def head() -> tuple[str, bool] | None:
        try:
            event = selectors.event_or_404(viewer, pk)
        except Http404:
            return None
        return event.title, event.is_cancelled

    return cache.cached("offkai-head", _detail_scopes(viewer, pk), head, key=(pk, viewer.pk))


def _detail_page(viewer, pk: int, attendees_page: int, comments_before: str | None) -> dict:
    """What the off-kai's page shows ``viewer``, each read declared before it is read (but
    the names of those it shows: a rename is late by at most the part's timeout)."""
    # Who answered, too.
    cache.depends_on(*_detail_scopes(viewer, pk), cache.answers(pk))
    event = selectors.event_or_404(viewer, pk)
    # Answers close, it starts, it ends: each changes the page without a write.
    now = timezone.now()
    moments = [m for m in (event.answers_close_at, event.starts_at, event.ends_at) if m > now]
    if moments:
        cache.holds_until(min(moments))
    hosts = selectors.hosts(event)
    is_host = viewer.is_authenticated and any(h.pk == viewer.pk for h in hosts)
    counts = RSVP.objects.filter(event=event).counts()
    mine, position = selectors.my_answer(event, viewer)
    attendees = Paginator(
        selectors.attendees(event, viewer), selectors.ATTENDEES_PER_PAGE
    ).get_page(attendees_page)
    attending = list(attendees.object_list)
    comments, earlier = selectors.comments_page(event, comments_before)
    commenters = [c.author for c in comments if c.author_id is not None]
    relations = selectors.relations_for(viewer, hosts, attending, commenters)
    community = event.community
    if community is not None:
        cache.depends_on(cache.community(community))
    community_visible = community is not None and (
        Community.objects.visible_to(viewer).filter(pk=community.pk).exists()
    )
    cache.depends_on(*{cache.member(m) for m in [*hosts, *attending, *commenters]})
    # The likes of the off-kai and of the comments shown, in one query.
    cache.depends_on(cache.likes("offkai", event.pk))
    like_states(viewer, [event, *comments])
    places_left = None
    if event.capacity is not None:
        places_left = max(event.capacity - counts["places"], 0)
    return {
        "event": event,
        "hosts": cards(viewer, hosts, relations),
        "is_host": is_host,
        "counts": counts,
        "places_left": places_left,
        "mine": mine,
        "position": position,
        "guest_choices": range(event.guest_limit + 1),
        "can_answer": viewer.is_authenticated and event.answers_open,
        "attendees": attendees,
        "attendee_cards": cards(viewer, attending, relations),
        "community_visible": community_visible,
        "cards": comment_cards(
            viewer, comments, deletes_any=is_host, relations=relations,
            delete_url=lambda c: reverse("offkai:comment_delete", args=[event.pk, c.pk]),
        ),
        "comment_count": EventComment.objects.filter(event=event, hidden_at__isnull=True)
        .filter(Q(author__isnull=True) | Q(author__is_active=True)).count(),
        "earlier_comments": earlier,
    }


@require_GET
def answers(request, pk: int):
    """The hosts' list: every answer, grouped, with counts and the places taken."""
    event = selectors.hosted_event_or_404(request.user, pk)
    page = Paginator(selectors.answer_rows(event), selectors.ANSWERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    relations = selectors.relations_for(request.user, [r.user for r in rows])
    return render(request, "offkai/answers.html", {
        "event": event,
        "page": page,
        "rows": list(zip(rows, cards(request.user, [r.user for r in rows], relations),
                         strict=True)),
        "counts": RSVP.objects.filter(event=event).counts(),
    })


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (names are members' text)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
def answers_csv(request, pk: int):
    """The answers as CSV for the hosts: shown name, answer, guests, answered at (site time
    zone), waitlist position, profile URL. No email addresses: members do not show them to
    each other on the site, and a host reaches them through the event page; a list that
    leaves the site should carry no more than the site shows. UTF-8 with a BOM, so that
    Excel (in Japan too) opens it with the right characters."""
    event = selectors.hosted_event_or_404(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="offkai-{event.pk}-answers.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Answer"), _("Guests"), _("Answered at"),
                     _("Waitlist position"), _("Profile")])
    labels = dict(Answer.choices)
    base = request.build_absolute_uri("/").rstrip("/")
    for row in selectors.answer_rows(event).iterator(chunk_size=500):
        writer.writerow([
            _cell(row.user.display_name),
            labels[row.answer],
            row.guests,
            timezone.localtime(row.answered_at).strftime("%Y-%m-%d %H:%M"),
            row.position if row.answer == Answer.WAITLISTED else "",
            base + row.user.get_absolute_url(),
        ])
    return response


# --- answering -----------------------------------------------------------------------------

def _done_message(answer: RSVP, position: int | None) -> str:
    if answer.answer == Answer.ATTENDING:
        return _("You are attending. See you there!")
    if answer.answer == Answer.WAITLISTED:
        return _("The off-kai is full: you are on the waitlist (number %(n)d). You will be "
                 "told when a place frees up.") % {"n": position or 1}
    if answer.answer == Answer.MAYBE:
        return _("Your answer was saved: maybe.")
    return _("Your answer was saved: not attending.")


@require_POST
def rsvp(request, pk: int):
    event = selectors.event_or_404(request.user, pk)
    try:
        if "withdraw" in request.POST:
            services.rsvp_withdraw(event_id=event.pk, user=request.user)
            done = _("Your answer was withdrawn.")
        else:
            try:
                guests = int(request.POST.get("guests") or 0)
            except ValueError:
                raise Refused(_("Choose how many guests you bring.")) from None
            answer = services.rsvp_answer(
                event_id=event.pk, user=request.user,
                answer=request.POST.get("answer", ""), guests=guests,
            )
            done = _done_message(answer, selectors.my_answer(event, request.user)[1])
    except Event.DoesNotExist:
        raise Http404 from None
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(event.get_absolute_url() + "#rsvp")


# --- comments ------------------------------------------------------------------------------

@require_POST
def comment_create(request, pk: int):
    event = selectors.event_or_404(request.user, pk)
    return comment_post(
        request, thread=f"offkai:{event.pk}", page_url=event.get_absolute_url(),
        create=lambda body: services.event_comment_create(
            event_id=event.pk, author=request.user, body=body
        ),
    )


@require_POST
def comment_delete(request, pk: int, comment_id: int):
    event = selectors.event_or_404(request.user, pk)

    def delete():
        EventComment.objects.get(pk=comment_id, event=event)  # on this off-kai, or a 404
        services.event_comment_delete(comment_id=comment_id, by=request.user)

    return comment_remove(request, delete=delete, page_url=event.get_absolute_url())
