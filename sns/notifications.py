"""The one way any app records that something happened to a member.

Callers name it in their service ("notifies the recipient"), never in a signal. Nothing is
mailed yet: the notification issue adds the pages and the per-kind mail preferences.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Notification

Kind = Notification.Kind


def notify(
    *, recipient, kind: str, actor=None, target: models.Model | None = None
) -> Notification | None:
    """Record ``kind`` for ``recipient``; a member is never notified of their own act."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    return Notification.objects.create(
        recipient=recipient,
        actor=actor,
        kind=kind,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
    )


def withdraw(*, model: type[models.Model], ids) -> int:
    """Delete the notifications about these objects (they are being deleted); return how many."""
    deleted, _by_model = Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
    ).delete()
    return deleted
