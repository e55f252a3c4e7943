"""Messages (メッセージ): private conversations between members. The app label is
``conversations`` (``messages`` is django.contrib.messages').

A ``Conversation`` has a subject and up to MAX_MEMBERS ``Participant`` rows, one per member,
each with that member's own marks: when they last read it, archived it, left it. Its
``Message`` rows are the one comment kit's base (sns.comments.CommentBase): author (NULL once
they left the site), text, time, a moderator's hiding. Each member's inbox is read from their
``Participant`` rows alone (``last_message_at`` is copied onto them as messages arrive), so it
walks one index however many conversations there are.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sns.comments import CommentBase
from sns.images import StoredPhoto
from sns.matching import search_field
from sns.models import MESSAGE_REACH_CHOICES

MAX_MEMBERS = 10  # in one conversation, its starter included
MAX_PHOTOS = 3  # on one message
SUBJECT_MAX_LENGTH = 100



class ConversationQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> ConversationQuerySet:
        """The conversations ``viewer`` takes part in (and has not left): nobody else, staff
        included, may open one. A moderator sees a reported message through the report."""
        if viewer is None or not viewer.is_authenticated:
            return self.none()
        return self.filter(
            pk__in=Participant.objects.filter(member=viewer, left_at__isnull=True)
            .values("conversation")
        )


class Conversation(models.Model):
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_message_at = models.DateTimeField(_("latest message"), default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("conversations:detail", args=[self.pk])


class Participant(models.Model):
    """One member in one conversation, with their own marks on it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants",
        verbose_name=_("conversation"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_seats",
        verbose_name=_("member"),
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    # The latest message this member may see in it (their inbox's order; copied here so that
    # the inbox reads one index); a message by someone in a block with them does not move it.
    last_message_at = models.DateTimeField(_("latest message"), default=timezone.now)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)
    # Hidden from the inbox until a message newer than this arrives.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "member"],
                                    name="participant_once_per_conversation"),
        ]
        indexes = [
            # The inbox: a member's conversations, newest activity first (keyset paging).
            models.Index(fields=["member", "-last_message_at", "-conversation"],
                         name="participant_inbox", condition=Q(left_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.conversation_id}"

    @property
    def unread(self) -> bool:
        return self.last_read_at is None or self.last_message_at > self.last_read_at


class Message(CommentBase):
    # No index of its own: message_thread starts with it. With one, PostgreSQL read a long
    # conversation it took for a short one (any but the few in its statistics) through it and
    # sorted every message for the latest 50: 7-11 ms for 1,500-1,900 messages on the bench
    # data, against 0.2 ms walking message_thread back.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages",
        verbose_name=_("conversation"), db_index=False,
    )
    # What a member's search of their own messages matches (sns.matching).
    search = search_field("body")

    class Meta(CommentBase.Meta):
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="message_thread"),
            models.Index(fields=["author", "created_at"], name="message_author"),
            GinIndex(fields=["search"], name="message_search"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.pk}"

    def get_absolute_url(self) -> str:
        return f"{self.conversation.get_absolute_url()}#message-{self.pk}"

    @property
    def first_line(self) -> str:
        """Its first line with text, as the inbox shows it (the Markdown as written)."""
        return next((line.strip() for line in self.body.splitlines() if line.strip()), "")


class MessagePhoto(StoredPhoto):
    """One of a message's photos, stored through sns.images; served only to the
    conversation's members (conversations.views.photo), never by a public media URL."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="photos", verbose_name=_("message")
    )

    class Meta(StoredPhoto.Meta):
        constraints = [
            models.UniqueConstraint(fields=["message", "position"],
                                    name="message_photo_position"),
            models.CheckConstraint(condition=Q(position__lt=MAX_PHOTOS),
                                   name="message_photo_at_most_three"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.position}"

    def url(self, size: str = "medium") -> str:
        return reverse("conversations:photo", args=[self.message_id, self.position, size])


class MessagePreference(models.Model):
    """A member's choices for messages; no row means the site's defaults."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="message_preference", verbose_name=_("member"),
    )
    # Who may start a conversation with them ("" = the site policy's default).
    reach = models.CharField(_("who can send me messages"), max_length=10, blank=True,
                             choices=MESSAGE_REACH_CHOICES)
    # Whether the notification mail quotes the message (off: a private message should not
    # sit in a mailbox by default).
    text_in_mail = models.BooleanField(_("quote messages in notification emails"),
                                       default=False)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return str(self.member_id)
