"""Diaries in admin: moderators find entries and comments, hide them or show them again.

What members wrote is never edited here; entries are written through diary.services (photos,
visibility), so admin shows them read-only and deletes them through the service."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sns import cache
from sns.admin_kit import HiddenFilter, ReadOnlyAdmin, excerpt
from sns.moderation.admin import ModeratedContentAdmin
from sns.withdraw import about_withdraw

from . import services
from .models import Comment, DiaryPreference, Entry, EntryPhoto

AUTHOR_SEARCH = ["author__email", "author__profile__real_name", "author__profile__nickname"]


class EntryPhotoInline(admin.TabularInline):
    model = EntryPhoto
    extra = 0
    fields = ["position", "image"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ModeratedContentAdmin):
    inlines = [EntryPhotoInline]
    list_display = ["title", "author", "visibility", "comments", "created_at", "edited_at",
                    "is_hidden"]
    list_filter = [HiddenFilter, "visibility"]
    search_fields = ["title", *AUTHOR_SEARCH]
    list_select_related = ["author__profile"]
    raw_id_fields = ["author"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["title", "author", "visibility", "body", "created_at", "edited_at", "hidden_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).with_comment_count()

    @admin.display(description=_("comments"), ordering="comment_count")
    def comments(self, entry) -> int:
        return entry.comment_count

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    # Through the service, so that the photo files go with the entry.
    def delete_model(self, request, obj):
        services.entry_delete(entry=obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.entry_delete(entry=entry)


@admin.register(EntryPhoto)
class EntryPhotoAdmin(ReadOnlyAdmin):
    """Photos go with their entry (delete the entry, and its files go too)."""

    list_display = ["__str__", "entry", "entry_author", "position"]
    list_select_related = ["entry__author__profile"]
    search_fields = ["entry__title", "entry__author__email"]
    raw_id_fields = ["entry"]
    fields = ["entry", "position", "image"]
    readonly_fields = fields
    ordering = ["-entry_id", "position"]

    @admin.display(description=_("author"), ordering="entry__author")
    def entry_author(self, photo):
        return photo.entry.author


@admin.register(Comment)
class CommentAdmin(ModeratedContentAdmin):
    list_display = ["text", "entry", "author", "created_at", "is_hidden"]
    list_filter = [HiddenFilter]
    search_fields = ["body", "entry__title", *AUTHOR_SEARCH]
    list_select_related = ["entry", "author__profile"]
    raw_id_fields = ["entry", "author"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["entry", "author", "body", "created_at", "hidden_at"]
    readonly_fields = fields

    @admin.display(description=_("comment"))
    def text(self, comment) -> str:
        return excerpt(comment.body)

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    # A deleted comment takes its notifications with it, as on the site.
    @transaction.atomic
    def delete_model(self, request, obj):
        about_withdraw(model=Comment, ids=[obj.pk])
        obj.delete()
        cache.bump(cache.comments(obj.entry_id))

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        about_withdraw(model=Comment, ids=list(queryset.values_list("pk", flat=True)))
        entries = set(queryset.values_list("entry_id", flat=True))
        queryset.delete()
        cache.bump(*(cache.comments(pk) for pk in entries))


@admin.register(DiaryPreference)
class DiaryPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "default_visibility", "comments_seen_at"]
    list_filter = ["default_visibility"]
    search_fields = ["user__email", "user__profile__real_name", "user__profile__nickname"]
    list_select_related = ["user__profile"]
    raw_id_fields = ["user"]
    fields = ["user", "default_visibility", "comments_seen_at"]
    readonly_fields = fields
