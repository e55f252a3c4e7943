"""Answers and the waitlist, through the services: places and guests, the waitlist and its
order, promotion when places free up (withdraw, decline, fewer guests, capacity raised),
what closes answers, and who may answer. The rules are in offkai/services/rsvp.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from offkai import services
from offkai.models import RSVP, Answer, Event
from sns.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def say(event, user, answer=Answer.ATTENDING, guests=0) -> RSVP:
    return services.rsvp_answer(event_id=event.pk, user=user, answer=answer, guests=guests)


def answers(event) -> dict[int, tuple[str, int]]:
    return {r.user_id: (r.answer, r.guests) for r in RSVP.objects.filter(event=event)}


def waitlist(event) -> list[int]:
    return list(RSVP.objects.filter(event=event).waitlist().values_list("user_id", flat=True))


def people(n: int) -> list:
    return [factories.member(f"Person {i}") for i in range(n)]


# --- places and the waitlist -----------------------------------------------------------------

def test_attending_takes_a_place_until_full_then_the_waitlist(owner):
    event = factories.event(owner, capacity=2)
    a, b, c, d = people(4)
    assert say(event, a).answer == Answer.ATTENDING
    assert say(event, b).answer == Answer.ATTENDING
    third = say(event, c)
    assert third.answer == Answer.WAITLISTED and third.waitlisted_at is not None
    say(event, d)
    assert waitlist(event) == [c.pk, d.pk]
    assert RSVP.objects.filter(event=event).places_taken() == 2


def test_no_capacity_means_everyone_attends(owner):
    event = factories.event(owner, capacity=None)
    for person in people(5):
        assert say(event, person).answer == Answer.ATTENDING


def test_guests_take_places(owner):
    event = factories.event(owner, capacity=4, guest_limit=3)
    a, b = people(2)
    assert say(event, a, guests=3).answer == Answer.ATTENDING
    assert say(event, b).answer == Answer.WAITLISTED
    counts = RSVP.objects.filter(event=event).counts()
    assert (counts["attending"], counts["places"], counts["waitlisted"]) == (1, 4, 1)


def test_guests_only_up_to_the_limit_and_only_when_attending(owner, member):
    event = factories.event(owner, capacity=10, guest_limit=2)
    with pytest.raises(ValidationError) as excinfo:
        say(event, member, guests=3)
    assert excinfo.value.messages == ["You can bring at most 2 guests."]
    with pytest.raises(ValidationError):
        say(event, member, guests=-1)
    assert say(event, member, Answer.MAYBE, guests=2).guests == 0
    no_guests = factories.event(owner, guest_limit=0)
    with pytest.raises(ValidationError) as excinfo:
        say(no_guests, member, guests=1)
    assert excinfo.value.messages == ["This off-kai takes no guests."]


def test_an_attending_member_changes_guests_within_the_places_left(owner, member, friend):
    event = factories.event(owner, capacity=4, guest_limit=3)
    say(event, member)
    say(event, friend)
    assert say(event, member, guests=2).guests == 2
    with pytest.raises(ValidationError) as excinfo:
        say(event, member, guests=3)
    assert "room for 2 guests with you" in excinfo.value.messages[0]
    assert answers(event)[member.pk] == (Answer.ATTENDING, 2)


def test_nobody_overtakes_the_waitlist(owner):
    """A free place that the first waiting party does not fit is not given to a newcomer."""
    event = factories.event(owner, capacity=3, guest_limit=2)
    a, b, c = people(3)
    say(event, a, guests=1)  # 2 places
    say(event, b, guests=2)  # waitlisted: needs 3, 1 free
    assert answers(event)[b.pk] == (Answer.WAITLISTED, 2)
    assert say(event, c).answer == Answer.WAITLISTED
    assert waitlist(event) == [b.pk, c.pk]


def test_a_waitlisted_member_keeps_their_place_when_answering_again(owner):
    event = factories.event(owner, capacity=1, guest_limit=2)
    a, b, c = people(3)
    say(event, a)
    first = say(event, b, guests=2)
    say(event, c)
    again = say(event, b, guests=1)
    assert again.answer == Answer.WAITLISTED
    assert again.waitlisted_at == first.waitlisted_at
    assert waitlist(event) == [b.pk, c.pk]


def test_maybe_and_declined_take_no_place(owner):
    event = factories.event(owner, capacity=1)
    a, b, c = people(3)
    say(event, a, Answer.MAYBE)
    say(event, b, Answer.DECLINED)
    assert say(event, c).answer == Answer.ATTENDING
    assert answers(event) == {
        a.pk: (Answer.MAYBE, 0), b.pk: (Answer.DECLINED, 0), c.pk: (Answer.ATTENDING, 0)
    }


def test_waitlisted_is_not_an_answer_one_can_give(owner, member):
    event = factories.event(owner)
    with pytest.raises(ValidationError):
        say(event, member, Answer.WAITLISTED)
    with pytest.raises(ValidationError):
        say(event, member, "yes")


# --- promotion ---------------------------------------------------------------------------------

@pytest.fixture
def full(owner):
    """Capacity 2: a and b attending, c then d then e waiting."""
    event = factories.event(owner, capacity=2, guest_limit=2)
    crowd = people(5)
    for person in crowd:
        say(event, person)
    assert waitlist(event) == [p.pk for p in crowd[2:]]
    return event, crowd


def test_withdrawing_promotes_the_first_waiting(full, django_capture_on_commit_callbacks):
    event, (a, _b, c, d, e) = full
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_withdraw(event_id=event.pk, user=a)
    assert a.pk not in answers(event)
    assert answers(event)[c.pk] == (Answer.ATTENDING, 0)
    assert RSVP.objects.get(event=event, user=c).waitlisted_at is None
    assert waitlist(event) == [d.pk, e.pk]


def test_declining_promotes_the_first_waiting(full):
    event, (a, b, c, d, e) = full
    say(event, b, Answer.DECLINED)
    assert answers(event)[c.pk][0] == Answer.ATTENDING
    say(event, a, Answer.MAYBE)
    assert answers(event)[d.pk][0] == Answer.ATTENDING
    assert waitlist(event) == [e.pk]


def test_fewer_guests_promote(owner):
    event = factories.event(owner, capacity=3, guest_limit=2)
    a, b, c = people(3)
    say(event, a, guests=2)
    say(event, b)
    say(event, c)
    assert waitlist(event) == [b.pk, c.pk]
    say(event, a, guests=0)
    assert waitlist(event) == []
    assert {answers(event)[p.pk][0] for p in (b, c)} == {Answer.ATTENDING}


def test_promotion_is_strictly_in_order_while_the_first_fits(owner):
    event = factories.event(owner, capacity=3, guest_limit=2)
    a, b, c, d = people(4)
    say(event, a, guests=2)   # 3 places: full
    say(event, b, guests=2)   # waits, needs 3
    say(event, c)             # waits, needs 1
    say(event, d)             # waits, needs 1
    say(event, a, guests=0)   # 2 places free: b (3) does not fit, so nobody behind b goes
    assert waitlist(event) == [b.pk, c.pk, d.pk]
    services.rsvp_withdraw(event_id=event.pk, user=a)  # 3 free: b goes, then nobody fits
    assert answers(event)[b.pk][0] == Answer.ATTENDING
    assert waitlist(event) == [c.pk, d.pk]


def test_the_waitlist_is_served_by_when_people_joined_it(owner):
    event = factories.event(owner, capacity=1)
    a, b, c = people(3)
    say(event, a)
    say(event, b)
    say(event, c)
    # Join order is what counts, whatever the row order.
    RSVP.objects.filter(event=event, user=c).update(
        waitlisted_at=RSVP.objects.get(event=event, user=b).waitlisted_at - timedelta(1)
    )
    assert waitlist(event) == [c.pk, b.pk]
    services.rsvp_withdraw(event_id=event.pk, user=a)
    assert answers(event)[c.pk][0] == Answer.ATTENDING


def test_the_promoted_are_told_in_app_and_by_mail(full, outbox, django_capture_on_commit_callbacks):
    event, (a, _b, c, _d, _e) = full
    c.language = "ja"
    c.save()
    with django_capture_on_commit_callbacks(execute=True):
        say(event, a, Answer.DECLINED)
    note = Notification.objects.get(kind=Kind.EVENT_PROMOTED)
    assert (note.recipient, note.target, note.actor) == (c, event, None)
    [mail] = outbox
    assert mail.to == [c.email]
    assert event.title in mail.subject
    assert "キャンセル待ち" in mail.body


def test_promoting_oneself_tells_nobody(owner, django_capture_on_commit_callbacks):
    event = factories.event(owner, capacity=2, guest_limit=2)
    a, b = people(2)
    say(event, a)
    say(event, b, guests=2)  # waits: 3 > 1
    with django_capture_on_commit_callbacks(execute=True):
        assert say(event, b, guests=0).answer == Answer.ATTENDING
    assert not Notification.objects.filter(kind=Kind.EVENT_PROMOTED).exists()


# --- what closes answers -----------------------------------------------------------------------

def test_answers_close_at_the_deadline(owner, member, friend):
    event = factories.event(owner, rsvp_deadline=timezone.now() + timedelta(hours=1))
    say(event, friend)
    Event.objects.filter(pk=event.pk).update(rsvp_deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as excinfo:
        say(event, member)
    assert excinfo.value.messages == ["Answers to this off-kai are closed."]
    with pytest.raises(ValidationError):
        services.rsvp_withdraw(event_id=event.pk, user=friend)
    with pytest.raises(ValidationError):
        say(event, friend, Answer.DECLINED)
    assert answers(event) == {friend.pk: (Answer.ATTENDING, 0)}


def test_answers_close_at_the_start_without_a_deadline(owner, member):
    started = factories.event(owner, days=-0.01, hours=3)
    with pytest.raises(ValidationError):
        say(started, member)
    past = factories.event(owner, days=-3)
    with pytest.raises(ValidationError):
        say(past, member)


def test_no_answers_to_a_cancelled_event(owner, member):
    event = factories.event(owner, cancelled_at=timezone.now(), cancel_reason="Rain")
    with pytest.raises(ValidationError) as excinfo:
        say(event, member)
    assert "cancelled" in excinfo.value.messages[0]


def test_who_may_not_see_the_event_may_not_answer(owner, member, friend, blocked):
    event = factories.event(owner, visibility="friends")
    with pytest.raises(Event.DoesNotExist):
        say(event, member)
    with pytest.raises(Event.DoesNotExist):
        say(factories.event(owner), blocked)
    assert say(event, friend).answer == Answer.ATTENDING


def test_hosts_answer_like_everyone_and_take_a_place_only_when_attending(owner, friend):
    event = factories.event(owner, capacity=1, co_hosts=[friend])
    assert say(event, friend, Answer.DECLINED).answer == Answer.DECLINED
    assert say(event, owner).answer == Answer.ATTENDING
    assert say(event, friend).answer == Answer.WAITLISTED


def test_withdrawing_without_an_answer_changes_nothing(owner, member):
    event = factories.event(owner)
    services.rsvp_withdraw(event_id=event.pk, user=member)
    assert answers(event) == {}
