from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from invites.models import invite_tree
from sns import moderation
from sns.admin_kit import StalesCachedParts
from sns.policy.admin import AwaitingApprovalFilter, MemberApprovalMixin

from . import services
from .admin_moderation import MemberModerationMixin, SuspendedFilter
from .models import Block, Footprint, FriendRequest, Friendship, Introduction, Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = [
        "real_name", "real_name_kana", "nickname", "shown_name_choice", "company", "title",
        "introduction", "interests", "birth_month", "birth_day", "birth_year",
    ]


@admin.register(User)
class UserAdmin(StalesCachedParts, MemberApprovalMixin, MemberModerationMixin, BaseUserAdmin):
    inlines = [ProfileInline]
    ordering = ["-date_joined"]
    list_display = [
        "email", "shown_name", "company", "is_active", "suspended_at", "is_staff", "date_joined",
    ]
    list_filter = [
        AwaitingApprovalFilter, "is_active", "is_staff", "language", SuspendedFilter, "may_invite",
    ]
    search_fields = [
        "email", "profile__real_name", "profile__real_name_kana", "profile__nickname",
        "profile__company",
    ]
    list_select_related = ["profile"]
    readonly_fields = [
        "date_joined", "last_login", "invited_by", "quota_in_use", "invited_tree",
        "subtree_buttons", *MemberModerationMixin.moderation_fields,
    ]
    fieldsets = [
        (None, {"fields": ["email", "password", "language"]}),
        (_("Invitations"), {
            "fields": [
                "invited_by", "invite_quota", "quota_in_use", "invited_tree", "subtree_buttons",
            ],
        }),
        (_("Standing"), {"fields": MemberModerationMixin.moderation_fields}),
        (_("Permissions"), {
            "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
        }),
        (_("Dates"), {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = [
        "revoke_invitations", "suspend_members", "unsuspend_members", "restore_invite_right",
        "suspend_subtrees", "revoke_subtree_invitations", "approve_members", "refuse_members",
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A member added here gets the profile and the (verified: the operator typed it)
        # email record that members who joined by invitation have.
        services.member_complete(user=form.instance, email_verified=True, new=not change)

    @admin.display(description=_("name"), ordering="profile__real_name")
    def shown_name(self, user):
        return user.display_name

    @admin.display(description=_("company"), ordering="profile__company")
    def company(self, user):
        return user.profile.company if hasattr(user, "profile") else ""

    @admin.display(description=_("invited by"))
    def invited_by(self, user):
        invitation = getattr(user, "accepted_invitation", None)
        if invitation is None:
            return "—"
        return invitation.inviter or _("the site")

    @admin.display(description=_("invitations in use"))
    def quota_in_use(self, user):
        used = user.invitations_sent.counting_against_quota().count()
        quota = user.effective_invite_quota
        if quota is None:
            return _("%(used)d (no limit)") % {"used": used}
        return _("%(used)d of %(quota)d") % {"used": used, "quota": quota}

    @admin.display(description=_("whom they invited"))
    def invited_tree(self, user):
        if not user.pk:
            return "—"
        return render_to_string("admin/accounts/invite_tree.html", {"nodes": invite_tree(user)})

    @admin.action(description=_("Revoke every pending invitation these members issued"),
                  permissions=["moderate"])
    def revoke_invitations(self, request, queryset):
        count = sum(
            moderation.member_invitations_revoke(member=user, by=request.user) for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Friendship)
class FriendshipAdmin(StalesCachedParts, admin.ModelAdmin):
    list_display = ["user", "friend", "created_at"]
    list_select_related = ["user__profile", "friend__profile"]
    raw_id_fields = ["user", "friend"]
    search_fields = ["user__email", "friend__email"]


@admin.register(FriendRequest)
class FriendRequestAdmin(StalesCachedParts, admin.ModelAdmin):
    list_display = ["from_user", "to_user", "created_at"]
    list_select_related = ["from_user__profile", "to_user__profile"]
    raw_id_fields = ["from_user", "to_user"]
    search_fields = ["from_user__email", "to_user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]


@admin.register(Block)
class BlockAdmin(StalesCachedParts, admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    list_select_related = ["blocker__profile", "blocked__profile"]
    raw_id_fields = ["blocker", "blocked"]
    search_fields = ["blocker__email", "blocked__email"]


@admin.register(Footprint)
class FootprintAdmin(StalesCachedParts, admin.ModelAdmin):
    """Read-only: footprints are written by visits and removed by prune_footprints."""

    list_display = ["visitor", "owner", "day", "visited_at"]
    list_select_related = ["visitor__profile", "owner__profile"]
    search_fields = ["visitor__email", "owner__email"]
    date_hierarchy = "visited_at"
    ordering = ["-visited_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Introduction)
class IntroductionAdmin(StalesCachedParts, admin.ModelAdmin):
    """Read-only: friends write introductions on the site; moderators may only delete one."""

    list_display = ["author", "subject", "excerpt", "created_at", "updated_at"]
    list_select_related = ["author__profile", "subject__profile"]
    search_fields = ["author__email", "subject__email", "body"]
    date_hierarchy = "created_at"
    ordering = ["-updated_at"]
    fields = ["author", "subject", "body", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("introduction"))
    def excerpt(self, introduction):
        return Truncator(introduction.body).chars(60)

    def has_add_permission(self, request):
        # Only a friend may write one, through the site.
        return False

    def has_change_permission(self, request, obj=None):
        return False
