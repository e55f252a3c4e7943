"""The sns app's admin, which Django discovers: the features register their models in their
own admin modules, imported here (reports and the moderation log, notifications and
announcements, the site policy, the daily news's deliveries)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Tsunagari moderation")
admin.site.site_title = _("Tsunagari moderation")

from .dailynews import admin as dailynews_admin  # noqa: E402, F401
from .moderation import admin as moderation_admin  # noqa: E402, F401
from .notifications import admin as notifications_admin  # noqa: E402, F401
from .policy import admin as policy_admin  # noqa: E402, F401
