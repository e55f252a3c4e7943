"""Who is in a community: the member list, joining (and asking to), leaving, inviting a
friend, the admins' join requests and roles. Actions are POSTs that call a service and come
back to the community's page (or the list they were taken from)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.selectors.connections import cards
from sns.errors import Refused

from .. import selectors, services
from ..forms import JoinRequestForm
from ..models import Community, JoinRequest

MEMBERS_PER_PAGE = 50
REQUESTS_PER_PAGE = 50


@require_GET
def members(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    page = Paginator(
        selectors.community_members(community, request.user), MEMBERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "communities/members.html", {
        "community": community, "membership": membership, "page": page,
        "cards": cards(request.user, selectors.with_roles(page.object_list)),
    })


@require_GET
def requests(request, pk: int):
    community, membership = selectors.moderated_or_404(request.user, pk)
    pending = JoinRequest.objects.filter(community=community).select_related("user__profile")
    page = Paginator(pending, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = cards(request.user, [r.user for r in page.object_list])
    return render(request, "communities/requests.html", {
        "community": community, "membership": membership, "page": page,
        "rows": list(zip(page.object_list, shown, strict=True)),
    })


def _act(request, community: Community, work, done: str):
    """Run ``work`` (a service call): its refusal is told as an error, else ``done``; back to
    the community's page either way."""
    try:
        work()
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(community)


@require_POST
def join(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    if "withdraw" in request.POST:
        services.join_request_withdraw(community=community, user=request.user)
        messages.success(request, _("Your request to join was withdrawn."))
        return redirect(community)
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        result = services.membership_join(community=community, user=request.user, message=message)
    except Refused as error:
        messages.error(request, str(error))
    else:
        if isinstance(result, JoinRequest):
            messages.success(request, _("Your request to join was sent to the admins."))
        else:
            messages.success(request, _("You joined the community."))
    return redirect(community)


@require_POST
def leave(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    return _act(request, community, lambda: services.membership_leave(
        community=community, user=request.user
    ), _("You left the community."))


@require_POST
def invite(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    try:
        invitee_id = int(request.POST.get("invitee") or 0)
    except ValueError:  # not a number: no such member
        raise Http404 from None
    invitee = get_object_or_404(User, pk=invitee_id, is_active=True)
    return _act(request, community, lambda: services.community_invite(
        community=community, inviter=request.user, invitee=invitee
    ), _("Your friend was invited."))


@require_POST
def decide(request, pk: int, request_id: int):
    community, _moderator = selectors.moderated_or_404(request.user, pk)
    get_object_or_404(JoinRequest, pk=request_id, community=community)
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(request_id=request_id, by=request.user, approve=approve)
    except JoinRequest.DoesNotExist:
        messages.info(request, _("This request was already decided."))
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The request was approved.") if approve else _("The request was refused.")
        )
    return redirect("communities:requests", community.pk)


@require_POST
def role(request, pk: int, user_id: int):
    """The admin's actions on one member: make admin, sub-admin, plain member, or remove."""
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    if membership is None or not membership.is_admin:
        raise Http404
    target = get_object_or_404(User, pk=user_id)
    action = request.POST.get("action")
    actions = {
        "admin": (lambda: services.admin_hand_over(
            community=community, by=request.user, to=target
        ), _("The admin role was handed over.")),
        "subadmin": (lambda: services.subadmin_set(
            community=community, by=request.user, user=target, on=True
        ), _("The member is now a sub-admin.")),
        "member": (lambda: services.subadmin_set(
            community=community, by=request.user, user=target, on=False
        ), _("The member is no longer a sub-admin.")),
        "remove": (lambda: services.member_remove(
            community=community, by=request.user, user=target
        ), _("The member was removed.")),
    }
    if action not in actions:
        raise Http404
    work, done = actions[action]
    try:
        work()
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("communities:members", community.pk)
