"""Site-wide settings the operator edits in admin."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SitePolicy(models.Model):
    """Whom the site gathers and its rules, shown to every invitee before they join.

    There is one row; ``SitePolicy.current()`` returns it (or an unsaved empty one).
    """

    body_ja = models.TextField(_("policy (Japanese)"), blank=True, help_text=_("Markdown."))
    body_en = models.TextField(_("policy (English)"), blank=True, help_text=_("Markdown."))
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
