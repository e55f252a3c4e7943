"""The notice the day before a friend's birthday: once, to the friends who chose birthday
notices and may see the birthday, never across a block, never about or to a member who is
suspended; 29 February on 28 February in other years."""

import threading
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Profile
from accounts.services import birthday_notices_send, block_create
from sns.models import Notification, NotificationPreference
from sns.notifications.items import items_for
from sns.notify import Kind
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db


def born(member, month, day, *, shown=Level.FRIENDS):
    Profile.objects.filter(user=member).update(
        birth_month=month, birth_day=day, birthday_visibility=shown
    )


def chooses(*members, email=False):
    for m in members:
        NotificationPreference.objects.create(user=m, kind=Kind.BIRTHDAY, email=email)


def told(member=None):
    rows = Notification.objects.filter(kind=Kind.BIRTHDAY)
    if member is not None:
        rows = rows.filter(recipient=member)
    return rows


def test_friends_who_chose_are_told_the_day_before(owner, friend, member):
    other = factories.member("Other Friend")
    factories.befriend(owner, other)
    born(owner, 5, 3)
    chooses(friend, member)  # member chose it, but is not owner's friend
    assert birthday_notices_send(today=date(2026, 5, 1)) == 0
    assert birthday_notices_send(today=date(2026, 5, 2)) == 1
    [notice] = told()
    assert (notice.recipient_id, notice.actor_id) == (friend.pk, owner.pk)
    [item] = items_for(friend, [notice])
    assert item.text == "Tomorrow is Owner Person's birthday"
    assert item.url == owner.get_absolute_url()


def test_twice_the_same_day_tells_once(owner, friend):
    born(owner, 5, 3)
    chooses(friend)
    assert birthday_notices_send(today=date(2026, 5, 2)) == 1
    assert birthday_notices_send(today=date(2026, 5, 2)) == 0
    call_command("send_birthday_notices")  # today is another day: nothing either
    assert told().count() == 1
    # Next year it is told again.
    assert birthday_notices_send(today=date(2027, 5, 2)) == 1


def test_a_birthday_not_shown_to_friends_is_not_told(owner, friend):
    born(owner, 5, 3, shown=Level.PRIVATE)
    chooses(friend)
    assert birthday_notices_send(today=date(2026, 5, 2)) == 0


def test_29_february_is_told_on_27_february_in_other_years(owner, friend):
    born(owner, 2, 29)
    chooses(friend)
    assert birthday_notices_send(today=date(2026, 2, 27)) == 1
    assert birthday_notices_send(today=date(2026, 2, 28)) == 0  # not again on 1 March's eve
    assert birthday_notices_send(today=date(2028, 2, 27)) == 0  # 28 Feb 2028 is not it
    assert birthday_notices_send(today=date(2028, 2, 28)) == 1


def test_blocked_either_way_is_not_told(owner, friend):
    other = factories.member("Other Friend")
    factories.befriend(owner, other)
    born(owner, 5, 3)
    chooses(friend, other)
    block_create(blocker=other, blocked=owner)
    assert birthday_notices_send(today=date(2026, 5, 2)) == 1
    assert told(other).count() == 0


def test_suspended_members_are_neither_told_nor_told_of(owner, friend):
    other = factories.member("Other Friend")
    factories.befriend(owner, other)
    born(owner, 5, 3)
    born(other, 5, 3)
    chooses(friend, owner)
    type(owner).objects.filter(pk=other.pk).update(is_active=False)
    # owner's birthday to friend (other is suspended); other's to nobody.
    assert birthday_notices_send(today=date(2026, 5, 2)) == 1
    assert told(friend).count() == 1


def test_the_settings_page_turns_birthday_notices_on_and_off(owner, as_user):
    from sns.notifications.selectors import CHOOSABLE

    client = as_user(owner)
    body = client.get("/notifications/settings/").content.decode()
    assert f'name="{Kind.BIRTHDAY}" value="off"' in body
    data = {kind: "app" for kind in CHOOSABLE}
    client.post("/notifications/settings/", data)
    assert NotificationPreference.objects.filter(user=owner, kind=Kind.BIRTHDAY).exists()
    client.post("/notifications/settings/", {**data, Kind.BIRTHDAY: "off"})
    assert not NotificationPreference.objects.filter(user=owner, kind=Kind.BIRTHDAY).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_once():
    owner = factories.member("Owner Person")
    friends = [factories.member(f"Friend {n}") for n in range(3)]
    for f in friends:
        factories.befriend(owner, f)
    born(owner, 5, 3)
    chooses(*friends)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(birthday_notices_send(today=date(2026, 5, 2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 3]
    assert told().count() == 3
