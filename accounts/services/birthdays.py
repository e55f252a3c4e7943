"""The notice the day before a member's birthday, to their friends who chose birthday
notices (a preference row for the kind, sns.notifications: in-app, and by email if they
chose that too).

``birthday_notices_send`` runs from cron (``manage.py send_birthday_notices``, or the task
``accounts.tasks.send_birthday_notices``), hourly is safe: ``Profile.birthday_told_for``
records the birthday told, so each is told once however often, and from however many
machines, it runs. Days are the site's (``TIME_ZONE``); 29 February is told on 27 February
in a year without one (the day before 28 February, where it falls).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sns.models import NotificationPreference
from sns.notify import Kind, notify_many
from sns.visibility import Level, without_blocked

from ..models import Profile, User
from ..selectors.birthdays import falls_on


def _due(tomorrow: date):
    """Profiles of active members with a birthday tomorrow that friends may see, not told
    yet."""
    return Profile.objects.filter(
        falls_on(tomorrow, field=""), user__is_active=True,
    ).exclude(birthday_visibility=Level.PRIVATE).filter(
        Q(birthday_told_for__isnull=True) | ~Q(birthday_told_for=tomorrow)
    )


def birthday_notices_send(*, today: date | None = None) -> int:
    """Tell the friends of each member whose birthday is tomorrow (site time) who chose
    birthday notices; return how many were told."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    due = list(_due(tomorrow).order_by("pk").values_list("pk", flat=True))
    return sum(birthday_notice(profile_id=pk, tomorrow=tomorrow) for pk in due)


def birthday_notice(*, profile_id: int, tomorrow: date) -> int:
    """Tell one member's friends (see the module), if not told yet; return how many."""
    with transaction.atomic():
        # Lock the profile, so that two runs at once cannot both tell its birthday.
        profile = _due(tomorrow).select_for_update(of=("self",)).filter(pk=profile_id).first()
        if profile is None:
            return 0
        profile.birthday_told_for = tomorrow
        profile.save(update_fields=["birthday_told_for"])
        member = User(pk=profile.user_id)
        chose = NotificationPreference.objects.filter(kind=Kind.BIRTHDAY).values("user_id")
        friends = User.objects.filter(
            friendships__friend=member, is_active=True, pk__in=chose
        )
        recipients = list(without_blocked(friends, "pk", member).values_list("pk", flat=True))
        return notify_many(recipient_ids=recipients, kind=Kind.BIRTHDAY, actor=member)
