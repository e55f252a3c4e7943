"""Races, run as real concurrent transactions: threads, each with its own connection."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Friendship, User
from invites import services
from invites.models import Invitation, State
from tests import factories

THREADS = 20


def run_at_once(count: int, work: Callable[[int], object]) -> list[tuple[str, object]]:
    """Run ``work(i)`` in ``count`` threads released together; return (outcome, value) each."""
    barrier = threading.Barrier(count, timeout=30)
    results: list[tuple[str, object]] = []
    lock = threading.Lock()

    def thread(i: int) -> None:
        try:
            barrier.wait()
            outcome = ("ok", work(i))
        except Exception as error:  # every outcome is collected and checked
            outcome = ("error", error)
        finally:
            # Each thread has its own connection; leave none open behind the test.
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert len(results) == count
    return results


def successes(results):
    return [value for outcome, value in results if outcome == "ok"]


def failures(results):
    return [value for outcome, value in results if outcome == "error"]


@pytest.mark.django_db(transaction=True)
def test_one_token_redeemed_by_many_at_once_makes_one_account(owner):
    invitation = factories.invitation(owner, "newcomer@example.com", send=False)

    def redeem(i: int) -> User:
        return services.invitation_redeem(
            token=invitation.token,
            signup=services.Signup(
                email=f"tab{i}@example.com",
                password=factories.PASSWORD,
                language="en",
                profile={"real_name": f"Tab {i}"},
            ),
        )

    results = run_at_once(THREADS, redeem)

    [user] = successes(results)
    errors = failures(results)
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, services.InvitationNotUsable) for e in errors), errors
    invitation.refresh_from_db()
    assert invitation.state == State.ACCEPTED
    assert invitation.accepted_user == user
    # Exactly one account came of it: the owner and the one who won.
    assert User.objects.filter(email__startswith="tab").count() == 1
    assert User.objects.count() == 2
    assert Friendship.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_token_redeemed_with_the_same_address_at_once_makes_one_account(owner):
    invitation = factories.invitation(owner, "newcomer@example.com", send=False)

    def redeem(i: int) -> User:
        return services.invitation_redeem(
            token=invitation.token,
            signup=services.Signup(
                email="newcomer@example.com",
                password=factories.PASSWORD,
                language="en",
                profile={"real_name": f"Tab {i}"},
            ),
        )

    results = run_at_once(THREADS, redeem)

    assert len(successes(results)) == 1
    assert all(isinstance(e, services.InvitationError) for e in failures(results))
    assert User.objects.filter(email__iexact="newcomer@example.com").count() == 1
    assert Invitation.objects.accepted().count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_invitations_to_one_address_redeemed_at_once_make_one_account(owner, friend):
    tokens = [
        factories.invitation(owner, "newcomer@example.com", send=False).token,
        factories.invitation(friend, "newcomer@example.com", send=False).token,
    ]

    def redeem(i: int) -> User:
        return services.invitation_redeem(
            token=tokens[i % 2],
            signup=services.Signup(
                email="Newcomer@example.com",
                password=factories.PASSWORD,
                language="en",
                profile={"real_name": f"Tab {i}"},
            ),
        )

    results = run_at_once(THREADS, redeem)

    assert len(successes(results)) == 1
    assert all(isinstance(e, services.InvitationError) for e in failures(results))
    assert User.objects.filter(email__iexact="newcomer@example.com").count() == 1
    assert Invitation.objects.accepted().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_signup_form_posted_from_many_tabs_at_once_makes_one_account(owner):
    invitation = factories.invitation(owner, "newcomer@example.com", send=False)
    url = reverse("invites:accept", args=[invitation.token])

    def post(i: int) -> int:
        response = Client().post(url, factories.signup_data(f"tab{i}@example.com"))
        return response.status_code

    results = run_at_once(THREADS, post)

    statuses = sorted(successes(results))
    assert failures(results) == []
    # The winner is sent on (logged in, or told to confirm the address); the others are
    # told the invitation is used up.
    assert statuses.count(302) == 1
    assert statuses.count(410) == THREADS - 1
    assert User.objects.filter(email__startswith="tab").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_user.email.startswith("tab")


@pytest.mark.django_db(transaction=True)
def test_quota_holds_when_many_invitations_are_sent_at_once(owner):
    owner.invite_quota = 5
    owner.save(update_fields=["invite_quota"])

    def invite(i: int) -> Invitation:
        return services.invitation_create(
            inviter=owner, email=f"guest{i}@example.com", send=False
        )

    results = run_at_once(THREADS, invite)

    assert len(successes(results)) == 5
    errors = failures(results)
    assert len(errors) == THREADS - 5
    assert all(isinstance(e, services.QuotaExhausted) for e in errors), errors
    assert Invitation.objects.filter(inviter=owner).count() == 5
    assert owner.invitations_sent.counting_against_quota().count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_same_address_invited_many_times_at_once_gives_one_pending_invitation(owner):
    def invite(i: int) -> Invitation:
        return services.invitation_create(inviter=owner, email="guest@example.com", send=False)

    results = run_at_once(THREADS, invite)

    assert len(successes(results)) == 1
    assert all(isinstance(e, services.InvitationError) for e in failures(results))
    assert Invitation.objects.filter(email="guest@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_quota_holds_when_an_expired_invitation_is_revived_while_new_ones_are_sent(owner):
    owner.invite_quota = 1
    owner.save(update_fields=["invite_quota"])
    expired = services.invitation_create(inviter=owner, email="old@example.com", send=False)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    def revive_or_invite(i: int) -> Invitation:
        if i % 2:
            return services.invitation_resend(invitation=expired)
        return services.invitation_create(
            inviter=owner, email=f"guest{i}@example.com", send=False
        )

    results = run_at_once(THREADS, revive_or_invite)

    assert all(isinstance(e, services.QuotaExhausted) for e in failures(results))
    assert successes(results)
    assert owner.invitations_sent.counting_against_quota().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_members_address_delivered_many_times_at_once_tells_them_once(owner, member):
    # Invitations and resends to a member's address whose mail tasks run at the same time.
    from invites.tasks import send_invitation_email
    from sns.models import Notification
    from sns.notify import Kind

    invitation = services.invitation_create(
        inviter=owner, email="member@example.com", send=False
    )

    results = run_at_once(THREADS, lambda i: send_invitation_email.call(
        invitation_id=invitation.pk, token=invitation.token
    ))

    assert not failures(results)
    assert Notification.objects.filter(
        recipient=member, actor=owner, kind=Kind.MEMBER_INVITED
    ).count() == 1


@pytest.mark.django_db(transaction=True)
def test_resends_while_the_inviter_is_suspended_leave_nothing_pending(owner, moderator):
    # A resend locks the inviter, then the invitation; a suspension the member, then their
    # invitations (to revoke them): in the same order, so neither deadlocks the other.
    from sns import moderation

    owner.invite_quota = THREADS
    owner.save(update_fields=["invite_quota"])
    invitations = [
        services.invitation_create(inviter=owner, email=f"guest{i}@example.com", send=False)
        for i in range(THREADS - 1)
    ]

    def resend_or_suspend(i: int):
        if i == 0:
            return moderation.member_suspend(member=owner, by=moderator, reason="Spam")
        return services.invitation_resend(invitation=invitations[i - 1], by=moderator)

    results = run_at_once(THREADS, resend_or_suspend)

    assert all(isinstance(e, services.InvitationError) for e in failures(results)), results
    assert not owner.invitations_sent.pending().exists()
