from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification, SitePolicy

admin.site.site_header = _("Tsunagari moderation")
admin.site.site_title = _("Tsunagari moderation")


@admin.register(SitePolicy)
class SitePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        # One policy per site.
        return not SitePolicy.objects.exists()


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
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
