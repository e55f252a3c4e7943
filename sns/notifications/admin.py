"""Admin for notifications (read-only), announcements and members' notification email
preferences (imported by sns/admin.py)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sns.admin_kit import StalesCachedParts
from sns.models import Announcement, Notification, NotificationPreference

from .announcements import announcement_send


@admin.register(Announcement)
class AnnouncementAdmin(StalesCachedParts, admin.ModelAdmin):
    """Moderators write an announcement, then send it (the action, or "Save and send");
    once sent it can no longer be changed."""

    list_display = ["title", "community", "by_email", "created_by", "created_at", "sent_at"]
    list_filter = ["by_email", ("sent_at", admin.EmptyFieldListFilter),
                   ("community", admin.EmptyFieldListFilter)]
    list_select_related = ["community", "created_by__profile"]
    search_fields = ["title", "body"]
    date_hierarchy = "created_at"
    raw_id_fields = ["community"]
    fields = ["title", "body", "community", "by_email", "created_by", "created_at", "sent_at"]
    readonly_fields = ["created_by", "created_at", "sent_at"]
    actions = ["send_selected"]
    change_form_template = "admin/sns/announcement/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sent_at is not None:
            return self.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _send(self, request, announcements) -> None:
        sent = sum(announcement_send(announcement=a, by=request.user) for a in announcements)
        skipped = len(announcements) - sent
        if sent:
            self.message_user(request, ngettext(
                "%(count)d announcement is being sent.",
                "%(count)d announcements are being sent.", sent,
            ) % {"count": sent}, messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d announcement had been sent already and was not sent again.",
                "%(count)d announcements had been sent already and were not sent again.",
                skipped,
            ) % {"count": skipped}, messages.WARNING)

    @admin.action(description=_("Send the selected announcements"))
    def send_selected(self, request, queryset):
        self._send(request, list(queryset))

    def response_add(self, request, obj, post_url_continue=None):
        if "_send" in request.POST:
            self._send(request, [obj])
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_send" in request.POST:
            self._send(request, [obj])
        return super().response_change(request, obj)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """What members chose to get by email (no row: the default for the kind)."""

    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
    list_select_related = ["user__profile"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(StalesCachedParts, admin.ModelAdmin):
    """Read-only: notifications are recorded by ``sns.notify.notify``."""

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
