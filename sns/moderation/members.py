"""Moderating members: warn, suspend and reinstate, the right to invite, and a member's whole
invite subtree. Inviters vouch for their invitees: each warning or suspension is told to the
member's inviter, and an inviter whose invitees were suspended more often than the site
allows loses the right to invite until a moderator restores it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from invites.models import Invitation, invite_tree
from invites.services import invitations_revoke_all_from
from offkai.services import rsvps_reinstate, rsvps_suspend
from sns import cache
from sns.models import ModerationLog, Report, SitePolicy
from sns.notify import Kind, notify

from .content import topic_comment_counts_refresh, topics_commented_by
from .log import Action, ModerationError, log, require_moderator


def _locked(member: User) -> User:

    # No key update: answers, hosts and the like that other transactions write for the
    # member (holding their event's lock) must not wait on this lock, since suspending
    # then locks those events (offkai.services.rsvps_suspend): a deadlock otherwise.
    return (
        User.objects.select_for_update(of=("self",), no_key=True).select_related("profile")
        .get(pk=member.pk)
    )


def inviter_of(member: User) -> User | None:
    """The member who invited ``member`` (None: invited by the site, or a founder)."""

    invitation = (
        Invitation.objects.filter(accepted_user=member).select_related("inviter__profile").first()
    )
    return invitation.inviter if invitation is not None else None


@transaction.atomic
def member_warn(
    *, member: User, by: User, reason: str = "", report: Report | None = None
) -> None:
    """Warn ``member`` (MODERATION_WARNING, about the report when there is one, whose note
    says why) and tell their inviter (INVITEE_WARNED)."""
    require_moderator(by)
    notify(recipient=member, kind=Kind.MODERATION_WARNING, target=report)
    inviter = inviter_of(member)
    if inviter is not None and inviter.is_active:
        notify(recipient=inviter, kind=Kind.INVITEE_WARNED, target=member)
    log(action=Action.WARN, by=by, member=member, target=report.target if report else None,
        report=report, reason=reason)


@transaction.atomic
def member_suspend(
    *, member: User, by: User, reason: str = "", report: Report | None = None
) -> bool:
    """Suspend ``member``: they can no longer log in (Django refuses inactive accounts, and
    their open sessions stop working), what they wrote is hidden everywhere, their pending
    invitations are revoked, and their inviter is told (INVITEE_SUSPENDED) and may lose the
    right to invite. Their off-kai answers are set aside and the places they held go to
    the waitlists. False if they were suspended already."""
    require_moderator(by)
    if member.pk == by.pk:
        raise ModerationError(_("You cannot suspend yourself."))
    member = _locked(member)
    if member.suspended_at is not None:
        return False
    if not member.is_active:
        # Left, or refused at approval: lifting a suspension must not bring them back.
        raise ModerationError(_("This account is not active: there is nothing to suspend."))
    member.is_active = False
    member.suspended_at = timezone.now()
    member.save(update_fields=["is_active", "suspended_at"])
    cache.bump(cache.PEOPLE)
    rsvps_suspend(member=member)
    log(action=Action.SUSPEND, by=by, member=member, report=report, reason=reason,
        target=report.target if report else None)
    _revoke_pending(member=member, by=by, reason=_("The member was suspended."))
    topic_comment_counts_refresh(topic_ids=topics_commented_by(member))
    inviter = inviter_of(member)
    if inviter is not None and inviter.is_active:
        notify(recipient=inviter, kind=Kind.INVITEE_SUSPENDED, target=member)
        _enforce_suspension_limit(inviter=inviter)
    return True


@transaction.atomic
def member_unsuspend(*, member: User, by: User, reason: str = "") -> bool:
    """Lift ``member``'s suspension: they can log in again and what they wrote is shown
    again. Invitations revoked when they were suspended stay revoked. Their off-kai answers
    are taken again as new answers would be (attending if there is room, else waiting).
    False if they were not suspended."""
    require_moderator(by)
    member = _locked(member)
    if member.suspended_at is None:
        return False
    member.is_active = True
    member.suspended_at = None
    member.save(update_fields=["is_active", "suspended_at"])
    cache.bump(cache.PEOPLE)
    rsvps_reinstate(member=member)
    topic_comment_counts_refresh(topic_ids=topics_commented_by(member))
    log(action=Action.UNSUSPEND, by=by, member=member, reason=reason)
    return True


def _revoke_pending(*, member: User, by: User, reason: str) -> int:

    revoked = invitations_revoke_all_from(inviter=member)
    if revoked:
        log(action=Action.INVITATIONS_REVOKED, by=by, member=member,
            reason=f"{reason} ({revoked})".strip())
    return revoked


@transaction.atomic
def member_invitations_revoke(*, member: User, by: User, reason: str = "") -> int:
    """Revoke every invitation ``member`` issued that is not accepted yet; how many."""
    require_moderator(by)
    return _revoke_pending(member=_locked(member), by=by, reason=reason)


def invitee_suspensions(inviter: User) -> int:
    """How often members ``inviter`` invited were suspended since a moderator last restored
    the inviter's right to invite (a restored right starts afresh)."""

    invitees = Invitation.objects.filter(
        inviter=inviter, accepted_user__isnull=False
    ).values("accepted_user")
    suspensions = ModerationLog.objects.filter(action=Action.SUSPEND, member__in=invitees)
    restored = ModerationLog.objects.filter(
        member=inviter, action=Action.INVITE_RIGHT_RESTORED
    ).aggregate(at=Max("at"))["at"]
    if restored is not None:
        suspensions = suspensions.filter(at__gt=restored)
    return suspensions.count()


def _enforce_suspension_limit(*, inviter: User) -> bool:
    limit = SitePolicy.current().invitee_suspension_limit
    if limit is None:
        return False
    # Locked before counting, so that two invitees suspended at once are both counted.
    inviter = _locked(inviter)
    if not inviter.may_invite or invitee_suspensions(inviter) <= limit:
        return False
    inviter.may_invite = False
    inviter.save(update_fields=["may_invite"])
    notify(recipient=inviter, kind=Kind.INVITE_RIGHT_REMOVED)
    log(action=Action.INVITE_RIGHT_REMOVED, by=None, member=inviter,
        reason=_("Members they invited were suspended more than %(limit)d times.")
        % {"limit": limit})
    return True


@transaction.atomic
def invite_right_restore(*, member: User, by: User, reason: str = "") -> bool:
    """Give ``member`` back the right to invite; False if they had it."""
    require_moderator(by)
    member = _locked(member)
    if member.may_invite:
        return False
    member.may_invite = True
    member.save(update_fields=["may_invite"])
    log(action=Action.INVITE_RIGHT_RESTORED, by=by, member=member, reason=reason)
    return True


# --- a member's invite subtree ---------------------------------------------------------------

def subtree(root: User) -> list[User]:
    """``root`` and everyone they invited, and whom those invited, and so on: top down."""

    members, level = [root], invite_tree(root)
    while level:
        members += [node.member for node in level]
        level = [child for node in level for child in node.children]
    return members


@transaction.atomic
def subtree_suspend(*, root: User, by: User, reason: str = "") -> int:
    """Suspend ``root`` and their whole invite subtree; how many were suspended now."""
    require_moderator(by)
    members = subtree(root)
    # Lock everyone first, in one order, so that this never deadlocks with another
    # suspension in the same subtree.
    _lock_all([m.pk for m in members])
    return sum(
        member_suspend(member=m, by=by, reason=reason)
        for m in members if m.pk != by.pk and m.is_active
    )


@transaction.atomic
def subtree_invitations_revoke(*, root: User, by: User, reason: str = "") -> int:
    """Revoke every pending invitation issued in ``root``'s invite subtree; how many."""
    require_moderator(by)
    members = subtree(root)
    _lock_all([m.pk for m in members])
    return sum(_revoke_pending(member=m, by=by, reason=reason) for m in members)


def _lock_all(ids: list[int]) -> None:

    # No key update, as in _locked.
    list(
        User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        .values("pk")
    )
