"""Writes to invitations: create, resend, revoke, redeem, and the mail that carries one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.models import User
from sns import cache, limits, mail
from sns.errors import Refused
from sns.models import Notification, SitePolicy
from sns.notify import Kind, notify
from sns.site_policy import domain_refusal, email_domain_allowed
from sns.visibility import Relation, relation_between

from . import selectors
from .models import Invitation, default_expiry, new_token
from .tasks import send_invitation_email


class InvitationError(Refused):
    """A member-facing reason why an invitation cannot be made or used."""


class QuotaExhausted(InvitationError):
    pass


class InvitationNotUsable(InvitationError):
    pass


class AddressTaken(InvitationError):
    """The address typed at signup belongs to a member: the page must not say so (anyone
    holding an invitation could test addresses with it), so the view answers as for any
    address that needs confirming and tells the address's owner by mail."""


def _check_quota(inviter: User, *, takes_slot: bool = True) -> None:
    """Refuse an inviter who may not invite at all, and, when the invitation ``takes_slot``,
    one with no invitations left."""
    # Lock the inviter, since two invitations sent at once must not both take the
    # last slot of the quota.
    inviter = User.objects.select_for_update().get(pk=inviter.pk)
    refusal = selectors.invite_refusal(inviter)
    if refusal is not None:
        # A quota of 0 is "no invitations left" to callers that word it themselves (offkai).
        no_quota = inviter.effective_invite_quota == 0
        raise (QuotaExhausted if no_quota else InvitationError)(refusal)
    if not takes_slot:
        return
    quota = inviter.effective_invite_quota
    if quota is not None and inviter.invitations_sent.counting_against_quota().count() >= quota:
        raise QuotaExhausted(_("You have no invitations left."))


@transaction.atomic
def invitation_create(
    *, inviter: User | None, email: str, message: str = "", send: bool = True
) -> Invitation:
    """Invite ``email`` on behalf of ``inviter`` (None: the site itself) and mail the link."""
    email = User.objects.normalize_email(email.strip())
    site_policy = SitePolicy.current()
    if not email_domain_allowed(email, site_policy):
        raise InvitationError(domain_refusal(site_policy))
    if inviter is not None:
        _check_quota(inviter)
        if send:
            limits.take(inviter, limits.INVITATIONS)
    elif selectors.address_taken(email):
        # Only the site (the operator) hears that the address is a member's. A member's
        # invitation goes on as any other, the same answer, quota and work here, so that no
        # member can test who is on the site; the mail task tells the member instead
        # (member_invited_notify).
        raise InvitationError(_("This person is already a member."))
    if Invitation.objects.pending().filter(email__iexact=email).filter(
        Q(inviter=inviter) if inviter else Q(inviter__isnull=True)
    ).exists():
        raise InvitationError(
            _("You have already invited this address. You can resend that invitation.")
        )
    invitation = Invitation.objects.create(
        inviter=inviter, email=email, message=message, sent_at=timezone.now() if send else None
    )
    # What is left of the inviter's quota, on their home (kept HTML: sns.cache.rendered).
    cache.bump(cache.invites(inviter))
    if send:
        _send_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User | None = None) -> Invitation:
    """Mail a fresh link with a new expiry; the old link stops working at once. Each mail
    counts against the INVITATIONS_PER_DAY of whoever resends it (``by``, the inviter when
    not given), as a new invitation does: a moderator resending from the admin (staff have
    no allowance) takes nothing from the inviter's."""
    sender = by if by is not None else invitation.inviter
    if sender is not None:
        limits.take(sender, limits.INVITATIONS)
    if invitation.inviter_id is not None:
        # A fresh link is a new invitation: not for an inviter who may no longer invite.
        # Their row is locked before the invitation's, in the order a suspension takes them
        # (the member, then their invitations), so that the two never deadlock.
        _check_quota(invitation.inviter, takes_slot=False)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationNotUsable(_("This invitation can no longer be resent."))
    if not invitation.is_pending and invitation.inviter_id is not None:
        # An expired invitation gave its slot back; reviving it takes a slot again.
        _check_quota(invitation.inviter)
    invitation.token = new_token()
    invitation.expires_at = default_expiry()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["token", "expires_at", "sent_at"])
    cache.bump(cache.invites(invitation.inviter_id))
    _send_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Revoke a pending (or expired) invitation; return False if it was already used up."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        return False
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    cache.bump(cache.invites(invitation.inviter_id))
    return True


def invitations_revoke_all_from(*, inviter: User) -> int:
    """Revoke every invitation ``inviter`` issued that is not yet accepted."""
    revoked = Invitation.objects.filter(
        inviter=inviter, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    cache.bump(cache.invites(inviter))
    return revoked


@dataclass(frozen=True)
class Signup:
    email: str
    password: str
    language: str
    profile: dict


@transaction.atomic
def invitation_redeem(*, token: str, signup: Signup) -> User:
    """Create the invitee's account from an invitation: all of it, or nothing.

    The invitation row is locked first, so two submissions of one token (two tabs, a double
    click) queue here and the second finds it accepted.
    """
    try:
        invitation = Invitation.objects.select_for_update().get(token=token)
    except Invitation.DoesNotExist:
        raise InvitationNotUsable(_("This invitation does not exist.")) from None
    if not invitation.is_pending:
        raise InvitationNotUsable(_("This invitation can no longer be used."))
    email = User.objects.normalize_email(signup.email.strip())
    site_policy = SitePolicy.current()
    if not email_domain_allowed(email, site_policy):
        # Signing up with another address than the invited one must not get round the rule.
        raise InvitationError(domain_refusal(site_policy))
    if selectors.address_taken(email):
        raise AddressTaken(email)
    try:
        user = accounts_services.member_create(
            email=email,
            password=signup.password,
            # The invitation reached this address, which proves it; another must be verified.
            email_verified=email.lower() == invitation.email.lower(),
            language=signup.language,
            profile=signup.profile,
        )
    except IntegrityError:
        # Another invitation made an account for this address a moment ago.
        raise AddressTaken(email) from None
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    cache.bump(cache.invites(invitation.inviter_id))
    # Signing up means ticking "I accept the rules" (SignupForm). A site that approves each
    # newcomer lets them in, and their inviter hears of them, only once a moderator has
    # (sns.policy.services.member_approve).
    user.rules_accepted_at = invitation.accepted_at
    user.awaiting_approval = site_policy.approve_new_members
    user.save(update_fields=["rules_accepted_at", "awaiting_approval"])
    if not user.awaiting_approval and invitation.inviter_id and invitation.inviter.is_active:
        accounts_services.friendship_create(a=invitation.inviter, b=user)
        notify(recipient=invitation.inviter, kind=Kind.INVITEE_JOINED, target=user)
    return user


# One "wanted to invite you" per inviter and member in this time, however often the inviter
# invites, revokes and resends to the member's address.
MEMBER_INVITED_NOTICE_EVERY = timedelta(days=30)


@transaction.atomic
def member_invited_notify(*, invitation: Invitation, member: User) -> Notification | None:
    """Tell ``member``, whose address ``invitation`` went to, that its inviter wanted to
    invite them (the notification offers a friend request). Called instead of mailing the
    invitation; returns the notification, or None when there is nothing to tell: an
    inviter who is the site or cannot use it any more, a member who cannot, a block either
    way, friends already, or one told within ``MEMBER_INVITED_NOTICE_EVERY``."""
    if invitation.inviter_id is None:
        return None
    # Lock the pair, since two invitations or resends delivered at once must make one
    # notification (the same locks as a friend request between them).
    locked = accounts_services.pair_lock(a=invitation.inviter, b=member)
    inviter, member = locked.get(invitation.inviter_id), locked.get(member.pk)
    if inviter is None or member is None or inviter.pk == member.pk:
        return None
    if not (inviter.is_active and member.is_active) or inviter.awaiting_approval:
        return None
    if relation_between(member, inviter) in (Relation.BLOCKED, Relation.FRIEND):
        return None
    if Notification.objects.filter(
        recipient=member, actor=inviter, kind=Kind.MEMBER_INVITED,
        created_at__gte=timezone.now() - MEMBER_INVITED_NOTICE_EVERY,
    ).exists():
        return None
    return notify(recipient=member, kind=Kind.MEMBER_INVITED, actor=inviter)


def _send_after_commit(invitation: Invitation) -> None:
    pk, token = invitation.pk, invitation.token
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id=pk, token=token))


def invitation_mail_send(*, invitation_id: int, token: str) -> bool:
    """Mail the invitation link, as text and HTML, in the site's language; or, when the
    address is a member's, tell that member in the app instead (no link: nobody is to join
    with it). Returns whether a mail went out.

    The token travels with the task so that a resend in between (a new token) leaves this
    mail with a link that no longer works, never with a link that was not meant for it.
    """
    invitation = (
        Invitation.objects.select_related("inviter__profile").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.token != token or not invitation.is_pending:
        return False
    # Looked up here, after the inviter had their answer, so that inviting a member's
    # address costs the request nothing more than inviting anyone else.
    member = User.objects.filter(email__iexact=invitation.email).first()
    if member is not None:
        member_invited_notify(invitation=invitation, member=member)
        return False
    message = mail.build(
        to=invitation.email, template="invites/email/invitation",
        language=settings.LANGUAGE_CODE, context={
            "invitation": invitation,
            "inviter_name": invitation.inviter.display_name if invitation.inviter else "",
            "accept_url": mail.absolute_url(reverse("invites:accept", args=[token])),
        },
    )
    mail.send(message)
    return True
