"""The answers to an off-kai (RSVPs, the waitlist, who came) and the guests who came."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from sns.naming import member_ref

from .events import Event


class Answer(models.TextChoices):
    ATTENDING = "attending", _("Attending")
    WAITLISTED = "waitlisted", _("On the waitlist")
    MAYBE = "maybe", _("Maybe")
    DECLINED = "declined", _("Not attending")


# Answers that follow the event: told of changes, counted on the page.
TAKING_PART = ("attending", "waitlisted", "maybe")


class RSVPQuerySet(models.QuerySet):
    def counted(self) -> RSVPQuerySet:
        """The answers that count: not those of suspended members. A suspended member's
        answer is kept, set aside, so that lifting the suspension can take it again
        (offkai.services.suspension); meanwhile it takes no place, waits in no line and is
        on no list. (A member who left has no answers left.)"""
        # The few inactive members as a short list hashed once (a partial index holds it),
        # not a join of every answer to its member.
        return self.exclude(user__in=User.objects.filter(is_active=False).values("pk"))

    def attending(self) -> RSVPQuerySet:
        """The counted answers that take a place."""
        return self.counted().filter(answer=Answer.ATTENDING)

    def waitlist(self) -> RSVPQuerySet:
        """The counted waitlisted answers in the order they are served."""
        return self.counted().filter(answer=Answer.WAITLISTED).order_by("waitlisted_at", "pk")

    def places_taken(self) -> int:
        """Places the attending answers take: each member and their guests."""
        taken = self.attending().aggregate(
            places=Coalesce(Sum(F("guests") + 1), 0)
        )["places"]
        return int(taken)

    def counts(self) -> dict[str, int]:
        """How many answered each way, and the places the attending take, in one query
        (counted answers only)."""
        def count(answer: str) -> Count:
            return Count("pk", filter=Q(answer=answer))

        return self.counted().aggregate(
            attending=count(Answer.ATTENDING),
            waitlisted=count(Answer.WAITLISTED),
            maybe=count(Answer.MAYBE),
            declined=count(Answer.DECLINED),
            places=Coalesce(Sum(F("guests") + 1, filter=Q(answer=Answer.ATTENDING)), 0),
        )


class RSVP(models.Model):
    """A member's answer to an event. ``attending`` rows (with their guests) never exceed the
    capacity: the service locks the event row before counting. The waitlist is served in
    ``waitlisted_at`` order."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="rsvps", verbose_name=_("off-kai")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps",
        verbose_name=_("member"),
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    # Set by a host after the event: True came, False did not, None not confirmed.
    attended = models.BooleanField(_("came"), null=True, blank=True)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="rsvp_once"),
            models.CheckConstraint(
                condition=~Q(answer="waitlisted") | Q(waitlisted_at__isnull=False),
                name="rsvp_waitlist_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "answer", "waitlisted_at", "id"], name="rsvp_event"),
            models.Index(fields=["user", "answer"], name="rsvp_user"),
        ]

    def __str__(self) -> str:
        return gettext("Answer to off-kai %(event)s (%(member)s): %(answer)s") % {
            "event": self.event_id, "member": member_ref(self.user_id),
            "answer": self.get_answer_display(),
        }

    @property
    def places(self) -> int:
        """Places this answer takes when attending: the member and their guests."""
        return 1 + self.guests


class Guest(models.Model):
    """A non-member a host records as having come, so they can be invited in one step."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="guest_rows", verbose_name=_("off-kai")
    )
    brought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("brought by"),
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    invitation = models.ForeignKey(
        "invites.Invitation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("invitation"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name
