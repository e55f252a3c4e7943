"""The moderators' queue of reports and the audit log, in admin, and hiding members' content
from each app's admin (``ModeratedContentAdmin``).

Moderators are staff (``is_staff``): they see and decide reports and read the log without
further permissions. A report's page shows what was reported and lets the moderator pick a
decision, which ``sns.moderation.report_decide`` carries out; the log is read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts.models import User
from sns import moderation
from sns.admin_kit import ModeratorsMayView, ReadOnlyAdmin, is_moderator
from sns.client_input import id_or_none
from sns.errors import Refused
from sns.models import ModerationLog, Report

from . import targets

LIST_EXCERPT_CHARS = 80


def admin_link(obj, text: str | None = None) -> str:
    """A link to ``obj``'s admin page (plain text where it has none)."""
    if obj is None:
        return "—"
    text = str(obj) if text is None else text
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return text
    return format_html('<a href="{}">{}</a>', url, text)


def member_link(member) -> str:
    if member is None:
        return "—"
    return admin_link(member, f"{member.display_name} <{member.email}>")


def inviter_of_loaded(member):
    """The inviter of ``member`` fetched with ``accepted_invitation__inviter__profile``."""
    invitation = getattr(member, "accepted_invitation", None)
    return invitation.inviter if invitation is not None else None


# --- reports ---------------------------------------------------------------------------------

class ReportStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("report", "Open")), ("decided", _("Decided"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(decided_at__isnull=True)
        if self.value() == "decided":
            return queryset.filter(decided_at__isnull=False)
        return queryset


class TargetKindFilter(admin.SimpleListFilter):
    title = _("what was reported")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(t.key, t.label) for t in targets.TARGETS]

    def queryset(self, request, queryset):
        kind = targets.by_key(self.value() or "")
        return queryset.filter(target_type=kind.content_type()) if kind else queryset


class ReportDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("", "---------"), *Report.Decision.choices],
        help_text=_("Every open report on the same thing is closed with this decision."),
    )

    class Meta:
        model = Report
        fields = ["decision", "note"]
        help_texts = {
            "note": _("Why: kept in the log. A warned member is shown it with the warning."),
        }

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision:
            problem = moderation.decision_problem(self.instance, decision)
            if problem:
                self.add_error("decision", problem)
        return cleaned


@admin.register(Report)
class ReportAdmin(ModeratorsMayView, admin.ModelAdmin):
    form = ReportDecisionForm
    list_display = [
        "created_at", "status", "reason", "kind", "excerpt", "reporter_link", "reported_link",
        "inviter_link",
    ]
    list_display_links = ["created_at", "excerpt"]
    list_filter = [ReportStatusFilter, "reason", "decision", TargetKindFilter]
    search_fields = ["reporter__email", "reported__email"]
    list_select_related = [
        "reporter__profile", "reported__profile",
        "reported__accepted_invitation__inviter__profile", "target_type",
    ]
    # The queue: open reports first, then the latest decided.
    ordering = [F("decided_at").desc(nulls_first=True), "-created_at", "-pk"]
    actions = ["decide_no_action", "decide_hide"]
    info_fields = [
        "created_at", "reporter_link", "reason", "details", "kind", "content", "reported_link",
        "inviter_link", "member_record",
    ]
    decided_fields = ["decision", "note", "decided_by", "decided_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(GenericPrefetch(
            "target", [t.with_owner() for t in targets.TARGETS]
        ))

    def has_add_permission(self, request):
        # Reports come from members, through the report page.
        return False

    def has_change_permission(self, request, obj=None):
        return is_moderator(request)

    def get_fieldsets(self, request, obj=None):
        decision = ["decision", "note"]
        if obj is not None and not obj.is_open:
            decision = self.decided_fields
        return [
            (_("Report"), {"fields": ["created_at", "reporter_link", "reason", "details"]}),
            (_("What was reported"), {"fields": [
                "kind", "content", "reported_link", "inviter_link", "member_record",
            ]}),
            (_("Decision"), {"fields": decision}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_open:
            return self.info_fields + self.decided_fields
        return self.info_fields

    # --- columns and fields ---------------------------------------------------------------

    @admin.display(description=_("status"), ordering="decided_at")
    def status(self, report):
        if report.decided_at:
            return report.get_decision_display()
        return pgettext_lazy("report", "Open")

    @admin.display(description=_("what"))
    def kind(self, report):
        kind = targets.for_content_type_id(report.target_type_id)
        return kind.label if kind else "—"

    @admin.display(description=_("excerpt"))
    def excerpt(self, report):
        target = report.target
        kind = targets.for_content_type_id(report.target_type_id)
        if target is None or kind is None:
            return _("(deleted)")
        if kind.is_member:
            return target.display_name
        text = getattr(target, kind.title) if kind.title else kind.excerpt(target)
        return Truncator(text).chars(LIST_EXCERPT_CHARS)

    @admin.display(description=_("reported by"))
    def reporter_link(self, report):
        return member_link(report.reporter)

    @admin.display(description=_("reported member"))
    def reported_link(self, report):
        return member_link(report.reported)

    @admin.display(description=_("their inviter"))
    def inviter_link(self, report):
        inviter = inviter_of_loaded(report.reported)
        return member_link(inviter) if inviter is not None else _("the site")

    @admin.display(description=_("content"))
    def content(self, report):
        target = report.target
        kind = targets.for_content_type_id(report.target_type_id)
        if target is None or kind is None:
            return _("(deleted)")
        return render_to_string("admin/sns/report_content.html", {
            "kind": kind, "target": target, "heading": kind.heading(target),
            "text": "" if kind.is_member else getattr(target, kind.text),
            "site_url": kind.url(target),
            "admin_link": admin_link(target, _("Open in admin")),
            "hidden_at": getattr(target, "hidden_at", None),
        })

    @admin.display(description=_("the member's record"))
    def member_record(self, report):
        member = report.reported
        reports = Report.objects.filter(reported=member).exclude(pk=report.pk).count()
        steps = list(
            ModerationLog.objects.filter(member=member).select_related("moderator__profile")[:10]
        )
        return render_to_string("admin/sns/member_record.html", {
            "member": member, "other_reports": reports, "steps": steps,
        })

    # --- deciding ---------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Decide through the service instead of saving the form's fields."""
        try:
            closed = moderation.report_decide(
                report=obj, by=request.user, decision=form.cleaned_data["decision"],
                note=form.cleaned_data.get("note", ""),
            )
        except Refused as error:
            request._moderation_error = str(error)
        else:
            request._moderation_closed = closed

    def response_change(self, request, obj):
        error = getattr(request, "_moderation_error", None)
        if error:
            self.message_user(request, error, messages.ERROR)
        else:
            obj.refresh_from_db()
            closed = getattr(request, "_moderation_closed", 1)
            self.message_user(request, ngettext(
                "Decided: %(decision)s. %(count)d report closed.",
                "Decided: %(decision)s. %(count)d reports closed.", closed,
            ) % {"decision": obj.get_decision_display(), "count": closed}, messages.SUCCESS)
        return self.response_post_save_change(request, obj)

    @admin.action(description=_("Close the selected reports without action"),
                  permissions=["change"])
    def decide_no_action(self, request, queryset):
        self._decide_all(request, queryset, Report.Decision.NO_ACTION)

    @admin.action(description=_("Hide the reported content"), permissions=["change"])
    def decide_hide(self, request, queryset):
        self._decide_all(request, queryset, Report.Decision.HIDE)

    def _decide_all(self, request, queryset, decision: str) -> None:
        closed, problems = 0, []
        for report in queryset.filter(decided_at__isnull=True).order_by("pk"):
            # Deciding one closes the others on the same thing: those are done already.
            report.refresh_from_db(fields=["decided_at"])
            if report.decided_at is not None:
                continue
            try:
                closed += moderation.report_decide(report=report, by=request.user,
                                                   decision=decision)
            except Refused as error:
                problems.append(str(error))
        self.message_user(request, ngettext(
            "%(count)d report closed.", "%(count)d reports closed.", closed
        ) % {"count": closed}, messages.SUCCESS)
        for problem in sorted(set(problems)):
            self.message_user(request, ngettext(
                "%(count)d report was not decided: %(reason)s",
                "%(count)d reports were not decided: %(reason)s", problems.count(problem),
            ) % {"count": problems.count(problem), "reason": problem}, messages.WARNING)


# --- the audit log ---------------------------------------------------------------------------

class ModeratorFilter(admin.SimpleListFilter):
    """Staff only, not a list of every member."""

    title = _("moderator")
    parameter_name = "moderator"

    def lookups(self, request, model_admin):

        staff = User.objects.filter(is_staff=True).select_related("profile").order_by("pk")
        return [("site", _("the site itself"))] + [(str(u.pk), u.display_name) for u in staff]

    def queryset(self, request, queryset):
        if self.value() == "site":
            return queryset.filter(moderator__isnull=True)
        moderator = id_or_none(self.value())
        if moderator is not None:
            return queryset.filter(moderator_id=moderator)
        return queryset


@admin.register(ModerationLog)
class ModerationLogAdmin(ModeratorsMayView, admin.ModelAdmin):
    """Read-only: the log is written by sns.moderation and never changed."""

    list_display = [
        "at", "action", "moderator_name", "member_column", "target_column", "report_column",
        "reason_excerpt",
    ]
    list_filter = ["action", ModeratorFilter]
    search_fields = ["member_label", "member__email", "moderator__email", "reason"]
    list_select_related = ["moderator__profile", "member__profile", "target_type", "report"]
    date_hierarchy = "at"
    fields = [
        "at", "action", "moderator_name", "member_column", "member_label", "target_column",
        "report_column", "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("moderator"), ordering="moderator")
    def moderator_name(self, entry):
        return entry.moderator.display_name if entry.moderator else _("the site itself")

    @admin.display(description=_("member"), ordering="member_label")
    def member_column(self, entry):
        return member_link(entry.member) if entry.member else entry.member_label or "—"

    @admin.display(description=pgettext_lazy("moderation", "about"))
    def target_column(self, entry):
        if entry.target_type is None:
            return "—"
        kind = targets.for_model(entry.target_type.model_class())
        label = f"{kind.label if kind else entry.target_type.name} #{entry.target_id}"
        try:
            url = reverse(
                f"admin:{entry.target_type.app_label}_{entry.target_type.model}_change",
                args=[entry.target_id],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("report"))
    def report_column(self, entry):
        return admin_link(entry.report, _("report #%(pk)d") % {"pk": entry.report.pk}) \
            if entry.report else "—"

    @admin.display(description=_("reason"))
    def reason_excerpt(self, entry):
        return Truncator(entry.reason).chars(LIST_EXCERPT_CHARS)


# --- members' content: hide and show again ---------------------------------------------------

class ModeratedContentAdmin(ReadOnlyAdmin):
    """A diary entry, a comment, a topic or a topic comment: staff may hide it."""

    actions = ["hide", "unhide"]

    @admin.display(boolean=True, description=_("hidden"), ordering="hidden_at")
    def is_hidden(self, obj) -> bool:
        return obj.hidden_at is not None

    def has_moderate_permission(self, request) -> bool:
        return is_moderator(request)

    @admin.action(permissions=["moderate"],
                  description=_("Hide the selected items from every member"))
    def hide(self, request, queryset):
        count = sum(moderation.content_hide(target=obj, by=request.user) for obj in queryset)
        self.message_user(
            request,
            ngettext("%(count)d item hidden.", "%(count)d items hidden.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(permissions=["moderate"], description=_("Show the selected items again"))
    def unhide(self, request, queryset):
        count = sum(moderation.content_unhide(target=obj, by=request.user) for obj in queryset)
        self.message_user(
            request,
            ngettext("%(count)d item shown again.", "%(count)d items shown again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
