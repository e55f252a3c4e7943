"""The accounts app's models, by sub-domain: members and their profiles, friendships and
requests, blocks, introductions, footprints. Imported here so that Django finds them and
``from accounts.models import X`` names each one."""

from .blocks import Block
from .footprints import Footprint
from .friends import (
    FriendRequest,
    FriendRequestQuerySet,
    Friendship,
    FriendshipQuerySet,
    Suggestion,
)
from .introductions import Introduction, IntroductionQuerySet
from .members import MemberManager, Profile, User

__all__ = [
    "Block",
    "Footprint",
    "FriendRequest",
    "FriendRequestQuerySet",
    "Friendship",
    "FriendshipQuerySet",
    "Introduction",
    "IntroductionQuerySet",
    "MemberManager",
    "Profile",
    "Suggestion",
    "User",
]
