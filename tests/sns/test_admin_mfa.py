"""The admin opens only to staff who gave a code from an authenticator app (allauth.mfa).

Logins here go through the real pages: allauth's login form, its code page, the setup page;
the codes are computed from the app's secret as a phone would.
"""

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.html import assert_well_formed
from tests.mfa import authenticator_app, code

LOGIN = reverse("account_login")
CODE_PAGE = reverse("mfa_authenticate")
SETUP = reverse("mfa_activate_totp")
REAUTH = reverse("mfa_reauthenticate")
PASSWORD_AGAIN = reverse("account_reauthenticate")
ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    # Rate limits and "this code was used already" live in the (database) cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator(moderator):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    return moderator


def logged_in_as(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def password_login(client, user, next_url: str | None = None):
    url = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    return client.post(url, {"login": user.email, "password": factories.PASSWORD})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- staff with an authenticator app ------------------------------------------------------


def test_staff_log_in_with_password_and_code_and_reach_the_admin(client, operator):
    secret = authenticator_app(operator)
    # The admin sends a visitor through the site's login, and back.
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(ADMIN_LOGIN)
    response = client.get(response.url)
    assert response.status_code == 302
    assert urlsplit(response.url).path == LOGIN
    assert parse_qs(urlsplit(response.url).query)["next"] == [ADMIN]

    response = password_login(client, operator, ADMIN)
    assert response.status_code == 302 and response.url == CODE_PAGE
    # The password alone logs nobody in.
    assert logged_in_as(client) is None
    assert client.get(ADMIN).status_code == 302

    page = client.get(CODE_PAGE)
    assert page.status_code == 200
    assert_well_formed(page.content.decode())
    response = client.post(CODE_PAGE, {"code": code(secret)})
    assert response.status_code == 302 and response.url == ADMIN
    assert logged_in_as(client) == operator.pk
    index = client.get(ADMIN)
    assert index.status_code == 200
    assert "Site administration" in index.content.decode()


def test_a_wrong_code_is_refused(client, operator):
    secret = authenticator_app(operator)
    password_login(client, operator, ADMIN)
    right = code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE_PAGE, {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert logged_in_as(client) is None
    assert client.get(ADMIN).status_code == 302
    # A code from an hour ago is as wrong.
    response = client.post(CODE_PAGE, {"code": code(secret, steps=-120)})
    assert "Incorrect code." in response.content.decode()
    assert logged_in_as(client) is None


def test_a_code_is_good_once(client, operator):
    secret = authenticator_app(operator)
    password_login(client, operator)
    used = code(secret)
    client.post(CODE_PAGE, {"code": used})
    assert logged_in_as(client) == operator.pk
    client.post(reverse("account_logout"))

    other = Client()
    password_login(other, operator)
    response = other.post(CODE_PAGE, {"code": used})
    assert "Incorrect code." in response.content.decode()
    assert logged_in_as(other) is None


def test_a_recovery_code_opens_the_admin_too(client, operator):
    authenticator_app(operator)
    spare = RecoveryCodes.activate(operator).get_unused_codes()[0]
    password_login(client, operator, ADMIN)
    response = client.post(CODE_PAGE, {"code": spare})
    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_staff_whose_session_gave_no_code_are_asked_for_one(operator, as_user):
    # E.g. a member made staff while logged in, or a session from before the app.
    secret = authenticator_app(operator)
    client = as_user(operator, second_factor=False)
    changelist = reverse("admin:accounts_user_changelist")
    response = client.get(changelist, follow=True)
    assert response.redirect_chain[-1][0] == f"{REAUTH}?next={changelist.replace('/', '%2F')}"
    assert "To open the admin, enter a code from your authenticator app." in messages_of(
        response
    )
    response = client.post(f"{REAUTH}?next={changelist}", {"code": code(secret)})
    assert response.status_code == 302 and response.url == changelist
    assert client.get(changelist).status_code == 200


# --- staff without an authenticator app ---------------------------------------------------


def test_staff_without_an_app_are_sent_to_set_one_up_then_reach_the_admin(client, operator):
    response = password_login(client, operator)
    # Members without an app (staff too) log in with the password, as before.
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_as(client) == operator.pk

    response = client.get(ADMIN, follow=True)
    # Setting up a second factor asks for the password once more (allauth's rule).
    assert [url for url, _status in response.redirect_chain][-2:] == [
        SETUP, f"{PASSWORD_AGAIN}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    ]
    assert "Before the admin opens, moderators protect their account" in (
        response.content.decode()
    )
    response = client.post(
        f"{PASSWORD_AGAIN}?next={SETUP}", {"password": factories.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == SETUP
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "As a moderator you need an authenticator app to open the admin" in body
    assert 'src="data:image/svg+xml;base64,' in body  # the QR code

    secret = client.session["mfa.totp.secret"]
    response = client.post(SETUP, {"code": code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=operator, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with the app, to print and keep.
    assert response.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(
        user=operator, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    codes = client.get(response.url)
    assert_well_formed(codes.content.decode())
    assert f'<a class="button primary" href="{ADMIN}">Open the admin</a>' in (
        codes.content.decode()
    )

    # Setting it up proved the phone once; opening the admin asks for a code again.
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0] == f"{REAUTH}?next=%2Fadmin%2F"
    response = client.post(f"{REAUTH}?next={ADMIN}", {"code": code(secret, steps=-1)})
    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def admin_urls(operator) -> list[str]:
    """Every page of the admin: the index, each app, each model's pages."""
    urls = [ADMIN, reverse("admin:password_change"), reverse("admin:jsi18n"),
            reverse("admin:autocomplete")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
        for page in ["changelist", "add"]:
            urls.append(reverse("admin:{}_{}_{}".format(*info, page)))
        for page in ["change", "delete", "history"]:
            urls.append(reverse("admin:{}_{}_{}".format(*info, page), args=[1]))
    urls.append(reverse("admin:accounts_user_change", args=[operator.pk]))
    urls.append(reverse("admin:auth_user_password_change", args=[operator.pk]))
    return sorted(set(urls))


def test_staff_without_an_app_reach_no_admin_page(operator, as_user):
    client = as_user(operator)  # the test's usual way in: with a second factor
    pages = admin_urls(operator)
    assert len(pages) > 40
    # The check would pass if every page were closed: with the code, they open.
    assert client.get(reverse("admin:accounts_user_change", args=[operator.pk])).status_code == 200

    Authenticator.objects.filter(user=operator).delete()
    client = as_user(operator, second_factor=False)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(f"{ADMIN_LOGIN}?next="), url
    response = client.get(ADMIN_LOGIN)
    assert response.status_code == 302 and response.url == SETUP
    # Not even the setup page serves as a way around: it needs the password again.
    assert client.get(SETUP).url.startswith(PASSWORD_AGAIN)


def test_staff_without_an_app_cannot_act_through_the_admin(operator, member, as_user):
    client = as_user(operator, second_factor=False)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    response = client.post(url, {"email": "taken-over@example.com"})
    assert response.status_code == 302 and response.url.startswith(ADMIN_LOGIN)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "member@example.com"


def test_the_admin_login_form_logs_nobody_in(client, operator):
    authenticator_app(operator)
    response = client.post(
        ADMIN_LOGIN, {"username": operator.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and urlsplit(response.url).path == LOGIN
    assert logged_in_as(client) is None


def test_the_admin_login_keeps_next_on_this_site(operator, as_user):
    client = as_user(operator)
    response = client.get(ADMIN_LOGIN, {"next": "https://evil.example/admin/"})
    assert response.status_code == 302 and response.url == ADMIN
    response = client.get(ADMIN_LOGIN, {"next": "/admin/accounts/user/"})
    assert response.url == "/admin/accounts/user/"


# --- members ------------------------------------------------------------------------------


def test_members_are_not_asked_for_a_code_and_find_no_admin(client, member):
    response = password_login(client, member)
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_as(client) == member.pk
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(ADMIN_LOGIN)
    assert client.get(response.url).status_code == 404


def test_a_member_may_protect_their_account_with_an_app(client, member):
    secret = authenticator_app(member)
    response = password_login(client, member)
    assert response.status_code == 302 and response.url == CODE_PAGE
    assert logged_in_as(client) is None
    client.post(CODE_PAGE, {"code": code(secret)})
    assert logged_in_as(client) == member.pk
    # Still no admin for them.
    assert client.get(ADMIN).status_code == 302


def test_settings_link_to_the_second_factor_page(member, as_user):
    client = as_user(member)
    body = client.get(reverse("accounts:settings")).content.decode()
    assert f'href="{reverse("mfa_index")}"' in body
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert_well_formed(page.content.decode())
    assert "Authenticator App" in page.content.decode()


def test_the_setup_page_in_japanese(client, operator):
    operator.language = "ja"
    operator.save(update_fields=["language"])
    password_login(client, operator)
    response = client.get(ADMIN, follow=True)
    body = response.content.decode()
    assert_well_formed(body)
    assert "管理画面を開く前に" in body
    assert "Before the admin opens" not in body
    client.post(f"{PASSWORD_AGAIN}?next={SETUP}", {"password": factories.PASSWORD})
    body = client.get(SETUP).content.decode()
    assert_well_formed(body)
    assert "認証アプリ" in body
    assert "As a moderator" not in body


def test_the_code_page_and_the_admin_speak_the_language_the_member_chose(client, operator):
    # Between the password and the code the member is not logged in yet: the page still
    # follows the language saved in their settings, not the browser's.
    operator.language = "ja"
    operator.save(update_fields=["language"])
    secret = authenticator_app(operator)
    client.post(f"{LOGIN}?next={ADMIN}",
                {"login": operator.email, "password": factories.PASSWORD},
                HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(CODE_PAGE, HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "ja"
    assert "認証" in page.content.decode()
    response = client.post(CODE_PAGE, {"code": code(secret)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response.url == ADMIN
    index = client.get(ADMIN, HTTP_ACCEPT_LANGUAGE="en")
    assert messages_of(index) == ["Moderatorさんとしてログインしました。"]
    assert "サイト管理" in index.content.decode()


# --- resetting a lost phone ---------------------------------------------------------------


def test_reset_in_admin_removes_the_app_and_shuts_the_admin(operator, as_user):
    other = factories.member("Other Moderator", email="other-mod@example.com", staff=True)
    other_client = as_user(other)
    assert other_client.get(ADMIN).status_code == 200
    RecoveryCodes.activate(other)
    keep = authenticator_app(operator)

    client = as_user(operator)
    response = client.post(
        reverse("admin:mfa_authenticator_changelist"),
        {"action": "reset", "index": 0,
         "_selected_action": list(Authenticator.objects.filter(user=other).values_list(
             "pk", flat=True))[:1]},
        follow=True,
    )
    assert response.status_code == 200
    assert "The second factor of 1 member was reset." in response.content.decode()
    assert not Authenticator.objects.filter(user=other).exists()
    assert authenticator_app(operator) == keep
    assert LogEntry.objects.filter(action_flag=DELETION, user=operator).count() == 2
    # Their open session no longer opens the admin: set up a new app first (after giving
    # the password again).
    response = other_client.get(ADMIN, follow=True)
    assert [url for url, _status in response.redirect_chain][-2:] == [
        SETUP, f"{PASSWORD_AGAIN}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    ]


def test_the_authenticator_pages_never_show_the_secret(operator, as_user):
    secret = authenticator_app(operator)
    client = as_user(operator)
    authenticator = Authenticator.objects.get(user=operator)
    changelist = client.get(reverse("admin:mfa_authenticator_changelist"))
    assert changelist.status_code == 200
    assert "moderator@example.com" in changelist.content.decode()
    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200
    assert secret not in page.content.decode()
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def test_reset_command(operator):
    authenticator_app(operator)
    out = StringIO()
    call_command("reset_second_factor", "Moderator@Example.com", stdout=out)
    assert "was reset" in out.getvalue()
    assert "set up an authenticator app again" in out.getvalue()
    assert not Authenticator.objects.filter(user=operator).exists()
    out = StringIO()
    call_command("reset_second_factor", "moderator@example.com", stdout=out)
    assert "had no second factor" in out.getvalue()
    with pytest.raises(CommandError, match="No member has the address"):
        call_command("reset_second_factor", "nobody@example.com", stdout=StringIO())
