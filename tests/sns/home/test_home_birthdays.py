"""Home's "friends' birthdays this week": today and the six days after, friends only, as
each lets friends see it; cold and kept (an unfriending, a block or a birthday hidden is
gone on the next look; the week moves on at midnight, site time)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import Profile
from sns.visibility import Level
from tests import factories, warm
from tests.sns.home.test_home import home_of
from tests.sns.home.test_home_part import looked

HOME = reverse("home")
pytestmark = pytest.mark.django_db


def born_in(member, days: int, *, shown=Level.FRIENDS) -> None:
    """``member``'s birthday ``days`` from today (site time)."""
    day = timezone.localdate() + timedelta(days=days)
    Profile.objects.filter(user=member).update(
        birth_month=day.month, birth_day=day.day, birthday_visibility=shown
    )


def section(body: str) -> str:
    start = body.find('class="card wide home-birthdays"')
    return body[start:body.find("</section>", start)] if start >= 0 else ""


def test_friends_birthdays_this_week_show(owner, friend, fof, member, as_user):
    later = factories.member("Later Friend")
    hidden = factories.member("Hidden Friend")
    for f in (later, hidden):
        factories.befriend(owner, f)
    born_in(friend, 0)
    born_in(later, 7)  # next week
    born_in(hidden, 2, shown=Level.PRIVATE)
    born_in(fof, 1, shown=Level.MEMBERS)  # not a friend
    born_in(member, 1, shown=Level.MEMBERS)
    found = section(home_of(as_user(owner)))
    assert "Friend Person" in found and "today" in found
    for name in ("Later Friend", "Hidden Friend", "Fof Person", "Plain Member"):
        assert name not in found


def test_no_birthdays_no_section(owner, friend, as_user):
    assert "home-birthdays" not in home_of(as_user(owner))


def test_blocked_and_suspended_friends_are_left_out(owner, friend, as_user):
    other = factories.member("Other Friend")
    factories.befriend(owner, other)
    born_in(friend, 1)
    born_in(other, 1)
    type(owner).objects.filter(pk=friend.pk).update(is_active=False)
    # A block ends the friendship; a block kept beside one is left out all the same.
    accounts_services.block_create(blocker=other, blocked=owner)
    assert section(home_of(as_user(owner))) == ""


@pytest.mark.parametrize("n", [3, 25])
def test_the_section_takes_a_fixed_number_of_queries(owner, as_user, n,
                                                    django_assert_max_num_queries):
    for i in range(n):
        person = factories.member(f"Born {i}")
        factories.befriend(owner, person)
        born_in(person, i % 7)
    client = as_user(owner)
    client.get(HOME)
    with django_assert_max_num_queries(15):
        assert "Born 1" in section(home_of(client))


def test_kept_an_unfriending_takes_the_birthday_at_once(parts, owner, friend, as_user):
    born_in(friend, 1)
    client = as_user(owner)
    assert "Friend Person" in section(looked(client))
    with warm.committed():
        accounts_services.friendship_end(user=owner, other=friend)
    assert "Friend Person" not in section(looked(client))


def test_kept_a_block_takes_the_birthday_at_once(parts, owner, friend, as_user):
    born_in(friend, 1)
    client = as_user(owner)
    assert "Friend Person" in section(looked(client))
    with warm.committed():
        accounts_services.block_create(blocker=friend, blocked=owner)
    assert "Friend Person" not in section(looked(client))


def test_kept_a_birthday_hidden_goes_at_once(parts, owner, friend, as_user):
    born_in(friend, 1)
    client = as_user(owner)
    assert "Friend Person" in section(looked(client))
    with warm.committed():
        accounts_services.profile_update(
            user=friend, fields={"birthday_visibility": Level.PRIVATE}
        )
    assert "Friend Person" not in section(looked(client))


def test_kept_the_week_moves_on_at_midnight(parts, owner, friend, as_user):
    born_in(friend, 7)
    client = as_user(owner)
    assert "Friend Person" not in section(looked(client))
    tomorrow = timezone.now() + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert "Friend Person" in section(looked(client))
