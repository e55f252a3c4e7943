"""Reports (通報) and what moderators did (sns/moderation/)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A member reports (通報) a piece of content or a member to the moderators."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        HARASSMENT = "harassment", _("Harassment or abuse")
        PRIVACY = "privacy", _("Someone's private information")
        INAPPROPRIATE = "inappropriate", _("Inappropriate content")
        IMPERSONATION = "impersonation", _("Pretending to be someone else")
        OTHER = "other", _("Something else")

    class Decision(models.TextChoices):
        NO_ACTION = "no_action", _("No action")
        HIDE = "hide", _("Hide the content")
        WARN = "warn", _("Warn the member")
        SUSPEND = "suspend", _("Suspend the member")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("reported by"),
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_against",
        verbose_name=_("reported member"),
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("target type")
    )
    target_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("moderator's note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open report per reporter and thing: reporting twice changes nothing.
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=models.Q(decided_at__isnull=True), name="report_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(decided_at__isnull=True),
                         name="report_queue"),
            models.Index(fields=["reported", "-created_at"], name="report_reported"),
        ]

    def __str__(self) -> str:
        # The content type from Django's shared cache, not a query per row; its name is the
        # model's verbose name in the reader's language ("diary entry", not "entry").
        target_type = ContentType.objects.get_for_id(self.target_type_id)
        return gettext("%(reason)s: %(target)s %(id)s") % {
            "reason": self.get_reason_display(), "target": target_type.name,
            "id": self.target_id,
        }

    @property
    def is_open(self) -> bool:
        return self.decided_at is None

class ModerationLog(models.Model):
    """The audit log: every moderator's decision, kept when what it was about is gone."""

    class Action(models.TextChoices):
        NO_ACTION = "no_action", _("Closed a report without action")
        HIDE = "hide", _("Hid content")
        UNHIDE = "unhide", _("Showed hidden content again")
        WARN = "warn", _("Warned a member")
        SUSPEND = "suspend", _("Suspended a member")
        UNSUSPEND = "unsuspend", _("Lifted a suspension")
        INVITATIONS_REVOKED = "invitations_revoked", _("Revoked pending invitations")
        INVITE_RIGHT_REMOVED = "invite_right_removed", _("Took away the right to invite")
        INVITE_RIGHT_RESTORED = "invite_right_restored", _("Restored the right to invite")
        MEMBER_APPROVED = "member_approved", _("Approved a new member")
        MEMBER_REFUSED = "member_refused", _("Refused a new member")
        ANNOUNCEMENT = "announcement", _("Sent an announcement")
        POLICY_CHANGED = "policy_changed", _("Changed the site policy")
        MEMBER_LEFT = "member_left", _("A member deleted their account")

    at = models.DateTimeField(_("when"), default=timezone.now)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("moderator"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="moderation_log", verbose_name=_("member"),
    )
    # The member's name and email when it happened, kept if the member is deleted.
    member_label = models.CharField(_("member at the time"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="log",
        verbose_name=_("report"),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["member", "-at"], name="moderation_log_member")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.member_label})"
