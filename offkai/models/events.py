"""An off-kai (オフ会) and its hosts; ``EventQuerySet.visible_to`` is who may know it exists."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community, JoinPolicy, Membership
from sns.matching import search_field
from sns.naming import member_ref
from sns.visibility import Level, in_block_with, level_reach, level_rule

# An event shown only to the members of its community: the one level a diary lacks.
COMMUNITY = "community"


class Visibility(models.TextChoices):
    """The diary levels, plus "the community's members" for an event held by a community."""

    PUBLIC = Level.PUBLIC.value, Level.PUBLIC.label
    MEMBERS = Level.MEMBERS.value, Level.MEMBERS.label
    FRIENDS_OF_FRIENDS = Level.FRIENDS_OF_FRIENDS.value, Level.FRIENDS_OF_FRIENDS.label
    FRIENDS = Level.FRIENDS.value, Level.FRIENDS.label
    COMMUNITY = COMMUNITY, _("Members of the community")
    PRIVATE = Level.PRIVATE.value, _("Hosts only")


class EventQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> EventQuerySet:
        """The events ``viewer`` may know exist; every list, page and calendar reads through it.

        Hosts see their events. Otherwise nobody who stands in a block with the creator
        sees it; an event of a secret community exists only for its members (whatever its
        level); "community" events are for the community's members; the other levels reach
        out from the creator as a diary entry's would. A community's members always see
        its (non-private) events.
        """
        from .rsvp import RSVP  # a cycle: an answer names its event, rsvp imports this module

        # A NULL creator left the site with nobody to take the event over: it stays (cancelled
        # if it was still to come), seen by the level's reach and by those who had answered.
        gone = Q(created_by__isnull=True)
        # Creators who left or are suspended leave out their events: a short list hashed once
        # (a partial index holds it), not a join of every event to its creator.
        events = self.exclude(
            created_by__in=User.objects.filter(is_active=False).values("pk")
        ).filter(hidden_at__isnull=True)
        if viewer is None or not viewer.is_authenticated:
            if not settings.SITE_PUBLIC_PAGES:
                return events.none()
            return events.filter(level_rule(viewer, owner="created_by"), community__isnull=True)
        host = Exists(EventHost.objects.filter(event=OuterRef("pk"), user=viewer))
        # The members in a block with the viewer, as two short lists hashed once rather than
        # looked up event by event.
        blocked = in_block_with(viewer, "created_by")
        in_community = Exists(
            Membership.objects.filter(community=OuterRef("community"), user=viewer)
        )
        secret = Exists(Community.objects.filter(
            pk=OuterRef("community"), join_policy=JoinPolicy.SECRET
        ))
        by_level = level_reach(viewer, owner="created_by")
        answered = Exists(RSVP.objects.filter(event=OuterRef("pk"), user=viewer))
        return events.filter(
            host
            | (gone & answered & ~Q(visibility=Level.PRIVATE))
            | (
                ~blocked
                & ~Q(visibility=Level.PRIVATE)
                & (
                    (Q(community__isnull=False) & in_community)
                    | (~Q(visibility=COMMUNITY) & ~secret & by_level)
                )
            )
        )

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")


class EventManager(models.Manager.from_queryset(EventQuerySet)):
    def get_queryset(self) -> EventQuerySet:
        # The search vector is longer than the description (2 kB an event): no page reads it.
        return super().get_queryset().defer("search")


class Event(models.Model):
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=150)
    description = models.TextField(
        _("description"), max_length=20000, blank=True, help_text=_("Markdown.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True,
        help_text=_("Places, guests included. Empty means no limit."),
    )
    fee = models.CharField(_("fee"), max_length=100, blank=True)
    rsvp_deadline = models.DateTimeField(
        _("answers close"), null=True, blank=True,
        help_text=_("Empty means answers are open until the event starts."),
    )
    guest_limit = models.PositiveSmallIntegerField(
        _("guests per member"), default=0,
        help_text=_("How many guests (non-members) each attending member may bring."),
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, null=True, blank=True,
        related_name="events", verbose_name=_("community"),
    )
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Visibility.choices,
        default=Visibility.FRIENDS,
    )
    # NULL only once the creator left the site and no co-host was there to take the event
    # over (sns.leaving): it was cancelled if still to come, and stays as it was.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="created_events", verbose_name=_("created by"),
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="EventHost", related_name="hosted_events",
        verbose_name=_("hosts"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=2000, blank=True)
    # Set when the day-before reminder went out for the current start time; a change of
    # time clears it so the reminder goes out again.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    hidden_at = models.DateTimeField(
        _("hidden by a moderator"), null=True, blank=True, editable=False
    )
    # What search matches (sns.search).
    search = search_field("title", "venue", "description")

    objects = EventManager()

    class Meta:
        verbose_name = _("off-kai")
        verbose_name_plural = _("off-kai")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                                   name="event_capacity_positive"),
        ]
        indexes = [
            models.Index(fields=["starts_at", "id"], name="event_start"),
            # What has not ended yet (the upcoming lists, a month's end).
            models.Index(fields=["ends_at"], name="event_end"),
            models.Index(fields=["community", "starts_at"], name="event_community"),
            models.Index(fields=["created_by", "-starts_at"], name="event_creator"),
            GinIndex(fields=["search"], name="event_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offkai:detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def answers_close_at(self):
        """When RSVPs stop changing: the deadline, or the start when there is none."""
        return self.rsvp_deadline or self.starts_at

    @property
    def map_url(self) -> str:
        """A map search for the address on OpenStreetMap, or "" without an address."""
        if not self.address:
            return ""
        return "https://www.openstreetmap.org/search?query=" + quote(self.address, safe="")

    @property
    def answers_open(self) -> bool:
        return not self.is_cancelled and timezone.now() < self.answers_close_at


class EventHost(models.Model):
    """The creator and the co-hosts: each may edit, cancel, see the list and confirm attendance."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="host_rows", verbose_name=_("off-kai")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("host"),
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("host")
        verbose_name_plural = _("hosts")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="event_host_once")]
        indexes = [models.Index(fields=["user"], name="event_host_user")]

    def __str__(self) -> str:
        return gettext("Host of off-kai %(event)s (%(member)s)") % {
            "event": self.event_id, "member": member_ref(self.user_id),
        }
