"""Sessions: a login never keeps a session id from before it, a logout ends the session on the
server, a new password ends the other sessions, and the cookies carry Secure, HttpOnly and
SameSite under production settings. (``manage.py check --deploy`` with production values is
tests/sns/test_settings.py.)"""

import json
import re
import secrets

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.sns.test_settings import _database_url, _manage

PAGE = "/diary/"  # any page only members may open
LOGIN = reverse("account_login")
NEW_PASSWORD = "a-new-and-longer-passphrase-42"


def logged_in(member, password: str = factories.PASSWORD) -> Client:
    """A browser that logged in through the login form."""
    browser = Client()
    response = browser.post(LOGIN, {"login": member.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "_auth_user_id" in browser.session
    return browser


def session_id(browser: Client) -> str:
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def with_cookie(key: str) -> Client:
    """Another browser holding a copy of a session cookie (stolen, or planted before)."""
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = key
    return browser


def opens_pages(browser: Client) -> bool:
    response = browser.get(PAGE)
    if response.status_code == 302:
        assert response.url.startswith(LOGIN)
        return False
    assert response.status_code == 200
    return True


def test_login_gives_a_new_session_id_and_the_old_one_opens_nothing(member):
    # An id planted in the visitor's browser before they log in (session fixation).
    planted = SessionStore()
    planted["chosen_by"] = "someone else"
    planted.create()
    browser = with_cookie(planted.session_key)

    response = browser.post(LOGIN, {"login": member.email, "password": factories.PASSWORD})

    assert response.status_code == 302
    assert session_id(browser) != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert opens_pages(browser)
    assert not opens_pages(with_cookie(planted.session_key))


def test_logout_ends_the_session_on_the_server(member):
    browser = logged_in(member)
    key = session_id(browser)
    copy = with_cookie(key)
    assert opens_pages(copy)

    assert browser.post(reverse("account_logout")).status_code == 302

    assert not Session.objects.filter(session_key=key).exists()
    assert not opens_pages(copy)
    assert not opens_pages(browser)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(member, owner):
    here, there = logged_in(member), logged_in(member)
    someone_else = logged_in(owner)

    response = here.post(reverse("account_change_password"), {
        "oldpassword": factories.PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert opens_pages(here)
    assert not opens_pages(there)
    assert opens_pages(someone_else)
    assert not opens_pages(with_cookie(session_id(there)))
    logged_in(member, NEW_PASSWORD)


def test_a_password_reset_ends_every_session(member, outbox):
    browsers = [logged_in(member), logged_in(member)]
    visitor = Client()

    visitor.post(reverse("account_reset_password"), {"email": member.email})
    [mail] = outbox
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.body).group(1)
    form = visitor.get(link, follow=True)
    assert form.status_code == 200
    response = visitor.post(form.redirect_chain[-1][0] if form.redirect_chain else link, {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert member.__class__.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert not any(opens_pages(b) for b in browsers)
    logged_in(member, NEW_PASSWORD)


# --- cookies under production settings ------------------------------------------------------

COOKIE_FLAGS = """
import json
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# A checkout has no collectstatic manifest: static files plain, everything else production's.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
browser = Client(HTTP_HOST="sns.example.com")
got = browser.get("/accounts/login/", secure=True)
assert got.status_code == 200, got.status_code
sent = browser.post("/accounts/login/", {"login": "%s", "password": "%s"}, secure=True)
assert sent.status_code == 302, sent.content[:300]
print(json.dumps({
    name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
           "samesite": m["samesite"]}
    for name, m in {**got.cookies, **sent.cookies}.items()
}))
"""


@pytest.mark.django_db(transaction=True)
def test_cookies_are_secure_httponly_and_samesite_under_production_settings(settings):
    # Production's hasher, so that the production process below can check the password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    member = factories.member(email="cookies@example.com")

    result = _manage(
        "shell", "-c", COOKIE_FLAGS % (member.email, factories.PASSWORD),
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="sns.example.com",
        DATABASE_URL=_database_url(),
    )

    assert result.returncode == 0, result.stderr
    cookies = json.loads(result.stdout.strip().splitlines()[-1])
    assert cookies["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert cookies["csrftoken"]["secure"] is True
    assert cookies["csrftoken"]["samesite"] == "Lax"
