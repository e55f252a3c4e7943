"""Albums in admin: moderators find albums, photos and comments, hide them or show them
again. What members made is never edited here: admin shows it read-only, and deletes an
album through the service, so that its photo files go with it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sns.admin_kit import HiddenFilter, excerpt
from sns.moderation.admin import ModeratedContentAdmin

from . import services
from .models import Album, AlbumPhoto, AlbumPhotoComment

OWNER_SEARCH = ["owner__email", "owner__profile__real_name", "owner__profile__nickname"]


class AlbumPhotoInline(admin.TabularInline):
    model = AlbumPhoto
    extra = 0
    fields = ["position", "caption", "uploader", "size_bytes", "hidden_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Album)
class AlbumAdmin(ModeratedContentAdmin):
    inlines = [AlbumPhotoInline]
    list_display = ["title", "owner", "community", "visibility", "photo_count", "updated_at",
                    "is_hidden"]
    list_filter = [HiddenFilter, "visibility"]
    search_fields = ["title", *OWNER_SEARCH]
    list_select_related = ["owner__profile", "community"]
    raw_id_fields = ["owner", "community", "cover"]
    date_hierarchy = "created_at"
    ordering = ["-updated_at", "-pk"]
    fields = ["title", "owner", "community", "visibility", "description", "cover",
              "photo_count", "created_at", "updated_at", "hidden_at"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def get_deleted_objects(self, objs, request):
        # Its photos and comments go with it through the service (their own admins delete
        # nothing: a photo alone would leave its files behind).
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    # Through the service, so that the photo files go with the album.
    def delete_model(self, request, obj):
        services.albums_remove(ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.albums_remove(ids=list(queryset.values_list("pk", flat=True)))


@admin.register(AlbumPhoto)
class AlbumPhotoAdmin(ModeratedContentAdmin):
    """Photos go with their album (or their uploader's leaving); a moderator hides one."""

    list_display = ["__str__", "album", "uploader", "size_bytes", "created_at", "is_hidden"]
    list_filter = [HiddenFilter]
    search_fields = ["caption", "album__title", "uploader__email"]
    list_select_related = ["album", "uploader__profile"]
    raw_id_fields = ["album", "uploader"]
    ordering = ["-created_at", "-pk"]
    fields = ["album", "uploader", "position", "caption", "image", "size_bytes", "created_at",
              "hidden_at"]
    readonly_fields = fields


@admin.register(AlbumPhotoComment)
class AlbumPhotoCommentAdmin(ModeratedContentAdmin):
    list_display = ["text", "photo", "author", "created_at", "is_hidden"]
    list_filter = [HiddenFilter]
    search_fields = ["body", "author__email", "author__profile__real_name"]
    list_select_related = ["photo", "author__profile"]
    raw_id_fields = ["photo", "author"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["photo", "author", "body", "created_at", "hidden_at"]
    readonly_fields = fields

    @admin.display(description=_("comment"))
    def text(self, comment) -> str:
        return excerpt(comment.body)
