"""Reads about invitations that are more than a QuerySet method: whether a member may invite
at all, how many invitations they have left, and the invitation behind a token."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User

from .models import Invitation


def invite_refusal(member: User) -> str | None:
    """Why ``member`` may not invite anyone at all, in the active language; None when they
    may (having used up their invitations is not a reason here: they come back).

    The invite page shows it instead of the form, and ``invitation_create`` refuses with it,
    so the page and the refusal never disagree.
    """
    if not member.is_active:
        # Suspended (a member who left has no row): their pending invitations were revoked.
        return _("Your account is suspended, so you cannot invite anyone.")
    if member.awaiting_approval:
        return _("You can invite others once a moderator has approved your membership.")
    if not member.may_invite:
        # Taken away by sns.moderation when too many of their invitees were suspended.
        return _(
            "You cannot invite anyone at the moment: members you invited were suspended too "
            "often. A moderator can give you back the right to invite."
        )
    if member.effective_invite_quota == 0:
        if member.invite_quota is None:
            # The site's default quota (INVITE_QUOTA) is 0: invitations come from the staff.
            return _("On this site only the operator and moderators send invitations.")
        return _(
            "The site's operator has not given you any invitations. Ask them if you would "
            "like to invite someone."
        )
    return None


def address_taken(email: str) -> bool:
    """Whether a member (also a suspended one) has ``email``. Tell only the operator: to a
    member it would say who is on the site."""
    return User.objects.filter(email__iexact=email).exists()


def invitations_left(member: User, *, used: int | None = None) -> int | None:
    """How many more people ``member`` may invite now (None: no limit), as the invite page
    says; ``used`` is their invitations counting against the quota, when already counted."""
    quota = member.effective_invite_quota
    if quota is None:
        return None
    if used is None:
        used = member.invitations_sent.counting_against_quota().count()
    return max(quota - used, 0)


def usable_invitation(token: str) -> Invitation:
    """The pending invitation behind ``token``; raise Invitation.DoesNotExist if unknown."""
    return Invitation.objects.select_related("inviter__profile").get(token=token)
