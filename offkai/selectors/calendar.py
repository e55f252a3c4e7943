"""Off-kai calendars (RFC 5545, built with ``icalendar``): one event's ``.ics`` and each
member's private feed of the events they attend or host.

Times are written in UTC (``…Z``), so no VTIMEZONE is needed and every calendar app shows
them in its own zone. The text of a field is escaped by ``icalendar`` (commas, semicolons,
backslashes, newlines) and folded at 75 octets without splitting a UTF-8 character; control
characters, which RFC 5545 allows nowhere but a tab, are dropped first (``ical_text``), also
from text stored before forms dropped them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sns.text import render_markdown, without_controls

from ..models import RSVP, Answer, CalendarFeed, Event, EventHost

PRODID = "-//Tsunagari//Off-kai//EN"
# The feed reaches back this far, so last month's off-kai stay in the member's calendar.
FEED_PAST_DAYS = 90
# And holds at most this many events (the nearest to now first), whatever the member did.
FEED_MAX_EVENTS = 500
# How often calendar apps are asked to fetch the feed again (those that read the hint).
FEED_REFRESH = timedelta(hours=1)


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def event_uid(event: Event) -> str:
    """The event's UID: the same in the ``.ics`` and in every feed, for as long as it lives,
    so a calendar app updates its copy instead of adding a second one."""
    return f"offkai-{event.pk}@{site_host()}"


def event_sequence(event: Event) -> int:
    """The revision number (SEQUENCE): whole seconds from the creation to the last edit or
    the cancellation.

    It needs no counter column and only grows: ``edited_at`` and ``cancelled_at`` only move
    forward, and each edit or the cancellation is later than the one before. An event never
    edited is revision 0. (Two edits within one second share a number; the second still
    reaches the calendar, whose copy is replaced on the next fetch of the same UID.)
    """
    changed = max(
        (t for t in (event.edited_at, event.cancelled_at) if t is not None), default=None
    )
    if changed is None:
        return 0
    return max(int((changed - event.created_at).total_seconds()), 0)


def ical_text(text: str) -> str:
    """``text`` as an iCalendar TEXT value may hold it: line breaks as LF, which ``icalendar``
    escapes (a lone CR it would leave raw, ending the line), and no other control but tab."""
    return without_controls(text.replace("\r\n", "\n").replace("\r", "\n"))


def event_location(event: Event) -> str:
    # One line: the form strips each field, a row stored otherwise may end in a line break.
    return ", ".join(part.strip() for part in (event.venue, event.address) if part.strip())


class _PlainText(HTMLParser):
    """The text of cleaned Markdown HTML (``sns.text``'s few tags): paragraphs apart, list
    items on their own lines, a link's address after its text. (Indentation, as in a code
    block, is not kept: a calendar shows the text as it comes.)"""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip()
            if self.href and self.href != text:
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data):
        # A newline in HTML text is a space; the line breaks are the tags above.
        data = data.replace("\n", " ")
        if self.href is not None:
            self.link_text.append(data)
        self.parts.append(data)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).splitlines()]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return unescape(text).strip()


def plain_text(markdown: str) -> str:
    """Member Markdown as plain text, for places that cannot show HTML (calendars, mail)."""
    parser = _PlainText()
    parser.feed(str(render_markdown(markdown)))
    parser.close()
    return parser.text()


def _vevent(event: Event, *, now: datetime) -> icalendar.Event:
    url = absolute_url(event.get_absolute_url())
    description = ical_text(plain_text(event.description))
    vevent = icalendar.Event.new(
        uid=event_uid(event),
        stamp=now.astimezone(UTC),
        start=event.starts_at.astimezone(UTC),
        end=event.ends_at.astimezone(UTC),
        summary=ical_text(event.title),
        description=f"{description}\n\n{url}" if description else url,
        url=url,
        sequence=event_sequence(event),
        status="CANCELLED" if event.is_cancelled else "CONFIRMED",
        location=ical_text(event_location(event)) or None,
        created=event.created_at.astimezone(UTC),
        last_modified=max(
            t for t in (event.created_at, event.edited_at, event.cancelled_at) if t is not None
        ).astimezone(UTC),
    )
    return vevent


def calendar_build(
    events, *, uid: str, name: str | None = None, now: datetime | None = None
) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with one VEVENT per event, as bytes (CRLF lines).

    ``uid`` names the calendar itself (stable, or apps see a new calendar at each fetch);
    ``name`` makes it a subscribed feed: its title and how often to fetch it again.
    """
    now = now or timezone.now()
    calendar = icalendar.Calendar.new(prodid=PRODID, method="PUBLISH", uid=uid)
    if name:
        calendar.calendar_name = ical_text(name)
        calendar.refresh_interval = FEED_REFRESH
        calendar.add("x-published-ttl", FEED_REFRESH)
    for event in events:
        calendar.add_component(_vevent(event, now=now))
    return calendar.to_ical()


def event_ics(event: Event, *, now: datetime | None = None) -> bytes:
    return calendar_build([event], uid=event_uid(event), now=now)


def feed_ics(feed: CalendarFeed, *, name: str, now: datetime | None = None) -> bytes:
    # The calendar's UID follows the member, not the token: a reset keeps it one calendar.
    return calendar_build(
        feed_events(feed.user, now=now), uid=f"offkai-feed-{feed.user_id}@{site_host()}",
        name=name, now=now,
    )


# --- the member's feed ---------------------------------------------------------------------

def feed_events(member, *, now: datetime | None = None) -> QuerySet[Event]:
    """What ``member``'s feed lists: the events they answered "attending" to or host, from
    FEED_PAST_DAYS ago on (cancelled ones too, to be shown cancelled), at most
    FEED_MAX_EVENTS, and only those they may see now: a block or leaving a community takes
    an event out of the feed at the next fetch."""
    now = now or timezone.now()
    attending = Exists(RSVP.objects.filter(
        event=OuterRef("pk"), user=member, answer=Answer.ATTENDING
    ))
    hosting = Exists(EventHost.objects.filter(event=OuterRef("pk"), user=member))
    return (
        Event.objects.visible_to(member)
        .filter(attending | hosting)
        .filter(Q(ends_at__gte=now - timedelta(days=FEED_PAST_DAYS)))
        .order_by("starts_at", "pk")[:FEED_MAX_EVENTS]
    )


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed behind ``token``, if its member is still a member."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
