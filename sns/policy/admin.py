"""The site policy in admin (registered here, imported by sns/admin.py), and the approval
queue in the member admin: a list filter "awaiting approval" and the actions approve / refuse
that accounts/admin.py takes in. Each step runs a ``sns.policy`` service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from sns.errors import Refused
from sns.models import SitePolicy
from sns.text import without_controls

from . import services

REASON_MAX_LENGTH = 2000
# The refusal's confirmation page lists at most this many members.
LISTED_AT_MOST = 200


class SitePolicyForm(forms.ModelForm):
    ask_again = forms.BooleanField(
        label=_("Ask every member to accept the rules again"), required=False, initial=True,
        help_text=_("When the rules' text changes, members must accept the new rules before "
                    "they go on. Untick it for a change that needs no new consent (a typo)."),
    )

    class Meta:
        model = SitePolicy
        fields = [
            "body_ja", "body_en", "rules_ja", "rules_en", "identity_policy", "invite_domains",
            "approve_new_members", "invitee_suspension_limit", "quota_refill_days", "quota_cap",
            "message_reach", "message_reach_members", "album_quota_mb", "daily_news_hour",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("message_reach") == "members" and not cleaned.get("message_reach_members"):
            self.add_error("message_reach", _(
                "“All members” cannot be the default while members may not choose it."
            ))
        return cleaned

    def clean_invite_domains(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["invite_domains"].splitlines()]
        wrong = [line for line in lines if line and ("@" in line.lstrip("@") or " " in line
                                                      or "." not in line)]
        if wrong:
            raise forms.ValidationError(
                _("Write one domain per line, such as example.co.jp (not: %(wrong)s).")
                % {"wrong": ", ".join(wrong)}
            )
        return "\n".join(line for line in lines if line)


@admin.register(SitePolicy)
class SitePolicyAdmin(admin.ModelAdmin):
    """One row, saved through ``policy_save`` (the rules' change time, the audit log)."""

    form = SitePolicyForm
    list_display = ["__str__", "updated_at"]
    readonly_fields = ["rules_changed_at", "updated_at", "waiting_for_approval"]
    fieldsets = [
        (_("Purpose and whom the site gathers"), {"fields": ["body_ja", "body_en"]}),
        (_("Rules"), {"fields": ["rules_ja", "rules_en", "ask_again", "rules_changed_at"]}),
        (_("Names"), {"fields": ["identity_policy"]}),
        (_("Who may join"), {
            "fields": ["invite_domains", "approve_new_members", "waiting_for_approval"],
        }),
        (_("Invitations"), {
            "fields": ["invitee_suspension_limit", "quota_refill_days", "quota_cap"],
        }),
        (_("Messages"), {"fields": ["message_reach", "message_reach_members"]}),
        (_("Albums"), {"fields": ["album_quota_mb"]}),
        (_("Daily news"), {"fields": ["daily_news_hour"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    def has_add_permission(self, request):
        # One policy per site.
        return super().has_add_permission(request) and not SitePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.policy_save(
            policy=obj, by=request.user, ask_again=form.cleaned_data.get("ask_again", True)
        )

    @admin.display(description=_("waiting for approval"))
    def waiting_for_approval(self, obj):

        count = User.objects.filter(awaiting_approval=True, is_active=True).count()
        url = reverse("admin:accounts_user_changelist") + "?awaiting=yes"
        return format_html(
            '<a href="{}">{}</a>', url,
            ngettext("%(count)d member", "%(count)d members", count) % {"count": count},
        )


class AwaitingApprovalFilter(admin.SimpleListFilter):
    title = _("awaiting approval")
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        return [("yes", _("Awaiting approval")), ("no", _("Approved"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            # Those refused are inactive: the queue is who still waits.
            return queryset.filter(awaiting_approval=True, is_active=True)
        if self.value() == "no":
            return queryset.filter(awaiting_approval=False)
        return queryset


class MemberApprovalMixin:
    """For the member ModelAdmin: approve or refuse the members waiting for approval."""

    @admin.action(description=_("Approve the selected new members"), permissions=["moderate"])
    def approve_members(self, request, queryset):
        done = 0
        for member in queryset.order_by("pk"):
            try:
                done += services.member_approve(member=member, by=request.user)
            except Refused as error:
                self.message_user(request, f"{member.email}: {error}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d member approved.", "%(count)d members approved.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Refuse the selected new members"), permissions=["moderate"])
    def refuse_members(self, request, queryset):
        members = list(queryset.select_related("profile").order_by("pk"))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/sns/policy_refuse_confirm.html", {
                **self.admin_site.each_context(request),
                "title": _("Refuse new members"),
                "opts": self.model._meta,
                "members": members[:LISTED_AT_MOST],
                "member_ids": [member.pk for member in members],
                "count": len(members),
                "action": "refuse_members",
                "reason_max_length": REASON_MAX_LENGTH,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            })
        # Read past any form field: drop what sns.text drops from every form's text.
        reason = without_controls(request.POST.get("reason", "")).strip()[:REASON_MAX_LENGTH]
        done = 0
        for member in members:
            try:
                done += services.member_refuse(member=member, by=request.user, reason=reason)
            except Refused as error:
                self.message_user(request, f"{member.email}: {error}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d member refused.", "%(count)d members refused.", done)
            % {"count": done},
            messages.SUCCESS,
        )
        return None
