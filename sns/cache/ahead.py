"""Parts built ahead, after a write that adds to many members' pages."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from .stats import stats_flush
from .store import Scope, _cache, in_use, part_key

# A write that adds to many members' pages bumps their scopes (a new entry: each friend's
# ``feed``, in a task); the next page of each would then compute its part while the member
# waits. Instead they are built again at once: a feature registers, for a kind of scope, what
# to build for the members whose scopes of that kind were bumped (``builds_ahead``), and the
# writer calls ``build_ahead`` after its bump: in its task (a new entry), in a task of its
# own (``sns.tasks.build_parts_ahead``: a comment's participants), or once its request's
# transaction commits where it is one member's part (an answer to an off-kai). A builder
# builds only the parts that were kept (``kept``): their members read that page lately,
# where a member with 20,000 friends has mostly friends who will not look today. Built after
# the bump, under the new generations, so what is kept was computed after the write.

_AHEAD: dict[str, list[Callable[[list[int]], None]]] = {}


def builds_ahead(kind: str, build: Callable[[list[int]], None]) -> None:
    """``build(member_ids)`` runs when ``build_ahead`` is given scopes ``(kind, member_id)``
    of those members."""
    _AHEAD.setdefault(kind, []).append(build)


def build_ahead(*scopes: Scope) -> None:
    """Run the builders registered for the kinds of ``scopes`` (after ``bump(*scopes)``),
    once the transaction commits (at once outside one), as the bump does."""
    if not in_use():
        return
    by_kind: dict[str, list[int]] = {}
    for kind, member_id in scopes:
        by_kind.setdefault(kind, []).append(member_id)
    builds = [(build, ids) for kind, ids in by_kind.items() for build in _AHEAD.get(kind, ())]
    for build, member_ids in builds:
        transaction.on_commit(lambda b=build, ids=member_ids: b(ids), robust=True)
    if builds:
        # A task worker looks up few parts: its counts would wait long for STATS_EVERY.
        transaction.on_commit(stats_flush, robust=True)


def kept(name: str, keys: list[tuple]) -> list[bool]:
    """Whether a value of part ``name`` is kept under each of ``keys`` (current or not): in
    one pipelined round trip."""
    if not keys or not in_use():
        return [False] * len(keys)
    cache = _cache()
    raw = getattr(cache, "_cache", None)
    if not hasattr(raw, "get_client"):
        return [cache.has_key(part_key(name, key)) for key in keys]
    with raw.get_client().pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.exists(cache.make_key(part_key(name, key)))
        return [bool(n) for n in pipe.execute()]
