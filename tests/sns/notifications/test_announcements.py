"""Announcements: written and sent from admin once, to all members or a community's members,
recorded as notifications, mailed when chosen (in each member's language), shown only to
their audience."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from sns.models import Announcement, ModerationLog, Notification
from sns.notifications import announcements as announcement_services
from sns.notifications.announcements import announcement_deliver, announcement_send
from sns.notifications.mail import notification_emails_send
from sns.notifications.selectors import announcements_for
from sns.notifications.services import notification_preferences_set
from sns.notify import Kind
from tests import factories
from tests.html import assert_well_formed


@pytest.fixture
def send(django_capture_on_commit_callbacks, moderator):
    """send(announcement) → whether it was sent, with the delivery task run after commit."""

    def sending(announcement, by=moderator):
        with django_capture_on_commit_callbacks(execute=True):
            return announcement_send(announcement=announcement, by=by)

    return sending


def announcement(community=None, *, by_email=False, title="Summer party", body="Come **all**."):
    return Announcement.objects.create(
        title=title, body=body, community=community, by_email=by_email,
    )


def recipients(item: Announcement) -> set[int]:
    return set(Notification.objects.filter(
        kind=Kind.ANNOUNCEMENT, target_type=ContentType.objects.get_for_model(Announcement),
        target_id=item.pk,
    ).values_list("recipient_id", flat=True))


# --- sending ---------------------------------------------------------------------------------

def test_an_announcement_to_all_reaches_every_active_member(
    owner, friend, member, moderator, send, outbox
):
    gone = factories.member("Gone Person")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    item = announcement()

    assert send(item) is True

    item.refresh_from_db()
    assert item.sent_at is not None
    assert recipients(item) == {owner.pk, friend.pk, member.pk, moderator.pk}
    assert outbox == []  # not by email
    log = ModerationLog.objects.get()
    assert log.action == ModerationLog.Action.ANNOUNCEMENT
    assert log.moderator == moderator
    assert log.target == item


def test_sending_twice_sends_once(owner, send, outbox):
    item = announcement(by_email=True)
    assert send(item) is True
    sent_at = Announcement.objects.get().sent_at
    assert send(item) is False
    assert send(Announcement.objects.get()) is False
    assert Announcement.objects.get().sent_at == sent_at
    assert Notification.objects.filter(recipient=owner).count() == 1
    assert len([m for m in outbox if m.to == [owner.email]]) == 1
    assert ModerationLog.objects.count() == 1


def test_only_moderators_send(owner, send):
    from django.core.exceptions import PermissionDenied

    item = announcement()
    with pytest.raises(PermissionDenied):
        send(item, by=owner)
    assert Announcement.objects.get().sent_at is None
    assert not Notification.objects.exists()


def test_a_community_announcement_reaches_its_members_only(owner, friend, member, send):
    club = factories.community(owner, members=[friend])
    item = announcement(club)
    send(item)
    assert recipients(item) == {owner.pk, friend.pk}


def test_by_email_in_each_members_language(owner, friend, member, moderator, send, outbox):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    friend.language = "en"
    friend.save(update_fields=["language"])
    for quiet in (member, moderator):
        notification_preferences_set(member=quiet, email={Kind.ANNOUNCEMENT: False})
    item = announcement(by_email=True, title="Office move", body="We move on **Monday**.")

    send(item)

    by_recipient = {m.to[0]: m for m in outbox}
    assert set(by_recipient) == {owner.email, friend.email}  # member turned them off
    assert member.pk in recipients(item)  # ...but sees it in the app
    japanese, english = by_recipient[owner.email], by_recipient[friend.email]
    assert "Office move" in japanese.subject
    assert "お知らせ" in japanese.subject
    assert "We move on **Monday**." in japanese.body  # as written
    assert "運営から、全メンバーへのお知らせです" in japanese.body
    assert "An announcement from the operator of Tsunagari to all members:" in english.body
    html, _mimetype = english.alternatives[0]
    assert_well_formed(html)
    assert "<strong>Monday</strong>" in html
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/notifications/unsubscribe/"
    )
    # The batched email never repeats them.
    assert notification_emails_send(now=timezone.now() + timezone.timedelta(minutes=10)) == 0
    assert len(outbox) == 2


def test_recorded_in_chunks_and_resumed_without_doubles(db, send, monkeypatch):
    monkeypatch.setattr(announcement_services, "CHUNK", 2)
    people = [factories.member() for _ in range(5)]
    item = announcement()
    send(item)
    assert len(people) == 5
    assert recipients(item) == set(User.objects.values_list("pk", flat=True))
    # A second run (a retry after a failure) records nothing twice.
    assert announcement_deliver(announcement_id=item.pk) == 0
    assert Notification.objects.count() == User.objects.count() == 6  # and the moderator


def test_an_unsent_announcement_is_not_delivered(owner):
    item = announcement()
    assert announcement_deliver(announcement_id=item.pk) == 0
    assert not Notification.objects.exists()


def test_markup_in_the_text_is_cleaned(owner, send, outbox):
    item = announcement(by_email=True, body='<script>alert(1)</script> [x](javascript:alert(1))')
    send(item)
    html, _mimetype = outbox[0].alternatives[0]
    assert "<script>" not in html
    assert "javascript:" not in html


# --- reading ---------------------------------------------------------------------------------

def test_announcements_for_a_member(owner, member, send):
    club = factories.community(owner)
    other = factories.community(member)
    first = announcement(title="First")
    send(first)
    to_club = announcement(club, title="Club news")
    send(to_club)
    send(announcement(other, title="Other club news"))
    announcement(title="Draft")  # not sent
    assert [a.title for a in announcements_for(owner)] == ["Club news", "First"]
    assert [a.title for a in announcements_for(member)] == ["Other club news", "First"]
    assert len(announcements_for(owner, limit=1)) == 1


def test_the_page_is_for_its_audience(owner, friend, member, as_user, send):
    secret = factories.community(owner, policy="secret", name="Secret club")
    item = announcement(secret, title="Secret plans", body="Meet at **noon**.")
    draft = announcement(title="Not yet")
    send(item)
    path = f"/announcements/{item.pk}/"

    response = as_user(owner).get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Secret plans" in body
    assert "<strong>noon</strong>" in body
    assert "Announcement to the members of Secret club" in body
    for outsider in (friend, member):
        assert as_user(outsider).get(path).status_code == 404
    assert as_user(None).get(path).status_code == 302  # to the login
    assert as_user(owner).get(f"/announcements/{draft.pk}/").status_code == 404


def test_the_notification_leads_to_the_page(owner, as_user, send):
    item = announcement(title="Holiday hours")
    send(item)
    notification = Notification.objects.get(recipient=owner)
    client = as_user(owner)
    body = client.get("/notifications/").content.decode()
    assert "Announcement: “Holiday hours”" in body
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == f"/announcements/{item.pk}/"


@pytest.mark.parametrize("count", [5, 50])
def test_the_page_takes_a_bounded_number_of_queries(
    owner, as_user, send, django_assert_max_num_queries, count
):
    club = factories.community(owner)
    items = [announcement(club if i % 2 else None, body="x " * count) for i in range(count)]
    for item in items:
        send(item)
    client = as_user(owner)
    with django_assert_max_num_queries(6):
        response = client.get(f"/announcements/{items[-1].pk}/")
    assert response.status_code == 200


# --- admin -----------------------------------------------------------------------------------

@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.com", "pw-for-tests-only")


def test_admin_writes_and_sends_with_the_button(superuser, owner, as_user,
                                               django_capture_on_commit_callbacks):
    client = as_user(superuser)
    page = client.get("/admin/sns/announcement/add/")
    assert page.status_code == 200
    assert 'name="_send"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/sns/announcement/add/", {
            "title": "Welcome", "body": "Hello all.", "community": "", "_send": "Save and send",
        })
    assert response.status_code == 302
    item = Announcement.objects.get()
    assert item.created_by == superuser
    assert item.sent_at is not None
    assert owner.pk in recipients(item)
    change = client.get(f"/admin/sns/announcement/{item.pk}/change/").content.decode()
    assert 'name="_send"' not in change  # sent: no second send, and read-only
    assert 'name="title"' not in change


def test_admin_action_sends_once(superuser, owner, as_user, django_capture_on_commit_callbacks):
    first, second = announcement(title="One"), announcement(title="Two")
    client = as_user(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/sns/announcement/", {
            "action": "send_selected", "_selected_action": [first.pk, second.pk],
        })
    assert Notification.objects.filter(recipient=owner).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/sns/announcement/", {
            "action": "send_selected", "_selected_action": [first.pk],
        }, follow=True)
    assert "had been sent already" in response.content.decode()
    assert Notification.objects.filter(recipient=owner).count() == 2


def test_admin_lists_render(superuser, owner, as_user):
    client = as_user(superuser)
    announcement()
    notification_preferences_set(member=owner, email={Kind.DIARY_COMMENT: True})
    for path in ("/admin/sns/announcement/", "/admin/sns/notificationpreference/",
                 f"/admin/sns/notificationpreference/{owner.notification_preferences.get().pk}"
                 "/change/"):
        assert client.get(path).status_code == 200, path
