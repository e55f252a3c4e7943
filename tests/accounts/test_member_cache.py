"""The chrome with Redis (issue 16, item 1): a page reads neither the session nor the member
from PostgreSQL, and every change of the member still holds from their very next request.

Sessions are ``cached_db`` on the default cache (sns/settings.py with ``CACHE_URL``), the
member is kept in the parts cache (accounts/backends.py). Each test first opens a page
once more than it needs, so that what the page keeps was kept before the change.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import backends
from accounts.models import User
from sns import cache as parts_cache
from sns import moderation
from sns.policy.services import invitations_refill
from tests import factories, warm
from tests.sns.policy.test_policy import with_rules
from tests.sns.test_sessions import NEW_PASSWORD, logged_in

PAGE = reverse("policy")  # the member floor of bench/load.py: the chrome and little else
DIARY = "/diary/"
INVITE = reverse("invites:mine")


@contextmanager
def redis_chrome():
    """Production's setup with Redis: sessions read from the default cache and written
    through, the member in the parts cache; both emptied before and after."""
    default = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:6379/{warm.REDIS_DB}",
        "KEY_PREFIX": f"warm-default-{connection.settings_dict['NAME']}",
    }
    with warm.parts_on_redis() as parts, override_settings(
        CACHES={**settings.CACHES, "default": default},
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        _empty_default()
        try:
            yield parts
        finally:
            _empty_default()


def _empty_default() -> None:
    """Only this run's keys of the default cache (``clear`` would empty the whole database,
    other runs' keys too)."""
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


def _reads(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in queries.captured_queries]


@pytest.fixture
def chrome(db):
    with redis_chrome() as parts:
        yield parts


def test_a_page_reads_neither_the_session_nor_the_member(chrome, member):
    client = logged_in(member)
    assert client.get(PAGE).status_code == 200  # fills the cache
    status, sql = _reads(client, PAGE)
    assert status == 200
    assert not [q for q in sql if "django_session" in q], sql
    assert not [q for q in sql if 'FROM "accounts_user"' in q], sql
    # The member floor costs no query at all once warm.
    assert sql == []


def test_without_redis_both_are_read_from_postgresql(member):
    """The control: the same page, cold, reads them (so the test above can fail)."""
    client = logged_in(member)
    client.get(PAGE)
    status, sql = _reads(client, PAGE)
    assert status == 200
    assert [q for q in sql if "django_session" in q]
    assert [q for q in sql if 'FROM "accounts_user"' in q]


def test_a_suspension_holds_on_the_next_request(chrome, member, moderator):
    client = logged_in(member)
    assert client.get(DIARY).status_code == 200
    assert client.get(DIARY).status_code == 200
    with warm.committed():
        moderation.member_suspend(member=member, by=moderator, reason="Spam")
    response = client.get(DIARY)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    with warm.committed():
        moderation.member_unsuspend(member=member, by=moderator)
    # Their session ended with the suspension; they log in again.
    assert logged_in(member).get(DIARY).status_code == 200


def test_a_new_password_ends_the_other_sessions_at_once(chrome, member):
    here, elsewhere = logged_in(member), logged_in(member)
    for browser in (here, elsewhere):
        assert browser.get(DIARY).status_code == 200
        assert browser.get(DIARY).status_code == 200
    with warm.committed():
        response = here.post(reverse("account_change_password"), {
            "oldpassword": factories.PASSWORD, "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        })
    assert response.status_code == 302, response.content.decode()[:400]
    assert here.get(DIARY).status_code == 200
    assert elsewhere.get(DIARY).status_code == 302


def test_a_changed_language_shows_on_the_next_page(chrome, member):
    client = logged_in(member)
    client.get(DIARY)
    assert '<html lang="en">' in client.get(DIARY).content.decode()
    with warm.committed():
        member.language = "ja"
        member.save(update_fields=["language"])
    assert '<html lang="ja">' in client.get(DIARY).content.decode()


def test_accepting_the_rules_lets_the_member_on_at_once(chrome, member, moderator):
    """Accepting is a bulk update of the row (sns.policy.services.rules_accept), not a save."""
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    member.rules_accepted_at = timezone.now() - timedelta(days=1)
    member.save(update_fields=["rules_accepted_at"])
    with warm.committed():
        with_rules(moderator)
    client = logged_in(member)
    for _ in range(2):
        response = client.get(DIARY)
        assert response.status_code == 302
        assert response.url.startswith(reverse("policy_accept"))
    with warm.committed():
        assert client.post(reverse("policy_accept"), {"next": DIARY}).status_code == 302
    assert client.get(DIARY).status_code == 200


def test_a_quota_refill_shows_on_the_invite_page(chrome, owner, moderator):
    """The refill updates rows in bulk too (sns.policy.services.invitations_refill)."""
    from tests.invites.test_refill import MONTH, joined_ago, refill_every, use_up

    refill_every(moderator)
    joined_ago(owner, 2 * MONTH)
    use_up(owner, 4)
    client = logged_in(owner)
    client.get(INVITE)
    assert "You can invite 1 more person." in client.get(INVITE).content.decode()
    with warm.committed():
        assert invitations_refill() == 1
    assert "You can invite 2 more people." in client.get(INVITE).content.decode()


def test_redis_emptied_logs_nobody_out(chrome, member):
    client = logged_in(member)
    client.get(DIARY)
    parts_cache.forget_all()
    _empty_default()
    assert client.get(DIARY).status_code == 200
    # And the member is read again and kept.
    assert client.get(DIARY).status_code == 200
    assert backends.member_by_id(member.pk).email == member.email


def test_a_departed_member_is_not_kept(chrome, member):
    """A row that is gone answers None, also once that answer was kept, and a row made
    later under the id (a restored backup) is read afresh after ``forget_cached_parts``."""
    assert backends.member_by_id(member.pk).pk == member.pk
    with warm.committed():
        User.objects.get(pk=member.pk).delete()
    assert backends.member_by_id(member.pk) is None


# --- the upgrade ------------------------------------------------------------------------------


def test_sessions_from_before_keep_working(db, member):
    """Sessions opened before accounts/backends.py name the old backends: the migration
    gives them the new names, and the member stays logged in."""
    import importlib

    migration = importlib.import_module("accounts.migrations.0009_sessions_member_backends")
    stores = {}
    for old in migration.RENAMED:
        store = SessionStore()
        store["_auth_user_id"] = str(member.pk)
        store["_auth_user_backend"] = old
        store["_auth_user_hash"] = member.get_session_auth_hash()
        store.create()
        stores[old] = store.session_key
    migration.forwards(django_apps, None)
    for old, key in stores.items():
        assert SessionStore(session_key=key).load()["_auth_user_backend"] == migration.RENAMED[old]
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = key
        assert browser.get(DIARY).status_code == 200
    migration.backwards(django_apps, None)
    for old, key in stores.items():
        assert SessionStore(session_key=key).load()["_auth_user_backend"] == old
