"""Control characters (C0 but tab, newline and carriage return, and DEL) never reach the
database from what members or the operator write: every form's text field drops them, and so
do the comment services, which take the text straight from the request. The writers of other
formats (tests/offkai/test_calendar.py, tests/accounts/test_circle.py) cope with rows stored
before."""

import io

import pytest
from django import forms
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Profile, User
from diary import services as diary_services
from diary.models import Entry
from offkai import services as offkai_services
from offkai.models import Event
from sns import matching
from sns.models import SitePolicy
from sns.text import without_controls
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db

# Every control a keyboard or a paste can bring, but the three that text may hold.
CONTROLS = "".join(chr(c) for c in [*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def test_the_controls_are_dropped_and_tabs_and_line_breaks_kept():
    assert without_controls(f"a{CONTROLS}b") == "ab"
    assert without_controls("a\tb\r\nc\nd") == "a\tb\r\nc\nd"
    assert without_controls("\x1b[31m赤\x1b[0m") == "[31m赤[0m"


def test_every_text_field_of_every_form_drops_them():
    """Django's CharField and the fields built on it (email, URL, slug…), as every form of
    the site, allauth's and the admin's use them."""
    assert forms.CharField().clean("Spring\x0bmeetup\x1b") == "Springmeetup"
    assert forms.CharField(strip=False).clean("\x07 two  spaces ") == " two  spaces "
    assert forms.EmailField().clean("\x08guest@example.com") == "guest@example.com"
    assert forms.CharField(required=False).clean("\x1b") == ""
    with pytest.raises(forms.ValidationError):
        forms.CharField().clean("\x1b\x0b")


def test_a_password_is_taken_as_typed():
    # Compared, never shown: changing it would lock out a member who set it before.
    field = forms.CharField(strip=False, widget=forms.PasswordInput)
    assert field.clean("pass\x1bword") == "pass\x1bword"


def test_an_off_kai_title_and_description_are_stored_without_them(as_user, owner):
    data = {
        "title": "Spring\x0b meetup\x1b", "description": "Bring\x07 snacks.\r\n\r\nAnd\ttea.",
        "venue": "Cafe\x0c", "address": "1-2-3\x1f Shibuya", "fee": "500\x7f yen",
        "starts_at": "2099-04-01T19:00", "ends_at": "2099-04-01T21:00", "capacity": "",
        "rsvp_deadline": "", "guest_limit": "0", "community": "", "visibility": "members",
    }
    response = as_user(owner).post(reverse("offkai:new"), data)
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get()
    assert (event.title, event.venue, event.address, event.fee) == (
        "Spring meetup", "Cafe", "1-2-3 Shibuya", "500 yen"
    )
    assert event.description == "Bring snacks.\r\n\r\nAnd\ttea."


def test_a_diary_entry_and_a_profile_are_stored_without_them(as_user, owner):
    web = as_user(owner)
    web.post(reverse("diary:new"),
             {"title": "桜\x1b", "body": "上野\x0bへ", "visibility": "friends"})
    entry = Entry.objects.get()
    assert (entry.title, entry.body) == ("桜", "上野へ")
    profile = owner.profile
    response = web.post(reverse("accounts:edit"), {
        "real_name": "Owner\x1b Person", "real_name_kana": "", "nickname": "kite\x08fan",
        "other_name_visibility": "members", "company": "Kite\x0b K.K.",
        "company_visibility": "members", "title": "", "title_visibility": "members",
        "photo_visibility": "members", "introduction": "Hi\x1b[1m", "interests": "",
        "introduction_visibility": "members", "interests_visibility": "members",
        "birthday_visibility": "friends", "birth_year_visibility": "private",
    })
    assert response.status_code == 302, response.content.decode()
    profile = Profile.objects.get(pk=profile.pk)
    assert (profile.real_name, profile.nickname, profile.company, profile.introduction) == (
        "Owner Person", "kitefan", "Kite K.K.", "Hi[1m"
    )


def test_an_invitee_signs_up_without_them(client, owner):
    invitation = factories.invitation(owner)
    response = client.post(invitation.get_absolute_url(), factories.signup_data(
        invitation.email, real_name="新井\x1b さくら", nickname="さくら\x0b"
    ))
    assert response.status_code == 302
    profile = User.objects.get(email=invitation.email).profile
    assert (profile.real_name, profile.nickname) == ("新井 さくら", "さくら")


def test_comments_posted_straight_to_their_service_are_stored_without_them(owner, friend):
    entry = factories.entry(owner, Level.FRIENDS)
    comment = diary_services.comment_create(entry_id=entry.pk, author=friend, body="Nice\x1b!")
    assert comment.body == "Nice!"
    event = factories.event(owner)
    comment = offkai_services.event_comment_create(
        event_id=event.pk, author=friend, body="See\x0b you\x07"
    )
    assert comment.body == "See you"


def test_the_operator_writes_the_policy_without_them(as_user, moderator):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    response = as_user(moderator).post(reverse("admin:sns_sitepolicy_add"), {
        "body_ja": "関西の\x1b会", "body_en": "", "rules_ja": "", "rules_en": "Be\x0b kind",
        "ask_again": "on", "identity_policy": "", "invite_domains": "",
        "invitee_suspension_limit": "", "quota_refill_days": "", "quota_cap": "5",
        "album_quota_mb": "200", "daily_news_hour": "7",
    })
    assert response.status_code == 302, response.content.decode()
    site_policy = SitePolicy.objects.get()
    assert (site_policy.body_ja, site_policy.rules_en) == ("関西の会", "Be kind")


# --- rows stored before ------------------------------------------------------------------------

def test_the_command_strips_them_from_rows_stored_before(owner, friend):
    event = factories.event(owner)
    Event.objects.filter(pk=event.pk).update(title="Spring\x0b meetup\x1b", description="a\tb\r\nc")
    Profile.objects.filter(user=friend).update(real_name="Friend\x7f Person", nickname="\x08nick")
    entry = factories.entry(owner, Level.FRIENDS)
    comment = diary_services.comment_create(entry_id=entry.pk, author=friend, body="ok")
    type(comment).objects.filter(pk=comment.pk).update(body="Nice\x1b[0m!")
    out = io.StringIO()
    call_command("strip_control_characters", "--dry-run", stdout=out)
    assert "offkai.Event.title: 1" in out.getvalue()
    assert Event.objects.get(pk=event.pk).title == "Spring\x0b meetup\x1b"
    out = io.StringIO()
    call_command("strip_control_characters", stdout=out)
    assert "accounts.Profile.real_name: 1" in out.getvalue()
    event.refresh_from_db()
    assert (event.title, event.description) == ("Spring meetup", "a\tb\r\nc")
    profile = Profile.objects.get(user=friend)
    assert (profile.real_name, profile.nickname) == ("Friend Person", "nick")
    comment.refresh_from_db()
    assert comment.body == "Nice[0m!"
    # The search column follows the text it is generated from.
    assert Profile.objects.filter(user=friend, search=matching.matches(matching.tsquery("nick")))
    out = io.StringIO()
    call_command("strip_control_characters", stdout=out)
    assert "Nothing held control characters." in out.getvalue()
