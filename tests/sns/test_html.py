"""Every page the foundation serves is well-formed HTML, for a visitor and for a member."""

import pytest
from django.urls import reverse

from tests import factories
from tests.html import assert_well_formed


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/", "/policy/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
    "/no/such/page/",
])
def test_visitor_pages_are_well_formed(client, url):
    response = client.get(url)
    assert response.status_code in {200, 404}
    assert_well_formed(response.content.decode())


@pytest.mark.django_db
def test_member_pages_are_well_formed(
    as_user, owner, friend, fof, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = factories.invitation(owner, "guest@example.com", message="ようこそ")
    client = as_user(owner)
    urls = [
        "/", reverse("accounts:profile", args=[owner.pk]),
        reverse("accounts:profile", args=[fof.pk]), reverse("accounts:friends", args=[owner.pk]),
        reverse("accounts:edit"), reverse("accounts:settings"), reverse("invites:mine"),
        reverse("account_email"), reverse("account_change_password"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_well_formed(response.content.decode())
    # The invitation page, as the invitee sees it and as a logged-in member does.
    for viewer in (None, owner):
        response = as_user(viewer).get(invitation.get_absolute_url())
        assert response.status_code == 200
        assert_well_formed(response.content.decode())
