"""あしあと: a visit to a member's page is recorded once per visitor per day (the site's local
date); the visitors page lists the last 30 days, newest first; older ones are pruned; a member
may choose not to leave footprints."""

import io
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.forms import ProfileSettingsForm, SettingsForm
from accounts.models import Block, Footprint, User
from accounts.selectors.footprints import visitors_of
from accounts.tasks import prune_footprints
from tests import factories
from tests.html import assert_well_formed
from tests.invites.test_race import failures, run_at_once

FOOTPRINTS = reverse("accounts:footprints")
SETTINGS = reverse("accounts:settings")
UTC = ZoneInfo("UTC")


def profile_url(user: User) -> str:
    return reverse("accounts:profile", args=[user.pk])


@contextmanager
def at(moment: datetime):
    """Let the site's clock read ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def visit(visitor, owner, moment: datetime | None = None) -> None:
    if moment is None:
        services.footprint_record(visitor=visitor, owner=owner)
        return
    with at(moment):
        services.footprint_record(visitor=visitor, owner=owner)


def footprint(visitor, owner, ago: timedelta) -> Footprint:
    """A footprint left ``ago`` before now."""
    when = timezone.now() - ago
    return Footprint.objects.create(
        visitor=visitor, owner=owner, day=timezone.localdate(when), visited_at=when
    )


def opt_out(user: User) -> None:
    user.profile.leaves_footprints = False
    user.profile.save(update_fields=["leaves_footprints"])


def listed(body: str) -> int:
    return body.count('class="person footprint"')


# --- recording -----------------------------------------------------------------------------

def test_two_visits_the_same_day_leave_one_footprint_with_the_later_time(owner, member):
    morning = datetime(2025, 5, 1, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    evening = datetime(2025, 5, 1, 11, 0, tzinfo=UTC)  # 20:00 in Tokyo
    visit(member, owner, morning)
    visit(member, owner, evening)
    [row] = Footprint.objects.all()
    assert (row.visitor, row.owner) == (member, owner)
    assert row.visited_at == evening
    assert str(row.day) == "2025-05-01"


def test_a_new_day_in_the_sites_time_zone_is_a_new_footprint(owner, member):
    # 23:59 and 00:01 in Tokyo: the same UTC date, two local days.
    visit(member, owner, datetime(2025, 5, 1, 14, 59, tzinfo=UTC))
    visit(member, owner, datetime(2025, 5, 1, 15, 1, tzinfo=UTC))
    assert sorted(str(d) for d in Footprint.objects.values_list("day", flat=True)) == [
        "2025-05-01", "2025-05-02",
    ]


def test_two_utc_dates_within_one_local_day_are_one_footprint(owner, member):
    # 08:00 and 10:00 in Tokyo on 2 May; in UTC they fall on 1 and 2 May.
    visit(member, owner, datetime(2025, 5, 1, 23, 0, tzinfo=UTC))
    visit(member, owner, datetime(2025, 5, 2, 1, 0, tzinfo=UTC))
    [row] = Footprint.objects.all()
    assert str(row.day) == "2025-05-02"


def test_each_visitor_and_each_page_is_counted_apart(owner, friend, member):
    visit(member, owner)
    visit(friend, owner)
    visit(member, friend)
    assert Footprint.objects.count() == 3


def test_own_visits_are_not_recorded(owner):
    visit(owner, owner)
    assert not Footprint.objects.exists()


def test_anonymous_visits_are_not_recorded(owner):
    visit(AnonymousUser(), owner)
    assert not Footprint.objects.exists()


def test_a_member_who_opted_out_leaves_no_footprint(owner, member):
    opt_out(member)
    visit(member, owner)
    assert not Footprint.objects.exists()


def test_opting_out_keeps_others_footprints_on_my_page(owner, member):
    visit(member, owner)
    opt_out(owner)
    assert visitors_of(owner).count() == 1


# --- recording through the profile page ----------------------------------------------------

def test_viewing_a_profile_leaves_a_footprint(owner, member, as_user):
    client = as_user(member)
    assert client.get(profile_url(owner)).status_code == 200
    assert client.get(profile_url(owner)).status_code == 200
    [row] = Footprint.objects.all()
    assert (row.visitor, row.owner, row.day) == (member, owner, timezone.localdate())


def test_viewing_my_own_profile_leaves_none(owner, as_user):
    assert as_user(owner).get(profile_url(owner)).status_code == 200
    assert not Footprint.objects.exists()


def test_anonymous_viewers_leave_none(owner, as_user):
    as_user(None).get(profile_url(owner))
    assert not Footprint.objects.exists()


def test_opted_out_viewers_leave_none(owner, member, as_user):
    opt_out(member)
    assert as_user(member).get(profile_url(owner)).status_code == 200
    assert not Footprint.objects.exists()


def test_a_blocked_member_leaves_none(owner, blocked, as_user):
    assert as_user(blocked).get(profile_url(owner)).status_code == 404
    assert not Footprint.objects.exists()


# --- races ---------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_many_visits_at_once_leave_one_footprint(owner, member):
    def work(i: int) -> None:
        # Each thread loads its own copy, as each request would.
        visitor = User.objects.select_related("profile").get(pk=member.pk)
        services.footprint_record(visitor=visitor, owner=User.objects.get(pk=owner.pk))

    results = run_at_once(20, work)

    assert failures(results) == []
    assert Footprint.objects.filter(visitor=member, owner=owner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_profile_views_at_once_leave_one_footprint(owner, member):
    from tests.conftest import client_for

    url = profile_url(owner)

    def work(i: int) -> int:
        return client_for(member).get(url).status_code

    results = run_at_once(8, work)

    assert failures(results) == []
    assert {status for _outcome, status in results} == {200}
    assert Footprint.objects.filter(visitor=member, owner=owner).count() == 1


# --- the visitors page ---------------------------------------------------------------------

def test_page_lists_visitors_newest_first(owner, friend, member, fof, as_user):
    footprint(member, owner, timedelta(days=3))
    footprint(fof, owner, timedelta(minutes=5))
    footprint(friend, owner, timedelta(hours=2))
    response = as_user(owner).get(FOOTPRINTS)
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert listed(body) == 3
    positions = [body.index(f'href="{profile_url(u)}"') for u in (fof, friend, member)]
    assert positions == sorted(positions)
    assert "<time datetime=" in body


def test_page_shows_the_time_of_the_last_visit_in_the_sites_time_zone(owner, member, as_user):
    visit(member, owner, datetime(2025, 5, 1, 0, 30, tzinfo=UTC))
    visit(member, owner, datetime(2025, 5, 1, 11, 5, tzinfo=UTC))
    with at(datetime(2025, 5, 2, 0, 0, tzinfo=UTC)):
        body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert listed(body) == 1
    assert 'datetime="2025-05-01T20:05:00+09:00"' in body


def test_page_keeps_a_thirty_day_window(owner, friend, member, as_user):
    footprint(friend, owner, timedelta(days=29, hours=23))
    footprint(member, owner, timedelta(days=30, minutes=1))
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert listed(body) == 1
    assert f'href="{profile_url(friend)}"' in body
    assert f'href="{profile_url(member)}"' not in body


def test_page_lists_a_visitor_once_per_day(owner, member, as_user):
    footprint(member, owner, timedelta(days=2))
    footprint(member, owner, timedelta(days=1))
    visit(member, owner)
    visit(member, owner)
    assert listed(as_user(owner).get(FOOTPRINTS).content.decode()) == 3


def test_page_shows_only_my_footprints(owner, friend, member, as_user):
    visit(member, friend)
    visit(owner, friend)
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert listed(body) == 0


def test_page_shows_each_visitor_as_they_let_me_see_them(owner, friend, member, as_user):
    for visitor, company in [(friend, "Friend Corp"), (member, "Member Corp")]:
        visitor.profile.company = company
        visitor.profile.company_visibility = "friends"
        visitor.profile.save()
    open_member = factories.member("Open Member", company="Open K.K.")
    for visitor in (friend, member, open_member):
        visit(visitor, owner)
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert "Friend Corp" in body  # owner is their friend
    assert "Plain Member" in body
    assert "Member Corp" not in body  # friends only, and owner is not one
    assert "Open K.K." in body


@pytest.mark.parametrize("who_blocks", ["owner", "visitor"])
def test_page_leaves_out_blocked_members_either_way(owner, member, as_user, who_blocks):
    hidden = factories.member("Hidden Person")
    visit(member, owner)
    visit(hidden, owner)
    # Footprints left before the block stay in the table; the page no longer shows them.
    if who_blocks == "owner":
        Block.objects.create(blocker=owner, blocked=hidden)
    else:
        Block.objects.create(blocker=hidden, blocked=owner)
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert listed(body) == 1
    assert "Plain Member" in body
    assert "Hidden Person" not in body


def test_page_leaves_out_members_who_left(owner, member, as_user):
    visit(member, owner)
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert listed(as_user(owner).get(FOOTPRINTS).content.decode()) == 0


def test_page_empty_state(owner, as_user):
    response = as_user(owner).get(FOOTPRINTS)
    body = response.content.decode()
    assert_well_formed(body)
    assert "No one has visited your page lately." in body
    assert 'class="people footprints"' not in body


def test_page_is_paginated_by_thirty(owner, as_user):
    for n in range(35):
        footprint(factories.member(f"Visitor {n}"), owner, timedelta(minutes=n))
    client = as_user(owner)
    first = client.get(FOOTPRINTS).content.decode()
    assert listed(first) == 30
    assert "Visitor 0<" in first
    assert 'href="?page=2"' in first
    second = client.get(FOOTPRINTS, {"page": 2}).content.decode()
    assert_well_formed(second)
    assert listed(second) == 5
    assert "Visitor 34<" in second


def test_page_needs_login(as_user):
    response = as_user(None).get(FOOTPRINTS)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_nav_links_to_the_page(owner, as_user):
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert f'<a href="{FOOTPRINTS}" aria-current="page">Footprints</a>' in body


@pytest.mark.parametrize("count", [5, 50])
def test_page_query_count_does_not_grow(owner, as_user, count, django_assert_max_num_queries):
    for n in range(count):
        visitor = factories.member(f"Visitor {n}", company=f"Co {n}")
        footprint(visitor, owner, timedelta(minutes=n))
        footprint(visitor, owner, timedelta(days=1, minutes=n))
    client = as_user(owner)
    # Session, member, blocks, the nav count, the page's count, its rows, and how the
    # visitors stand to me (one query for all).
    with django_assert_max_num_queries(7):
        response = client.get(FOOTPRINTS)
    assert response.status_code == 200
    assert listed(response.content.decode()) == min(2 * count, 30)


def test_page_in_japanese(owner, member, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    visit(member, owner)
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert_well_formed(body)
    assert '<html lang="ja">' in body
    assert "あしあと" in body
    assert "Footprints" not in body
    assert "Plain Member" in body


def test_empty_page_in_japanese(owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).get(FOOTPRINTS).content.decode()
    assert "No one has visited" not in body
    assert "あしあと" in body


# --- pruning -------------------------------------------------------------------------------

def test_prune_removes_only_footprints_past_thirty_days(owner, friend, fof, member):
    kept = [
        footprint(friend, owner, timedelta(days=29, hours=23)),
        footprint(member, owner, timedelta(minutes=1)),
    ]
    footprint(fof, owner, timedelta(days=30, minutes=1))
    footprint(member, owner, timedelta(days=90))
    assert services.footprints_prune() == 2
    assert set(Footprint.objects.all()) == set(kept)
    assert services.footprints_prune() == 0


def test_prune_command(owner, member):
    footprint(member, owner, timedelta(days=31))
    footprint(member, owner, timedelta(days=1))
    out = io.StringIO()
    call_command("prune_footprints", stdout=out)
    assert "1 footprint(s)" in out.getvalue()
    assert Footprint.objects.count() == 1


def test_prune_task(owner, member):
    footprint(member, owner, timedelta(days=31))
    footprint(member, owner, timedelta(days=1))
    result = prune_footprints.enqueue()
    assert result.return_value == 1
    assert Footprint.objects.count() == 1


# --- the setting ---------------------------------------------------------------------------

def settings_data(user: User, **changes) -> dict:
    """What the settings page posts when ``changes`` are all the member changed (False: an
    unticked box, which a browser leaves out)."""
    data = {}
    for form in (SettingsForm(instance=user), ProfileSettingsForm(instance=user.profile)):
        for name in form.fields:
            data[name] = form.initial.get(name)
    data.update(changes)
    return {
        name: "on" if value is True else value
        for name, value in data.items()
        if value is not None and value is not False
    }


def test_settings_page_offers_the_choice(member, as_user):
    body = as_user(member).get(SETTINGS).content.decode()
    assert_well_formed(body)
    assert 'name="leaves_footprints"' in body
    checkbox = re.search(r'<input[^>]*name="leaves_footprints"[^>]*>', body).group(0)
    assert "checked" in checkbox  # on by default


def test_turning_footprints_off_and_on_in_settings(owner, member, as_user):
    client = as_user(member)
    response = client.post(SETTINGS, settings_data(member, leaves_footprints=False))
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.leaves_footprints is False
    client.get(profile_url(owner))
    assert not Footprint.objects.exists()

    client.post(SETTINGS, settings_data(member, leaves_footprints=True))
    member.profile.refresh_from_db()
    assert member.profile.leaves_footprints is True
    client.get(profile_url(owner))
    assert Footprint.objects.filter(visitor=member, owner=owner).count() == 1


def test_settings_keep_the_language_beside_the_footprint_choice(member, as_user):
    as_user(member).post(SETTINGS, settings_data(member, language="ja", leaves_footprints=False))
    member.refresh_from_db()
    member.profile.refresh_from_db()
    assert member.language == "ja"
    assert member.profile.leaves_footprints is False


def test_an_invalid_language_saves_neither(member, as_user):
    response = as_user(member).post(
        SETTINGS, settings_data(member, language="xx", leaves_footprints=False)
    )
    assert response.status_code == 200
    member.profile.refresh_from_db()
    assert member.profile.leaves_footprints is True


def test_settings_in_japanese(member, as_user):
    member.language = "ja"
    member.save(update_fields=["language"])
    body = as_user(member).get(SETTINGS).content.decode()
    assert "Leave footprints" not in body
    assert "あしあと" in body


# --- admin ---------------------------------------------------------------------------------

def test_admin_lists_footprints_read_only(owner, member, moderator, as_user):
    User.objects.filter(pk=moderator.pk).update(is_superuser=True)
    visit(member, owner)
    client = as_user(moderator)
    changelist = client.get(reverse("admin:accounts_footprint_changelist"))
    assert changelist.status_code == 200
    assert "Plain Member" in changelist.content.decode()
    assert client.get(reverse("admin:accounts_footprint_add")).status_code == 403
