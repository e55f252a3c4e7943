"""The main navigation (sns/templatetags/chrome.py): built once per process and language, it
still marks the page being shown, the member's own page, the counts and the staff's admin
link, in the member's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from sns.notify import Kind, notify
from sns.templatetags.chrome import NAV


def _nav(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return re.search(r'<nav class="main-nav".*?</nav>', response.content.decode(), re.S).group(0)


def _current(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


@pytest.mark.parametrize("url_name, current", [
    ("home", "/"),
    ("diary:friends", "/diary/"),
    ("diary:new", "/diary/"),
    ("communities:list", "/communities/"),
    ("offkai:list", "/offkai/"),
    ("accounts:friend_requests", "/friends/requests/"),
    ("notifications:list", "/notifications/"),
    ("accounts:footprints", "/footprints/"),
    ("invites:mine", "/invite/"),
    ("accounts:settings", "/me/settings/"),
    ("policy", None),
])
def test_the_page_shown_is_marked(url_name, current, member, as_user):
    nav = _nav(as_user(member), reverse(url_name))
    assert _current(nav) == ([current] if current else [])


def test_my_page_is_marked_on_mine_only(owner, friend, as_user):
    client = as_user(owner)
    assert _current(_nav(client, owner.get_absolute_url())) == [owner.get_absolute_url()]
    assert _current(_nav(client, friend.get_absolute_url())) == []
    # Each member's "My page" is their own, whoever was served before them in the process.
    assert f'<a href="{friend.get_absolute_url()}">My page</a>' in _nav(as_user(friend), "/")


def test_counts_admin_and_language(owner, friend, member, moderator, as_user):
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    accounts_services.friend_request_send(sender=member, recipient=owner)
    nav = _nav(as_user(owner), "/")
    assert 'Friend requests <span class="nav-count">1</span>' in nav
    assert 'Notifications <span class="nav-count" title="unread">2</span>' in nav
    assert "Admin" not in nav
    assert len(re.findall(r"<a ", nav)) == len(NAV) - 1
    staff = _nav(as_user(moderator), "/")
    assert '<a href="/admin/">Admin</a>' in staff
    ja = _nav(as_user(owner), "/", HTTP_ACCEPT_LANGUAGE="ja")
    assert '友だち申請 <span class="nav-count">1</span>' in ja
    assert 'お知らせ <span class="nav-count" title="未読">2</span>' in ja
    assert ">ホーム</a>" in ja and ">Home</a>" not in ja
