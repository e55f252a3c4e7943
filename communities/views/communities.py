"""Finding and keeping communities: the lists (by category, search, my friends'), a
community's page and image, starting, editing and closing one. Every read goes through
``Community.objects.visible_to``, so a secret community is a 404 to whoever is not in it;
admin-only pages are a 404 to others too."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.selectors.connections import cards
from sns import images
from sns.errors import Refused

from .. import selectors, services
from ..forms import CommunityForm, JoinRequestForm
from ..models import Category, Community, CommunityInvitation, JoinRequest, Membership

COMMUNITIES_PER_PAGE = 20
MEMBERS_PREVIEW = 9
SEARCH_MAX_LENGTH = 100
FRIENDS_IN_PER_PAGE = 20
TOPICS_ON_COMMUNITY_PAGE = 5


@require_GET
def community_list(request, category: int | None = None):
    """Open communities the viewer may see, by category; ``?q=`` searches name and
    description (ILIKE, so Japanese substrings match; secret ones stay out for non-members)."""
    chosen = get_object_or_404(Category, pk=category) if category is not None else None
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    communities = (
        Community.objects.visible_to(request.user).open_ones()
        .select_related("category").with_member_count()
    )
    if chosen is not None:
        communities = communities.filter(category=chosen)
    if query:
        communities = communities.filter(
            Q(name__icontains=query) | Q(description__icontains=query)
        )
    mine = set(
        Membership.objects.filter(user=request.user).values_list("community_id", flat=True)
    )
    page = Paginator(communities, COMMUNITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "communities/list.html", {
        "page": page, "categories": Category.objects.all(), "chosen": chosen, "mine": mine,
        "query": query, "query_string": urlencode({"q": query}) if query else "",
    })



@require_GET
def friends_communities(request):
    """"Communities my friends are in"."""
    page = Paginator(selectors.friends_in(request.user), FRIENDS_IN_PER_PAGE).get_page(
        request.GET.get("page")
    )
    mine = set(
        Membership.objects.filter(
            user=request.user, community__in=[c.pk for c in page.object_list]
        ).values_list("community_id", flat=True)
    )
    return render(request, "communities/friends.html", {"page": page, "mine": mine})


@require_GET
def community_detail(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    members = selectors.community_members(community, request.user)
    preview = list(members[:MEMBERS_PREVIEW])
    context = {
        "community": community,
        "membership": membership,
        "members": cards(request.user, selectors.with_roles(preview)),
        "member_count": members.count(),
        "requested": JoinRequest.objects.filter(
            community=community, user=request.user
        ).exists(),
        "invited": CommunityInvitation.objects.filter(
            community=community, invitee=request.user
        ).exists(),
        "join_form": JoinRequestForm(),
        "topic_rows": selectors.with_shown_people(
            request.user,
            selectors.community_topics(request.user, community)[:TOPICS_ON_COMMUNITY_PAGE],
        ),
        "can_start": selectors.can_start_topic(community, membership),
    }
    if membership is not None and not community.is_closed:
        context["friends_to_invite"] = (
            User.objects.filter(is_active=True, friendships__friend=request.user)
            .exclude(community_memberships__community=community)
            .exclude(community_invitations__community=community)
            .select_related("profile").order_by("profile__nickname", "pk")[:200]
        )
    if membership is not None and membership.moderates:
        context["request_count"] = JoinRequest.objects.filter(community=community).count()
    return render(request, "communities/detail.html", context)


@require_GET
def image(request, pk: int, size: str):
    """One size of the community's image, to whoever may see the community."""
    if size not in images.SIZES:
        raise Http404
    community = selectors.community_or_404(request.user, pk)
    return images.private_response(community.image, size)


@require_http_methods(["GET", "POST"])
def community_new(request):
    form = CommunityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(
                creator=request.user, **form.community_fields(), image=form.processed_image
            )
        except services.NameTaken as error:
            form.add_error("name", str(error))
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your community was created."))
            return redirect(community)
    return render(request, "communities/form.html", {"form": form, "community": None})


@require_http_methods(["GET", "POST"])
def community_edit(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    if membership is None or not membership.is_admin or community.is_closed:
        raise Http404
    form = CommunityForm(request.POST or None, request.FILES or None, instance=community)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_update(
                community=community, by=request.user, **form.community_fields(),
                image=form.processed_image,
                remove_image=bool(form.cleaned_data.get("remove_image")),
            )
        except services.NameTaken as error:
            form.add_error("name", str(error))
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The community was saved."))
            return redirect(community)
    # A failed form must not show the unsaved name in the title.
    community.refresh_from_db()
    return render(request, "communities/form.html", {"form": form, "community": community})


@require_http_methods(["GET", "POST"])
def community_close(request, pk: int):
    """GET asks to confirm; POST closes the community."""
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    if membership is None or not membership.is_admin:
        raise Http404
    if request.method == "POST":
        try:
            services.community_close(community=community, by=request.user)
        except Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The community was closed."))
        return redirect(community)
    return render(request, "communities/close.html", {"community": community})

