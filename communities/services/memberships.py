"""Who is in a community: joining (at once, by request or by invitation), leaving, the
admins' decisions on join requests, inviting a friend, and the roles (the admin's hand-over,
sub-admins, removing a member). Each locks the community row first, so that two of them
never decide on the same state at once."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Friendship, User
from sns import cache
from sns.notify import Kind, notifications_withdraw, notify
from sns.visibility import blocked_between

from ..models import Community, CommunityInvitation, JoinPolicy, JoinRequest, Membership, Role
from ..selectors import membership_of
from .rules import (
    CommunityError,
    locked_community,
    require_admin,
    require_moderator,
    require_open,
)


@transaction.atomic
def membership_join(
    *, community: Community, user: User, message: str = ""
) -> Membership | JoinRequest:
    """``user`` joins: an open community at once; one by approval gets a join request (and
    notifies its admins and sub-admins); a secret one only with an invitation, which the
    joining uses up."""
    locked = locked_community(community)
    require_open(locked)
    existing = membership_of(locked, user)
    if existing is not None:
        return existing
    if locked.join_policy == JoinPolicy.APPROVAL:
        join_request, created = JoinRequest.objects.get_or_create(
            community=locked, user=user, defaults={"message": message.strip()}
        )
        if created:
            # Counted on its admins' home.
            cache.bump(cache.community(locked))
            for moderator in _moderators(locked):
                notify(recipient=moderator, kind=Kind.COMMUNITY_JOIN_REQUEST, actor=user,
                       target=join_request)
        return join_request
    if locked.join_policy == JoinPolicy.SECRET:
        invited = CommunityInvitation.objects.filter(community=locked, invitee=user)
        if not invited.exists():
            raise CommunityError(_("This community can be joined only by invitation."))
        invited.delete()
    membership = Membership.objects.create(community=locked, user=user, role=Role.MEMBER)
    cache.bump(cache.memberships(user))
    return membership


def _moderators(community: Community) -> list[User]:
    return list(User.objects.filter(
        is_active=True, community_memberships__community=community,
        community_memberships__role__in=[Role.ADMIN, Role.SUBADMIN],
    ))


@transaction.atomic
def join_request_withdraw(*, community: Community, user: User) -> None:
    drop_requests(JoinRequest.objects.filter(community=community, user=user))


def drop_requests(requests) -> None:
    """Delete these join requests and withdraw the notifications that told of them."""
    rows = list(requests.values_list("pk", "community_id"))
    ids = [pk for pk, _community in rows]
    notifications_withdraw(model=JoinRequest, ids=ids)
    JoinRequest.objects.filter(pk__in=ids).delete()
    # No longer counted on the admins' home.
    cache.bump(*{cache.community(community) for _pk, community in rows})


@transaction.atomic
def membership_leave(*, community: Community, user: User) -> None:
    """``user`` leaves; the admin must hand the role over first."""
    locked = locked_community(community)
    membership = membership_of(locked, user)
    if membership is None:
        return
    if membership.is_admin:
        raise CommunityError(
            _("As the admin you cannot leave before handing the role over to another member.")
        )
    membership.delete()
    cache.bump(cache.memberships(user))


@transaction.atomic
def join_request_decide(*, request_id: int, by: User, approve: bool) -> Membership | None:
    """An admin or sub-admin approves (the member joins and is notified) or refuses the
    request ``request_id``. Raises JoinRequest.DoesNotExist when it is already decided."""
    # Lock the request, since two admins approving at once must make one membership: the
    # second finds the request gone.
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",)).select_related("community", "user")
        .get(pk=request_id)
    )
    community = join_request.community
    require_moderator(community, by)
    drop_requests(JoinRequest.objects.filter(pk=join_request.pk))
    if not approve:
        return None
    require_open(community)
    membership, _created = Membership.objects.get_or_create(
        community=community, user=join_request.user, defaults={"role": Role.MEMBER}
    )
    cache.bump(cache.memberships(join_request.user))
    notify(recipient=join_request.user, kind=Kind.COMMUNITY_JOIN_APPROVED, actor=by,
           target=community)
    return membership


@transaction.atomic
def community_invite(*, community: Community, inviter: User, invitee: User) -> CommunityInvitation:
    """A member invites a friend (the way into a secret community); the friend is notified
    (COMMUNITY_INVITATION, about the community, whose page offers them to join) once, however
    often they are invited."""
    # Lock the community, since a friend joining (or being removed) at the same moment must
    # not end up invited, and told so, after they became a member.
    community = locked_community(community)
    require_open(community)
    if membership_of(community, inviter) is None:
        raise CommunityError(_("Only members can invite."))
    if not Friendship.objects.filter(user=inviter, friend=invitee).exists() or blocked_between(
        inviter, invitee
    ):
        raise CommunityError(_("You can invite only your friends."))
    if membership_of(community, invitee) is not None:
        raise CommunityError(_("This friend is already a member."))
    invitation, created = CommunityInvitation.objects.get_or_create(
        community=community, invitee=invitee, defaults={"inviter": inviter}
    )
    if created:
        # Invited, they may see a secret community's topics.
        cache.bump(cache.memberships(invitee))
        notify(recipient=invitee, kind=Kind.COMMUNITY_INVITATION, actor=inviter,
               target=community)
    return invitation


# --- roles -----------------------------------------------------------------------------------

@transaction.atomic
def admin_hand_over(*, community: Community, by: User, to: User) -> None:
    """The admin makes member ``to`` the admin and becomes a sub-admin."""
    locked = locked_community(community)
    current = require_admin(locked, by)
    successor = membership_of(locked, to)
    if successor is None:
        raise CommunityError(_("The new admin must be a member of the community."))
    if successor.pk == current.pk:
        return
    # Demote first: the database holds one admin per community at every moment.
    current.role = Role.SUBADMIN
    current.save(update_fields=["role"])
    successor.role = Role.ADMIN
    successor.save(update_fields=["role"])
    # Who counts its join requests on home.
    cache.bump(cache.community(locked))


@transaction.atomic
def subadmin_set(*, community: Community, by: User, user: User, on: bool) -> None:
    """The admin makes a member a sub-admin (``on``) or a plain member again."""
    locked = locked_community(community)
    require_admin(locked, by)
    membership = membership_of(locked, user)
    if membership is None or membership.is_admin:
        raise CommunityError(_("Choose a member other than the admin."))
    membership.role = Role.SUBADMIN if on else Role.MEMBER
    membership.save(update_fields=["role"])
    # Who counts its join requests on home.
    cache.bump(cache.community(locked))


@transaction.atomic
def member_remove(*, community: Community, by: User, user: User) -> None:
    """The admin removes a member (a sub-admin too, but never themselves)."""
    locked = locked_community(community)
    require_admin(locked, by)
    membership = membership_of(locked, user)
    if membership is None or membership.is_admin:
        raise CommunityError(_("Choose a member other than the admin."))
    membership.delete()
    cache.bump(cache.memberships(user))
