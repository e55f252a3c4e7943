"""Finding off-kai: the upcoming list (mine, then friends', then my communities', then the
rest), past events with "I went", a community's events, the community page's section and
the nav link; visibility in every list (secret communities, friends-only, blocks both
ways, inactive creators); pagination; bounded queries; well-formed HTML."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import JoinPolicy, Membership
from offkai import selectors
from offkai.models import Answer, Event
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

UPCOMING = reverse("offkai:list")
PAST = reverse("offkai:past")


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    return body


def link(made: Event) -> str:
    return f'href="{made.get_absolute_url()}"'


def month_path(made: Event) -> str:
    starts = timezone.localtime(made.starts_at)
    return reverse("offkai:month", args=[starts.year, starts.month])


def community_path(community, *, ended: bool = False) -> str:
    return reverse("offkai:community", args=[community.pk]) + ("?show=past" if ended else "")


def seen_in(client, made: Event) -> dict[str, bool]:
    """Where ``made`` shows up for the client: its time's list, its month, its community."""
    ended = made.ends_at < timezone.now()
    where = {
        "list": link(made) in page(client, PAST if ended else UPCOMING),
        "month": link(made) in page(client, month_path(made)),
    }
    if made.community_id:
        response = client.get(community_path(made.community, ended=ended))
        where["community"] = response.status_code == 200 and link(made) in response.content.decode()
    return where


def card(body: str, title: str) -> str:
    """The card (list item) of the event titled ``title``."""
    at = body.index(title)
    start = body.rindex('<li class="event-card', 0, at)
    return body[start: body.index("</li>", at)]


def nowhere(where: dict[str, bool]) -> bool:
    return not any(where.values())


def everywhere(where: dict[str, bool]) -> bool:
    return all(where.values())


# --- the upcoming list ---------------------------------------------------------------------------

def test_upcoming_is_mine_then_friends_then_my_communities_then_the_rest(
    as_user, owner, friend, member
):
    club = factories.community(member, name="Tea club")
    Membership.objects.create(community=club, user=owner)
    hosted = factories.event(owner, days=5, title="I host this")
    said_maybe = factories.event(member, days=9, title="I said maybe")
    factories.answer(said_maybe, owner, Answer.MAYBE)
    waitlisted = factories.event(member, days=8, title="I wait for this")
    factories.answer(waitlisted, owner, Answer.WAITLISTED)
    said_no = factories.event(member, days=1, title="I said no")
    factories.answer(said_no, owner, Answer.DECLINED)
    by_friend = factories.event(friend, days=3, visibility="friends", title="Friend made it")
    co_hosted = factories.event(member, days=2, co_hosts=[friend], title="Friend co-hosts")
    in_club = factories.event(member, days=4, community=club, visibility="community",
                              title="Club meet")
    other = factories.event(member, days=6, title="By someone else")

    rows = list(selectors.upcoming(owner))
    assert [(e.pk, e.group) for e in rows] == [
        (hosted.pk, selectors.MINE), (waitlisted.pk, selectors.MINE),
        (said_maybe.pk, selectors.MINE),
        (co_hosted.pk, selectors.FRIENDS), (by_friend.pk, selectors.FRIENDS),
        (in_club.pk, selectors.COMMUNITIES),
        (said_no.pk, selectors.OTHERS), (other.pk, selectors.OTHERS),
    ]
    body = page(as_user(owner), UPCOMING)
    titles = [e.title for e in rows]
    assert [body.index(t) for t in titles] == sorted(body.index(t) for t in titles)
    headings = ["Yours", "Your friends&#x27;", "In your communities", "Other off-kai"]
    positions = [body.index(f'<h2 class="event-group">{h}</h2>') for h in headings]
    assert positions == sorted(positions)
    assert body.index(headings[1]) < body.index("Friend co-hosts") < body.index(headings[2])


def test_upcoming_keeps_ongoing_and_cancelled_events_and_leaves_out_ended_ones(
    as_user, owner, member
):
    ongoing = factories.event(owner, days=-0.05, hours=3, title="Going on now")
    ended = factories.event(owner, days=-1, title="Yesterday")
    cancelled = factories.event(owner, days=2, title="Called off", cancelled_at=timezone.now(),
                                cancel_reason="Typhoon")
    body = page(as_user(member), UPCOMING)
    assert link(ongoing) in body and link(cancelled) in body
    assert link(ended) not in body
    assert "Cancelled" in card(body, "Called off")


def test_a_card_shows_time_in_the_site_zone_venue_community_and_creator(
    as_user, owner, member
):
    club = factories.community(owner, name="Sake lovers")
    starts = datetime(2031, 3, 14, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo
    made = Event.objects.create(
        created_by=owner, title="Sake tasting", starts_at=starts,
        ends_at=starts + timedelta(hours=2, minutes=30), venue="Kanda hall", community=club,
        visibility="members",
    )
    shown = card(page(as_user(member), UPCOMING), "Sake tasting")
    assert "(Fri) 18:00</time>" in shown and ">20:30</time>" in shown
    assert "09:00<" not in shown
    assert 'datetime="2031-03-14T18:00:00+09:00"' in shown
    assert "Kanda hall" in shown
    assert f'href="{club.get_absolute_url()}"' in shown and "Sake lovers" in shown
    assert owner.display_name in shown
    assert link(made) in shown


@pytest.mark.parametrize(("capacity", "taken", "expected"), [
    (None, [(0,), (2,)], "4 going"),
    (5, [(0,)], "4 places left"),
    (5, [(1,), (1,)], "1 place left"),
    (3, [(0,), (2,)], "Full: waitlist"),
])
def test_a_card_counts_places_with_guests(as_user, owner, member, capacity, taken, expected):
    made = factories.event(owner, capacity=capacity, guest_limit=3, title="Counted")
    for (guests,) in taken:
        factories.answer(made, factories.member(), Answer.ATTENDING, guests=guests)
    factories.answer(made, factories.member(), Answer.MAYBE)
    factories.answer(made, factories.member(), Answer.WAITLISTED, guests=1)
    body = page(as_user(member), UPCOMING)
    assert expected in body


def test_a_card_shows_the_viewers_own_answer_and_hosting(as_user, owner, member):
    waiting = factories.event(owner, title="Waiting one")
    factories.answer(waiting, member, Answer.WAITLISTED)
    hosted = factories.event(member, title="Mine to host")
    client = as_user(member)
    body = page(client, UPCOMING)
    assert 'class="badge badge-answer-waitlisted">On the waitlist<' in body
    assert "You host" in card(body, "Mine to host")
    assert link(hosted) in body


def test_an_empty_list_says_what_to_do(as_user, member):
    body = page(as_user(member), UPCOMING)
    assert "There are no upcoming off-kai you can see yet." in body
    assert 'href="/offkai/new/"' in body
    assert 'href="/offkai/past/"' in body
    now = timezone.localtime()
    assert f'href="/offkai/month/{now.year}/{now.month}/"' in body


def test_upcoming_is_paginated_and_keeps_the_group_heading(as_user, owner, member):
    size = selectors.EVENTS_PER_PAGE
    made = [factories.event(owner, days=1 + i / 10, title=f"Meet {i:02d}") for i in range(size + 3)]
    client = as_user(owner)
    first = page(client, UPCOMING)
    assert first.count('class="event-card') == size
    assert 'href="?page=2"' in first
    second = page(client, UPCOMING + "?page=2")
    assert second.count('class="event-card') == 3
    assert '<h2 class="event-group">Yours</h2>' in second
    assert link(made[-1]) in second and link(made[0]) not in second
    # A page past the end shows the last one.
    assert page(client, UPCOMING + "?page=99").count('class="event-card') == 3


# --- past events --------------------------------------------------------------------------------

def test_past_is_newest_first_with_i_went(as_user, owner, member):
    older = factories.event(owner, days=-30, title="Long ago")
    newer = factories.event(owner, days=-2, title="Last week")
    no_show = factories.event(owner, days=-10, title="Missed it")
    coming = factories.event(owner, days=3, title="Not yet")
    factories.answer(older, member, Answer.ATTENDING, attended=True)
    factories.answer(no_show, member, Answer.ATTENDING, attended=False)
    body = page(as_user(member), PAST)
    assert body.index("Last week") < body.index("Missed it") < body.index("Long ago")
    assert link(coming) not in body and link(newer) in body
    assert body.count("I went") == 1
    assert "I went" in card(body, "Long ago")
    assert "places left" not in body and "going" not in body


def test_past_is_paginated(as_user, owner, member):
    size = selectors.EVENTS_PER_PAGE
    for i in range(size + 2):
        factories.event(owner, days=-1 - i, title=f"Old {i:02d}")
    client = as_user(member)
    assert page(client, PAST).count('class="event-card') == size
    second = page(client, PAST + "?page=2")
    assert second.count('class="event-card') == 2 and "Old 21" in second


def test_past_without_events_says_so(as_user, member):
    assert "No past off-kai you can see yet." in page(as_user(member), PAST)


# --- visibility in every list ---------------------------------------------------------------

@pytest.mark.parametrize("days", [5, -5], ids=["upcoming", "past"])
def test_a_secret_communitys_events_exist_only_for_its_members(as_user, owner, member, days):
    secret = factories.community(owner, policy=JoinPolicy.SECRET, name="Hidden circle")
    for level in ["members", "community"]:
        made = factories.event(owner, days=days, community=secret, visibility=level)
        assert nowhere(seen_in(as_user(member), made))
        assert everywhere(seen_in(as_user(owner), made))
    assert as_user(member).get(community_path(secret)).status_code == 404


@pytest.mark.parametrize("days", [5, -5], ids=["upcoming", "past"])
def test_community_level_events_are_for_the_communitys_members(as_user, owner, member, days):
    club = factories.community(owner, name="Open club")
    made = factories.event(owner, days=days, community=club, visibility="community")
    assert nowhere(seen_in(as_user(member), made))
    Membership.objects.create(community=club, user=member)
    assert everywhere(seen_in(as_user(member), made))


@pytest.mark.parametrize("days", [5, -5], ids=["upcoming", "past"])
def test_friends_only_events_are_absent_for_members(as_user, owner, friend, fof, member, days):
    made = factories.event(owner, days=days, visibility="friends")
    assert nowhere(seen_in(as_user(member), made))
    assert nowhere(seen_in(as_user(fof), made))
    assert everywhere(seen_in(as_user(friend), made))


@pytest.mark.parametrize("days", [5, -5], ids=["upcoming", "past"])
def test_blocking_hides_events_both_ways(as_user, owner, blocked, days):
    by_owner = factories.event(owner, days=days, visibility="members")
    by_blocked = factories.event(blocked, days=days, visibility="members")
    assert nowhere(seen_in(as_user(blocked), by_owner))
    assert nowhere(seen_in(as_user(owner), by_blocked))


@pytest.mark.parametrize("days", [5, -5], ids=["upcoming", "past"])
def test_events_of_inactive_creators_are_absent(as_user, owner, member, days):
    club = factories.community(member, name="Still here")
    Membership.objects.create(community=club, user=owner)
    made = factories.event(owner, days=days, community=club, visibility="members")
    assert everywhere(seen_in(as_user(member), made))
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert nowhere(seen_in(as_user(member), made))


@pytest.mark.parametrize("days", [5, -5], ids=["upcoming", "past"])
def test_private_events_are_for_hosts_only(as_user, owner, friend, days):
    made = factories.event(owner, days=days, visibility="private")
    assert nowhere(seen_in(as_user(friend), made))
    assert everywhere(seen_in(as_user(owner), made))


# --- a community's events -----------------------------------------------------------------------

def test_community_events_lists_coming_then_past_with_the_new_link_for_members(
    as_user, owner, member
):
    club = factories.community(owner, name="Hiking club")
    soon = factories.event(owner, days=2, community=club, title="Spring hike")
    later = factories.event(owner, days=20, community=club, title="Summer hike")
    done = factories.event(owner, days=-7, community=club, title="Winter hike")
    elsewhere = factories.event(owner, days=3, title="Not the club's")
    new_link = f'href="/offkai/new/?community={club.pk}"'

    body = page(as_user(owner), community_path(club))
    assert body.index("Spring hike") < body.index("Summer hike")
    assert link(done) not in body and link(elsewhere) not in body
    assert new_link in body and "New off-kai in this community" in body
    assert link(soon) in body and link(later) in body

    past_body = page(as_user(owner), community_path(club, ended=True))
    assert link(done) in past_body and link(soon) not in past_body

    outsider = page(as_user(member), community_path(club))
    assert link(soon) in outsider and new_link not in outsider


def test_community_events_pages_keep_the_tab(as_user, owner):
    club = factories.community(owner, name="Busy club")
    for i in range(selectors.EVENTS_PER_PAGE + 1):
        factories.event(owner, days=-1 - i, community=club)
    body = page(as_user(owner), community_path(club, ended=True))
    assert 'href="?show=past&amp;page=2"' in body
    second = page(as_user(owner), community_path(club, ended=True) + "&page=2")
    assert second.count('class="event-card') == 1


def test_a_closed_community_offers_no_new_off_kai(as_user, owner):
    from communities import services

    club = factories.community(owner, name="Closing club")
    services.community_close(community=club, by=owner)
    body = page(as_user(owner), community_path(club))
    assert "?community=" not in body
    assert "No off-kai planned in this community yet." in body


def test_the_community_page_shows_its_next_off_kai(as_user, owner, member):
    club = factories.community(owner, name="Book club")
    coming = [factories.event(owner, days=d, community=club, title=f"Reading {d}")
              for d in (1, 2, 3, 4)]
    friends_only = factories.event(owner, days=0.5, community=club, visibility="community",
                                   title="Members' evening")
    body = page(as_user(owner), club.get_absolute_url())
    assert "Upcoming off-kai" in body
    shown = [link(e) in body for e in [friends_only, *coming]]
    assert shown == [True, True, True, False, False]
    assert f'href="{community_path(club)}"' in body
    assert f'href="/offkai/new/?community={club.pk}"' in body
    outsider = page(as_user(member), club.get_absolute_url())
    assert link(friends_only) not in outsider and link(coming[0]) in outsider
    assert "?community=" not in outsider


def test_the_community_page_without_off_kai_says_so(as_user, owner):
    club = factories.community(owner, name="Quiet club")
    assert "No off-kai planned yet." in page(as_user(owner), club.get_absolute_url())


# --- nav, language, queries ---------------------------------------------------------------------

def test_the_nav_links_to_off_kai_and_marks_it_current_there(as_user, member):
    client = as_user(member)
    nav_link = '<a href="/offkai/" aria-current="page">Off-kai</a>'
    for path in [UPCOMING, PAST, "/offkai/month/2030/1/"]:
        assert nav_link in page(client, path)
    home = page(client, reverse("home"))
    assert '<a href="/offkai/">Off-kai</a>' in home and nav_link not in home


def test_finding_in_japanese(as_user, owner, member, settings):
    settings.LANGUAGE_CODE = "ja"
    made = factories.event(owner, capacity=1, title="花見オフ")
    factories.answer(made, member, Answer.ATTENDING)
    client = as_user(member)
    body = page(client, UPCOMING)
    assert '<a href="/offkai/" aria-current="page">オフ会</a>' in body
    assert "あなたが主催・参加するオフ会" in body and "満員（キャンセル待ち）" in body
    assert "主催：" in body and "Off-kai" not in body
    assert "過去のオフ会" in page(client, PAST)


@pytest.mark.parametrize("n", [5, 50])
def test_finding_has_bounded_queries(as_user, owner, friend, member,
                                     django_assert_max_num_queries, n):
    club = factories.community(owner, name="Counted club")
    Membership.objects.create(community=club, user=member)
    viewers = [factories.member() for _ in range(3)]
    for i in range(n):
        coming = factories.event([owner, friend, member][i % 3], days=1 + i / 10, community=club,
                                 capacity=10, co_hosts=[viewers[0]] if i % 2 else ())
        ended = factories.event(owner, days=-1 - i / 10, community=club)
        for person in viewers:
            factories.answer(coming, person, Answer.ATTENDING, guests=1)
            factories.answer(ended, person, Answer.ATTENDING, attended=True)
        factories.answer(coming, member, Answer.MAYBE)
        factories.answer(ended, member, Answer.ATTENDING, attended=True)
    client = as_user(member)
    # Session, member, friend-request count; then the page's count and its events.
    with django_assert_max_num_queries(6):
        page(client, UPCOMING)
    with django_assert_max_num_queries(6):
        page(client, PAST)
    # Plus the community and the viewer's membership.
    with django_assert_max_num_queries(8):
        page(client, community_path(club))
    with django_assert_max_num_queries(8):
        page(client, community_path(club, ended=True))


def test_the_demo_data_has_off_kai_for_every_list(as_user):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    hanako = User.objects.get(email="hanako@example.com")
    client = as_user(hanako)
    upcoming = page(client, UPCOMING)
    assert "酒蔵見学と利き酒の会" in upcoming and "ゴルフ練習とランチ" in upcoming
    # Hanako reads the site in Japanese.
    assert "badge-answer-waitlisted" in upcoming and "満員（キャンセル待ち）" in upcoming
    assert "参加しました" in page(client, PAST)
