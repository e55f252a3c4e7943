"""Reports, made through ``sns.moderation`` as the report form makes them."""

from __future__ import annotations

from django.db import models

from accounts.models import User
from sns import moderation
from sns.models import Report


def report(reporter: User, target: models.Model, reason: str = Report.Reason.SPAM,
           details: str = "") -> Report:
    return moderation.report_create(
        reporter=reporter, target=target, reason=reason, details=details
    )
