"""Settings come from the environment and are safe by default."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    # The embedded server (DATABASE_URL unset) is reached by a socket named in OPTIONS.
    host = db["HOST"] or db.get("OPTIONS", {}).get("host") or "localhost"
    if host.startswith("/"):
        return f"postgres://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.django_db
def test_check_deploy_is_clean_with_production_values():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        # A key as an operator makes one (50+ random characters); every SECURE_* at its
        # default (_manage drops the test run's SECURE_SSL_REDIRECT and SECURE_COOKIES).
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="sns.example.com", DATABASE_URL=_database_url(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _manage("check", DEBUG="0", SECRET_KEY="", DATABASE_URL="postgres://x@localhost/x")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_debug_is_off_by_default_and_hosts_are_not_a_wildcard():
    assert settings.DEBUG is False
    assert "*" not in settings.ALLOWED_HOSTS
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_cache_url_selects_redis():
    script = (
        "import django; django.setup(); from django.core.cache import caches; "
        "c = caches['default']; c.set('tsunagari-probe', 42); "
        "print(type(c).__module__, c.get('tsunagari-probe'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sns.settings",
             "CACHE_URL": "redis://127.0.0.1:6379/3", "DATABASE_URL": _database_url()},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis", "42"]


REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": "redis://127.0.0.1:6379/4"}}


@pytest.mark.django_db
@pytest.mark.parametrize("caches_setting", [None, REDIS_CACHE], ids=["database", "redis"])
def test_failed_logins_are_rate_limited(client, caches_setting):
    # The default cache replaced; the parts cache (every request's member) stays as it is.
    caches_setting = {**settings.CACHES, **caches_setting} if caches_setting else None
    with override_settings(**({"CACHES": caches_setting} if caches_setting else {})):
        caches["default"].clear()
        member = factories.member(email="limited@example.com")
        url = reverse("account_login")
        for _ in range(5):
            response = client.post(url, {"login": member.email, "password": "wrong"})
            assert response.status_code == 200
            assert not response.wsgi_request.user.is_authenticated
        # The sixth attempt is refused even with the right password.
        response = client.post(url, {"login": member.email, "password": factories.PASSWORD})
        assert response.status_code == 200
        assert "Too many failed login attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session
        caches["default"].clear()


def test_the_login_limits_come_from_the_environment():
    result = _manage(
        "shell", "-v", "0", "-c",
        "from django.conf import settings; r = settings.ACCOUNT_RATE_LIMITS; "
        "print(r['login_failed'], r['login_failed_account'], settings.KNOWN_DEVICE_DAYS)",
        SECRET_KEY="test-only-secret", DATABASE_URL="postgres://x@localhost/x",
        LOGIN_FAILURES_PER_ADDRESS="20/m", LOGIN_FAILURES_PER_CLIENT="3/10m",
        LOGIN_FAILURES_PER_ACCOUNT="100/d", KNOWN_DEVICE_DAYS="90",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["20/m/ip,3/10m/key", "100/d/key", "90"]


@pytest.mark.parametrize("value", ["lots", "0/m", "5/5 minutes"])
def test_a_login_limit_that_is_not_failures_per_period_is_refused_at_start(value):
    result = _manage("check", SECRET_KEY="test-only-secret",
                     DATABASE_URL="postgres://x@localhost/x", LOGIN_FAILURES_PER_ACCOUNT=value)
    assert result.returncode != 0
    assert 'LOGIN_FAILURES_PER_ACCOUNT must be failures per period, like "5/5m"' in result.stderr


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    for url in ["/invite/", "/me/edit/", "/me/settings/", "/members/1/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_public_pages_need_no_login(client):
    for url in ["/", "/policy/", reverse("account_login"), reverse("account_reset_password")]:
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_models_and_migrations_agree():
    from django.core.management import call_command

    # Exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
