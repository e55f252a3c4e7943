"""Queries built and compiled once per process (issue 16, item 3: cheap misses).

Building a QuerySet through the visibility rules and compiling it to SQL costs more Python
than PostgreSQL takes to answer it (home: about 60% of its time in building and compiling,
20% waiting on the database). The shape of a hot query never changes, only its values: a
``Prepared`` builds it once per process with stand-in values, compiles it, notes where each
stand-in lands among the SQL's parameters, and from then on runs that SQL with the real
values, turning rows into objects with Django's own iterables (``select_related``,
annotations and ``values()`` as the QuerySet would give them).

A parameter is a model instance (its primary key goes into the SQL), a datetime, or a list
of ids (``list``: one array parameter, through the lookup ``__any`` registered here,
``"id" = ANY(%s)``, where ``__in`` would write one placeholder per id); the builder must use
them only as values in the query, and must not read the clock or branch on
anything but them. This is checked: the shape is built twice with different stand-ins, and
unless the SQL is the same and every other parameter is equal, ``Prepared`` refuses the shape
(``NotAPreparedShape``): a builder that called ``timezone.now()`` itself, or wrote a value
into the SQL's text, is caught by the first call, in the tests.

Not for QuerySets with ``prefetch_related`` (a second query Django makes itself).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from django.db import connections
from django.db.models import Field, Lookup, Model, QuerySet

# Stand-ins no real value takes: negative primary keys, moments in 1901.
_STAND_IN_PK = (-7_301_000_000, -7_302_000_000)
_STAND_IN_TIME = (
    datetime(1901, 1, 1, 1, 1, 1, tzinfo=UTC), datetime(1901, 2, 2, 2, 2, 2, tzinfo=UTC)
)


class NotAPreparedShape(Exception):
    """The builder's query depends on more than its parameters."""


@dataclass
class _Compiled:
    queryset: QuerySet
    compiler: object
    sql: str
    params: tuple
    # (position in params, parameter name) of each stand-in.
    slots: tuple[tuple[int, str], ...]


class Prepared:
    """``Prepared(build, viewer=User, now=datetime)``: ``build(viewer=…, now=…)`` returns the
    QuerySet; calling the ``Prepared`` with the real values returns its rows as a list."""

    def __init__(self, build: Callable[..., QuerySet], **parameters: type) -> None:
        self.build = build
        self.parameters = parameters
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()

    def _stand_ins(self, variant: int) -> dict:
        values = {}
        for n, (name, kind) in enumerate(self.parameters.items()):
            if kind is datetime:
                values[name] = _STAND_IN_TIME[variant] + timedelta(days=n)
            elif kind is list:
                values[name] = [_STAND_IN_PK[variant] - 1000 - n]
            elif isinstance(kind, type) and issubclass(kind, Model):
                values[name] = kind(pk=_STAND_IN_PK[variant] - n)
            else:
                raise TypeError(f"{name}: a model or datetime, not {kind!r}")
        return values

    @staticmethod
    def _raw(value):
        if isinstance(value, Model):
            return value.pk
        return tuple(value) if isinstance(value, list) else value

    def _compile(self) -> _Compiled:
        built = []
        for variant in (0, 1):
            stand_ins = self._stand_ins(variant)
            queryset = self.build(**stand_ins)
            if queryset._prefetch_related_lookups:
                raise NotAPreparedShape("prefetch_related makes queries of its own")
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            raw = {self._raw(value): name for name, value in stand_ins.items()}
            slots = tuple(
                (i, raw[self._raw(p)]) for i, p in enumerate(params)
                if _hashable(self._raw(p)) and self._raw(p) in raw
            )
            built.append((queryset, compiler, sql, tuple(params), slots))
        (queryset, compiler, sql, params, slots), (_, _, sql_2, params_2, slots_2) = built
        if sql != sql_2 or [s[1] for s in slots] != [s[1] for s in slots_2]:
            raise NotAPreparedShape(f"{self.build!r}: the SQL depends on the values")
        taken = {i for i, _name in slots}
        different = [i for i in range(len(params)) if i not in taken and params[i] != params_2[i]]
        if different or len(params) != len(params_2):
            raise NotAPreparedShape(
                f"{self.build!r}: parameters {different} change without being given "
                "(the clock read inside the builder?)"
            )
        return _Compiled(queryset, compiler, sql, params, slots)

    def compiled(self) -> _Compiled:
        if self._compiled is None:
            with self._lock:
                self._compiled = self._compiled or self._compile()
        return self._compiled

    def __call__(self, **values) -> list:
        if set(values) != set(self.parameters):
            raise TypeError(f"expected {sorted(self.parameters)}, got {sorted(values)}")
        compiled = self.compiled()
        params = list(compiled.params)
        for position, name in compiled.slots:
            value = values[name]
            params[position] = list(value) if isinstance(value, list | tuple) else self._raw(value)
        # A copy per call: the SQL and the columns are shared, the connection is this
        # thread's, and the parameters are this call's.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[compiled.queryset.db]
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        queryset = compiled.queryset
        shim = SimpleNamespace(
            db=queryset.db, model=queryset.model, _known_related_objects={},
            query=_QueryWith(queryset.query, compiler), _fields=queryset._fields,
        )
        return list(queryset._iterable_class(shim))


class _QueryWith:
    """The built query, whose compiler is the prepared one (Django's iterables read the
    query's selected names from it)."""

    def __init__(self, query, compiler) -> None:
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, **kwargs):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@Field.register_lookup
class AnyOf(Lookup):
    """``field__any=[...]``: ``field = ANY(%s)`` with the list as one array parameter, so
    that the SQL is the same for any number of values (a prepared query's shape)."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
