"""Invitations in every state, and what the signup form on an invitation page posts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from invites import services as invites_services
from invites.models import Invitation, State
from tests.factories.members import PASSWORD, numbers


def invitation(inviter: User | None = None, email: str | None = None, **kwargs) -> Invitation:
    """An invitation from ``inviter`` (None: the site), through the service; ``kwargs`` go to
    ``invitation_create`` (``message``, ``send``)."""
    return invites_services.invitation_create(
        inviter=inviter, email=email or f"guest{next(numbers)}@example.com", **kwargs
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
