"""The community journey in a real browser: Aki starts a community joined by approval, her
friend Ben asks to join, Aki approves, Ben starts a topic, Aki comments, Ben reads it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from communities.models import Community, Membership, Topic, TopicComment
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_request_approve_topic_and_comment(live_server, page, new_context):
    aki = factories.member("Aki Tanaka", email="aki@example.com")
    ben = factories.member("Ben Sato", email="ben@example.com")
    factories.befriend(aki, ben)
    category = factories.category("Kites")
    base = live_server.url

    # Aki starts a community that needs approval to join.
    log_in(page, base, "aki@example.com")
    page.goto(f"{base}/communities/new/")
    page.get_by_label("Name").fill("Kamakura Kites")
    page.get_by_label("Description").fill("We fly **kites**.")
    page.get_by_label("Category").select_option(str(category.pk))
    page.get_by_label("Who can join").select_option("approval")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your community was created.")
    community = Community.objects.get(name="Kamakura Kites")
    expect(page.locator("h1")).to_have_text("Kamakura Kites")

    # Ben asks to join.
    bens = new_context().new_page()
    log_in(bens, base, "ben@example.com")
    bens.goto(f"{base}{community.get_absolute_url()}")
    bens.get_by_role("button", name="Request to join").click()
    expect(bens.locator(".messages")).to_contain_text("Your request to join was sent")

    # Aki approves on the requests page.
    page.goto(f"{base}{community.get_absolute_url()}")
    page.get_by_role("link", name="Join requests").click()
    request = page.locator("li.request", has_text="Ben Sato")
    expect(request).to_be_visible()
    request.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("The request was approved.")
    assert Membership.objects.filter(community=community, user=ben).exists()

    # Ben starts a topic.
    bens.goto(f"{base}{community.get_absolute_url()}")
    bens.get_by_role("link", name="Start a topic").click()
    bens.get_by_label("Title").fill("Spring festival")
    bens.get_by_label("Body").fill("Who is coming on **Sunday**?")
    bens.get_by_role("button", name="Start the topic").click()
    expect(bens.locator(".messages")).to_contain_text("Your topic was started.")
    topic = Topic.objects.get(community=community)
    expect(bens.locator("h1")).to_have_text("Spring festival")

    # Aki finds it on the community page and comments.
    page.goto(f"{base}{community.get_absolute_url()}")
    page.get_by_role("link", name="Spring festival").click()
    page.wait_for_url(f"{base}{topic.get_absolute_url()}")
    page.get_by_label("Write a comment").fill("I will bring my big kite!")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".messages")).to_contain_text("Your comment was posted.")
    assert TopicComment.objects.filter(topic=topic, author=aki).exists()

    # Ben sees Aki's comment: in "new in my communities" and on the topic.
    bens.goto(f"{base}/communities/new-topics/")
    bens.get_by_role("link", name="Spring festival").click()
    comment = bens.locator("li.comment", has_text="I will bring my big kite!")
    expect(comment).to_be_visible()
    expect(comment.locator(".person-name")).to_have_text("Aki Tanaka")
