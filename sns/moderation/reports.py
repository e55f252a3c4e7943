"""Reports (通報): a member reports content or a member; a moderator decides."""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sns import limits
from sns.models import Report

from . import targets
from .content import content_hide
from .log import Action, ModerationError, log, require_moderator
from .members import member_suspend, member_warn

Decision = Report.Decision
DETAILS_MAX_LENGTH = 2000


# Too many reports in a day (sns.limits).
RateLimited = limits.RateLimited


def target_kind(target: models.Model) -> targets.Target:
    kind = targets.for_thing(target)
    if kind is None:
        raise ModerationError(_("This cannot be reported."))
    return kind


@transaction.atomic
def report_create(
    *, reporter: User, target: models.Model, reason: str, details: str = ""
) -> Report:
    """``reporter`` reports ``target`` (an entry, a comment, a topic, a topic comment or a
    member) to the moderators.

    The reporter must be able to see it (else the target model's DoesNotExist, as for
    anything they may not know exists) and it must not be theirs. Reporting the same thing
    again while the first report is open changes nothing: the open report comes back with
    ``already_open`` set. At most REPORTS_PER_DAY reports a day (RateLimited).
    """

    kind = target_kind(target)
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason."))
    details = (details or "").strip()
    if len(details) > DETAILS_MAX_LENGTH:
        raise ModerationError(
            _("Please keep the details under %(n)d characters.") % {"n": DETAILS_MAX_LENGTH}
        )
    # Lock the reporter, since two reports sent at once must not both pass the day's limit.
    User.objects.select_for_update().filter(pk=reporter.pk).values("pk").get()
    target = kind.visible_to(reporter).get(pk=target.pk)
    reported = kind.owner_of(target)
    if reported.pk == reporter.pk:
        raise ModerationError(_("You cannot report yourself or what you wrote."))
    content_type = kind.content_type()
    open_one = Report.objects.filter(
        reporter=reporter, target_type=content_type, target_id=target.pk,
        decided_at__isnull=True,
    )
    existing = open_one.first()
    if existing is not None:
        existing.already_open = True
        return existing
    try:
        with transaction.atomic():
            # Inside, so that a report that turns out to be a duplicate counts nothing.
            limits.take(reporter, limits.REPORTS)
            report = Report.objects.create(
                reporter=reporter, reported=reported, target_type=content_type,
                target_id=target.pk, reason=reason, details=details,
            )
    except IntegrityError:
        # The same report, sent a moment ago by another request (report_open_once).
        report = open_one.get()
        report.already_open = True
        return report
    report.already_open = False
    return report


def decision_problem(report: Report, decision: str) -> str:
    """Why ``decision`` cannot be taken on ``report`` ("" if it can): for a form to say."""
    if decision not in Decision.values:
        return _("Choose a decision.")
    if report.decided_at is not None:
        return _("This report was already decided.")
    if decision == Decision.HIDE:
        kind = targets.for_content_type_id(report.target_type_id)
        if kind is None or not kind.hideable:
            return _("Only content can be hidden: warn or suspend the member instead.")
        if report.target is None:
            return _("The reported content no longer exists.")
    return ""


@transaction.atomic
def report_decide(*, report: Report, by: User, decision: str, note: str = "") -> int:
    """A moderator decides ``report``: no action, hide the content, warn or suspend the
    reported member. Every open report on the same thing is closed with the same decision
    and the step is logged. Returns how many reports were closed."""
    require_moderator(by)
    # Every open report on the thing, locked in one order: two moderators deciding two of
    # them at once take turns, and the second finds its report decided.
    open_reports = list(
        Report.objects.select_for_update()
        .filter(target_type=report.target_type_id, target_id=report.target_id,
                decided_at__isnull=True)
        .order_by("pk")
    )
    report = next((r for r in open_reports if r.pk == report.pk), None) or (
        Report.objects.get(pk=report.pk)
    )
    problem = decision_problem(report, decision)
    if problem:
        raise ModerationError(problem)
    reported = report.reported
    if decision == Decision.HIDE:
        content_hide(target=report.target, by=by, reason=note, report=report)
    elif decision == Decision.WARN:
        member_warn(member=reported, by=by, reason=note, report=report)
    elif decision == Decision.SUSPEND:
        if not member_suspend(member=reported, by=by, reason=note, report=report):
            log(action=Action.NO_ACTION, by=by, member=reported, target=report.target,
                report=report, reason=note or _("The member was suspended already."))
    else:
        log(action=Action.NO_ACTION, by=by, member=reported, target=report.target,
            report=report, reason=note)
    return Report.objects.filter(pk__in=[r.pk for r in open_reports]).update(
        decision=decision, decided_by=by, decided_at=timezone.now(), note=note
    )
