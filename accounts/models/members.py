"""Members: the custom User (login by email), their Profile and what a viewer is shown of it."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sns import cache
from sns.matching import search_field
from sns.people import ShownProfile, photo_url
from sns.site_policy import identity_policy
from sns.visibility import PROFILE_FIELD_LEVELS, Level, Relation, can_see


class MemberManager(UserManager):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    # Django's management commands (createsuperuser) and third-party code call these; they
    # go through the service so that every member has a profile and an email record.
    def create_user(self, email, password=None, **extra_fields):
        from accounts.services import member_create

        return member_create(email=email, password=password, email_verified=False, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        from accounts.services import member_create

        return member_create(
            email=email, password=password, email_verified=True, is_staff=True,
            is_superuser=True,
        )


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log in to the admin site and invites without a quota."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Empty means the site's default language."),
    )
    invite_quota = models.PositiveIntegerField(
        _("invitation quota"), null=True, blank=True,
        help_text=_("Empty means the site default."),
    )
    # Moderation and the site policy (sns.moderation, sns.policy).
    suspended_at = models.DateTimeField(
        _("suspended"), null=True, blank=True,
        help_text=_("Set with 'active' off while the member is suspended."),
    )
    awaiting_approval = models.BooleanField(
        _("awaiting approval"), default=False,
        help_text=_("Joined while the site asks a moderator to approve each new member."),
    )
    rules_accepted_at = models.DateTimeField(_("accepted the rules"), null=True, blank=True)
    may_invite = models.BooleanField(
        _("may invite"), default=True,
        help_text=_("Off when too many of this member's invitees were suspended; a moderator "
                    "restores it."),
    )
    quota_refilled_at = models.DateTimeField(
        _("invitation quota last refilled"), null=True, blank=True
    )
    daily_news = models.BooleanField(
        _("daily news by email"), default=False,
        help_text=_("Once a day, a mail of what is new among your friends and communities."),
    )

    objects = MemberManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [
            # The few members who left or were suspended, to leave out of large counts
            # with one hashed lookup instead of a visit to every member row.
            models.Index(
                fields=["id"], condition=models.Q(is_active=False), name="user_inactive"
            ),
            # Those who chose the daily news, walked in order by its sending (sns.dailynews).
            models.Index(
                fields=["id"], condition=models.Q(daily_news=True, is_active=True),
                name="user_daily_news",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    # Every page reads the logged-in member through the parts cache (accounts/backends.py):
    # each write of the row drops the copy there once it commits. Writes that update rows in
    # bulk bump ``cache.member`` themselves (sns.policy).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.bump(cache.member(self))

    def delete(self, *args, **kwargs):
        scope = cache.member(self)
        result = super().delete(*args, **kwargs)
        cache.bump(scope)
        return result

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name shown everywhere, as the site's identity policy says."""
        profile = getattr(self, "profile", None)
        if profile is None:
            return self.email.split("@")[0]
        return profile.shown_name or self.email.split("@")[0]

    @property
    def effective_invite_quota(self) -> int | None:
        """None means unlimited (staff)."""
        if self.is_staff:
            return None
        if self.invite_quota is not None:
            return self.invite_quota
        return settings.INVITE_QUOTA


class Profile(models.Model):
    class NameChoice(models.TextChoices):
        REAL_NAME = "real_name", _("My real name")
        NICKNAME = "nickname", _("My nickname")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    real_name = models.CharField(_("real name"), max_length=80, blank=True)
    real_name_kana = models.CharField(
        _("reading (furigana)"), max_length=80, blank=True,
        help_text=_("How your name is read, e.g. やまだ はなこ."),
    )
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    shown_name_choice = models.CharField(
        _("name shown to others"), max_length=10, choices=NameChoice.choices,
        default=NameChoice.REAL_NAME,
        help_text=_("Used where the site lets members choose."),
    )
    company = models.CharField(_("company"), max_length=120, blank=True)
    # "title" is also the heading of a diary entry, topic or off-kai: its own context.
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=120, blank=True)
    introduction = models.TextField(_("self-introduction"), max_length=4000, blank=True)
    interests = models.CharField(
        _("interests"), max_length=300, blank=True,
        help_text=_("Separate with commas (, or 、)."),
    )
    photo = models.CharField(_("photo"), max_length=200, blank=True, editable=False)

    company_visibility = models.CharField(
        _("who sees my company"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    title_visibility = models.CharField(
        _("who sees my title"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    photo_visibility = models.CharField(
        _("who sees my photo"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    introduction_visibility = models.CharField(
        _("who sees my self-introduction"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    interests_visibility = models.CharField(
        _("who sees my interests"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    # The other name than the one shown (e.g. the nickname on a real-name site).
    other_name_visibility = models.CharField(
        _("who sees my other name"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    friends_visibility = models.CharField(
        _("who sees my friend list"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.MEMBERS,
    )
    # A birthday: month and day, the year optional and shown apart (sns.birthdays reads it).
    birth_month = models.PositiveSmallIntegerField(
        _("birthday (month)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    birth_day = models.PositiveSmallIntegerField(
        _("birthday (day)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    birthday_visibility = models.CharField(
        _("who sees my birthday"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.FRIENDS,
    )
    birth_year_visibility = models.CharField(
        _("who sees my year of birth"), max_length=10, choices=PROFILE_FIELD_LEVELS,
        default=Level.PRIVATE,
    )
    # The birthday (this year's date, site time) the member's friends were last told of the
    # day before (accounts.services.birthdays): a second run of the day finds it told.
    birthday_told_for = models.DateField(null=True, blank=True, editable=False)
    # When this member's people-you-may-know were last ranked (accounts.services.suggestions).
    suggestions_computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    leaves_footprints = models.BooleanField(
        _("leave footprints"), default=True,
        help_text=_("When on, the members whose pages you visit see you among their visitors."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    # What member search matches (sns.search.selectors filters it by what each viewer may see).
    search = search_field("real_name", "real_name_kana", "nickname", "company")

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [
            GinIndex(fields=["search"], name="profile_search"),
            # The birthdays of a day (the notice the day before, home, the daily news).
            models.Index(
                fields=["birth_month", "birth_day"],
                condition=models.Q(birth_month__isnull=False), name="profile_birthday",
            ),
        ]
        constraints = [
            # Month and day together, or neither; a year only with them.
            models.CheckConstraint(
                condition=(
                    models.Q(birth_month__isnull=True, birth_day__isnull=True,
                             birth_year__isnull=True)
                    | models.Q(birth_month__isnull=False, birth_day__isnull=False)
                ),
                name="profile_birthday_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name

    def clean(self):
        super().clean()
        try:
            _ = self.birthday
        except ValueError:
            raise ValidationError(
                {"birth_day": _("That day is not in the calendar.")}
            ) from None

    @property
    def birthday(self) -> date | None:
        """The birthday as a date: in its year when given, else in 2000 (a leap year, so
        that 29 February is one). Raises ValueError for a day not in the calendar."""
        if self.birth_month is None or self.birth_day is None:
            return None
        return date(self.birth_year or 2000, self.birth_month, self.birth_day)

    @property
    def shows_real_name(self) -> bool:
        policy = identity_policy()
        if policy == "either":
            return self.shown_name_choice == self.NameChoice.REAL_NAME and bool(self.real_name)
        return policy == "real_name"

    @property
    def shown_name(self) -> str:
        return self.real_name if self.shows_real_name else self.nickname

    @property
    def other_name(self) -> str:
        return self.nickname if self.shows_real_name else self.real_name

    def photo_url(self, size: str = "medium") -> str:
        return photo_url(self.user_id, self.photo, size)

    def shown_to(self, relation: Relation) -> ShownProfile:
        """The profile as a viewer in ``relation`` may see it: hidden fields come back empty."""

        def field(value: str, level: str) -> str:
            return value if can_see(level, relation) else ""

        other_name = field(self.other_name, self.other_name_visibility)
        birthday = self.birthday if can_see(self.birthday_visibility, relation) else None
        year_shown = bool(
            birthday and self.birth_year and can_see(self.birth_year_visibility, relation)
        )
        if birthday is not None and not year_shown:
            birthday = birthday.replace(year=2000)
        return ShownProfile(
            name=self.user.display_name,
            name_kana=self.real_name_kana
            if self.shows_real_name or other_name
            else "",
            other_name=other_name,
            company=field(self.company, self.company_visibility),
            title=field(self.title, self.title_visibility),
            photo=self.photo if can_see(self.photo_visibility, relation) else "",
            member_id=self.user_id,
            introduction=field(self.introduction, self.introduction_visibility),
            interests=[
                i.strip()
                # Members write Japanese commas as often as ASCII ones.
                for i in re.split(r"[,、，]", field(self.interests, self.interests_visibility))
                if i.strip()
            ],
            birthday=birthday,
            birth_year_shown=year_shown,
        )
