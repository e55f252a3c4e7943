"""The communities app's tables, by sub-domain: communities and who is in them
(``communities``), their topics and comments (``topics``). Every model is imported here, so
that Django finds them and ``from communities.models import X`` is the one way in."""

from .communities import (
    ROLE_RANK,
    Category,
    Community,
    CommunityInvitation,
    CommunityQuerySet,
    JoinPolicy,
    JoinRequest,
    Membership,
    MembershipQuerySet,
    Role,
    TopicPolicy,
)
from .topics import (
    CommunityPreference,
    Topic,
    TopicComment,
    TopicCommentQuerySet,
    TopicQuerySet,
)

__all__ = [
    "ROLE_RANK",
    "Category",
    "Community",
    "CommunityInvitation",
    "CommunityPreference",
    "CommunityQuerySet",
    "JoinPolicy",
    "JoinRequest",
    "Membership",
    "MembershipQuerySet",
    "Role",
    "Topic",
    "TopicComment",
    "TopicCommentQuerySet",
    "TopicPolicy",
    "TopicQuerySet",
]
