import pytest
from django.test import Client


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.sns.urls_errors"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "english", "japanese"),
    [
        ("/fail/400/", 400, "Bad request", "不正なリクエスト"),
        ("/fail/403/", 403, "Not allowed", "この操作は許可されていません"),
        ("/no/such/page/", 404, "Page not found", "ページが見つかりません"),
        ("/fail/500/", 500, "Something went wrong", "問題が発生しました"),
    ],
)
def test_error_pages_are_styled_and_translated(error_urls, url, status, english, japanese):
    client = Client(raise_request_exception=False)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    body = response.content.decode()
    assert english in body
    assert "/static/css/site.css" in body
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert japanese in response.content.decode()


@pytest.mark.django_db
def test_landing_for_visitors_shows_site_name_policy_and_login(client):
    body = client.get("/").content.decode()
    assert "Tsunagari" in body
    assert "Site policy" in body
    assert "/accounts/login/" in body


@pytest.mark.django_db
def test_home_for_members_shows_friends_and_invitations(as_user, owner, friend):
    body = as_user(owner).get("/").content.decode()
    assert "Friend Person" in body
    assert "You can invite 5 more people." in body


@pytest.mark.django_db
def test_home_for_a_new_member_has_an_empty_state(as_user, member):
    body = as_user(member).get("/").content.decode()
    assert "No friends yet." in body


@pytest.mark.django_db
def test_language_switch_remembers_the_members_choice(as_user, member):
    client = as_user(member)
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "ja"
    assert "友だち" in client.get("/").content.decode()
