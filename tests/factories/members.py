"""Members and friendships, made through the same services the site uses."""

from __future__ import annotations

import itertools

from accounts import services as accounts_services
from accounts.models import User

PASSWORD = "correct-horse-battery-staple"
# Members and invitations draw from one count, so their addresses never meet.
numbers = itertools.count(1)


def member(
    name: str | None = None, *, email: str | None = None, staff: bool = False, **profile
) -> User:
    """A member who has joined and verified their address; ``profile`` sets profile fields."""
    n = next(numbers)
    profile.setdefault("real_name", name or f"会員 {n}")
    profile.setdefault("nickname", f"nick{n}")
    return accounts_services.member_create(
        email=email or f"member{n}@example.com",
        password=PASSWORD,
        email_verified=True,
        is_staff=staff,
        profile=profile,
    )


def befriend(a: User, b: User) -> None:
    accounts_services.friendship_create(a=a, b=b)
