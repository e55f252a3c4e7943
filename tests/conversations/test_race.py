"""Races of messages, run as real concurrent transactions (threads, each its own
connection): whatever the order, the state afterwards is consistent."""

import pytest

from accounts.models import Block
from accounts.services import block_create
from conversations import selectors, services
from conversations.models import Conversation, Message, Participant
from sns.errors import Refused
from sns.models import Notification
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def friends():
    a, b = factories.member(), factories.member()
    factories.befriend(a, b)
    return a, b


def test_two_members_writing_to_each_other_at_once_make_two_whole_conversations():
    for _ in range(ROUNDS):
        _writing_to_each_other(*friends())


def _writing_to_each_other(a, b):
    pair = [(a, b), (b, a)]
    results = run_at_once(2, lambda i: services.conversation_start(
        sender=pair[i][0], recipient_ids=[pair[i][1].pk], subject=f"From {i}", body="Hi"
    ))
    assert not failures(results)
    for conversation in successes(results):
        assert set(conversation.participants.values_list("member", flat=True)) == {
            a.pk, b.pk}
        assert conversation.messages.count() == 1
    for member in (a, b):
        rows, _next = selectors.inbox_page(member, None)
        assert len(rows) == 2
        assert selectors.unread_count(member).count() == 1  # the other's, not one's own
    assert Notification.objects.filter(recipient__in=[a, b]).count() == 2


def test_many_replies_at_once_each_land_once_in_order():
    a, b = friends()
    conversation = services.conversation_start(sender=a, recipient_ids=[b.pk], subject="S",
                                               body="0")
    results = run_at_once(10, lambda i: services.message_send(
        conversation_id=conversation.pk, sender=(a, b)[i % 2], body=f"reply {i}"
    ))
    assert not failures(results)
    assert conversation.messages.count() == 11
    latest = conversation.messages.order_by("-created_at", "-pk").first()
    for seat in Participant.objects.filter(conversation=conversation):
        assert seat.last_message_at == latest.created_at


def test_a_reply_racing_an_archive_never_hides_an_unseen_message():
    for _ in range(ROUNDS):
        _reply_racing_archive(*friends())


def _reply_racing_archive(a, b):
    conversation = services.conversation_start(sender=a, recipient_ids=[b.pk],
                                               subject="S", body="first")
    shown = Participant.objects.get(conversation=conversation, member=b).last_message_at

    def work(i):
        if i == 0:
            return services.message_send(conversation_id=conversation.pk, sender=a,
                                         body="second")
        return services.conversation_archive(member=b, conversation_id=conversation.pk,
                                             seen=shown)

    assert not failures(run_at_once(2, work))
    # b archived what they had been shown: the reply, newer, keeps it in the inbox.
    rows, _next = selectors.inbox_page(b, None)
    assert [r.seat.conversation_id for r in rows] == [conversation.pk]
    assert rows[0].unread


def test_a_block_racing_a_message_never_shows_a_message_after_the_block():
    for _ in range(ROUNDS):
        _block_racing_message(*friends())


def _block_racing_message(a, b):
    conversation = services.conversation_start(sender=a, recipient_ids=[b.pk],
                                               subject="S", body="before")

    def work(i):
        if i == 0:
            return block_create(blocker=b, blocked=a)
        return services.message_send(conversation_id=conversation.pk, sender=a,
                                     body="racing")

    results = run_at_once(2, work)
    assert all(isinstance(e, Refused) for e in failures(results))
    block = Block.objects.get(blocker=b, blocked=a)
    sent = Message.objects.filter(conversation=conversation, body="racing").first()
    shown = [m.body for m in selectors.messages_visible_to(b, conversation)]
    if sent is None:
        assert shown == ["before"]
    else:
        # Sent before the block took hold: written before it, and so shown.
        assert sent.created_at <= block.created_at and "racing" in shown
    # And nothing can be sent after it, either way.
    for sender in (a, b):
        with pytest.raises(Refused):
            services.message_send(conversation_id=conversation.pk, sender=sender,
                                  body="after")
    assert not Conversation.objects.filter(pk=conversation.pk, messages__body="after")
