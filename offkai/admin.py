"""Off-kai in admin: lists to look things up and moderate. Events, answers, guests and
calendar feeds are read-only here: their writes go through offkai.services (capacity, the
waitlist, notices), which admin would bypass. Moderators may hide an event or a comment (and
show it again), or delete it."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from sns.admin_kit import HiddenFilter, ReadOnlyAdmin
from sns.moderation.admin import ModeratedContentAdmin
from sns.withdraw import about_withdraw

from .models import RSVP, Answer, CalendarFeed, Event, EventComment, EventHost, Guest


class EventHostInline(admin.TabularInline):
    model = EventHost
    extra = 0
    fields = ["user", "added_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CancelledFilter(admin.SimpleListFilter):
    title = _("cancelled")
    parameter_name = "cancelled"

    def lookups(self, request, model_admin):
        return [("yes", _("Cancelled")), ("no", _("Not cancelled"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cancelled_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(cancelled_at__isnull=True)
        return queryset


@admin.register(Event)
class EventAdmin(ModeratedContentAdmin):
    inlines = [EventHostInline]
    list_display = ["title", "starts_at", "community", "created_by", "cancelled_at",
                    "attending_count", "waitlisted_count", "capacity", "is_hidden"]
    list_filter = [HiddenFilter, CancelledFilter, "visibility",
                   ("community", admin.EmptyFieldListFilter)]
    search_fields = ["title", "venue", "address", "created_by__email",
                     "created_by__profile__real_name", "created_by__profile__nickname"]
    list_select_related = ["community", "created_by__profile"]
    raw_id_fields = ["created_by", "community"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            attending=Count("rsvps", filter=Q(rsvps__answer=Answer.ATTENDING)),
            waitlisted=Count("rsvps", filter=Q(rsvps__answer=Answer.WAITLISTED)),
        )

    @admin.display(description=_("attending"), ordering="attending")
    def attending_count(self, obj) -> int:
        return obj.attending

    @admin.display(description=_("waitlisted"), ordering="waitlisted")
    def waitlisted_count(self, obj) -> int:
        return obj.waitlisted

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(RSVP)
class RSVPAdmin(ReadOnlyAdmin):
    list_display = ["event", "user", "answer", "guests", "answered_at", "waitlisted_at",
                    "attended"]
    list_filter = ["answer", "attended"]
    search_fields = ["event__title", "user__email", "user__profile__real_name",
                     "user__profile__nickname"]
    list_select_related = ["event", "user__profile"]
    raw_id_fields = ["event", "user"]

    def has_delete_permission(self, request, obj=None):
        # Deleting an answer here would leave a place free and nobody promoted.
        return False


@admin.register(EventComment)
class EventCommentAdmin(ModeratedContentAdmin):
    list_display = ["__str__", "event", "author", "created_at", "is_hidden"]
    list_filter = [HiddenFilter]
    search_fields = ["body", "event__title", "author__email"]
    list_select_related = ["event", "author__profile"]
    raw_id_fields = ["event", "author"]
    fields = ["event", "author", "body", "created_at", "hidden_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    # A deleted comment takes its notifications with it, as on the site.
    def delete_model(self, request, obj):
        about_withdraw(model=EventComment, ids=[obj.pk])
        obj.delete()

    def delete_queryset(self, request, queryset):
        about_withdraw(model=EventComment, ids=list(queryset.values_list("pk", flat=True)))
        queryset.delete()


@admin.register(Guest)
class GuestAdmin(ReadOnlyAdmin):
    list_display = ["name", "event", "brought_by", "email", "invitation", "created_at"]
    search_fields = ["name", "email", "event__title"]
    list_select_related = ["event", "brought_by__profile", "invitation"]
    raw_id_fields = ["event", "brought_by", "invitation"]

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """The token is the feed's key: admin shows who has a feed, never the token."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    list_select_related = ["user__profile"]
    fields = ["user", "created_at"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)
