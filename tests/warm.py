"""The batteries run warm (issue 16, item 5): with the page parts kept in a real Redis, each
case read once before the change that decides it, so that whatever is cached reflects the
old state, then the change made through the services, then read again.

Without a cache every part is computed afresh and only the cold path is proven; a missing
``cache.bump`` shows only when a part was cached before the change. Tests use:

* ``parts_on_redis()``: the "parts" alias on a Redis database of these runs' own
  (tests/sns/test_caching.py has 12, test_two_servers 6, faults 9, others 3, 4, 7, 13),
  emptied before and after, so that no case starts from what another cached;
* ``committed()`` around a change: a test's transaction never commits, and the services
  bump generations only once theirs has; what waits for the commit runs at the end of the
  block, as the commit would.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import TestCase
from django.test.utils import override_settings

from sns import cache

REDIS_DB = 14


@contextmanager
def parts_on_redis():
    """The parts cache on Redis, empty, for the block, and emptied after."""
    parts = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:6379/{REDIS_DB}",
        # Two runs at once on one machine (two worktrees) have two test databases whose ids
        # coincide: neither may read, or empty, what the other cached.
        "KEY_PREFIX": f"warm-{connection.settings_dict['NAME']}",
    }
    with override_settings(CACHES={**settings.CACHES, cache.ALIAS: parts}):
        cache.forget_all()
        try:
            yield caches[cache.ALIAS]
        finally:
            cache.forget_all()


def committed():
    """``with committed():`` around a write: what waits for its commit (the bumps) runs at
    the end of the block."""
    return TestCase.captureOnCommitCallbacks(using=DEFAULT_DB_ALIAS, execute=True)


def filled(parts) -> bool:
    """Whether a part is cached (a logged-in member's page caches at least the header's
    counts): the control that a warm read did warm."""
    client = parts._cache.get_client()
    return next(client.scan_iter(match=parts.make_key("part:*"), count=1000), None) is not None
