"""The site policy's writes (one transaction each): ``policy_save``, ``rules_accept``,
``member_approve``, ``member_refuse``, ``invitations_refill``. Reading the policy is the
kernel's ``sns.site_policy``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import friendship_create, names_policy_switched
from invites.models import Invitation
from sns import cache as parts
from sns.models import ModerationLog, SitePolicy
from sns.moderation.log import log, require_moderator
from sns.moderation.members import inviter_of
from sns.notify import Kind, notify
from sns.site_policy import has_rules, policy_cache_refresh

Action = ModerationLog.Action

# --- the policy and the rules --------------------------------------------------------------

# The fields whose change the moderation log names (the rest are bookkeeping).
_LOGGED_FIELDS = [
    "body_ja", "body_en", "rules_ja", "rules_en", "identity_policy", "invite_domains",
    "approve_new_members", "invitee_suspension_limit", "quota_refill_days", "quota_cap",
]


@transaction.atomic
def policy_save(*, policy: SitePolicy, by: User, ask_again: bool = True) -> SitePolicy:
    """Save the operator's edit of the policy (there is one row; a new one takes its place).

    When the rules' text changed (and ``ask_again``, off for a typo fix), ``rules_changed_at``
    is set, so every member is asked to accept the rules again. Logs POLICY_CHANGED with
    the fields that changed; the cached policy is replaced once the change is committed.
    """
    # Lock the row, since two moderators saving at once must each compare against what the
    # other wrote.
    before = SitePolicy.objects.select_for_update().order_by("pk").first()
    if policy.pk is None and before is not None:
        policy.pk = before.pk
    before = before or SitePolicy()
    changed = [
        name for name in _LOGGED_FIELDS
        if _normalised(getattr(policy, name)) != _normalised(getattr(before, name))
    ]
    rules_changed = bool({"rules_ja", "rules_en"} & set(changed))
    renamed = _names_policy_switched(before, policy)
    if rules_changed and ask_again and has_rules(policy):
        policy.rules_changed_at = timezone.now()
    else:
        policy.rules_changed_at = before.rules_changed_at
    policy.save()
    if changed:
        # Names (the identity policy), invitations and the rules show on kept parts.
        parts.bump(parts.PEOPLE)
        labels = ", ".join(str(SitePolicy._meta.get_field(name).verbose_name) for name in changed)
        reason = _("Changed: %(fields)s.") % {"fields": labels}
        if policy.rules_changed_at != before.rules_changed_at:
            reason += " " + _("Members are asked to accept the rules again.")
        if renamed:
            reason += " " + renamed
        log(action=Action.POLICY_CHANGED, by=by, reason=reason)
    policy_cache_refresh(policy)
    return policy


def _names_policy_switched(before: SitePolicy, after: SitePolicy) -> str:
    """Narrow what a change of the identity policy would show of members' real names
    (``accounts.services.names_policy_switched``); what to log of it, or ""."""

    old = before.identity_policy or settings.IDENTITY_POLICY
    new = after.identity_policy or settings.IDENTITY_POLICY
    changed = names_policy_switched(before=old, after=new)
    if not changed:
        return ""
    if new == "nickname":
        return ngettext(
            "%(count)d member's real name is now shown to them only.",
            "%(count)d members' real names are now shown to them only.", changed,
        ) % {"count": changed}
    return ngettext(
        "%(count)d member keeps appearing under their nickname.",
        "%(count)d members keep appearing under their nicknames.", changed,
    ) % {"count": changed}


def _normalised(value):
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else value


def rules_accept(*, member: User) -> None:
    """Record that ``member`` accepted the rules as they stand now."""

    member.rules_accepted_at = timezone.now()
    User.objects.filter(pk=member.pk).update(rules_accepted_at=member.rules_accepted_at)
    parts.bump(parts.member(member))


# --- approval of new members ---------------------------------------------------------------


def _locked_awaiting(member: User) -> User | None:

    # Lock the member, since two moderators deciding at once must not both act.
    locked = User.objects.select_for_update(of=("self",)).select_related("profile").get(
        pk=member.pk
    )
    if not (locked.awaiting_approval and locked.is_active):
        return None
    return locked


@transaction.atomic
def member_approve(*, member: User, by: User) -> bool:
    """Let a member who joined while the site asks for approval in.

    They stop waiting, become friends with their inviter (who is told: INVITEE_JOINED) and
    are mailed, in their language, that they can start. Logs MEMBER_APPROVED. False if they
    were not waiting (approved or refused already).
    """
    from .tasks import send_approval_email  # a cycle: tasks run these services

    require_moderator(by)
    locked = _locked_awaiting(member)
    if locked is None:
        return False
    locked.awaiting_approval = False
    locked.save(update_fields=["awaiting_approval"])
    member.awaiting_approval = False
    inviter = inviter_of(locked)
    if inviter is not None and inviter.is_active:
        friendship_create(a=inviter, b=locked)
        notify(recipient=inviter, kind=Kind.INVITEE_JOINED, target=locked)
    log(action=Action.MEMBER_APPROVED, by=by, member=locked)
    member_id = locked.pk
    transaction.on_commit(lambda: send_approval_email.enqueue(member_id=member_id))
    return True


@transaction.atomic
def member_refuse(*, member: User, by: User, reason: str = "") -> bool:
    """Turn away a member waiting for approval: their account is deactivated (they can no
    longer log in) and MEMBER_REFUSED is logged with ``reason``. False if they were not
    waiting."""
    require_moderator(by)
    locked = _locked_awaiting(member)
    if locked is None:
        return False
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    member.is_active = False
    # Their requests and notifications leave others' cached counts (sns.cache).
    parts.bump(parts.PEOPLE)
    log(action=Action.MEMBER_REFUSED, by=by, member=locked, reason=reason)
    return True


# --- refilling the invitation quota --------------------------------------------------------

# A daily cron job starts a few seconds earlier or later each day: a member refilled at
# 03:00:05 is due again at 03:00:01 on the day the period ends, not a day later.
REFILL_SLACK = timedelta(hours=1)


def invitations_refill(now: datetime | None = None) -> int:
    """Give each member in good standing one more invitation every
    ``SitePolicy.quota_refill_days`` days, while they have fewer than ``quota_cap`` left
    (left: their quota less the invitations pending or accepted, as the invite page counts).

    Good standing: active, not waiting for approval, allowed to invite, not staff (staff
    have no limit), no quota of 0 from the operator, and none of their invitees suspended
    within the period. Returns how many members got one. Running it again within the period
    gives nobody a second one, also when two runs overlap: it is one UPDATE, and PostgreSQL
    re-checks each row's refill time once the other run's lock on it is released.
    """

    policy = SitePolicy.current()
    if not policy.quota_refill_days:
        return 0
    now = now or timezone.now()
    period_start = now - timedelta(days=policy.quota_refill_days)
    quota = Coalesce(F("invite_quota"), settings.INVITE_QUOTA, output_field=IntegerField())
    in_use = Subquery(
        Invitation.objects.counting_against_quota()
        .filter(inviter=OuterRef("pk"))
        .order_by()
        .values("inviter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    invitee_suspended = Exists(
        ModerationLog.objects.filter(
            action=Action.SUSPEND, at__gte=period_start,
            member__accepted_invitation__inviter=OuterRef("pk"),
        )
    ) | Exists(
        User.objects.filter(
            accepted_invitation__inviter=OuterRef("pk"), suspended_at__gte=period_start
        )
    )
    # A member never refilled counts from the day they joined.
    period_over = Q(quota_refilled_at__lte=period_start + REFILL_SLACK) | Q(
        quota_refilled_at__isnull=True, date_joined__lte=period_start + REFILL_SLACK
    )
    due = (
        User.objects.filter(period_over, is_active=True, awaiting_approval=False,
                            may_invite=True, is_staff=False)
        .alias(left=quota - Coalesce(in_use, 0, output_field=IntegerField()))
        .filter(left__lt=policy.quota_cap)
        .exclude(invitee_suspended)
    )
    # A quota of 0 is only ever the operator's (refills add one, the default is empty): they
    # took this member's invitations away, and a refill must not hand one back.
    operator_zero = Q(invite_quota=0)
    # ``period_over`` and ``operator_zero`` on the updated rows themselves: that is what
    # PostgreSQL re-checks on a row another run refilled, or the admin set to 0, meanwhile.
    refilled = (
        User.objects.filter(period_over, pk__in=due.values("pk")).exclude(operator_zero)
        .update(invite_quota=quota + 1, quota_refilled_at=now)
    )
    if refilled and parts.in_use():
        # The rows this run refilled are those stamped with its ``now``; their cached copies
        # (accounts/backends.py) go.
        parts.bump(*(
            parts.member(pk)
            for pk in User.objects.filter(quota_refilled_at=now).values_list("pk", flat=True)
        ))
    return refilled
