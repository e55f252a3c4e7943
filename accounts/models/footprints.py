"""あしあと: who looked at a member's page."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import User


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
