from django.contrib import admin

from .models import Category, Community, JoinRequest, Membership


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "order"]
    list_editable = ["order"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    inlines = [MembershipInline]
    list_display = ["name", "category", "join_policy", "created_at", "closed_at"]
    list_filter = ["join_policy", "category"]
    search_fields = ["name"]
    list_select_related = ["category"]
    raw_id_fields = ["created_by"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["community", "user", "created_at"]
    list_select_related = ["community", "user"]
    raw_id_fields = ["community", "user"]
