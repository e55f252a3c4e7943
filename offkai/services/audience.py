"""Who may see an event, asked the other way round: of some members, those for whom
``Event.objects.visible_to(member)`` holds the event. Every notice about an event (its
community's invitation, a change, a cancellation, a place freed, a comment) goes only to
them, in one query however many they are. tests/offkai/test_access.py checks this rule
against ``visible_to`` for every level and persona, so the two cannot drift apart."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from communities.models import Community, JoinPolicy, Membership
from sns.visibility import Level, block_either_way, level_audience

from ..models import COMMUNITY, RSVP, Event, EventHost


def may_see(event: Event, members: QuerySet[User]) -> QuerySet[User]:
    """Those of ``members`` (logged-in members) who may see ``event`` now."""

    creator = event.created_by_id
    if creator is None:
        # The creator left the site (Event.created_by): nobody's block with them counts, and
        # those who had answered still see it.
        creator_active = Q(pk__isnull=False)
        answered = Q(Exists(RSVP.objects.filter(event_id=event.pk, user=OuterRef("pk"))))
    else:
        creator_active = Q(Exists(User.objects.filter(pk=creator, is_active=True)))
        answered = Q(pk__in=[])
    host = Exists(EventHost.objects.filter(event_id=event.pk, user=OuterRef("pk")))
    if event.visibility == Level.PRIVATE:
        return members.filter(host & creator_active)
    blocked = block_either_way(OuterRef("pk"), creator)
    by_level = level_audience(event.visibility, owner=creator)
    reach = Q(pk__in=[])
    if event.community_id is not None:
        reach |= Q(Exists(Membership.objects.filter(
            community_id=event.community_id, user=OuterRef("pk")
        )))
    if by_level is not None and event.visibility != COMMUNITY:
        secret = Exists(Community.objects.filter(
            pk=event.community_id, join_policy=JoinPolicy.SECRET
        ))
        reach |= ~Q(secret) & by_level
    return members.filter(creator_active & (Q(host) | answered | (~Q(blocked) & reach)))
