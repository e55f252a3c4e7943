"""Logging in and out, the login rate limit, password reset, and the closed open signup."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.selectors.known_devices import KNOWN_DEVICE_COOKIE
from tests import factories
from tests.html import assert_well_formed
from tests.mfa import authenticator_app, code

LOGIN = reverse("account_login")
LOGOUT = reverse("account_logout")
RESET = reverse("account_reset_password")
SIGNUP = reverse("account_signup")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    # The rate limits live in the (database) cache; no test may inherit another's counts.
    cache.clear()
    yield
    cache.clear()


def logged_in_as(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def page_text(response) -> str:
    """The page without what differs on every request (CSRF tokens)."""
    body = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


# --- logging in ---------------------------------------------------------------------------


def test_login_page_needs_no_login(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_login_with_email_and_password(client, owner):
    response = client.post(LOGIN, {"login": "owner@example.com", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert logged_in_as(client) == owner.pk
    assert "Owner Person" in client.get("/").content.decode()


@pytest.mark.parametrize(("browser", "chosen", "said"), [
    ("en", "ja", "Owner Personさんとしてログインしました。"),
    ("ja", "en", "Successfully signed in as Owner Person."),
])
def test_login_speaks_the_language_the_member_chose(client, owner, browser, chosen, said):
    # allauth says "signed in" during the login request, which began anonymous and so in the
    # browser's language; the member chose theirs in their settings, and it wins.
    owner.language = chosen
    owner.save(update_fields=["language"])
    response = client.post(LOGIN, {"login": "owner@example.com", "password": factories.PASSWORD},
                           HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 302
    assert response["Content-Language"] == chosen
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE=browser)
    assert [str(m) for m in page.context["messages"]] == [said]
    assert page["Content-Language"] == chosen


def test_the_code_request_page_names_its_field_in_japanese(owner, as_user):
    # allauth's form leaves the field unnamed, so Django named it "Recipient" in every language.
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).get(reverse("account_request_reauthentication_code")).content.decode()
    assert "コードの送り先" in body
    assert "Recipient" not in body
    assert_well_formed(body)


def test_login_ignores_the_case_of_the_address(client, owner):
    response = client.post(LOGIN, {"login": "Owner@EXAMPLE.com", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert logged_in_as(client) == owner.pk


def test_login_goes_on_to_the_page_asked_for(client, owner):
    response = client.post(
        f"{LOGIN}?next=/invite/", {"login": "owner@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/invite/"


def test_login_with_a_wrong_password_is_refused(client, owner):
    response = client.post(LOGIN, {"login": "owner@example.com", "password": "wrong-password"})
    assert response.status_code == 200
    assert ("The email address and/or password you specified are not correct."
            in response.content.decode())
    assert logged_in_as(client) is None


def test_an_unknown_address_is_refused_with_the_same_message(client, owner):
    response = client.post(LOGIN, {"login": "nobody@example.com", "password": "wrong-password"})
    assert response.status_code == 200
    assert ("The email address and/or password you specified are not correct."
            in response.content.decode())


def test_a_member_who_left_cannot_log_in(client, owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    client.post(LOGIN, {"login": "owner@example.com", "password": factories.PASSWORD})
    assert logged_in_as(client) is None


def test_five_wrong_passwords_then_even_the_right_one_is_refused(client, owner, member):
    for _ in range(5):
        response = client.post(LOGIN, {"login": "owner@example.com", "password": "wrong"})
        assert response.status_code == 200
        assert "The email address and/or password you specified are not correct." in (
            response.content.decode()
        )
        assert logged_in_as(client) is None

    response = client.post(LOGIN, {"login": "owner@example.com", "password": factories.PASSWORD})

    assert logged_in_as(client) is None
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    # The limit is per address: another member on the same network still gets in.
    response = client.post(LOGIN, {"login": "member@example.com",
                                   "password": factories.PASSWORD})
    assert response.status_code == 302
    assert logged_in_as(client) == member.pk


def test_a_successful_login_does_not_use_up_the_limit(client, owner):
    for _ in range(8):
        response = client.post(LOGIN, {"login": "owner@example.com",
                                       "password": factories.PASSWORD})
        assert response.status_code == 302
        client.post(LOGOUT)
    assert logged_in_as(client) is None


def test_the_limit_counts_the_address_whatever_its_case(client, owner):
    for login in ["owner@example.com", "OWNER@example.com", "Owner@Example.com",
                  "owner@EXAMPLE.COM", "oWnEr@example.com"]:
        client.post(LOGIN, {"login": login, "password": "wrong"})
    response = client.post(LOGIN, {"login": "owner@example.com", "password": factories.PASSWORD})
    assert logged_in_as(client) is None
    assert "Too many failed login attempts." in response.content.decode()


def test_the_limit_counts_the_account_under_every_host_name(client, owner, settings):
    """A site reached by two names (www and bare, or an old domain) is one site: failed
    logins under each count together."""
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    for host in ["testserver"] * 3 + ["other.example"] * 2:
        client.post(LOGIN, {"login": "owner@example.com", "password": "wrong"}, HTTP_HOST=host)
    response = client.post(LOGIN, {"login": "owner@example.com", "password": factories.PASSWORD})
    assert logged_in_as(client) is None
    assert "Too many failed login attempts." in response.content.decode()


# --- a stranger cannot lock a member out of a browser they used before --------------------
# Failed logins are limited per account and client (5 per 5 minutes: the address, or the
# browser the member logged in on before), per address whatever the account (10 a minute), and
# per account from browsers it never logged in on (50 an hour): someone who knows a member's
# address cannot lock them out of their own browser.

OWNER = {"login": "owner@example.com", "password": factories.PASSWORD}
WRONG_OWNER = {"login": "owner@example.com", "password": "wrong"}
NOT_CORRECT = "The email address and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts. Try again later."


def browser_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def owners_browser(address: str = "198.51.100.7") -> Client:
    """The owner's own browser: logged in there once, and logged out since."""
    browser = browser_at(address)
    assert browser.post(LOGIN, OWNER).status_code == 302
    browser.post(LOGOUT)
    assert logged_in_as(browser) is None
    return browser


def fail(browser: Client, times: int) -> None:
    for _ in range(times):
        response = browser.post(LOGIN, WRONG_OWNER)
        assert NOT_CORRECT in response.content.decode()


def test_a_stranger_elsewhere_cannot_lock_the_owner_out_of_their_browser(owner):
    browser = owners_browser()
    stranger = browser_at("203.0.113.66")
    fail(stranger, 5)

    # The stranger is stopped, even with the right password...
    response = stranger.post(LOGIN, OWNER)
    assert TOO_MANY in response.content.decode()
    assert logged_in_as(stranger) is None
    # ...and the owner, on the browser they used before, gets in.
    response = browser.post(LOGIN, OWNER)
    assert response.status_code == 302
    assert logged_in_as(browser) == owner.pk


def test_the_limit_per_client_does_not_lock_the_owner_out_of_a_new_browser(owner):
    fail(browser_at("203.0.113.66"), 5)

    newcomer = browser_at("198.51.100.8")
    assert newcomer.post(LOGIN, OWNER).status_code == 302
    assert logged_in_as(newcomer) == owner.pk


def test_a_stranger_on_the_owners_network_cannot_lock_their_browser_either(owner):
    """An office, a café or a carrier's NAT: one address, many people. The browser the owner
    used before is a client of its own."""
    browser = owners_browser("198.51.100.7")
    fail(browser_at("198.51.100.7"), 5)

    assert browser.post(LOGIN, OWNER).status_code == 302
    assert logged_in_as(browser) == owner.pk


def test_the_owners_browser_is_still_limited_per_client(owner):
    browser = owners_browser()
    fail(browser, 5)

    response = browser.post(LOGIN, OWNER)
    assert TOO_MANY in response.content.decode()
    assert logged_in_as(browser) is None


def test_the_account_ceiling_stops_an_attack_from_many_addresses(owner):
    browser = owners_browser()
    # Fifty failures an hour per account, from browsers it never logged in on: ten
    # addresses, each staying under its own limit.
    for i in range(10):
        fail(browser_at(f"203.0.113.{i + 10}"), 5)

    # An eleventh address is refused, even with the right password...
    elsewhere = browser_at("203.0.113.99")
    response = elsewhere.post(LOGIN, OWNER)
    assert TOO_MANY in response.content.decode()
    assert logged_in_as(elsewhere) is None
    # ...while the owner's own browser still gets in.
    assert browser.post(LOGIN, OWNER).status_code == 302
    assert logged_in_as(browser) == owner.pk


def test_the_known_browser_cookie_is_out_of_scripts_reach_and_names_no_address(owner):
    browser = browser_at("198.51.100.7")
    response = browser.post(LOGIN, OWNER)
    cookie = response.cookies[KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 86400
    assert "owner" not in cookie.value and "198.51" not in cookie.value


def test_with_a_second_factor_the_browser_is_known_only_once_the_code_is_given(owner):
    secret = authenticator_app(owner)
    browser = browser_at("198.51.100.7")
    response = browser.post(LOGIN, OWNER)
    assert response.url == reverse("mfa_authenticate")
    assert KNOWN_DEVICE_COOKIE not in browser.cookies

    response = browser.post(reverse("mfa_authenticate"), {"code": code(secret)})
    assert response.status_code == 302 and logged_in_as(browser) == owner.pk
    assert KNOWN_DEVICE_COOKIE in browser.cookies


@pytest.fixture
def low_ceiling(settings):
    """Three failures per account, so that a test reaches the ceiling in a few requests."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                    "login_failed_account": "3/h/key"}


@pytest.mark.parametrize("cookie", ["garbage", "", "a" * 5000, "e30:1tq:Zm9v"])
def test_a_made_up_known_browser_cookie_counts_for_nothing(owner, low_ceiling, cookie):
    for i in range(3):
        fail(browser_at(f"203.0.113.{i + 10}"), 1)

    forger = browser_at("203.0.113.99")
    forger.cookies[KNOWN_DEVICE_COOKIE] = cookie
    response = forger.post(LOGIN, OWNER)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()


def test_a_browser_known_to_one_member_is_a_stranger_to_another(owner, member, low_ceiling):
    # The owner's browser, where someone then tries the member's account.
    browser = owners_browser()
    for i in range(3):
        browser_at(f"203.0.113.{i + 10}").post(
            LOGIN, {"login": "member@example.com", "password": "wrong"})

    response = browser.post(LOGIN, {"login": "member@example.com",
                                    "password": factories.PASSWORD})
    assert TOO_MANY in response.content.decode()
    assert logged_in_as(browser) is None


def test_a_password_reset_lifts_the_account_ceiling(client, owner, low_ceiling, outbox):
    for i in range(3):
        fail(browser_at(f"203.0.113.{i + 10}"), 1)
    newcomer = browser_at("198.51.100.8")
    assert TOO_MANY in newcomer.post(LOGIN, OWNER).content.decode()

    newcomer.post(RESET, {"email": "owner@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", outbox[0].body)
    response = newcomer.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    new = "a-brand-new-passphrase-42"
    assert newcomer.post(form_url, {"password1": new, "password2": new}).status_code == 302

    response = newcomer.post(LOGIN, {"login": "owner@example.com", "password": new})
    assert response.status_code == 302
    assert logged_in_as(newcomer) == owner.pk


# --- logging out --------------------------------------------------------------------------


def test_logout_by_post(owner, as_user):
    client = as_user(owner)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert logged_in_as(client) is None
    # Members' pages are closed again.
    assert client.get("/invite/").status_code == 302


def test_logout_by_get_only_asks(owner, as_user):
    client = as_user(owner)
    response = client.get(LOGOUT)
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert logged_in_as(client) == owner.pk


# --- password reset -----------------------------------------------------------------------


def test_password_reset_does_not_tell_whether_an_address_is_a_member(client, owner, outbox):
    known = client.post(RESET, {"email": "owner@example.com"})
    unknown = client.post(RESET, {"email": "stranger@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("account_reset_password_done")

    known_page = client.get(known.url)
    unknown_page = client.get(unknown.url)
    assert known_page.status_code == unknown_page.status_code == 200
    assert page_text(known_page) == page_text(unknown_page)

    # Each address gets one mail; only a member's carries a reset link.
    assert sorted(m.to[0] for m in outbox) == ["owner@example.com", "stranger@example.com"]
    to_member = next(m for m in outbox if m.to == ["owner@example.com"])
    to_stranger = next(m for m in outbox if m.to == ["stranger@example.com"])
    assert "/accounts/password/reset/key/" in to_member.body
    assert "/accounts/password/reset/key/" not in to_stranger.body
    for text in [to_stranger.subject, to_stranger.body,
                 *(html for html, _ in to_stranger.alternatives)]:
        assert "owner@example.com" not in text
        assert "Owner Person" not in text
        assert "/reset/key/" not in text


def test_password_reset_form_errors_are_the_same_for_both(client, owner):
    # A malformed address is a form error, whoever it could belong to.
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_password_reset_link_sets_a_new_password(client, owner, outbox):
    client.post(RESET, {"email": "owner@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", outbox[0].body)
    assert link, outbox[0].body
    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    new = "a-brand-new-passphrase-42"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new)


def test_the_reset_page_needs_no_login(client, db):
    assert client.get(RESET).status_code == 200


# --- the open signup is closed ------------------------------------------------------------


def test_open_signup_page_says_by_invitation_only(client, db):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert "By invitation only" in body
    assert "ask them to invite you" in body
    assert 'name="password1"' not in body


def test_open_signup_post_creates_no_account(client, db, outbox):
    response = client.post(SIGNUP, {
        "email": "intruder@example.com",
        "password1": factories.PASSWORD,
        "password2": factories.PASSWORD,
    })
    assert response.status_code == 200
    assert "By invitation only" in response.content.decode()
    assert not User.objects.filter(email="intruder@example.com").exists()
    assert User.objects.count() == 0
    assert logged_in_as(client) is None
    assert outbox == []


def test_open_signup_sends_a_member_home_and_creates_nothing(owner, as_user):
    client = as_user(owner)
    response = client.post(SIGNUP, {"email": "second@example.com",
                                    "password1": factories.PASSWORD,
                                    "password2": factories.PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert not User.objects.filter(email="second@example.com").exists()
    assert logged_in_as(client) == owner.pk
