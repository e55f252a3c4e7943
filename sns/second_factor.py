"""The second factor (allauth.mfa): an authenticator app, with recovery codes as its spare.

Optional for members; staff need it to open the admin (``sns.admin_site``). allauth keeps,
in the session, a record of each way the member proved who they are since logging in; the
admin reads that record instead of trusting a password alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User

# allauth's name for "a code from an authenticator app or a recovery code" in its records.
MFA_METHOD = "mfa"


def has_authenticator_app(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_passed(request: HttpRequest) -> bool:
    """Whether this session's member gave a code from an authenticator that still exists.

    An authenticator a moderator reset (deleted) no longer counts, so resetting a lost phone
    also shuts the admin to any session opened with it. Read once per request.
    """
    passed = getattr(request, "_second_factor_passed", None)
    if passed is None:
        user = request.user
        ids = [
            record.get("id")
            for record in get_authentication_records(request, user)
            if record.get("method") == MFA_METHOD
        ]
        passed = bool(ids) and Authenticator.objects.filter(user_id=user.pk, pk__in=ids).exists()
        request._second_factor_passed = passed
    return passed


@transaction.atomic
def second_factor_reset(*, member: User) -> int:
    """Remove ``member``'s authenticator app and recovery codes (a lost or replaced phone).

    They log in with their password alone afterwards; staff are then asked to set up a new
    app before the admin opens. Returns how many authenticators were removed.
    """
    deleted, _per_model = Authenticator.objects.filter(user=member).delete()
    return deleted
