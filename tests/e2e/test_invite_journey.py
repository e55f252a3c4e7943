"""The invitation journey in a real browser: invite by email, open the link, join, be friends."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Friendship, User
from invites.models import Invitation, State
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INVITEE = "sakura.arai@example.com"
MESSAGE = "Sakura, this is the circle I told you about at lunch. Come and join us!"
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def site(live_server, settings):
    # The invitation email's link points at the live server.
    settings.SITE_URL = live_server.url
    return live_server




def _link_from_the_email(email: str, base_url: str) -> str:
    sent = [m for m in mail.outbox if email in m.to]
    assert len(sent) == 1, [m.to for m in mail.outbox]
    message = sent[0]
    links = re.findall(rf"{re.escape(base_url)}/invite/[A-Za-z0-9_-]+/", message.body)
    assert links, message.body
    html = message.alternatives[0][0]
    assert links[0] in html
    assert MESSAGE in message.body
    return links[0]


def test_member_invites_a_friend_who_joins_from_the_email(site, page, new_context):
    inviter = factories.member(
        "Hanako Yamada", email="hanako@example.com", company="Yamada Design"
    )
    base = site.url

    # The inviter logs in through the real login form and goes to "Invite".
    log_in(page, base, "hanako@example.com", factories.PASSWORD)
    expect(page.locator("h1")).to_contain_text("Welcome, Hanako Yamada")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invite").click()
    page.wait_for_url(f"{base}/invite/")
    expect(page.get_by_text("You have not invited anyone yet.")).to_be_visible()

    page.get_by_label("Email address of the person you invite").fill(INVITEE)
    page.get_by_label("Personal message").fill(MESSAGE)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Your invitation to {INVITEE} is on its way."
    )
    row = page.locator("li.invitation", has_text=INVITEE)
    expect(row.locator(".badge")).to_have_text("Pending")

    # The email: its link, opened in a fresh browser (no session, no cookies).
    link = _link_from_the_email(INVITEE, base)
    guest = new_context().new_page()
    guest.goto(link)
    expect(guest.locator("h1")).to_contain_text("You are invited to")
    expect(guest.locator(".inviter")).to_contain_text("Hanako Yamada invites you to join.")
    expect(guest.locator(".invite-message")).to_have_text(MESSAGE)
    expect(guest.get_by_role("heading", name="Site policy")).to_be_visible()
    expect(guest.get_by_text("Invite only people you know and can vouch for.")).to_be_visible()

    # The signup form, with the invited address already in place.
    form = guest.locator("form", has=guest.locator('input[name="password1"]'))
    expect(form.locator('input[name="email"]')).to_have_value(INVITEE)
    form.locator('input[name="real_name"]').fill("新井 さくら")
    form.locator('input[name="real_name_kana"]').fill("あらい さくら")
    form.locator('input[name="nickname"]').fill("さくら")
    form.locator('input[name="password1"]').fill(factories.PASSWORD)
    form.locator('input[name="password2"]').fill(factories.PASSWORD)
    form.locator('input[name="agree"]').check()
    form.get_by_role("button", name="Join").click()

    # Logged in, on home, with the inviter among their friends.
    guest.wait_for_url(f"{base}/")
    expect(guest.locator("h1")).to_contain_text("Welcome, 新井 さくら")
    friends = guest.locator("section", has=guest.get_by_role("heading", name="Friends"))
    expect(friends.locator(".person-name")).to_have_text(["Hanako Yamada"])
    expect(guest.get_by_role("button", name="Log out")).to_be_visible()

    user = User.objects.get(email=INVITEE)
    assert user.profile.real_name == "新井 さくら"
    assert user.emailaddress_set.get().verified
    assert Friendship.objects.filter(user=inviter, friend=user).exists()

    # The link is used up: opening it again says so.
    used = new_context().new_page()
    response = used.goto(link)
    assert response.status == 410
    expect(used.locator("h1")).to_have_text("This invitation cannot be used")

    # Back in the inviter's browser: "my invitations" shows it accepted.
    page.reload()
    row = page.locator("li.invitation", has_text=INVITEE)
    expect(row.locator(".badge")).to_have_text("Accepted")
    expect(row).to_contain_text("joined as 新井 さくら")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    invitation = Invitation.objects.get(email=INVITEE)
    assert invitation.state == State.ACCEPTED and invitation.accepted_user == user

    # And the new member appears among the inviter's friends, with "invited by" on their page.
    row.get_by_role("link", name="新井 さくら").click()
    expect(page.locator("h1")).to_have_text("新井 さくら")
    expect(page.locator(".profile-head")).to_contain_text("Invited by Hanako Yamada")


def test_language_switch_in_the_footer(site, page):
    page.goto(f"{site.url}/")
    html = page.locator("html")
    footer = page.locator("footer")
    lead = page.locator(".hero .lead")
    expect(html).to_have_attribute("lang", "en")
    expect(lead).to_have_text(re.compile(r"^An invitation-only network\."))
    english_lead = lead.inner_text()

    footer.get_by_role("button", name="日本語").click()
    expect(html).to_have_attribute("lang", "ja")
    expect(footer.get_by_role("button", name="日本語")).to_have_attribute("aria-pressed", "true")
    assert page.url == f"{site.url}/"
    japanese_lead = lead.inner_text()
    assert japanese_lead != english_lead
    assert CJK.search(japanese_lead), japanese_lead
    expect(page.locator(".hero").get_by_role("link", name="Log in")).to_have_count(0)

    footer.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(lead).to_have_text(english_lead)
    expect(page.locator(".hero").get_by_role("link", name="Log in")).to_be_visible()

    footer.get_by_role("button", name="日本語").click()
    expect(html).to_have_attribute("lang", "ja")
    expect(lead).to_have_text(japanese_lead)
    # The choice is remembered for the next page.
    page.goto(f"{site.url}/policy/")
    expect(html).to_have_attribute("lang", "ja")
