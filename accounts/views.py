from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diary import selectors as diary_selectors
from diary import services as diary_services
from diary.forms import DiaryPreferenceForm
from diary.views.entries import public_where_allowed
from sns import cache, images, limits
from sns.client_input import next_path
from sns.prepared import Prepared
from sns.visibility import (
    Relation,
    annotated_relation,
    can_see,
    relation_annotations,
    relation_between,
)

from . import circle, connections, graph, services
from .footprints import footprint_record
from .forms import FriendRequestForm, ProfileForm, ProfileSettingsForm, SettingsForm
from .models import FriendRequest, ShownProfile, User
from .views_introductions import profile_introductions

# How long a viewer's browser may keep a profile photo it was shown (its address changes with
# the photo; an unfriended viewer's own copy lasts at most this long).
PHOTO_MAX_AGE = 600


def _profile_member(member, viewer):
    """The member a profile shows, with their profile and inviter, the pending friend
    request either way and whether the two met at an off-kai."""
    from offkai.selectors import met_any

    return User.objects.filter(is_active=True, pk=member.pk).select_related(
        "profile", "accepted_invitation__inviter__profile"
    ).annotate(**_pending_request_annotations(viewer), met_viewer=met_any(viewer))


# Compiled once per process (sns/prepared.py): building it cost more than running it.
_PROFILE_MEMBER = Prepared(_profile_member, member=User, viewer=User)


def profile(request, pk: int, *, friend_request_form: FriendRequestForm | None = None):
    """A member's page; ``friend_request_form`` is a refused request, shown with its text.

    The page's content is kept as HTML per viewer ({% part %} in the template,
    sns.cache.rendered), built by ``_profile_page`` only when something it showed changed
    (but for a refused request, shown afresh); whether the viewer may open it is asked on
    every request (one lookup of a kept part, ``_profile_head``)."""
    viewer = request.user
    name = _profile_head(viewer, pk)
    if name is None:
        raise Http404
    footprint_record(visitor=viewer, owner=User(pk=pk))
    return render(request, "accounts/profile.html", {
        "title": name,
        "member_pk": pk,
        "keep": friend_request_form is None,
        "page": SimpleLazyObject(lambda: _profile_page(viewer, pk, friend_request_form)),
    })


def _profile_scopes(viewer, pk: int) -> list:
    """What decides whether ``viewer`` may open member ``pk``'s page and the name it shows:
    the member's row and profile, the viewer's relations and blocks, members' standing."""
    return [cache.member(pk), cache.friends(viewer), cache.blocks(viewer), cache.PEOPLE]


def _profile_head(viewer, pk: int) -> str | None:
    """The name member ``pk``'s page shows ``viewer``, or None if it is not theirs to open:
    kept (sns.cache) under ``_profile_scopes``."""

    def name() -> str | None:
        members = User.objects.filter(is_active=True, pk=pk).select_related("profile")
        if viewer.is_authenticated:
            members = members.annotate(**relation_annotations(viewer))
        member = members.first()
        if member is None:
            return None
        relation = annotated_relation(viewer, member)
        if relation is Relation.BLOCKED:
            return None
        return member.profile.shown_to(relation).name

    return cache.cached("profile-head", _profile_scopes(viewer, pk), name, key=(pk, viewer.pk))


def _profile_page(viewer, pk: int, friend_request_form: FriendRequestForm | None) -> dict:
    """What member ``pk``'s page shows ``viewer``, each read declared before it is read (but
    the names of those it shows: a rename is late by at most the part's timeout)."""
    from communities.views import communities_of
    from offkai.selectors import met_at

    cache.depends_on(
        *_profile_scopes(viewer, pk),
        # The pending friend request either way (each bumps its recipient's inbox), their
        # friends (cards, mutual friends), introductions, communities, off-kai answered.
        cache.requests(viewer), cache.requests(pk), cache.friends(pk), cache.introductions(pk),
        cache.memberships(pk), cache.memberships(viewer), cache.offkai(pk), cache.offkai(viewer),
    )
    found = _PROFILE_MEMBER(member=User(pk=pk), viewer=viewer)
    if not found:
        raise Http404
    [member] = found
    relation = relation_between(viewer, member)
    friend_graph = connections.profile_graph(viewer, member, relation)
    invitation = getattr(member, "accepted_invitation", None)
    invited_by = invitation.inviter if invitation and invitation.inviter_id else None
    member_communities, community_count = communities_of(member, viewer)
    introductions = profile_introductions(viewer, member, relation)
    # One more query, only when the two came to an off-kai together.
    met = met_at(viewer, member) if member.met_viewer else []
    # Those named, and the chain's friendships (each end's friend list, its visibility).
    cache.depends_on(
        *{cache.member(m) for m, _shown in [*friend_graph.friends, *friend_graph.mutual]},
        *{cache.member(m) for m, _shown in friend_graph.path or []},
        *{cache.friends(m) for m, _shown in friend_graph.path or []},
        *{cache.member(card.author) for card in introductions["introductions"]},
        *{cache.community(c) for c in member_communities}, *{cache.event(e) for e in met},
        *([cache.member(invited_by)] if invited_by else []),
    )
    return {
        "member": member,
        "shown": member.profile.shown_to(relation),
        "is_me": member.pk == viewer.pk,
        "friend_state": _friend_state(relation, member),
        "friend_request_form": friend_request_form or FriendRequestForm(),
        "invited_by": invited_by,
        **introductions,
        "graph": friend_graph,
        "communities": member_communities,
        "community_count": community_count,
        "met_at": met,
    }


@public_where_allowed
@require_GET
def photo(request, pk: int, size: str):
    """One size of a member's profile photo, to whoever the photo's visibility lets see it
    (as the profile shows it); a 404 to everyone else, as for a member without a photo."""
    if size not in images.SIZES:
        raise Http404
    member, relation = connections.member_and_relation_or_404(request.user, pk)
    profile = member.profile
    if not profile.photo or not can_see(profile.photo_visibility, relation):
        raise Http404
    return images.private_response(profile.photo, size, max_age=PHOTO_MAX_AGE)


def friend_list(request, pk: int):
    member = connections.member_with_visible_friends_or_404(request.user, pk)
    page = Paginator(
        services.friends_of(member, viewer=request.user), 30
    ).get_page(request.GET.get("page"))
    return render(request, "accounts/friends.html", {
        "member": member, "page": page, "cards": _cards(request.user, page.object_list),
    })


def _cards(viewer, members) -> list[tuple[User, ShownProfile]]:
    """Each member with what the viewer may see of them, by each one's own settings."""
    return connections.cards(viewer, members)


@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = request.user.profile
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user,
                fields=form.profile_fields(),
                photo=form.processed_photo,
                remove_photo=form.cleaned_data["remove_photo"],
            )
        except limits.RateLimited as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect(request.user)
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
def member_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    profile_form = ProfileSettingsForm(request.POST or None, instance=request.user.profile)
    diary_form = DiaryPreferenceForm(
        request.POST or None, instance=diary_selectors.diary_preference(request.user)
    )
    forms = [form, profile_form, diary_form]
    if request.method == "POST" and all([f.is_valid() for f in forms]):
        form.save()
        services.profile_update(user=request.user, fields=profile_form.profile_fields())
        diary_services.diary_preference_update(
            user=request.user, default_visibility=diary_form.cleaned_data["default_visibility"]
        )
        if request.user.language:
            translation.activate(request.user.language)
        messages.success(request, _("Your settings were saved."))
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {
        "form": form, "profile_form": profile_form, "diary_form": diary_form,
    })


# --- friend requests -----------------------------------------------------------------------

REQUESTS_PER_PAGE = 20


def _pending_request_annotations(viewer) -> dict:
    """The pending request either way between ``viewer`` and a member, read in the member's
    own query so the profile page spends no query on it."""
    if not viewer.is_authenticated:
        return {}
    sent = FriendRequest.objects.filter(from_user=viewer, to_user=OuterRef("pk"))
    received = FriendRequest.objects.filter(from_user=OuterRef("pk"), to_user=viewer)
    return {
        "request_sent_id": Subquery(sent.values("pk")[:1]),
        "request_received_id": Subquery(received.values("pk")[:1]),
        "request_received_message": Subquery(received.values("message")[:1]),
    }


def _friend_state(relation: Relation, member: User) -> str | None:
    """Which friend action the profile offers: friends, sent, received, none (None: mine)."""
    if relation is Relation.SELF:
        return None
    if relation is Relation.FRIEND:
        return "friends"
    if getattr(member, "request_received_id", None):
        return "received"
    if getattr(member, "request_sent_id", None):
        return "sent"
    return "none"


def _back(request, default: str, *args):
    """Go back to the page the form was on (``next``) if it is ours, else to ``default``."""
    target = next_path(request, request.POST.get("next", ""))
    if target is not None:
        return redirect(target)
    return redirect(default, *args)


def friend_requests(request):
    """Requests waiting for my answer, and those I sent that are still waiting."""
    received = Paginator(
        FriendRequest.objects.received_by(request.user), REQUESTS_PER_PAGE
    ).get_page(request.GET.get("received"))
    sent = Paginator(
        FriendRequest.objects.sent_by(request.user), REQUESTS_PER_PAGE
    ).get_page(request.GET.get("sent"))
    return render(request, "accounts/friend_requests.html", {
        "received": received,
        "received_cards": _request_cards(request.user, received, "from_user"),
        "sent": sent,
        "sent_cards": _request_cards(request.user, sent, "to_user"),
    })


def _request_cards(viewer, page, other: str) -> list[tuple[FriendRequest, User, ShownProfile]]:
    """Each request with the other member and what the viewer may see of them."""
    # While a request is pending the two are not friends, and to a member who is not a
    # friend every profile field level shows what it shows to any member: no lookup needed.
    return [
        (r, getattr(r, other), getattr(r, other).profile.shown_to(Relation.MEMBER))
        for r in page
    ]


@require_POST
def friend_request_send(request, pk: int):
    recipient = connections.member_or_404(request.user, pk)
    form = FriendRequestForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("message", []):
            messages.error(request, error)
        return redirect(recipient)
    try:
        sent = services.friend_request_send(
            sender=request.user, recipient=recipient, message=form.cleaned_data["message"]
        )
    except services.FriendRequestError as error:
        messages.error(request, str(error))
    except limits.RateLimited as error:
        # The member's page again, the message they wrote still in the form.
        form.add_error(None, error)
        return profile(request, pk, friend_request_form=form)
    else:
        name = {"name": recipient.display_name}
        if sent is None:
            messages.success(request, _("You and %(name)s are now friends.") % name)
        else:
            messages.success(request, _("Your friend request to %(name)s was sent.") % name)
    return _back(request, recipient)


def _answer(request, pk: int, service, success: str):
    """Run an answer to friend request ``pk`` (accept, decline, cancel) for the viewer.

    ``service`` returns the other member; a request that is missing, already answered or
    not the viewer's is a 404, the same for all three.
    """
    try:
        other = service(request_id=pk, user=request.user)
    except FriendRequest.DoesNotExist:
        raise Http404 from None
    except services.FriendRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success % {"name": other.display_name})
    return _back(request, "accounts:friend_requests")


@require_POST
def friend_request_accept(request, pk: int):
    return _answer(request, pk, services.friend_request_accept,
                   _("You and %(name)s are now friends."))


@require_POST
def friend_request_decline(request, pk: int):
    return _answer(request, pk, services.friend_request_decline,
                   _("You declined the friend request from %(name)s."))


@require_POST
def friend_request_cancel(request, pk: int):
    return _answer(request, pk, services.friend_request_cancel,
                   _("You cancelled your friend request to %(name)s."))


@require_http_methods(["GET", "POST"])
def unfriend(request, pk: int):
    """GET asks to confirm; POST ends the friendship."""
    friendship = get_object_or_404(
        request.user.friendships.filter(friend__is_active=True).select_related("friend__profile"),
        friend_id=pk,
    )
    other = friendship.friend
    if request.method == "POST":
        services.friendship_end(user=request.user, other=other)
        messages.success(
            request, _("You and %(name)s are no longer friends.") % {"name": other.display_name}
        )
        return redirect(other)
    return render(request, "accounts/unfriend.html", {
        "other": other, "shown": other.profile.shown_to(Relation.FRIEND),
    })


CIRCLE_MAX_FRIENDS = 150


def _circle(request, pk: int):
    member = connections.member_with_visible_friends_or_404(request.user, pk)
    shown, edges = circle.friends_shown(member, request.user, limit=CIRCLE_MAX_FRIENDS)
    count = len(shown) if len(shown) < CIRCLE_MAX_FRIENDS else graph.friend_count(
        member, viewer=request.user
    )
    return member, circle.layout(member, shown, edges), count


def circle_svg(request, pk: int):
    """The circle picture on its own, as an SVG document."""
    _member, picture, _count = _circle(request, pk)
    return render(request, "accounts/circle.svg", {"circle": picture},
                  content_type="image/svg+xml; charset=utf-8")


def circle_page(request, pk: int):
    """The circle picture with the plain list of the same friends beside it."""
    member, picture, count = _circle(request, pk)
    return render(request, "accounts/circle.html", {
        "member": member, "circle": picture, "friend_count": count,
        "cut": count > len(picture.nodes),
    })
