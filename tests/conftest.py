"""Personas used everywhere (DESIGN.md §5) and shared fixtures.

owner — the member whose page or content is under test; friend — owner's friend;
fof — a friend of friend (not owner's friend); member — a member with no tie to owner;
blocked — a member whom owner blocks;
anonymous — a visitor who is not logged in; moderator — staff.
"""

import pytest
from django.core import mail
from django.test import Client

from tests import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's cost protects production passwords; here it only slows every persona down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Most assertions read English text; Japanese is tested on purpose where it matters.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _abuse_limits_out_of_the_way(settings):
    # A test that builds a busy page (sixty comments by one member) is not about abuse limits:
    # they still count (sns.limits runs), but allow plenty. Tests of a limit set their own
    # allowance (tests/sns/test_rate_limits.py).
    from sns import limits

    for limit in limits.ALL:
        setattr(settings, limit.setting, 100_000)


@pytest.fixture(autouse=True)
def _site_policy_unwritten():
    # Each process keeps the site policy for a few seconds (sns.site_policy.policy_current): every
    # test starts from the policy of a new site, none written, whatever the test before saved.
    from sns.models import SitePolicy
    from sns.site_policy import policy_memo_set

    policy_memo_set(SitePolicy(), seconds=float("inf"))
    yield
    policy_memo_set(None)


@pytest.fixture
def owner(db):
    return factories.member("Owner Person", email="owner@example.com",
                            company="Owner K.K.", title="CEO")


@pytest.fixture
def friend(owner):
    friend = factories.member("Friend Person", email="friend@example.com")
    factories.befriend(owner, friend)
    return friend


@pytest.fixture
def fof(friend):
    fof = factories.member("Fof Person", email="fof@example.com")
    factories.befriend(friend, fof)
    return fof


@pytest.fixture
def member(db):
    return factories.member("Plain Member", email="member@example.com")


@pytest.fixture
def blocked(owner):
    from accounts.services import block_create

    blocked = factories.member("Blocked Person", email="blocked@example.com")
    block_create(blocker=owner, blocked=blocked)
    return blocked


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def moderator(db):
    return factories.member("Moderator", email="moderator@example.com", staff=True)


def client_for(user, *, second_factor: bool | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="accounts.backends.MemberBackend")
        if user.is_staff if second_factor is None else second_factor:
            from tests.mfa import pass_second_factor

            pass_second_factor(client, user)
    return client


@pytest.fixture
def as_user():
    """as_user(persona) → a test client logged in as that member (or anonymous for None).

    The admin opens only to staff who gave a code from an authenticator app, so a staff
    member's session is marked as having passed the second factor (tests/mfa.py); pass
    ``second_factor=False`` for a session that gave the password only.
    """
    return client_for


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox
