"""After the event, for its hosts only: who came (one form for the page), the guests who came,
and inviting a guest to the site. An event the member does not host, or one that has not
started or was cancelled, is a 404 here."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors.connections import cards
from invites.selectors import invitations_left, invite_refusal
from sns.client_input import id_or_none
from sns.errors import Refused

from .. import selectors, services
from ..forms import GuestForm
from ..models import Event, Guest

ANSWERS_PER_PAGE = 100


def _event_or_404(request, pk: int) -> Event:
    return get_object_or_404(selectors.hosted_started(request.user), pk=pk)


def _ids(values: list[str]) -> list[int]:
    return [pk for value in values if (pk := id_or_none(value)) is not None]


def _render(request, event: Event, guest_form: GuestForm | None = None):
    viewer = request.user
    hosts = selectors.hosts_with_attendance(event)
    page = Paginator(
        selectors.answers_to_confirm(event, hosts), ANSWERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    people = cards(viewer, [*hosts, *(a.user for a in page.object_list)])
    host_rows = [(h, shown, h.attended) for h, shown in people[: len(hosts)]]
    answer_rows = [
        (a.user, shown, a)
        for a, (_member, shown) in zip(page.object_list, people[len(hosts):], strict=True)
    ]
    guests = selectors.guests_of(event)
    # A host who may not invite at all is told why, not offered what is left of a quota.
    refusal = invite_refusal(viewer)
    if guest_form is None:
        guest_form = GuestForm(choices=selectors.brought_by_choices(event, hosts))
    return render(request, "offkai/attendance.html", {
        "event": event,
        # The hosts head the first page; the answers follow, page by page.
        "host_rows": host_rows if page.number == 1 else [],
        "answer_rows": answer_rows,
        "page": page,
        "guests": guests,
        "guest_form": guest_form,
        "guests_full": len(guests) >= selectors.GUESTS_MAX,
        "invite_refusal": refusal,
        "invites_left": None if refusal else invitations_left(viewer),
    })


@require_http_methods(["GET", "POST"])
def attendance(request, pk: int):
    event = _event_or_404(request, pk)
    if request.method == "POST":
        try:
            services.attendance_confirm(
                event=event, by=request.user,
                came_ids=_ids(request.POST.getlist("came")),
                shown_ids=_ids(request.POST.getlist("shown")),
            )
        except Event.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("Saved who came."))
        page = id_or_none(request.GET.get("page"))
        url = reverse("offkai:attendance", args=[event.pk])
        return redirect(f"{url}?page={page}" if page is not None else url)
    return _render(request, event)


@require_POST
def guest_add(request, pk: int):
    event = _event_or_404(request, pk)
    choices = selectors.brought_by_choices(event, selectors.hosts_with_attendance(event))
    form = GuestForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            guest = services.guest_add(
                event=event, by=request.user, name=form.cleaned_data["name"],
                email=form.cleaned_data["email"], brought_by_id=form.cleaned_data["brought_by"],
            )
        except Event.DoesNotExist:
            raise Http404 from None
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was added to the guests.") % {"name": guest.name})
            return redirect(reverse("offkai:attendance", args=[event.pk]) + "#guests")
    return _render(request, event, guest_form=form)


@require_POST
def guest_invite(request, pk: int, guest_id: int):
    guest = get_object_or_404(
        Guest.objects.filter(event__in=selectors.hosted_started(request.user)),
        pk=guest_id, event_id=pk,
    )
    try:
        invitation = services.guest_invite(guest=guest, by=request.user)
    except Guest.DoesNotExist:
        raise Http404 from None
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("An invitation is on its way to %(email)s.")
                         % {"email": invitation.email})
    return redirect(reverse("offkai:attendance", args=[pk]) + "#guests")
