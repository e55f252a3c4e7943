"""The event pages: the form (times in the site's time zone, the community select, errors on
the form and never a 500), the event page (facts, map link, answers, the waitlist position,
attendees, comments, the cancelled banner, host buttons), answering through the page, the
hosts' answers page and its CSV, comments; bounded queries, well-formed HTML, Japanese."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import JoinPolicy
from offkai import services
from offkai.models import RSVP, Answer, Event, EventComment, EventHost
from sns.models import Notification
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

NEW = reverse("offkai:new")


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.OFFKAI_CREATE_PER_DAY = 1000


def url(name, event, *args):
    return reverse(f"offkai:{name}", args=[event.pk, *args])


def page(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, response
    body = response.content.decode()
    if status == 200:
        assert_well_formed(body)
    return body


def local_input(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides) -> dict:
    starts = (timezone.localtime() + timedelta(days=10)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    data = {
        "title": "Yakitori evening", "description": "Chicken **skewers**.",
        "starts_at": local_input(starts), "ends_at": local_input(starts + timedelta(hours=2)),
        "venue": "Torikizoku", "address": "東京都新宿区西新宿1-1", "capacity": "8",
        "fee": "3,000 yen", "rsvp_deadline": "", "guest_limit": "1", "community": "",
        "visibility": "members",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- the form --------------------------------------------------------------------------------

def test_a_member_creates_an_off_kai_in_the_site_time_zone(as_user, owner, friend):
    response = as_user(owner).post(NEW, form_data(co_hosts=[str(friend.pk)]))
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    # 19:00 in Tokyo is 10:00 UTC.
    assert timezone.localtime(event.starts_at).hour == 19
    assert event.starts_at.astimezone(UTC).hour == 10
    assert (event.capacity, event.guest_limit, event.venue) == (8, 1, "Torikizoku")
    assert set(EventHost.objects.filter(event=event).values_list("user_id", flat=True)) == {
        owner.pk, friend.pk
    }


def test_times_are_read_and_shown_in_the_site_time_zone(as_user, owner, settings):
    as_user(owner).post(NEW, form_data(starts_at="2099-03-31T23:30", ends_at="2099-04-01T01:00"))
    event = Event.objects.get()
    assert event.starts_at.astimezone(UTC) == datetime(2099, 3, 31, 14, 30, tzinfo=UTC)
    body = page(as_user(owner), url("edit", event))
    assert 'value="2099-03-31T23:30"' in body
    detail = page(as_user(owner), event.get_absolute_url())
    assert "March 31, 2099" in detail and "April 1, 2099" in detail
    assert "11:30 p.m." in detail


def test_errors_show_on_the_form_never_a_500(as_user, owner):
    data = form_data()
    data["ends_at"] = data["starts_at"]
    response = as_user(owner).post(NEW, {**data, "capacity": "0", "guest_limit": "11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Ensure this value is greater than or equal to 1" in body
    assert not Event.objects.exists()
    response = as_user(owner).post(NEW, data)
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    response = as_user(owner).post(NEW, form_data(starts_at="2001-01-01T10:00",
                                                 ends_at="2001-01-01T12:00"))
    assert "The start must be in the future." in response.content.decode()
    response = as_user(owner).post(NEW, form_data(starts_at="not a time"))
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_the_daily_limit_shows_on_the_form(as_user, owner, settings):
    settings.OFFKAI_CREATE_PER_DAY = 1
    client = as_user(owner)
    assert client.post(NEW, form_data()).status_code == 302
    response = client.post(NEW, form_data())
    assert response.status_code == 200
    assert "at most 1 off-kai a day" in response.content.decode()


def test_the_community_select_lists_only_my_open_communities(as_user, owner, member):
    mine = factories.community(owner, name="Mine Club")
    theirs = factories.community(member, name="Their Club")
    closed = factories.community(owner, name="Closed Club")
    closed.closed_at = timezone.now()
    closed.save()
    body = page(as_user(owner), NEW)
    assert "Mine Club" in body
    assert "Their Club" not in body and "Closed Club" not in body
    # Posting someone else's community is refused by the form.
    response = as_user(owner).post(NEW, form_data(community=str(theirs.pk)))
    assert response.status_code == 200
    assert not Event.objects.exists()
    assert as_user(owner).post(NEW, form_data(community=str(mine.pk))).status_code == 302
    assert Event.objects.get().community == mine


def test_query_string_preselects_the_community(as_user, owner, member):
    club = factories.community(owner, name="Kite Club")
    body = page(as_user(owner), NEW + f"?community={club.pk}")
    assert f'<option value="{club.pk}" selected>' in body
    assert '<option value="community" selected>' in body
    other = page(as_user(member), NEW + f"?community={club.pk}")
    assert f'value="{club.pk}" selected' not in other
    page(as_user(owner), NEW + "?community=abc")


def test_hosts_edit_others_get_404(as_user, owner, friend, member):
    event = factories.event(owner, co_hosts=[friend], capacity=5)
    page(as_user(member), url("edit", event), 404)
    assert as_user(member).post(url("edit", event), form_data()).status_code == 404
    body = page(as_user(friend), url("edit", event))
    assert event.title in body
    response = as_user(friend).post(url("edit", event), form_data(
        title="Renamed", co_hosts=[]
    ))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed"


def test_lowering_the_capacity_below_the_places_taken_shows_why(as_user, owner, member, friend):
    event = factories.event(owner, capacity=5)
    factories.answer(event, member)
    factories.answer(event, friend)
    response = as_user(owner).post(url("edit", event), form_data(capacity="1"))
    assert response.status_code == 200
    assert "2 places are already taken" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 5


def test_cancelling_through_the_page(as_user, owner, member, django_capture_on_commit_callbacks):
    event = factories.event(owner)
    factories.answer(event, member)
    page(as_user(member), url("cancel", event), 404)
    body = page(as_user(owner), url("cancel", event))
    assert "Cancel this off-kai?" in body
    response = as_user(owner).post(url("cancel", event), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(url("cancel", event), {"reason": "The <b>typhoon</b>"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert Notification.objects.filter(kind="event_cancelled", recipient=member).exists()
    # The page stays, with a banner and the reason (escaped); answers and comments close.
    body = page(as_user(member), event.get_absolute_url())
    assert "This off-kai was cancelled." in body
    assert "The &lt;b&gt;typhoon&lt;/b&gt;" in body
    assert 'name="answer"' not in body and 'id="comment-form"' not in body
    assert as_user(owner).get(url("edit", event)).status_code == 302


# --- the event page ----------------------------------------------------------------------------

def test_the_event_page_shows_the_facts(as_user, owner, member):
    club = factories.community(owner, name="Ramen Club", members=[member])
    event = factories.event(
        owner, community=club, capacity=3, fee="2,000 yen", venue="Menya",
        address="東京都 渋谷区 1-2", description="# Menu\n**Miso** <script>x</script>",
        guest_limit=2,
    )
    factories.answer(event, owner, guests=1)
    body = page(as_user(member), event.get_absolute_url())
    assert event.title in body and "Menya" in body and "2,000 yen" in body
    assert "https://www.openstreetmap.org/search?query=%E6%9D%B1%E4%BA%AC%E9%83%BD%20" in body
    assert "<strong>Miso</strong>" in body and "<script>" not in body
    assert "3 places" in body and "1 left" in body
    assert club.get_absolute_url() in body
    assert "Owner Person" in body  # host and attendee
    assert 'name="guests"' in body
    assert 'class="inline-list event-links"' in body or "event_links" not in body
    # Not a host: no host buttons, no visibility.
    assert url("edit", event) not in body and url("answers", event) not in body
    owners = page(as_user(owner), event.get_absolute_url())
    assert url("edit", event) in owners and url("answers", event) in owners
    assert url("cancel", event) in owners


def test_answering_through_the_page(as_user, owner, member, friend, fof):
    event = factories.event(owner, capacity=1)
    response = as_user(member).post(url("rsvp", event), {"answer": "attending"})
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url() + "#rsvp"
    body = page(as_user(member), event.get_absolute_url())
    assert "You are attending." in body
    assert "Full: new answers join the waitlist" in body
    as_user(friend).post(url("rsvp", event), {"answer": "attending"})
    client = as_user(fof)
    response = client.post(url("rsvp", event), {"answer": "attending"}, follow=True)
    assert "you are on the waitlist (number 2)" in response.content.decode()
    body = page(client, event.get_absolute_url())
    assert "You are on the waitlist: number 2." in body
    assert "1 attending" in body and "2 on the waitlist" in body
    response = as_user(member).post(url("rsvp", event), {"withdraw": "1"}, follow=True)
    assert "Your answer was withdrawn." in response.content.decode()
    assert RSVP.objects.get(event=event, user=friend).answer == Answer.ATTENDING
    assert "You are on the waitlist: number 1." in page(client, event.get_absolute_url())


def test_a_refused_answer_is_a_message(as_user, owner, member):
    event = factories.event(owner, guest_limit=1)
    client = as_user(member)
    response = client.post(url("rsvp", event), {"answer": "attending", "guests": "5"},
                           follow=True)
    assert "You can bring at most 1 guest." in response.content.decode()
    response = client.post(url("rsvp", event), {"answer": "attending", "guests": "x"},
                           follow=True)
    assert "Choose how many guests you bring." in response.content.decode()
    response = client.post(url("rsvp", event), {"answer": "nope"}, follow=True)
    assert "Choose attending, maybe or not attending." in response.content.decode()
    assert not RSVP.objects.exists()
    closed = factories.event(owner, days=-1)
    response = client.post(url("rsvp", closed), {"answer": "attending"}, follow=True)
    assert "Answers to this off-kai are closed." in response.content.decode()


def test_rsvp_views_answer_post_only_and_404_out_of_sight(as_user, owner, member):
    event = factories.event(owner, visibility="friends")
    assert as_user(member).post(url("rsvp", event), {"answer": "attending"}).status_code == 404
    assert as_user(owner).get(url("rsvp", event)).status_code == 405


def test_blocked_members_are_left_out_of_attendees_and_comments(as_user, owner, member, friend):
    from accounts.services import block_create

    event = factories.event(owner)
    factories.answer(event, member)
    factories.answer(event, friend)
    services.event_comment_create(event_id=event.pk, author=member, body="Blocked words")
    services.event_comment_create(event_id=event.pk, author=friend, body="Friendly words")
    block_create(blocker=friend, blocked=member)
    body = page(as_user(friend), event.get_absolute_url())
    assert "Blocked words" not in body and "Plain Member" not in body
    assert "Friendly words" in body
    assert "2 attending" in body  # the counts hold their places
    other = page(as_user(member), event.get_absolute_url())
    assert "Friendly words" not in other and "Friend Person" not in other


# --- comments ----------------------------------------------------------------------------------

def test_comments_through_the_page(as_user, owner, member, friend):
    event = factories.event(owner, co_hosts=[friend])
    client = as_user(member)
    response = client.post(url("comment", event), {"body": "What to **bring**?"})
    comment = EventComment.objects.get()
    assert response["Location"] == event.get_absolute_url() + f"#comment-{comment.pk}"
    body = page(client, event.get_absolute_url())
    assert "What to <strong>bring</strong>?" in body
    assert url("comment_delete", event, comment.pk) in body
    # A host may delete it; another member may not (404).
    assert url("comment_delete", event, comment.pk) in page(as_user(friend),
                                                           event.get_absolute_url())
    fof = factories.member()
    assert as_user(fof).post(url("comment_delete", event, comment.pk)).status_code == 404
    response = as_user(friend).post(url("comment_delete", event, comment.pk))
    assert response.status_code == 302
    assert not EventComment.objects.exists()
    response = client.post(url("comment", event), {"body": "  "}, follow=True)
    assert "Your comment was not posted" in response.content.decode()


def test_many_comments_show_the_latest_with_a_link_back(as_user, owner):
    event = factories.event(owner)
    base = timezone.now() - timedelta(days=1)
    EventComment.objects.bulk_create([
        EventComment(event=event, author=owner, body=f"comment number {i}",
                     created_at=base + timedelta(minutes=i))
        for i in range(55)
    ])
    body = page(as_user(owner), event.get_absolute_url())
    assert "comment number 54" in body and "comment number 5<" in body
    assert "comment number 4<" not in body
    assert "comments_before=" in body
    earlier = body.split('href="?comments_before=')[1].split('#')[0]
    older = page(as_user(owner), event.get_absolute_url() + f"?comments_before={earlier}")
    assert "comment number 0<" in older and "comment number 54" not in older


# --- the hosts' answers and CSV --------------------------------------------------------------

def test_the_answers_page_groups_every_answer(as_user, owner, friend):
    event = factories.event(owner, capacity=2, guest_limit=1, co_hosts=[friend])
    crowd = [factories.member(f"Guest{i} Person") for i in range(5)]
    services.rsvp_answer(event_id=event.pk, user=crowd[0], answer="attending", guests=1)
    for person in crowd[1:3]:
        services.rsvp_answer(event_id=event.pk, user=person, answer="attending")
    services.rsvp_answer(event_id=event.pk, user=crowd[3], answer="maybe")
    services.rsvp_answer(event_id=event.pk, user=crowd[4], answer="declined")
    body = page(as_user(friend), url("answers", event))
    for heading in ["Attending", "On the waitlist", "Maybe", "Not attending"]:
        assert f">{heading}</h2>" in body
    assert "1 attending" in body and "2 places taken with guests" in body
    assert "2 on the waitlist" in body and "1 maybe" in body and "1 not attending" in body
    assert body.index("Guest0 Person") < body.index("Guest1 Person") < body.index(
        "Guest2 Person") < body.index("Guest3 Person") < body.index("Guest4 Person")
    assert "+1" in body


def test_the_csv_has_what_hosts_should_see(as_user, owner):
    event = factories.event(owner, capacity=2, guest_limit=1)
    first = factories.member("=HYPERLINK(1)", email="first@example.com")
    second = factories.member("佐藤 花子", email="second@example.com")
    services.rsvp_answer(event_id=event.pk, user=first, answer="attending", guests=1)
    services.rsvp_answer(event_id=event.pk, user=second, answer="attending")
    response = as_user(owner).get(url("answers_csv", event))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Answer", "Guests", "Answered at", "Waitlist position",
                       "Profile"]
    assert rows[1][:3] == ["'=HYPERLINK(1)", "Attending", "1"]
    assert rows[2][:3] == ["佐藤 花子", "On the waitlist", "0"]
    assert rows[2][4] == "1"
    assert rows[2][5].endswith(second.get_absolute_url())
    answered = timezone.localtime(RSVP.objects.get(user=second).answered_at)
    assert rows[2][3] == answered.strftime("%Y-%m-%d %H:%M")
    # No email addresses leave the site.
    assert b"@example.com" not in raw


def test_answers_and_csv_are_for_hosts_only(as_user, owner, member, friend):
    event = factories.event(owner)
    factories.answer(event, member)
    for name in ["answers", "answers_csv", "edit", "cancel"]:
        assert as_user(member).get(url(name, event)).status_code == 404, name
        assert as_user(friend).get(url(name, event)).status_code == 404, name
    for name in ["answers", "answers_csv"]:
        assert as_user(owner).get(url(name, event)).status_code == 200


# --- queries, HTML, Japanese -------------------------------------------------------------------

@pytest.mark.parametrize("n", [5, 50])
def test_pages_have_bounded_queries(as_user, owner, django_assert_max_num_queries, n):
    club = factories.community(owner)
    event = factories.event(owner, community=club, capacity=n, guest_limit=1)
    crowd = [factories.member() for _ in range(n + 5)]
    for i, person in enumerate(crowd):
        factories.befriend(owner, person) if i % 2 else None
        answer = [Answer.ATTENDING, Answer.MAYBE, Answer.DECLINED][i % 3]
        factories.answer(event, person, answer)
    for person in crowd[:5]:
        RSVP.objects.filter(event=event, user=person).update(
            answer=Answer.WAITLISTED, waitlisted_at=timezone.now()
        )
    EventComment.objects.bulk_create([
        EventComment(event=event, author=crowd[i % len(crowd)], body=f"c{i}") for i in range(n)
    ])
    host, viewer = as_user(owner), as_user(crowd[0])
    # Warm the site-wide caches once (what every page of a running site finds filled).
    page(host, reverse("home"))
    for client, path in [
        (host, event.get_absolute_url()),
        (viewer, event.get_absolute_url()),
        (host, url("answers", event)),
    ]:
        with django_assert_max_num_queries(16):
            page(client, path)
    with django_assert_max_num_queries(6):
        assert host.get(url("answers_csv", event)).status_code == 200
    with django_assert_max_num_queries(10):
        page(host, NEW)
    with django_assert_max_num_queries(12):
        page(host, url("edit", event))


def test_pages_in_japanese(as_user, owner, member, settings):
    settings.LANGUAGE_CODE = "ja"
    event = factories.event(owner, title="花見オフ", capacity=1)
    factories.answer(event, owner)
    factories.answer(event, member, Answer.WAITLISTED)
    client = as_user(member)
    client.cookies["django_language"] = "ja"
    body = page(client, event.get_absolute_url())
    assert "花見オフ" in body and "キャンセル待ち" in body and "参加" in body
    owners = as_user(owner)
    owners.cookies["django_language"] = "ja"
    assert "キャンセル待ち" in page(owners, url("answers", event))
    assert "オフ会" in page(owners, NEW)
    response = owners.get(url("answers_csv", event))
    assert "名前" in response.content.decode("utf-8-sig")


def test_the_form_and_cancel_pages_are_well_formed(as_user, owner):
    factories.community(owner, policy=JoinPolicy.SECRET)
    page(as_user(owner), NEW)
    event = factories.event(owner)
    page(as_user(owner), url("edit", event))
    page(as_user(owner), url("cancel", event))


def test_saving_the_form_unchanged_tells_nobody(
    as_user, owner, member, django_capture_on_commit_callbacks
):
    event = factories.event(owner, capacity=5, venue="Hall", address="Somewhere 1")
    factories.answer(event, member)
    assert event.starts_at.second or event.starts_at.microsecond  # factories keep seconds
    client = as_user(owner)
    form = client.get(url("edit", event)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["starts_at"], data["ends_at"] = (
        local_input(event.starts_at), local_input(event.ends_at)
    )
    data["title"] = "Only the title changes"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("edit", event), data)
    assert response.status_code == 302
    stored = Event.objects.get(pk=event.pk)
    assert stored.starts_at == event.starts_at and stored.title == "Only the title changes"
    assert not Notification.objects.filter(kind="event_changed").exists()


# --- admin -------------------------------------------------------------------------------------

@pytest.fixture
def operator_client(moderator, as_user):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    return as_user(moderator)


def test_admin_lists_are_useful_and_read_only(operator_client, owner, member):
    event = factories.event(owner, capacity=1, title="Admin listed event")
    factories.answer(event, owner)
    factories.answer(event, member, Answer.WAITLISTED)
    comment = services.event_comment_create(event_id=event.pk, author=member, body="Hello")
    from offkai.models import CalendarFeed, Guest

    Guest.objects.create(event=event, brought_by=owner, name="Outside Guest")
    feed = CalendarFeed.objects.create(user=member)
    for model in ["event", "rsvp", "eventcomment", "guest", "calendarfeed"]:
        response = operator_client.get(reverse(f"admin:offkai_{model}_changelist"))
        assert response.status_code == 200, model
        assert reverse(f"admin:offkai_{model}_add") not in response.content.decode()
    listing = operator_client.get(reverse("admin:offkai_event_changelist"),
                                  {"cancelled": "no", "q": "listed"}).content.decode()
    assert "Admin listed event" in listing
    # The calendar feed's token is its key: admin never shows it.
    page_ = operator_client.get(reverse("admin:offkai_calendarfeed_change", args=[feed.pk]))
    assert feed.token not in page_.content.decode()
    # The event's page shows its hosts; nothing can be saved from it.
    change = operator_client.get(reverse("admin:offkai_event_change", args=[event.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    # Deleting a comment takes its notifications with it.
    operator_client.post(reverse("admin:offkai_eventcomment_delete", args=[comment.pk]),
                         {"post": "yes"})
    assert not EventComment.objects.exists()
    assert not Notification.objects.filter(kind="event_comment").exists()


# --- in Japanese ----------------------------------------------------------------------------


@pytest.mark.parametrize(("limit", "line"), [
    (1, "各メンバーはゲストを1人まで連れて来られます。"),
    (3, "各メンバーはゲストを3人まで連れて来られます。"),
])
def test_the_guest_line_in_japanese_says_the_number_once(as_user, owner, member, limit, line):
    # Japanese has one plural form: the ja sentence must read well for 1 as for 3 (it said
    # 「1人1人まで」).
    member.language = "ja"
    member.save(update_fields=["language"])
    event = factories.event(owner, guest_limit=limit)
    assert line in page(as_user(member), event.get_absolute_url())


def test_closed_answers_say_closed_in_japanese_not_the_closing_date(as_user, owner, member):
    # "closed" is also a community's date of closing (閉鎖日時): each meaning has its context.
    member.language = "ja"
    member.save(update_fields=["language"])
    event = factories.event(owner, rsvp_deadline=timezone.now() - timedelta(hours=1))
    body = page(as_user(member), event.get_absolute_url())
    assert "（締め切りました）" in body
    assert "閉鎖" not in body
