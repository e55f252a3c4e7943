"""Writes to members and their profiles: joining, the admin's additions, profile edits and
what a change of the site's identity policy does to every profile."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q

from sns import cache, images, limits
from sns.visibility import Level

from ..models import Profile, User


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


def daily_news_set(*, member: User, on: bool) -> None:
    """Whether ``member`` gets the daily news mail (sns.dailynews; the settings page, or the
    link in a mail)."""
    if member.daily_news != on:
        member.daily_news = on
        member.save(update_fields=["daily_news"])
