"""紹介文: what friends write about each other."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sns.visibility import without_blocked

from .members import User


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
        return without_blocked(shown, "author_id", viewer)


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
