"""The daily news's deliveries in admin: which went, which wait, which failed and why (read
only: the sending writes them)."""

from django.contrib import admin

from sns.models import DailyNewsDelivery


@admin.register(DailyNewsDelivery)
class DailyNewsDeliveryAdmin(admin.ModelAdmin):
    list_display = ["member", "day", "claimed_at", "sent_at", "mailed", "attempts",
                    "last_error"]
    list_filter = ["day", "mailed"]
    list_select_related = ["member__profile"]
    search_fields = ["member__email"]
    raw_id_fields = ["member"]
    date_hierarchy = "day"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
