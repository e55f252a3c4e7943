"""What every community write checks: the refusals (their messages are for the member), the
community row locked before deciding on who is in it, the roles an action needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from sns import limits
from sns.errors import Refused

from ..models import Community, Membership
from ..selectors import membership_of

if TYPE_CHECKING:
    from accounts.models import User


class CommunityError(Refused):
    """A membership action that the rules do not allow; the message is for the member."""


class NameTaken(CommunityError):
    pass


# Too many communities or topics started in a short time (sns.limits).
RateLimited = limits.RateLimited


def locked_community(community: Community) -> Community:
    return Community.objects.select_for_update().get(pk=community.pk)


def require_admin(community: Community, user: User) -> Membership:
    membership = membership_of(community, user)
    if membership is None or not membership.is_admin:
        raise CommunityError(_("Only the community's admin can do this."))
    return membership


def require_moderator(community: Community, user: User) -> Membership:
    membership = membership_of(community, user)
    if membership is None or not membership.moderates:
        raise CommunityError(_("Only the community's admins can do this."))
    return membership


def require_open(community: Community) -> None:
    if community.is_closed:
        raise CommunityError(_("This community is closed."))
