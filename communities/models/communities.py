"""Communities (コミュニティ): interest circles with a join policy, an admin and sub-admins;
who is in one (Membership), who asks to join (JoinRequest), who was asked in
(CommunityInvitation)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sns.matching import search_field
from sns.naming import member_ref
from sns.visibility import without_hidden_people


class Category(models.Model):
    """A heading communities are filed under; the operator keeps the list in admin."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ja


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Anyone may join")
    APPROVAL = "approval", _("Joining needs the admins' approval")
    SECRET = "secret", _("Secret: by invitation only, hidden from non-members")


class TopicPolicy(models.TextChoices):
    # "All members" is also a visibility level (the site's members) and the link to the
    # member list: each meaning has its own context.
    MEMBERS = "members", pgettext_lazy("who may start topics", "All members")
    ADMINS = "admins", _("Admins only")


class Role(models.TextChoices):
    ADMIN = "admin", pgettext_lazy("community role", "Admin")
    SUBADMIN = "subadmin", pgettext_lazy("community role", "Sub-admin")
    MEMBER = "member", pgettext_lazy("community role", "Member")


class CommunityQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> CommunityQuerySet:
        """The communities ``viewer`` may know exist; every list and page reads through this.

        A secret community exists only for its members and for those invited into it.
        Closed communities stay reachable by their page (with a note) but ``open_ones``
        keeps them out of lists.
        """
        if viewer is None or not viewer.is_authenticated:
            return self.none()
        member = Exists(Membership.objects.filter(community=OuterRef("pk"), user=viewer))
        invited = Exists(
            CommunityInvitation.objects.filter(community=OuterRef("pk"), invitee=viewer)
        )
        return self.filter(~Q(join_policy=JoinPolicy.SECRET) | member | invited)

    def open_ones(self) -> CommunityQuerySet:
        return self.filter(closed_at__isnull=True)

    def with_member_count(self) -> CommunityQuerySet:
        counts = (
            Membership.objects.filter(community=OuterRef("pk"))
            .order_by().values("community").annotate(n=models.Count("pk")).values("n")
        )
        return self.annotate(
            member_count=models.functions.Coalesce(models.Subquery(counts), 0)
        )


class Community(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(
        _("description"), max_length=20000, blank=True, help_text=_("Markdown.")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="communities",
        verbose_name=_("category"),
    )
    image = models.CharField(_("image"), max_length=200, blank=True, editable=False)
    join_policy = models.CharField(
        _("who can join"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    topic_policy = models.CharField(
        _("who can start topics"), max_length=10, choices=TopicPolicy.choices,
        default=TopicPolicy.MEMBERS,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(pgettext_lazy("community", "closed"), null=True, blank=True)
    # What search matches (sns.search), and the name alone, which ranks communities whose
    # name matches first (stored: computing it for thousands of matches cost 40 ms a search).
    search = search_field("name", "description")
    name_search = search_field("name")

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="community_name_unique_ci"),
        ]
        indexes = [
            models.Index(fields=["category", "-created_at"], name="community_category"),
            GinIndex(fields=["search"], name="community_search"),
            # The few secret ones, which off-kai lists leave out (offkai.models.visible_to)
            # without reading every community.
            models.Index(fields=["id"], condition=Q(join_policy=JoinPolicy.SECRET),
                         name="community_secret"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", args=[self.pk])

    def image_url(self, size: str = "medium") -> str:
        return reverse("communities:image", args=[self.pk, size]) if self.image else ""


    @property
    def is_secret(self) -> bool:
        return self.join_policy == JoinPolicy.SECRET

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


# The member list's order: the admin, the sub-admins, then by joining. An index holds the
# same expression, so a page of a 20,000-member list reads only its rows.
ROLE_RANK = models.Case(
    models.When(role="admin", then=models.Value(0)),
    models.When(role="subadmin", then=models.Value(1)),
    default=models.Value(2), output_field=models.IntegerField(),
)


class MembershipQuerySet(models.QuerySet):
    def listed_for(self, viewer) -> MembershipQuerySet:
        """Memberships in list order without members who left or stand in a block with
        ``viewer``; each with ``user__profile``."""
        return (
            without_hidden_people(self, "user_id", viewer)
            .select_related("user__profile")
            .order_by(ROLE_RANK, "joined_at", "pk")
        )


class Membership(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("community"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_once"),
            models.UniqueConstraint(
                fields=["community"], condition=Q(role="admin"), name="community_one_admin"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-joined_at"], name="membership_user"),
            models.Index(
                models.F("community"), ROLE_RANK, models.F("joined_at"), models.F("id"),
                name="membership_list",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(member)s in community %(community)s (%(role)s)") % {
            "member": member_ref(self.user_id), "community": self.community_id,
            "role": self.get_role_display(),
        }

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def moderates(self) -> bool:
        """Admins and sub-admins decide on join requests."""
        return self.role in (Role.ADMIN, Role.SUBADMIN)


class JoinRequest(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="join_requests",
        verbose_name=_("community"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("member"),
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="join_request_once"),
        ]

    def __str__(self) -> str:
        return gettext("%(member)s asks to join community %(community)s") % {
            "member": member_ref(self.user_id), "community": self.community_id,
        }


class CommunityInvitation(models.Model):
    """A member asks a friend in: the only way into a secret community."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="invitations",
        verbose_name=_("community"),
    )
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("invited by"),
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="community_invitations", verbose_name=_("invited member"),
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now)

    class Meta:
        verbose_name = _("community invitation")
        verbose_name_plural = _("community invitations")
        constraints = [
            models.UniqueConstraint(fields=["community", "invitee"], name="community_invite_once"),
        ]

    def __str__(self) -> str:
        return gettext("Invitation to community %(community)s (%(inviter)s → %(invitee)s)") % {
            "community": self.community_id, "inviter": member_ref(self.inviter_id),
            "invitee": member_ref(self.invitee_id),
        }
