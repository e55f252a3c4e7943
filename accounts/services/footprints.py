"""あしあと (footprints): who looked at a member's page, once per visitor per day.

``footprint_record`` is the one write; ``footprints_prune`` the periodic removal of what is
older than the window (``selectors.footprints``, where the visitors page reads them).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from sns import cache

from ..models import Footprint, Profile, User
from ..selectors.footprints import window_start

# With Redis, a visitor's footprint on a page is written at most this often (a page looked
# at again within it writes nothing): its time may be this much earlier than the last look.
FOOTPRINT_EVERY = 10 * 60


# One statement: insert only if the visitor leaves footprints (read from their profile in
# the same statement), and on a second visit the same day keep the later time. Two tabs
# opening the page at once cannot both insert, and neither needs a lock or a retry.
_RECORD_SQL = """
INSERT INTO {footprint} (visitor_id, owner_id, day, visited_at)
SELECT %(visitor)s, %(owner)s, %(day)s, %(now)s
  FROM {profile} p WHERE p.user_id = %(visitor)s AND p.leaves_footprints
ON CONFLICT (visitor_id, owner_id, day)
DO UPDATE SET visited_at = GREATEST({footprint}.visited_at, EXCLUDED.visited_at)
RETURNING xmax = 0
"""


def footprint_record(*, visitor: User, owner: User) -> None:
    """Note that ``visitor`` looked at ``owner``'s page today (the site's local date).

    Nothing is recorded for one's own page, for anonymous visitors, or for members who chose
    not to leave footprints. A second visit the same day only moves ``visited_at`` forward
    (with Redis, once it is FOOTPRINT_EVERY later than the last written).
    """
    if not visitor.is_authenticated or visitor.pk == owner.pk:
        return
    now = timezone.now()
    day = timezone.localdate(now)
    if not cache.first_in("footprint", (visitor.pk, owner.pk, day), FOOTPRINT_EVERY):
        return
    sql = _RECORD_SQL.format(
        footprint=Footprint._meta.db_table, profile=Profile._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "visitor": visitor.pk, "owner": owner.pk, "day": day, "now": now,
        })
        inserted = cursor.fetchone()
    if inserted and inserted[0]:
        # A new footprint (not a second visit the same day): one more on the owner's home.
        cache.bump(cache.footprints(owner))


def footprints_prune(*, now: datetime | None = None) -> int:
    """Delete footprints older than 30 days; return how many went."""
    deleted, _by_model = Footprint.objects.filter(visited_at__lt=window_start(now)).delete()
    return deleted
