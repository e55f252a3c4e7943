"""A new moderator's first visit to the admin in a real browser: asked to set up an
authenticator app, they confirm their password, add the app (the test reads the secret off
the page as a phone would scan it), keep the recovery codes, and open the admin with a code."""

from __future__ import annotations

import os

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests import factories
from tests.e2e.journeys import log_in
from tests.mfa import code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SHOTS")  # a folder, to look at the pages by eye


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_new_moderator_sets_up_an_app_and_opens_the_admin(live_server, page):
    moderator = factories.member("Mio Moderator", email="mio@example.com", staff=True)
    base = live_server.url

    log_in(page, base, "mio@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    # Setting up a second factor first asks for the password again.
    page.wait_for_url(
        f"{base}/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    expect(page.locator(".messages")).to_contain_text(
        "Before the admin opens, moderators protect their account with an authenticator app"
    )
    shot(page, "1-confirm-password")
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.locator('form:has(input[name="password"]) [type="submit"]').click()

    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    expect(page.locator("main")).to_contain_text(
        "As a moderator you need an authenticator app to open the admin"
    )
    expect(page.locator('img[src^="data:image/svg+xml;base64,"]')).to_be_visible()
    shot(page, "2-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator('input[name="code"]').fill(code(secret))
    page.locator('form:has(input[name="code"]) [type="submit"]').click()

    page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
    expect(page.locator("#recovery_codes")).to_be_visible()
    shot(page, "3-recovery-codes")
    assert Authenticator.objects.filter(user=moderator).count() == 2

    page.get_by_role("link", name="Open the admin").click()
    page.wait_for_url(f"{base}/accounts/2fa/reauthenticate/?next=%2Fadmin%2F")
    expect(page.locator(".messages")).to_contain_text(
        "To open the admin, enter a code from your authenticator app."
    )
    shot(page, "4-code")
    page.locator('input[name="code"]').fill(code(secret, steps=-1))
    page.locator('form:has(input[name="code"]) [type="submit"]').click()
    page.wait_for_url(f"{base}/admin/")
    expect(page.locator("#site-name")).to_contain_text("Tsunagari moderation")
    shot(page, "5-admin")
