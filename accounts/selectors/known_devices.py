"""Browsers a member has logged in on before ("known devices"), remembered in a signed cookie.

The login limits (accounts.adapter) treat such a browser as a client of its own, outside the
ceiling on an account's failed logins: a stranger who knows a member's address can use up
the ceiling from elsewhere, or the limit of the member's own network, but cannot lock the
member out of the browser they use. Signed with the site's SECRET_KEY, so that it cannot be
made up; it names members by id and holds nothing secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from allauth.account.utils import filter_users_by_email
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

KNOWN_DEVICE_COOKIE = "known_device"
# Named after the module's first home: another salt would forget every browser remembered.
_SALT = "accounts.known_devices"
# A browser shared by a family or at a front desk: the most recent members are enough.
_MEMBERS_KEPT = 10


@dataclass(frozen=True)
class KnownDevice:
    id: str
    members: tuple[int, ...]


def _read(request: HttpRequest) -> KnownDevice | None:
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=settings.KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:  # made up, altered, or older than KNOWN_DEVICE_DAYS
        return None
    if not (isinstance(data, dict) and isinstance(data.get("id"), str)
            and isinstance(data.get("members"), list)
            and all(isinstance(pk, int) for pk in data["members"])):
        return None
    return KnownDevice(id=data["id"], members=tuple(data["members"]))


def known_device_id(request: HttpRequest, login: str) -> str | None:
    """The id of this browser when the member whose address is ``login`` has logged in on it
    before, else None. Reads the database only when the browser has the cookie."""
    device = _read(request)
    if device is None or not login:
        return None
    if any(user.pk in device.members for user in filter_users_by_email(login)):
        return device.id
    return None


def known_device_remember(*, request: HttpRequest, response: HttpResponse, user) -> None:
    """Mark the browser of ``request`` as one ``user`` has logged in on, for
    KNOWN_DEVICE_DAYS from now (each login starts the period again)."""
    device = _read(request)
    device_id = device.id if device else secrets.token_urlsafe(16)
    members = [pk for pk in (device.members if device else ()) if pk != user.pk]
    members = [*members, user.pk][-_MEMBERS_KEPT:]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps({"id": device_id, "members": members}, salt=_SALT),
        max_age=settings.KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )
