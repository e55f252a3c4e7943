"""The capacity holds under real concurrency: answers, suspensions and their lifting as real
transactions in threads, each with its own connection, released together."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from offkai import services
from offkai.models import RSVP, Answer
from sns import moderation
from sns.leaving.services import member_leave
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

THREADS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_answers_at_once_for_five_places_give_five_and_a_waitlist(owner):
    event = factories.event(owner, capacity=5)
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
    event = factories.event(owner, capacity=5, guest_limit=2)
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


@pytest.mark.django_db(transaction=True)
def test_a_suspension_while_others_answer_never_exceeds_the_capacity(owner, moderator):
    # Five places: the suspended member and two guests take three, two holders the rest.
    event = factories.event(owner, capacity=5, guest_limit=2)
    sato = factories.member("Suspended Sato")
    services.rsvp_answer(event_id=event.pk, user=sato, answer=Answer.ATTENDING, guests=2)
    for person in [factories.member(f"Holder {i}") for i in range(2)]:
        services.rsvp_answer(event_id=event.pk, user=person, answer=Answer.ATTENDING)
    newcomers = [factories.member(f"New {i}") for i in range(10)]

    def act(i: int):
        if i == 0:
            return moderation.member_suspend(member=sato, by=moderator)
        return services.rsvp_answer(
            event_id=event.pk, user=newcomers[i - 1], answer=Answer.ATTENDING
        )

    results = run_at_once(11, act)

    assert failures(results) == []
    answers = RSVP.objects.filter(event=event)
    # Sato's three places went to newcomers, whichever came first: a waiting one promoted
    # or an answer made after the suspension; nobody waits while a place is free.
    assert answers.places_taken() == 5
    assert answers.waitlist().count() == 7
    assert answers.attending().filter(user=sato).count() == 0


@pytest.mark.django_db(transaction=True)
def test_lifting_a_suspension_while_others_answer_never_exceeds_the_capacity(owner, moderator):
    event = factories.event(owner, capacity=5)
    sato = factories.member("Suspended Sato")
    for person in [sato] + [factories.member(f"Holder {i}") for i in range(3)]:
        services.rsvp_answer(event_id=event.pk, user=person, answer=Answer.ATTENDING)
    moderation.member_suspend(member=sato, by=moderator)
    newcomers = [factories.member(f"New {i}") for i in range(5)]

    def act(i: int):
        if i == 0:
            return moderation.member_unsuspend(member=sato, by=moderator)
        return services.rsvp_answer(
            event_id=event.pk, user=newcomers[i - 1], answer=Answer.ATTENDING
        )

    results = run_at_once(6, act)

    assert failures(results) == []
    answers = RSVP.objects.filter(event=event)
    # Sato came back as one more answer among six for the two free places.
    assert answers.places_taken() == 5
    assert answers.attending().count() == 5
    assert answers.waitlist().count() == 4


def _attending_six_of_owners(owner, member) -> list:
    """Six off-kai of ``owner``'s, ``member`` (made their friend) attending each."""
    factories.befriend(owner, member)
    events = [factories.event(owner, capacity=5) for _ in range(6)]
    for event in events:
        services.rsvp_answer(event_id=event.pk, user=member, answer=Answer.ATTENDING)
    return events


def _add_co_host(event, *, by, co_host):
    """``by`` saves ``event`` as it is, with ``co_host`` added as co-host."""
    return services.event_update(
        event=event, by=by, title=event.title, description=event.description,
        starts_at=event.starts_at, ends_at=event.ends_at, venue=event.venue,
        address=event.address, capacity=event.capacity, fee=event.fee,
        rsvp_deadline=event.rsvp_deadline, guest_limit=event.guest_limit,
        visibility=event.visibility, co_hosts=[co_host],
    )


@pytest.mark.django_db(transaction=True)
def test_suspending_while_hosts_add_the_member_as_co_host_never_deadlocks(owner, moderator):
    # Suspending locks the member, then their events; a host editing one of those events
    # holds its lock and adds a row that refers to the member: the member's lock must not
    # keep that row waiting, or each waits for the other.
    sato = factories.member("Suspended Sato")
    events = _attending_six_of_owners(owner, sato)

    def act(i: int):
        if i == 0:
            return moderation.member_suspend(member=sato, by=moderator)
        return _add_co_host(events[i - 1], by=owner, co_host=sato)

    results = run_at_once(len(events) + 1, act)

    assert failures(results) == []
    sato.refresh_from_db()
    assert not sato.is_active


@pytest.mark.django_db(transaction=True)
def test_leaving_while_hosts_add_the_member_as_co_host_never_deadlocks(owner):
    # Leaving locks the member, then their events; a host saving one of those events holds
    # its lock and adds a row that refers to the member (whose check, deferred to commit,
    # needs a share of the member's row): the member's lock must not keep that commit waiting.
    sato = factories.member("Leaving Sato")
    events = _attending_six_of_owners(owner, sato)

    def act(i: int):
        if i == 0:
            return member_leave(member=sato, password=factories.PASSWORD)
        return _add_co_host(events[i - 1], by=owner, co_host=sato)

    results = run_at_once(len(events) + 1, act)

    # A host who saves after the member left is told they cannot be a co-host; nobody meets
    # a deadlock or a broken reference.
    refused = [e for e in failures(results) if isinstance(e, ValidationError)]
    assert [e for e in failures(results) if e not in refused] == []
    assert not User.objects.filter(pk=sato.pk).exists()
    assert not RSVP.objects.filter(user_id=sato.pk).exists()
