"""Values every reader shares and no write can bump."""

from __future__ import annotations

from collections.abc import Callable

from .parts import depends_on
from .store import _MISSING, DEFAULT_TIMEOUT, Scope, T, _bump_now, _cache, in_use, part_key

# What a search finds grows with writes anywhere (any new entry with the word in it): no
# service can know which searches it adds to. Such a value is kept for every reader and
# checked again at most every few seconds, by one reader (``recheck``: one SET NX each, in one
# round trip); when it comes out different, it is kept and its scope bumped, so the parts
# built from it are built again. What a write adds shows that late at most; what a write
# takes away is for the scopes the parts declare for what they show.


def shared_scope(name: str, key: tuple) -> Scope:
    return ("shared", name, *key)


def recheck(name: str, computes: dict[tuple, Callable[[], T]], every: int) -> None:
    """For each key of ``computes`` that nobody checked in the last ``every`` seconds, compute
    its value again and, if it differs from the one kept (or none is), keep it and bump its
    scope. The keys are claimed in one pipelined round trip of SET NX (a flushed Redis claims
    them all again)."""
    if not computes or not in_use():
        return
    cache = _cache()
    keys = list(computes)
    raw = getattr(cache, "_cache", None)
    if hasattr(raw, "get_client"):
        with raw.get_client(write=True).pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(cache.make_key(part_key(f"{name}-checked", key)), 1, nx=True, ex=every)
            claimed = [key for key, won in zip(keys, pipe.execute(), strict=True) if won]
    else:
        claimed = [key for key in keys if cache.add(part_key(f"{name}-checked", key), 1, every)]
    for key in claimed:
        value = computes[key]()
        value_key = part_key(name, key)
        if cache.get(value_key, _MISSING) != value:
            cache.set(value_key, value, DEFAULT_TIMEOUT)
            _bump_now(shared_scope(name, key))


def shared(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """The value kept for every reader under ``name`` and ``key`` (computed and kept when
    none is), its scope recorded for the parts being built: they are built again when
    ``recheck`` finds it changed."""
    if not in_use():
        return compute()
    depends_on(shared_scope(name, key))
    cache = _cache()
    value_key = part_key(name, key)
    value = cache.get(value_key, _MISSING)
    if value is _MISSING:
        # Evicted or never kept: parts built from a value kept before may still stand under
        # the current generation, so the new one is kept with a bump, as ``recheck`` does.
        value = compute()
        cache.set(value_key, value, DEFAULT_TIMEOUT)
        _bump_now(shared_scope(name, key))
    return value
