"""A suspended member's answers (issue 15, item 1): while suspended they take no place, their
places go to the waitlist in order (the promoted are told as usual), and they are on no list,
count or CSV of the event; lifting the suspension takes their answer again as a new answer
would be taken: attending when there is room and nobody waiting, else at the end of the
waitlist. The rules are in offkai/services/suspension.py."""

from __future__ import annotations

import csv
import io
import re

import pytest

from offkai import selectors, services
from offkai.models import RSVP, Answer
from sns import moderation
from sns.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
NAME = "Suspended Sato"


def say(event, user, answer=Answer.ATTENDING, guests=0) -> RSVP:
    return services.rsvp_answer(event_id=event.pk, user=user, answer=answer, guests=guests)


def answer_of(event, user) -> str:
    return RSVP.objects.get(event=event, user=user).answer


def waitlist(event) -> list[int]:
    """The waitlist as it is served: members who are not suspended, in order."""
    return list(
        RSVP.objects.filter(event=event, user__is_active=True).waitlist()
        .values_list("user_id", flat=True)
    )


def places(event) -> int:
    """Places taken by the attending members who are not suspended, guests included."""
    return sum(r.places for r in RSVP.objects.filter(
        event=event, answer=Answer.ATTENDING, user__is_active=True
    ))


def people(n: int) -> list:
    return [factories.member(f"Person {i}") for i in range(n)]


@pytest.fixture
def sato(db):
    return factories.member(NAME, email="sato@example.com")


@pytest.fixture
def full(owner, sato):
    """Three places: Sato with a guest and a, attending; b, c, d waiting, in that order."""
    event = factories.event(owner, capacity=3, guest_limit=1)
    say(event, sato, guests=1)
    a, b, c, d = people(4)
    for person in (a, b, c, d):
        say(event, person)
    assert waitlist(event) == [b.pk, c.pk, d.pk]
    return event, (a, b, c, d)


# --- places and the waitlist -----------------------------------------------------------------

def test_a_suspended_members_places_go_to_the_waitlist_in_order(
    full, sato, moderator, outbox, django_capture_on_commit_callbacks
):
    event, (_a, b, c, d) = full
    with django_capture_on_commit_callbacks(execute=True):
        moderation.member_suspend(member=sato, by=moderator)

    # Sato and their guest held two places: the first two waiting take them, told in-app
    # and by mail; the third still waits.
    assert (answer_of(event, b), answer_of(event, c)) == (Answer.ATTENDING, Answer.ATTENDING)
    assert waitlist(event) == [d.pk]
    assert places(event) == 3
    told = Notification.objects.filter(kind=Kind.EVENT_PROMOTED, target_id=event.pk)
    assert sorted(n.recipient_id for n in told) == sorted([b.pk, c.pk])
    assert sorted(m.to[0] for m in outbox) == sorted([b.email, c.email])


def test_a_suspended_member_takes_no_place(owner, sato, moderator):
    event = factories.event(owner, capacity=3)
    a, b, newcomer = people(3)
    for person in (sato, a, b):
        say(event, person)
    moderation.member_suspend(member=sato, by=moderator)

    # The event is no longer full: the next answer takes the place.
    assert say(event, newcomer).answer == Answer.ATTENDING
    assert places(event) == 3


def test_a_suspended_member_waiting_is_passed_over(owner, sato, moderator):
    event = factories.event(owner, capacity=1)
    a, b = people(2)
    say(event, a)
    say(event, sato)
    say(event, b)
    moderation.member_suspend(member=sato, by=moderator)

    services.rsvp_withdraw(event_id=event.pk, user=a)

    assert answer_of(event, b) == Answer.ATTENDING
    # Their answer is kept, set aside, until the suspension is lifted.
    assert answer_of(event, sato) == Answer.WAITLISTED


def test_a_suspended_member_first_in_line_no_longer_holds_back_those_behind(
    owner, sato, moderator, django_capture_on_commit_callbacks
):
    event = factories.event(owner, capacity=2, guest_limit=2)
    a, b = people(2)
    say(event, a)
    say(event, sato, guests=2)  # needs 3: waits, and nobody behind may pass
    say(event, b)
    assert waitlist(event) == [sato.pk, b.pk]

    with django_capture_on_commit_callbacks(execute=True):
        moderation.member_suspend(member=sato, by=moderator)

    assert answer_of(event, b) == Answer.ATTENDING
    assert Notification.objects.filter(recipient=b, kind=Kind.EVENT_PROMOTED).exists()


def test_a_suspended_co_hosts_answer_frees_its_place(owner, friend, sato, moderator):
    event = factories.event(owner, capacity=1, co_hosts=[sato])
    say(event, sato)
    say(event, friend)
    moderation.member_suspend(member=sato, by=moderator)
    assert answer_of(event, friend) == Answer.ATTENDING
    assert [h.pk for h in selectors.hosts(event)] == [owner.pk]


def test_past_and_cancelled_events_keep_their_answers(owner, sato, moderator):
    past = factories.event(owner, days=-3, capacity=1)
    factories.answer(past, sato, attended=True)
    waiting = factories.member("Late")
    factories.answer(past, waiting, Answer.WAITLISTED)
    moderation.member_suspend(member=sato, by=moderator)
    moderation.member_unsuspend(member=sato, by=moderator)
    # Nobody is promoted into an event that is over, and "met at" keeps who came.
    assert answer_of(past, waiting) == Answer.WAITLISTED
    row = RSVP.objects.get(event=past, user=sato)
    assert (row.answer, row.attended) == (Answer.ATTENDING, True)


# --- lifting the suspension ------------------------------------------------------------------

def test_lifted_with_room_they_attend_again(owner, sato, moderator):
    event = factories.event(owner, capacity=3, guest_limit=1)
    a = factories.member("A")
    say(event, sato, guests=1)
    say(event, a)
    moderation.member_suspend(member=sato, by=moderator)
    moderation.member_unsuspend(member=sato, by=moderator)

    row = RSVP.objects.get(event=event, user=sato)
    assert (row.answer, row.guests, row.waitlisted_at) == (Answer.ATTENDING, 1, None)
    assert places(event) == 3


def test_lifted_when_full_they_join_the_end_of_the_waitlist(
    full, sato, moderator, django_capture_on_commit_callbacks
):
    event, (*_, d) = full
    moderation.member_suspend(member=sato, by=moderator)
    late = factories.member("Late")
    say(event, late)
    assert waitlist(event) == [d.pk, late.pk]

    with django_capture_on_commit_callbacks(execute=True):
        moderation.member_unsuspend(member=sato, by=moderator)

    row = RSVP.objects.get(event=event, user=sato)
    assert row.answer == Answer.WAITLISTED and row.guests == 1
    assert waitlist(event) == [d.pk, late.pk, sato.pk]
    assert places(event) == 3
    # Their coming back promotes nobody and tells nobody.
    assert not Notification.objects.filter(kind=Kind.EVENT_PROMOTED, recipient=sato).exists()


def test_lifted_with_room_but_people_waiting_they_wait_too(owner, sato, moderator):
    event = factories.event(owner, capacity=2, guest_limit=2)
    a, big = people(2)
    say(event, sato)
    say(event, a)
    moderation.member_suspend(member=sato, by=moderator)
    say(event, big, guests=2)  # one place is free, but big needs three: waits
    moderation.member_unsuspend(member=sato, by=moderator)
    # A place is free, but nobody overtakes the waitlist.
    assert waitlist(event) == [big.pk, sato.pk]


def test_lifted_waiting_member_goes_to_the_end_of_the_line(owner, sato, moderator):
    event = factories.event(owner, capacity=1)
    a, b = people(2)
    say(event, a)
    say(event, sato)
    say(event, b)
    moderation.member_suspend(member=sato, by=moderator)
    moderation.member_unsuspend(member=sato, by=moderator)
    assert waitlist(event) == [b.pk, sato.pk]


def test_lifted_maybe_and_no_stay_as_they_were(owner, sato, moderator, friend):
    maybe_event = factories.event(owner, capacity=1)
    no_event = factories.event(owner, capacity=1)
    say(maybe_event, sato, Answer.MAYBE)
    say(no_event, sato, Answer.DECLINED)
    moderation.member_suspend(member=sato, by=moderator)
    moderation.member_unsuspend(member=sato, by=moderator)
    assert answer_of(maybe_event, sato) == Answer.MAYBE
    assert answer_of(no_event, sato) == Answer.DECLINED


def test_lifted_guests_follow_a_lowered_guest_limit(owner, sato, moderator):
    event = factories.event(owner, capacity=10, guest_limit=2)
    say(event, sato, guests=2)
    moderation.member_suspend(member=sato, by=moderator)
    event.guest_limit = 0
    event.save(update_fields=["guest_limit"])
    moderation.member_unsuspend(member=sato, by=moderator)
    row = RSVP.objects.get(event=event, user=sato)
    assert (row.answer, row.guests) == (Answer.ATTENDING, 0)


# --- what the pages show -----------------------------------------------------------------------

def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_hosts_answers_page_and_csv_leave_them_out(full, owner, sato, moderator, as_user):
    event, _crowd = full
    client = as_user(owner)
    answers_url, csv_url = f"/offkai/{event.pk}/answers/", f"/offkai/{event.pk}/answers.csv"
    assert NAME in _text(client.get(answers_url))
    assert NAME in _text(client.get(csv_url))

    moderation.member_suspend(member=sato, by=moderator)

    page = _text(client.get(answers_url))
    assert NAME not in page
    assert "3 attending" in page and "3 places taken with guests" in page
    assert "1 on the waitlist" in page
    rows = list(csv.reader(io.StringIO(_text(client.get(csv_url)).lstrip("\ufeff"))))
    assert NAME not in {row[0] for row in rows}
    assert len(rows) == 1 + 4

    moderation.member_unsuspend(member=sato, by=moderator)
    assert NAME in _text(client.get(answers_url))
    assert NAME in _text(client.get(csv_url))


def test_the_event_page_counts_leave_them_out(owner, sato, moderator, as_user):
    event = factories.event(owner, capacity=3, guest_limit=1)
    say(event, sato, guests=1)
    say(event, factories.member("A"))
    client = as_user(owner)
    page = _text(client.get(f"/offkai/{event.pk}/"))
    assert "Full: new answers join the waitlist" in page
    assert re.search(r"2 attending \(3 places with guests\)", page)

    moderation.member_suspend(member=sato, by=moderator)

    page = _text(client.get(f"/offkai/{event.pk}/"))
    assert "2 left" in page
    assert re.search(r"1 attending · 0 on the waitlist", page)
    assert NAME not in page


def test_a_waiting_members_number_leaves_them_out(owner, sato, moderator):
    event = factories.event(owner, capacity=1)
    a, b = people(2)
    say(event, a)
    say(event, sato)
    say(event, b)
    assert selectors.my_answer(event, b)[1] == 2
    moderation.member_suspend(member=sato, by=moderator)
    assert selectors.my_answer(event, b)[1] == 1


def test_event_cards_count_places_without_them(owner, sato, moderator, as_user):
    event = factories.event(owner, capacity=3, guest_limit=1)
    say(event, sato, guests=1)
    client = as_user(owner)
    assert selectors.upcoming(owner).get(pk=event.pk).places_taken == 2
    # The upcoming list and home show the event's card with the places left.
    for url in ("/offkai/", "/"):
        assert "1 place left" in _text(client.get(url)), url

    moderation.member_suspend(member=sato, by=moderator)

    assert selectors.upcoming(owner).get(pk=event.pk).places_taken == 0
    for url in ("/offkai/", "/"):
        page = _text(client.get(url))
        assert "3 places left" in page and "1 place left" not in page, url
