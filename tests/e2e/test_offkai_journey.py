"""The off-kai journey in a real browser: Aki creates an off-kai for two through the form;
Ben, Chika and Dai answer "attending"; Dai, the third, is put on the waitlist; Ben withdraws
and Dai is promoted: the page shows him attending and he has a notification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from offkai.models import RSVP, Answer, Event
from sns.models import Notification
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answer_attending(page, base: str, event: Event) -> None:
    page.goto(f"{base}{event.get_absolute_url()}")
    page.get_by_role("radio", name="Attending", exact=True).check()
    page.get_by_role("button", name="Answer").click()


def test_create_answer_waitlist_withdraw_and_promote(live_server, page, new_context):
    aki = factories.member("Aki Tanaka", email="aki@example.com")
    people = {
        name: factories.member(f"{name} Sato", email=f"{name.lower()}@example.com")
        for name in ["Ben", "Chika", "Dai"]
    }
    base = live_server.url
    starts = timezone.localtime() + timedelta(days=14)

    # Aki creates an off-kai for two through the form.
    log_in(page, base, "aki@example.com")
    page.goto(f"{base}/offkai/new/")
    page.get_by_label("Title").fill("Izakaya night")
    page.get_by_label("Description").fill("Let's talk over **yakitori**.")
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Ends").fill(starts.strftime("%Y-%m-%dT21:00"))
    page.get_by_label("Venue").fill("Torikizoku")
    page.get_by_label("Address").fill("東京都新宿区西新宿1-1")
    page.get_by_label("Capacity").fill("2")
    page.get_by_label("Who can see it").select_option("members")
    page.get_by_role("button", name="Create the off-kai").click()
    expect(page.locator(".messages")).to_contain_text("Your off-kai was created.")
    event = Event.objects.get(title="Izakaya night")
    expect(page.locator("h1")).to_have_text("Izakaya night")
    expect(page.locator(".event-facts")).to_contain_text("2 places")
    assert timezone.localtime(event.starts_at).hour == 19
    assert event.created_by == aki

    # Ben and Chika take the two places.
    pages = {}
    for name in ["Ben", "Chika"]:
        pages[name] = new_context().new_page()
        log_in(pages[name], base, f"{name.lower()}@example.com")
        answer_attending(pages[name], base, event)
        expect(pages[name].locator(".messages")).to_contain_text("You are attending.")

    # Dai, the third, is put on the waitlist.
    dais = new_context().new_page()
    log_in(dais, base, "dai@example.com")
    answer_attending(dais, base, event)
    expect(dais.locator(".messages")).to_contain_text("waitlist")
    expect(dais.locator("#my-answer")).to_contain_text("You are on the waitlist: number 1.")
    assert RSVP.objects.get(event=event, user=people["Dai"]).answer == Answer.WAITLISTED

    # Ben withdraws; Dai is promoted.
    bens = pages["Ben"]
    bens.goto(f"{base}{event.get_absolute_url()}")
    bens.get_by_role("button", name="Withdraw my answer").click()
    expect(bens.locator(".messages")).to_contain_text("Your answer was withdrawn.")

    dais.reload()
    expect(dais.locator("#my-answer")).to_contain_text("You are attending.")
    attending = dais.locator("#rsvp ul.people")
    expect(attending).to_contain_text("Dai Sato")
    expect(attending).not_to_contain_text("Ben Sato")
    assert RSVP.objects.get(event=event, user=people["Dai"]).answer == Answer.ATTENDING
    assert Notification.objects.filter(
        recipient=people["Dai"], kind=Notification.Kind.EVENT_PROMOTED, target_id=event.pk
    ).exists()

    # Aki sees the answers: two attending, nobody waiting.
    page.goto(f"{base}{event.get_absolute_url()}")
    page.get_by_role("link", name="All answers").click()
    expect(page.locator(".answer-counts")).to_contain_text("2 attending")
    expect(page.locator(".answer-counts")).to_contain_text("0 on the waitlist")
