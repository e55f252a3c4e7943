"""Rows a member's acts leave besides the things they make: the uses of limited actions
(sns.limits), likes (sns.likes), the daily news sent (sns.dailynews)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sns.naming import member_ref


class LimitedAction(models.Model):
    """One use of something limited per member (sns.limits): a comment posted, a photo
    stored, an invitation mailed. Kept apart from the things themselves, because those can
    be withdrawn (a friend request), deleted (a comment) or replaced (a profile photo) and
    would then stop counting; sending and withdrawing is just how a member would flood
    someone. A member's rows older than the window go the next time they act."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20)
    amount = models.PositiveSmallIntegerField(default=1)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "action", "at"], name="limited_action_window")]

    def __str__(self) -> str:
        return f"{self.action} ×{self.amount} at {self.at:%Y-%m-%d %H:%M}"

class Like(models.Model):
    """イイネ!: a member liked something (an entry, a comment, a topic, an off-kai, an album
    photo: the kinds sns.likes knows). One per member and thing, by the database."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes",
        verbose_name=_("member"),
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind")
    )
    target_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [
            # Also the index that counts a page's likes and finds the viewer's own.
            models.UniqueConstraint(
                fields=["target_type", "target_id", "member"], name="like_once"
            ),
        ]
        indexes = [
            # "Who liked this", newest first.
            models.Index(
                fields=["target_type", "target_id", "-created_at"], name="like_newest"
            ),
            # A member's own likes (the data download, leaving the site).
            models.Index(fields=["member", "-created_at"], name="like_by_member"),
        ]

    def __str__(self) -> str:
        return f"{member_ref(self.member_id)} ♥ {self.target_type_id}:{self.target_id}"

class DailyNewsDelivery(models.Model):
    """One member's daily news (sns.dailynews) of one day (site time): claimed by the run
    that enqueued it, sent (or found empty) by a task. One per member and day, by the
    database, so that runs on several machines at once mail nobody twice."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("member"),
    )
    day = models.DateField(_("day"))
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    # Set once done: mailed, or nothing new to tell (``mailed`` off).
    sent_at = models.DateTimeField(_("done"), null=True, blank=True)
    mailed = models.BooleanField(_("mailed"), default=False)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("daily news delivery")
        verbose_name_plural = _("daily news deliveries")
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="daily_news_once"),
        ]
        indexes = [
            # The member's last news (where the next one starts), and old days to prune.
            models.Index(fields=["member", "-day"], name="daily_news_latest"),
            models.Index(fields=["day"], name="daily_news_day"),
        ]

    def __str__(self) -> str:
        return f"{member_ref(self.member_id)} {self.day}"
