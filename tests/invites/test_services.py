"""The invitation rules, through the services the views and the admin call."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from invites import services
from invites.models import Invitation, State, invite_tree
from sns import moderation
from tests import factories


def redeem(invitation: Invitation, email: str | None = None, name: str = "新井 さくら") -> User:
    """Join through ``invitation`` as the invitation page would."""
    return services.invitation_redeem(
        token=invitation.token,
        signup=services.Signup(
            email=email or invitation.email,
            password=factories.PASSWORD,
            language="en",
            profile={"real_name": name, "nickname": name.split()[-1]},
        ),
    )


def expire(invitation: Invitation) -> Invitation:
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])
    return invitation


def invite_many(inviter, count: int) -> list[Invitation]:
    return [factories.invitation(inviter, send=False) for _ in range(count)]


# --- quota --------------------------------------------------------------------------------


def test_site_default_quota_is_five(owner, settings):
    assert settings.INVITE_QUOTA == 5
    assert owner.effective_invite_quota == 5
    invite_many(owner, 5)
    with pytest.raises(services.QuotaExhausted) as refused:
        factories.invitation(owner, "sixth@example.com")
    assert str(refused.value) == "You have no invitations left."
    assert owner.invitations_sent.count() == 5
    assert not Invitation.objects.filter(email="sixth@example.com").exists()


def test_site_default_quota_follows_the_setting(owner, settings):
    settings.INVITE_QUOTA = 2
    invite_many(owner, 2)
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)


def test_member_override_raises_the_quota(owner):
    owner.invite_quota = 7
    owner.save(update_fields=["invite_quota"])
    invite_many(owner, 7)
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)
    assert owner.invitations_sent.count() == 7


def test_member_override_lowers_the_quota(owner):
    owner.invite_quota = 1
    owner.save(update_fields=["invite_quota"])
    factories.invitation(owner)
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)


def test_member_override_of_zero_means_no_invitations(owner):
    owner.invite_quota = 0
    owner.save(update_fields=["invite_quota"])
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)
    assert Invitation.objects.count() == 0


def test_staff_have_no_limit(moderator, settings):
    settings.INVITE_QUOTA = 2
    assert moderator.effective_invite_quota is None
    invite_many(moderator, 8)
    assert moderator.invitations_sent.count() == 8


def test_staff_are_unlimited_even_with_a_member_override(moderator):
    moderator.invite_quota = 1
    moderator.save(update_fields=["invite_quota"])
    invite_many(moderator, 3)
    assert moderator.invitations_sent.count() == 3


def test_accepted_invitations_keep_their_slot(owner, settings):
    settings.INVITE_QUOTA = 2
    first, _second = invite_many(owner, 2)
    redeem(first)
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)


def test_an_expired_invitation_gives_its_slot_back(owner, settings):
    settings.INVITE_QUOTA = 2
    first, _second = invite_many(owner, 2)
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)
    expire(first)
    third = factories.invitation(owner, "third@example.com")
    assert third.state == State.PENDING
    assert owner.invitations_sent.counting_against_quota().count() == 2


def test_a_revoked_invitation_gives_its_slot_back(owner, settings):
    settings.INVITE_QUOTA = 2
    first, _second = invite_many(owner, 2)
    assert services.invitation_revoke(invitation=first)
    factories.invitation(owner, "third@example.com")
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner)


def test_site_invitations_have_no_quota(db, settings):
    settings.INVITE_QUOTA = 1
    for n in range(3):
        factories.invitation(None, f"founder{n}@example.com", send=False)
    assert Invitation.objects.filter(inviter__isnull=True).count() == 3


# --- who may be invited -------------------------------------------------------------------


def test_a_second_pending_invitation_to_the_same_address_is_refused(owner):
    factories.invitation(owner, "guest@example.com")
    with pytest.raises(services.InvitationError) as refused:
        factories.invitation(owner, " Guest@Example.com ")
    assert "already invited this address" in str(refused.value)
    assert Invitation.objects.filter(email__iexact="guest@example.com").count() == 1


def test_the_same_address_may_be_invited_again_once_the_first_is_revoked(owner):
    first = factories.invitation(owner, "guest@example.com")
    services.invitation_revoke(invitation=first)
    second = factories.invitation(owner, "guest@example.com")
    assert second.pk != first.pk and second.state == State.PENDING


def test_the_same_address_may_be_invited_again_once_the_first_expired(owner):
    expire(factories.invitation(owner, "guest@example.com"))
    assert factories.invitation(owner, "guest@example.com").state == State.PENDING


def test_a_duplicate_is_refused_when_the_quota_is_full_too(owner, settings):
    settings.INVITE_QUOTA = 1
    factories.invitation(owner, "guest@example.com")
    with pytest.raises(services.InvitationError):
        factories.invitation(owner, "guest@example.com")
    assert Invitation.objects.count() == 1


def test_a_members_invitation_to_a_members_address_goes_on_as_any(owner, member, settings):
    # Refusing would tell any member who is on the site (tests/invites/test_member_address.py).
    settings.INVITE_QUOTA = 2
    for address in ["member@example.com", "MEMBER@example.com"]:
        factories.invitation(owner, address, send=False)
        services.invitation_revoke(invitation=Invitation.objects.get(email=address))
    invitation = factories.invitation(owner, "  member@EXAMPLE.com", send=False)
    assert invitation.state == State.PENDING
    # It takes a slot like any other.
    factories.invitation(owner, "guest@example.com", send=False)
    with pytest.raises(services.QuotaExhausted):
        factories.invitation(owner, "another@example.com", send=False)


def test_the_site_cannot_invite_an_existing_member_either(member):
    with pytest.raises(services.InvitationError):
        factories.invitation(None, "member@example.com")


def test_a_suspended_member_cannot_invite(owner, moderator):
    # The admin's add form can still name them as the inviter.
    moderation.member_suspend(member=owner, by=moderator, reason="Spam")
    owner.refresh_from_db()
    with pytest.raises(services.InvitationError, match="suspended"):
        factories.invitation(owner, "guest@example.com")
    assert not Invitation.objects.exists()


def test_a_member_awaiting_approval_cannot_invite(owner):
    owner.awaiting_approval = True
    owner.save(update_fields=["awaiting_approval"])
    with pytest.raises(services.InvitationError, match="approved your membership"):
        factories.invitation(owner, "guest@example.com")
    assert not Invitation.objects.exists()


def test_the_address_is_stored_normalized(owner):
    invitation = factories.invitation(owner, "  Guest@EXAMPLE.COM ")
    assert invitation.email == "Guest@example.com"


# --- resend, revoke, expiry ---------------------------------------------------------------


def test_resend_makes_a_new_token_and_the_old_link_is_dead(owner, client):
    invitation = factories.invitation(owner, "guest@example.com")
    old_token, old_expiry = invitation.token, invitation.expires_at
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )

    resent = services.invitation_resend(invitation=invitation)

    resent.refresh_from_db()
    assert resent.token != old_token
    assert resent.expires_at > timezone.now() + timedelta(days=13)
    assert resent.expires_at >= old_expiry
    assert resent.state == State.PENDING
    assert client.get(reverse("invites:accept", args=[old_token])).status_code == 404
    assert client.get(reverse("invites:accept", args=[resent.token])).status_code == 200
    with pytest.raises(services.InvitationNotUsable):
        services.invitation_redeem(
            token=old_token,
            signup=services.Signup("guest@example.com", factories.PASSWORD, "en",
                                   {"real_name": "Guest"}),
        )


def test_resend_brings_an_expired_invitation_back(owner):
    invitation = expire(factories.invitation(owner))
    assert invitation.state == State.EXPIRED
    services.invitation_resend(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING


def test_resend_of_an_expired_invitation_needs_a_free_slot(owner, settings):
    # The expired invitation gave its slot back and another took it: bringing the old one
    # back to life must not take the member past their quota.
    settings.INVITE_QUOTA = 1
    expired = expire(factories.invitation(owner, "first@example.com"))
    factories.invitation(owner, "second@example.com")
    token = expired.token
    with pytest.raises(services.QuotaExhausted):
        services.invitation_resend(invitation=expired)
    expired.refresh_from_db()
    assert expired.state == State.EXPIRED and expired.token == token
    assert owner.invitations_sent.counting_against_quota().count() == 1


def test_resend_of_a_pending_invitation_needs_no_free_slot(owner, settings):
    settings.INVITE_QUOTA = 1
    invitation = factories.invitation(owner)
    services.invitation_resend(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING


def test_staff_may_resend_an_expired_invitation_whatever_they_sent(moderator, settings):
    settings.INVITE_QUOTA = 1
    expired = expire(factories.invitation(moderator))
    invite_many(moderator, 3)
    services.invitation_resend(invitation=expired)
    expired.refresh_from_db()
    assert expired.state == State.PENDING


def test_resend_of_a_used_or_revoked_invitation_is_refused(owner):
    accepted, revoked = invite_many(owner, 2)
    redeem(accepted)
    services.invitation_revoke(invitation=revoked)
    for invitation in [accepted, revoked]:
        token = Invitation.objects.get(pk=invitation.pk).token
        with pytest.raises(services.InvitationNotUsable):
            services.invitation_resend(invitation=invitation)
        assert Invitation.objects.get(pk=invitation.pk).token == token


def test_revoke(owner, client):
    invitation = factories.invitation(owner)
    assert services.invitation_revoke(invitation=invitation) is True
    invitation.refresh_from_db()
    assert invitation.state == State.REVOKED and invitation.revoked_at is not None
    assert Invitation.objects.revoked().get() == invitation
    assert client.get(invitation.get_absolute_url()).status_code == 410
    with pytest.raises(services.InvitationNotUsable):
        redeem(invitation)
    # A second revoke changes nothing.
    revoked_at = invitation.revoked_at
    assert services.invitation_revoke(invitation=invitation) is False
    invitation.refresh_from_db()
    assert invitation.revoked_at == revoked_at


def test_revoke_of_an_accepted_invitation_is_refused(owner):
    invitation = factories.invitation(owner)
    user = redeem(invitation)
    assert services.invitation_revoke(invitation=invitation) is False
    invitation.refresh_from_db()
    assert invitation.state == State.ACCEPTED
    assert invitation.revoked_at is None
    assert invitation.accepted_user == user
    assert User.objects.filter(pk=user.pk, is_active=True).exists()


def test_an_expired_invitation_cannot_be_redeemed(owner):
    invitation = expire(factories.invitation(owner, "late@example.com"))
    assert invitation.state == State.EXPIRED
    assert not invitation.is_pending
    assert list(Invitation.objects.expired()) == [invitation]
    assert not Invitation.objects.pending().exists()
    with pytest.raises(services.InvitationNotUsable) as refused:
        redeem(invitation)
    assert str(refused.value) == "This invitation can no longer be used."
    assert not User.objects.filter(email="late@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_new_invitations_expire_after_the_configured_days(owner, settings):
    settings.INVITE_EXPIRY_DAYS = 3
    invitation = factories.invitation(owner)
    remaining = invitation.expires_at - timezone.now()
    assert timedelta(days=2, hours=23) < remaining <= timedelta(days=3)


def test_redeeming_an_unknown_token_is_refused(db):
    with pytest.raises(services.InvitationNotUsable):
        services.invitation_redeem(
            token="no-such-token",
            signup=services.Signup("x@example.com", factories.PASSWORD, "en",
                                   {"real_name": "X"}),
        )
    assert not User.objects.filter(email="x@example.com").exists()


def test_redeem_makes_inviter_and_invitee_friends_and_uses_the_token_up(owner):
    invitation = factories.invitation(owner, "guest@example.com")
    user = redeem(invitation)
    assert set(User.objects.filter(friendships__friend=owner)) == {user}
    assert user.emailaddress_set.get().verified
    with pytest.raises(services.InvitationNotUsable):
        redeem(invitation, "other@example.com")
    assert not User.objects.filter(email="other@example.com").exists()


def test_redeem_with_another_address_leaves_it_unverified(owner):
    user = redeem(factories.invitation(owner, "guest@example.com"), "elsewhere@example.com")
    address = user.emailaddress_set.get()
    assert address.email == "elsewhere@example.com" and not address.verified


def test_redeem_with_the_address_of_a_member_is_refused_and_keeps_the_invitation(owner, member):
    invitation = factories.invitation(owner, "guest@example.com")
    with pytest.raises(services.InvitationError):
        redeem(invitation, "Member@Example.com")
    invitation.refresh_from_db()
    assert invitation.state == State.PENDING


# --- the email ----------------------------------------------------------------------------


def test_invitation_email_is_text_and_html_with_the_link(
    owner, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = factories.invitation(owner, "guest@example.com", message="Join us, Sakura!")
    assert len(outbox) == 1
    sent = outbox[0]
    link = f"http://testserver/invite/{invitation.token}/"
    assert sent.to == ["guest@example.com"]
    assert "Owner Person" in sent.subject
    assert link in sent.body
    assert "Join us, Sakura!" in sent.body
    assert "Owner Person" in sent.body
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Join us, Sakura!" in html
    assert "<script" not in html


def test_invitation_email_escapes_the_message_in_html(
    owner, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.invitation(owner, message="<b>hi</b> & welcome")
    html = outbox[0].alternatives[0][0]
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; welcome" in html
    assert "<b>hi</b> & welcome" in outbox[0].body


def test_no_email_without_a_commit(owner, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.invitation(owner)
    assert len(callbacks) == 1
    assert outbox == []


def test_no_email_when_not_asked_to_send(owner, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = factories.invitation(owner, send=False)
    assert outbox == []
    assert invitation.sent_at is None


def test_site_invitation_email_names_the_site(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = factories.invitation(None, "founder@example.com")
    assert "You are invited to Tsunagari" in outbox[0].subject
    assert invitation.token in outbox[0].body


def test_invitation_email_is_in_the_site_language(
    owner, outbox, settings, django_capture_on_commit_callbacks
):
    from django.utils import translation

    settings.LANGUAGE_CODE = "ja"
    # The inviter browses in English; the invitee gets the site's language.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invitation = factories.invitation(owner, "guest@example.com")
    expires = timezone.localtime(invitation.expires_at)
    japanese_date = f"{expires.year}年{expires.month}月{expires.day}日"
    sent = outbox[0]
    assert japanese_date in sent.body
    assert japanese_date in sent.alternatives[0][0]
    assert invitation.token in sent.body


def test_invitation_email_in_english(owner, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.invitation(owner)
    body = outbox[0].body
    assert "invites you to join Tsunagari" in body
    assert "年" not in body


def test_resend_mails_the_new_link(owner, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = factories.invitation(owner, "guest@example.com")
    old_token = invitation.token
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    invitation.refresh_from_db()
    assert len(outbox) == 2
    assert invitation.token in outbox[1].body
    assert old_token not in outbox[1].body
    assert invitation.token in outbox[1].alternatives[0][0]


def test_a_mail_queued_before_a_resend_is_not_sent_with_the_dead_link(
    owner, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as first:
        invitation = factories.invitation(owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    for callback in first:
        callback()
    invitation.refresh_from_db()
    assert len(outbox) == 1
    assert invitation.token in outbox[0].body


# --- revoke everything a member issued ----------------------------------------------------


def test_revoke_all_from_a_member(owner, friend):
    pending, expired, accepted, revoked = invite_many(owner, 4)
    expire(expired)
    redeem(accepted)
    services.invitation_revoke(invitation=revoked)
    revoked_at = Invitation.objects.get(pk=revoked.pk).revoked_at
    others = factories.invitation(friend)

    assert services.invitations_revoke_all_from(inviter=owner) == 2

    states = {i.pk: i.state for i in Invitation.objects.all()}
    assert states == {
        pending.pk: State.REVOKED,
        expired.pk: State.REVOKED,
        accepted.pk: State.ACCEPTED,
        revoked.pk: State.REVOKED,
        others.pk: State.PENDING,
    }
    assert Invitation.objects.get(pk=revoked.pk).revoked_at == revoked_at
    assert services.invitations_revoke_all_from(inviter=owner) == 0


# --- the invite tree ----------------------------------------------------------------------


def test_invite_tree_over_three_levels(owner, django_assert_max_num_queries):
    alice = redeem(factories.invitation(owner, "alice@example.com"), name="Alice A")
    bob = redeem(factories.invitation(owner, "bob@example.com"), name="Bob B")
    carol = redeem(factories.invitation(alice, "carol@example.com"), name="Carol C")
    dave = redeem(factories.invitation(carol, "dave@example.com"), name="Dave D")
    # Invitations not (yet) used are no part of the tree.
    factories.invitation(owner, "pending@example.com")
    expire(factories.invitation(bob, "expired@example.com"))
    services.invitation_revoke(invitation=factories.invitation(carol, "revoked@example.com"))
    # Someone else's branch stays out.
    redeem(factories.invitation(None, "stranger@example.com"), name="Stranger S")

    with django_assert_max_num_queries(2):
        tree = invite_tree(owner)
        shape = [
            (a.member.display_name, [
                (b.member.display_name, [c.member.display_name for c in b.children])
                for b in a.children
            ])
            for a in tree
        ]

    assert shape == [
        ("Alice A", [("Carol C", ["Dave D"])]),
        ("Bob B", []),
    ]
    assert [n.member for n in tree] == [alice, bob]
    assert tree[0].children[0].children[0].member == dave
    assert invite_tree(carol)[0].member == dave
    assert invite_tree(dave) == []


def test_invite_tree_stops_at_max_depth(owner):
    alice = redeem(factories.invitation(owner, "alice@example.com"), name="Alice A")
    carol = redeem(factories.invitation(alice, "carol@example.com"), name="Carol C")
    redeem(factories.invitation(carol, "dave@example.com"), name="Dave D")
    tree = invite_tree(owner, max_depth=2)
    assert [n.member for n in tree] == [alice]
    assert [n.member for n in tree[0].children] == [carol]
    assert tree[0].children[0].children == []
