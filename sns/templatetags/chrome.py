"""The site's chrome: the main navigation of every member page, built in Python.

Every member page shows the same dozen links; written as template tags they cost a
``{% url %}`` and a ``{% translate %}`` each, about a third of a light page's time. The links'
addresses are reversed once per process and their labels translated once per process and
language (``_links``); each page only marks the current one and adds the counts, which come
from the header's cached part (sns.context_processors.header_counts).
"""

from __future__ import annotations

from functools import cache

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_noop

register = template.Library()

# (key, url name, label): "my page" is the member's own profile, "admin" for staff only.
NAV = (
    ("home", "home", gettext_noop("Home")),
    ("me", None, gettext_noop("My page")),
    ("diary", "diary:friends", gettext_noop("Diary")),
    ("communities", "communities:list", gettext_noop("Communities")),
    ("offkai", "offkai:list", gettext_noop("Off-kai")),
    ("messages", "conversations:inbox", gettext_noop("Messages")),
    ("friend_requests", "accounts:friend_requests", gettext_noop("Friend requests")),
    ("notifications", "notifications:list", gettext_noop("Notifications")),
    ("footprints", "accounts:footprints", gettext_noop("Footprints")),
    ("invites", "invites:mine", gettext_noop("Invite")),
    ("settings", "accounts:settings", gettext_noop("Settings")),
    ("admin", "admin:index", gettext_noop("Admin")),
)


def _current(key: str, match, user) -> bool:
    """Whether the link ``key`` names the page being shown (``aria-current``)."""
    if match is None:
        return False
    if key == "me":
        return match.url_name == "profile" and match.kwargs.get("pk") == user.pk
    if key in ("diary", "communities", "offkai", "notifications", "invites"):
        return match.app_name == key
    if key == "messages":
        return match.app_name == "conversations"
    return key != "admin" and match.url_name == key


@cache
def _links(language: str) -> tuple[tuple[str, str | None, str], ...]:
    """(key, address, escaped label) of each link, in ``language`` (active when called)."""
    return tuple(
        (key, reverse(name) if name else None, conditional_escape(gettext(label)))
        for key, name, label in NAV
    )


@register.simple_tag(takes_context=True)
def main_nav(context) -> SafeString:
    """The links of the main navigation, one a line, as base.html lays them out."""
    request, user = context["request"], context["user"]
    match = request.resolver_match
    counts = {
        "friend_requests": context.get("FRIEND_REQUESTS_WAITING"),
        "notifications": context.get("NOTIFICATIONS_UNREAD"),
        "messages": context.get("MESSAGES_UNREAD"),
    }
    lines = []
    for key, href, label in _links(get_language()):
        if key == "admin" and not user.is_staff:
            continue
        current = format_html(' aria-current="{}"', "page") if _current(key, match, user) else ""
        count = counts.get(key)
        if count and key in ("notifications", "messages"):
            label = format_html('{} <span class="nav-count" title="{}">{}</span>',
                                label, gettext("unread"), count)
        elif count:
            label = format_html('{} <span class="nav-count">{}</span>', label, count)
        lines.append((href or user.get_absolute_url(), current, label))
    return format_html_join("\n      ", '<a href="{}"{}>{}</a>', lines)
