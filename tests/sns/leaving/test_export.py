"""Download my data (/me/data/): a zip of JSON and photos, only the member's own."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import introduction_write
from communities.models import Role
from diary import services as diary_services
from diary.models import Comment
from offkai.models import Answer
from sns import images
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

DATA = reverse("leaving:data")


def download(client) -> zipfile.ZipFile:
    response = client.post(DATA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition
    assert f"tsunagari-{timezone.localdate().isoformat()}.zip" in disposition
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


@pytest.fixture
def rich_owner(owner, friend, member):
    """``owner`` with something of every kind, and ``member`` with their own things."""
    entry = diary_services.entry_create(
        author=owner, title="わたしの日記", body="今日は晴れ。", visibility=Level.FRIENDS,
        photos=[images.process(factories.image_file()), images.process(factories.image_file())],
    )
    factories.entry_comment(entry, friend, "いいね！")
    others = factories.entry(friend, Level.MEMBERS, title="Friend's entry")
    factories.entry_comment(others, owner, "My comment on a friend's entry")
    factories.entry(member, Level.MEMBERS, title="SECRET-OF-MEMBER", body="SECRET-OF-MEMBER")
    club = factories.community(owner, name="写真部")
    factories.join(club, [friend])
    topic = factories.topic(club, owner, title="Welcome topic")
    factories.topic_comment(topic, owner, "My topic comment")
    event = factories.event(owner, title="新年会")
    factories.answer(event, owner)
    introduction_write(author=friend, subject=owner, body="頼れる友人です。")
    introduction_write(author=owner, subject=friend, body="Great friend.")
    factories.invitation(owner, "invitee@example.com", send=False)
    return owner


def test_the_settings_page_links_to_leaving(owner, as_user):
    page = as_user(owner).get(reverse("accounts:settings")).content.decode()
    assert DATA in page and reverse("leaving:leave") in page


def test_the_data_page_shows_a_button(owner, as_user):
    response = as_user(owner).get(DATA)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert 'method="post"' in response.content.decode()


def test_the_zip_holds_every_file_and_its_content(rich_owner, friend, as_user):
    archive = download(as_user(rich_owner))
    names = set(archive.namelist())
    for name in [
        "profile.json", "friends.json", "diary/entries.json", "comments.json",
        "communities.json", "events.json", "introductions.json", "invitations.json",
    ]:
        assert name in names
    profile = read_json(archive, "profile.json")
    assert profile["email"] == "owner@example.com"
    assert profile["real_name"] == "Owner Person"
    assert profile["company"] == "Owner K.K."
    assert profile["date_joined"].endswith("Z")
    assert profile["birthday"] == {"month": None, "day": None, "year": None}
    assert profile["visibility"]["birthday"] == "friends"
    assert profile["daily_news"] is False
    assert [f["name"] for f in read_json(archive, "friends.json")] == ["Friend Person"]

    entries = read_json(archive, "diary/entries.json")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["title"] == "わたしの日記"
    assert [c["body"] for c in entry["comments"]] == ["いいね！"]
    assert entry["comments"][0]["author"] == "Friend Person"
    assert entry["photos"] == [f"diary/photos/{entry['id']}-0.webp",
                               f"diary/photos/{entry['id']}-1.webp"]
    for name in entry["photos"]:
        data = archive.read(name)
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    # Written as UTF-8, not escaped.
    assert "わたしの日記".encode() in archive.read("diary/entries.json")

    comments = read_json(archive, "comments.json")
    assert [c["body"] for c in comments["diary"]] == ["My comment on a friend's entry"]
    assert comments["diary"][0]["entry_title"] == "Friend's entry"
    assert [c["body"] for c in comments["topics"]] == ["My topic comment"]
    assert comments["topics"][0]["community"] == "写真部"
    communities = read_json(archive, "communities.json")
    assert communities["memberships"][0]["role"] == Role.ADMIN
    assert [t["title"] for t in communities["topics_started"]] == ["Welcome topic"]
    events = read_json(archive, "events.json")
    assert [e["title"] for e in events["hosting"]] == ["新年会"]
    assert events["answers"][0]["answer"] == Answer.ATTENDING
    introductions = read_json(archive, "introductions.json")
    assert introductions["about_me"][0]["body"] == "頼れる友人です。"
    assert introductions["written_by_me"][0]["subject"] == "Friend Person"
    invitations = read_json(archive, "invitations.json")
    assert [(i["email"], i["state"]) for i in invitations] == [("invitee@example.com", "pending")]


def test_another_members_data_is_never_in_it(rich_owner, member, as_user):
    archive = download(as_user(rich_owner))
    for name in archive.namelist():
        assert b"SECRET-OF-MEMBER" not in archive.read(name)
        assert b"member@example.com" not in archive.read(name)
    # And the member's own zip holds theirs, not the owner's.
    theirs = download(as_user(member))
    assert read_json(theirs, "diary/entries.json")[0]["title"] == "SECRET-OF-MEMBER"
    assert b"Owner K.K." not in theirs.read("profile.json")


def test_comments_of_a_member_who_left_show_as_deleted_member(owner, friend, as_user):
    entry = factories.entry(owner, Level.MEMBERS)
    factories.entry_comment(entry, friend, "from someone gone")
    Comment.objects.filter(author=friend).update(author=None)
    comment = read_json(download(as_user(owner)), "diary/entries.json")[0]["comments"][0]
    assert comment == {**comment, "author": "deleted member", "body": "from someone gone"}


def test_get_never_builds_the_zip(owner, as_user):
    response = as_user(owner).get(DATA)
    assert response["Content-Type"].startswith("text/html")


def test_visitors_are_sent_to_log_in(db, client):
    assert client.post(DATA).status_code == 302


@pytest.mark.parametrize("n", [5, 50])
def test_the_queries_are_bounded(owner, friend, as_user, django_assert_max_num_queries, n):
    base = timezone.now() - timedelta(days=1)
    for i in range(n):
        entry = factories.entry(owner, Level.FRIENDS, ago=timedelta(minutes=i + 1))
        factories.entry_comment(entry, friend, f"c{i}")
        if i < 3:
            factories.entry_photo(entry)
        other = factories.entry(friend, Level.MEMBERS)
        Comment.objects.create(entry=other, author=owner, body=f"mine {i}", created_at=base)
    client = as_user(owner)
    with django_assert_max_num_queries(22):
        archive = download(client)
    assert len(read_json(archive, "diary/entries.json")) == n
    assert len(read_json(archive, "comments.json")["diary"]) == n
