"""The inviter's page and the invitation page, as members and invitees use them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import User
from invites import services
from invites.models import Invitation, State
from tests import factories

MINE = reverse("invites:mine")






def field_value(body: str, name: str) -> str | None:
    """The value attribute of the <input name=...> in ``body``."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


# --- my invitations -----------------------------------------------------------------------


def test_my_invitations_lists_each_state(owner, as_user):
    invitations = factories.invitations_in_every_state(owner)
    response = as_user(owner).get(MINE)
    assert response.status_code == 200
    body = response.content.decode()
    for state, label in State.choices:
        assert f'class="invitation state-{state}"' in body
        assert f'<span class="badge badge-{state}">{label}</span>' in body
        assert invitations[state].email in body
    # Who joined is linked to their profile.
    joined = Invitation.objects.get(pk=invitations[State.ACCEPTED].pk).accepted_user
    assert f'href="{joined.get_absolute_url()}">Joined Person</a>' in body
    # Only what can still be acted on has buttons.
    pending, expired = invitations[State.PENDING], invitations[State.EXPIRED]
    assert reverse("invites:revoke", args=[pending.pk]) in body
    assert reverse("invites:resend", args=[pending.pk]) in body
    assert reverse("invites:resend", args=[expired.pk]) in body
    assert reverse("invites:revoke", args=[expired.pk]) not in body
    for state in [State.ACCEPTED, State.REVOKED]:
        pk = invitations[state].pk
        assert reverse("invites:resend", args=[pk]) not in body
        assert reverse("invites:revoke", args=[pk]) not in body


def test_my_invitations_shows_only_mine(owner, friend, as_user):
    factories.invitation(friend, "friends-guest@example.com")
    factories.invitation(owner, "owners-guest@example.com")
    body = as_user(owner).get(MINE).content.decode()
    assert "owners-guest@example.com" in body
    assert "friends-guest@example.com" not in body


def test_my_invitations_empty(owner, as_user):
    body = as_user(owner).get(MINE).content.decode()
    assert "You have not invited anyone yet." in body
    assert "You can invite 5 more people." in body


def test_my_invitations_needs_login(client, db):
    response = client.get(MINE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_sending_an_invitation(owner, as_user, outbox, django_capture_on_commit_callbacks):
    client = as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MINE, {"email": "guest@example.com", "message": "Hello!"})
    assert response.status_code == 302 and response.url == MINE
    invitation = Invitation.objects.get()
    assert (invitation.inviter, invitation.email, invitation.message) == (
        owner, "guest@example.com", "Hello!"
    )
    assert len(outbox) == 1 and invitation.token in outbox[0].body
    body = client.get(MINE).content.decode()
    assert "Your invitation to guest@example.com is on its way." in body
    assert "You can invite 4 more people." in body


def test_an_invalid_address_is_shown_as_a_form_error(owner, as_user):
    response = as_user(owner).post(MINE, {"email": "not an address", "message": "Hi"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert re.search(r'<textarea name="message"[^>]*>\s*Hi</textarea>', body)
    assert Invitation.objects.count() == 0


def test_inviting_a_members_address_is_answered_as_for_anyone(
    owner, member, as_user, outbox, django_capture_on_commit_callbacks
):
    """Nothing tells the inviter whether the address is on the site: the same redirect and
    message, the same slot taken, the same row in their list (pending, then expired)."""
    client = as_user(owner)
    for address, left in [("stranger@example.com", 4), ("member@example.com", 3)]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(MINE, {"email": address, "message": "Join us!"})
        assert (response.status_code, response.url) == (302, MINE)
        body = client.get(MINE).content.decode()
        assert f"Your invitation to {address} is on its way." in body
        assert f"You can invite {left} more people." in body

    def row(address: str) -> str:
        found = re.search(rf'<li class="invitation [^"]*">\s*<div>\s*<strong>{address}</strong>'
                          r".*?</li>", body, re.S)
        # The same but for the address, the ids in the buttons' links and the times.
        return re.sub(r"\d+", "N", found.group(0).replace(address, "ADDRESS"))

    assert row("member@example.com") == row("stranger@example.com")
    assert "badge-pending" in row("member@example.com")
    # The stranger got the link; the member no invitation mail (they are told in the app).
    assert [m.to for m in outbox] == [["stranger@example.com"]]


def test_inviting_an_address_twice_is_shown_as_a_form_error(owner, as_user):
    factories.invitation(owner, "guest@example.com")
    response = as_user(owner).post(MINE, {"email": "guest@example.com"})
    assert response.status_code == 200
    assert "You have already invited this address." in response.content.decode()
    assert Invitation.objects.count() == 1


def test_quota_exhausted_message(owner, as_user, settings):
    settings.INVITE_QUOTA = 2
    factories.invitation(owner)
    factories.invitation(owner)
    client = as_user(owner)
    body = client.get(MINE).content.decode()
    assert "You have no invitations left. Ask the site's operator if you need more." in body
    assert 'name="email"' not in body
    # A post from a page loaded earlier is refused with the reason.
    response = client.post(MINE, {"email": "third@example.com"})
    assert response.status_code == 200
    assert "You have no invitations left." in response.content.decode()
    assert Invitation.objects.count() == 2


# Each reason a member may not invite at all, set up on ``owner``; what the page says in
# English and in Japanese instead of the form and of the invitations left.
def _right_taken_away(owner, settings):
    owner.may_invite = False
    owner.save(update_fields=["may_invite"])


def _operator_quota_zero(owner, settings):
    owner.invite_quota = 0
    owner.save(update_fields=["invite_quota"])


def _only_staff_invite(owner, settings):
    settings.INVITE_QUOTA = 0


CANNOT_INVITE = [
    pytest.param(_right_taken_away, "members you invited were suspended too often",
                 "あなたが招待した人の利用停止が多すぎました", id="right_taken_away"),
    pytest.param(_operator_quota_zero, "operator has not given you any invitations.",
                 "サイト運営者からあなたに招待枠が割り当てられていません。",
                 id="operator_quota_zero"),
    pytest.param(_only_staff_invite,
                 "On this site only the operator and moderators send invitations.",
                 "このサイトでは、招待を送れるのは運営者とモデレーターだけです。",
                 id="only_staff_invite"),
]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(("standing", "english", "japanese"), CANNOT_INVITE)
def test_a_member_who_may_not_invite_is_told_why_instead_of_the_form(
    owner, as_user, settings, standing, english, japanese, language
):
    owner.language = language
    owner.save(update_fields=["language"])
    factories.invitation(owner, "earlier@example.com", send=False)
    standing(owner, settings)
    client = as_user(owner)
    body = client.get(MINE).content.decode()
    assert (english if language == "en" else japanese) in body
    assert 'name="email"' not in body
    assert "You can invite" not in body and "招待できます" not in body
    assert "earlier@example.com" in body  # their invitations are still listed
    # Home says it too, not "1 more".
    home = client.get("/").content.decode()
    assert (english if language == "en" else japanese) in home
    assert "You can invite" not in home and "招待できます" not in home
    # A post from a page loaded earlier is refused with the same reason.
    response = client.post(MINE, {"email": "guest@example.com"})
    assert response.status_code == 200
    assert (english if language == "en" else japanese) in response.content.decode()
    assert list(Invitation.objects.values_list("email", flat=True)) == ["earlier@example.com"]


@pytest.mark.parametrize(("standing", "english", "japanese"), CANNOT_INVITE)
def test_a_member_who_may_not_invite_cannot_resend_either(
    owner, as_user, settings, outbox, standing, english, japanese
):
    # A fresh link would be a new invitation; revoking stays possible.
    pending = factories.invitation(owner, "pending@example.com", send=False)
    token = pending.token
    standing(owner, settings)
    client = as_user(owner)
    body = client.get(MINE).content.decode()
    assert reverse("invites:resend", args=[pending.pk]) not in body
    assert reverse("invites:revoke", args=[pending.pk]) in body
    response = client.post(reverse("invites:resend", args=[pending.pk]), follow=True)
    assert english in response.content.decode()
    pending.refresh_from_db()
    assert pending.token == token
    assert outbox == []


def test_revoking_gives_the_slot_back_on_the_page(owner, as_user, settings):
    settings.INVITE_QUOTA = 1
    invitation = factories.invitation(owner)
    client = as_user(owner)
    assert "You have no invitations left" in client.get(MINE).content.decode()
    client.post(reverse("invites:revoke", args=[invitation.pk]))
    body = client.get(MINE).content.decode()
    assert "You can invite 1 more person." in body
    assert 'name="email"' in body


def test_staff_see_no_limit(moderator, as_user):
    body = as_user(moderator).get(MINE).content.decode()
    assert "You can invite as many people as you like." in body


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_resend_and_revoke_are_post_only(owner, as_user, action):
    invitation = factories.invitation(owner)
    token = invitation.token
    response = as_user(owner).get(reverse(f"invites:{action}", args=[invitation.pk]))
    assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING and invitation.token == token


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_another_member_cannot_touch_my_invitation(owner, member, as_user, action, outbox):
    invitation = factories.invitation(owner)
    token = invitation.token
    response = as_user(member).post(reverse(f"invites:{action}", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING and invitation.token == token
    assert outbox == []


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_unknown_invitation_is_404(owner, as_user, action):
    assert as_user(owner).post(reverse(f"invites:{action}", args=[999999])).status_code == 404


def test_resend(owner, as_user, outbox, django_capture_on_commit_callbacks):
    invitation = factories.invitation(owner, "guest@example.com")
    old_token = invitation.token
    client = as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invites:resend", args=[invitation.pk]))
    assert response.status_code == 302 and response.url == MINE
    invitation.refresh_from_db()
    assert invitation.token != old_token
    assert len(outbox) == 1 and invitation.token in outbox[0].body
    body = client.get(MINE).content.decode()
    assert "The invitation to guest@example.com was sent again with a new link." in body
    assert client.get(reverse("invites:accept", args=[old_token])).status_code == 404


def test_resend_of_a_revoked_invitation_says_why(owner, as_user, outbox):
    invitation = factories.invitation(owner)
    services.invitation_revoke(invitation=invitation)
    client = as_user(owner)
    response = client.post(reverse("invites:resend", args=[invitation.pk]), follow=True)
    assert "This invitation can no longer be resent." in response.content.decode()
    assert outbox == []


def test_resend_of_an_expired_invitation_with_no_slot_left_says_why(owner, as_user, settings,
                                                                   outbox):
    settings.INVITE_QUOTA = 1
    expired = factories.expire(factories.invitation(owner, "first@example.com"))
    factories.invitation(owner, "second@example.com")
    response = as_user(owner).post(reverse("invites:resend", args=[expired.pk]), follow=True)
    assert "You have no invitations left." in response.content.decode()
    expired.refresh_from_db()
    assert expired.state == State.EXPIRED
    assert outbox == []


def test_revoke(owner, as_user):
    invitation = factories.invitation(owner, "guest@example.com")
    client = as_user(owner)
    response = client.post(reverse("invites:revoke", args=[invitation.pk]), follow=True)
    assert response.redirect_chain == [(MINE, 302)]
    assert "The invitation to guest@example.com was revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == State.REVOKED


def test_revoke_of_an_accepted_invitation_is_refused(owner, as_user):
    invitation = factories.invitation(owner)
    factories.redeem(invitation)
    response = as_user(owner).post(reverse("invites:revoke", args=[invitation.pk]), follow=True)
    assert "This invitation can no longer be revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == State.ACCEPTED


@pytest.mark.parametrize("count", [5, 50])
def test_my_invitations_query_count_does_not_grow(
    owner, as_user, count, django_assert_max_num_queries
):
    owner.invite_quota = count
    owner.save(update_fields=["invite_quota"])
    for n in range(count):
        invitation = factories.invitation(owner, f"guest{n}@example.com", send=False)
        if n % 4 == 1:
            factories.redeem(invitation, name=f"Joined {n}")
        elif n % 4 == 2:
            factories.expire(invitation)
        elif n % 4 == 3:
            services.invitation_revoke(invitation=invitation)
    client = as_user(owner)
    # Session, member, page count, the page of invitations with who joined, the quota.
    with django_assert_max_num_queries(6):
        response = client.get(MINE)
    assert response.status_code == 200
    assert response.content.decode().count('class="invitation state-') == min(count, 25)


# --- the invitation page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_unusable", "text"),
    [
        (factories.expire, "This invitation has expired."),
        (lambda i: services.invitation_revoke(invitation=i),
         "The person who sent this invitation has withdrawn it."),
        (factories.redeem, "This invitation has already been used to create an account."),
    ],
    ids=["expired", "revoked", "accepted"],
)
def test_an_unusable_invitation_page_is_410_with_a_clear_message(
    owner, client, make_unusable, text
):
    invitation = factories.invitation(owner, "guest@example.com")
    make_unusable(invitation)
    url = reverse("invites:accept", args=[invitation.token])
    for response in [client.get(url), client.post(url, factories.signup_data("x@example.com"))]:
        assert response.status_code == 410
        body = response.content.decode()
        assert "This invitation cannot be used" in body
        assert text in body
        assert 'name="password1"' not in body
    assert not User.objects.filter(email="x@example.com").exists()


def test_an_expired_invitation_page_says_whom_to_ask(owner, client):
    invitation = factories.expire(factories.invitation(owner))
    body = client.get(invitation.get_absolute_url()).content.decode()
    assert "Ask Owner Person to send you a new invitation." in body


def test_signup_errors_keep_the_entered_data(owner, client):
    invitation = factories.invitation(owner, "guest@example.com")
    data = factories.signup_data(
        "guest@example.com", real_name="Sakura Arai", nickname="sakura", password2="different-pw1"
    )
    response = client.post(invitation.get_absolute_url(), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The two passwords do not match." in body
    assert field_value(body, "email") == "guest@example.com"
    assert field_value(body, "real_name") == "Sakura Arai"
    assert field_value(body, "nickname") == "sakura"
    assert field_value(body, "real_name_kana") == "あらい さくら"
    assert factories.PASSWORD not in body
    assert User.objects.count() == 1  # the owner
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"agree": ""}, "Please agree to the site policy to join."),
        ({"real_name": ""}, "This field is required."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"email": "nope"}, "Enter a valid email address."),
    ],
    ids=["no-agreement", "no-real-name", "weak-password", "bad-email"],
)
def test_signup_form_errors_create_nothing(owner, client, overrides, message):
    invitation = factories.invitation(owner, "guest@example.com")
    data = {**factories.signup_data("guest@example.com"), **overrides}
    response = client.post(invitation.get_absolute_url(), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert field_value(body, "nickname") == "さくら"
    assert User.objects.count() == 1
    assert Invitation.objects.get().state == State.PENDING


def _signup_answer(client, invitation, email):
    response = client.post(invitation.get_absolute_url(), factories.signup_data(email),
                           follow=True)
    body = response.content.decode().replace(email, "ADDRESS")
    # Each new visitor gets a CSRF token of their own; nothing else may differ.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return response.redirect_chain, response.status_code, body


def test_signup_with_the_address_of_a_member_answers_as_for_any_address(owner, member, outbox):
    # Whoever holds an invitation (their own, sent to themselves) must not be able to test
    # whether an address is on the site by signing up with it.
    invitation = factories.invitation(owner, "guest@example.com")
    taken = _signup_answer(Client(), invitation, "member@example.com")
    assert User.objects.filter(email="member@example.com").count() == 1
    assert Invitation.objects.get().state == State.PENDING
    [notice] = outbox
    assert notice.to == ["member@example.com"]
    assert "already exists" in notice.body and "/accounts/password/reset/" in notice.body

    outbox.clear()
    free = _signup_answer(Client(), invitation, "elsewhere@example.com")
    assert taken == free
    [confirmation] = outbox
    assert confirmation.to == ["elsewhere@example.com"]


def test_signup_with_another_address_asks_to_confirm_it_and_does_not_log_in(
    owner, client, outbox
):
    invitation = factories.invitation(owner, "guest@example.com")
    response = client.post(invitation.get_absolute_url(),
                           factories.signup_data("elsewhere@example.com"))
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    user = User.objects.get(email="elsewhere@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert Invitation.objects.get().accepted_user == user
    [confirmation] = outbox
    assert confirmation.to == ["elsewhere@example.com"]
    assert "/accounts/confirm-email/" in confirmation.body
    # Until the address is confirmed, the password does not let them in.
    response = client.post(reverse("account_login"),
                           {"login": "elsewhere@example.com", "password": factories.PASSWORD})
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="guest@example.com").exists()


def test_signup_with_the_invited_address_logs_in(owner, client, outbox):
    invitation = factories.invitation(owner, "guest@example.com")
    response = client.post(invitation.get_absolute_url(),
                           factories.signup_data("guest@example.com"))
    assert response.status_code == 302 and response.url == "/"
    user = User.objects.get(email="guest@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert outbox == []


def test_signup_while_logged_in_shows_the_already_logged_in_page(owner, member, as_user):
    invitation = factories.invitation(owner, "guest@example.com")
    client = as_user(member)
    for response in [
        client.get(invitation.get_absolute_url()),
        client.post(invitation.get_absolute_url(), factories.signup_data("guest@example.com")),
    ]:
        assert response.status_code == 200
        body = response.content.decode()
        assert "You are already logged in" in body
        assert "This invitation is for guest@example.com." in body
        assert 'name="password1"' not in body
    assert not User.objects.filter(email="guest@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING
    assert client.session["_auth_user_id"] == str(member.pk)


def test_site_invitation_page_names_the_operator(client, db):
    invitation = factories.invitation(None, "founder@example.com", message="Welcome, founder.")
    body = client.get(invitation.get_absolute_url()).content.decode()
    assert "The operator of this site invites you to join." in body
    assert "Welcome, founder." in body
    assert field_value(body, "email") == "founder@example.com"


def test_the_message_on_the_invitation_page_is_escaped(owner, client):
    invitation = factories.invitation(owner, message="<script>alert(1)</script>")
    body = client.get(invitation.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
