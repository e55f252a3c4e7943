"""A site for one company: invitations only to the email domains the policy lists."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from invites import services
from invites.models import Invitation
from sns.models import SitePolicy
from sns.policy.services import policy_save
from sns.site_policy import domain_refusal, email_domain_allowed, invite_domains
from tests import factories

MINE = reverse("invites:mine")
ADMIN_ADD = reverse("admin:invites_invitation_add")
DOMAINS = re.escape("example.co.jp, group.example.com")


@pytest.fixture
def company_only(moderator):
    site_policy = SitePolicy.current()
    site_policy.invite_domains = "example.co.jp\n\n@Group.Example.COM \n"
    return policy_save(policy=site_policy, by=moderator)


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("taro@example.co.jp", True),
        ("Taro@EXAMPLE.CO.JP", True),
        ("hanako@group.example.com", True),
        ("hanako@mail.example.co.jp", False),  # subdomains are not included
        ("hanako@example.co.jp.evil.com", False),
        ("hanako@notexample.co.jp", False),
        ("hanako@gmail.com", False),
        ("example.co.jp", False),
    ],
)
def test_only_the_listed_domains_exactly_in_any_case(email, allowed):
    site_policy = SitePolicy(invite_domains="example.co.jp\n\n@Group.Example.COM \n")
    assert email_domain_allowed(email, site_policy) is allowed


def test_no_domains_means_any_address():
    assert email_domain_allowed("anyone@anywhere.example", SitePolicy())
    assert invite_domains(SitePolicy(invite_domains=" \n")) == []


def test_the_refusal_names_the_domains():
    site_policy = SitePolicy(invite_domains="example.co.jp\ngroup.example.com")
    assert domain_refusal(site_policy) == (
        "Invitations can only go to addresses at example.co.jp, group.example.com."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("inviter", ["owner", None])
def test_the_service_refuses_other_domains(request, company_only, inviter):
    inviter = request.getfixturevalue(inviter) if inviter else None
    with pytest.raises(services.InvitationError, match=DOMAINS):
        services.invitation_create(inviter=inviter, email="someone@gmail.com")
    assert not Invitation.objects.exists()
    assert services.invitation_create(inviter=inviter, email="taro@EXAMPLE.co.jp")


@pytest.mark.django_db
def test_the_invite_form_shows_the_domains_and_refuses_others(as_user, company_only, owner):
    web = as_user(owner)
    body = web.get(MINE).content.decode()
    assert "This site accepts addresses at these domains only: example.co.jp, " \
           "group.example.com." in body
    response = web.post(MINE, {"email": "someone@gmail.com", "message": "Hello"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Invitations can only go to addresses at example.co.jp, group.example.com." in body
    assert 'value="someone@gmail.com"' in body
    assert not Invitation.objects.exists()
    response = web.post(MINE, {"email": "taro@example.co.jp"})
    assert response.status_code == 302
    assert Invitation.objects.get().email == "taro@example.co.jp"


@pytest.mark.django_db
def test_the_form_in_japanese(as_user, company_only, owner):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).post(MINE, {"email": "someone@gmail.com"}).content.decode()
    assert "招待できるのは次のドメインのアドレスだけです: example.co.jp, group.example.com" in body


@pytest.mark.django_db
def test_the_admin_refuses_other_domains(as_user, company_only, moderator):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    response = as_user(moderator).post(ADMIN_ADD, {"email": "someone@gmail.com", "message": ""})
    assert response.status_code == 200
    assert "Invitations can only go to addresses at example.co.jp" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_manage_py_invite_refuses_other_domains(company_only):
    with pytest.raises(CommandError, match=DOMAINS):
        call_command("invite", "someone@gmail.com", "--no-mail")
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_signing_up_with_an_address_at_another_domain_is_refused(client, moderator, owner):
    invitation = factories.invitation(owner, "taro@example.co.jp")
    site_policy = SitePolicy.current()
    site_policy.invite_domains = "example.co.jp"
    policy_save(policy=site_policy, by=moderator)
    response = client.post(
        invitation.get_absolute_url(), factories.signup_data("taro@gmail.com")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Invitations can only go to addresses at example.co.jp." in body
    assert not User.objects.filter(email="taro@gmail.com").exists()
    with pytest.raises(services.InvitationError):
        services.invitation_redeem(token=invitation.token, signup=services.Signup(
            "taro@gmail.com", factories.PASSWORD, "en", {"real_name": "Taro"}))
    response = client.post(
        invitation.get_absolute_url(), factories.signup_data("taro@example.co.jp")
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_admin_form_checks_each_line(as_user, moderator):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    data = {
        "body_ja": "", "body_en": "", "rules_ja": "", "rules_en": "", "identity_policy": "",
        "invite_domains": "example.co.jp\nsomeone@gmail.com\nlocalhost",
        "invitee_suspension_limit": "", "quota_refill_days": "", "quota_cap": "5",
        "album_quota_mb": "200", "daily_news_hour": "7",
    }
    web = as_user(moderator)
    response = web.post(reverse("admin:sns_sitepolicy_add"), data)
    assert response.status_code == 200
    assert "someone@gmail.com, localhost" in response.content.decode()
    data["invite_domains"] = " example.co.jp \r\n\r\n@group.example.com"
    assert web.post(reverse("admin:sns_sitepolicy_add"), data).status_code == 302
    assert SitePolicy.objects.get().invite_domains == "example.co.jp\n@group.example.com"


def test_an_address_added_later_keeps_to_the_domains(company_only, member, as_user):
    from allauth.account.models import EmailAddress

    client = as_user(member)
    response = client.post("/accounts/email/", {"action_add": "", "email": "me@gmail.com"})
    assert response.status_code == 200
    assert "accepts email addresses at example.co.jp" in response.content.decode()
    assert not EmailAddress.objects.filter(email="me@gmail.com").exists()
    client.post("/accounts/email/", {"action_add": "", "email": "me@example.co.jp"})
    assert EmailAddress.objects.filter(user=member, email="me@example.co.jp").exists()


def test_a_password_reset_still_works_outside_the_domains(company_only, member, client):
    # Members who joined before the policy keep their address and can still reset.
    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 302
