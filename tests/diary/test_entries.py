"""Diary entries: writing with a preview, editing, deleting, photos served only to who may see
the entry, a member's diary with its archive, previous / next, footprints."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import Footprint
from diary import services
from diary.forms import EntryForm
from diary.models import Comment, DiaryPreference, Entry, EntryPhoto
from sns import images
from sns.visibility import Level
from tests import factories, pages
from tests.html import assert_well_formed

NEW = reverse("diary:new")
SETTINGS = reverse("accounts:settings")
TOKYO = ZoneInfo("Asia/Tokyo")

pytestmark = pytest.mark.django_db


def diary_url(user) -> str:
    return reverse("diary:member", args=[user.pk])


def processed(fmt: str = "JPEG"):
    return images.process(factories.image_file(fmt))


def write(author, level=Level.FRIENDS, *, title="A day", body="It was fine.", photos=0) -> Entry:
    return services.entry_create(
        author=author, title=title, body=body, visibility=level,
        photos=[processed() for _ in range(photos)],
    )


def form_data(**overrides) -> dict:
    data = {"title": "Cherry blossoms", "body": "Went to **Ueno**.", "visibility": Level.FRIENDS}
    data.update(overrides)
    return data


def files_exist(key: str) -> bool:
    return all(default_storage.exists(images.path(key, size)) for size in images.SIZES)


# --- writing -------------------------------------------------------------------------------

def test_the_form_starts_with_the_members_default_level(as_user, owner):
    services.diary_preference_update(user=owner, default_visibility=Level.FRIENDS_OF_FRIENDS)
    body = as_user(owner).get(NEW).content.decode()
    assert '<option value="fof" selected>' in body
    assert_well_formed(body)


def test_the_title_of_an_entry_is_not_a_job_title_in_japanese(as_user, owner):
    # "title" is also the profile's job title (役職): each meaning has its own context.
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).get(NEW).content.decode()
    assert '<label for="id_title">タイトル' in body
    assert "役職" not in body


def test_public_is_offered_only_where_the_site_has_public_pages(settings):
    settings.SITE_PUBLIC_PAGES = False
    assert Level.PUBLIC not in dict(EntryForm().fields["visibility"].choices)
    assert not EntryForm(data=form_data(visibility=Level.PUBLIC)).is_valid()
    settings.SITE_PUBLIC_PAGES = True
    assert Level.PUBLIC in dict(EntryForm().fields["visibility"].choices)


def test_preview_renders_the_body_and_keeps_everything_without_saving(as_user, owner):
    response = as_user(owner).post(NEW, form_data(
        title="花見", body="上野で**桜**を見た。\n\n<script>alert(1)</script>",
        visibility=Level.MEMBERS, preview="1",
    ))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>桜</strong>" in body
    assert "<script>alert(1)" not in body
    assert 'value="花見"' in body
    assert "上野で**桜**を見た。" in body  # the textarea keeps the Markdown
    assert '<option value="members" selected>' in body
    assert not Entry.objects.exists()
    assert_well_formed(body)


def test_saving_writes_the_entry_and_shows_it(as_user, owner):
    client = as_user(owner)
    response = client.post(NEW, form_data(save="1"))
    entry = Entry.objects.get()
    assert response.status_code == 302 and response.url == entry.get_absolute_url()
    assert (entry.author, entry.title, entry.visibility) == (owner, "Cherry blossoms", "friends")
    assert entry.edited_at is None
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Went to <strong>Ueno</strong>." in page
    assert "Your diary entry was saved." in page


def test_an_author_field_in_the_post_is_ignored(as_user, owner, member):
    as_user(owner).post(NEW, form_data(author=member.pk))
    assert Entry.objects.get().author == owner


def test_a_title_is_required_and_the_body_is_kept(as_user, owner):
    response = as_user(owner).post(NEW, form_data(title="", body="Keep me."))
    assert response.status_code == 200
    assert "Keep me." in response.content.decode()
    assert not Entry.objects.exists()


def test_photos_are_stored_in_the_order_chosen(as_user, owner):
    as_user(owner).post(NEW, form_data(
        photo1=factories.image_file("PNG"), photo3=factories.image_file("GIF"),
    ))
    entry = Entry.objects.get()
    photos = list(entry.photos.all())
    assert [p.position for p in photos] == [0, 1]
    assert all(files_exist(p.image) for p in photos)


def test_a_bad_photo_keeps_the_text_and_saves_nothing(as_user, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_user(owner).post(NEW, form_data(
        body="My long text.", photo1=SimpleUploadedFile("x.jpg", b"not an image"),
    ))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This file is not an image we can use." in body
    assert "My long text." in body and 'value="Cherry blossoms"' in body
    assert not Entry.objects.exists() and not EntryPhoto.objects.exists()


# --- editing -------------------------------------------------------------------------------

def test_editing_changes_the_text_and_marks_the_entry_edited(as_user, owner):
    entry = write(owner)
    client = as_user(owner)
    edit = reverse("diary:edit", args=[entry.pk])
    assert_well_formed(client.get(edit).content.decode())
    response = client.post(edit, form_data(title="New title", visibility=Level.PRIVATE))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.visibility) == ("New title", "private")
    assert entry.edited_at is not None
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "edited" in page and "Only me" in page


def test_never_more_than_three_photos(as_user, owner):
    entry = write(owner, photos=2)
    client = as_user(owner)
    edit = reverse("diary:edit", args=[entry.pk])
    response = client.post(edit, form_data(
        photo1=factories.image_file(), photo2=factories.image_file(),
    ))
    assert response.status_code == 200
    assert "An entry has at most 3 photos." in response.content.decode()
    assert entry.photos.count() == 2
    # One more fits; so do two once one is removed.
    client.post(edit, form_data(photo1=factories.image_file()))
    assert sorted(entry.photos.values_list("position", flat=True)) == [0, 1, 2]
    response = client.post(edit, form_data(
        remove1="on", photo1=factories.image_file(), photo2=factories.image_file(),
    ))
    assert response.status_code == 200  # 2 kept + 2 new is still 4
    client.post(edit, form_data(remove0="on", remove1="on", photo1=factories.image_file()))
    assert entry.photos.count() == 2


def test_the_service_refuses_a_fourth_photo(owner):
    entry = write(owner, photos=3)
    with pytest.raises(services.TooManyPhotos):
        services.entry_update(
            entry=entry, title="t", body="b", visibility=Level.FRIENDS, new_photos=[processed()]
        )
    assert entry.photos.count() == 3


def test_removed_photo_files_go_after_commit(owner, django_capture_on_commit_callbacks):
    entry = write(owner, photos=2)
    first = entry.photos.get(position=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_update(
            entry=entry, title="t", body="b", visibility=Level.FRIENDS,
            new_photos=[processed()], remove_positions=[0],
        )
    assert not files_exist(first.image)
    assert sorted(entry.photos.values_list("position", flat=True)) == [0, 1]


@pytest.mark.parametrize("view", ["diary:edit", "diary:delete"])
def test_only_the_author_may_edit_or_delete(as_user, owner, friend, view):
    entry = write(owner, Level.MEMBERS)
    client = as_user(friend)
    url = reverse(view, args=[entry.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    entry.refresh_from_db()
    assert entry.title == "A day"


# --- deleting ------------------------------------------------------------------------------

def test_delete_asks_first_then_takes_photos_and_comments(
    as_user, owner, friend, django_capture_on_commit_callbacks
):
    entry = write(owner, photos=1)
    key = entry.photos.get().image
    Comment.objects.create(entry=entry, author=friend, body="Nice")
    client = as_user(owner)
    url = reverse("diary:delete", args=[entry.pk])
    confirm = client.get(url).content.decode()
    assert "Delete this entry?" in confirm
    assert_well_formed(confirm)
    assert Entry.objects.filter(pk=entry.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response.url == diary_url(owner)
    assert not Entry.objects.exists() and not Comment.objects.exists()
    assert not files_exist(key)


# --- the entry page ------------------------------------------------------------------------

def test_entry_page_shows_everything_to_the_author(as_user, owner):
    entry = write(owner, Level.FRIENDS_OF_FRIENDS, body="# Heading\n\n- one\n- two", photos=2)
    body = as_user(owner).get(entry.get_absolute_url()).content.decode()
    assert "<h1>Heading</h1>" in body and "<li>one</li>" in body
    assert reverse("diary:photo", args=[entry.pk, 1, "large"]) in body
    assert "Friends of friends" in body
    assert reverse("diary:edit", args=[entry.pk]) in body
    assert_well_formed(body)


def test_a_reader_sees_no_level_and_no_edit_links(as_user, owner, friend):
    entry = write(owner, Level.FRIENDS)
    body = as_user(friend).get(entry.get_absolute_url()).content.decode()
    assert "A day" in body
    assert reverse("diary:edit", args=[entry.pk]) not in body
    assert "Who can see it" not in body


def test_previous_and_next_are_the_authors_entries_the_viewer_may_see(
    as_user, owner, member, django_assert_max_num_queries
):
    old = factories.entry(owner, Level.MEMBERS, title="Oldest", ago=timedelta(days=3))
    factories.entry(owner, Level.FRIENDS, title="Hidden", ago=timedelta(days=2))
    middle = factories.entry(owner, Level.MEMBERS, title="Middle", ago=timedelta(days=1))
    factories.entry(member, Level.MEMBERS, title="Someone else", ago=timedelta(hours=5))
    new = factories.entry(owner, Level.MEMBERS, title="Newest", ago=timedelta(hours=1))
    client = as_user(member)
    body = client.get(middle.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{old.get_absolute_url()}"' in body
    assert f'rel="next" href="{new.get_absolute_url()}"' in body
    assert "Hidden" not in body and "Someone else" not in body
    assert 'rel="prev"' not in client.get(old.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(12):
        assert 'rel="next"' not in client.get(new.get_absolute_url()).content.decode()


def test_japanese_entry_renders(as_user, owner, friend, settings):
    settings.LANGUAGE_CODE = "ja"
    entry = write(owner, title="今日の日記", body="## 見出し\n\n> 引用です\n\n*強調*")
    response = as_user(friend).get(entry.get_absolute_url(), headers={"accept-language": "ja"})
    body = response.content.decode()
    assert "今日の日記" in body and "<h2>見出し</h2>" in body and "<em>強調</em>" in body
    assert "さんの日記" in body  # the site's own strings in Japanese
    assert_well_formed(body)


# --- photos --------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["owner", "friend"])
def test_a_photo_is_served_to_who_may_see_the_entry(as_user, owner, friend, persona):
    entry = write(owner, Level.FRIENDS, photos=1)
    viewer = {"owner": owner, "friend": friend}[persona]
    for size in images.SIZES:
        response = as_user(viewer).get(entry.photos.get().url(size))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:4] == b"RIFF"


@pytest.mark.parametrize("persona", ["fof", "member", "blocked"])
def test_a_photo_is_a_404_for_who_may_not_see_the_entry(as_user, owner, friend, request, persona):
    entry = write(owner, Level.FRIENDS, photos=1)
    viewer = request.getfixturevalue(persona)
    assert as_user(viewer).get(entry.photos.get().url("medium")).status_code == 404


def test_a_photo_is_a_login_redirect_for_anonymous_visitors(as_user, owner):
    entry = write(owner, Level.MEMBERS, photos=1)
    response = as_user(None).get(entry.photos.get().url("medium"))
    assert pages.is_login_redirect(response)


def test_unknown_photo_size_or_position_is_a_404(as_user, owner):
    entry = write(owner, photos=1)
    client = as_user(owner)
    assert client.get(reverse("diary:photo", args=[entry.pk, 0, "huge"])).status_code == 404
    assert client.get(reverse("diary:photo", args=[entry.pk, 1, "small"])).status_code == 404


# --- a member's diary and the archive ------------------------------------------------------

def test_member_diary_lists_visible_entries_newest_first_with_counts(as_user, owner, friend,
                                                                    member):
    first = factories.entry(owner, Level.MEMBERS, title="First", ago=timedelta(days=2))
    factories.entry(owner, Level.FRIENDS, title="ForFriends", ago=timedelta(days=1))
    factories.entry_photo(first)
    factories.entry_comment(first, friend)
    factories.entry_comment(first, member)
    body = as_user(member).get(diary_url(owner)).content.decode()
    assert "First" in body and "ForFriends" not in body
    assert "2 comments" in body
    assert reverse("diary:photo", args=[first.pk, 0, "small"]) in body
    assert_well_formed(body)
    friend_body = as_user(friend).get(diary_url(owner)).content.decode()
    assert friend_body.index("ForFriends") < friend_body.index("First")


def test_member_diary_is_a_404_across_a_block(as_user, owner, blocked):
    write(owner, Level.MEMBERS)
    assert as_user(blocked).get(diary_url(owner)).status_code == 404
    assert as_user(owner).get(diary_url(blocked)).status_code == 404
    assert as_user(owner).get(reverse("diary:member", args=[99999])).status_code == 404


def test_visitors_see_a_diary_only_with_public_entries_where_the_site_allows(
    as_user, owner, settings
):
    members_only = write(owner, Level.MEMBERS, title="ForMembers")
    client = as_user(None)
    assert pages.is_login_redirect(client.get(diary_url(owner)))
    settings.SITE_PUBLIC_PAGES = True
    assert client.get(diary_url(owner)).status_code == 404
    assert client.get(pages.archive_url(members_only)).status_code == 404
    assert client.get(members_only.get_absolute_url()).status_code == 404
    public = write(owner, Level.PUBLIC, title="ForEveryone", photos=1)
    body = client.get(diary_url(owner)).content.decode()
    assert "ForEveryone" in body and "ForMembers" not in body
    assert client.get(public.get_absolute_url()).status_code == 200
    assert client.get(public.photos.get().url("small")).status_code == 200
    assert not Footprint.objects.exists()


def test_member_diary_is_paginated_by_20(as_user, owner):
    for n in range(23):
        factories.entry(owner, Level.MEMBERS, title=f"Entry-{n:02d}", ago=timedelta(hours=n + 1))
    client = as_user(owner)
    first = client.get(diary_url(owner)).content.decode()
    assert first.count('class="entry-row"') == 20
    assert "Entry-00" in first and "Entry-20" not in first
    second = client.get(diary_url(owner) + "?page=2").content.decode()
    assert second.count('class="entry-row"') == 3 and "Entry-22" in second


@pytest.mark.parametrize("count", [5, 50])
def test_member_diary_queries_are_bounded(
    as_user, owner, friend, member, django_assert_max_num_queries, count
):
    for n in range(count):
        entry = factories.entry(owner, Level.MEMBERS, ago=timedelta(days=n))
        factories.entry_comment(entry, friend)
        if n % 3 == 0:
            factories.entry_photo(entry)
    client = as_user(member)
    with django_assert_max_num_queries(12):
        assert client.get(diary_url(owner)).status_code == 200
    month = pages.archive_url(entry)
    with django_assert_max_num_queries(12):
        assert client.get(month).status_code == 200


def test_archive_months_and_a_months_entries(as_user, owner, member):
    def at(year, month, day, hour=12):
        return datetime(year, month, day, hour, tzinfo=TOKYO)

    titles = {
        "April": at(2025, 4, 10), "MayStart": at(2025, 5, 1, 0),  # 15:00 UTC on 30 April
        "MayEnd": at(2025, 5, 31, 23), "Hidden": at(2025, 3, 3),
    }
    for title, when in titles.items():
        level = Level.FRIENDS if title == "Hidden" else Level.MEMBERS
        Entry.objects.create(author=owner, title=title, body="b", visibility=level,
                             created_at=when)
    client = as_user(member)
    body = client.get(diary_url(owner)).content.decode()
    may = reverse("diary:archive", args=[owner.pk, 2025, 5])
    april = reverse("diary:archive", args=[owner.pk, 2025, 4])
    assert may in body and april in body
    assert reverse("diary:archive", args=[owner.pk, 2025, 3]) not in body
    assert body.index(may) < body.index(april)
    may_body = client.get(may).content.decode()
    assert "MayStart" in may_body and "MayEnd" in may_body and "April" not in may_body.split(
        '<ul class="entries">')[1].split("</ul>")[0]
    assert_well_formed(may_body)
    assert client.get(reverse("diary:archive", args=[owner.pk, 2025, 13])).status_code == 404
    assert as_user(owner).get(reverse("diary:archive", args=[owner.pk, 2025, 3])).status_code == 200


# --- footprints ----------------------------------------------------------------------------

def test_diary_pages_leave_footprints_on_the_author(as_user, owner, friend):
    entry = write(owner, Level.FRIENDS)
    as_user(friend).get(entry.get_absolute_url())
    assert Footprint.objects.filter(visitor=friend, owner=owner).count() == 1
    Footprint.objects.all().delete()
    as_user(friend).get(diary_url(owner))
    assert Footprint.objects.filter(visitor=friend, owner=owner).count() == 1


def test_no_footprint_on_ones_own_diary_or_a_hidden_entry(as_user, owner, member):
    entry = write(owner, Level.FRIENDS)
    as_user(owner).get(entry.get_absolute_url())
    as_user(owner).get(diary_url(owner))
    assert as_user(member).get(entry.get_absolute_url()).status_code == 404
    assert not Footprint.objects.exists()


# --- settings, navigation ------------------------------------------------------------------

def test_default_level_is_a_setting(as_user, owner):
    client = as_user(owner)
    page = client.get(SETTINGS).content.decode()
    assert "Who can see my new diary entries" in page
    client.post(SETTINGS, {
        "language": "en", "leaves_footprints": "on", "friends_visibility": "members",
        "default_visibility": Level.PRIVATE,
    })
    assert DiaryPreference.objects.get(user=owner).default_visibility == Level.PRIVATE
    assert '<option value="private" selected>' in client.get(NEW).content.decode()


def test_nav_and_profile_link_to_the_diary(as_user, owner, friend):
    home = as_user(friend).get("/").content.decode()
    assert ">Diary<" in home
    profile = as_user(friend).get(owner.get_absolute_url()).content.decode()
    assert diary_url(owner) in profile


def test_entry_times_are_shown_in_the_sites_time_zone(as_user, owner):
    entry = Entry.objects.create(
        author=owner, title="t", body="b",
        created_at=datetime(2025, 1, 1, 15, 30, tzinfo=ZoneInfo("UTC")),
    )
    body = as_user(owner).get(entry.get_absolute_url()).content.decode()
    assert timezone.localtime(entry.created_at).isoformat() in body
    assert "2025-01-02T00:30:00+09:00" in body


def test_opening_the_write_form_writes_nothing(owner, as_user):
    from diary.models import DiaryPreference

    assert as_user(owner).get("/diary/new/").status_code == 200
    assert not DiaryPreference.objects.filter(user=owner).exists()
