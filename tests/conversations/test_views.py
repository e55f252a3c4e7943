"""Messages' pages: the inbox, writing, reading and answering, the marks, photos, search,
in both languages; what a member not in a conversation gets (the same 404 as for none)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import services
from conversations.models import Conversation, Message, MessagePhoto, Participant
from sns.models import Report
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

INBOX = reverse("conversations:inbox")
COMPOSE = reverse("conversations:compose")


def start(sender, *recipients, subject="Dinner?", body="Are you free **Friday**?"):
    return services.conversation_start(
        sender=sender, recipient_ids=[r.pk for r in recipients], subject=subject, body=body
    )


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert_well_formed(html)
    return html


def test_the_inbox_is_empty_at_first_and_says_so(owner, as_user):
    html = page(as_user(owner).get(INBOX))
    assert "No messages yet" in html and 'href="/messages/new/"' in html


def test_send_a_message_from_a_profile(owner, friend, as_user):
    client = as_user(owner)
    profile = page(client.get(friend.get_absolute_url()))
    assert f'href="/messages/new/?to={friend.pk}"' in profile
    form = page(client.get(f"{COMPOSE}?to={friend.pk}"))
    assert f'value="{friend.pk}" checked' in form.replace('checked="checked"', "checked") or \
        f'value="{friend.pk}"' in form
    response = client.post(f"{COMPOSE}?to={friend.pk}", {
        "to": [friend.pk], "subject": "Dinner?", "body": "Are you free **Friday**?",
        "photo1": factories.image_file(),
    })
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response.url == conversation.get_absolute_url()
    assert MessagePhoto.objects.filter(message__conversation=conversation).count() == 1
    # The friend sees it unread in the header and the inbox, then reads it.
    friends = as_user(friend)
    inbox = page(friends.get(INBOX))
    assert "conversation-row unread" in inbox and "Dinner?" in inbox
    assert 'nav-count" title="unread">1</span>' in inbox
    thread = page(friends.get(conversation.get_absolute_url()))
    assert "<strong>Friday</strong>" in thread and "conversation-row unread" not in thread
    assert "unread" not in page(friends.get(INBOX)).split("<main", 1)[1].split(
        "conversations", 1)[1].split("</ul>", 1)[0]


def test_a_reply_continues_the_conversation_in_order(owner, friend, as_user):
    conversation = start(owner, friend)
    response = as_user(friend).post(
        reverse("conversations:reply", args=[conversation.pk]), {"body": "Yes, I am!"}
    )
    reply = Message.objects.order_by("pk").last()
    assert response.url == f"{conversation.get_absolute_url()}#message-{reply.pk}"
    html = page(as_user(owner).get(conversation.get_absolute_url()))
    assert html.index("Are you free") < html.index("Yes, I am!")


def test_an_empty_reply_is_refused_with_the_text_kept(owner, friend, as_user):
    conversation = start(owner, friend)
    response = as_user(friend).post(
        reverse("conversations:reply", args=[conversation.pk]), {"body": "   "}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    too_long = "x" * 5001
    response = as_user(friend).post(
        reverse("conversations:reply", args=[conversation.pk]), {"body": too_long}
    )
    html = response.content.decode()
    assert response.status_code == 200 and too_long in html
    assert Message.objects.count() == 1


def test_a_refusal_by_the_rules_is_shown_not_a_500(owner, friend, fof, member, as_user):
    response = as_user(fof).post(COMPOSE, {"to": [member.pk], "subject": "Hi", "body": "Hi"})
    # Not offered: the form says so, in the member's language.
    assert response.status_code == 200
    assert not Conversation.objects.exists()


def test_the_pages_in_japanese(owner, friend, as_user):
    conversation = start(owner, friend)
    client = as_user(friend)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert "メッセージ" in page(client.get(INBOX))
    assert "送信" in page(client.get(conversation.get_absolute_url()))


def test_archive_and_leave_from_the_page(owner, friend, as_user):
    third = factories.member()
    factories.befriend(owner, third)
    conversation = start(owner, friend, third)
    client = as_user(friend)
    html = page(client.get(conversation.get_absolute_url()))
    assert "Leave the conversation" in html
    seen = html.split('name="seen" value="', 1)[1].split('"', 1)[0]
    response = client.post(reverse("conversations:archive", args=[conversation.pk]),
                           {"seen": seen})
    assert response.status_code == 302
    assert "Dinner?" not in page(client.get(INBOX))
    assert "Dinner?" in page(client.get(f"{INBOX}?archived=1"))
    page(client.get(reverse("conversations:leave", args=[conversation.pk])))
    client.post(reverse("conversations:leave", args=[conversation.pk]))
    assert Participant.objects.get(member=friend).left_at is not None
    assert client.get(conversation.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", ["detail", "reply", "archive", "unarchive", "leave"])
def test_a_member_not_in_it_gets_the_same_404_as_for_none(owner, friend, member, as_user,
                                                         name):
    conversation = start(owner, friend)
    client = as_user(member)
    method = "get" if name in ("detail", "leave") else "post"
    theirs = getattr(client, method)(reverse(f"conversations:{name}", args=[conversation.pk]),
                                     {"body": "hi", "seen": "1"})
    missing = getattr(client, method)(reverse(f"conversations:{name}", args=[10_000_000]),
                                      {"body": "hi", "seen": "1"})
    assert theirs.status_code == missing.status_code == 404
    assert Message.objects.count() == 1


def test_photos_are_served_only_to_its_members(owner, friend, member, as_user, moderator):
    response = as_user(owner).post(COMPOSE, {
        "to": [friend.pk], "subject": "Photo", "body": "Look", "photo1": factories.image_file(),
    })
    assert response.status_code == 302
    photo = MessagePhoto.objects.get()
    url = reverse("conversations:photo", args=[photo.message_id, 0, "medium"])
    assert as_user(friend).get(url).status_code == 200
    for other in (member, moderator):
        assert as_user(other).get(url).status_code == 404
    assert as_user(friend).get(url.replace("/0/", "/1/")).status_code == 404


def test_report_a_message(owner, friend, as_user):
    conversation = start(owner, friend)
    message = Message.objects.get()
    client = as_user(friend)
    html = page(client.get(conversation.get_absolute_url()))
    assert f"/report/?type=message&amp;id={message.pk}" in html
    response = client.post(f"/report/?type=message&id={message.pk}", {"reason": "spam"})
    assert response.status_code == 302
    assert Report.objects.get().target == message
    # Nobody outside the conversation can report it (a 404 like no message).
    assert as_user(factories.member()).get(
        f"/report/?type=message&id={message.pk}").status_code == 404


def test_search_my_messages(owner, friend, member, as_user):
    start(owner, friend, body="東京で会いましょう")
    html = page(as_user(friend).get(reverse("conversations:search") + "?q=東京"))
    assert "Dinner?" in html
    assert "Dinner?" not in page(as_user(member).get(reverse("conversations:search") + "?q=東京"))


def test_a_long_conversation_costs_the_same_queries_as_a_short_one(owner, friend, as_user):
    conversation = start(owner, friend)
    client = as_user(friend)
    client.get(conversation.get_absolute_url())

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page(client.get(conversation.get_absolute_url()))
        return len(queries)

    short = count()
    Message.objects.bulk_create([
        Message(conversation=conversation, author=owner if n % 2 else friend, body=f"m{n}")
        for n in range(500)
    ])
    assert count() <= short + 1


def test_the_notification_and_its_mail_keep_the_message_private(owner, friend, as_user,
                                                                 outbox):
    from datetime import timedelta

    from django.utils import timezone

    from sns.notifications.mail import notification_emails_send

    start(owner, friend, subject="Secret plans", body="The surprise party is on Friday")
    listed = page(as_user(friend).get(reverse("notifications:list")))
    assert "sent you a message" in listed and "Secret plans" in listed
    assert notification_emails_send(now=timezone.now() + timedelta(minutes=6)) == 1
    mail, = outbox
    assert "sent you a message" in mail.subject
    for text in (mail.subject, mail.body, mail.alternatives[0][0]):
        assert "Secret plans" not in text and "surprise party" not in text
    # With the member's leave, the mail quotes it.
    services.message_preference_update(member=friend, reach="", text_in_mail=True)
    services.message_send(conversation_id=Conversation.objects.get().pk, sender=owner,
                          body="Bring a cake")
    outbox.clear()
    assert notification_emails_send(now=timezone.now() + timedelta(minutes=12)) == 1
    assert "Bring a cake" in outbox[0].body and "Secret plans" in outbox[0].body


def test_a_suspended_members_messages_show_as_from_a_member_no_longer_here(
    owner, friend, moderator, as_user
):
    from sns import moderation

    conversation = start(owner, friend, body="Before my suspension")
    moderation.member_suspend(member=owner, by=moderator, reason="test")
    html = page(as_user(friend).get(conversation.get_absolute_url()))
    assert "Before my suspension" in html
    assert "a member who is no longer here" in html
    assert "Owner Person" not in html.split("<main", 1)[1]
    # Nobody can write to them: the conversation is read-only.
    assert 'class="muted small read-only"' in html and 'id="reply"' not in html


def test_the_inbox_shows_the_first_line_of_the_latest_message(owner, friend, as_user):
    conversation = start(owner, friend)
    services.message_send(conversation_id=conversation.pk, sender=owner,
                          body="\n\nSee you at **noon**\nbring the maps\nand snacks")
    row = page(as_user(friend).get(INBOX)).split('class="conversation-latest">', 1)[1]
    assert row.startswith("See you at **noon**</p>")
