"""The diary journey in a real browser: write an entry with a photo for friends, see the photo,
a friend comments, the author sees the comment, a stranger gets the 404 page (issue 4)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from diary.models import Comment, Entry
from sns.visibility import Level
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Hanami at Shinjuku Gyoen"
BODY = "The cherry trees were in **full bloom**.\n\n- onigiri\n- sakura mochi"
COMMENT = "Beautiful! I was there on Sunday too."

# A loaded <img>: the browser fetched and decoded it.
IMAGE_LOADED = "img => img.complete && img.naturalWidth > 0"




def _entry_photos(page):
    """The entry's photos: images served by the diary photo view."""
    return page.locator('img[src*="/photos/"]')


def test_write_with_a_photo_a_friend_comments_a_stranger_gets_404(
    live_server, page, new_context, tmp_path
):
    author = factories.member("Hanako Yamada", email="hanako@example.com")
    friend = factories.member("Kenji Sato", email="kenji@example.com")
    factories.member("Stranger Mori", email="mori@example.com")
    factories.befriend(author, friend)
    base = live_server.url
    picture = tmp_path / "hanami.jpg"
    picture.write_bytes(factories.image_file("JPEG", (800, 600)).read())

    # The author writes an entry for friends, with a photo.
    log_in(page, base, "hanako@example.com")
    page.goto(f"{base}/diary/new/")
    form = page.locator('form:has(textarea[name="body"])')
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('textarea[name="body"]').fill(BODY)
    visibility = form.locator('[name="visibility"]')
    if visibility.evaluate("el => el.tagName") == "SELECT":
        visibility.select_option(Level.FRIENDS.value)
    else:
        form.locator(f'input[name="visibility"][value="{Level.FRIENDS.value}"]').check()
    form.locator('input[type="file"]').first.set_input_files(str(picture))
    # The button that posts (not the one that previews).
    form.locator('[type="submit"]:not([name="preview"]):not([value="preview"])').last.click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/diary/\d+/$"))

    entry = Entry.objects.get(author=author)
    assert entry.visibility == Level.FRIENDS
    assert entry.photos.count() == 1
    assert page.url == f"{base}{entry.get_absolute_url()}"
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("strong", has_text="full bloom")).to_be_visible()
    photo = _entry_photos(page).first
    expect(photo).to_be_visible()
    page.wait_for_function(IMAGE_LOADED, arg=photo.element_handle())

    # The friend, in a browser of their own, opens the entry, sees the photo and comments.
    kenji = new_context().new_page()
    log_in(kenji, base, "kenji@example.com")
    kenji.goto(f"{base}{entry.get_absolute_url()}")
    expect(kenji.locator("h1")).to_contain_text(TITLE)
    their_photo = _entry_photos(kenji).first
    expect(their_photo).to_be_visible()
    kenji.wait_for_function(IMAGE_LOADED, arg=their_photo.element_handle())
    comment_form = kenji.locator('form[action*="/comments/"]')
    comment_form.locator('textarea[name="body"]').fill(COMMENT)
    comment_form.locator('[type="submit"]').click()
    expect(kenji.get_by_text(COMMENT)).to_be_visible()
    assert Comment.objects.filter(entry=entry, author=friend, body=COMMENT).exists()

    # The author sees the comment on the entry.
    page.reload()
    expect(page.get_by_text(COMMENT)).to_be_visible()

    # A member with no tie to the author gets the 404 page, for the entry and its photo.
    mori = new_context().new_page()
    log_in(mori, base, "mori@example.com")
    response = mori.goto(f"{base}{entry.get_absolute_url()}")
    assert response.status == 404
    expect(mori.locator("h1")).to_have_text("Page not found")
    expect(mori.get_by_text(TITLE)).to_have_count(0)
    photo_url = photo.get_attribute("src")
    response = mori.goto(photo_url if photo_url.startswith("http") else f"{base}{photo_url}")
    assert response.status == 404
