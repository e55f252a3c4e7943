"""Every write of messages: starting a conversation, sending in one, a member's own marks
(read, archived, left), the preference. Each runs in one transaction.

Every write that sends locks the member rows of everyone in the conversation (lower pk first),
the lock every write about a pair of members takes (``accounts.services.pair_lock``, which
``block_create`` takes too): a block racing a message is served either before it (and the
message is refused, or not shown to the other) or after it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sns import cache, images, limits
from sns.comments import COMMENT_MAX_LENGTH
from sns.errors import Refused
from sns.notify import Kind, notifications_withdraw, notify_many
from sns.text import body_clean, without_controls
from sns.visibility import Relation, relations_to

from . import selectors
from .models import (
    MAX_MEMBERS,
    MAX_PHOTOS,
    SUBJECT_MAX_LENGTH,
    Conversation,
    Message,
    MessagePhoto,
    MessagePreference,
    Participant,
)

MESSAGE_MAX_LENGTH = COMMENT_MAX_LENGTH


def _body_clean(body: str) -> str:
    return body_clean(
        body, max_length=MESSAGE_MAX_LENGTH, empty=_("Write a message before sending it."),
        too_long=_("A message can be at most %(limit)d characters long (it has %(length)d)."),
    )


def _subject_clean(subject: str) -> str:
    subject = " ".join(without_controls(subject or "").split())
    if not subject:
        raise Refused(_("Give the conversation a subject."), code="no_subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise Refused(
            _("A subject can be at most %(limit)d characters long.")
            % {"limit": SUBJECT_MAX_LENGTH}, code="subject_too_long",
        )
    return subject


def _photos_check(photos) -> list[images.ProcessedImage]:
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise Refused(_("A message can have at most %(n)d photos.") % {"n": MAX_PHOTOS},
                      code="too_many_photos")
    return photos


def _members_lock(ids) -> dict[int, User]:
    """Lock these members' rows, lower pk first (as ``pair_lock``); return them by pk."""
    locked = User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    return {member.pk: member for member in locked}


def _photos_store(message: Message, photos, stored: list[str]) -> None:
    rows = []
    for position, processed in enumerate(photos):
        key = images.store(processed, prefix=f"messages/{message.author_id}")
        stored.append(key)
        rows.append(MessagePhoto(message=message, image=key, position=position))
    MessagePhoto.objects.bulk_create(rows)


def _deliver(message: Message, sender: User, others: list[User]) -> list[int]:
    """Move the conversation up the inbox of everyone who may read ``message`` (in it, on the
    site, in no block with ``sender``); notify them; return their ids."""
    relations = relations_to(sender, others)
    readers = [m.pk for m in others
               if m.is_active and relations.get(m.pk) is not Relation.BLOCKED]
    at = message.created_at
    Participant.objects.filter(
        conversation_id=message.conversation_id, left_at__isnull=True
    ).filter(Q(member_id__in=readers) | Q(member=sender)).update(last_message_at=at)
    # The sender has read what they wrote.
    Participant.objects.filter(conversation_id=message.conversation_id, member=sender).update(
        last_read_at=at
    )
    Conversation.objects.filter(pk=message.conversation_id).update(last_message_at=at)
    # Its page is kept as HTML per reader (conversations.views).
    cache.bump(cache.conversation(message.conversation_id))
    notify_many(recipient_ids=readers, kind=Kind.MESSAGE, actor=sender, target=message)
    cache.bump(cache.inbox(sender))
    return readers


def conversation_start(
    *, sender: User, recipient_ids, subject: str, body: str, photos=None,
) -> Conversation:
    """``sender`` starts a conversation with the members ``recipient_ids`` (each one they may
    write to: ``selectors.may_message``) with its first message and up to three photos;
    notifies them (MESSAGE).

    Raises Refused for nobody chosen, more than MAX_MEMBERS in all, a member they may not
    write to, an empty or over-long subject or text, too many photos; RateLimited past
    CONVERSATIONS_PER_DAY or MESSAGES_PER_HOUR.
    """
    ids = sorted({int(pk) for pk in recipient_ids} - {sender.pk})
    if not ids:
        raise Refused(_("Choose who to write to."), code="nobody")
    if len(ids) + 1 > MAX_MEMBERS:
        raise Refused(
            _("A conversation can have at most %(n)d members, you included.")
            % {"n": MAX_MEMBERS}, code="too_many_members",
        )
    photos = _photos_check(photos)
    stored: list[str] = []

    @transaction.atomic
    def work() -> Conversation:
        # First the rows of everyone in it (the order every pair write takes), then the
        # limits (which lock the sender's row again: already held).
        locked = _members_lock([sender.pk, *ids])
        limits.take(sender, limits.CONVERSATIONS)
        limits.take(sender, limits.MESSAGES)
        if photos:
            limits.take(sender, limits.UPLOADS, amount=len(photos))
        clean_subject, clean_body = _subject_clean(subject), _body_clean(body)
        recipients = [locked[pk] for pk in ids if pk in locked]
        allowed = selectors.may_message(sender, recipients)
        if len(recipients) < len(ids) or not all(allowed.get(m.pk) for m in recipients):
            raise Refused(
                _("You cannot send messages to one of the members you chose."),
                code="not_allowed",
            )
        now = timezone.now()
        conversation = Conversation.objects.create(
            subject=clean_subject, started_by=sender, created_at=now, last_message_at=now
        )
        Participant.objects.bulk_create([
            Participant(conversation=conversation, member_id=pk, joined_at=now,
                        last_message_at=now, last_read_at=now if pk == sender.pk else None)
            for pk in [sender.pk, *ids]
        ])
        message = Message.objects.create(
            conversation=conversation, author=sender, body=clean_body, created_at=now
        )
        _photos_store(message, photos, stored)
        _deliver(message, sender, recipients)
        return conversation

    return images.removed_on_failure(stored, work)


def message_send(*, conversation_id: int, sender: User, body: str, photos=None) -> Message:
    """``sender`` writes in a conversation they are in; everyone there who may read it is
    notified (MESSAGE) and finds the conversation at the top of their inbox again (an
    archived one comes back).

    Raises Conversation.DoesNotExist when ``sender`` is not in it (or left), Refused
    when nobody there can read it any more (everyone else left the conversation or the
    site, or stands in a block with the sender), for an empty or over-long text or too many
    photos; RateLimited past MESSAGES_PER_HOUR.
    """
    photos = _photos_check(photos)
    stored: list[str] = []

    @transaction.atomic
    def work() -> Message:
        member_ids = list(
            Participant.objects.filter(conversation_id=conversation_id)
            .values_list("member_id", flat=True)
        )
        locked = _members_lock(member_ids)
        seat = selectors.seat_of(sender, conversation_id)
        if seat is None:
            raise Conversation.DoesNotExist
        limits.take(sender, limits.MESSAGES)
        if photos:
            limits.take(sender, limits.UPLOADS, amount=len(photos))
        clean_body = _body_clean(body)
        members = selectors.members_of(seat.conversation)
        for participant in members:
            participant.member = locked.get(participant.member_id, participant.member)
        if not selectors.writable(seat, members):
            raise Refused(
                _("Nobody in this conversation can read new messages any more."),
                code="read_only",
            )
        message = Message.objects.create(
            conversation_id=conversation_id, author=sender, body=clean_body,
            created_at=timezone.now(),
        )
        _photos_store(message, photos, stored)
        others = [p.member for p in members
                  if p.member_id != sender.pk and p.left_at is None]
        _deliver(message, sender, others)
        return message

    return images.removed_on_failure(stored, work)


@transaction.atomic
def conversation_read(*, member: User, conversation_id: int, until: datetime | None) -> None:
    """``member`` has seen the conversation's messages up to ``until`` (the latest shown):
    a message that arrived meanwhile stays unread."""
    if until is None:
        return
    changed = Participant.objects.filter(
        conversation_id=conversation_id, member=member
    ).filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=until)).update(last_read_at=until)
    if changed:
        cache.bump(cache.inbox(member))


@transaction.atomic
def conversation_archive(*, member: User, conversation_id: int, seen: datetime) -> bool:
    """Hide the conversation from ``member``'s inbox until a message newer than ``seen`` (the
    latest they were shown) arrives: one that arrived meanwhile keeps it in the inbox.
    Returns whether they are in it."""
    seen = min(seen, timezone.now())
    archived = bool(
        Participant.objects.filter(
            conversation_id=conversation_id, member=member, left_at__isnull=True
        ).update(archived_at=seen)
    )
    if archived:
        cache.bump(cache.inbox(member))
    return archived


@transaction.atomic
def conversation_unarchive(*, member: User, conversation_id: int) -> bool:
    """Back into ``member``'s inbox. Returns whether they are in it."""
    back = bool(
        Participant.objects.filter(
            conversation_id=conversation_id, member=member, left_at__isnull=True
        ).update(archived_at=None)
    )
    if back:
        cache.bump(cache.inbox(member))
    return back


@transaction.atomic
def conversation_leave(*, member: User, conversation_id: int) -> bool:
    """``member`` leaves a conversation: it is gone for them (their inbox, its page) and what
    is written after goes to the others only. What they wrote stays. Returns whether they
    were in it."""
    left = bool(
        Participant.objects.filter(
            conversation_id=conversation_id, member=member, left_at__isnull=True
        ).update(left_at=timezone.now())
    )
    if left:
        # The others' pages name who left.
        cache.bump(cache.inbox(member), cache.conversation(conversation_id))
    return left


@transaction.atomic
def message_preference_update(*, member: User, reach: str, text_in_mail: bool) -> None:
    """Who may start a conversation with ``member`` ("" for the site's default) and whether
    notification mail quotes messages."""
    if reach and reach != selectors.reach_allowed(reach):
        raise Refused(_("This site does not let members open their messages to everyone."),
                      code="reach")
    MessagePreference.objects.update_or_create(
        member=member, defaults={"reach": reach, "text_in_mail": text_in_mail}
    )
    # Their page offers "Send a message" to whom it may (kept per viewer under the member).
    cache.bump(cache.member(member))


@transaction.atomic
def messages_delete_all(*, author: User) -> int:
    """Delete every message ``author`` wrote (leaving the site, when they choose to), their
    photos' files once the deletion commits, and the notifications about them; return how
    many. A conversation emptied of messages stays, for its other members' marks."""
    messages = Message.objects.filter(author=author)
    keys = list(MessagePhoto.objects.filter(message__in=messages).values_list("image", flat=True))
    ids = list(messages.values_list("pk", flat=True))
    conversation_ids = set(messages.values_list("conversation_id", flat=True))
    notifications_withdraw(model=Message, ids=ids)
    cache.bump(*(cache.conversation(pk) for pk in conversation_ids))
    deleted = messages.delete()[1].get(Message._meta.label, 0)
    for key in keys:
        transaction.on_commit(lambda key=key: images.delete(key))
    return deleted
