"""People you may know: friends of friends, most mutual friends first."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from sns.visibility import Relation, ids_in_block_with

from .. import services
from ..models import FriendRequest
from ..selectors import graph
from ..tasks import refresh_suggestions

SUGGESTIONS_PER_PAGE = 20


def _left_out(viewer) -> set[int]:
    """Members not to suggest beyond the viewer and their friends: hidden by a block either
    way, or with a request pending either way (it is already on the requests page)."""
    pending = FriendRequest.objects.filter(Q(from_user=viewer) | Q(to_user=viewer)).values_list(
        "from_user_id", "to_user_id"
    )
    ids = ids_in_block_with(viewer)
    for from_id, to_id in pending:
        ids.add(to_id if from_id == viewer.pk else from_id)
    return ids


def suggestions(request):
    fresh = graph.suggestions_are_fresh(request.user)
    if fresh is None:
        # The first visit ranks at once (a few milliseconds for most members).
        services.suggestions_refresh(member=request.user)
    elif not fresh and services.suggestions_refresh_claim(member=request.user):
        # Serve the ranking there is, and rank again in the background (once: the claim
        # holds off further visits while the task is queued).
        refresh_suggestions.enqueue(member_id=request.user.pk)
    page = Paginator(
        graph.people_you_may_know(request.user, exclude_ids=_left_out(request.user)),
        SUGGESTIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    # Everyone suggested with a mutual friend is a friend of a friend by construction, and
    # one met at an off-kai without one is a plain member: no lookup needed.
    cards = [
        (person, person.profile.shown_to(
            Relation.FRIEND_OF_FRIEND if person.mutual_count else Relation.MEMBER
        ), person.mutual_count)
        for person in page.object_list
    ]
    return render(request, "accounts/suggestions.html", {"page": page, "cards": cards})
