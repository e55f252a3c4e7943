"""The albums journey in a real browser: an album made from one's profile, three photos
added at once in one file input (one refused file names itself and keeps all three out),
the order changed and a cover chosen without JavaScript, a caption, a friend seeing the
album on home and commenting on a photo, and a stranger who may not see it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_make_an_album_add_photos_order_them_and_a_friend_comments(
    live_server, page, new_context, tmp_path
):
    aki = factories.member("Aki Tanaka", email="aki@example.com")
    ben = factories.member("Ben Sato", email="ben@example.com")
    factories.member("Cho Stranger", email="cho@example.com")
    factories.befriend(aki, ben)
    base = live_server.url
    pictures = []
    for n, colour in enumerate(["JPEG", "PNG", "WEBP"], start=1):
        path = Path(tmp_path / f"kyoto{n}.{colour.lower()}")
        path.write_bytes(factories.image_file(colour).read())
        pictures.append(str(path))
    bad = Path(tmp_path / "notes.jpg")
    bad.write_bytes(b"not a picture")

    # Aki makes an album from her page, for friends.
    log_in(page, base, "aki@example.com")
    page.goto(f"{base}{aki.get_absolute_url()}")
    page.locator(".profile-albums").get_by_role("link", name="New album").click()
    page.get_by_label("Title").fill("Kyoto in autumn")
    page.get_by_label("Description").fill("Leaves at **Tofuku-ji**.")
    page.get_by_label("Who can see it").select_option("friends")
    page.get_by_role("button", name="Make the album").click()
    expect(page.locator(".messages")).to_contain_text("Your album was made.")
    album = Album.objects.get()

    # Three photos and a file that is no picture, at once: none is kept, the bad one named.
    page.get_by_label("Photos").set_input_files([*pictures, str(bad)])
    page.get_by_role("button", name="Add the photos").click()
    expect(page.locator(".field .error").first).to_contain_text(
        "“notes.jpg”: This file is not an image we can use.")
    assert not AlbumPhoto.objects.exists()
    page.get_by_label("Photos").set_input_files(pictures)
    page.get_by_role("button", name="Add the photos").click()
    expect(page.locator(".messages")).to_contain_text("3 photos were added.")
    expect(page.locator(".photo-grid li")).to_have_count(3)
    expect(page.locator(".album strong")).to_have_text("Tofuku-ji")
    first, second, third = AlbumPhoto.objects.filter(album=album).order_by("position")

    # The third moves to the front and becomes the cover (forms, no script needed).
    page.locator(f"#photo-{third.pk}").get_by_role("button", name="Move earlier").click()
    page.locator(f"#photo-{third.pk}").get_by_role("button", name="Move earlier").click()
    expect(page.locator(".photo-grid li").first).to_have_attribute("id", f"photo-{third.pk}")
    page.locator(f"#photo-{third.pk}").get_by_role("button", name="Make cover").click()
    expect(page.locator(f"#photo-{third.pk}.is-cover")).to_have_count(1)

    # A caption on the photo's own page.
    page.locator(f"#photo-{third.pk}").get_by_role("link").first.click()
    page.get_by_label("Caption").fill("Red maples by the bridge")
    page.get_by_role("button", name="Save the caption").click()
    expect(page.locator("figcaption")).to_have_text("Red maples by the bridge")
    image = page.locator("figure img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0

    # Ben sees it among friends' new albums on home and comments on the cover photo.
    friend = new_context().new_page()
    log_in(friend, base, "ben@example.com")
    albums = friend.locator("section", has=friend.get_by_role(
        "heading", name=re.compile("Friends. new albums")))
    albums.get_by_role("link", name="Kyoto in autumn").click()
    expect(friend.locator("h1")).to_have_text("Kyoto in autumn")
    expect(friend.get_by_role("button", name="Make cover")).to_have_count(0)
    friend.locator(".photo-grid li").first.get_by_role("link").first.click()
    expect(friend.locator("figcaption")).to_have_text("Red maples by the bridge")
    friend.get_by_label("Write a comment").fill("Beautiful **colours**!")
    friend.get_by_role("button", name=re.compile("Post")).click()
    expect(friend.locator(".comment-list")).to_contain_text("Beautiful colours!")
    assert AlbumPhotoComment.objects.filter(photo=third, author=ben).exists()

    # Cho, no friend of Aki's, finds neither the album nor its photos.
    stranger = new_context().new_page()
    log_in(stranger, base, "cho@example.com")
    response = stranger.goto(f"{base}{album.get_absolute_url()}")
    assert response.status == 404
    response = stranger.goto(f"{base}/albums/photos/{third.pk}/image/large/")
    assert response.status == 404
    assert first.pk != second.pk
