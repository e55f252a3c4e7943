"""People you may know, ranked ahead: ``suggestions_refresh`` ranks a member's friends of
friends and the members they met at an off-kai, and stores the best (``Suggestion``);
``selectors.people_you_may_know`` reads them back."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Friendship, Profile, Suggestion, User
from offkai.selectors import met_in_person_sql

from .selectors import MET_IN_PERSON_WEIGHT, SUGGESTIONS_FRESH_FOR

# People you may know, ranked: the friends of the member's friends counted once per mutual
# friend (one pass over the friends' index ranges), and the members they met in person (both
# marked as come to an off-kai by its host) counted once per such off-kai; the member and
# their friends left out, the best SUGGESTIONS_KEPT by score kept. Counting is the whole cost
# (tens of thousands of rows for a member with thousands of friends), so it is done ahead and
# stored; see Suggestion.
_RANK_SQL = """
INSERT INTO {suggestion} (member_id, candidate_id, mutual_count)
SELECT %(member)s, fof.id, fof.mutual_count
  FROM (SELECT signal.id, sum(signal.mutual) AS mutual_count, sum(signal.met) AS met_count
          FROM (SELECT step.friend_id AS id, 1 AS mutual, 0 AS met
                  FROM {friendship} mine
                  JOIN {friendship} step ON step.user_id = mine.friend_id
                 WHERE mine.user_id = %(member)s AND step.friend_id <> %(member)s
                UNION ALL
                SELECT met.id, 0, 1 FROM ({met}) met) signal
         GROUP BY signal.id) fof
 WHERE NOT EXISTS (SELECT FROM {friendship} known
                    WHERE known.user_id = %(member)s AND known.friend_id = fof.id)
 ORDER BY fof.mutual_count + {met_weight} * fof.met_count DESC, fof.mutual_count DESC, fof.id
 LIMIT %(kept)s
"""

SUGGESTIONS_KEPT = 200


@transaction.atomic
def suggestions_refresh(*, member: User) -> int:
    """Rank ``member``'s friends of friends again; return how many were kept."""
    # Lock the member's profile so two refreshes of one member run one after the other.
    Profile.objects.select_for_update().filter(user=member).update(
        suggestions_computed_at=timezone.now()
    )
    Suggestion.objects.filter(member=member).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            _RANK_SQL.format(
                suggestion=Suggestion._meta.db_table, friendship=Friendship._meta.db_table,
                met=met_in_person_sql(), met_weight=MET_IN_PERSON_WEIGHT,
            ),
            {"member": member.pk, "kept": SUGGESTIONS_KEPT},
        )
        return cursor.rowcount


# How long a queued re-ranking holds off queuing another.
SUGGESTIONS_CLAIM_FOR = timedelta(minutes=10)


def suggestions_refresh_claim(*, member: User) -> bool:
    """Claim the re-ranking of a stale ranking; True for exactly one caller at a time.

    Moves the stamp so that the ranking looks fresh for SUGGESTIONS_CLAIM_FOR more: other
    visits meanwhile serve the stored ranking without queuing another task. One conditional
    UPDATE, so two requests at once cannot both claim it.
    """
    now = timezone.now()
    return bool(
        Profile.objects.filter(
            user=member, suggestions_computed_at__lt=now - SUGGESTIONS_FRESH_FOR
        ).update(suggestions_computed_at=now - SUGGESTIONS_FRESH_FOR + SUGGESTIONS_CLAIM_FOR)
    )
