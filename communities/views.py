"""Community pages and actions. Every read goes through ``Community.objects.visible_to``, so
a secret community is a 404 to whoever is not in it; admin-only pages are a 404 to others
too. Actions are POSTs that call a service and come back to the community page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Q, Window
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.leaving import DELETED_MEMBER
from accounts.models import Friendship, User
from accounts.selectors.connections import cards
from sns import cache, images
from sns.comments import comment_cards, draft_form, draft_keep
from sns.paging import cursor_decode, cursor_encode, instant_decode, instant_encode
from sns.visibility import relation_between

from . import services, topics
from .forms import CommunityForm, JoinRequestForm, TopicCommentForm, TopicForm
from .models import (
    Category,
    Community,
    CommunityInvitation,
    JoinRequest,
    Membership,
    Topic,
    TopicComment,
)

COMMUNITIES_PER_PAGE = 20
MEMBERS_PER_PAGE = 50
MEMBERS_PREVIEW = 9
REQUESTS_PER_PAGE = 50

def _community_or_404(request, pk: int) -> Community:
    return get_object_or_404(
        Community.objects.visible_to(request.user).select_related("category"), pk=pk
    )


def _membership(community: Community, user) -> Membership | None:
    return Membership.objects.filter(community=community, user=user).first()


def _moderated_or_404(request, pk: int) -> tuple[Community, Membership]:
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
    if membership is None or not membership.moderates:
        raise Http404
    return community, membership


def _members_of(community: Community, viewer):
    """The community's memberships as ``viewer`` may see them (a block hides both ways): the
    admin first, then the sub-admins, then by joining."""
    return Membership.objects.filter(community=community).listed_for(viewer)


def _people(memberships) -> list[User]:
    """The members of these memberships, each carrying its ``role``."""
    people = []
    for membership in memberships:
        membership.user.role = membership.role
        people.append(membership.user)
    return people


# --- reading -------------------------------------------------------------------------------

SEARCH_MAX_LENGTH = 100
FRIENDS_IN_PER_PAGE = 20
ON_PROFILE = 10


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


def friends_in(viewer):
    """Open communities ``viewer`` may see with at least one of their friends as a member,
    the most friends first, each with ``friend_count``."""
    friend_ids = Friendship.objects.filter(user=viewer, friend__is_active=True).values("friend")
    return (
        Community.objects.visible_to(viewer).open_ones()
        .filter(memberships__user__in=friend_ids)
        .annotate(friend_count=Count("memberships"))
        .select_related("category")
        .order_by("-friend_count", Lower("name"), "pk")
    )


@require_GET
def friends_communities(request):
    """"Communities my friends are in"."""
    page = Paginator(friends_in(request.user), FRIENDS_IN_PER_PAGE).get_page(
        request.GET.get("page")
    )
    mine = set(
        Membership.objects.filter(
            user=request.user, community__in=[c.pk for c in page.object_list]
        ).values_list("community_id", flat=True)
    )
    return render(request, "communities/friends.html", {"page": page, "mine": mine})


def communities_of(member, viewer, limit: int = ON_PROFILE) -> tuple[list[Community], int]:
    """Up to ``limit`` of ``member``'s open communities that ``viewer`` may see (a secret one
    only to its members), the latest joined first, and how many there are (one query: the
    total is a window count over the unsliced rows)."""
    communities = (
        Community.objects.visible_to(viewer).open_ones()
        .filter(memberships__user=member)
        .annotate(total=Window(Count("pk")))
        .order_by("-memberships__joined_at", "-pk")
    )
    shown = list(communities[:limit])
    return shown, shown[0].total if shown else 0


@require_GET
def community_detail(request, pk: int):
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
    members = _members_of(community, request.user)
    preview = list(members[:MEMBERS_PREVIEW])
    context = {
        "community": community,
        "membership": membership,
        "members": cards(request.user, _people(preview)),
        "member_count": members.count(),
        "requested": JoinRequest.objects.filter(
            community=community, user=request.user
        ).exists(),
        "invited": CommunityInvitation.objects.filter(
            community=community, invitee=request.user
        ).exists(),
        "join_form": JoinRequestForm(),
        "topic_rows": topics.with_shown_people(
            request.user,
            topics.community_topics(request.user, community)[:TOPICS_ON_COMMUNITY_PAGE],
        ),
        "can_start": services.can_start_topic(community, membership),
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
    community = _community_or_404(request, pk)
    return images.private_response(community.image, size)


@require_GET
def members(request, pk: int):
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
    page = Paginator(_members_of(community, request.user), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "communities/members.html", {
        "community": community, "membership": membership, "page": page,
        "cards": cards(request.user, _people(page.object_list)),
    })


@require_GET
def requests(request, pk: int):
    community, membership = _moderated_or_404(request, pk)
    pending = JoinRequest.objects.filter(community=community).select_related("user__profile")
    page = Paginator(pending, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = cards(request.user, [r.user for r in page.object_list])
    return render(request, "communities/requests.html", {
        "community": community, "membership": membership, "page": page,
        "rows": list(zip(page.object_list, shown, strict=True)),
    })


# --- writing -------------------------------------------------------------------------------

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
        except services.RateLimited as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your community was created."))
            return redirect(community)
    return render(request, "communities/form.html", {"form": form, "community": None})


@require_http_methods(["GET", "POST"])
def community_edit(request, pk: int):
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
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
        except services.RateLimited as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The community was saved."))
            return redirect(community)
    # A failed form must not show the unsaved name in the title.
    community.refresh_from_db()
    return render(request, "communities/form.html", {"form": form, "community": community})


def _act(request, community: Community, work, done: str):
    try:
        work()
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(community)


@require_http_methods(["GET", "POST"])
def community_close(request, pk: int):
    """GET asks to confirm; POST closes the community."""
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
    if membership is None or not membership.is_admin:
        raise Http404
    if request.method == "POST":
        return _act(request, community, lambda: services.community_close(
            community=community, by=request.user
        ), _("The community was closed."))
    return render(request, "communities/close.html", {"community": community})


@require_POST
def join(request, pk: int):
    community = _community_or_404(request, pk)
    if "withdraw" in request.POST:
        services.join_request_withdraw(community=community, user=request.user)
        messages.success(request, _("Your request to join was withdrawn."))
        return redirect(community)
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        result = services.join(community=community, user=request.user, message=message)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        if isinstance(result, JoinRequest):
            messages.success(request, _("Your request to join was sent to the admins."))
        else:
            messages.success(request, _("You joined the community."))
    return redirect(community)


@require_POST
def leave(request, pk: int):
    community = _community_or_404(request, pk)
    return _act(request, community, lambda: services.leave(
        community=community, user=request.user
    ), _("You left the community."))


@require_POST
def invite(request, pk: int):
    community = _community_or_404(request, pk)
    try:
        invitee_id = int(request.POST.get("invitee") or 0)
    except ValueError:  # not a number: no such member
        raise Http404 from None
    invitee = get_object_or_404(User, pk=invitee_id, is_active=True)
    return _act(request, community, lambda: services.invite(
        community=community, inviter=request.user, invitee=invitee
    ), _("Your friend was invited."))


@require_POST
def decide(request, pk: int, request_id: int):
    community, _moderator = _moderated_or_404(request, pk)
    get_object_or_404(JoinRequest, pk=request_id, community=community)
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(request_id=request_id, by=request.user, approve=approve)
    except JoinRequest.DoesNotExist:
        messages.info(request, _("This request was already decided."))
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The request was approved.") if approve else _("The request was refused.")
        )
    return redirect("communities:requests", community.pk)


@require_POST
def role(request, pk: int, user_id: int):
    """The admin's actions on one member: make admin, sub-admin, plain member, or remove."""
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
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
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("communities:members", community.pk)


# --- topics --------------------------------------------------------------------------------

TOPICS_PER_PAGE = 30
TOPICS_ON_COMMUNITY_PAGE = 5


def _topic_or_404(request, pk: int, topic_id: int) -> Topic:
    return get_object_or_404(
        Topic.objects.visible_to(request.user).select_related("community", "author__profile"),
        pk=topic_id, community_id=pk,
    )


@require_GET
def topic_list(request, pk: int):
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
    page = Paginator(topics.community_topics(request.user, community), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "communities/topics.html", {
        "community": community, "membership": membership, "page": page,
        "rows": topics.with_shown_people(request.user, page.object_list),
        "can_start": services.can_start_topic(community, membership),
    })


@require_http_methods(["GET", "POST"])
def topic_new(request, pk: int):
    community = _community_or_404(request, pk)
    membership = _membership(community, request.user)
    if not services.can_start_topic(community, membership):
        raise Http404
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                community=community, author=request.user, **form.cleaned_data
            )
        except services.CommunityError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your topic was started."))
            return redirect(topic)
    return render(request, "communities/topic_form.html", {
        "community": community, "form": form, "topic": None,
    })


@require_GET
def topic_detail(request, pk: int, topic_id: int):
    """A topic and its comments. The page's content is kept as HTML per viewer ({% part %}
    in the template, sns.cache.rendered), built by ``_topic_page`` only when something it
    showed changed; whether the viewer may open it is asked on every request (one lookup of
    a kept part, ``_topic_head``)."""
    viewer = request.user
    head = _topic_head(viewer, pk, topic_id)
    if head is None:
        raise Http404
    title, can_comment = head
    before = request.GET.get("comments_before")
    cursor = cursor_decode(before)
    return render(request, "communities/topic.html", {
        "title": title, "community_pk": pk, "topic_pk": topic_id,
        # The part's key: the cursor as read (a malformed one is the latest comments).
        "comments_before": cursor_encode(*cursor) if cursor else "",
        "showing_earlier": bool(before),
        "page": SimpleLazyObject(lambda: _topic_page(request, pk, topic_id, before)),
        "can_comment": can_comment,
        "comment_form": draft_form(request, f"topic:{topic_id}", TopicCommentForm),
    })


def _topic_scopes(viewer, pk: int) -> list:
    """What decides a topic's page for ``viewer``: its community (every comment, edit, pin,
    hiding, role and closing there), the viewer's memberships and blocks, members'
    standing."""
    return [cache.community(pk), cache.memberships(viewer), cache.blocks(viewer), cache.PEOPLE]


def _topic_head(viewer, pk: int, topic_id: int) -> tuple[str, bool] | None:
    """The topic's title and whether ``viewer`` may comment, if they may open it; else
    None. Kept (sns.cache) under ``_topic_scopes``."""
    member = Exists(Membership.objects.filter(community_id=pk, user=viewer))
    return cache.cached(
        "topic-head", _topic_scopes(viewer, pk),
        lambda: Topic.objects.visible_to(viewer).filter(pk=topic_id, community_id=pk)
        .annotate(may_comment=member & Q(community__closed_at__isnull=True))
        .values_list("title", "may_comment").first(),
        key=(topic_id, viewer.pk),
    )


def _topic_page(request, pk: int, topic_id: int, comments_before: str | None) -> dict:
    """What the topic's page shows, each read declared before it is read (but the names of
    those it shows: a rename is late by at most the part's timeout)."""
    viewer = request.user
    cache.depends_on(*_topic_scopes(viewer, pk))
    topic = _topic_or_404(request, pk, topic_id)
    community = topic.community
    membership = _membership(community, viewer)
    moderates = membership is not None and membership.moderates
    comments, earlier = topics.topic_comments_page(topic, comments_before)
    cache.depends_on(*{
        cache.member(author_id)
        for author_id in [topic.author_id, *(c.author_id for c in comments)] if author_id
    })
    if topic.author_id is None:
        author = DELETED_MEMBER
    else:
        author = topic.author.profile.shown_to(relation_between(viewer, topic.author))
    return {
        "community": community, "membership": membership, "topic": topic, "author": author,
        "cards": comment_cards(viewer, comments, deletes_any=moderates),
        "earlier_comments": earlier,
        "can_manage": moderates or topic.author_id == viewer.pk,
        "moderates": moderates,
    }


@require_http_methods(["GET", "POST"])
def topic_edit(request, pk: int, topic_id: int):
    topic = _topic_or_404(request, pk, topic_id)
    membership = _membership(topic.community, request.user)
    if topic.author_id != request.user.pk and (membership is None or not membership.moderates):
        raise Http404
    form = TopicForm(request.POST or None, instance=Topic(title=topic.title, body=topic.body))
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(topic=topic, by=request.user, **form.cleaned_data)
        except (services.CommunityError, ValidationError) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("The topic was saved."))
            return redirect(topic)
    return render(request, "communities/topic_form.html", {
        "community": topic.community, "form": form, "topic": topic,
    })


@require_POST
def topic_delete(request, pk: int, topic_id: int):
    topic = _topic_or_404(request, pk, topic_id)
    try:
        services.topic_delete(topic=topic, by=request.user)
    except services.CommunityError:
        # Not theirs to delete: the same 404 as no topic (as its edit page answers).
        raise Http404 from None
    messages.success(request, _("The topic was deleted."))
    return redirect("communities:topics", pk)


@require_POST
def topic_pin(request, pk: int, topic_id: int):
    topic = _topic_or_404(request, pk, topic_id)
    pinned = request.POST.get("pinned") == "1"
    try:
        services.topic_pin(topic=topic, by=request.user, pinned=pinned)
    except services.CommunityError:
        # Only the community's admins pin: the same 404 as no topic to anyone else.
        raise Http404 from None
    messages.success(
        request, _("The topic was pinned.") if pinned else _("The topic was unpinned.")
    )
    return redirect(topic)


@require_POST
def topic_comment_create(request, pk: int, topic_id: int):
    topic = _topic_or_404(request, pk, topic_id)
    form = TopicCommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write something before posting a comment."))
        comment = services.topic_comment_create(
            topic_id=topic.pk, author=request.user, body=form.cleaned_data["body"]
        )
    except Topic.DoesNotExist:
        raise Http404 from None
    except (services.CommunityError, ValidationError) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, reason)
        # Back to the page with the text in the form (sns.comments drafts).
        draft_keep(request, thread=f"topic:{topic.pk}", body=request.POST.get("body", ""),
                   error=reason)
        return redirect(f"{topic.get_absolute_url()}#comment-form")
    messages.success(request, _("Your comment was posted."))
    return redirect(f"{topic.get_absolute_url()}#comment-{comment.pk}")


@require_POST
def topic_comment_delete(request, pk: int, topic_id: int, comment_id: int):
    topic = _topic_or_404(request, pk, topic_id)
    # A comment a moderator hid is gone for its author too.
    get_object_or_404(TopicComment, pk=comment_id, topic=topic, hidden_at__isnull=True)
    try:
        services.topic_comment_delete(comment_id=comment_id, by=request.user)
    except services.CommunityError:
        # Not theirs to delete: the same 404 as no comment (diary and off-kai alike).
        raise Http404 from None
    messages.success(request, _("The comment was deleted."))
    return redirect(f"{topic.get_absolute_url()}#comments")


@require_GET
def new_topics(request):
    """Topics with comments by others since my last look, across my communities; opening
    the first page moves the last look. Later pages keep the page's ``?since=``."""
    since = instant_decode(request.GET.get("since"))
    first_look = since is None
    now = timezone.now()
    if since is None:
        since = topics.topics_seen_at(request.user)
    page = topics.new_topics_page(request.user, since, request.GET.get("page"))
    response = render(request, "communities/new_topics.html", {
        "page": page, "rows": topics.with_shown_people(request.user, page.object_list),
        "since": instant_encode(since), "since_time": since,
    })
    if first_look:
        services.topics_seen_mark(user=request.user, at=now)
    return response
