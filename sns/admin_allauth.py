"""allauth's models in admin: members' email addresses, and who protects their account with
a second factor (with the reset for a lost phone).

Replaces allauth's own admin classes: theirs of authenticators shows the stored secret on
each page, and theirs of addresses loads each member's name with one query per row.
"""

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User

from .second_factor import second_factor_reset

admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    list_select_related = ["user__profile"]
    ordering = ["-pk"]


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Read-only: members set up their own authenticator; moderators may only reset it."""

    list_display = ["user", "user_email", "type", "created_at", "last_used_at"]
    list_filter = ["type", "user__is_staff", "last_used_at"]
    search_fields = ["user__email", "user__profile__real_name", "user__profile__nickname"]
    list_select_related = ["user__profile"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    # Never "data": it holds the app's secret and the recovery codes.
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset"]

    @admin.display(description=_("email address"), ordering="user__email")
    def user_email(self, authenticator):
        return authenticator.user.email

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # One authenticator alone would leave recovery codes (or an app) behind: the reset
        # action removes a member's whole second factor.
        return False

    def has_reset_permission(self, request):
        return request.user.has_perm("mfa.delete_authenticator")

    @admin.action(
        permissions=["reset"],
        description=_("Reset the second factor of these members (lost or replaced phone)"),
    )
    def reset(self, request, queryset):
        members = User.objects.filter(pk__in=queryset.values("user_id"))
        for member in members:
            self.log_deletions(request, Authenticator.objects.filter(user=member))
            second_factor_reset(member=member)
        count = len(members)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d member was reset. They log in with their "
                "password and, if they are staff, set up an authenticator app again.",
                "The second factor of %(count)d members was reset. They log in with their "
                "password and, if they are staff, set up an authenticator app again.",
                count,
            ) % {"count": count},
            messages.SUCCESS,
        )
