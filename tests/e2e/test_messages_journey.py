"""The messages journey in a real browser: a message with a photo from a profile, the
header's unread count, a reply, and a block that makes the conversation read-only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conversations.models import Conversation, Message, MessagePhoto
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_write_with_a_photo_read_reply_and_block(live_server, page, new_context, tmp_path):
    aki = factories.member("Aki Tanaka", email="aki@example.com")
    ben = factories.member("Ben Sato", email="ben@example.com")
    factories.befriend(aki, ben)
    base = live_server.url
    picture = Path(tmp_path / "kite.jpg")
    picture.write_bytes(factories.image_file().read())

    # Aki writes to Ben from Ben's page, with a photo.
    log_in(page, base, "aki@example.com")
    page.goto(f"{base}{ben.get_absolute_url()}")
    page.get_by_role("link", name="Send a message").click()
    expect(page.get_by_label("Ben Sato")).to_be_checked()
    page.get_by_label("Subject").fill("Kite festival")
    page.get_by_role("textbox", name=re.compile(r"^Message")).fill("Shall we go on **Sunday**?")
    page.get_by_label("Photo 1").set_input_files(str(picture))
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Your message was sent.")
    expect(page.locator("h1")).to_have_text("Kite festival")
    conversation = Conversation.objects.get()
    assert MessagePhoto.objects.filter(message__conversation=conversation).count() == 1

    # Ben sees one unread conversation in the header, reads it with the photo, answers.
    reader = new_context().new_page()
    log_in(reader, base, "ben@example.com")
    messages_link = reader.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Messages")
    expect(messages_link.locator(".nav-count")).to_have_text("1")
    messages_link.click()
    row = reader.locator("li.conversation-row.unread", has_text="Kite festival")
    expect(row).to_contain_text("Aki Tanaka")
    row.get_by_role("link").click()
    expect(reader.locator(".message-list strong")).to_have_text("Sunday")
    photo = reader.locator(".message-photos img")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 0
    reader.get_by_role("textbox", name=re.compile(r"^Message")).fill("Yes! See you there.")
    reader.get_by_role("button", name="Send").click()
    expect(reader.locator(".message-list li.message")).to_have_count(2)
    expect(reader.locator(".message-list li.message").last).to_contain_text("See you there")

    # Aki reads the answer in order.
    page.reload()
    bodies = page.locator(".message-list .comment-body")
    expect(bodies).to_have_text(["Shall we go on Sunday?", "Yes! See you there."])

    # Ben blocks Aki: the conversation is read-only for both, what was written stays.
    reader.goto(f"{base}{aki.get_absolute_url()}")
    reader.get_by_role("link", name="Block Aki Tanaka").click()
    reader.get_by_role("button", name="Block").click()
    reader.goto(f"{base}{conversation.get_absolute_url()}")
    expect(reader.locator(".read-only")).to_be_visible()
    expect(reader.locator("#reply")).to_have_count(0)
    expect(reader.locator(".message-list li.message")).to_have_count(2)
    page.reload()
    expect(page.locator(".read-only")).to_be_visible()
    assert Message.objects.filter(conversation=conversation).count() == 2
