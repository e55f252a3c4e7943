"""What is about a thing goes with it (kernel): a service deleting a likeable thing (an entry,
a comment, a topic) calls ``about_withdraw`` first, so that neither a notification nor a like
is left pointing at nothing."""

from __future__ import annotations

from django.db import models

from .likes import likes_withdraw
from .notify import notifications_withdraw


def about_withdraw(*, model: type[models.Model], ids) -> None:
    """Delete the notifications about these things and their likes (they are being deleted)."""
    ids = list(ids)
    notifications_withdraw(model=model, ids=ids)
    likes_withdraw(model=model, ids=ids)
