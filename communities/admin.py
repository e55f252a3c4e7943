"""Communities in admin: moderators find communities, topics and comments, close a community,
hide a topic or a comment (and show it again). Membership, roles and join requests are the
community admins' to decide on the site (communities.services), so admin only shows them."""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from sns.admin_kit import (
    HiddenFilter,
    ModeratorsMayView,
    ReadOnlyAdmin,
    StalesCachedParts,
    excerpt,
    is_moderator,
)
from sns.moderation.admin import ModeratedContentAdmin

from . import services
from .models import (
    Category,
    Community,
    CommunityInvitation,
    CommunityPreference,
    JoinRequest,
    Membership,
    Topic,
    TopicComment,
)

AUTHOR_SEARCH = ["author__email", "author__profile__real_name", "author__profile__nickname"]
USER_SEARCH = ["user__email", "user__profile__real_name", "user__profile__nickname"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "order", "communities"]
    list_editable = ["order"]
    search_fields = ["name_ja", "name_en"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(community_count=Count("communities"))

    @admin.display(description=_("communities"), ordering="community_count")
    def communities(self, category) -> int:
        return category.community_count


class ClosedFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "closed"

    def lookups(self, request, model_admin):
        return [("no", pgettext_lazy("community", "Open")),
                ("yes", pgettext_lazy("community", "Closed"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(closed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Community)
class CommunityAdmin(StalesCachedParts, ModeratorsMayView, admin.ModelAdmin):
    """Only the category is edited here (the operator files communities); the rest is the
    community admin's, through the site."""

    list_display = ["name", "category", "join_policy", "topic_policy", "members", "created_by",
                    "created_at", "closed_at"]
    list_filter = [ClosedFilter, "join_policy", "topic_policy", "category"]
    search_fields = ["name", "description", "created_by__email",
                     "created_by__profile__real_name", "created_by__profile__nickname"]
    list_select_related = ["category", "created_by__profile"]
    raw_id_fields = ["created_by"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["name", "category", "description", "join_policy", "topic_policy", "created_by",
              "created_at", "closed_at", "member_list"]
    readonly_fields = ["name", "description", "join_policy", "topic_policy", "created_by",
                       "created_at", "closed_at", "member_list"]
    actions = ["close"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_count()

    @admin.display(description=_("members"), ordering="member_count")
    def members(self, community) -> int:
        return community.member_count

    @admin.display(description=_("members"))
    def member_list(self, community):
        # A link rather than an inline: a community can have tens of thousands of members.
        url = reverse("admin:communities_membership_changelist")
        return format_html(
            '<a href="{}?community__id__exact={}">{}</a>', url, community.pk,
            ngettext("%(count)d member", "%(count)d members", community.member_count)
            % {"count": community.member_count},
        )

    def has_add_permission(self, request):
        # A community starts with its admin's membership: members create them on the site.
        return False

    def has_moderate_permission(self, request) -> bool:
        return is_moderator(request)

    @admin.action(permissions=["moderate"], description=_("Close the selected communities"))
    def close(self, request, queryset):
        count = 0
        for community in queryset.filter(closed_at__isnull=True):
            services.community_close(community=community, by=request.user)
            self.log_change(request, community, _("Closed the community."))
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d community closed.", "%(count)d communities closed.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "community", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["community__name", *USER_SEARCH]
    list_select_related = ["community", "user__profile"]
    raw_id_fields = ["community", "user"]
    date_hierarchy = "joined_at"
    ordering = ["-joined_at", "-pk"]
    fields = ["community", "user", "role", "joined_at"]
    readonly_fields = fields


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "community", "text", "created_at"]
    search_fields = ["community__name", "message", *USER_SEARCH]
    list_select_related = ["community", "user__profile"]
    raw_id_fields = ["community", "user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["community", "user", "message", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("message"))
    def text(self, join_request) -> str:
        return excerpt(join_request.message)


@admin.register(CommunityInvitation)
class CommunityInvitationAdmin(ReadOnlyAdmin):
    list_display = ["invitee", "community", "inviter", "created_at"]
    search_fields = ["community__name", "inviter__email", "invitee__email",
                     "invitee__profile__real_name", "invitee__profile__nickname"]
    list_select_related = ["community", "inviter__profile", "invitee__profile"]
    raw_id_fields = ["community", "inviter", "invitee"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["community", "inviter", "invitee", "created_at"]
    readonly_fields = fields


@admin.register(Topic)
class TopicAdmin(ModeratedContentAdmin):
    """Moderators remove a topic by hiding it: it goes for every member, its comments with
    it, and can come back; the moderation log keeps who did it."""

    list_display = ["title", "community", "author", "comment_count", "pinned", "created_at",
                    "last_activity_at", "is_hidden"]
    list_filter = [HiddenFilter, "pinned"]
    search_fields = ["title", "body", "community__name", *AUTHOR_SEARCH]
    list_select_related = ["community", "author__profile"]
    raw_id_fields = ["community", "author", "last_commenter"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["community", "title", "author", "body", "pinned", "created_at", "edited_at",
              "last_activity_at", "comment_count", "hidden_at"]
    readonly_fields = fields


@admin.register(TopicComment)
class TopicCommentAdmin(ModeratedContentAdmin):
    list_display = ["text", "topic", "community", "author", "created_at", "is_hidden"]
    list_filter = [HiddenFilter]
    search_fields = ["body", "topic__title", "topic__community__name", *AUTHOR_SEARCH]
    list_select_related = ["topic__community", "author__profile"]
    raw_id_fields = ["topic", "author"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = ["topic", "author", "body", "created_at", "hidden_at"]
    readonly_fields = fields

    @admin.display(description=_("comment"))
    def text(self, comment) -> str:
        return excerpt(comment.body)

    @admin.display(description=_("community"), ordering="topic__community")
    def community(self, comment):
        return comment.topic.community


@admin.register(CommunityPreference)
class CommunityPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "topics_seen_at"]
    search_fields = USER_SEARCH
    list_select_related = ["user__profile"]
    raw_id_fields = ["user"]
    fields = ["user", "topics_seen_at"]
    readonly_fields = fields
