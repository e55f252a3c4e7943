"""Builders for test data. Members are made through the same service the site uses."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts import services as accounts_services
from accounts.models import User
from invites import services as invites_services
from invites.models import Invitation, State

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def member(
    name: str | None = None, *, email: str | None = None, staff: bool = False, **profile
) -> User:
    n = next(_seq)
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


def invitation(inviter: User | None = None, email: str | None = None, **kwargs) -> Invitation:
    return invites_services.invitation_create(
        inviter=inviter, email=email or f"guest{next(_seq)}@example.com", **kwargs
    )


def signup_data(email: str, **overrides) -> dict:
    """POST data for the signup form on the invitation page."""
    data = {
        "email": email,
        "real_name": "新井 さくら",
        "real_name_kana": "あらい さくら",
        "nickname": "さくら",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }
    data.update(overrides)
    return data


def image_file(
    fmt: str = "JPEG", size: tuple[int, int] = (640, 480), name: str | None = None, **save_kwargs
) -> SimpleUploadedFile:
    picture = Image.new("RGB", size, "#c0392b")
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save_kwargs)
    return SimpleUploadedFile(name or f"photo.{fmt.lower()}", buffer.getvalue())


def redeem(invitation: Invitation, name: str = "Joined Person") -> User:
    """Join through ``invitation`` with its own address, as the invitation page would."""
    return invites_services.invitation_redeem(
        token=invitation.token,
        signup=invites_services.Signup(invitation.email, PASSWORD, "en", {"real_name": name}),
    )


def expire(invitation: Invitation) -> Invitation:
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])
    return invitation


def invitations_in_every_state(inviter: User | None) -> dict[str, Invitation]:
    """One invitation from ``inviter`` in each state, keyed by state."""
    invitations = {
        state: invitation(inviter, f"{state}@example.com", send=False) for state in State.values
    }
    redeem(invitations[State.ACCEPTED])
    expire(invitations[State.EXPIRED])
    invites_services.invitation_revoke(invitation=invitations[State.REVOKED])
    return invitations
