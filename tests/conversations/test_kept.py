"""A conversation's page kept as HTML per reader (sns.cache.rendered), on a real Redis
(tests/warm.py): each change that adds to it or takes from it shows on the reader's next
request, and a look that changed nothing is served from the kept part."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import block_create
from conversations import services
from conversations.models import Message
from sns import moderation
from tests import factories, warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts():
    with warm.parts_on_redis() as parts:
        yield parts


def start(sender, *recipients, body="First"):
    with warm.committed():
        return services.conversation_start(
            sender=sender, recipient_ids=[r.pk for r in recipients], subject="Kept", body=body
        )


def read(client, conversation) -> str:
    response = client.get(conversation.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_look_is_served_from_the_kept_part(owner, friend, as_user, parts):
    conversation = start(owner, friend)
    client = as_user(friend)
    read(client, conversation)
    assert warm.filled(parts)
    with CaptureQueriesContext(connection) as cold:
        read(client, conversation)
    with CaptureQueriesContext(connection) as warm_look:
        read(client, conversation)
    # The thread (members, messages, relations) is not read again.
    assert not any("conversations_message" in q["sql"] for q in warm_look.captured_queries)
    assert len(warm_look.captured_queries) <= len(cold.captured_queries)


def test_a_new_message_shows_on_the_next_look(owner, friend, as_user, parts):
    conversation = start(owner, friend)
    client = as_user(friend)
    assert "First" in read(client, conversation)
    with warm.committed():
        services.message_send(conversation_id=conversation.pk, sender=owner, body="Second")
    assert "Second" in read(client, conversation)


def test_a_block_takes_effect_on_the_next_look(owner, friend, as_user, parts):
    conversation = start(owner, friend)
    client = as_user(owner)
    assert 'id="reply"' in read(client, conversation)
    with warm.committed():
        block_create(blocker=friend, blocked=owner)
    html = read(client, conversation)
    assert 'id="reply"' not in html and "read-only" in html
    assert "First" in html  # written before the block: it stays


def test_a_hidden_message_is_gone_on_the_next_look(owner, friend, moderator, as_user, parts):
    conversation = start(owner, friend, body="Rude words")
    client = as_user(friend)
    assert "Rude words" in read(client, conversation)
    with warm.committed():
        moderation.content_hide(target=Message.objects.get(), by=moderator, reason="rude")
    assert "Rude words" not in read(client, conversation)


def test_a_suspension_and_a_departure_show_on_the_next_look(owner, friend, moderator,
                                                            as_user, parts):
    third = factories.member("Third Person")
    factories.befriend(friend, third)
    conversation = start(friend, owner, third)
    client = as_user(friend)
    html = read(client, conversation)
    assert "Owner Person" in html and "Third Person" in html
    with warm.committed():
        moderation.member_suspend(member=owner, by=moderator, reason="kept")
    html = read(client, conversation)
    assert "Owner Person" not in html.split("<main", 1)[1]
    with warm.committed():
        services.conversation_leave(member=third, conversation_id=conversation.pk)
    assert "(left)" in read(client, conversation)


def test_a_refused_reply_is_shown_afresh_not_kept(owner, friend, as_user, parts):
    from django.urls import reverse

    conversation = start(owner, friend)
    client = as_user(friend)
    read(client, conversation)
    response = client.post(reverse("conversations:reply", args=[conversation.pk]),
                           {"body": "x" * 5001})
    assert "x" * 5001 in response.content.decode()
    # The next look is the kept page, without the refused text.
    assert "x" * 5001 not in read(client, conversation)


# --- the inbox ---------------------------------------------------------------------------------

def inbox(client) -> str:
    from django.urls import reverse

    response = client.get(reverse("conversations:inbox"))
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def test_the_inbox_follows_messages_reads_archiving_and_hiding(owner, friend, moderator,
                                                                as_user, parts):
    conversation = start(owner, friend, body="Hello there")
    client = as_user(friend)
    assert "conversation-row unread" in inbox(client)
    with warm.committed():  # (reading marks it read: a write whose bumps wait for commit)
        read(client, conversation)
    assert "conversation-row unread" not in inbox(client)
    with warm.committed():
        services.message_send(conversation_id=conversation.pk, sender=owner, body="Again")
    html = inbox(client)
    assert "conversation-row unread" in html and "Again" in html
    with warm.committed():
        services.conversation_archive(member=friend, conversation_id=conversation.pk,
                                      seen=conversation.messages.latest("created_at").created_at)
    assert "Kept" not in inbox(client)
    with warm.committed():
        services.conversation_unarchive(member=friend, conversation_id=conversation.pk)
    assert "Again" in inbox(client)
    with warm.committed():
        moderation.content_hide(target=Message.objects.get(body="Again"), by=moderator,
                                reason="kept")
    html = inbox(client)
    assert "Again" not in html and "Hello there" in html


def test_the_inbox_drops_a_blocked_or_suspended_name_at_once(owner, friend, moderator,
                                                              as_user, parts):
    start(owner, friend)
    client = as_user(friend)
    assert "Owner Person" in inbox(client)
    with warm.committed():
        moderation.member_suspend(member=owner, by=moderator, reason="kept")
    html = inbox(client)
    assert "Owner Person" not in html and "a member who is no longer here" in html
