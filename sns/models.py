"""Site-wide settings the operator edits in admin."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sns.naming import member_ref
from sns.visibility import Level

# Who may start a conversation with a member (conversations): the levels of sns.visibility
# that make sense for it, narrowest first.
MESSAGE_REACH_CHOICES = [
    (Level.FRIENDS.value, _("Friends only")),
    (Level.FRIENDS_OF_FRIENDS.value, _("Friends and friends of friends")),
    (Level.MEMBERS.value, _("All members")),
]


class SitePolicy(models.Model):
    """Whom the site gathers and its rules, shown to every invitee before they join.

    There is one row; ``SitePolicy.current()`` returns it (or an unsaved empty one).
    """

    class Identity(models.TextChoices):
        REAL_NAME = "real_name", _("Real names")
        NICKNAME = "nickname", _("Nicknames")
        EITHER = "either", _("Real name or nickname, as each member chooses")

    body_ja = models.TextField(
        _("purpose and whom the site gathers (Japanese)"), blank=True, help_text=_("Markdown.")
    )
    body_en = models.TextField(
        _("purpose and whom the site gathers (English)"), blank=True, help_text=_("Markdown.")
    )
    rules_ja = models.TextField(_("rules (Japanese)"), blank=True, help_text=_("Markdown."))
    rules_en = models.TextField(_("rules (English)"), blank=True, help_text=_("Markdown."))
    # Members who accepted before this must accept again (set when the rules change).
    rules_changed_at = models.DateTimeField(_("rules changed"), null=True, blank=True)
    identity_policy = models.CharField(
        _("names members appear under"), max_length=10, choices=Identity.choices, blank=True,
        help_text=_("Empty means the IDENTITY_POLICY setting."),
    )
    invite_domains = models.TextField(
        _("invitations only to these email domains"), blank=True,
        help_text=_("One domain per line, e.g. example.co.jp. Empty means any address."),
    )
    approve_new_members = models.BooleanField(
        _("a moderator approves each new member"), default=False
    )
    invitee_suspension_limit = models.PositiveSmallIntegerField(
        _("suspended invitees before an inviter loses the right to invite"), null=True,
        blank=True, help_text=_("Empty means never."),
    )
    quota_refill_days = models.PositiveSmallIntegerField(
        _("days between one-invitation refills"), null=True, blank=True,
        help_text=_("Members in good standing get one invitation back every so many days. "
                    "Empty means no refill."),
    )
    quota_cap = models.PositiveSmallIntegerField(
        _("refill up to"), default=5,
        help_text=_("Refills stop when a member has this many invitations left."),
    )
    # Messages (conversations): who may start one with a member who has not chosen, and
    # whether a member may open theirs to every member.
    message_reach = models.CharField(
        _("who can send a member messages, unless they choose"), max_length=10, blank=True,
        choices=MESSAGE_REACH_CHOICES,
        help_text=_("Empty means friends and friends of friends."),
    )
    message_reach_members = models.BooleanField(
        _("members may let all members send them messages"), default=True,
        help_text=_("Off: a member can open their messages to friends of friends at most."),
    )
    # Albums: the room each member has for their photos (albums app).
    album_quota_mb = models.PositiveIntegerField(
        _("album space per member (MB)"), default=200, validators=[MinValueValidator(1)],
        help_text=_("How much each member may store in album photos, in megabytes."),
    )
    # The daily news mail (sns.dailynews): the hour, in the site's time zone, it goes out.
    daily_news_hour = models.PositiveSmallIntegerField(
        _("daily news hour"), default=7, validators=[MaxValueValidator(23)],
        help_text=_("The hour of the day (0–23, site time) the daily news mail goes out."),
    )
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
