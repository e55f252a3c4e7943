"""After the event: hosts confirm who came (one form), record the guests who came and invite
them to the site from their own invitations; everyone else gets a 404."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from invites.models import Invitation, State
from offkai.models import RSVP, Answer, Event, Guest
from offkai.services import attendance
from sns.errors import Refused
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db


def url(name: str, event, *args) -> str:
    return reverse(f"offkai:{name}", args=[event.pk, *args])


@pytest.fixture
def past(owner):
    """An event owner hosted yesterday."""
    return factories.event(owner, days=-1, title="Yesterday's off-kai")


def came(event) -> dict[int, bool | None]:
    return dict(RSVP.objects.filter(event=event).values_list("user_id", "attended"))


# --- who may see the pages -----------------------------------------------------------------

@pytest.mark.parametrize("persona", ["friend", "fof", "member", "blocked", "moderator"])
def test_only_hosts_get_the_pages(request, as_user, owner, past, persona):
    viewer = request.getfixturevalue(persona)
    factories.answer(past, viewer)
    guest = Guest.objects.create(event=past, name="Guest", email="guest@example.com")
    client = as_user(viewer)
    assert client.get(url("attendance", past)).status_code == 404
    assert client.post(url("attendance", past), {"came": [viewer.pk]}).status_code == 404
    assert client.post(url("guest_add", past), {"name": "Someone"}).status_code == 404
    assert client.post(url("guest_invite", past, guest.pk)).status_code == 404
    assert came(past) == {viewer.pk: None}
    assert Guest.objects.count() == 1
    assert not Invitation.objects.exists()


def test_a_co_host_gets_the_page(as_user, owner, friend):
    event = factories.event(owner, days=-1, co_hosts=[friend])
    assert as_user(friend).get(url("attendance", event)).status_code == 200


def test_not_before_the_start_nor_for_a_cancelled_event(as_user, owner):
    upcoming = factories.event(owner, days=1)
    cancelled = factories.event(owner, days=-1)
    cancelled.cancelled_at = cancelled.starts_at - timedelta(days=1)
    cancelled.save(update_fields=["cancelled_at"])
    started = factories.event(owner, days=-0.01, hours=3)
    client = as_user(owner)
    assert client.get(url("attendance", upcoming)).status_code == 404
    assert client.get(url("attendance", cancelled)).status_code == 404
    assert client.get(url("attendance", started)).status_code == 200
    assert client.get(reverse("offkai:attendance", args=[started.pk + 100])).status_code == 404


def test_my_event_id_with_another_events_guest_is_a_404(as_user, owner, friend, past):
    other = factories.event(friend, days=-1)
    theirs = Guest.objects.create(event=other, name="Theirs", email="theirs@example.com")
    response = as_user(owner).post(url("guest_invite", past, theirs.pk))
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_visitors_are_sent_to_log_in(client, past):
    assert client.get(url("attendance", past)).status_code == 302


def test_the_services_refuse_non_hosts(owner, friend, past):
    factories.answer(past, friend)
    with pytest.raises(Event.DoesNotExist):
        attendance.attendance_confirm(event=past, by=friend, came_ids=[friend.pk])
    with pytest.raises(Event.DoesNotExist):
        attendance.guest_add(event=past, by=friend, name="X")
    guest = Guest.objects.create(event=past, name="Guest", email="g@example.com")
    with pytest.raises(Guest.DoesNotExist):
        attendance.guest_invite(guest=guest, by=friend)


# --- confirming who came -------------------------------------------------------------------

def test_the_page_lists_those_who_may_have_come(as_user, owner, past):
    people = {}
    for answer in Answer.values:
        people[answer] = factories.member(f"Said {answer}")
        factories.answer(past, people[answer], answer, guests=1 if answer == "attending" else 0)
    body = as_user(owner).get(url("attendance", past)).content.decode()
    assert_well_formed(body)
    for answer in ("attending", "waitlisted", "maybe"):
        assert f"Said {answer}" in body
    assert "Said declined" not in body
    assert "+1 guest" in body
    # Not yet confirmed: those attending (and the host) are ticked, the others not.
    assert f'name="came" value="{people["attending"].pk}" checked' in body
    assert f'name="came" value="{owner.pk}" checked' in body
    assert f'name="came" value="{people["maybe"].pk}">' in body


def test_one_post_records_who_came(as_user, owner, friend, member, fof, past):
    factories.answer(past, friend)
    factories.answer(past, member, Answer.MAYBE)
    factories.answer(past, fof, Answer.DECLINED)
    stranger = factories.member()
    client = as_user(owner)
    response = client.post(url("attendance", past), {
        "shown": [owner.pk, friend.pk, member.pk],
        "came": [owner.pk, member.pk, fof.pk, stranger.pk, "junk"],
    })
    assert response.status_code == 302
    assert response["Location"] == url("attendance", past)
    # The host had no answer: one is recorded, so "met at" finds them. The declined answer
    # and the stranger's id are left alone.
    assert came(past) == {owner.pk: True, friend.pk: False, member.pk: True, fof.pk: None}
    assert RSVP.objects.get(event=past, user=owner).answer == Answer.ATTENDING
    body = client.get(url("attendance", past)).content.decode()
    assert "Saved who came." in body
    assert f'name="came" value="{friend.pk}">' in body
    assert f'name="came" value="{member.pk}" checked' in body


def test_confirming_again_changes_the_marks(owner, friend, past):
    factories.answer(past, friend)
    attendance.attendance_confirm(event=past, by=owner, came_ids=[friend.pk, owner.pk])
    assert came(past) == {friend.pk: True, owner.pk: True}
    attendance.attendance_confirm(event=past, by=owner, came_ids=[])
    assert came(past) == {friend.pk: False, owner.pk: False}


def test_only_the_members_shown_are_touched(owner, friend, member, past):
    factories.answer(past, friend, attended=True)
    factories.answer(past, member)
    attendance.attendance_confirm(event=past, by=owner, came_ids=[], shown_ids=[member.pk])
    assert came(past) == {friend.pk: True, member.pk: False}


def test_the_answers_are_paginated_and_a_page_keeps_its_number(as_user, owner, past,
                                                                monkeypatch):
    from offkai.views import attendance as views

    monkeypatch.setattr(views, "ANSWERS_PER_PAGE", 2)
    people = [factories.member(f"Person {i}") for i in range(3)]
    for person in people:
        factories.answer(past, person)
    client = as_user(owner)
    second = client.get(url("attendance", past) + "?page=2").content.decode()
    assert_well_formed(second)
    assert f'name="came" value="{people[2].pk}"' in second
    assert f'name="came" value="{people[0].pk}"' not in second
    response = client.post(url("attendance", past) + "?page=2", {
        "shown": [people[2].pk], "came": [],
    })
    assert response["Location"] == url("attendance", past) + "?page=2"
    assert came(past) == {people[0].pk: None, people[1].pk: None, people[2].pk: False}


@pytest.mark.parametrize("count", [5, 50])
def test_the_page_takes_a_fixed_number_of_queries(as_user, owner, past, count,
                                                  django_assert_max_num_queries):
    for i in range(count):
        person = factories.member(f"Person {i}", company=f"Co {i}")
        factories.answer(past, person, Answer.ATTENDING if i % 3 else Answer.MAYBE)
        if i % 5 == 0:
            Guest.objects.create(event=past, name=f"Guest {i}", email=f"g{i}@example.com",
                                 brought_by=person)
    factories.befriend(owner, person)
    for guest in Guest.objects.filter(event=past)[:2]:
        attendance.guest_invite(guest=guest, by=owner)
    client = as_user(owner)
    # The session, the member, the event, the hosts, the answers (count and page), their
    # relations to the host, the guests, the host's invitations used, the "brought by"
    # menu; the layout's counts (friend requests, notifications).
    with django_assert_max_num_queries(12):
        response = client.get(url("attendance", past))
    body = response.content.decode()
    assert_well_formed(body)
    assert body.count('name="came"') == count + 1
    assert "Pending" in body


# --- guests --------------------------------------------------------------------------------

def test_a_host_records_a_guest(as_user, owner, friend, past):
    factories.answer(past, friend, guests=1)
    response = as_user(owner).post(url("guest_add", past), {
        "name": "  Sato   Hanako ", "email": "Hanako@Example.COM", "brought_by": friend.pk,
    })
    assert response.status_code == 302
    guest = Guest.objects.get()
    assert (guest.name, guest.email, guest.brought_by) == (
        "Sato Hanako", "Hanako@example.com", friend
    )
    body = as_user(owner).get(url("attendance", past)).content.decode()
    assert_well_formed(body)
    assert "Sato Hanako" in body and "Hanako@example.com" in body
    assert url("guest_invite", past, guest.pk) in body


def test_a_guest_needs_a_name_and_a_brought_by_who_answered(as_user, owner, member, past):
    client = as_user(owner)
    response = client.post(url("guest_add", past), {"name": "", "email": "x@example.com"})
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    response = client.post(url("guest_add", past), {"name": "Kim", "brought_by": member.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(Refused):
        attendance.guest_add(event=past, by=owner, name="Kim", brought_by_id=member.pk)
    assert not Guest.objects.exists()
    # A host may bring a guest without having answered.
    attendance.guest_add(event=past, by=owner, name="Kim", brought_by_id=owner.pk)


def test_the_same_address_twice_and_too_many_guests_are_refused(as_user, owner, past,
                                                                monkeypatch):
    attendance.guest_add(event=past, by=owner, name="One", email="one@example.com")
    response = as_user(owner).post(url("guest_add", past),
                                   {"name": "Again", "email": "ONE@example.com"})
    assert "already recorded" in response.content.decode()
    monkeypatch.setattr(attendance, "GUESTS_MAX", 2)
    attendance.guest_add(event=past, by=owner, name="Two")
    with pytest.raises(Refused):
        attendance.guest_add(event=past, by=owner, name="Three")
    assert Guest.objects.count() == 2


def test_inviting_a_guest_in_one_step(as_user, owner, past, outbox,
                                      django_capture_on_commit_callbacks):
    guest = attendance.guest_add(event=past, by=owner, name="Sato", email="sato@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(url("guest_invite", past, guest.pk))
    assert response.status_code == 302
    assert response["Location"] == url("attendance", past) + "#guests"
    invitation = Invitation.objects.get()
    guest.refresh_from_db()
    assert guest.invitation == invitation
    assert invitation.inviter == owner
    assert invitation.email == "sato@example.com"
    assert invitation.message == attendance.met_message(past)
    assert "Yesterday's off-kai" in invitation.message
    [mail] = outbox
    assert mail.to == ["sato@example.com"]
    assert "Yesterday's off-kai" in mail.body
    body = as_user(owner).get(url("attendance", past)).content.decode()
    assert "Pending" in body
    assert url("guest_invite", past, guest.pk) not in body


def test_the_met_message_names_the_event_and_its_date_in_the_site_zone(owner, settings):
    event = factories.event(owner, title="Hanami")
    event.starts_at = datetime(2030, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC"))  # 2 March in Tokyo
    assert attendance.met_message(event) == "We met at Hanami on March 2, 2030."
    settings.LANGUAGE_CODE = "ja"
    assert attendance.met_message(event) == "2030年3月2日の「Hanami」でお会いしました。"


def test_a_double_invite_makes_one_invitation(as_user, owner, past):
    guest = attendance.guest_add(event=past, by=owner, name="Sato", email="sato@example.com")
    client = as_user(owner)
    client.post(url("guest_invite", past, guest.pk))
    response = client.post(url("guest_invite", past, guest.pk), follow=True)
    assert "already been invited" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_a_host_with_no_invitations_left_is_told_so(as_user, owner, past):
    owner.invite_quota = 0
    owner.save(update_fields=["invite_quota"])
    guest = attendance.guest_add(event=past, by=owner, name="Sato", email="sato@example.com")
    response = as_user(owner).post(url("guest_invite", past, guest.pk), follow=True)
    body = response.content.decode()
    assert "You have no invitations left, so you cannot invite this guest" in body
    assert not Invitation.objects.exists()
    guest.refresh_from_db()
    assert guest.invitation is None


def test_a_host_who_lost_the_right_to_invite_is_told_why(as_user, owner, past):
    owner.may_invite = False
    owner.save(update_fields=["may_invite"])
    body = as_user(owner).get(url("attendance", past)).content.decode()
    assert "members you invited were suspended too often" in body
    assert "You can invite" not in body


def test_the_invitation_comes_from_the_host_who_invites(owner, friend):
    event = factories.event(owner, days=-1, co_hosts=[friend])
    guest = attendance.guest_add(event=event, by=owner, name="Sato", email="sato@example.com")
    invitation = attendance.guest_invite(guest=guest, by=friend)
    assert invitation.inviter == friend


def test_guests_without_an_address_are_refused(owner, past):
    no_email = attendance.guest_add(event=past, by=owner, name="No Mail")
    with pytest.raises(attendance.AttendanceError, match="email address"):
        attendance.guest_invite(guest=no_email, by=owner)
    assert not Invitation.objects.exists()


def test_a_guest_with_a_members_address_is_invited_as_any(owner, member, past):
    # A host learns no more than any inviter whether an address is a member's: the member is
    # told in the app instead (tests/invites/test_member_address.py).
    a_member = attendance.guest_add(event=past, by=owner, name="Known", email=member.email)
    invitation = attendance.guest_invite(guest=a_member, by=owner)
    assert invitation.state == State.PENDING and invitation.inviter == owner


def test_a_revoked_invitation_can_be_made_again(owner, past):
    from invites.services import invitation_revoke

    guest = attendance.guest_add(event=past, by=owner, name="Sato", email="sato@example.com")
    first = attendance.guest_invite(guest=guest, by=owner)
    invitation_revoke(invitation=first)
    second = attendance.guest_invite(guest=guest, by=owner)
    assert second != first
    guest.refresh_from_db()
    assert guest.invitation == second


def test_the_page_in_japanese(as_user, owner, friend, past):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    factories.answer(past, friend)
    attendance.guest_add(event=past, by=owner, name="佐藤", email="sato@example.com")
    body = as_user(owner).get(url("attendance", past)).content.decode()
    assert_well_formed(body)
    assert "参加" in body
    assert "Who came" not in body
