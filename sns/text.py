"""Member text: the characters it may hold, and Markdown rendered to HTML, then cleaned with
nh3 (the only way it is marked safe)."""

import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

from .errors import Refused

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    # Building a Markdown instance (its extensions, patterns) costs more than converting a
    # comment: one per thread, reset between texts (212 → 39 ms for 585 comments, bench/).
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown_lib.Markdown(extensions=["sane_lists", "nl2br"])
    return converter


def render_markdown(text: str) -> SafeString:
    html = _converter().reset().convert(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


# --- the characters text may hold ------------------------------------------------------------

# C0 controls but tab, line feed and carriage return, and DEL: nobody means to type them (a
# paste from a terminal or a PDF brings them), nothing shows them, and they make what the site
# writes for other programs invalid: iCalendar allows no control but tab (RFC 5545 §3.1), XML
# 1.0 none but tab and the line breaks. NUL is refused with the whole request
# (sns.middleware.NulRefusalMiddleware); here it is dropped like the rest.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What XML 1.0 allows (§2.2): its complement is dropped from what an SVG or feed carries.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def without_controls(text: str) -> str:
    """``text`` without the control characters no member means (``CONTROLS``)."""
    return CONTROLS.sub("", text)


def body_clean(text: str, *, max_length: int, empty: str, too_long: str) -> str:
    """A member's text as a service keeps it (a comment, a message): control characters out,
    stripped; Refused with ``empty`` when nothing is left, with ``too_long`` (formatted with
    ``limit`` and ``length``) past ``max_length``. Views hand the text straight to the
    services, past any form field, so this is the one rule."""
    text = without_controls(text or "").strip()
    if not text:
        raise Refused(empty, code="empty")
    if len(text) > max_length:
        raise Refused(too_long % {"limit": max_length, "length": len(text)}, code="too_long")
    return text


def xml_chars(text: str) -> str:
    """``text`` with only the characters XML 1.0 allows: for text stored before controls
    were dropped on the way in (escaping ``<&>"'`` is the template's)."""
    return _NOT_XML.sub("", text)


def drop_controls_in_form_text() -> None:
    """Make every form text field drop ``CONTROLS`` from what it receives, before its own
    cleaning (whitespace, length, required): Django's ``CharField`` and the fields built on
    it, in every form of the site, allauth's and the admin's.

    One place for all the text members and the operator write, where a base form or a field
    class would have to be remembered in each of some forty forms and would miss the admin's
    and allauth's. Django itself refuses NUL in the same field (ProhibitNullCharacters);
    these are dropped instead, as a paste brings them unseen. A password is left as typed:
    it is compared, never shown, and changing it would lock out whoever set one before.
    Called once, from ``SnsConfig.ready``.
    """
    from django import forms

    to_python = forms.CharField.to_python
    if getattr(to_python, "drops_controls", False):
        return

    def to_python_without_controls(field, value):
        if isinstance(value, str) and not isinstance(field.widget, forms.PasswordInput):
            value = without_controls(value)
        return to_python(field, value)

    to_python_without_controls.drops_controls = True
    forms.CharField.to_python = to_python_without_controls
