"""Calendars: one event's .ics and a member's private feed, parsed back with icalendar; who
may fetch what; the feed page with its reset."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.services import block_create
from communities import services as community_services
from offkai import services
from offkai.models import Answer, CalendarFeed, Event
from offkai.selectors import calendar
from tests import factories
from tests.html import assert_well_formed
from tests.offkai import strict_ics

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDAR_PAGE = reverse("offkai:calendar")


def ics_url(event) -> str:
    return reverse("offkai:ics", args=[event.pk])


def feed_url(token: str) -> str:
    return reverse("offkai:feed", args=[token])


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    strict_ics.validate(response.content)
    return icalendar.Calendar.from_ical(response.content)


def at(event, starts: datetime, hours: float = 2) -> Event:
    event.starts_at, event.ends_at = starts, starts + timedelta(hours=hours)
    event.save(update_fields=["starts_at", "ends_at"])
    return event


# --- one event -----------------------------------------------------------------------------

def test_an_event_ics_has_every_field(as_user, owner, friend):
    event = factories.event(
        owner, title="Spring meetup", description="Bring **snacks**.",
        venue="Cafe Tsunagari", address="1-2-3 Shibuya, Tokyo",
    )
    response = as_user(friend).get(ics_url(event))
    cal = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="offkai-{event.pk}.ics"'
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == calendar.PRODID
    assert cal["METHOD"] == "PUBLISH"
    [vevent] = cal.events
    url = f"http://testserver/offkai/{event.pk}/"
    assert vevent["UID"] == f"offkai-{event.pk}@testserver"
    assert vevent["SUMMARY"] == "Spring meetup"
    assert vevent["DESCRIPTION"] == f"Bring snacks.\n\n{url}"
    assert vevent["LOCATION"] == "Cafe Tsunagari, 1-2-3 Shibuya, Tokyo"
    assert vevent["URL"] == url
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert abs(vevent["DTSTAMP"].dt - timezone.now()) < timedelta(minutes=1)
    # iCalendar counts whole seconds.
    assert vevent.start == event.starts_at.replace(microsecond=0)
    assert vevent.end == event.ends_at.replace(microsecond=0)


def test_times_are_written_in_utc(as_user, owner):
    event = at(factories.event(owner), datetime(2031, 1, 10, 19, 0, tzinfo=TOKYO))
    response = as_user(owner).get(ics_url(event))
    body = response.content.decode()
    assert "DTSTART:20310110T100000Z\r\n" in body
    assert "DTEND:20310110T120000Z\r\n" in body
    assert "VTIMEZONE" not in body
    vevent = parse(response).events[0]
    assert vevent.start.utcoffset() == timedelta(0)
    assert vevent.start.astimezone(TOKYO).hour == 19


def test_japanese_text_commas_semicolons_and_newlines_are_escaped(as_user, owner):
    title = "新年会, 二次会あり; 東京"
    event = factories.event(
        owner, title=title, venue="居酒屋つながり, 2階", address="東京都渋谷区; 1-2-3",
        description="一行目\n二行目\n\n- 乾杯\n- 自己紹介\n\n[地図](https://example.com/map)"
        + "、とても長い説明文です" * 20,
    )
    response = as_user(owner).get(ics_url(event))
    raw = response.content
    text = raw.decode()
    assert "SUMMARY:新年会\\, 二次会あり\\; 東京\r\n" in text
    assert "LOCATION:居酒屋つながり\\, 2階\\, 東京都渋谷区\\; 1-2-3\r\n" in text
    # Lines are folded at 75 octets, never inside a UTF-8 character (decode() passed).
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    vevent = parse(response).events[0]
    assert vevent["SUMMARY"] == title
    assert vevent["LOCATION"] == "居酒屋つながり, 2階, 東京都渋谷区; 1-2-3"
    description = vevent["DESCRIPTION"]
    assert description.startswith("一行目\n二行目\n\n- 乾杯\n- 自己紹介\n\n地図 (https://example.com/map)")
    assert "<" not in description


# Stored before control characters were dropped on the way in (sns.text), as a terminal or
# a PDF pastes them: the writer must still make a calendar every parser reads.
STORED_WITH_CONTROLS = {
    "title": "Spring\x0b meetup\x1b[31m, 花見",
    "venue": "Cafe\x0c Tsunagari\r",
    "address": "1-2-3\x7f Shibuya; Tokyo",
    "description": "Bring\x07 snacks.\r\nAnd\ttea;\x1b, please.\r" + "、長い説明文\x08" * 30,
}


def _stored_with_controls(event) -> Event:
    Event.objects.filter(pk=event.pk).update(**STORED_WITH_CONTROLS)
    event.refresh_from_db()
    return event


def test_an_ics_of_text_with_control_characters_reads_strictly(as_user, owner):
    event = _stored_with_controls(factories.event(owner))
    response = as_user(owner).get(ics_url(event))
    properties = dict(strict_ics.validate(response.content))
    assert strict_ics.unescape(properties["SUMMARY"]) == "Spring meetup[31m, 花見"
    assert strict_ics.unescape(properties["LOCATION"]) == "Cafe Tsunagari, 1-2-3 Shibuya; Tokyo"
    description = strict_ics.unescape(properties["DESCRIPTION"])
    assert description.startswith("Bring snacks.\nAnd tea;, please.")  # Markdown: tab → space
    assert "、長い説明文" * 30 in description
    assert parse(response).events[0]["SUMMARY"] == "Spring meetup[31m, 花見"


def test_every_attendees_feed_reads_strictly_with_such_an_event(client, owner, friend):
    event = _stored_with_controls(factories.event(owner, title="x"))
    factories.answer(event, friend)
    factories.event(friend, title="Plain; one, too")
    for member in (owner, friend):
        body = client.get(feed_url(services.calendar_feed_get_or_create(user=member).token)).content
        summaries = [v for name, v in strict_ics.validate(body) if name == "SUMMARY"]
        assert "Spring meetup[31m\\, 花見" in summaries


def test_the_strict_reader_refuses_what_it_should():
    good = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:a\\, b\r\n" \
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    strict_ics.validate(good)
    for bad in (
        good.replace(b"a\\, b", b"a\x1b b"),  # a control character
        good.replace(b"a\\, b", b"a, b"),  # a bare comma in TEXT
        good.replace(b"a\\, b", b"a\rb"),  # a bare CR
        good.replace(b"a\\, b", "é".encode() * 40),  # a line past 75 octets
        good.replace(b"END:VEVENT\r\n", b""),  # unbalanced
    ):
        with pytest.raises(strict_ics.Invalid):
            strict_ics.validate(bad)


def test_a_cancelled_event_says_so_with_a_higher_sequence(as_user, owner, friend):
    event = factories.event(owner)
    first = parse(as_user(friend).get(ics_url(event))).events[0]
    event.edited_at = event.created_at + timedelta(minutes=5)
    event.save(update_fields=["edited_at"])
    edited = parse(as_user(friend).get(ics_url(event))).events[0]
    event.cancelled_at = event.created_at + timedelta(hours=1)
    event.cancel_reason = "Typhoon"
    event.save(update_fields=["cancelled_at", "cancel_reason"])
    cancelled = parse(as_user(friend).get(ics_url(event))).events[0]
    assert first["SEQUENCE"] < edited["SEQUENCE"] < cancelled["SEQUENCE"]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == first["UID"]


def test_an_event_without_venue_or_description_has_no_location(as_user, owner):
    event = factories.event(owner)
    vevent = parse(as_user(owner).get(ics_url(event))).events[0]
    assert "LOCATION" not in vevent
    assert vevent["DESCRIPTION"] == f"http://testserver/offkai/{event.pk}/"


@pytest.mark.parametrize(("persona", "status"), [
    ("owner", 200), ("friend", 200), ("fof", 404), ("member", 404), ("blocked", 404),
])
def test_the_ics_goes_only_to_who_may_see_the_event(
    request, as_user, owner, friend, fof, member, blocked, persona, status
):
    event = factories.event(owner, visibility="friends")
    viewer = request.getfixturevalue(persona)
    assert as_user(viewer).get(ics_url(event)).status_code == status


def test_the_ics_of_a_hosts_only_event_and_a_missing_one(as_user, owner, friend):
    private = factories.event(owner, visibility="private", co_hosts=[friend])
    assert as_user(friend).get(ics_url(private)).status_code == 200
    assert as_user(factories.member()).get(ics_url(private)).status_code == 404
    assert as_user(friend).get(reverse("offkai:ics", args=[private.pk + 1000])).status_code == 404


def test_visitors_are_sent_to_log_in(client, owner):
    event = factories.event(owner, visibility="public")
    response = client.get(ics_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_public_event_ics_for_visitors_where_the_site_allows(client, owner, settings):
    settings.SITE_PUBLIC_PAGES = True
    public = factories.event(owner, visibility="public")
    members_only = factories.event(owner, visibility="members")
    assert parse(client.get(ics_url(public))).events[0]["SUMMARY"] == public.title
    assert client.get(ics_url(members_only)).status_code == 404


# --- the member's feed ---------------------------------------------------------------------

def feed_of(client, user) -> icalendar.Calendar:
    return parse(client.get(feed_url(services.calendar_feed_get_or_create(user=user).token)))


def summaries(cal: icalendar.Calendar) -> list[str]:
    return [str(e["SUMMARY"]) for e in cal.events]


def test_the_feed_lists_what_i_attend_or_host(client, owner, friend):
    factories.event(owner, title="I host", days=3)
    going = factories.event(friend, title="I go", days=1)
    factories.answer(going, owner)
    for answer in (Answer.MAYBE, Answer.DECLINED, Answer.WAITLISTED):
        factories.answer(factories.event(friend, title=f"I said {answer}"), owner, answer)
    factories.answer(factories.event(friend, title="Someone else's"), friend)
    cal = feed_of(client, owner)  # no login: the token is the key
    assert summaries(cal) == ["I go", "I host"]
    assert cal.calendar_name
    assert cal.refresh_interval == calendar.FEED_REFRESH
    assert len({str(e["UID"]) for e in cal.events}) == 2


def test_the_feed_reaches_back_90_days_and_shows_cancelled_events(client, owner):
    factories.event(owner, title="Long ago", days=-(calendar.FEED_PAST_DAYS + 1))
    factories.event(owner, title="Last month", days=-30)
    cancelled = factories.event(owner, title="Called off", days=10)
    cancelled.cancelled_at = timezone.now()
    cancelled.save(update_fields=["cancelled_at"])
    cal = feed_of(client, owner)
    assert summaries(cal) == ["Last month", "Called off"]
    assert [str(e["STATUS"]) for e in cal.events] == ["CONFIRMED", "CANCELLED"]


def test_a_block_takes_an_event_out_of_the_feed(client, owner, member):
    event = factories.event(owner, title="Blocked later")
    factories.answer(event, member)
    assert summaries(feed_of(client, member)) == ["Blocked later"]
    block_create(blocker=owner, blocked=member)
    assert summaries(feed_of(client, member)) == []


def test_leaving_the_community_takes_its_event_out_of_the_feed(client, owner, member):
    club = factories.community(owner, members=[member])
    event = factories.event(owner, title="Club night", community=club, visibility="community")
    factories.answer(event, member)
    assert summaries(feed_of(client, member)) == ["Club night"]
    community_services.membership_leave(community=club, user=member)
    assert summaries(feed_of(client, member)) == []


def test_unknown_token_is_a_404_and_a_left_member_feed_too(client, owner):
    assert client.get(feed_url("no-such-token")).status_code == 404
    feed = services.calendar_feed_get_or_create(user=owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get(feed_url(feed.token)).status_code == 404


def test_a_token_shows_its_own_members_events_only(client, as_user, owner, member):
    factories.answer(factories.event(owner, title="Owner's"), owner)
    factories.answer(factories.event(member, title="Member's"), member)
    assert summaries(feed_of(client, member)) == ["Member's"]
    # Logged in as the owner, the member's token still shows the member's calendar only.
    token = CalendarFeed.objects.get(user=member).token
    assert summaries(parse(as_user(owner).get(feed_url(token)))) == ["Member's"]


@pytest.mark.parametrize("count", [5, 50])
def test_the_feed_takes_a_fixed_number_of_queries(
    client, owner, count, django_assert_max_num_queries
):
    for i in range(count):
        factories.event(owner, days=i + 1)
    token = services.calendar_feed_get_or_create(user=owner).token
    with django_assert_max_num_queries(2):
        cal = parse(client.get(feed_url(token)))
    assert len(cal.events) == count


def test_the_feed_is_bounded(client, owner, monkeypatch):
    monkeypatch.setattr(calendar, "FEED_MAX_EVENTS", 3)
    for i in range(5):
        factories.event(owner, title=f"E{i}", days=i + 1)
    assert summaries(feed_of(client, owner)) == ["E0", "E1", "E2"]


# --- the calendar page ---------------------------------------------------------------------

def test_the_page_makes_the_feed_on_first_visit_and_shows_how_to_add_it(
    as_user, owner, django_assert_max_num_queries
):
    client = as_user(owner)
    assert not CalendarFeed.objects.filter(user=owner).exists()
    body = client.get(CALENDAR_PAGE).content.decode()
    assert_well_formed(body)
    feed = CalendarFeed.objects.get(user=owner)
    assert f"http://testserver/offkai/feed/{feed.token}.ics" in body
    assert f"webcal://testserver/offkai/feed/{feed.token}.ics" in body
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftestserver" in body
    assert "Outlook" in body
    # The session, the member, the feed; the layout's counts (friend requests, notices).
    with django_assert_max_num_queries(5):
        again = client.get(CALENDAR_PAGE).content.decode()
    assert CalendarFeed.objects.filter(user=owner).count() == 1
    assert feed.token in again


def test_resetting_makes_the_old_address_a_404(as_user, client, owner):
    factories.event(owner, title="Mine")
    old = services.calendar_feed_get_or_create(user=owner).token
    response = as_user(owner).post(CALENDAR_PAGE)
    assert response.status_code == 302
    assert response["Location"] == CALENDAR_PAGE
    new = CalendarFeed.objects.get(user=owner).token
    assert new != old
    assert client.get(feed_url(old)).status_code == 404
    assert summaries(parse(client.get(feed_url(new)))) == ["Mine"]
    body = as_user(owner).get(CALENDAR_PAGE).content.decode()
    assert new in body and old not in body
    assert "new address" in body


def test_the_page_is_for_members_only(client):
    response = client.get(CALENDAR_PAGE)
    assert response.status_code == 302


def test_the_page_in_japanese(as_user, owner):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).get(CALENDAR_PAGE).content.decode()
    assert_well_formed(body)
    assert "カレンダー" in body
    assert "Reset the address" not in body


def test_the_settings_page_links_to_the_calendar_page(as_user, owner):
    body = as_user(owner).get(reverse("accounts:settings")).content.decode()
    assert f'href="{CALENDAR_PAGE}"' in body


# --- the links on the event page -----------------------------------------------------------

def test_the_event_links_partial(owner):
    upcoming = factories.event(owner)
    past = factories.event(owner, days=-2)
    html = render_to_string("offkai/partials/event_links.html", {"event": upcoming,
                                                                  "is_host": True})
    assert reverse("offkai:ics", args=[upcoming.pk]) in html
    assert CALENDAR_PAGE in html
    assert "attendance" not in html
    for_host = render_to_string("offkai/partials/event_links.html", {"event": past,
                                                                      "is_host": True})
    assert reverse("offkai:attendance", args=[past.pk]) in for_host
    for_guest = render_to_string("offkai/partials/event_links.html", {"event": past,
                                                                       "is_host": False})
    assert reverse("offkai:attendance", args=[past.pk]) not in for_guest


def test_the_event_page_shows_the_links(as_user, owner, friend):
    past = factories.event(owner, days=-2, visibility="friends")
    factories.answer(past, friend)
    host_page = as_user(owner).get(past.get_absolute_url()).content.decode()
    assert_well_formed(host_page)
    assert reverse("offkai:ics", args=[past.pk]) in host_page
    assert reverse("offkai:attendance", args=[past.pk]) in host_page
    friend_page = as_user(friend).get(past.get_absolute_url()).content.decode()
    assert reverse("offkai:ics", args=[past.pk]) in friend_page
    assert reverse("offkai:attendance", args=[past.pk]) not in friend_page
