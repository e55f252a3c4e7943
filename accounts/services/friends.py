"""Friendships and friend requests: send, accept, decline, cancel, unfriend. Every write
about a pair of members takes both members' locks (``pair_lock``) first."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sns import cache, limits
from sns.errors import Refused
from sns.notify import Kind, notify
from sns.visibility import blocked_between

from ..models import FriendRequest, Friendship, Introduction, User


def friendship_create(*, a: User, b: User) -> bool:
    """Make ``a`` and ``b`` friends (both rows); return False if they already were."""
    if a.pk == b.pk:
        raise ValueError("A member cannot befriend themselves.")
    try:
        with transaction.atomic():
            Friendship.objects.bulk_create(
                [Friendship(user=a, friend=b), Friendship(user=b, friend=a)]
            )
    except IntegrityError:
        return False
    friendship_changed(a=a, b=b)
    return True


def friendship_changed(*, a: User, b: User) -> None:
    """Make the cached friend parts that a friendship between ``a`` and ``b`` (made or ended)
    changes stale: theirs, and those of every friend of both, whose circle has the line
    between them (sns.cache)."""
    mutual = []
    if cache.in_use():
        mutual = Friendship.objects.filter(
            user=a, friend__in=Friendship.objects.filter(user=b).values("friend")
        ).values_list("friend_id", flat=True)
    cache.bump(cache.friends(a), cache.friends(b), *(cache.friends(pk) for pk in mutual))


class FriendRequestError(Refused):
    """A member-facing reason why a friend request cannot be sent or answered."""


def pair_lock(*, a: User, b: User) -> dict[int, User]:
    """Lock both members' rows, lower pk first, and return them fresh by pk.

    Every write about a pair (request, answer, unfriend) takes these locks before it looks,
    so two members asking each other at the same moment are served one after the other and
    the second finds the first's request. The fixed order keeps two such writers from
    deadlocking. NO KEY UPDATE is enough to serialise them without blocking rows elsewhere
    that merely point at the member.
    """
    locked = User.objects.select_for_update(no_key=True).filter(pk__in=[a.pk, b.pk]).order_by("pk")
    return {user.pk: user for user in locked}


@transaction.atomic
def friend_request_send(
    *, sender: User, recipient: User, message: str = ""
) -> FriendRequest | None:
    """Ask ``recipient`` to be friends; return the request, or None if they became friends.

    When ``recipient`` has already asked ``sender``, this answers that request: they become
    friends at once and no request remains. Notifies the recipient either way (request
    received, or their own request accepted).
    """
    if sender.pk == recipient.pk:
        raise FriendRequestError(_("You cannot send a friend request to yourself."))
    members = pair_lock(a=sender, b=recipient)
    if recipient.pk not in members or not members[recipient.pk].is_active:
        raise FriendRequestError(_("This member is no longer on the site."))
    if blocked_between(sender, recipient):
        # Said the same way as a member who left: a blocked member learns nothing.
        raise FriendRequestError(_("This member is no longer on the site."))
    if Friendship.objects.filter(user=sender, friend=recipient).exists():
        raise FriendRequestError(_("You are already friends."))
    if FriendRequest.objects.filter(from_user=recipient, to_user=sender).delete()[0]:
        _requests_changed(sender, recipient)
        friendship_create(a=sender, b=recipient)
        # The recipient had asked first: for them, this is their request accepted.
        notify(recipient=recipient, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=sender)
        return None
    if FriendRequest.objects.filter(from_user=sender, to_user=recipient).exists():
        raise FriendRequestError(_("You have already sent this member a friend request."))
    # Counted when sent, not when answered: sending and withdrawing again counts each time.
    limits.take(sender, limits.FRIEND_REQUESTS)
    friend_request = FriendRequest.objects.create(
        from_user=sender, to_user=recipient, message=message.strip()
    )
    # The notification bumps the recipient's inbox, whose cached counts hold the request too.
    notify(recipient=recipient, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=sender)
    _requests_changed(sender, recipient)
    return friend_request


def _requests_changed(*members) -> None:
    """The friend requests of ``members`` changed: the header's counts (``inbox``), and the
    pages that show them and not the notifications (``requests``: home, a profile), bumped
    in that order (a reader who finds the new ``requests`` finds the new ``inbox``)."""
    cache.bump(*(cache.inbox(m) for m in members), *(cache.requests(m) for m in members))


def _locked_request(*, request_id: int, **owner) -> FriendRequest:
    """The request ``request_id`` if it belongs to ``owner``, with both members locked.

    Raises FriendRequest.DoesNotExist for a request that is missing, answered meanwhile, or
    not the caller's: all the same to them.
    """
    found = FriendRequest.objects.select_related("from_user", "to_user").get(pk=request_id, **owner)
    pair_lock(a=found.from_user, b=found.to_user)
    # Look again under the locks: another answer may have come first.
    return FriendRequest.objects.select_related("from_user", "to_user").get(
        pk=request_id, **owner
    )


@transaction.atomic
def friend_request_accept(*, request_id: int, user: User) -> User:
    """Accept a request sent to ``user``; return the new friend, who is notified."""
    friend_request = _locked_request(request_id=request_id, to_user=user)
    sender = friend_request.from_user
    if not sender.is_active:
        raise FriendRequestError(_("This member is no longer on the site."))
    friend_request.delete()
    _requests_changed(user, sender)
    if friendship_create(a=user, b=sender):
        notify(recipient=sender, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=user)
    return sender


@transaction.atomic
def friend_request_decline(*, request_id: int, user: User) -> User:
    """Decline a request sent to ``user``; return who had asked. The sender is not told."""
    friend_request = _locked_request(request_id=request_id, to_user=user)
    friend_request.delete()
    _requests_changed(user, friend_request.from_user_id)
    return friend_request.from_user


@transaction.atomic
def friend_request_cancel(*, request_id: int, user: User) -> User:
    """Withdraw a request ``user`` sent; return whom it was sent to."""
    friend_request = _locked_request(request_id=request_id, from_user=user)
    friend_request.delete()
    _requests_changed(friend_request.to_user_id, user)
    return friend_request.to_user


@transaction.atomic
def friendship_end(*, user: User, other: User) -> bool:
    """Unfriend: remove both rows of the friendship and the introductions either way;
    return False if there was no friendship."""
    pair_lock(a=user, b=other)
    deleted, _rows = Friendship.objects.between(user, other).delete()
    Introduction.objects.between(user, other).delete()
    if deleted:
        friendship_changed(a=user, b=other)
    return deleted > 0
