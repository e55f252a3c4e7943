"""Values that clients send, read without trusting them: a ``next`` page to go back to, and
an id in a query string or a form."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def next_path(request, target: str) -> str | None:
    """``target`` when it is a path on this site (``/…``), else None.

    Django's check alone lets a bare word through (``next=home``), which ``redirect`` then
    takes for a URL name and fails on as a server error; another host would be an open
    redirect."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def id_or_none(value: str | None) -> int | None:
    """``value`` as an id when it is ASCII digits only, else None.

    ``str.isdigit`` is true of "²" too, which ``int`` refuses (a server error), and ``int``
    alone would take " 7", "+7" and "1_000"."""
    if value and value.isascii() and value.isdigit():
        return int(value)
    return None
