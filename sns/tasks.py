"""Background work of the cached parts (sns.cache): parts built ahead after a write."""

from django.db import transaction
from django_tasks import task

from . import cache


@task()
def build_parts_ahead(*, kind: str, member_ids: list[int]) -> int:
    """Build again these members' parts registered for ``kind`` (``cache.builds_ahead``),
    after a write bumped their scopes of that kind; returns how many members."""
    cache.build_ahead(*((kind, pk) for pk in member_ids))
    return len(member_ids)


def build_ahead_later(kind: str, member_ids: list[int]) -> None:
    """``build_parts_ahead`` in a task once the transaction commits: for a write made in a
    request, whose member does not wait for it."""
    if cache.in_use() and member_ids:
        transaction.on_commit(
            lambda: build_parts_ahead.enqueue(kind=kind, member_ids=list(member_ids)),
            robust=True,
        )
