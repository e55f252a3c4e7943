"""Friend pages: a member's friend list, friend requests (send, answer, withdraw), unfriend,
and the circle picture."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sns import limits
from sns.client_input import next_path
from sns.errors import Refused
from sns.people import ShownProfile
from sns.visibility import Relation

from .. import services
from ..forms import FriendRequestForm
from ..models import FriendRequest, User
from ..selectors import circle, connections, graph
from .profiles import profile


def friend_list(request, pk: int):
    member = connections.member_with_visible_friends_or_404(request.user, pk)
    page = Paginator(
        graph.friends_of(member, viewer=request.user), 30
    ).get_page(request.GET.get("page"))
    return render(request, "accounts/friends.html", {
        "member": member, "page": page, "cards": _cards(request.user, page.object_list),
    })


def _cards(viewer, members) -> list[tuple[User, ShownProfile]]:
    """Each member with what the viewer may see of them, by each one's own settings."""
    return connections.cards(viewer, members)


# --- friend requests -----------------------------------------------------------------------

REQUESTS_PER_PAGE = 20


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
    except limits.RateLimited as error:
        # The member's page again, the message they wrote still in the form.
        form.add_error(None, error)
        return profile(request, pk, friend_request_form=form)
    except Refused as error:
        messages.error(request, str(error))
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
    except Refused as error:
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
