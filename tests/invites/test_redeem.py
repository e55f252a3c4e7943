import pytest
from django.urls import reverse

from accounts.models import Friendship, User
from invites.models import Invitation, State
from tests import factories


@pytest.fixture
def invitation(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.invitation(owner, "newcomer@example.com", message="Come and join us!")


def test_invitation_page_shows_inviter_message_and_policy(client, invitation):
    response = client.get(reverse("invites:accept", args=[invitation.token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Owner Person" in body
    assert "Come and join us!" in body
    assert "Site policy" in body


def test_get_does_not_consume_the_token(client, invitation):
    for _ in range(3):
        client.get(reverse("invites:accept", args=[invitation.token]))
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_signup_creates_member_friend_of_inviter_and_logs_in(client, invitation, owner):
    response = client.post(
        reverse("invites:accept", args=[invitation.token]),
        factories.signup_data("newcomer@example.com"),
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.com")
    assert user.profile.real_name == "新井 さくら"
    assert Friendship.objects.filter(user=owner, friend=user).exists()
    assert Friendship.objects.filter(user=user, friend=owner).exists()
    invitation.refresh_from_db()
    assert invitation.state == State.ACCEPTED and invitation.accepted_user == user
    assert user.emailaddress_set.get().verified
    home = client.get("/")
    assert "Owner Person" in home.content.decode()


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("invites:accept", args=["nope"])).status_code == 404
    assert Invitation.objects.count() == 0
