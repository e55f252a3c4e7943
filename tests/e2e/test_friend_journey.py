"""The friend journey in a real browser: ask from a profile, accept, see the new friend in
the circle picture."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import FriendRequest, Friendship
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MESSAGE = "We met at the Kamakura kite festival. Let's keep in touch!"




def test_request_accept_and_the_new_friend_in_the_circle(live_server, page, new_context):
    asker = factories.member("Aki Tanaka", email="aki@example.com")
    answerer = factories.member("Ben Sato", email="ben@example.com")
    base = live_server.url

    # Aki asks Ben from Ben's page, with a message.
    log_in(page, base, "aki@example.com")
    page.goto(f"{base}{answerer.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("Ben Sato")
    action = page.locator("#friend-action")
    action.get_by_label("Message (optional)").fill(MESSAGE)
    action.get_by_role("button", name="Add as friend").click()
    expect(page.locator(".messages")).to_contain_text("Your friend request to Ben Sato was sent.")
    expect(page.locator("#friend-action .badge")).to_have_text("Request sent")
    assert FriendRequest.objects.filter(from_user=asker, to_user=answerer).exists()

    # Ben, in a browser of his own, finds the request with its message and accepts it.
    ben = new_context().new_page()
    log_in(ben, base, "ben@example.com")
    ben.get_by_role("navigation", name="Main").get_by_role("link", name="Friend requests").click()
    ben.wait_for_url(f"{base}/friends/requests/")
    request = ben.locator("li.request", has_text="Aki Tanaka")
    expect(request.locator(".request-message")).to_have_text(MESSAGE)
    request.get_by_role("button", name="Accept").click()
    expect(ben.locator(".messages")).to_contain_text("You and Aki Tanaka are now friends.")
    assert Friendship.objects.filter(user=answerer, friend=asker).exists()

    # Ben's circle: Aki is a node of the picture, a link to her page, and in the plain list.
    ben.goto(f"{base}/members/{answerer.pk}/circle/")
    svg = ben.locator(".circle-picture svg")
    expect(svg).to_be_visible()
    node = svg.locator(f'a[href="{asker.get_absolute_url()}"]')
    expect(node).to_have_count(1)
    expect(node.locator("text")).to_have_text("Aki Tanaka")
    expect(node.locator("circle")).to_be_visible()
    plain = ben.get_by_role("navigation", name="Friends in the picture")
    expect(plain.get_by_role("link", name="Aki Tanaka")).to_have_attribute(
        "href", asker.get_absolute_url()
    )

    # The node leads to Aki's page, where both are now friends.
    node.click()
    ben.wait_for_url(f"{base}{asker.get_absolute_url()}")
    expect(ben.locator("h1")).to_have_text("Aki Tanaka")
    expect(ben.locator("#friend-action .badge")).to_have_text("Friends")
