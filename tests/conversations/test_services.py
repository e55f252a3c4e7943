"""Messages' rules, through the services: who may write to whom, the inbox's marks (unread,
archived, left), blocks, members who left the site, the limits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import block_create
from conversations import selectors, services
from conversations.models import Conversation, Message, MessagePreference, Participant
from sns.errors import Refused
from sns.models import Notification, SitePolicy
from sns.site_policy import policy_memo_set
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db


def start(sender, *recipients, subject="Hello", body="How are you?"):
    return services.conversation_start(
        sender=sender, recipient_ids=[r.pk for r in recipients], subject=subject, body=body
    )


def policy(**fields):
    row = SitePolicy.current()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    policy_memo_set(row, seconds=float("inf"))


def inbox(member, **kwargs):
    rows, _next = selectors.inbox_page(member, None, **kwargs)
    return [row.seat.conversation.subject for row in rows]


# --- who may write to whom -------------------------------------------------------------------

def test_by_default_friends_and_friends_of_friends_may_write(owner, friend, fof, member):
    allowed = selectors.may_message(fof, [owner, friend, member])
    assert allowed == {owner.pk: True, friend.pk: True, member.pk: False}
    with pytest.raises(Refused) as refused:
        start(fof, member)
    assert refused.value.code == "not_allowed"
    assert not Conversation.objects.exists()


def test_each_member_chooses_who_may_write_to_them(owner, friend, fof, member):
    services.message_preference_update(member=member, reach=Level.MEMBERS, text_in_mail=False)
    services.message_preference_update(member=owner, reach=Level.FRIENDS, text_in_mail=False)
    assert selectors.may_message(fof, [member, owner, friend]) == {
        member.pk: True, owner.pk: False, friend.pk: True,
    }
    start(fof, member)


def test_the_operator_sets_the_default_and_may_forbid_all_members(owner, fof, member):
    policy(message_reach=Level.MEMBERS)
    assert selectors.may_message(member, [owner]) == {owner.pk: True}
    services.message_preference_update(member=owner, reach=Level.MEMBERS, text_in_mail=False)
    policy(message_reach=Level.FRIENDS, message_reach_members=False)
    # A member's "all members" then counts as friends of friends; nobody may choose it again.
    assert selectors.may_message(member, [owner]) == {owner.pk: False}
    assert selectors.may_message(fof, [owner]) == {owner.pk: True}
    with pytest.raises(Refused):
        services.message_preference_update(member=owner, reach=Level.MEMBERS, text_in_mail=False)


def test_nobody_writes_to_themself_a_blocked_member_or_one_who_left(owner, friend, blocked):
    assert selectors.may_message(owner, [owner, blocked]) == {blocked.pk: False}
    assert selectors.may_message(blocked, [owner]) == {owner.pk: False}
    friend.is_active = False
    friend.save(update_fields=["is_active"])
    assert selectors.may_message(owner, [friend]) == {friend.pk: False}
    with pytest.raises(Refused):
        start(owner, owner)


def test_a_conversation_has_at_most_ten_members(owner):
    friends = [factories.member() for _ in range(10)]
    for f in friends:
        factories.befriend(owner, f)
    with pytest.raises(Refused) as refused:
        start(owner, *friends)
    assert refused.value.code == "too_many_members"
    conversation = start(owner, *friends[:9])
    assert conversation.participants.count() == 10


@pytest.mark.parametrize(("subject", "body", "code"), [
    ("", "text", "no_subject"), ("  \x00 ", "text", "no_subject"), ("x" * 101, "text",
                                                                    "subject_too_long"),
    ("Hi", "  \x07 ", "empty"), ("Hi", "x" * 5001, "too_long"),
])
def test_bad_text_is_refused_with_a_reason(owner, friend, subject, body, code):
    with pytest.raises(Refused) as refused:
        start(owner, friend, subject=subject, body=body)
    assert refused.value.code == code
    assert not Conversation.objects.exists() and not Message.objects.exists()


# --- the inbox -------------------------------------------------------------------------------

def test_a_new_message_is_unread_notified_and_first_in_the_inbox(owner, friend, fof):
    older = start(owner, friend, subject="Older")
    start(fof, friend, subject="Newer")
    assert inbox(friend) == ["Newer", "Older"]
    assert selectors.unread_count(friend).count() == 2
    assert selectors.unread_count(owner).count() == 0  # one's own message is read
    told = Notification.objects.filter(recipient=friend, kind=Notification.Kind.MESSAGE)
    assert told.count() == 2
    reply = services.message_send(conversation_id=older.pk, sender=friend, body="Fine, thanks")
    assert inbox(owner) == ["Older"] and inbox(friend) == ["Older", "Newer"]
    services.conversation_read(member=owner, conversation_id=older.pk, until=reply.created_at)
    assert selectors.unread_count(owner).count() == 0


def test_a_message_arriving_while_reading_stays_unread(owner, friend):
    conversation = start(owner, friend)
    seen = Message.objects.get().created_at
    services.message_send(conversation_id=conversation.pk, sender=owner, body="And another")
    services.conversation_read(member=friend, conversation_id=conversation.pk, until=seen)
    assert selectors.unread_count(friend).count() == 1


def test_an_archived_conversation_comes_back_with_a_newer_message(owner, friend):
    conversation = start(owner, friend)
    seat = Participant.objects.get(member=friend)
    services.conversation_archive(member=friend, conversation_id=conversation.pk,
                                  seen=seat.last_message_at)
    assert inbox(friend) == [] and inbox(friend, archived=True) == ["Hello"]
    assert inbox(owner) == ["Hello"]  # archived for the one who chose it only
    services.message_send(conversation_id=conversation.pk, sender=owner, body="Still there?")
    assert inbox(friend) == ["Hello"] and inbox(friend, archived=True) == []


def test_archiving_what_was_shown_keeps_a_newer_message_in_the_inbox(owner, friend):
    conversation = start(owner, friend)
    shown = Participant.objects.get(member=friend).last_message_at
    services.message_send(conversation_id=conversation.pk, sender=owner, body="One more")
    services.conversation_archive(member=friend, conversation_id=conversation.pk, seen=shown)
    assert inbox(friend) == ["Hello"]


def test_the_inbox_pages_by_latest_activity(owner):
    friends = [factories.member() for _ in range(5)]
    for n, f in enumerate(friends):
        factories.befriend(owner, f)
        start(owner, f, subject=f"S{n}")
    first, cursor = selectors.inbox_page(owner, None, size=2)
    second, cursor2 = selectors.inbox_page(owner, cursor, size=2)
    third, cursor3 = selectors.inbox_page(owner, cursor2, size=2)
    subjects = [r.seat.conversation.subject for r in [*first, *second, *third]]
    assert subjects == ["S4", "S3", "S2", "S1", "S0"] and cursor3 is None


def test_leaving_a_group_ends_it_for_that_member_only(owner, friend):
    third = factories.member()
    factories.befriend(owner, third)
    conversation = start(owner, friend, third)
    services.conversation_leave(member=friend, conversation_id=conversation.pk)
    assert selectors.seat_of(friend, conversation.pk) is None
    assert inbox(friend) == []
    bye = services.message_send(conversation_id=conversation.pk, sender=owner, body="Bye")
    told = Notification.objects.filter(target_id=bye.pk).values_list("recipient", flat=True)
    assert list(told) == [third.pk]
    with pytest.raises(Conversation.DoesNotExist):
        services.message_send(conversation_id=conversation.pk, sender=friend, body="Back?")


# --- blocks and members who are gone ---------------------------------------------------------

def test_a_block_makes_a_two_member_conversation_read_only(owner, friend):
    conversation = start(owner, friend)
    block_create(blocker=friend, blocked=owner)
    for sender in (owner, friend):
        with pytest.raises(Refused) as refused:
            services.message_send(conversation_id=conversation.pk, sender=sender, body="hi")
        assert refused.value.code == "read_only"
    # What was written before stays readable for both.
    for member in (owner, friend):
        shown = selectors.messages_visible_to(member, conversation)
        assert [m.body for m in shown] == ["How are you?"]


def test_in_a_group_neither_of_a_blocked_pair_sees_the_others_new_messages(owner, friend):
    third = factories.member()
    factories.befriend(owner, third)
    factories.befriend(friend, third)
    conversation = start(third, owner, friend)
    block_create(blocker=owner, blocked=friend)
    later = timezone.now() + timedelta(seconds=1)
    services.message_send(conversation_id=conversation.pk, sender=friend, body="From friend")
    Message.objects.filter(body="From friend").update(created_at=later)
    assert "From friend" not in [m.body for m in selectors.messages_visible_to(owner, conversation)]
    assert "From friend" in [m.body for m in selectors.messages_visible_to(third, conversation)]
    # Nor was the blocker told.
    assert not Notification.objects.filter(recipient=owner, actor=friend).exists()


def test_a_member_who_left_the_site_cannot_be_written_to(owner, friend):
    conversation = start(owner, friend)
    friend.is_active = False
    friend.save(update_fields=["is_active"])
    with pytest.raises(Refused):
        services.message_send(conversation_id=conversation.pk, sender=owner, body="hello?")


def test_a_member_not_in_it_cannot_write(owner, friend, member):
    conversation = start(owner, friend)
    with pytest.raises(Conversation.DoesNotExist):
        services.message_send(conversation_id=conversation.pk, sender=member, body="me too")


def test_the_limits_count_conversations_and_messages(owner, friend, settings):
    settings.CONVERSATIONS_PER_DAY = 1
    start(owner, friend)
    with pytest.raises(Refused) as refused:
        start(owner, friend)
    assert "1 conversation a day" in str(refused.value)
    settings.MESSAGES_PER_HOUR = 2
    conversation = Conversation.objects.get()
    services.message_send(conversation_id=conversation.pk, sender=owner, body="two")
    with pytest.raises(Refused):
        services.message_send(conversation_id=conversation.pk, sender=owner, body="three")
    assert Message.objects.count() == 2


def test_the_preference_row_is_made_once(owner):
    services.message_preference_update(member=owner, reach="", text_in_mail=True)
    services.message_preference_update(member=owner, reach=Level.FRIENDS, text_in_mail=False)
    assert MessagePreference.objects.filter(member=owner).count() == 1
    assert selectors.preference_of(owner).reach == Level.FRIENDS


# --- leaving the site ------------------------------------------------------------------------

def test_the_data_download_holds_my_conversations(owner, friend, fof):
    import io
    import json
    import zipfile

    from sns.leaving.export import export_build

    first = start(owner, friend, subject="First", body="Mine to friend")
    services.message_send(conversation_id=first.pk, sender=friend, body="Friend to me")
    start(fof, friend, subject="Not mine", body="Between them")
    group = start(friend, owner, fof, subject="Group", body="Hello group")
    services.conversation_leave(member=owner, conversation_id=group.pk)
    services.message_send(conversation_id=group.pk, sender=friend, body="After I left")
    with zipfile.ZipFile(io.BytesIO(export_build(owner).read())) as archive:
        data = json.loads(archive.read("messages.json"))
    assert [c["subject"] for c in data] == ["First", "Group"]
    assert [(m["body"], m["mine"]) for m in data[0]["messages"]] == [
        ("Mine to friend", True), ("Friend to me", False)]
    assert [m["body"] for m in data[1]["messages"]] == ["Hello group"]
    assert data[1]["left_at"] is not None and len(data[1]["members"]) == 3


def test_after_leaving_the_site_my_messages_stay_unless_i_delete_them(owner, friend, fof):
    from sns.leaving.services import member_leave

    kept = start(owner, friend, body="I stay")
    member_leave(member=owner, password=factories.PASSWORD)
    message = Message.objects.get(conversation=kept)
    assert message.author_id is None and message.body == "I stay"
    # The conversation is read-only: nobody left to read it.
    with pytest.raises(Refused):
        services.message_send(conversation_id=kept.pk, sender=friend, body="Hello?")
    gone = start(fof, friend, body="Delete me")
    message = Message.objects.get(conversation=gone)
    member_leave(member=fof, password=factories.PASSWORD, delete_messages=True)
    assert not Message.objects.filter(conversation=gone).exists()
    assert not Notification.objects.filter(target_id=message.pk,
                                           kind=Notification.Kind.MESSAGE).exists()


def test_a_conversation_whose_other_member_left_the_site_names_no_one(owner, friend,
                                                                      as_user):
    from django.urls import reverse

    from sns.leaving.services import member_leave

    conversation = start(owner, friend, subject="Farewell")
    member_leave(member=owner, password=factories.PASSWORD)
    client = as_user(friend)
    inbox = client.get(reverse("conversations:inbox")).content.decode()
    assert "Farewell" in inbox and "a member who is no longer here" in inbox
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "a member who is no longer here" in page and "read-only" in page
