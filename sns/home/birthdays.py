"""Home's "friends' birthdays this week" (today and the six days after): read as one array
column of home's counts query (``birthdays_query``: no query of its own, and prepared: the
days go in as one list of ``birthday_keys``), then made into what home shows
(``friends_birthdays``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import Friendship
from accounts.selectors import birthdays
from accounts.selectors.names import member_from_names, name_columns
from sns import cache
from sns.visibility import Relation, visible_levels, without_blocked

BIRTHDAY_DAYS = 7
BIRTHDAYS_SHOWN = 20


def birthdays_query(member, birthday_keys):
    """My friends whose birthday is on one of ``birthday_keys`` (``birthdays.keys_within``)
    and who let friends see it, none in a block with me: what home shows of each (id, names,
    month, day), as one array column of home's counts."""
    friends = Friendship.objects.filter(
        user=member, friend__is_active=True,
        friend__profile__birthday_visibility__in=sorted(visible_levels(Relation.FRIEND)),
    ).alias(key=birthdays.birth_key("friend__profile__")).filter(key__any=birthday_keys)
    friends = without_blocked(friends, "friend_id", member).order_by("friend_id")
    return ArraySubquery(friends.values(json=JSONObject(
        member=name_columns("friend__"),
        month="friend__profile__birth_month", day="friend__profile__birth_day",
    ))[:BIRTHDAYS_SHOWN])


@dataclass(frozen=True)
class Birthday:
    """A friend's birthday on home: their page, their name, the day, whether it is today."""

    member_id: int
    name: str
    day: date
    today: bool


def this_week(now: datetime) -> list[int]:
    """The birthdays of today (site time) and the six days after, as ``birthday_keys``."""
    return birthdays.keys_within(timezone.localdate(now), BIRTHDAY_DAYS)


def friends_birthdays(rows: list[dict] | None, *, now: datetime) -> list[Birthday]:
    """My friends whose birthday (that they let friends see) is this week, soonest first,
    from the rows read with home's counts (``birthdays_query``).

    Read under what home declared already (friends, blocks, people); those shown are
    declared too, so that one who hides their birthday goes at once. The week moves at
    midnight, site time: home is built again from then on."""
    today, found = timezone.localdate(now), []
    for row in rows or []:
        member = member_from_names(row["member"])
        day = birthdays.next_on_or_after(row["month"], row["day"], today)
        found.append(Birthday(member_id=member.pk, name=member.display_name, day=day,
                              today=day == today))
    found.sort(key=lambda b: (b.day, b.member_id))
    cache.depends_on(*(cache.member(b.member_id) for b in found))
    tomorrow = today + timedelta(days=1)
    cache.holds_until(timezone.make_aware(datetime.combine(tomorrow, time.min)))
    return found
