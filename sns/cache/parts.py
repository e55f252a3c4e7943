"""Values and rendered parts kept under the generations they were computed from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

from .stats import BUILT, HIT, MISS, _count
from .store import (
    DEFAULT_TIMEOUT,
    Scope,
    T,
    _cache,
    _digest_of,
    _generations_made,
    _read,
    generation_key,
    in_use,
    part_key,
)


def cached(
    name: str,
    scopes: Iterable[Scope] | Callable[[], Iterable[Scope]],
    compute: Callable[[], T],
    *,
    key: tuple = (),
    timeout: int = DEFAULT_TIMEOUT,
    refresh: bool = False,
    ahead: bool = False,
) -> T:
    """``compute()``'s value, kept under ``name`` and ``key`` until one of ``scopes`` is
    bumped. ``compute`` must return plain data (no model instances, no querysets).

    ``scopes`` may be a function, for scopes that cost a read to know (each community of a
    member): without a cache it is never called. ``refresh`` computes and keeps the value
    whatever is kept (for a reader that found the kept value out of date); ``ahead`` does
    too, for a builder (``builds_ahead``), counted as built rather than as a page's lookup.
    """
    if not in_use():
        return compute()
    cache = _cache()
    generation_keys = [
        generation_key(scope) for scope in (scopes() if callable(scopes) else scopes)
    ]
    value_key = part_key(name, key)
    # The generations and the value in one round trip; the value holds the digest of the
    # generations it was computed under, and counts only while they are the current ones.
    found = _read(cache, [*generation_keys, value_key])
    _generations_made(cache, generation_keys, found)
    _record(generation_keys, found)
    digest = _digest_of(generation_keys, found)
    kept = found.get(value_key)
    if not (refresh or ahead) and isinstance(kept, tuple) and len(kept) == 2 and kept[0] == digest:
        _count(cache, name, HIT)
        return kept[1]
    _count(cache, name, BUILT if ahead else MISS)
    value = compute()
    # A slower reader may overwrite it with a value of older generations: the next reader
    # finds the digest out of date and computes again.
    cache.set(value_key, (digest, value), timeout)
    return value



# --- rendered parts: HTML kept under every generation it was built from (issue 16, item 2) --
# A page part kept as HTML (home's content, in ``{% part %}``, sns/templatetags/parts.py) is
# built from many reads: cached lists (``cached`` above), rows (an entry, an off-kai, a
# member's name), counts. While it is built, every generation read on the way is recorded:
# those of the ``cached`` parts it reads, and those it declares with ``depends_on`` for what
# it reads from PostgreSQL (declared *before* the read, so that a write committed after the
# read bumps a generation recorded with its older token). The HTML is kept with the list of
# those generations and a digest of their tokens; a reader reads the HTML and the list (one
# round trip), then the generations (a second): one bumped since, or evicted, and the part
# is built again, its inner ``cached`` parts mostly found. What a part shows that no write
# ends (a window of thirty days, an off-kai that ends) is bounded by its timeout.
# Parts nest: an inner part's generations are recorded by the outer one as well, hit or built.

class _Recorder:
    """What a part being built read: the generations' tokens, and until when it holds."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.until: datetime | None = None


_recording: ContextVar[tuple[_Recorder, ...]] = ContextVar("parts_recording", default=())


def _record(keys: Iterable[str], found: dict, until: datetime | None = None) -> None:
    """Record the tokens of ``keys`` in ``found`` for the parts being built. The first token
    seen of a key is the one kept: a part that read a row under it must be built again once
    it changes, even if a later read of the same part saw the newer one."""
    for recorder in _recording.get():
        for key in keys:
            recorder.tokens.setdefault(key, found[key])
        if until is not None and (recorder.until is None or until < recorder.until):
            recorder.until = until


def recording() -> bool:
    """Whether a part is being built (its holes are filled by the outermost part)."""
    return bool(_recording.get())


def builders() -> tuple:
    """The parts being built now, for a value read once per part being built: one read
    while another part was built declared its scopes there, not in this one."""
    return _recording.get()


@contextmanager
def apart():
    """A part looked up or built in the block is kept apart from the parts being built
    around it: they record none of its generations (a detached part, sns/templatetags/sns.py:
    they keep a marker in its place, filled on each request)."""
    token = _recording.set(())
    try:
        yield
    finally:
        _recording.reset(token)


def holds_until(moment: datetime) -> None:
    """The parts being built show something that ends at ``moment`` without a write (an
    off-kai over): they are built again from then on."""
    _record((), {}, until=moment)


def depends_on(*scopes: Scope) -> None:
    """Record ``scopes`` for the parts being built (nothing outside one): call it before
    reading what they stand for."""
    if not scopes or not _recording.get() or not in_use():
        return
    cache = _cache()
    keys = [generation_key(scope) for scope in scopes]
    found = _read(cache, keys)
    _generations_made(cache, keys, found)
    _record(keys, found)



def rendered(name: str, build: Callable[[], str], *, key: tuple = (),
             timeout: int = DEFAULT_TIMEOUT) -> str:
    """``build()``'s HTML, kept under ``name`` and ``key`` until a generation it read while
    it was built is bumped, ``timeout`` seconds pass, or a moment it ``holds_until``."""
    if not in_use():
        return build()
    cache = _cache()
    value_key = part_key(name, key)
    kept = cache.get(value_key)
    if isinstance(kept, tuple) and len(kept) == 4:
        keys, digest, until, html = kept
        found = _read(cache, keys) if keys else {}
        if (
            len(found) == len(keys) and _digest_of(keys, found) == digest
            and (until is None or timezone.now() < until)
        ):
            _record(keys, found, until)
            _count(cache, name, HIT)
            return html
    _count(cache, name, MISS)
    recorder = _Recorder()
    token = _recording.set((*_recording.get(), recorder))
    try:
        html = build()
    finally:
        _recording.reset(token)
    keys = sorted(recorder.tokens)
    # An outer part being built holds no longer than this one.
    _record((), {}, until=recorder.until)
    cache.set(value_key, (keys, _digest_of(keys, recorder.tokens), recorder.until, html),
              timeout)
    return html
