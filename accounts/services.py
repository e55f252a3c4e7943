"""Writes to members, profiles and friendships. Each runs in one transaction."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from sns import images

from .models import Friendship, Profile, User


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
    Profile.objects.create(user=user, **(profile or {}))
    EmailAddress.objects.create(user=user, email=user.email, verified=email_verified, primary=True)
    return user


def member_complete(*, user: User, email_verified: bool) -> None:
    """Give a member saved elsewhere (the admin's add form) what member_create gives."""
    Profile.objects.get_or_create(user=user)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": email_verified, "primary": True}
    )


@transaction.atomic
def profile_update(
    *,
    user: User,
    fields: dict,
    photo: images.ProcessedImage | None = None,
    remove_photo: bool = False,
) -> Profile:
    """Save profile fields and, when given, replace or remove the photo."""
    profile = Profile.objects.select_for_update().get(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    old_photo = profile.photo
    if photo is not None:
        profile.photo = images.store(photo, prefix=f"profiles/{user.pk}")
    elif remove_photo:
        profile.photo = ""
    profile.save()
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
    return True


def friends_of(user: User):
    """The user's friends, newest friendship first, with their profiles."""
    return (
        User.objects.filter(friendships__friend=user, is_active=True)
        .select_related("profile")
        .order_by("-friendships__created_at", "-pk")
    )
