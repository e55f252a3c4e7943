"""The member admin's moderation: suspend and reinstate, the right to invite, pending
invitations, and a member's whole invite subtree. Each step asks to confirm (with a reason
for the log) and runs a ``sns.moderation`` service; the same steps are changelist actions
for the selected members and buttons on a member's page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sns import moderation
from sns.errors import Refused
from sns.text import without_controls

REASON_MAX_LENGTH = 2000
# The confirmation page lists at most this many of the members a step touches.
LISTED_AT_MOST = 200


@dataclass(frozen=True)
class Step:
    label: str | Promise
    explain: str | Promise
    run: Callable[..., int]
    done: Callable[[int], str]
    subtree: bool = False


def _count(service) -> Callable[..., int]:
    return lambda member, by, reason: int(service(member=member, by=by, reason=reason))


STEPS: dict[str, Step] = {
    "suspend": Step(
        _("Suspend"),
        _("They can no longer log in, and what they wrote is hidden everywhere. Their pending "
          "invitations are revoked and their inviter is told."),
        _count(moderation.member_suspend),
        lambda n: ngettext("%(count)d member suspended.", "%(count)d members suspended.", n),
    ),
    "unsuspend": Step(
        _("Lift the suspension"),
        _("They can log in again and what they wrote is shown again. Invitations revoked when "
          "they were suspended stay revoked: they can invite again if they have invitations "
          "left."),
        _count(moderation.member_unsuspend),
        lambda n: ngettext(
            "%(count)d suspension lifted.", "%(count)d suspensions lifted.", n
        ),
    ),
    "restore_invite_right": Step(
        _("Restore the right to invite"),
        _("They can invite again. Suspensions of their invitees count afresh from now."),
        _count(moderation.invite_right_restore),
        lambda n: ngettext(
            "%(count)d member may invite again.", "%(count)d members may invite again.", n
        ),
    ),
    "revoke_invitations": Step(
        _("Revoke pending invitations"),
        _("Every invitation they sent that is not accepted yet stops working."),
        lambda member, by, reason: moderation.member_invitations_revoke(
            member=member, by=by, reason=reason
        ),
        lambda n: ngettext(
            "%(count)d invitation revoked.", "%(count)d invitations revoked.", n
        ),
    ),
    "subtree_suspend": Step(
        _("Suspend them and everyone they invited"),
        _("The member, whom they invited, whom those invited, and so on, are all suspended: "
          "none of them can log in, what they wrote is hidden, their pending invitations are "
          "revoked."),
        lambda member, by, reason: moderation.subtree_suspend(root=member, by=by, reason=reason),
        lambda n: ngettext("%(count)d member suspended.", "%(count)d members suspended.", n),
        subtree=True,
    ),
    "subtree_revoke": Step(
        _("Revoke every pending invitation in their invite subtree"),
        _("Every invitation not accepted yet, sent by the member or by anyone in their invite "
          "subtree, stops working."),
        lambda member, by, reason: moderation.subtree_invitations_revoke(
            root=member, by=by, reason=reason
        ),
        lambda n: ngettext(
            "%(count)d invitation revoked.", "%(count)d invitations revoked.", n
        ),
        subtree=True,
    ),
}


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Suspended")), ("no", _("Not suspended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


class MemberModerationMixin:
    """For the member ModelAdmin: moderators (staff) may see members and moderate them."""

    moderation_fields = ["standing", "moderation_buttons"]

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.has_moderate_permission(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.has_moderate_permission(request)

    def has_moderate_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    # --- on the member's page -------------------------------------------------------------

    @admin.display(description=_("standing"))
    def standing(self, user):
        if user.pk is None:
            return "—"
        if user.suspended_at is not None:
            text = _("Suspended since %(date)s.") % {"date": _local(user.suspended_at)}
        elif not user.is_active:
            text = _("Not active (left the site or was not approved).")
        else:
            text = _("Active.")
        if not user.may_invite:
            text = f"{text} {_('May not invite: too many of their invitees were suspended.')}"
        return text

    @admin.display(description=_("moderation"))
    def moderation_buttons(self, user):
        if user.pk is None:
            return "—"
        keys = ["unsuspend"] if user.suspended_at is not None else ["suspend"]
        if not user.may_invite:
            keys.append("restore_invite_right")
        keys.append("revoke_invitations")
        return self._buttons(user, keys)

    @admin.display(description=_("act on the whole subtree"))
    def subtree_buttons(self, user):
        if user.pk is None:
            return "—"
        return self._buttons(user, ["subtree_suspend", "subtree_revoke"])

    def _buttons(self, user, keys: list[str]):
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', (
            (reverse("admin:accounts_user_moderate", args=[user.pk, key]), STEPS[key].label)
            for key in keys
        ))

    # --- the steps: changelist actions and one member's buttons -----------------------------

    def get_urls(self):
        return [
            path("<int:object_id>/moderate/<str:step>/",
                 self.admin_site.admin_view(self.moderate_view),
                 name="accounts_user_moderate"),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id: int, step: str):
        if step not in STEPS:
            raise Http404
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        from .models import User

        member = get_object_or_404(User.objects.select_related("profile"), pk=object_id)
        back = reverse("admin:accounts_user_change", args=[member.pk])
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            self._run(request, step, [member])
            return HttpResponseRedirect(back)
        return self._confirm(request, step, [member], back=back)

    @admin.action(description=_("Suspend the selected members"), permissions=["moderate"])
    def suspend_members(self, request, queryset):
        return self._act(request, queryset, "suspend", "suspend_members")

    @admin.action(description=_("Lift the suspension of the selected members"),
                  permissions=["moderate"])
    def unsuspend_members(self, request, queryset):
        return self._act(request, queryset, "unsuspend", "unsuspend_members")

    @admin.action(description=_("Restore the right to invite"), permissions=["moderate"])
    def restore_invite_right(self, request, queryset):
        return self._act(request, queryset, "restore_invite_right", "restore_invite_right")

    @admin.action(description=_("Suspend the selected members and their whole invite subtrees"),
                  permissions=["moderate"])
    def suspend_subtrees(self, request, queryset):
        return self._act(request, queryset, "subtree_suspend", "suspend_subtrees")

    @admin.action(
        description=_("Revoke every pending invitation in the selected members' subtrees"),
        permissions=["moderate"],
    )
    def revoke_subtree_invitations(self, request, queryset):
        return self._act(request, queryset, "subtree_revoke", "revoke_subtree_invitations")

    def _act(self, request, queryset, step: str, action: str):
        members = list(queryset.select_related("profile").order_by("pk"))
        if request.POST.get("confirm") == "yes":
            self._run(request, step, members)
            return None
        return self._confirm(request, step, members, action=action)

    def _run(self, request, step: str, members) -> None:
        # Read past any form field: drop what sns.text drops from every form's text.
        reason = without_controls(request.POST.get("reason", "")).strip()[:REASON_MAX_LENGTH]
        done = 0
        for member in members:
            try:
                done += STEPS[step].run(member, request.user, reason)
            except Refused as error:
                self.message_user(request, f"{member.email}: {error}", messages.ERROR)
        self.message_user(request, STEPS[step].done(done) % {"count": done}, messages.SUCCESS)

    def _confirm(self, request, step: str, members, *, action: str = "", back: str = ""):
        affected = members
        if STEPS[step].subtree:
            seen, affected = set(), []
            for root in members:
                for member in moderation.subtree(root):
                    if member.pk not in seen:
                        seen.add(member.pk)
                        affected.append(member)
        return TemplateResponse(request, "admin/accounts/moderation_confirm.html", {
            **self.admin_site.each_context(request),
            "title": STEPS[step].label,
            "opts": self.model._meta,
            "step": STEPS[step],
            "members": members,
            "affected": affected[:LISTED_AT_MOST],
            "affected_count": len(affected),
            "action": action,
            "back": back or reverse("admin:accounts_user_changelist"),
            "reason_max_length": REASON_MAX_LENGTH,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


def _local(moment) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")

