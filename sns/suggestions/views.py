"""People you may know: friends of friends, most mutual friends first."""

from django.core.paginator import Paginator
from django.shortcuts import render

from sns.visibility import Relation

from . import selectors, services
from .tasks import refresh_suggestions

SUGGESTIONS_PER_PAGE = 20


def suggestions(request):
    fresh = selectors.suggestions_are_fresh(request.user)
    if fresh is None:
        # The first visit ranks at once (a few milliseconds for most members).
        services.suggestions_refresh(member=request.user)
    elif not fresh and services.suggestions_refresh_claim(member=request.user):
        # Serve the ranking there is, and rank again in the background (once: the claim
        # holds off further visits while the task is queued).
        refresh_suggestions.enqueue(member_id=request.user.pk)
    page = Paginator(
        selectors.people_you_may_know(request.user, exclude_ids=selectors.left_out(request.user)),
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
    return render(request, "sns/suggestions.html", {"page": page, "cards": cards})
