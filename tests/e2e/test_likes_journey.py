"""The イイネ! journey in a real browser: a friend likes an entry and a comment in place (the
script posts the form, no reload), undoes one; without JavaScript the same button posts
and comes back; the author sees who liked it and the gathered notification."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from sns.models import Like
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def likes_of(thing) -> int:
    return Like.objects.filter(
        target_type=ContentType.objects.get_for_model(thing), target_id=thing.pk
    ).count()


def test_like_in_place_undo_without_script_and_see_who(live_server, page, new_context):
    aki = factories.member("Aki Tanaka", email="aki@example.com")
    ben = factories.member("Ben Sato", email="ben@example.com")
    chika = factories.member("Chika Ito", email="chika@example.com")
    factories.befriend(aki, ben)
    factories.befriend(aki, chika)
    entry = factories.entry(aki, title="Cherry blossoms")
    comment = factories.entry_comment(entry, aki, "They open on Friday.")
    base = live_server.url
    url = f"{base}{entry.get_absolute_url()}"

    # Ben likes the entry and Aki's comment in place: the page is not loaded again.
    log_in(page, base, "ben@example.com")
    page.goto(url)
    page.evaluate("window.stillHere = true")
    article = page.locator("article.entry")
    article.get_by_role("button", name="Like!").click()
    expect(article.get_by_role("button", name="Undo Like!")).to_be_visible()
    expect(article.locator(".like-count")).to_have_text("1 like")
    card = page.locator(f"#comment-{comment.pk}")
    card.get_by_role("button", name="Like!").click()
    expect(card.get_by_role("button", name="Undo Like!")).to_be_visible()
    assert page.evaluate("window.stillHere") is True
    assert likes_of(entry) == 1 and likes_of(comment) == 1
    # Undone in place as well.
    card.get_by_role("button", name="Undo Like!").click()
    expect(card.get_by_role("button", name="Like!")).to_be_visible()
    expect(card.locator(".like-count")).to_be_hidden()
    assert likes_of(comment) == 0

    # Chika, whose browser runs no script, likes it: the form posts and comes back.
    plain = new_context(java_script_enabled=False).new_page()
    log_in(plain, base, "chika@example.com")
    plain.goto(url)
    plain.locator("article.entry").get_by_role("button", name="Like!").click()
    expect(plain).to_have_url(url)
    expect(plain.locator("article.entry .like-count")).to_have_text("2 likes")
    expect(plain.locator("article.entry").get_by_role("button", name="Undo Like!")).to_be_visible()

    # Aki hears of both in one notification and sees who liked the entry.
    author = new_context().new_page()
    log_in(author, base, "aki@example.com")
    author.goto(f"{base}/notifications/")
    expect(author.locator("main")).to_contain_text(
        "Chika Ito and 1 other liked your diary entry “Cherry blossoms”")
    author.goto(url)
    author.locator("article.entry .like-count").click()
    expect(author.locator("h1")).to_contain_text("Who liked this")
    expect(author.locator("ul.people li")).to_have_count(2)
    expect(author.locator("ul.people")).to_contain_text("Ben Sato")
    expect(author.locator("ul.people")).to_contain_text("Chika Ito")
