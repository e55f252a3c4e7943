"""The invitation quota refills over time for members in good standing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from invites import services
from sns import moderation
from sns.models import SitePolicy
from sns.policy.services import invitations_refill, policy_save
from sns.policy.tasks import refill_invitations
from tests import factories
from tests.invites.test_race import failures, run_at_once

MONTH = 30


def refill_every(by, days: int | None = MONTH, cap: int = 3) -> SitePolicy:
    site_policy = SitePolicy.current()
    site_policy.quota_refill_days = days
    site_policy.quota_cap = cap
    return policy_save(policy=site_policy, by=by)


def joined_ago(member: User, days: int) -> User:
    member.date_joined = timezone.now() - timedelta(days=days)
    member.save(update_fields=["date_joined"])
    return member


def left(member: User) -> int | None:
    """What the invite page shows as remaining."""
    member.refresh_from_db()
    quota = member.effective_invite_quota
    if quota is None:
        return None
    return max(quota - member.invitations_sent.counting_against_quota().count(), 0)


def use_up(member: User, count: int) -> None:
    for _ in range(count):
        factories.invitation(member, send=False)


@pytest.fixture
def veteran(owner, moderator):
    """A member of two months who used every invitation but one."""
    refill_every(moderator)
    joined_ago(owner, 2 * MONTH)
    use_up(owner, 4)
    return owner


@pytest.mark.django_db
def test_a_member_in_good_standing_gets_one_more(veteran):
    assert left(veteran) == 1
    assert invitations_refill() == 1
    assert left(veteran) == 2
    veteran.refresh_from_db()
    assert veteran.invite_quota == 6
    assert veteran.quota_refilled_at is not None


@pytest.mark.django_db
def test_running_twice_in_the_period_refills_once(veteran):
    assert invitations_refill() == 1
    assert invitations_refill() == 0
    now = timezone.now()
    assert invitations_refill(now + timedelta(days=MONTH - 2)) == 0
    # The next period (a daily cron a few seconds early still counts it).
    assert invitations_refill(now + timedelta(days=MONTH) - timedelta(seconds=30)) == 1
    assert left(veteran) == 3


@pytest.mark.django_db
def test_refills_stop_at_the_cap(veteran):
    now = timezone.now()
    for months in range(5):
        invitations_refill(now + timedelta(days=months * MONTH))
    assert left(veteran) == 3  # the cap


@pytest.mark.django_db
def test_members_at_the_cap_get_nothing(owner, moderator):
    refill_every(moderator, cap=5)
    joined_ago(owner, 2 * MONTH)
    assert left(owner) == 5
    assert invitations_refill() == 0
    owner.refresh_from_db()
    assert owner.invite_quota is None and owner.quota_refilled_at is None


@pytest.mark.django_db
def test_expired_and_revoked_invitations_are_left_again(owner, moderator):
    refill_every(moderator, cap=3)
    joined_ago(owner, 2 * MONTH)
    invitations = [factories.invitation(owner, send=False) for _ in range(5)]
    factories.redeem(invitations[0])
    factories.expire(invitations[1])
    services.invitation_revoke(invitation=invitations[2])
    assert left(owner) == 2  # two pending, one accepted use three of five
    assert invitations_refill() == 1
    assert left(owner) == 3


@pytest.mark.django_db
def test_nothing_without_a_refill_period(veteran, moderator):
    refill_every(moderator, days=None)
    assert invitations_refill() == 0


@pytest.mark.django_db
def test_new_members_wait_a_whole_period(member, moderator):
    refill_every(moderator, cap=10)
    assert invitations_refill() == 0
    assert invitations_refill(timezone.now() + timedelta(days=MONTH)) == 1


def _not_active(member, moderator):
    member.is_active = False
    member.save(update_fields=["is_active"])


def _awaiting(member, moderator):
    member.awaiting_approval = True
    member.save(update_fields=["awaiting_approval"])


def _may_not_invite(member, moderator):
    member.may_invite = False
    member.save(update_fields=["may_invite"])


def _staff(member, moderator):
    member.is_staff = True
    member.save(update_fields=["is_staff"])


def _invitee_suspended_lately(member, moderator):
    invitee = factories.redeem(factories.invitation(member, "bad@example.com"))
    moderation.member_suspend(member=invitee, by=moderator, reason="Spam")


def _invitee_suspended_then_reinstated(member, moderator):
    _invitee_suspended_lately(member, moderator)
    invitee = User.objects.get(email="bad@example.com")
    moderation.member_unsuspend(member=invitee, by=moderator)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "standing",
    [_not_active, _awaiting, _may_not_invite, _staff, _invitee_suspended_lately,
     _invitee_suspended_then_reinstated],
    ids=lambda f: f.__name__.strip("_"),
)
def test_only_members_in_good_standing(veteran, moderator, standing):
    standing(veteran, moderator)
    assert invitations_refill() == 0
    veteran.refresh_from_db()
    assert veteran.quota_refilled_at is None


@pytest.mark.django_db
def test_an_operators_quota_of_zero_stays_zero(owner, moderator):
    # The operator's explicit 0 (admin) takes invitations away; a refill must not undo it.
    refill_every(moderator, cap=3)
    joined_ago(owner, 6 * MONTH)
    owner.invite_quota = 0
    owner.save(update_fields=["invite_quota"])
    now = timezone.now()
    for months in range(4):
        assert invitations_refill(now + timedelta(days=months * MONTH)) == 0
    assert left(owner) == 0
    owner.refresh_from_db()
    assert owner.invite_quota == 0 and owner.quota_refilled_at is None


@pytest.mark.django_db
def test_a_quota_the_operator_raised_from_zero_refills_again(owner, moderator):
    refill_every(moderator, cap=3)
    joined_ago(owner, 2 * MONTH)
    owner.invite_quota = 1
    owner.save(update_fields=["invite_quota"])
    factories.invitation(owner, send=False)
    assert invitations_refill() == 1
    assert left(owner) == 1


@pytest.mark.django_db
def test_a_suspension_before_the_period_no_longer_counts(veteran, moderator):
    _invitee_suspended_lately(veteran, moderator)
    assert invitations_refill() == 0
    assert invitations_refill(timezone.now() + timedelta(days=MONTH + 1)) == 1


@pytest.mark.django_db
def test_the_invite_page_shows_the_refilled_invitation(as_user, veteran):
    web = as_user(veteran)
    assert "You can invite 1 more person." in web.get(reverse("invites:mine")).content.decode()
    invitations_refill()
    assert "You can invite 2 more people." in web.get(reverse("invites:mine")).content.decode()


@pytest.mark.django_db
def test_the_command_and_the_task(veteran):
    out = StringIO()
    call_command("refill_invitations", stdout=out)
    assert "Refilled the invitations of 1 member(s)." in out.getvalue()
    assert refill_invitations.call() == 0  # already this period
    assert left(veteran) == 2


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_refill_once():
    operator = factories.member("Operator", staff=True)
    refill_every(operator, cap=10)
    members = [joined_ago(factories.member(), 2 * MONTH) for _ in range(20)]

    results = run_at_once(6, lambda i: invitations_refill())

    assert not failures(results)
    assert sum(count for _, count in results) == len(members)
    for member in members:
        member.refresh_from_db()
        assert member.invite_quota == 6
