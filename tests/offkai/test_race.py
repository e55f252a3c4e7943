"""The capacity holds under real concurrency: answers as real transactions in threads, each
with its own connection, released together."""

from __future__ import annotations

import itertools

import pytest

from offkai import services
from offkai.models import RSVP, Answer
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes
from tests.offkai import builders

THREADS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_answers_at_once_for_five_places_give_five_and_a_waitlist(owner):
    event = builders.event(owner, capacity=5)
    crowd = [factories.member(f"Crowd {i}") for i in range(THREADS)]

    results = run_at_once(THREADS, lambda i: services.rsvp_answer(
        event_id=event.pk, user=crowd[i], answer=Answer.ATTENDING
    ))

    assert failures(results) == []
    given = successes(results)
    assert sorted(r.answer for r in given).count(Answer.ATTENDING) == 5
    answers = RSVP.objects.filter(event=event)
    assert answers.attending().count() == 5
    assert answers.places_taken() == 5
    assert answers.filter(answer=Answer.WAITLISTED).count() == 25
    # Answers were decided one after another: the first five rows took the places, and
    # the waitlist's order is the order the answers were made, strictly.
    rows = list(answers.order_by("pk"))
    assert [r.answer for r in rows[:5]] == [Answer.ATTENDING] * 5
    waiting = rows[5:]
    times = [r.waitlisted_at for r in waiting]
    assert all(earlier < later for earlier, later in itertools.pairwise(times))
    assert list(answers.waitlist()) == waiting


@pytest.mark.django_db(transaction=True)
def test_withdrawals_and_answers_at_once_never_exceed_the_capacity(owner):
    event = builders.event(owner, capacity=5, guest_limit=2)
    holders = [factories.member(f"Holder {i}") for i in range(5)]
    for person in holders:
        services.rsvp_answer(event_id=event.pk, user=person, answer=Answer.ATTENDING)
    newcomers = [factories.member(f"New {i}") for i in range(15)]

    def act(i: int):
        if i < 5:
            return services.rsvp_withdraw(event_id=event.pk, user=holders[i])
        return services.rsvp_answer(
            event_id=event.pk, user=newcomers[i - 5], answer=Answer.ATTENDING, guests=i % 3
        )

    results = run_at_once(20, act)

    assert failures(results) == []
    answers = RSVP.objects.filter(event=event)
    assert answers.places_taken() <= 5
    # Whatever the order, nobody waits while the first in line would fit.
    first = answers.waitlist().first()
    if first is not None:
        assert answers.places_taken() + first.places > 5
