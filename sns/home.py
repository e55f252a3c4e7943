"""Home (新着): what is new for a member, each part a short list with a link to its page.

Every part reads through the owning app's public reads (feeds, selectors, visible_to), so
home shows nothing the full pages would not; the counts come in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Subquery
from django.utils import timezone

from .paging import row_count

SHORT = 5
FRIENDS_SHOWN = 9
# "Invitations accepted" looks this far back.
ACCEPTED_WITHIN = timedelta(days=30)


@dataclass
class Home:
    announcements: list = field(default_factory=list)
    diaries: list = field(default_factory=list)
    diaries_more: bool = False
    commented: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    events: list = field(default_factory=list)
    join_requests: int = 0
    accepted: list = field(default_factory=list)
    footprints: int = 0
    friends: int = 0
    invitations_used: int = 0
    friend_cards: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing at all to show: a new member, who is told what to do instead."""
        return not (
            self.announcements or self.diaries or self.commented or self.topics
            or self.events or self.join_requests or self.accepted or self.footprints
        )


def _counts(member) -> dict:
    """In one query: join requests to decide, footprints of the window, friends, the
    invitations using the quota, and where the member left off reading new comments and new
    topics; and the member's profile. (Waiting friend requests come with the header's
    counts.)"""
    from accounts.footprints import FOOTPRINT_DAYS
    from accounts.models import Footprint, Friendship, User
    from communities.models import CommunityPreference, JoinRequest, Membership, Role
    from diary.models import DiaryPreference
    from invites.models import Invitation
    from sns.visibility import without_hidden_people

    moderated = Membership.objects.filter(
        user=member, role__in=[Role.ADMIN, Role.SUBADMIN]
    ).values("community")
    recent = timezone.now() - timedelta(days=FOOTPRINT_DAYS)
    names = dict(
        n_join_requests=row_count(without_hidden_people(
            JoinRequest.objects.filter(community__in=moderated), "user_id", member
        )),
        n_footprints=row_count(without_hidden_people(
            Footprint.objects.filter(owner=member, visited_at__gte=recent), "visitor_id", member
        )),
        n_friends=row_count(without_hidden_people(
            Friendship.objects.filter(user=member), "friend_id", member
        )),
        n_invitations_used=row_count(
            Invitation.objects.filter(inviter=member).counting_against_quota()
        ),
        n_comments_seen_at=Subquery(
            DiaryPreference.objects.filter(user=member).values("comments_seen_at")[:1]
        ),
        n_topics_seen_at=Subquery(
            CommunityPreference.objects.filter(user=member).values("topics_seen_at")[:1]
        ),
    )
    # The member's own profile rides along (home shows their photo and name).
    row = User.objects.select_related("profile").annotate(**names).get(pk=member.pk)
    member.profile = row.profile
    counts = {name: getattr(row, name) for name in names}
    return {name.removeprefix("n_"): value for name, value in counts.items()}


def home_for(member) -> Home:
    """Everything home shows to ``member``, a few of each."""
    from accounts.services import friends_of
    from communities import topics
    from diary import feeds
    from invites.models import Invitation
    from offkai import selectors
    from sns.announcements import announcements_for
    from sns.visibility import Relation

    counts = _counts(member)
    comments_seen_at = counts.pop("comments_seen_at") or (
        timezone.now() - feeds.NEW_COMMENTS_FIRST_LOOK
    )
    topics_seen_at = counts.pop("topics_seen_at") or topics.first_look()
    home = Home(**counts)
    # They are all my friends, so each shows me what their friends may see.
    home.friend_cards = [
        (f, f.profile.shown_to(Relation.FRIEND)) for f in friends_of(member)[:FRIENDS_SHOWN]
    ]
    home.announcements = announcements_for(member, limit=3)
    page = feeds.friends_page(member, None, size=SHORT, photos=False)
    home.diaries, home.diaries_more = page.items, page.next_cursor is not None
    home.commented = list(feeds.new_comments(member, comments_seen_at)[:SHORT])
    home.topics = topics.new_topics_preview(member, topics_seen_at, SHORT)
    # Those I host or answered, my friends' and my communities': not every event I may see.
    home.events = list(selectors.upcoming(member).filter(group__lt=selectors.OTHERS)[:SHORT])
    home.accepted = list(
        Invitation.objects.filter(
            inviter=member, accepted_at__gte=timezone.now() - ACCEPTED_WITHIN,
            accepted_user__is_active=True,
        ).select_related("accepted_user__profile").order_by("-accepted_at")[:SHORT]
    )
    return home
