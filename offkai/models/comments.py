"""Comments on an off-kai."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sns.comments import CommentBase
from sns.naming import member_ref

from .events import Event


class EventComment(CommentBase):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="comments", verbose_name=_("off-kai")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="event_comments", verbose_name=_("author"),
    )

    class Meta(CommentBase.Meta):
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["event", "created_at", "id"], name="event_comment_order"),
            models.Index(fields=["author", "-created_at"], name="event_comment_author"),
        ]

    def __str__(self) -> str:
        return gettext("Comment on off-kai %(event)s by %(author)s") % {
            "event": self.event_id, "author": member_ref(self.author_id),
        }
