"""The store under every kept part: generations, keys, and reading many at once (see the
package's docstring)."""

from __future__ import annotations

import hashlib
import secrets
from typing import TypeVar

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from redis.exceptions import RedisError

T = TypeVar("T")
Scope = tuple

ALIAS = "parts"
# A backstop only (see above): a value is right until a bump, whatever its age.
DEFAULT_TIMEOUT = 60 * 60
# Longer than any value: a generation that expires only costs a recomputation.
GENERATION_TIMEOUT = 7 * 24 * 60 * 60
_MISSING = object()


def _cache():
    return caches[ALIAS]



def generation_key(scope: Scope) -> str:
    return "gen:" + ":".join(str(part) for part in scope)


def _token() -> str:
    return secrets.token_hex(8)


def in_use() -> bool:
    """Whether parts are kept at all: a writer may skip a query it makes only to bump."""
    return not isinstance(_cache(), DummyCache)


def bump(*scopes: Scope) -> None:
    """Make every value filed under ``scopes`` stale, once the transaction commits (at once
    outside one). A failure to reach the cache is logged, not raised: the write is done."""
    keys = [generation_key(scope) for scope in scopes]
    if not keys or not in_use():
        return
    transaction.on_commit(lambda: _set_generations(keys), robust=True)


def _set_generations(keys: list[str]) -> None:
    """A new token for each key. On Redis in pipelined SETs of a thousand, one round trip
    each: a fan-out to a member's 20,000 friends (``feed``) costs tens of milliseconds, where
    ``set_many`` makes and pickles each key through the cache API."""
    cache = _cache()
    raw = getattr(cache, "_cache", None)
    if not hasattr(raw, "get_client"):
        cache.set_many({key: _token() for key in keys}, GENERATION_TIMEOUT)
        return
    client = raw.get_client(write=True)
    # What the cache API would store for a str: the serializer's bytes.
    for start in range(0, len(keys), 1000):
        with client.pipeline(transaction=False) as pipe:
            for key in keys[start:start + 1000]:
                pipe.set(
                    cache.make_key(key), raw._serializer.dumps(_token()), ex=GENERATION_TIMEOUT
                )
            pipe.execute()


def _read(cache, keys: list[str]) -> dict:
    """``cache.get_many(keys)`` in one MGET, without the cache API's checks of each key (a
    page's holes read a hundred keys: the checks cost more than Redis). Our keys are ours."""
    raw = getattr(cache, "_cache", None)
    if not keys or not hasattr(raw, "get_client"):
        return cache.get_many(keys)
    values = raw.get_client().mget([cache.make_key(key) for key in keys])
    loads = raw._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True)
            if value is not None}


def _generations_made(cache, keys: list[str], found: dict) -> None:
    """Make each generation of ``keys`` missing from ``found`` (and add it there)."""
    missing = {key: _token() for key in keys if key not in found}
    if missing:
        # In one write (a member's first look at home makes one per community). Made before
        # the value is computed, so whatever is filed under a token was computed after it was
        # made: a reader's token may replace a bump's, or another reader's, but never brings
        # back a value computed before a write.
        cache.set_many(missing, GENERATION_TIMEOUT)
        found.update(missing)



def part_key(name: str, key: tuple) -> str:
    return ":".join(["part", name, *(str(part) for part in key)])


def _digest_of(keys: list[str], tokens: dict) -> str:
    """The digest of the generations ``keys`` as ``tokens`` holds them: a kept value (a part,
    a page's HTML) counts while the current tokens give the digest it was kept with."""
    return hashlib.blake2b(
        "|".join(f"{key}={tokens[key]}" for key in keys).encode(), digest_size=12
    ).hexdigest()



def first_in(name: str, key: tuple, seconds: int) -> bool:
    """Whether this is the first call with ``name`` and ``key`` in ``seconds`` (one ``SET NX``
    round trip): for a write a page would repeat on every visit. True without Redis, or when
    Redis cannot be reached (the write is then made)."""
    if not in_use():
        return True
    try:
        return bool(_cache().add(part_key(name, key), 1, seconds))
    except RedisError:
        return True


def _bump_now(scope: Scope) -> None:
    # Not once a transaction commits, as ``bump``: what changed was read, not written here.
    _set_generations([generation_key(scope)])


def forget_all() -> int:
    """Delete every generation and every value kept here, and nothing else of the Redis
    database (sessions, login limits and the default cache may share it); return how many
    keys went. For when the database was restored from a backup or made anew: its ids are
    reused, and a part filed under a generation that no write of the new data ever bumped
    would be shown again. (``manage.py forget_cached_parts``.)"""
    if not in_use():
        return 0
    cache = _cache()
    client = cache._cache.get_client(write=True)
    gone = 0
    for pattern in ("gen:*", "part:*"):
        keys = list(client.scan_iter(match=cache.make_key(pattern), count=1000))
        for start in range(0, len(keys), 1000):
            gone += client.delete(*keys[start:start + 1000])
    return gone
