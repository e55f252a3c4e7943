"""Birthdays: which fall on a day (29 February on 28 February in other years), and the
friends of a member whose birthday falls in a span of days and who let friends see it (home,
the day-before notice, the daily news). Days are the site's (``TIME_ZONE``)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet

from sns.visibility import Relation, visible_levels, without_blocked

from ..models import User


def falls_on(day: date, field: str = "profile__") -> Q:
    """The profiles (``field``: the path to them) whose birthday is on ``day``: its month
    and day, and 29 February on 28 February of a year without one."""
    q = Q(**{f"{field}birth_month": day.month, f"{field}birth_day": day.day})
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        q |= Q(**{f"{field}birth_month": 2, f"{field}birth_day": 29})
    return q


def keys_within(first: date, days: int) -> list[int]:
    """The birthdays on ``days`` days from ``first`` as ``birth_key`` values (month × 100 +
    day; 229 with 228 in a year without 29 February): one list for ``birth_key__any``, so
    that a prepared query keeps its shape whatever the days (sns/prepared.py)."""
    keys = []
    for n in range(days):
        day = first + timedelta(days=n)
        keys.append(day.month * 100 + day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            keys.append(229)
    return keys


def birth_key(field: str = "profile__") -> ExpressionWrapper:
    """A profile's birthday as month × 100 + day (NULL without one), for ``keys_within``."""
    return ExpressionWrapper(
        F(f"{field}birth_month") * 100 + F(f"{field}birth_day"), output_field=IntegerField()
    )


def falls_within(first: date, days: int, field: str = "profile__") -> Q:
    """The profiles whose birthday is on one of ``days`` days from ``first``."""
    q = Q(pk__in=[])
    for n in range(days):
        q |= falls_on(first + timedelta(days=n), field)
    return q


def next_on_or_after(month: int, day: int, first: date) -> date:
    """The date of a birthday (``month``, ``day``) on or after ``first`` (29 February on 28
    February of a year without one)."""
    for year in (first.year, first.year + 1):
        if (month, day) == (2, 29) and not calendar.isleap(year):
            when = date(year, 2, 28)
        else:
            when = date(year, month, day)
        if when >= first:
            return when
    raise ValueError("no such day")  # pragma: no cover: a year later always is


def friends_with_birthdays(member: User, first: date, days: int) -> QuerySet[User]:
    """``member``'s active friends with a birthday in ``days`` days from ``first`` that
    they let friends see, none in a block with ``member`` either way, with their profiles
    (the caller orders them by ``next_on_or_after``)."""
    friends = User.objects.filter(
        falls_within(first, days),
        friendships__friend=member, is_active=True,
        profile__birthday_visibility__in=visible_levels(Relation.FRIEND),
    ).select_related("profile")
    return without_blocked(friends, "pk", member)


def in_order(members, first: date) -> list[tuple[User, date]]:
    """``members`` (with profiles) with the date of their next birthday from ``first``,
    soonest first."""
    dated = [
        (m, next_on_or_after(m.profile.birth_month, m.profile.birth_day, first))
        for m in members
    ]
    return sorted(dated, key=lambda pair: (pair[1], pair[0].pk))
