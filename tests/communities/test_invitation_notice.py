"""A member invited into a (secret) community hears of it: in the app, and by email unless
they turned that kind off, with a link to the community page where they can join."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import JoinPolicy
from sns.models import Notification
from sns.notifications.items import items_for
from sns.notifications.mail import notification_emails_send
from sns.notifications.selectors import email_choices, inbox
from sns.notifications.services import notification_preferences_set
from sns.notify import Kind
from tests import factories

pytestmark = pytest.mark.django_db


def later():
    return timezone.now() + timedelta(minutes=6)


def secret_club(owner):
    return factories.community(owner, policy=JoinPolicy.SECRET, name="山の写真部")


def test_the_invitee_is_notified_once_with_a_link_that_lets_them_join(owner, friend, as_user):
    club = secret_club(owner)
    services.community_invite(community=club, inviter=owner, invitee=friend)
    # Asked twice: told once.
    services.community_invite(community=club, inviter=owner, invitee=friend)
    notification, = Notification.objects.filter(recipient=friend)
    assert notification.kind == Kind.COMMUNITY_INVITATION
    assert notification.actor == owner

    item, = items_for(friend, inbox(friend).select_related("actor__profile"))
    assert item.url == club.get_absolute_url()
    assert "山の写真部" in item.text and "invited you" in item.text

    client = as_user(friend)
    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened["Location"] == club.get_absolute_url()
    page = client.get(club.get_absolute_url()).content.decode()
    assert f'action="/communities/{club.pk}/join/"' in page
    client.post(f"/communities/{club.pk}/join/")
    assert club.memberships.filter(user=friend).exists()


def test_a_refused_invitation_notifies_no_one(owner, member):
    club = secret_club(owner)
    with pytest.raises(services.CommunityError):  # not a friend
        services.community_invite(community=club, inviter=owner, invitee=member)
    assert not Notification.objects.exists()


def test_the_invitation_comes_by_email_in_the_members_language(owner, friend, outbox):
    friend.language = "ja"
    friend.save(update_fields=["language"])
    assert email_choices(friend)[Kind.COMMUNITY_INVITATION] is True
    services.community_invite(community=secret_club(owner), inviter=owner, invitee=friend)
    assert notification_emails_send(now=later()) == 1
    message, = outbox
    assert message.to == [friend.email]
    assert "コミュニティ「山の写真部」に招待しました" in message.body


def test_no_email_when_the_member_turned_it_off(owner, friend, outbox):
    notification_preferences_set(member=friend, email={Kind.COMMUNITY_INVITATION: False})
    services.community_invite(community=secret_club(owner), inviter=owner, invitee=friend)
    assert notification_emails_send(now=later()) == 0
    assert outbox == []
    assert Notification.objects.filter(recipient=friend).exists()  # still in the app


def test_the_settings_page_offers_the_choice(friend, as_user):
    page = as_user(friend).get("/notifications/settings/").content.decode()
    assert Kind.COMMUNITY_INVITATION.value in page
