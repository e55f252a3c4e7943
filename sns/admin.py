from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import admin_moderation  # noqa: F401 - registers Report and ModerationLog
from .admin_content import StalesCachedParts
from .models import Notification

admin.site.site_header = _("Tsunagari moderation")
admin.site.site_title = _("Tsunagari moderation")

from .policy import admin as policy_admin  # noqa: E402, F401 - registers SitePolicy


@admin.register(Notification)
class NotificationAdmin(StalesCachedParts, admin.ModelAdmin):
    """Read-only: notifications are recorded by ``sns.notifications.notify``."""

    list_display = ["recipient", "kind", "actor", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient__profile", "actor__profile"]
    search_fields = ["recipient__email", "actor__email"]
    date_hierarchy = "created_at"
    fields = ["recipient", "actor", "kind", "target_type", "target_id", "created_at", "read_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from .notifications import admin as notifications_admin  # noqa: E402, F401  (Announcement, NotificationPreference)
