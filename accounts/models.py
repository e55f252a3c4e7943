"""Members: the custom User (login by email), their Profile and Friendship."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sns import cache
from sns.matching import search_field
from sns.visibility import PROFILE_FIELD_LEVELS, Level, Relation, can_see


class MemberManager(UserManager):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    # Django's management commands (createsuperuser) and third-party code call these; they
    # go through the service so that every member has a profile and an email record.
    def create_user(self, email, password=None, **extra_fields):
        from .services import member_create

        return member_create(email=email, password=password, email_verified=False, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        from .services import member_create

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
    # When this member's people-you-may-know were last ranked (accounts.graph).
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
        indexes = [GinIndex(fields=["search"], name="profile_search")]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shows_real_name(self) -> bool:
        from sns.site_policy import identity_policy

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
        )


def photo_url(member_id: int | None, key: str, size: str) -> str:
    """Where a member's profile photo is served: through ``accounts.views.photo``, which
    checks the photo's visibility for each viewer (never straight from MEDIA_URL, where a
    former friend who kept the address would still load it). The key's random tail in the
    query string gives a new photo a new address, so browsers may keep each one."""
    if not key or member_id is None:
        return ""
    version = key.rsplit("/", 1)[-1][:12]
    return f"{reverse('accounts:photo', args=[member_id, size])}?v={version}"


@dataclass(frozen=True)
class ShownProfile:
    name: str
    name_kana: str
    other_name: str
    company: str
    title: str
    photo: str
    introduction: str
    interests: list[str]
    member_id: int | None = None

    def photo_url(self, size: str = "medium") -> str:
        return photo_url(self.member_id, self.photo, size)

    @property
    def photo_small(self) -> str:
        return self.photo_url("small")

    @property
    def photo_medium(self) -> str:
        return self.photo_url("medium")


class FriendshipQuerySet(models.QuerySet):
    def between(self, a: User, b: User) -> FriendshipQuerySet:
        return self.filter(
            models.Q(user=a, friend=b) | models.Q(user=b, friend=a)
        )


class Friendship(models.Model):
    """One row each way, written together by ``accounts.services.friendship_create``.

    Storing both directions keeps "friends of X" and the friend-of-a-friend joins plain
    index lookups; the services are the only writers and keep the pair whole.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="friendships", verbose_name=_("member")
    )
    friend = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("friend")
    )
    created_at = models.DateTimeField(_("friends since"), default=timezone.now)

    objects = FriendshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("friendship")
        verbose_name_plural = _("friendships")
        constraints = [
            models.UniqueConstraint(fields=["user", "friend"], name="friendship_once_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("friend")), name="friendship_not_self"
            ),
        ]
        indexes = [
            # "X's friends, newest first": a member's friend list walks this to its first page.
            models.Index(
                fields=["friend", "-created_at", "user"], name="friendship_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.friend_id}"


class FriendRequestQuerySet(models.QuerySet):
    def between(self, a: User, b: User) -> FriendRequestQuerySet:
        """Requests either way between ``a`` and ``b``."""
        return self.filter(
            models.Q(from_user=a, to_user=b) | models.Q(from_user=b, to_user=a)
        )

    def received_by(self, user: User) -> FriendRequestQuerySet:
        """Requests waiting for ``user``'s answer, newest first, from members still here."""
        return (
            self.filter(to_user=user, from_user__is_active=True)
            .select_related("from_user__profile")
            .order_by("-created_at", "-pk")
        )

    def sent_by(self, user: User) -> FriendRequestQuerySet:
        """Requests ``user`` sent that are still waiting, newest first."""
        return (
            self.filter(from_user=user, to_user__is_active=True)
            .select_related("to_user__profile")
            .order_by("-created_at", "-pk")
        )


class FriendRequest(models.Model):
    """A pending request; it is deleted when accepted, declined or cancelled.

    Only pending requests exist, so "one pending request per pair and direction" is a plain
    unique constraint. Written only by the services in ``accounts.services``.
    """

    from_user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="friend_requests_sent",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="friend_requests_received",
        verbose_name=_("to"),
    )
    message = models.TextField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = FriendRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("friend request")
        verbose_name_plural = _("friend requests")
        constraints = [
            models.UniqueConstraint(
                fields=["from_user", "to_user"], name="friend_request_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_user=models.F("to_user")), name="friend_request_not_self"
            ),
        ]
        indexes = [
            # The requests page and the nav count read "waiting for me, newest first".
            models.Index(fields=["to_user", "-created_at"], name="friend_request_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id}"


class BlockQuerySet(models.QuerySet):
    def involving(self, user: User) -> BlockQuerySet:
        """Blocks either way that concern ``user``."""
        return self.filter(models.Q(blocker=user) | models.Q(blocked=user))

    def hidden_ids(self, user: User) -> set[int]:
        """Members hidden from ``user``: whom they block and who blocks them."""
        ids = set()
        for blocker_id, blocked_id in self.involving(user).values_list("blocker_id", "blocked_id"):
            ids.add(blocked_id if blocker_id == user.pk else blocker_id)
        return ids


class Block(models.Model):
    """``blocker`` hides from ``blocked``, and ``blocked`` from them: blocking works both ways."""

    blocker = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="blocks_made", verbose_name=_("blocker"),
    )
    blocked = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="blocks_received", verbose_name=_("blocked"),
    )
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_reverse")]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class IntroductionQuerySet(models.QuerySet):
    def between(self, a: User, b: User) -> IntroductionQuerySet:
        """Introductions either way between ``a`` and ``b``."""
        return self.filter(models.Q(author=a, subject=b) | models.Q(author=b, subject=a))

    def shown_on(self, subject: User, *, viewer: User) -> IntroductionQuerySet:
        """Introductions on ``subject``'s page as ``viewer`` sees them, newest first.

        Authors who left are left out, and so are authors who block the viewer or whom the
        viewer blocks: for the viewer they do not exist.
        """
        shown = (
            self.filter(subject=subject, author__is_active=True)
            .select_related("author__profile")
            .order_by("-updated_at", "-pk")
        )
        if viewer.is_authenticated:
            author = models.OuterRef("author")
            shown = shown.exclude(
                models.Exists(Block.objects.filter(blocker=viewer, blocked=author))
            ).exclude(models.Exists(Block.objects.filter(blocker=author, blocked=viewer)))
        return shown


class Introduction(models.Model):
    """紹介文: what a friend (``author``) writes about ``subject``, shown on the subject's page."""

    author = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="introductions_written",
        verbose_name=_("author"),
    )
    subject = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="introductions_received",
        verbose_name=pgettext_lazy("introduction", "about"),
    )
    body = models.TextField(_("introduction"), max_length=1000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.UniqueConstraint(fields=["author", "subject"], name="introduction_once"),
            models.CheckConstraint(
                condition=~models.Q(author=models.F("subject")), name="introduction_not_self"
            ),
        ]
        indexes = [models.Index(fields=["subject", "-updated_at"], name="introduction_subject")]

    def __str__(self) -> str:
        return f"{self.author_id} → {self.subject_id}"


class Footprint(models.Model):
    """あしあと: ``visitor`` looked at ``owner``'s page on ``day`` (once per visitor per day)."""

    visitor = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="footprints_left", verbose_name=_("visitor"),
    )
    owner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="footprints", verbose_name=_("visited"),
    )
    day = models.DateField(_("day"))
    visited_at = models.DateTimeField(_("last visit"), default=timezone.now)

    class Meta:
        verbose_name = _("footprint")
        verbose_name_plural = _("footprints")
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "owner", "day"], name="footprint_once_a_day"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-visited_at"], name="footprint_owner_recent"),
            models.Index(fields=["visited_at"], name="footprint_age"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_id} → {self.owner_id} {self.day}"


class Suggestion(models.Model):
    """A ranked friend of a friend of ``member``, kept by ``accounts.graph.suggestions_refresh``.

    Ranking counts every friend of a friend, which for a member with thousands of friends
    is tens of thousands of rows; it is done ahead (by a task) and read back in rank order.
    Friends, blocks and pending requests made since are left out when read.
    """

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(User, on_delete=models.CASCADE, related_name="suggested_to")
    mutual_count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(fields=["member", "candidate"], name="suggestion_once"),
        ]
        indexes = [
            models.Index(
                fields=["member", "-mutual_count", "candidate"], name="suggestion_rank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ? {self.candidate_id} ({self.mutual_count})"
