from django.contrib import admin

from . import services
from .models import Entry, EntryPhoto


class EntryPhotoInline(admin.TabularInline):
    model = EntryPhoto
    extra = 0
    fields = ["position", "image"]
    readonly_fields = ["image"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    inlines = [EntryPhotoInline]
    list_display = ["title", "author", "visibility", "created_at", "edited_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "author__email", "author__profile__real_name",
                     "author__profile__nickname"]
    list_select_related = ["author__profile"]
    raw_id_fields = ["author"]
    date_hierarchy = "created_at"

    # Through the service, so that the photo files go with the entry.
    def delete_model(self, request, obj):
        services.entry_delete(entry=obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.entry_delete(entry=entry)


@admin.register(EntryPhoto)
class EntryPhotoAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry", "position"]
    list_select_related = ["entry"]
    raw_id_fields = ["entry"]
    readonly_fields = ["image"]
