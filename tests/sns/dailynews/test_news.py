"""What one member's daily news holds: what they may see, nothing of a member who left, is
suspended or stands in a block with them; a fixed number of queries however much there is;
the mail in their language, with a one-click unsubscribe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Footprint, Profile, User
from accounts.services import block_create
from diary.models import Entry
from sns.dailynews.mail import news_message
from sns.dailynews.selectors import LOOK_BACK, news_for, news_since
from sns.leaving.services import member_leave
from sns.models import DailyNewsDelivery, Like
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db


def news_of(member):
    now = timezone.now()
    return news_for(member, since=news_since(member, now), now=now,
                    today=timezone.localdate(now))


def like(member, entry):
    return Like.objects.create(member=member, target_id=entry.pk,
                               target_type=ContentType.objects.get_for_model(Entry))


def visit(visitor, owner, ago=timedelta(hours=1)):
    return Footprint.objects.create(visitor=visitor, owner=owner,
                                    day=timezone.localdate(), visited_at=timezone.now() - ago)


def born_in(member, days, shown=Level.FRIENDS):
    day = timezone.localdate() + timedelta(days=days)
    Profile.objects.filter(user=member).update(birth_month=day.month, birth_day=day.day,
                                               birthday_visibility=shown)


@pytest.fixture
def circle(owner, friend, fof, member):
    """owner's world: a friend who blocks owner after becoming a friend (``blocker``), a
    suspended friend, a community with topics by each."""
    blocker = factories.member("Blocker Friend")
    factories.befriend(owner, blocker)
    suspended = factories.member("Suspended Friend")
    factories.befriend(owner, suspended)
    club = factories.community(owner, members=[friend, fof, member, blocker, suspended],
                               name="Kite Club")
    return {"blocker": blocker, "suspended": suspended, "club": club}


def test_the_news_holds_what_owner_may_see_and_nothing_else(owner, friend, fof, member,
                                                            circle):
    blocker, suspended, club = circle["blocker"], circle["suspended"], circle["club"]
    shown_entry = factories.entry(friend, Level.FRIENDS, title="Friend kite day")
    factories.entry(friend, Level.PRIVATE, title="Friend private")
    factories.entry(friend, Level.FRIENDS, title="Friend old", ago=LOOK_BACK + timedelta(hours=1))
    factories.entry(fof, Level.MEMBERS, title="Not a friend's")
    for person in (blocker, suspended):
        factories.entry(person, Level.FRIENDS, title=f"By {person.display_name}")
        factories.topic(club, person, title=f"Topic by {person.display_name}")
        born_in(person, 1)
    shown_album = factories.album(friend, Level.FRIENDS, title="Friend hike", photos=1)
    factories.album(friend, Level.PRIVATE, title="Friend private album", photos=1)
    factories.album(friend, Level.FRIENDS, title="Friend empty album")
    factories.album(fof, Level.MEMBERS, title="Not a friend's album", photos=1)
    factories.album(blocker, Level.FRIENDS, title="Blocker's album", photos=1)
    factories.topic(club, member, title="Member topic")
    factories.topic(club, owner, title="My own topic")
    factories.event(friend, days=2, title="Friend meetup", visibility=Level.FRIENDS)
    factories.event(friend, days=10, title="Far meetup", visibility=Level.FRIENDS)
    factories.event(member, days=2, title="Stranger meetup")  # not mine, friends' or club's
    born_in(friend, 0)
    born_in(fof, 0, shown=Level.MEMBERS)
    mine = factories.entry(owner, Level.MEMBERS, title="Mine")
    for person in (friend, member, blocker, suspended):
        factories.entry_comment(mine, person)
        like(person, mine)
        visit(person, owner)
    like(owner, mine)  # my own like is no news
    factories.entry_comment(mine, owner)
    departed = factories.member("Departed Member")
    factories.befriend(owner, departed)
    factories.join(club, [departed])
    factories.topic(club, departed, title="Topic by one who left")
    factories.entry_comment(mine, departed)
    like(departed, mine)
    visit(departed, owner)
    block_create(blocker=blocker, blocked=owner)
    User.objects.filter(pk=suspended.pk).update(is_active=False)
    member_leave(member=departed, password=factories.PASSWORD)

    news = news_of(owner)
    assert [e.pk for e in news.entries] == [shown_entry.pk]
    assert [a.pk for a in news.albums] == [shown_album.pk]
    assert [t.title for t in news.topics] == ["Member topic"]
    assert [e.title for e in news.events] == ["Friend meetup"]
    assert [m.pk for m, _day in news.birthdays] == [friend.pk]
    assert (news.comments, news.likes, news.footprints) == (2, 2, 2)
    assert not news.is_empty


def test_since_the_last_news_at_most_a_day(owner):
    now = timezone.now()
    assert news_since(owner, now) == now - LOOK_BACK
    DailyNewsDelivery.objects.create(member=owner, day=timezone.localdate() - timedelta(days=1),
                                     sent_at=now - timedelta(hours=3))
    DailyNewsDelivery.objects.create(member=owner, day=timezone.localdate(), sent_at=None)
    assert news_since(owner, now) == now - timedelta(hours=3)


def test_nothing_new_is_empty(owner, friend):
    assert news_of(owner).is_empty


@pytest.mark.parametrize("n", [3, 25])
def test_a_fixed_number_of_queries(owner, n):
    club = factories.community(owner)
    mine = factories.entry(owner, Level.MEMBERS)
    for i in range(n):
        person = factories.member()
        factories.befriend(owner, person)
        factories.join(club, [person])
        factories.entry(person, Level.FRIENDS)
        factories.album(person, Level.FRIENDS, photos=1)
        factories.topic(club, person)
        factories.event(person, days=1 + i % 5, visibility=Level.FRIENDS)
        factories.entry_comment(mine, person)
        like(person, mine)
        visit(person, owner)
        born_in(person, i % 7)
    owner = User.objects.select_related("profile").get(pk=owner.pk)
    news_of(owner)  # content types, the site policy: read once per process
    with CaptureQueriesContext(connection) as queries:
        news = news_of(owner)
        news_message(news)
    assert len(queries) <= 10, [q["sql"][:100] for q in queries]
    assert len(news.albums) == min(n, 10)
    assert news.comments == news.likes == news.footprints == n


def test_the_mail_in_the_members_language_with_one_click_unsubscribe(owner, friend):
    User.objects.filter(pk=owner.pk).update(language="ja")
    owner = User.objects.select_related("profile").get(pk=owner.pk)
    factories.entry(friend, Level.FRIENDS, title="Kite & string")
    born_in(friend, 0)
    factories.event(friend, days=2, title="Beach meetup", visibility=Level.FRIENDS)
    club = factories.community(owner, members=[friend], name="Kite Club")
    factories.topic(club, friend, title="Best winds")
    mine = factories.entry(owner, Level.MEMBERS)
    factories.entry_comment(mine, friend)
    like(friend, mine)
    visit(friend, owner)
    message = news_message(news_of(owner))
    for words in ("Beach meetup", "Best winds", "Kite Club", "Friend Person"):
        assert words in message.body
    # (The words new with the daily news are translated by the lead, with the .po file.)
    assert "Owner Personさん、こんにちは。" in message.body
    assert "Kite & string" in message.body  # text, not HTML-escaped
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html" and "Kite &amp; string" in html
    assert_well_formed(html)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/daily-news/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
