"""Community writes, by sub-domain: communities (start, edit, close), memberships (joining,
leaving, join requests, invitations, roles), topics, comments on topics; ``rules`` holds the
refusals and the checks they share. Each public function is keyword-only and runs in one
transaction; those that change who is in a community or in which role lock the community
row first, so that two of them never decide on the same state at once.

A change of who belongs where, a comment written or deleted, a topic deleted (here) or
either hidden (sns.moderation) makes home's cached "new in my communities" stale:
``sns.cache``'s memberships and community scopes. (A new topic does not: the part lists
topics by their new comments.)"""

from .comments import topic_comment_create, topic_comment_delete
from .communities import community_close, community_create, community_update
from .memberships import (
    admin_hand_over,
    community_invite,
    join_request_decide,
    join_request_withdraw,
    member_remove,
    membership_join,
    membership_leave,
    subadmin_set,
)
from .rules import CommunityError, NameTaken, RateLimited
from .topics import topic_create, topic_delete, topic_pin, topic_update, topics_seen_mark

__all__ = [
    "CommunityError",
    "NameTaken",
    "RateLimited",
    "admin_hand_over",
    "community_close",
    "community_create",
    "community_invite",
    "community_update",
    "join_request_decide",
    "join_request_withdraw",
    "member_remove",
    "membership_join",
    "membership_leave",
    "subadmin_set",
    "topic_comment_create",
    "topic_comment_delete",
    "topic_create",
    "topic_delete",
    "topic_pin",
    "topic_update",
    "topics_seen_mark",
]
