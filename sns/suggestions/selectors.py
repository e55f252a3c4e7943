"""Reading people you may know back from the stored ranking (``services``)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import FriendRequest, User
from offkai.selectors import met_count
from sns.visibility import friendship, ids_in_block_with

# Meeting in person is a strong sign that two members know each other: one off-kai both came
# to weighs as much as this many mutual friends.
MET_IN_PERSON_WEIGHT = 5

# Older rankings are still served, and ranked again in the background.
SUGGESTIONS_FRESH_FOR = timedelta(hours=6)


def suggestions_are_fresh(member: User) -> bool | None:
    """True if ranked lately, False if ranked long ago, None if never ranked."""
    computed = member.profile.suggestions_computed_at
    if computed is None:
        return None
    return timezone.now() - computed < SUGGESTIONS_FRESH_FOR


def people_you_may_know(viewer: User, *, exclude_ids: set[int] = frozenset()) -> QuerySet[User]:
    """Friends of my friends and members I met at an off-kai, who are not my friends; the
    most mutual friends (an off-kai met at weighing MET_IN_PERSON_WEIGHT) first, each with
    ``mutual_count`` and ``met_count``.

    Reads the stored ranking (``services.suggestions_refresh``); whoever became a friend
    since, and ``exclude_ids``, are left out as it is read.
    """
    return (
        User.objects.filter(is_active=True, suggested_to__member=viewer)
        .exclude(friendship(viewer, OuterRef("pk")))
        .exclude(pk__in=exclude_ids)
        .annotate(mutual_count=F("suggested_to__mutual_count"), met_count=met_count(viewer))
        .select_related("profile")
        .order_by(
            (F("mutual_count") + MET_IN_PERSON_WEIGHT * F("met_count")).desc(),
            "-mutual_count", "pk",
        )
    )


def left_out(viewer: User) -> set[int]:
    """Members not to suggest beyond the viewer and their friends: hidden by a block either
    way, or with a request pending either way (it is already on the requests page)."""
    pending = FriendRequest.objects.filter(Q(from_user=viewer) | Q(to_user=viewer)).values_list(
        "from_user_id", "to_user_id"
    )
    ids = ids_in_block_with(viewer)
    for from_id, to_id in pending:
        ids.add(to_id if from_id == viewer.pk else from_id)
    return ids
