"""The month calendar: days in the site's time zone (23:30 in Tokyo on the last day belongs
to that month, 00:30 on the 1st to the next), events spanning days on each of them, today
marked, the week starting on Sunday in Japanese and Monday in English, neighbouring months
linked, invalid months a 404, only events the viewer may see, one query for the events."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import JoinPolicy
from offkai import selectors
from offkai.models import Answer, Event
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

TOKYO = timezone.get_fixed_timezone(9 * 60)


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000


def at(creator, starts: datetime, **fields) -> Event:
    """An event by ``creator`` at an exact time (``starts`` aware), titled by that time."""
    fields.setdefault("title", f"At {starts.isoformat()}")
    return factories.event(creator, starts=starts, **fields)


def path(year: int, month: int) -> str:
    return reverse("offkai:month", args=[year, month])


def page(client, year: int, month: int) -> str:
    response = client.get(path(year, month))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    return body


def days_of(viewer, year: int, month: int, made: Event, *, sunday_first=False) -> list[date]:
    """The days of the month's grid that list ``made``."""
    grid = selectors.month(viewer, year, month, sunday_first=sunday_first)
    return [d.day for week in grid.weeks for d in week if any(e.pk == made.pk for e, _ in d.events)]


def cell(body: str, day: date) -> str:
    """The table cell of ``day`` in a month page."""
    start = body.index(f'<time datetime="{day.isoformat()}">')
    start = body.rindex("<td", 0, start)
    return body[start: body.index("</td>", start)]


# --- days in the site's time zone -----------------------------------------------------------

def test_late_on_the_last_day_belongs_to_that_month(owner, as_user):
    late = at(owner, datetime(2030, 1, 31, 23, 30, tzinfo=TOKYO), hours=1, title="Late party")
    assert late.starts_at == datetime(2030, 1, 31, 14, 30, tzinfo=UTC)
    assert days_of(owner, 2030, 1, late) == [date(2030, 1, 31)]
    assert days_of(owner, 2030, 2, late) == [date(2030, 2, 1)]  # it goes on past midnight
    body = page(as_user(owner), 2030, 1)
    assert "Late party" in cell(body, date(2030, 1, 31))
    assert ">23:30</time>" in cell(body, date(2030, 1, 31))


def test_just_after_midnight_on_the_first_belongs_to_the_new_month(owner, as_user):
    early = at(owner, datetime(2030, 2, 1, 0, 30, tzinfo=TOKYO), hours=1, title="Early walk")
    assert early.starts_at == datetime(2030, 1, 31, 15, 30, tzinfo=UTC)
    assert days_of(owner, 2030, 1, early) == []
    assert days_of(owner, 2030, 2, early) == [date(2030, 2, 1)]
    assert "Early walk" not in page(as_user(owner), 2030, 1)
    body = page(as_user(owner), 2030, 2)
    assert "Early walk" in cell(body, date(2030, 2, 1)) and ">00:30</time>" in body


def test_an_event_spanning_days_is_on_each_of_them(owner, as_user):
    trip = at(owner, datetime(2030, 3, 30, 20, 0, tzinfo=TOKYO), hours=62, title="Camp trip")
    assert days_of(owner, 2030, 3, trip) == [date(2030, 3, 30), date(2030, 3, 31)]
    assert days_of(owner, 2030, 4, trip) == [date(2030, 4, 1), date(2030, 4, 2)]
    body = page(as_user(owner), 2030, 4)
    first, second = cell(body, date(2030, 4, 1)), cell(body, date(2030, 4, 2))
    assert "Camp trip" in first and "(continued)" in first and "Camp trip" in second
    assert "Camp trip" not in cell(body, date(2030, 4, 3))
    march = page(as_user(owner), 2030, 3)
    assert ">20:00</time> Camp trip" in cell(march, date(2030, 3, 30))


def test_an_event_ending_at_midnight_does_not_take_the_next_day(owner):
    evening = at(owner, datetime(2030, 5, 31, 18, 0, tzinfo=TOKYO), hours=6)
    assert days_of(owner, 2030, 5, evening) == [date(2030, 5, 31)]
    assert days_of(owner, 2030, 6, evening) == []


def test_days_of_neighbouring_months_are_blank(owner, as_user):
    at(owner, datetime(2030, 6, 30, 12, 0, tzinfo=TOKYO), title="June end")
    body = page(as_user(owner), 2030, 7)  # July 2030 starts on a Monday: June 30 not shown
    assert "June end" not in body
    grid = selectors.month(owner, 2030, 7, sunday_first=True)
    assert grid.weeks[0][0].day == date(2030, 6, 30) and not grid.weeks[0][0].in_month
    assert '<td class="other-month" aria-hidden="true"></td>' in page(as_user(owner), 2030, 7)


# --- the grid -----------------------------------------------------------------------------------

def test_the_week_starts_on_monday_in_english_and_sunday_in_japanese(member, as_user, settings):
    body = page(as_user(member), 2030, 9)
    headers = re.findall(r'<th scope="col"><abbr title="([^"]+)">', body)
    assert headers[0] == "Monday" and headers[-1] == "Sunday" and len(headers) == 7
    settings.LANGUAGE_CODE = "ja"
    body = page(as_user(member), 2030, 9)
    headers = re.findall(r'<th scope="col"><abbr title="([^"]+)">', body)
    assert headers[0] == "日曜日" and headers[-1] == "土曜日"
    assert "2030年9月" in body


def test_today_is_marked_in_the_site_time_zone(member, as_user):
    today = timezone.localdate()
    body = page(as_user(member), today.year, today.month)
    assert body.count('aria-current="date"') == 1
    assert 'aria-current="date"' in cell(body, today)
    other = today.replace(day=1) - timedelta(days=1)
    assert 'aria-current="date"' not in page(as_user(member), other.year, other.month)


def test_neighbouring_months_are_linked(member, as_user):
    body = page(as_user(member), 2030, 1)
    assert f'rel="prev" href="{path(2029, 12)}"' in body
    assert f'rel="next" href="{path(2030, 2)}"' in body
    assert "January 2030" in body
    last = page(as_user(member), selectors.LAST_YEAR, 12)
    assert 'rel="next"' not in last


@pytest.mark.parametrize(("year", "month"), [(2030, 13), (2030, 0), (1800, 5), (99999, 1)])
def test_an_invalid_month_is_404(member, as_user, year, month):
    assert as_user(member).get(path(year, month)).status_code == 404


def test_a_month_without_events_says_so(member, as_user):
    assert "No off-kai you can see this month." in page(as_user(member), 2030, 8)


def test_cancelled_events_and_my_answer_are_marked(owner, member, as_user):
    called_off = at(owner, datetime(2030, 10, 5, 19, 0, tzinfo=TOKYO), title="Called off",
                    cancelled_at=timezone.now())
    going = at(owner, datetime(2030, 10, 6, 19, 0, tzinfo=TOKYO), title="Going")
    factories.answer(going, member, Answer.ATTENDING)
    body = page(as_user(member), 2030, 10)
    assert "Cancelled" in cell(body, date(2030, 10, 5))
    assert "badge-answer-attending" in cell(body, date(2030, 10, 6))
    assert f'href="{called_off.get_absolute_url()}"' in body


# --- who sees what, and the cost ------------------------------------------------------------------

def test_the_month_shows_only_what_the_viewer_may_see(owner, friend, member, blocked, as_user):
    secret = factories.community(owner, policy=JoinPolicy.SECRET, name="Secret circle")
    day = datetime(2030, 11, 10, 19, 0, tzinfo=TOKYO)
    hidden = [
        at(owner, day, community=secret, title="Secret meet"),
        at(owner, day, visibility="friends", title="Friends only"),
        at(owner, day, visibility="private", title="Hosts only"),
    ]
    at(blocked, day, title="By blocked")
    open_one = at(owner, day, title="For everyone")
    body = page(as_user(member), 2030, 11)
    assert "For everyone" in body
    assert not [e.title for e in hidden if e.title in body]
    assert "Friends only" in page(as_user(friend), 2030, 11)
    assert "By blocked" not in page(as_user(owner), 2030, 11)
    assert "For everyone" not in page(as_user(blocked), 2030, 11)
    assert f'href="{open_one.get_absolute_url()}"' in body


@pytest.mark.parametrize("n", [5, 50])
def test_the_month_takes_one_query_for_its_events(owner, member, as_user,
                                                  django_assert_max_num_queries, n):
    first = datetime(2030, 12, 1, 9, 0, tzinfo=TOKYO)
    for i in range(n):
        made = at(owner, first + timedelta(hours=13 * i), hours=30, capacity=10)
        factories.answer(made, member, Answer.MAYBE)
    client = as_user(member)
    with django_assert_max_num_queries(5):
        body = page(client, 2030, 12)
    assert body.count('class="day-events"') > 1
    with CaptureQueriesContext(connection) as queries:
        client.get(path(2030, 12))
    assert sum('FROM "offkai_event"' in q["sql"] for q in queries.captured_queries) == 1


def test_a_crowded_month_stops_and_says_so(owner, member, as_user, monkeypatch):
    monkeypatch.setattr(selectors.lists, "MONTH_EVENTS_MAX", 3)
    for i in range(4):
        at(owner, datetime(2030, 4, 10 + i, 12, 0, tzinfo=TOKYO), title=f"Crowd {i}")
    body = page(as_user(member), 2030, 4)
    assert "only the first 3 are listed" in body
    assert "Crowd 2" in body and "Crowd 3" not in body


def test_the_list_links_to_this_month_which_shows_what_is_on(member, as_user):
    soon = factories.event(member, days=0.01, title="Very soon")
    body = as_user(member).get(reverse("offkai:list")).content.decode()
    starts = timezone.localtime(soon.starts_at)
    now = timezone.localtime()
    assert f'href="{path(now.year, now.month)}"' in body
    assert "Very soon" in cell(page(as_user(member), starts.year, starts.month), starts.date())
