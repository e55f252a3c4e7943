"""Stopping the daily news from a mail without logging in (a signed link: GET asks, POST
stops; RFC 8058 one-click POST), and choosing it on the settings page."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.models import User
from sns.dailynews.mail import unsubscribe_token, unsubscribe_url
from sns.notifications.mail import unsubscribe_token as notifications_token
from sns.notify import Kind
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db


def chose(member) -> bool:
    return User.objects.get(pk=member.pk).daily_news


@pytest.fixture
def reader(owner):
    User.objects.filter(pk=owner.pk).update(daily_news=True)
    return owner


def url(token: str) -> str:
    return reverse("dailynews:unsubscribe", args=[token])


def test_get_asks_and_changes_nothing(reader):
    response = Client().get(url(unsubscribe_token(reader)))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Stop sending the daily news to owner@example.com?" in body
    assert chose(reader)


def test_post_stops_the_news_without_a_login_or_csrf_token(reader):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(unsubscribe_token(reader)),
                           {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "will no longer get the daily news" in response.content.decode()
    assert not chose(reader)
    # Twice is harmless.
    assert client.post(url(unsubscribe_token(reader))).status_code == 200


def test_the_link_in_the_mail_is_this_page(reader):
    assert unsubscribe_url(reader).endswith(url(unsubscribe_token(reader)))


@pytest.mark.parametrize("make", [
    lambda m: unsubscribe_token(m)[:-2] + "xx",  # altered
    lambda m: signing.dumps(m.pk),  # no salt
    lambda m: signing.dumps(m.pk, salt="sns.notifications.unsubscribe"),  # another salt
    lambda m: notifications_token(m, [Kind.DIARY_COMMENT]),  # another purpose
    lambda m: "not-a-token",
])
def test_a_token_for_anything_else_is_a_404(reader, make):
    for method in ("get", "post"):
        response = getattr(Client(), method)(url(make(reader)))
        assert response.status_code == 404
    assert chose(reader)


def test_a_member_who_left_is_a_404(reader):
    token = unsubscribe_token(reader)
    User.objects.filter(pk=reader.pk).update(is_active=False)
    assert Client().post(url(token)).status_code == 404


def test_the_page_speaks_the_members_language(reader, friend, as_user):
    User.objects.filter(pk=reader.pk).update(language="ja")
    body = as_user(friend).get(url(unsubscribe_token(reader))).content.decode()
    assert 'lang="ja"' in body or "設定" in body


def test_the_settings_page_chooses_the_news(member, as_user):
    client = as_user(member)
    body = client.get(reverse("accounts:settings")).content.decode()
    assert 'name="daily_news"' in body
    data = {"language": "en", "leaves_footprints": "on", "friends_visibility": "members",
            "default_visibility": "friends", "reach": "members", "daily_news": "on"}
    assert client.post(reverse("accounts:settings"), data).status_code == 302
    assert chose(member)
    data.pop("daily_news")
    client.post(reverse("accounts:settings"), data)
    assert not chose(member)
