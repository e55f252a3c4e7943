"""Sites that approve each new member: the newcomer waits on one page, moderators approve or
refuse them from the member admin, and only then does the inviter hear of them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Friendship, User
from sns.models import ModerationLog, Notification, SitePolicy
from sns.moderation import ModerationError
from sns.policy.services import member_approve, member_refuse, policy_save
from tests import factories
from tests.html import assert_well_formed

WAITING = reverse("policy_waiting")
MEMBERS = reverse("admin:accounts_user_changelist")
Action = ModerationLog.Action
Kind = Notification.Kind


@pytest.fixture
def approval_on(moderator):
    site_policy = SitePolicy.current()
    site_policy.approve_new_members = True
    return policy_save(policy=site_policy, by=moderator)


@pytest.fixture
def newcomer(approval_on, owner) -> User:
    """Joined through ``owner``'s invitation while the site approves each new member."""
    return factories.redeem(factories.invitation(owner, "newcomer@example.com"), name="New Comer")


def signup(client: Client, inviter: User, email: str = "newcomer@example.com", **data) -> User:
    invitation = factories.invitation(inviter, email)
    response = client.post(invitation.get_absolute_url(), factories.signup_data(email, **data))
    assert response.status_code == 302
    return User.objects.get(email=email)


# --- joining ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_joining_without_approval_makes_friends_and_tells_the_inviter(owner):
    guest = factories.redeem(factories.invitation(owner, "guest@example.com"))
    assert not guest.awaiting_approval
    assert Friendship.objects.between(owner, guest).count() == 2
    note = Notification.objects.get(recipient=owner)
    assert note.kind == Kind.INVITEE_JOINED and note.target == guest


@pytest.mark.django_db
def test_joining_while_approval_is_on_waits(newcomer, owner):
    assert newcomer.awaiting_approval and newcomer.is_active
    assert newcomer.rules_accepted_at is not None
    # Not friends yet, so in nobody's friend list; the inviter hears of them once approved.
    assert not Friendship.objects.between(owner, newcomer).exists()
    assert not Notification.objects.filter(recipient=owner).exists()


@pytest.mark.django_db
def test_the_invitation_page_says_that_a_moderator_approves(client, approval_on, owner):
    invitation = factories.invitation(owner, "guest@example.com")
    body = client.get(invitation.get_absolute_url()).content.decode()
    assert "a moderator approves each new member" in body


@pytest.mark.django_db
def test_after_signup_the_newcomer_sees_the_waiting_page(client, approval_on, owner):
    signup(client, owner)
    response = client.get("/", follow=True)
    assert response.redirect_chain == [(WAITING, 302)]
    body = response.content.decode()
    assert_well_formed(body)
    assert "waiting for approval" in body
    assert "Owner Person" in body  # who invited them
    assert "newcomer@example.com" in body  # where the email will go


@pytest.mark.django_db
def test_the_waiting_page_in_japanese(as_user, newcomer):
    newcomer.language = "ja"
    newcomer.save(update_fields=["language"])
    body = as_user(newcomer).get(WAITING).content.decode()
    assert "承認" in body and "Owner Person" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/diary/", "/diary/new/", "/communities/", "/invite/", "/me/edit/",
     "/notifications/", "/friends/requests/"],
)
def test_a_waiting_member_sees_only_the_waiting_page(as_user, newcomer, url):
    response = as_user(newcomer).get(url)
    assert response.status_code == 302 and response["Location"] == WAITING


@pytest.mark.django_db
def test_a_waiting_member_may_read_the_policy_switch_language_and_log_out(as_user, newcomer):
    web = as_user(newcomer)
    assert web.get(reverse("policy")).status_code == 200
    response = web.post(reverse("set_language"), {"language": "ja", "next": WAITING})
    assert response.status_code == 302
    assert web.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in web.session


@pytest.mark.django_db
def test_members_not_waiting_are_sent_home_from_the_waiting_page(as_user, member):
    response = as_user(member).get(WAITING)
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 50])
def test_the_waiting_page_takes_a_bounded_number_of_queries(
    as_user, newcomer, owner, count, django_assert_max_num_queries
):
    # Others waiting too (invited by the site) change nothing on the page.
    for n in range(count):
        factories.redeem(factories.invitation(None, f"other{n}@example.com"), name=f"O {n}")
    web = as_user(newcomer)
    web.get(WAITING)  # the process reads the policy once
    # Session, member, the inviter, unread notifications, friend requests waiting.
    with django_assert_max_num_queries(5):
        response = web.get(WAITING)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_waiting_member_is_in_no_friend_list(as_user, newcomer, owner, friend):
    body = as_user(friend).get(reverse("accounts:friends", args=[owner.pk])).content.decode()
    assert "New Comer" not in body


# --- approving and refusing --------------------------------------------------------------------


@pytest.mark.django_db
def test_approving_lets_them_in_and_tells_the_inviter(newcomer, owner, moderator, as_user):
    newcomer.language = "ja"
    newcomer.save(update_fields=["language"])
    assert member_approve(member=newcomer, by=moderator)
    newcomer.refresh_from_db()
    assert not newcomer.awaiting_approval
    assert Friendship.objects.between(owner, newcomer).count() == 2
    note = Notification.objects.get(recipient=owner)
    assert note.kind == Kind.INVITEE_JOINED and note.target == newcomer
    log = ModerationLog.objects.get(action=Action.MEMBER_APPROVED)
    assert log.member == newcomer and log.moderator == moderator
    assert as_user(newcomer).get("/").status_code == 200
    # Approved once: a second approval (a double click) does nothing.
    assert not member_approve(member=newcomer, by=moderator)


@pytest.mark.django_db
def test_the_approval_mail_is_in_the_members_language(
    newcomer, moderator, django_capture_on_commit_callbacks, outbox
):
    newcomer.language = "ja"
    newcomer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        member_approve(member=newcomer, by=moderator)
    [message] = outbox
    assert message.to == ["newcomer@example.com"]
    assert "承認" in message.subject
    assert "http://testserver/" in message.body
    html = message.alternatives[0][0]
    assert "承認" in html and "New Comer" in html


@pytest.mark.django_db
def test_the_approval_mail_in_english(newcomer, moderator, django_capture_on_commit_callbacks,
                                      outbox):
    newcomer.language = "en"
    newcomer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        member_approve(member=newcomer, by=moderator)
    [message] = outbox
    assert "approved" in message.subject
    assert "Hello New Comer," in message.body


@pytest.mark.django_db
def test_refusing_deactivates_and_logs_the_reason(newcomer, moderator, owner):
    assert member_refuse(member=newcomer, by=moderator, reason="Not from our company")
    newcomer.refresh_from_db()
    assert not newcomer.is_active
    log = ModerationLog.objects.get(action=Action.MEMBER_REFUSED)
    assert log.reason == "Not from our company" and log.moderator == moderator
    assert "New Comer" in log.member_label
    assert not Notification.objects.filter(recipient=owner).exists()
    # Refused is final: neither approved nor refused again.
    assert not member_approve(member=newcomer, by=moderator)
    assert not member_refuse(member=newcomer, by=moderator, reason="again")


@pytest.mark.django_db
def test_a_refused_member_cannot_log_in(newcomer, moderator, client):
    member_refuse(member=newcomer, by=moderator, reason="")
    response = client.post(
        reverse("account_login"), {"login": newcomer.email, "password": factories.PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_only_moderators_approve_or_refuse(newcomer, member):
    with pytest.raises(ModerationError):
        member_approve(member=newcomer, by=member)
    with pytest.raises(ModerationError):
        member_refuse(member=newcomer, by=member, reason="")


@pytest.mark.django_db
def test_members_not_waiting_are_left_alone(member, moderator):
    assert not member_approve(member=member, by=moderator)
    assert not member_refuse(member=member, by=moderator, reason="")
    member.refresh_from_db()
    assert member.is_active


# --- the queue in admin -----------------------------------------------------------------------


def listed_emails(response) -> set[str]:
    table = re.search(r'<table id="result_list">.*?</table>', response.content.decode(), re.S)
    assert table, "no result list"
    return set(re.findall(r"[\w.+-]+@example\.com", table.group(0)))


@pytest.mark.django_db
def test_the_queue_lists_who_waits(as_user, newcomer, owner, member, moderator):
    refused = factories.redeem(factories.invitation(owner, "refused@example.com"))
    member_refuse(member=refused, by=moderator, reason="")
    response = as_user(moderator).get(MEMBERS, {"awaiting": "yes"})
    assert response.status_code == 200
    assert listed_emails(response) == {"newcomer@example.com"}
    assert "awaiting approval" in response.content.decode().lower()


@pytest.mark.django_db
def test_approving_from_the_queue(as_user, newcomer, moderator, owner):
    web = as_user(moderator)
    response = web.post(MEMBERS, {
        "action": "approve_members", "_selected_action": [newcomer.pk, owner.pk],
    })
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert not newcomer.awaiting_approval
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 member approved." in messages


@pytest.mark.django_db
def test_refusing_from_the_queue_asks_for_a_reason(as_user, newcomer, moderator):
    web = as_user(moderator)
    response = web.post(MEMBERS, {"action": "refuse_members", "_selected_action": [newcomer.pk]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "newcomer@example.com" in body and 'name="reason"' in body
    newcomer.refresh_from_db()
    assert newcomer.is_active  # nothing yet
    response = web.post(MEMBERS, {
        "action": "refuse_members", "_selected_action": [newcomer.pk], "confirm": "yes",
        "reason": "Unknown to everyone",
    })
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert not newcomer.is_active
    assert ModerationLog.objects.get(action=Action.MEMBER_REFUSED).reason == "Unknown to everyone"


@pytest.mark.django_db
def test_a_refusal_reason_is_stored_without_control_characters(as_user, newcomer, moderator):
    as_user(moderator).post(MEMBERS, {
        "action": "refuse_members", "_selected_action": [newcomer.pk], "confirm": "yes",
        "reason": "Unknown\x1b[0m to\x0b everyone",
    })
    assert ModerationLog.objects.get(action=Action.MEMBER_REFUSED).reason == (
        "Unknown[0m to everyone"
    )


@pytest.mark.django_db
def test_the_policy_admin_links_to_the_queue(as_user, newcomer, moderator, approval_on):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    body = as_user(moderator).get(
        reverse("admin:sns_sitepolicy_change", args=[approval_on.pk])
    ).content.decode()
    assert f'{MEMBERS}?awaiting=yes' in body and "1 member" in body

