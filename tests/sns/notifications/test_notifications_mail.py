"""Email preferences, the batched notification email, and the one-click way to stop it."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from diary import services as diary_services
from sns.models import Notification, NotificationPreference
from sns.notifications import mail as notification_mail
from sns.notifications.mail import notification_emails_send, unsubscribe_token
from sns.notifications.selectors import ALWAYS_EMAILED, CHOOSABLE, email_choices
from sns.notifications.services import notification_preferences_set
from sns.notify import Kind, notify
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed


def later(minutes: int = 6):
    """A run of the batched email this long from now (past the 5-minute delay)."""
    return timezone.now() + timedelta(minutes=minutes)


def html_of(message) -> str:
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return html


def ids_in(message) -> list[int]:
    return [int(pk) for pk in re.findall(r"/notifications/(\d+)/", message.body)]


def email_on(member, *kinds) -> None:
    notification_preferences_set(member=member, email=dict.fromkeys(kinds, True))


# --- preferences -----------------------------------------------------------------------------

def test_defaults_without_rows(owner):
    choices = email_choices(owner)
    assert choices[Kind.FRIEND_REQUEST_RECEIVED] is True
    assert choices[Kind.INTRODUCTION_WRITTEN] is True
    assert choices[Kind.COMMUNITY_JOIN_REQUEST] is True
    assert choices[Kind.INVITEE_SUSPENDED] is True
    assert choices[Kind.ANNOUNCEMENT] is True
    assert choices[Kind.DIARY_COMMENT] is False
    assert choices[Kind.COMMUNITY_TOPIC_COMMENT] is False
    assert not ALWAYS_EMAILED & set(choices)
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_saves_each_choice(owner, as_user):
    client = as_user(owner)
    body = client.get("/notifications/settings/").content.decode()
    assert_well_formed(body)
    assert "Always emailed" in body
    for kind in ALWAYS_EMAILED:
        assert f'name="{kind}"' not in body
        assert str(Kind(kind).label) in body
    data = {kind: "email" for kind in CHOOSABLE}
    data[Kind.FRIEND_REQUEST_RECEIVED] = "app"
    data[Kind.EVENT_CANCELLED] = "app"  # not choosable: ignored
    response = client.post("/notifications/settings/", data, follow=True)
    assert "Your notification settings were saved." in response.content.decode()
    choices = email_choices(owner)
    assert choices[Kind.FRIEND_REQUEST_RECEIVED] is False
    assert choices[Kind.DIARY_COMMENT] is True
    assert not NotificationPreference.objects.filter(kind=Kind.EVENT_CANCELLED).exists()
    # Saving again updates the same rows.
    client.post("/notifications/settings/", {**data, Kind.DIARY_COMMENT: "app"})
    assert email_choices(owner)[Kind.DIARY_COMMENT] is False
    assert NotificationPreference.objects.filter(user=owner).count() == len(CHOOSABLE)


def test_the_settings_page_refuses_nonsense(owner, as_user):
    data = {kind: "email" for kind in CHOOSABLE}
    data[Kind.DIARY_COMMENT] = "carrier-pigeon"
    response = as_user(owner).post("/notifications/settings/", data)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_is_linked_and_bounded(
    owner, as_user, django_assert_max_num_queries
):
    client = as_user(owner)
    assert 'href="/notifications/settings/"' in client.get("/me/settings/").content.decode()
    with django_assert_max_num_queries(6):
        client.get("/notifications/settings/")


# --- the batched email -----------------------------------------------------------------------

def test_a_burst_of_five_comments_is_one_message(owner, outbox):
    email_on(owner, Kind.DIARY_COMMENT)
    diary_entry = factories.entry(owner, Level.MEMBERS, title="Five replies")
    people = [factories.member(f"Commenter {i}") for i in range(5)]
    for person in people:
        diary_services.comment_create(entry_id=diary_entry.pk, author=person, body="Hi")

    assert notification_emails_send(now=later()) == 1

    message, = outbox
    assert message.to == [owner.email]
    assert message.subject == "[Tsunagari] 5 new notifications"
    for i in range(5):
        assert f"Commenter {i} commented on your diary entry “Five replies”" in message.body
    assert sorted(ids_in(message)) == sorted(owner.notifications.values_list("pk", flat=True))
    assert "http://testserver/notifications/" in message.body
    assert_well_formed(html_of(message))
    assert "Commenter 0 commented" in html_of(message)
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()
    # Nothing is looked at twice.
    assert notification_emails_send(now=later(10)) == 0
    assert len(outbox) == 1


def test_news_waits_for_the_delay(owner, friend, outbox, settings):
    settings.NOTIFICATION_EMAIL_DELAY = 300
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    assert notification_emails_send(now=later(2)) == 0
    assert Notification.objects.get().mailed_at is None
    assert notification_emails_send(now=later(6)) == 1
    message, = outbox
    assert message.subject == "[Tsunagari] Friend Person accepted your friend request"


def test_one_message_per_member(owner, friend, member, outbox):
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    notify(recipient=member, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=friend)
    assert notification_emails_send(now=later()) == 2
    assert sorted(m.to[0] for m in outbox) == [member.email, owner.email]


def test_kinds_not_wanted_by_email_are_marked_but_not_sent(owner, friend, outbox):
    diary_entry = factories.entry(owner, Level.MEMBERS)
    diary_services.comment_create(entry_id=diary_entry.pk, author=friend, body="Hi")  # off
    notify(recipient=owner, kind=Kind.EVENT_CHANGED, actor=friend)  # mailed by off-kai
    notification_preferences_set(member=owner, email={Kind.FRIEND_REQUEST_ACCEPTED: False})
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    assert notification_emails_send(now=later()) == 0
    assert outbox == []
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()


def test_always_emailed_kinds_never_come_twice_even_if_chosen(owner, friend, outbox):
    # A preference row for them cannot be made through the service...
    notification_preferences_set(member=owner, email={Kind.EVENT_PROMOTED: True})
    assert not NotificationPreference.objects.exists()
    # ...and even one written by hand does not put them in the batched email.
    NotificationPreference.objects.create(user=owner, kind=Kind.EVENT_PROMOTED, email=True)
    notify(recipient=owner, kind=Kind.EVENT_PROMOTED, actor=friend)
    assert notification_emails_send(now=later()) == 0


def test_read_hidden_and_inactive_are_not_mailed(owner, friend, fof, member, outbox):
    read = notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=fof)
    type(fof).objects.filter(pk=fof.pk).update(is_active=False)
    notify(recipient=member, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=friend)
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert notification_emails_send(now=later()) == 0
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()


def test_the_mail_is_in_the_recipients_language(owner, friend, member, outbox):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    member.language = "en"
    member.save(update_fields=["language"])
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    notify(recipient=member, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=friend)
    notification_emails_send(now=later())
    by_recipient = {m.to[0]: m for m in outbox}
    japanese, english = by_recipient[owner.email], by_recipient[member.email]
    assert "件の新しいお知らせ" in japanese.subject
    assert "Friend Personさんが友だち申請を承認しました" in japanese.body
    assert "こんにちは" in html_of(japanese)
    assert "accepted" not in japanese.body
    assert "Friend Person sent you a friend request" in english.body
    assert "Hello Plain Member," in english.body


def test_each_message_can_stop_each_kind_in_one_click(owner, friend, outbox):
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    notification_emails_send(now=later())
    message, = outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://testserver/notifications/unsubscribe/[^>]+/>", header)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    links = re.findall(r"http://testserver/notifications/unsubscribe/[^/\s]+/", message.body)
    assert len(links) == 2  # one per kind in the message
    assert 'href="http://testserver/notifications/unsubscribe/' in html_of(message)
    # The one-click POST a mail program makes: no session, no CSRF token.
    url = header[1:-1].removeprefix("http://testserver")
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    choices = email_choices(owner)
    assert choices[Kind.FRIEND_REQUEST_ACCEPTED] is False
    assert choices[Kind.INTRODUCTION_WRITTEN] is False
    assert choices[Kind.FRIEND_REQUEST_RECEIVED] is True


def test_the_command_and_the_task_send(owner, friend, outbox, settings, capsys):
    from sns.notifications.tasks import send_notification_emails

    settings.NOTIFICATION_EMAIL_DELAY = 0
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    call_command("send_notification_emails")
    assert "1 message(s) sent." in capsys.readouterr().out
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    result = send_notification_emails.enqueue()
    assert result.return_value == 1
    assert len(outbox) == 2


def test_a_long_burst_of_one_member_stays_in_one_message(owner, outbox, monkeypatch):
    monkeypatch.setattr(notification_mail, "BATCH", 3)
    others = [factories.member() for _ in range(2)]
    people = [factories.member() for _ in range(7)]
    for person in others:
        notify(recipient=person, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=owner)
    for person in people:
        notify(recipient=owner, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=person)
    assert notification_emails_send(now=later()) == 3
    mine, = [m for m in outbox if m.to == [owner.email]]
    assert len(ids_in(mine)) == 7


# --- the unsubscribe page --------------------------------------------------------------------

def unsubscribe_path(member, kinds) -> str:
    return f"/notifications/unsubscribe/{unsubscribe_token(member, kinds)}/"


def test_get_asks_and_changes_nothing(owner, as_user):
    response = as_user(None).get(unsubscribe_path(owner, [Kind.FRIEND_REQUEST_RECEIVED]))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Stop these emails" in body
    assert str(Kind.FRIEND_REQUEST_RECEIVED.label) in body
    assert email_choices(owner)[Kind.FRIEND_REQUEST_RECEIVED] is True


def test_post_turns_that_kind_off(owner, as_user):
    path = unsubscribe_path(owner, [Kind.FRIEND_REQUEST_RECEIVED])
    response = as_user(None).post(path)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert "will no longer get these by email" in response.content.decode()
    choices = email_choices(owner)
    assert choices[Kind.FRIEND_REQUEST_RECEIVED] is False
    assert choices[Kind.FRIEND_REQUEST_ACCEPTED] is True


def test_the_page_speaks_the_members_language(owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(None).get(unsubscribe_path(owner, [Kind.ANNOUNCEMENT])).content.decode()
    assert "メール" in body
    assert 'lang="ja"' in body


@pytest.mark.parametrize("mangle", ["tampered", "bad_signature", "not_choosable", "garbage"])
def test_a_tampered_token_is_refused(owner, as_user, mangle):
    token = unsubscribe_token(owner, [Kind.FRIEND_REQUEST_RECEIVED])
    if mangle == "tampered":
        # The same payload for someone else, with the original signature.
        data, _sep, signature = token.rpartition(":")
        forged = signing.dumps({"u": owner.pk + 1, "k": ["friend_request"]}).split(":")[0]
        token = f"{forged}:{data.split(':')[-1]}:{signature}"
    elif mangle == "bad_signature":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif mangle == "not_choosable":
        token = signing.dumps({"u": owner.pk, "k": [Kind.EVENT_CHANGED]},
                              salt="sns.notifications.unsubscribe")
    else:
        token = "not-a-token"
    client = as_user(None)
    assert client.get(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_a_token_signed_for_something_else_is_refused(owner, as_user):
    # Django signs other things with the same key: the salt keeps them apart.
    token = signing.dumps({"u": owner.pk, "k": [Kind.FRIEND_REQUEST_RECEIVED]})
    assert as_user(None).post(f"/notifications/unsubscribe/{token}/").status_code == 404


def test_another_members_token_changes_only_that_member(owner, member, as_user):
    """Logged in as someone else, the token still speaks for the member it was made for."""
    as_user(member).post(unsubscribe_path(owner, [Kind.FRIEND_REQUEST_RECEIVED]))
    assert email_choices(owner)[Kind.FRIEND_REQUEST_RECEIVED] is False
    assert email_choices(member)[Kind.FRIEND_REQUEST_RECEIVED] is True


def test_a_departed_members_token_is_refused(owner, as_user):
    path = unsubscribe_path(owner, [Kind.FRIEND_REQUEST_RECEIVED])
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    assert as_user(None).post(path).status_code == 404


def test_the_page_takes_few_queries(owner, as_user, django_assert_max_num_queries):
    path = unsubscribe_path(owner, [Kind.FRIEND_REQUEST_RECEIVED])
    client = as_user(None)
    client.get("/")  # the site policy is cached by the first page of all
    with django_assert_max_num_queries(3):
        client.get(path)
    with django_assert_max_num_queries(4):
        client.post(path)


def test_csrf_is_still_required_elsewhere(owner, as_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend="accounts.backends.MemberBackend")
    assert client.post("/notifications/read/").status_code == 403
    assert client.post("/notifications/settings/", {}).status_code == 403
