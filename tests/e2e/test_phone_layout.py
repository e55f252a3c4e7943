"""The site on a phone (issue 15): a header of one row whose menu opens with no script, by
touch or keyboard, in both languages; and the avatars of a list, photos or initials, all one
box at both widths. The layout of every page at 360 px is tests/e2e/test_page_checks.py's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from sns import images
from sns.notify import Kind, notify
from tests import factories
from tests.e2e.journeys import log_in
from tests.e2e.test_page_checks import AXE_JS, AXE_RUN, BLOCKING_IMPACTS, LAYOUT_CHECK, VIEWS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = VIEWS["360"]["viewport"]
DESKTOP = VIEWS["1280"]["viewport"]
WORDS = {  # locale → the menu's name, a link of it and that link's page
    "en-US": ("Menu", "Off-kai"),
    "ja-JP": ("メニュー", "オフ会"),
}


@pytest.mark.parametrize("locale", WORDS)
def test_a_phone_has_a_one_row_header_whose_menu_opens_without_script(
        live_server, new_context, locale):
    factories.member("Aki Tanaka", email="aki@example.com")
    menu_name, link_name = WORDS[locale]
    context = new_context(viewport=PHONE, locale=locale, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "aki@example.com")

    header = page.locator("header.site-header")
    summary = header.locator("summary", has_text=menu_name)
    nav = page.get_by_role("navigation", name="メインメニュー" if locale == "ja-JP" else "Main")
    expect(summary).to_be_visible()
    expect(nav).to_be_hidden()
    assert header.bounding_box()["height"] <= 64, "the header is more than one row"

    # The keyboard reaches the menu button after the skip link and the site's name.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    expect(page.get_by_role("searchbox")).to_be_visible()
    assert page.locator("details.site-menu").get_attribute("open") is not None
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert page.evaluate(LAYOUT_CHECK) == []

    nav.get_by_role("link", name=link_name).click()
    page.wait_for_url(f"{live_server.url}/offkai/")
    expect(nav).to_be_hidden()  # a new page opens with the menu folded


def test_the_open_menu_passes_axe(live_server, new_context):
    factories.member("Aki Tanaka", email="aki@example.com")
    context = new_context(viewport=PHONE, locale="ja-JP")
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    log_in(page, live_server.url, "aki@example.com")
    page.locator("summary.menu-button").click()
    assert page.evaluate(AXE_RUN, BLOCKING_IMPACTS) == []


def test_a_desktop_shows_the_links_in_the_header_and_no_menu_button(live_server, new_context):
    factories.member("Aki Tanaka", email="aki@example.com")
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server.url, "aki@example.com")
    expect(page.locator("summary.menu-button")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Off-kai")).to_be_visible()
    expect(page.get_by_role("searchbox")).to_be_visible()
    assert page.locator("header.site-header").bounding_box()["height"] <= 64


@pytest.mark.parametrize("view", VIEWS)
def test_the_avatars_of_a_list_are_one_box_with_a_photo_or_without(live_server, new_context,
                                                                   view):
    reader = factories.member("Aki Tanaka", email="aki@example.com")
    pictured, plain = factories.member("Ben Sato"), factories.member("Chie Mori")
    Profile.objects.filter(user=pictured).update(
        photo=images.store(images.process(factories.image_file()), prefix="profiles"))
    for actor in (pictured, plain, pictured):
        notify(recipient=reader, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=actor)
    page = new_context(**VIEWS[view]).new_page()
    log_in(page, live_server.url, "aki@example.com")
    page.goto(f"{live_server.url}/notifications/")

    boxes = page.locator(".notification-list .avatar").evaluate_all("""(avatars) =>
        avatars.map((a) => [a.tagName, Math.round(a.getBoundingClientRect().width),
                            Math.round(a.getBoundingClientRect().height),
                            getComputedStyle(a).borderTopLeftRadius])""")

    assert sorted({tag for tag, *_box in boxes}) == ["IMG", "SPAN"]
    assert {tuple(box) for _tag, *box in boxes} == {(44, 44, "50%")}
