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

# allauth gives the model no name, so the admin would call it "authenticator" in every
# language. Set on _meta and not in a Meta (which would be a migration in allauth's app).
Authenticator._meta.verbose_name = _("second factor")
Authenticator._meta.verbose_name_plural = _("second factors")


class _Renamed:
    """A list filter on a field that allauth left unnamed (its title would be the field's
    English attribute name), under a title of ours."""

    title_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = self.title_text


class KindFilter(_Renamed, admin.ChoicesFieldListFilter):
    title_text = _("kind")


class LastUsedFilter(_Renamed, admin.DateFieldListFilter):
    title_text = _("last used")


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    list_select_related = ["user__profile"]
    ordering = ["-pk"]


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Read-only: members set up their own authenticator; moderators may only reset it."""

    list_display = ["member", "user_email", "kind", "set_up", "last_used"]
    list_filter = [("type", KindFilter), "user__is_staff", ("last_used_at", LastUsedFilter)]
    search_fields = ["user__email", "user__profile__real_name", "user__profile__nickname"]
    list_select_related = ["user__profile"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    # Never "data": it holds the app's secret and the recovery codes. allauth's fields have
    # no names of their own, hence these columns.
    fields = ["member", "kind", "set_up", "last_used"]
    readonly_fields = fields
    actions = ["reset"]

    @admin.display(description=_("member"), ordering="user")
    def member(self, authenticator):
        return authenticator.user

    @admin.display(description=_("kind"), ordering="type")
    def kind(self, authenticator):
        return authenticator.get_type_display()

    @admin.display(description=_("set up"), ordering="created_at")
    def set_up(self, authenticator):
        return authenticator.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, authenticator):
        return authenticator.last_used_at

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
