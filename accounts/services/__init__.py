"""Accounts writes, by sub-domain: members and their profiles (``members``), friendships and
friend requests (``friends``), introductions, blocks and footprints. Each public function is
keyword-only and runs in one transaction; leaving the site is ``sns.leaving.services``, the
ranking of people you may know ``sns.suggestions.services``."""

from .birthdays import birthday_notice, birthday_notices_send
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
from .members import (
    daily_news_set,
    member_complete,
    member_create,
    names_policy_switched,
    profile_update,
)

__all__ = [
    "FOOTPRINT_EVERY",
    "INTRODUCTION_MAX_LENGTH",
    "BlockError",
    "FriendRequestError",
    "IntroductionError",
    "birthday_notice",
    "birthday_notices_send",
    "block_create",
    "block_remove",
    "daily_news_set",
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
]
