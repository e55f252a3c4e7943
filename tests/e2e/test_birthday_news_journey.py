"""Birthdays and the daily news in a real browser: a member gives a birthday on their
profile (the year for friends only), a friend sees it on the profile and on home; the friend
chooses the daily news, gets it, and stops it from the mail's link without logging in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Profile, User
from sns.dailynews.services import daily_news_start
from sns.visibility import Level
from tests import factories
from tests.e2e.journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_birthday_on_the_profile_and_home_and_the_daily_news(live_server, page, new_context):
    aki = factories.member("Aki Tanaka", email="aki@example.com")
    ben = factories.member("Ben Sato", email="ben@example.com")
    factories.befriend(aki, ben)
    base = live_server.url
    soon = timezone.localdate() + timedelta(days=2)

    # Aki gives her birthday, in two days, with the year for friends only.
    log_in(page, base, "aki@example.com")
    page.goto(f"{base}/me/edit/")
    page.get_by_label("Birthday: month").select_option(str(soon.month))
    page.get_by_label("Birthday: day").select_option(str(soon.day))
    page.get_by_role("spinbutton", name="Year of birth").fill("1990")
    page.get_by_label("Who sees my year of birth").select_option(Level.FRIENDS)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your profile was saved.")
    profile = Profile.objects.get(user=aki)
    assert (profile.birth_month, profile.birth_day, profile.birth_year) == (
        soon.month, soon.day, 1990)

    # Ben sees it on her page (with the year) and among his friends' birthdays on home.
    ben_page = new_context().new_page()
    log_in(ben_page, base, "ben@example.com")
    ben_page.goto(f"{base}{aki.get_absolute_url()}")
    expect(ben_page.locator(".birthday")).to_contain_text("1990")
    ben_page.goto(f"{base}/")
    section = ben_page.locator(".home-birthdays")
    expect(section.get_by_role("link", name="Aki Tanaka")).to_have_attribute(
        "href", aki.get_absolute_url())

    # Ben chooses the daily news in his settings.
    ben_page.goto(f"{base}/me/settings/")
    ben_page.get_by_label("Daily news by email").check()
    ben_page.get_by_role("button", name="Save").click()
    expect(ben_page.locator(".messages")).to_contain_text("Your settings were saved.")
    assert User.objects.get(pk=ben.pk).daily_news

    # The news goes out (the hourly command, past the hour) and names Aki's birthday.
    django_mail.outbox = []
    factories.entry(aki, Level.FRIENDS, title="Kites over Kamakura")
    daily_news_start(now=timezone.localtime().replace(hour=23))
    [news] = django_mail.outbox
    assert "Kites over Kamakura" in news.body and "Aki Tanaka" in news.body
    stop = re.search(r"https?://\S+/daily-news/unsubscribe/\S+/", news.body).group(0)

    # From the mail, without logging in: the link asks, the button stops it.
    visitor = new_context().new_page()
    visitor.goto(base + stop[stop.index("/daily-news/"):])
    expect(visitor.locator("h1")).to_have_text("Stop the daily news")
    assert User.objects.get(pk=ben.pk).daily_news  # a look changes nothing
    visitor.get_by_role("button", name="Stop the daily news").click()
    expect(visitor.get_by_role("status")).to_contain_text("will no longer get the daily news")
    assert not User.objects.get(pk=ben.pk).daily_news
