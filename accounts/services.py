"""Writes to members, profiles and friendships. Each runs in one transaction."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from sns import cache, images, limits
from sns.notify import Kind, notifications_withdraw, notify
from sns.visibility import Level, blocked_between

from .models import Block, FriendRequest, Friendship, Introduction, Profile, User


@transaction.atomic
def member_create(
    *,
    email: str,
    password: str | None,
    email_verified: bool,
    language: str = "",
    profile: dict | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a member with their profile and their (allauth) email address record."""
    user = User(
        email=User.objects.normalize_email(email), language=language,
        is_staff=is_staff, is_superuser=is_superuser,
    )
    user.set_password(password)
    user.save()
    fields = profile or {}
    made = Profile(user=user, **fields)
    if "other_name_visibility" not in fields:
        made.other_name_visibility = _other_name_default(made)
    made.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=email_verified, primary=True)
    return user


def member_complete(*, user: User, email_verified: bool, new: bool = False) -> None:
    """Give a member saved elsewhere (the admin's add form) what member_create gives.

    ``new``: the member was just added (with a profile the admin's form may have made), so
    the default of who sees their other name is set as for anyone joining."""
    profile, created = Profile.objects.get_or_create(user=user)
    if created or new:
        default = _other_name_default(profile)
        if profile.other_name_visibility != default:
            profile.other_name_visibility = default
            profile.save(update_fields=["other_name_visibility"])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": email_verified, "primary": True}
    )


def _other_name_default(profile: Profile) -> str:
    # Where the member appears under their nickname, the other name is their real name: no
    # one else sees it until they say so. (A nickname beside a shown real name is no secret.)
    if profile.shows_real_name:
        return Level.MEMBERS
    return Level.PRIVATE


@transaction.atomic
def names_policy_switched(*, before: str, after: str) -> int:
    """Keep every member's real name as private as it was when the site's identity policy
    changes from ``before`` to ``after``; return how many profiles changed.

    "Who sees my other name" speaks of the nickname while the real name is shown, of the
    real name while the nickname is: a member whose real name was shown, on a site turning
    to nicknames, gets "only me" (they may widen it); on a nickname site becoming one where
    each member chooses, everyone keeps appearing under their nickname. Turning to real
    names shows them: that is what the operator chose.
    """
    if before == after:
        return 0
    if after == "nickname":
        real_name_shown = Q()
        if before == "either":
            real_name_shown = Q(shown_name_choice=Profile.NameChoice.REAL_NAME) & ~Q(real_name="")
        elif before != "real_name":
            return 0
        return Profile.objects.filter(real_name_shown).exclude(
            other_name_visibility=Level.PRIVATE
        ).update(other_name_visibility=Level.PRIVATE)
    if after == "either" and before == "nickname":
        return Profile.objects.filter(shown_name_choice=Profile.NameChoice.REAL_NAME).update(
            shown_name_choice=Profile.NameChoice.NICKNAME
        )
    return 0


@transaction.atomic
def profile_update(
    *,
    user: User,
    fields: dict,
    photo: images.ProcessedImage | None = None,
    remove_photo: bool = False,
) -> Profile:
    """Save profile fields and, when given, replace or remove the photo (UPLOADS_PER_DAY)."""
    if photo is not None:
        limits.take(user, limits.UPLOADS)
    profile = Profile.objects.select_for_update().get(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    old_photo = profile.photo
    if photo is not None:
        profile.photo = images.store(photo, prefix=f"profiles/{user.pk}")
    elif remove_photo:
        profile.photo = ""
    profile.save()
    # The name and photo shown wherever the member is (kept parts, sns.cache).
    cache.bump(cache.member(user))
    if old_photo and old_photo != profile.photo:
        # Only once the new state is committed may the old files go.
        transaction.on_commit(lambda: images.delete(old_photo))
    return profile


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
    friendship_changed(a, b)
    return True


def friendship_changed(a: User, b: User) -> None:
    """Make the cached friend parts that a friendship between ``a`` and ``b`` (made or ended)
    changes stale: theirs, and those of every friend of both, whose circle has the line
    between them (sns.cache)."""
    mutual = []
    if cache.in_use():
        mutual = Friendship.objects.filter(
            user=a, friend__in=Friendship.objects.filter(user=b).values("friend")
        ).values_list("friend_id", flat=True)
    cache.bump(cache.friends(a), cache.friends(b), *(cache.friends(pk) for pk in mutual))


def friends_of(user: User, *, viewer: User | None = None):
    """The user's friends, newest friendship first, with their profiles.

    With ``viewer``, members who block the viewer or whom the viewer blocks are left out:
    for the viewer they do not exist.
    """
    friends = (
        User.objects.filter(friendships__friend=user, is_active=True)
        .select_related("profile")
        .order_by("-friendships__created_at", "-pk")
    )
    if viewer is not None and viewer.is_authenticated:
        friends = friends.exclude(
            Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk")))
        ).exclude(Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)))
    return friends


class FriendRequestError(Exception):
    """A member-facing reason why a friend request cannot be sent or answered."""


def lock_pair(a: User, b: User) -> dict[int, User]:
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
    members = lock_pair(sender, recipient)
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
    lock_pair(found.from_user, found.to_user)
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
    lock_pair(user, other)
    deleted, _rows = Friendship.objects.between(user, other).delete()
    Introduction.objects.between(user, other).delete()
    if deleted:
        friendship_changed(user, other)
    return deleted > 0


# --- introductions (紹介文) -----------------------------------------------------------------

INTRODUCTION_MAX_LENGTH = 1000


class IntroductionError(Exception):
    """A member-facing reason why an introduction cannot be written."""


@transaction.atomic
def introduction_write(*, author: User, subject: User, body: str) -> Introduction:
    """Write ``author``'s introduction of ``subject``, or rewrite it; only a friend may.

    Notifies the subject when the introduction is first written, not on later edits.
    """
    if author.pk == subject.pk:
        raise IntroductionError(_("You cannot write an introduction about yourself."))
    body = body.strip()
    if not body:
        raise IntroductionError(_("Write a few words about your friend."))
    if len(body) > INTRODUCTION_MAX_LENGTH:
        raise IntroductionError(
            _("An introduction can be at most %(max)d characters long.")
            % {"max": INTRODUCTION_MAX_LENGTH}
        )
    # The pair lock serialises this with friendship_end, so no introduction is written into
    # a friendship that is ending at the same moment.
    members = lock_pair(author, subject)
    if subject.pk not in members or not members[subject.pk].is_active:
        raise IntroductionError(_("This member is no longer on the site."))
    if not Friendship.objects.filter(user=author, friend=subject).exists():
        raise IntroductionError(_("Only friends can write an introduction."))
    introduction, created = Introduction.objects.update_or_create(
        author=author, subject=subject, defaults={"body": body}
    )
    cache.bump(cache.introductions(subject))
    if created:
        notify(
            recipient=subject, kind=Kind.INTRODUCTION_WRITTEN, actor=author, target=introduction
        )
    return introduction


@transaction.atomic
def introduction_delete(*, user: User, introduction_id: int) -> Introduction:
    """Delete an introduction: its subject may remove any about them, its author their own.

    Raises Introduction.DoesNotExist for one that is missing or neither theirs nor about
    them: all the same to the caller. Returns the deleted introduction (without its pk).
    """
    introduction = (
        Introduction.objects.select_related("author__profile", "subject__profile")
        .filter(Q(author=user) | Q(subject=user))
        .get(pk=introduction_id)
    )
    notifications_withdraw(model=Introduction, ids=[introduction.pk])
    introduction.delete()
    cache.bump(cache.introductions(introduction.subject_id))
    return introduction
