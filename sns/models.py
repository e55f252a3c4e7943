"""Site-wide settings the operator edits in admin."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class SitePolicy(models.Model):
    """Whom the site gathers and its rules, shown to every invitee before they join.

    There is one row; ``SitePolicy.current()`` returns it (or an unsaved empty one).
    """

    body_ja = models.TextField(_("policy (Japanese)"), blank=True, help_text=_("Markdown."))
    body_en = models.TextField(_("policy (English)"), blank=True, help_text=_("Markdown."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site policy")
        verbose_name_plural = _("site policy")

    def __str__(self) -> str:
        return str(_("Site policy"))

    @classmethod
    def current(cls) -> "SitePolicy":
        return cls.objects.order_by("pk").first() or cls()

    @property
    def body(self) -> str:
        """The text in the active language, falling back to the other one."""
        if translation.get_language() == "en":
            return self.body_en or self.body_ja
        return self.body_ja or self.body_en


class Notification(models.Model):
    """Something that happened to a member: recorded by ``sns.notifications.notify``.

    The notification issue shows them (and sends mail by preference); until then they are
    only recorded.
    """

    class Kind(models.TextChoices):
        FRIEND_REQUEST_RECEIVED = "friend_request", _("Friend request received")
        FRIEND_REQUEST_ACCEPTED = "friend_accepted", _("Friend request accepted")
        INTRODUCTION_WRITTEN = "introduction", _("Introduction written about you")
        DIARY_COMMENT = "diary_comment", _("Comment on your diary entry")
        DIARY_COMMENT_AFTER = "diary_comment_after", _("Comment after yours on a diary entry")
        COMMUNITY_JOIN_REQUEST = "community_join_request", _("Request to join your community")
        COMMUNITY_JOIN_APPROVED = "community_join_approved", _(
            "Request to join a community approved"
        )
        COMMUNITY_TOPIC_COMMENT = "community_topic_comment", _(
            "New comment in a topic you took part in"
        )
        EVENT_NEW = "event_new", _("New off-kai in your community")
        EVENT_CHANGED = "event_changed", _("Off-kai time or place changed")
        EVENT_CANCELLED = "event_cancelled", _("Off-kai cancelled")
        EVENT_PROMOTED = "event_promoted", _("A place freed up for you at an off-kai")
        EVENT_REMINDER = "event_reminder", _("Off-kai tomorrow")
        EVENT_COMMENT = "event_comment", _("Comment on an off-kai you take part in")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"
