"""The site's policy: what the operator sets in admin › Site policy (sns.site_policy
reads it)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

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
