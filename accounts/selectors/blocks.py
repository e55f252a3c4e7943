"""Reads about blocks: whom a member blocks."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Block, User


def blocked_by(user: User) -> QuerySet[Block]:
    """Whom ``user`` blocks, newest first, with their profiles."""
    return (
        Block.objects.filter(blocker=user)
        .select_related("blocked__profile")
        .order_by("-created_at", "-pk")
    )
