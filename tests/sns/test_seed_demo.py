"""`make run`'s demo data (manage.py seed_demo): a site that looks lived in on first run, made
through the apps' services, loaded once, and a printout that says what opening the admin asks."""

import io
import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Footprint, Introduction, User
from communities.models import Community, JoinPolicy, Topic, TopicComment
from diary.models import Comment, Entry, EntryPhoto
from offkai import selectors
from offkai.models import RSVP, Answer, Event
from sns.home.selectors import home_for
from sns.models import LimitedAction, Notification
from sns.notifications.selectors import unread_count
from sns.visibility import Level
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

HANAKO = "hanako@example.com"
COUNTED = (User, Entry, EntryPhoto, Comment, Community, Topic, TopicComment, Event, RSVP,
           Footprint, Introduction, Notification)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in COUNTED}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.content.decode()
    assert_well_formed(body)
    return body


def test_the_demo_is_a_living_site_loaded_once(as_user):
    seed()
    loaded = counts()
    again = seed()
    assert "already loaded" in again
    assert counts() == loaded

    hanako = User.objects.get(email=HANAKO)
    home = home_for(hanako)
    # Friends' diaries, new comments on what she wrote or commented on, new topics in her
    # communities, upcoming off-kai, visitors: every part of home has something.
    assert len(home.sections.diaries) >= 4 and home.sections.diaries_more
    assert len(home.sections.commented) >= 2
    assert len(home.topics) >= 3
    assert len(home.events) >= 3
    assert home.footprints >= 4
    assert home.join_requests >= 1
    assert unread_count(hanako) >= 5
    assert Notification.objects.filter(recipient=hanako, read_at__isnull=False).exists()

    client = as_user(hanako)
    body = page(client, reverse("home"))
    for entry in home.sections.diaries:
        assert entry.title in body or entry.title.replace("'", "&#x27;") in body
    for topic in home.topics:
        assert topic.title in body
    # Her friends' diaries come with their photos.
    friends_diaries = page(client, reverse("diary:friends"))
    assert len(re.findall(r'<img [^>]*src="/diary/\d+/photos/', friends_diaries)) >= 3
    assert page(client, reverse("notifications:list"))

    # Content at every level a member can choose, in Japanese and in English, spread over
    # the last weeks.
    levels = set(Entry.objects.values_list("visibility", flat=True))
    assert {Level.MEMBERS, Level.FRIENDS_OF_FRIENDS, Level.FRIENDS, Level.PRIVATE} <= levels
    titles = list(Entry.objects.values_list("title", flat=True))
    assert any(re.search("[ぁ-んァ-ン一-龥]", t) for t in titles)
    assert any(re.fullmatch(r"[\x20-\x7e’]+", t) for t in titles)
    oldest = Entry.objects.order_by("created_at").first().created_at
    assert oldest < timezone.now() - timedelta(days=14)
    assert EntryPhoto.objects.count() >= 6
    # Communities of every join policy, each with topics that have replies.
    for policy in JoinPolicy.values:
        assert Topic.objects.filter(
            community__join_policy=policy, comment_count__gte=2
        ).exists(), policy
    # Off-kai past (attendance confirmed: "met at") and upcoming (with a waitlist).
    assert RSVP.objects.filter(answer=Answer.WAITLISTED).exists()
    taro = User.objects.get(email="taro@example.com")
    assert selectors.met_at(hanako, taro)
    introductions = Introduction.objects.filter(subject=hanako)
    assert introductions.count() >= 2
    assert introductions.filter(updated_at__lt=timezone.now() - timedelta(days=7)).exists()
    # Albums: Taro's for friends (Hanako sees it on home), the hiking community's with
    # photos by two of its members.
    from albums.models import Album
    assert Album.objects.filter(owner=taro, photo_count=3).exists()
    club_album = Album.objects.get(community__isnull=False)
    assert set(club_album.photos.values_list("uploader", flat=True)) == {
        club_album.owner_id, hanako.pk}
    home = as_user(hanako).get("/").content.decode()
    assert "高尾山ハイキング" in home
    # The seed's own writes leave the demo members their full allowances for trying it out.
    assert not LimitedAction.objects.exists()


def test_the_printout_says_what_opening_the_admin_asks_for():
    printed = seed()
    assert "admin@example.com / tsunagari-demo" in printed
    assert "hanako@example.com / tsunagari-demo" in printed
    steps = printed[printed.index("/admin/"):]
    # In the order the site asks (tests/sns/test_admin_mfa.py walks the same way).
    order = ["password again", "authenticator app", "QR code", "recovery codes",
             "code from the app"]
    positions = [steps.find(words) for words in order]
    assert -1 not in positions, positions
    assert positions == sorted(positions)
    assert "reset_second_factor" in printed
    # So the setup steps are what the demo admin will meet: no app yet.
    admin = User.objects.get(email="admin@example.com")
    assert admin.check_password("tsunagari-demo")
    assert all(m.check_password("tsunagari-demo") for m in User.objects.exclude(pk=admin.pk))
    assert not Authenticator.objects.filter(user=admin).exists()
    # Said again on every run, not only the first.
    assert "recovery codes" in seed()


def test_a_demo_database_from_before_the_content_gets_it_once():
    from sns.management.commands.seed_demo import Command

    Command()._load()  # what seed_demo loaded before it wrote any content
    members = User.objects.count()
    assert not Entry.objects.exists()
    assert "Demo data loaded." in seed()
    assert User.objects.count() == members
    assert Entry.objects.exists() and Topic.objects.exists()
    loaded = counts()
    seed()
    assert counts() == loaded


def test_the_seed_forgets_the_cached_parts_it_wrote_around(settings):
    # The seed dates and marks read the notifications the services wrote, behind the cached
    # parts' back (tests/sns/test_caching.py names it as the one such writer): every part
    # kept before it is gone after it.
    from django.core.cache import caches

    from sns import cache

    settings.CACHES = {**settings.CACHES, cache.ALIAS: {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/13",
        "KEY_PREFIX": "test-seed-demo",
    }}
    parts = caches[cache.ALIAS]
    parts.clear()
    try:
        assert cache.cached("demo", [cache.inbox(1)], lambda: "before the seed") == (
            "before the seed")
        seed()
        assert cache.cached("demo", [cache.inbox(1)], lambda: "after") == "after"
    finally:
        parts.clear()
