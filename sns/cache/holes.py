"""Holes: what kept parts show of a row that changes often, kept once for all."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.template.loader import get_template
from django.utils.translation import get_language

from .parts import _recording
from .stats import HIT, MISS, _count
from .store import (
    DEFAULT_TIMEOUT,
    Scope,
    _cache,
    _digest_of,
    _generations_made,
    _read,
    generation_key,
    in_use,
    part_key,
)

# An entry's count of comments or an off-kai's places left change with every comment or
# answer; a part that showed them would be stale for every viewer at once (every home with
# that entry or off-kai on it), to be built again whole for each. A part shows them through a
# hole instead ({% hole "comments" entry.pk n=… %}): built, it keeps a marker in their place;
# served, its markers are filled (``fill``) with values kept once per row under their own
# scopes (``comments(e)``, ``answers(e)``), read for all the holes of a page in one round trip
# and computed in one query for those that changed. A hole outside a part, or without the
# cache, shows the value it was given.

_HOLES: dict[str, tuple[Callable, Callable, str]] = {}
_HOLE = re.compile(r"<!--hole:([a-z-]+):(\d+)-->")


def holes(name: str, *, scopes: Callable[[int], list[Scope]],
          compute: Callable[[list[int]], dict[int, dict]], template: str) -> None:
    """Define the hole ``name``: for a row's id, its value (a dict: the context of
    ``template``) is kept under ``scopes(id)``; ``compute(ids)`` gives those of many rows at
    once (a row it leaves out shows nothing)."""
    _HOLES[name] = (scopes, compute, template)


def hole(name: str, pk: int, given: dict) -> str:
    """What a hole shows where it stands: a marker in a part being built, else ``given``."""
    if _recording.get() and in_use():
        return f"<!--hole:{name}:{int(pk)}-->"
    return _hole_html(name, given)


# What a hole shows for a value, per language, once per process: its values are few (counts).
_HOLE_HTML: dict[tuple, str] = {}
_HOLE_HTML_MAX = 20_000


def _hole_html(name: str, value: dict) -> str:
    key = (name, get_language(), *sorted(value.items()))
    html = _HOLE_HTML.get(key)
    if html is None:
        html = get_template(_HOLES[name][2]).render(value).strip()
        if len(_HOLE_HTML) >= _HOLE_HTML_MAX:
            _HOLE_HTML.clear()
        if not settings.DEBUG:  # in development a template edited shows at once
            _HOLE_HTML[key] = html
    return html


def fill(html: str) -> str:
    """``html`` with each hole's marker replaced by what the hole shows now."""
    wanted = {(name, int(pk)) for name, pk in _HOLE.findall(html)}
    if not wanted:
        return html
    values = _hole_values(sorted(wanted))
    shown = {hole: _hole_html(hole[0], values[hole]) if hole in values else ""
             for hole in wanted}
    return _HOLE.sub(lambda m: shown[(m[1], int(m[2]))], html)


def _hole_values(holes: list[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    """Each hole's value, kept or computed (those not current, in one call a name), the kept
    ones and their generations read in one round trip."""
    by_name: dict[str, list[int]] = {}
    for name, pk in holes:
        by_name.setdefault(name, []).append(pk)
    if not in_use():
        return {(name, pk): value for name, ids in by_name.items()
                for pk, value in _HOLES[name][1](ids).items()}
    cache = _cache()
    generation_keys = {(name, pk): [generation_key(scope) for scope in _HOLES[name][0](pk)]
                       for name, pk in holes}
    value_keys = {(name, pk): part_key("hole-" + name, (pk,)) for name, pk in holes}
    every_generation = sorted({key for keys in generation_keys.values() for key in keys})
    found = _read(cache, [*every_generation, *value_keys.values()])
    _generations_made(cache, every_generation, found)
    values: dict[tuple[str, int], dict] = {}
    digests = {}
    for hole in holes:
        digests[hole] = _digest_of(generation_keys[hole], found)
        kept = found.get(value_keys[hole])
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == digests[hole]:
            values[hole] = kept[1]
    for name, ids in by_name.items():
        missing = [pk for pk in ids if (name, pk) not in values]
        _count(cache, "hole-" + name, HIT, len(ids) - len(missing))
        if not missing:
            continue
        _count(cache, "hole-" + name, MISS, len(missing))
        # Computed after the generations were read: a write committed meanwhile bumped one
        # of them, and the next reader computes again.
        computed = {(name, pk): value for pk, value in _HOLES[name][1](missing).items()}
        cache.set_many({value_keys[hole]: (digests[hole], value)
                        for hole, value in computed.items()}, DEFAULT_TIMEOUT)
        values.update(computed)
    return values
