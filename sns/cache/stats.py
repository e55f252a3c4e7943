"""How often a part was found."""

from __future__ import annotations

from redis.exceptions import RedisError

from .store import _cache, in_use

# Each process counts its lookups by part and adds them to a hash in Redis every
# STATS_EVERY lookups (one pipelined write, nothing on the others), for
# ``manage.py cached_parts_stats`` and the load benchmark.

HIT, MISS, BUILT = "hit", "miss", "built"
STATS_KEY = "stats"
STATS_EVERY = 200
_counts: dict[str, int] = {}


def _count(cache, name: str, outcome: str, n: int = 1) -> None:
    if not n:
        return
    field = f"{name}:{outcome}"
    _counts[field] = _counts.get(field, 0) + n
    if sum(_counts.values()) >= STATS_EVERY:
        stats_flush(cache)


def stats_flush(cache=None) -> None:
    """Add this process's counts to Redis now (they are added every STATS_EVERY lookups)."""
    counts = dict(_counts)
    _counts.clear()
    if not counts or not in_use():
        return
    cache = cache or _cache()
    try:
        client = cache._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipe:
            for field, n in counts.items():
                pipe.hincrby(cache.make_key(STATS_KEY), field, n)
            pipe.execute()
    except RedisError:
        pass  # counts are worth less than the page being served


def stats() -> dict[str, dict[str, int]]:
    """{part: {"hit": n, "miss": n, "built": n}} as added to Redis so far, by every process
    (built: ahead, by a write's task)."""
    if not in_use():
        return {}
    cache = _cache()
    raw = cache._cache.get_client().hgetall(cache.make_key(STATS_KEY))
    found: dict[str, dict[str, int]] = {}
    for field, n in raw.items():
        name, _, outcome = field.decode().rpartition(":")
        found.setdefault(name, {HIT: 0, MISS: 0, BUILT: 0})[outcome] = int(n)
    return found


def stats_reset() -> None:
    _counts.clear()
    if in_use():
        cache = _cache()
        cache._cache.get_client(write=True).delete(cache.make_key(STATS_KEY))
