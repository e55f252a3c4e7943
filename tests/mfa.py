"""The second factor in tests: an authenticator app for a member, the code it would show now,
and a test client whose session passed the second factor the way allauth records it."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client, RequestFactory


def authenticator_app(user) -> str:
    """Set up an authenticator app for ``user`` (or find theirs); returns its secret, what
    the phone keeps."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def code(secret: str, *, steps: int = 0) -> str:
    """The code the app shows now (or ``steps`` periods of 30 s later or earlier)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + steps
    return format_hotp_value(hotp_value(secret, counter))


def pass_second_factor(client: Client, user) -> None:
    """Record in ``client``'s session (already logged in as ``user``) that ``user`` gave their
    password and a code from their authenticator app, as allauth's login does."""
    authenticator_app(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
