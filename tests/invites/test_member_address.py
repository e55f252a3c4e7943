"""Inviting an address that is already a member's: the inviter learns nothing, the member is
told in the app (once in a while) and can answer with a friend request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import FriendRequest
from accounts.services import block_create
from invites import services
from invites.models import State
from sns import moderation
from sns.leaving.services import member_leave
from sns.models import Notification
from sns.notify import Kind
from tests import factories

NOTIFICATIONS = reverse("notifications:list")


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """invite(inviter, address): invite as the invite page does, and run the mail task."""

    def invite(inviter, address: str):
        with django_capture_on_commit_callbacks(execute=True):
            return factories.invitation(inviter, address, message="Join us!")

    return invite


def told(member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member, kind=Kind.MEMBER_INVITED))


def test_the_member_is_told_in_the_app_and_gets_no_invitation(owner, member, deliver, outbox):
    invitation = deliver(owner, "Member@Example.com")
    assert invitation.state == State.PENDING  # as for anyone: it expires unanswered
    [notice] = told(member)
    assert notice.actor == owner
    assert outbox == []  # no link to join with; the news comes with the batched email


def test_the_notification_offers_a_friend_request(owner, member, deliver, as_user):
    deliver(owner, "member@example.com")
    client = as_user(member)
    body = client.get(NOTIFICATIONS).content.decode()
    assert ("Owner Person wanted to invite you to the site, where you already are. Add them "
            "as a friend?") in body
    send = reverse("accounts:friend_request_send", args=[owner.pk])
    assert f'action="{send}"' in body
    response = client.post(send, {"next": NOTIFICATIONS})
    assert (response.status_code, response.url) == (302, NOTIFICATIONS)
    assert FriendRequest.objects.filter(from_user=member, to_user=owner).exists()


def test_the_notification_in_japanese(owner, member, deliver, as_user):
    member.language = "ja"
    member.save(update_fields=["language"])
    deliver(owner, "member@example.com")
    body = as_user(member).get(NOTIFICATIONS).content.decode()
    assert "Owner Personさんがあなたをこのサイトに招待しようとしました" in body
    assert "友だちに追加" in body


def test_the_email_follows_the_members_preferences(owner, member, deliver, outbox):
    from sns.notifications.mail import notification_emails_send
    from sns.notifications.services import notification_preferences_set

    deliver(owner, "member@example.com")
    later = timezone.now() + timedelta(hours=1)
    assert notification_emails_send(later) == 1
    [message] = outbox
    assert message.to == ["member@example.com"]
    assert "Owner Person wanted to invite you to the site" in message.subject
    notification_preferences_set(member=member, email={Kind.MEMBER_INVITED: False})
    deliver(factories.member("Other Inviter"), "member@example.com")
    assert notification_emails_send(later) == 0


@pytest.mark.parametrize("who_blocks", ["member", "inviter"])
def test_nobody_is_told_across_a_block(owner, member, deliver, who_blocks):
    if who_blocks == "member":
        block_create(blocker=member, blocked=owner)
    else:
        block_create(blocker=owner, blocked=member)
    assert deliver(owner, "member@example.com").state == State.PENDING
    assert told(member) == []


def test_friends_are_not_told(owner, friend, deliver):
    assert deliver(owner, "friend@example.com").state == State.PENDING
    assert told(friend) == []


def test_friends_no_longer_see_the_button(owner, member, deliver, as_user):
    deliver(owner, "member@example.com")
    factories.befriend(owner, member)
    body = as_user(member).get(NOTIFICATIONS).content.decode()
    assert reverse("accounts:friend_request_send", args=[owner.pk]) not in body


def test_one_notification_per_inviter_within_the_window(
    owner, member, deliver, django_capture_on_commit_callbacks
):
    first = deliver(owner, "member@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=first)  # the mail task runs again
    services.invitation_revoke(invitation=first)
    again = deliver(owner, "member@example.com")
    assert len(told(member)) == 1
    # Another inviter is other news.
    deliver(factories.member("Second Inviter"), "member@example.com")
    assert len(told(member)) == 2
    # Once the window is over, the same inviter may be heard of again.
    Notification.objects.filter(recipient=member).update(
        created_at=timezone.now() - services.MEMBER_INVITED_NOTICE_EVERY - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=again)
    assert len(told(member)) == 3


def test_a_suspended_members_address(owner, member, moderator, deliver, outbox):
    moderation.member_suspend(member=member, by=moderator, reason="Spam")
    assert deliver(owner, "member@example.com").state == State.PENDING
    assert told(member) == []
    assert outbox == []


def test_an_inviter_suspended_before_the_delivery_tells_nobody(owner, member, moderator):
    invitation = factories.invitation(owner, "member@example.com", send=False)
    moderation.member_suspend(member=owner, by=moderator, reason="Spam")
    assert services.member_invited_notify(invitation=invitation, member=member) is None
    assert told(member) == []


def test_a_departed_members_address_is_invited_as_anyone(owner, member, deliver, outbox):
    member_leave(member=member, password=factories.PASSWORD)
    invitation = deliver(owner, "member@example.com")
    [mail] = outbox
    assert mail.to == ["member@example.com"] and invitation.token in mail.body
