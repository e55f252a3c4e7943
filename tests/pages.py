"""What tests read off a response or put into a URL: a page's text, a redirect to the login
page, the monthly archive of an entry, the report form of an object, and a word that names
one object on a page."""

from __future__ import annotations

import itertools
import uuid

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

LOGIN_PATH = "/accounts/login/"
_seq = itertools.count(1)


def token(prefix: str = "Diary") -> str:
    """A word that appears nowhere on a page unless the object it names is shown there."""
    return f"{prefix}{next(_seq)}x{uuid.uuid4().hex[:10]}"


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(LOGIN_PATH)


def archive_url(entry) -> str:
    """The monthly archive holding ``entry`` (its month in the site's time zone)."""
    local = timezone.localtime(entry.created_at)
    for month in (local.month, f"{local.month:02d}"):
        try:
            return reverse("diary:archive", args=[entry.author_id, local.year, month])
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"diary:archive for {local.year}-{local.month}")


def report_url(kind: str, pk: int) -> str:
    """The report form for the object of ``kind`` (``entry``, ``comment``, …) and ``pk``."""
    return f"/report/?type={kind}&id={pk}"
