"""Accounts writes, by sub-domain: members and their profiles (``members``), friendships and
friend requests (``friends``), introductions, blocks, footprints, and the ranking of people
you may know (``suggestions``). Each public function is keyword-only and runs in one
transaction; leaving the site is ``sns.leaving.services``."""

from .blocks import BlockError, block_create, block_remove
from .footprints import FOOTPRINT_EVERY, footprint_record, footprints_prune
from .friends import (
    FriendRequestError,
    friend_request_accept,
    friend_request_cancel,
    friend_request_decline,
    friend_request_send,
    friendship_changed,
    friendship_create,
    friendship_end,
    pair_lock,
)
from .introductions import (
    INTRODUCTION_MAX_LENGTH,
    IntroductionError,
    introduction_delete,
    introduction_write,
)
from .members import member_complete, member_create, names_policy_switched, profile_update
from .suggestions import SUGGESTIONS_KEPT, suggestions_refresh, suggestions_refresh_claim

__all__ = [
    "FOOTPRINT_EVERY",
    "INTRODUCTION_MAX_LENGTH",
    "SUGGESTIONS_KEPT",
    "BlockError",
    "FriendRequestError",
    "IntroductionError",
    "block_create",
    "block_remove",
    "footprint_record",
    "footprints_prune",
    "friend_request_accept",
    "friend_request_cancel",
    "friend_request_decline",
    "friend_request_send",
    "friendship_changed",
    "friendship_create",
    "friendship_end",
    "introduction_delete",
    "introduction_write",
    "member_complete",
    "member_create",
    "names_policy_switched",
    "pair_lock",
    "profile_update",
    "suggestions_refresh",
    "suggestions_refresh_claim",
]
