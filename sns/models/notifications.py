"""What happened to a member (sns.notify writes it; sns/notifications/ shows and mails
it), their choices of what comes by mail, and the operator's announcements."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sns.naming import member_ref


class Notification(models.Model):
    """Something that happened to a member: recorded by ``sns.notify.notify``.

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
        COMMUNITY_INVITATION = "community_invitation", _("Invitation to a community")
        EVENT_NEW = "event_new", _("New off-kai in your community")
        EVENT_CHANGED = "event_changed", _("Off-kai time or place changed")
        EVENT_CANCELLED = "event_cancelled", _("Off-kai cancelled")
        EVENT_PROMOTED = "event_promoted", _("A place freed up for you at an off-kai")
        EVENT_REMINDER = "event_reminder", _("Off-kai tomorrow")
        EVENT_COMMENT = "event_comment", _("Comment on an off-kai you take part in")
        INVITEE_JOINED = "invitee_joined", _("Someone you invited joined")
        MEMBER_INVITED = "member_invited", _("A member wanted to invite you")
        MODERATION_WARNING = "moderation_warning", _("A warning from the moderators")
        INVITEE_WARNED = "invitee_warned", _("Someone you invited was warned")
        INVITEE_SUSPENDED = "invitee_suspended", _("Someone you invited was suspended")
        INVITE_RIGHT_REMOVED = "invite_right_removed", _("You can no longer invite")
        ANNOUNCEMENT = "announcement", _("Announcement from the operator")
        MESSAGE = "message", _("New message")
        LIKE = "like", _("Likes on what you wrote")
        ALBUM_COMMENT = "album_comment", _("Comment on a photo in your album")
        BIRTHDAY = "birthday", _("A friend's birthday tomorrow")

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
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set when the notification went out in a (batched) email, or was judged not to.
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    # How many acts it gathers (sns.notify.notify_gathered: "Aki and 2 others liked …").
    gathered = models.PositiveIntegerField(_("how many"), default=1)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient", "-created_at"], condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(mailed_at__isnull=True),
                name="notification_unmailed",
            ),
            # Deleting a comment withdraws the notifications about it (sns.notifications).
            models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ]
        constraints = [
            # Likes gather (sns.notify.notify_gathered): one unread notification per thing,
            # its actor the latest who liked it, so two likes at once make one.
            models.UniqueConstraint(
                fields=["recipient", "target_type", "target_id"],
                condition=models.Q(kind="like", read_at__isnull=True),
                name="notification_gathered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

class NotificationPreference(models.Model):
    """Whether a member also gets a kind of notification by email (in-app always)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="notification_preferences", verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Notification.Kind.choices)
    email = models.BooleanField(_("also by email"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self) -> str:
        template = (gettext("%(member)s: %(kind)s, also by email") if self.email
                    else gettext("%(member)s: %(kind)s, on the site only"))
        return template % {"member": member_ref(self.user_id), "kind": self.get_kind_display()}

class Announcement(models.Model):
    """A notice from the operator to all members or to one community's members."""

    title = models.CharField(pgettext_lazy("heading", "title"), max_length=150)
    body = models.TextField(_("text"), max_length=10000, help_text=_("Markdown."))
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, null=True, blank=True,
        related_name="announcements", verbose_name=_("only to the members of"),
        help_text=_("Empty means every member."),
    )
    by_email = models.BooleanField(_("also by email"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
