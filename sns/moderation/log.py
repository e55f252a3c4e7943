"""The one writer of the audit log (sns.models.ModerationLog)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from sns.errors import Refused
from sns.models import ModerationLog, Report

Action = ModerationLog.Action


class ModerationError(Refused):
    """A moderation step the rules do not allow; the message is for the member or moderator."""


def member_label(member) -> str:
    """``name <email>``: kept on the log row should the member be deleted later."""
    return f"{member.display_name} <{member.email}>"


def require_moderator(user) -> None:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise ModerationError(_("Only moderators (staff) can do this."))


def log(
    *, action: str, by, member=None, target: models.Model | None = None,
    report: Report | None = None, reason: str = "",
) -> ModerationLog:
    """Record one moderator's step (``by`` None: the site did it on its own)."""
    return ModerationLog.objects.create(
        action=action,
        moderator=by if by is not None and by.is_authenticated else None,
        member=member,
        member_label=member_label(member) if member is not None else "",
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        report=report,
        reason=reason,
    )
