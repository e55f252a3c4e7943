from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sns.admin_kit import StalesCachedParts
from sns.errors import Refused

from . import selectors, services
from .models import Invitation, State


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.in_state(self.value())
        return queryset


class InviterFilter(admin.SimpleListFilter):
    title = _("invited by")
    parameter_name = "from"

    def lookups(self, request, model_admin):
        return [("site", _("The site (the operator)")), ("member", _("A member"))]

    def queryset(self, request, queryset):
        if self.value() in ("site", "member"):
            return queryset.filter(inviter__isnull=self.value() == "site")
        return queryset


class InvitationAddForm(forms.ModelForm):
    """New invitations go through the service: quota, duplicate checks and the email."""

    class Meta:
        model = Invitation
        fields = ["inviter", "email", "message"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if selectors.address_taken(cleaned["email"]):
            # The operator may know who is a member (a member inviting the address would be
            # answered as for anyone, and the member told in the app).
            raise forms.ValidationError(_("This person is already a member."))
        try:
            # The admin's add view runs in one transaction, so this row commits with it.
            self.created = services.invitation_create(
                inviter=cleaned.get("inviter"), email=cleaned["email"],
                message=cleaned.get("message", ""),
            )
        except Refused as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(StalesCachedParts, admin.ModelAdmin):
    list_display = ["email", "inviter", "state_display", "created_at", "expires_at",
                    "accepted_user"]
    list_filter = [StateFilter, InviterFilter]
    search_fields = ["email", "inviter__email", "inviter__profile__real_name",
                     "inviter__profile__nickname"]
    list_select_related = ["inviter__profile", "accepted_user__profile"]
    raw_id_fields = ["inviter", "accepted_user"]
    readonly_fields = ["created_at", "sent_at", "accepted_at", "accepted_user", "revoked_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    actions = ["revoke", "resend"]

    @admin.display(description=_("state"))
    def state_display(self, invitation):
        return invitation.get_state_display()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["inviter", "email", "message"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Who invites whom was checked by the service (quota, domains, duplicates) and the
        # link went to that address: a sent invitation keeps them. Only its expiry may move.
        return ["inviter", "email", "message", *self.readonly_fields]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The add form already created it through the service; adopt that row.
        obj.pk, obj.token = form.created.pk, form.created.token
        obj._state.adding = False

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset):
        count = sum(services.invitation_revoke(invitation=i) for i in queryset)
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Send the selected invitations again with a new link"))
    def resend(self, request, queryset):
        count = 0
        for invitation in queryset:
            try:
                services.invitation_resend(invitation=invitation, by=request.user)
                count += 1
            except Refused:
                pass
        self.message_user(
            request,
            ngettext("%(count)d invitation sent again.", "%(count)d invitations sent again.",
                     count) % {"count": count},
            messages.SUCCESS,
        )
