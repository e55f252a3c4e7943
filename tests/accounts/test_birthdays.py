"""Birthdays on the profile: month and day (29 February too), the year optional, each with
its own visibility, shown in the viewer's language."""

import pytest
from django.urls import reverse

from accounts.models import Profile
from sns.visibility import Level
from tests.accounts.test_profiles import EDIT, edit_data, profile_url

pytestmark = pytest.mark.django_db


def _birthday(member, month, day, year=None, *, shown=Level.FRIENDS, year_shown=Level.PRIVATE):
    Profile.objects.filter(user=member).update(
        birth_month=month, birth_day=day, birth_year=year, birthday_visibility=shown,
        birth_year_visibility=year_shown,
    )


def test_edit_saves_a_birthday(owner, as_user):
    response = as_user(owner).post(EDIT, edit_data(
        owner.profile, birth_month="5", birth_day="3", birth_year="1990",
        birthday_visibility=Level.MEMBERS, birth_year_visibility=Level.FRIENDS,
    ))
    assert response.status_code == 302
    profile = Profile.objects.get(user=owner)
    assert (profile.birth_month, profile.birth_day, profile.birth_year) == (5, 3, 1990)
    assert profile.birth_year_visibility == Level.FRIENDS


def test_edit_takes_29_february_without_a_year(owner, as_user):
    response = as_user(owner).post(EDIT, edit_data(owner.profile, birth_month="2",
                                                   birth_day="29"))
    assert response.status_code == 302
    assert Profile.objects.get(user=owner).birthday.month == 2


@pytest.mark.parametrize("data, message", [
    ({"birth_month": "4", "birth_day": "31"}, "That day is not in the calendar."),
    ({"birth_month": "2", "birth_day": "29", "birth_year": "1999"},
     "That day is not in the calendar."),
    ({"birth_month": "4"}, "Give both the month and the day"),
    ({"birth_day": "4"}, "Give both the month and the day"),
    ({"birth_year": "1990"}, "Give the month and the day with the year."),
    ({"birth_month": "13", "birth_day": "1"}, "Select a valid choice."),
    ({"birth_month": "1", "birth_day": "1", "birth_year": "99999"}, "less than or equal"),
])
def test_edit_refuses_a_day_not_in_the_calendar(owner, as_user, data, message):
    response = as_user(owner).post(EDIT, edit_data(owner.profile, **data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Profile.objects.get(user=owner).birth_month is None


@pytest.mark.parametrize("persona, shown", [
    ("owner", True), ("friend", True), ("fof", False), ("member", False),
])
def test_the_birthday_shows_as_its_visibility_says(persona, shown, request, owner, friend,
                                                   as_user):
    _birthday(owner, 5, 3)
    viewer = request.getfixturevalue(persona)
    body = as_user(viewer).get(profile_url(owner)).content.decode()
    assert ("Birthday: May 3" in body) is shown


def test_the_year_shows_only_where_its_own_visibility_says(owner, friend, member, as_user):
    _birthday(owner, 5, 3, 1990, shown=Level.MEMBERS, year_shown=Level.FRIENDS)
    assert "Birthday: May 3, 1990" in as_user(friend).get(profile_url(owner)).content.decode()
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert "Birthday: May 3" in body and "1990" not in body


def test_the_birthday_in_japanese(owner, friend, as_user):
    _birthday(owner, 5, 3, 1990, year_shown=Level.FRIENDS)
    client = as_user(friend)
    client.post(reverse("set_language"), {"language": "ja"})
    body = client.get(profile_url(owner)).content.decode()
    assert "1990年5月3日" in body
    _birthday(owner, 5, 3, 1990)
    assert "5月3日" in client.get(profile_url(owner)).content.decode()


def test_no_birthday_no_line(owner, friend, as_user):
    assert "Birthday:" not in as_user(friend).get(profile_url(owner)).content.decode()
