"""The logged-in member of each request, read through the parts cache (sns/cache/).

Every page needs the member's row (``AuthenticationMiddleware`` asks the backend that logged
them in for it); with Redis it is kept there under the scope ``cache.member(m)``, so a page
reads no member row while the member is unchanged. Each write of the row drops the copy once
it commits: ``User.save`` and ``User.delete`` (the admin, a password or language change, a
login's ``last_login``, suspension, leaving) and the bulk updates of sns.policy (accepting
the rules, the quota refill). A suspension or a new password holds from the next request, as
without the cache; the copy's timeout is only a backstop for a bump that could not reach
Redis.

The copy holds the row's columns as PostgreSQL returned them (the password's hash too, which
the session check needs: Redis is as private as the database).
"""

from __future__ import annotations

from functools import cache as memoized

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS

from sns import cache

from .models import User

MEMBER_TIMEOUT = 5 * 60


@memoized
def _columns() -> tuple[str, ...]:
    return tuple(field.attname for field in User._meta.concrete_fields)


def _row(member_id: int) -> tuple | None:
    return User._default_manager.filter(pk=member_id).values_list(*_columns()).first()


def member_by_id(member_id: int) -> User | None:
    """The member with ``member_id`` as the database holds them now (None if gone)."""
    values = cache.cached(
        "member", [cache.member(member_id)], lambda: _row(member_id),
        key=(member_id,), timeout=MEMBER_TIMEOUT,
    )
    return None if values is None else User.from_db(DEFAULT_DB_ALIAS, _columns(), values)


class _CachedMember:
    def get_user(self, user_id):
        member = member_by_id(user_id)
        return member if member is not None and self.user_can_authenticate(member) else None


class MemberBackend(_CachedMember, ModelBackend):
    """Django's login by email and password (the admin's, the tests')."""


class AllauthMemberBackend(_CachedMember, AuthenticationBackend):
    """allauth's login (the site's login page)."""
