"""Off-kai writes: create, edit, cancel. Each runs in one transaction; what they cause for
others (the community's invitation, the notice of a change or a cancellation, the mail to
those promoted from the waitlist) is done by tasks enqueued after commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Friendship, User
from communities.models import Community, Membership
from sns import cache, limits
from sns.errors import Refused
from sns.notify import Kind
from sns.visibility import Level, ids_in_block_with

from ..models import COMMUNITY, RSVP, Answer, Event, EventHost, Visibility
from . import notices
from .rsvp import rsvp_promote

MAX_CO_HOSTS = 10
MAX_GUEST_LIMIT = 10
# The fields whose change is told to everyone taking part.
NOTICED_FIELDS = ("starts_at", "ends_at", "venue", "address")


class NotHost(PermissionDenied):
    """Only an event's hosts may do this (the views answer 404 before it comes to that)."""


def is_host(event: Event, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return EventHost.objects.filter(event=event, user=user).exists()


def _require_host(event: Event, user: User) -> None:
    if not is_host(event, user):
        raise NotHost(_("Only the off-kai's hosts can do this."))


class _Errors(dict):
    """Messages by form field; raised as one Refused so that a form shows them all."""

    def add(self, field: str | None, message: str) -> None:
        self.setdefault(field or "__all__", []).append(message)

    def raise_any(self) -> None:
        if self:
            raise Refused(dict(self))


def _check_fields(
    errors: _Errors, *, title: str, starts_at: datetime | None, ends_at: datetime | None,
    rsvp_deadline: datetime | None, capacity: int | None, guest_limit: int, visibility: str,
    community: Community | None, start_must_be_future: bool, deadline_must_be_future: bool,
) -> None:
    now = timezone.now()
    if not title.strip():
        errors.add("title", _("Give the off-kai a title."))
    if starts_at is None:
        errors.add("starts_at", _("Say when the off-kai starts."))
    if ends_at is None:
        errors.add("ends_at", _("Say when the off-kai ends."))
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors.add("ends_at", _("The end must be after the start."))
    if starts_at is not None and start_must_be_future and starts_at <= now:
        errors.add("starts_at", _("The start must be in the future."))
    if rsvp_deadline is not None:
        if starts_at is not None and rsvp_deadline > starts_at:
            errors.add("rsvp_deadline", _("Answers must close before the off-kai starts."))
        elif deadline_must_be_future and rsvp_deadline <= now:
            errors.add("rsvp_deadline", _("The deadline for answers must be in the future."))
    if capacity is not None and capacity < 1:
        errors.add("capacity", _("The capacity must be at least 1, or empty for no limit."))
    if not 0 <= guest_limit <= MAX_GUEST_LIMIT:
        errors.add("guest_limit", _("Each member may bring between 0 and %(n)d guests.")
                   % {"n": MAX_GUEST_LIMIT})
    if visibility not in Visibility.values:
        errors.add("visibility", _("Choose who can see the off-kai."))
    elif visibility == Level.PUBLIC and not settings.SITE_PUBLIC_PAGES:
        errors.add("visibility", _("This site has no public pages: choose another level."))
    elif visibility == COMMUNITY and community is None:
        errors.add("visibility", _(
            "Only an off-kai of a community can be shown to its members only."
        ))


def _level_for(visibility: str, community: Community | None) -> str:
    """A secret community's events are for its members only, whatever was chosen (it must
    not show outside; "hosts only" stays narrower still)."""
    if community is not None and community.is_secret and visibility != Level.PRIVATE:
        return COMMUNITY
    return visibility


def _check_community(errors: _Errors, community: Community, creator: User) -> None:

    if community.is_closed:
        errors.add("community", _("This community is closed."))
    elif not Membership.objects.filter(community=community, user=creator).exists():
        errors.add("community", _("You can hold an off-kai only in a community you belong to."))


def _check_co_hosts(
    errors: _Errors, co_hosts: list[User], *, by: User, creator_id: int,
    community: Community | None, already: set[int],
) -> None:
    """New co-hosts must be friends of the host who adds them or, for a community's event,
    its members; for a secret community's, its members only (a host sees the event, and a
    friend outside must not learn the community exists). Nobody in a block with the creator
    or with the host adding them."""

    if len(co_hosts) > MAX_CO_HOSTS:
        errors.add("co_hosts", ngettext(
            "An off-kai can have at most %(n)d co-host.",
            "An off-kai can have at most %(n)d co-hosts.", MAX_CO_HOSTS,
        ) % {"n": MAX_CO_HOSTS})
        return
    new = [u for u in co_hosts if u.pk not in already and u.pk != creator_id]
    if not new:
        return
    ids = [u.pk for u in new]
    allowed = set()
    if community is None or not community.is_secret:
        allowed |= set(Friendship.objects.filter(user=by, friend_id__in=ids)
                       .values_list("friend_id", flat=True))
    if community is not None:
        allowed |= set(Membership.objects.filter(community=community, user_id__in=ids)
                       .values_list("user_id", flat=True))
    allowed -= ids_in_block_with(by, creator_id, among=ids)
    for user in new:
        if not user.is_active or user.pk not in allowed:
            errors.add("co_hosts", _(
                "%(name)s cannot be a co-host: co-hosts are your friends or, for a "
                "community's off-kai, its members."
            ) % {"name": user.display_name})


def _check_rate(errors: _Errors, creator: User) -> None:
    # Recorded now; refused fields roll the use back with the rest (errors.raise_any).
    try:
        limits.take(creator, limits.OFFKAI)
    except limits.RateLimited as refused:
        errors.add(None, str(refused))


def event_create(
    *,
    creator: User,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    address: str,
    capacity: int | None,
    fee: str,
    rsvp_deadline: datetime | None,
    guest_limit: int,
    community: Community | None,
    visibility: str,
    co_hosts: Iterable[User] = (),
) -> Event:
    """Create an off-kai hosted by ``creator`` and ``co_hosts``. For a community's off-kai
    its members are invited (EVENT_NEW, recorded by a task after commit).

    Raises Refused (by field) for anything the rules refuse, including more than
    OFFKAI_CREATE_PER_DAY off-kai in 24 hours.
    """

    co_hosts = list(co_hosts)
    with transaction.atomic():
        # Lock the creator, since two forms posted at once could each find room under the
        # daily limit.
        User.objects.select_for_update().filter(pk=creator.pk).first()
        errors = _Errors()
        _check_rate(errors, creator)
        visibility = _level_for(visibility, community)
        _check_fields(
            errors, title=title, starts_at=starts_at, ends_at=ends_at,
            rsvp_deadline=rsvp_deadline, capacity=capacity, guest_limit=guest_limit,
            visibility=visibility, community=community, start_must_be_future=True,
            deadline_must_be_future=True,
        )
        if community is not None:
            _check_community(errors, community, creator)
        _check_co_hosts(errors, co_hosts, by=creator, creator_id=creator.pk,
                        community=community, already=set())
        errors.raise_any()
        event = Event.objects.create(
            title=title.strip(), description=description, starts_at=starts_at,
            ends_at=ends_at, venue=venue.strip(), address=address.strip(), capacity=capacity,
            fee=fee.strip(), rsvp_deadline=rsvp_deadline, guest_limit=guest_limit,
            community=community, visibility=visibility, created_by=creator,
        )
        hosts = [creator] + [u for u in co_hosts if u.pk != creator.pk]
        EventHost.objects.bulk_create(
            [EventHost(event=event, user=u) for u in {u.pk: u for u in hosts}.values()]
        )
        if community is not None:
            notices.event_community_invite_after_commit(event=event)
        # On the hosts' friends' and the community's members' home (sns.home).
        cache.bump(cache.EVENTS)
    return event


def event_update(
    *,
    event: Event,
    by: User,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    address: str,
    capacity: int | None,
    fee: str,
    rsvp_deadline: datetime | None,
    guest_limit: int,
    visibility: str,
    co_hosts: Iterable[User] | None = None,
) -> Event:
    """A host changes the off-kai (its community stays). When the time or the place
    changes, everyone taking part and the other hosts are told (EVENT_CHANGED, in-app and by
    mail, from a task); a new start time clears ``reminded_at`` so the reminder goes out
    again. A larger capacity promotes from the waitlist; a capacity below the places already
    taken, or a guest limit below guests already coming, is refused: nobody is dropped.
    ``co_hosts`` (when given) replaces the co-hosts; the creator always stays a host.
    """
    with transaction.atomic():
        # Lock the event, since answers count its capacity under the same lock.
        locked = Event.objects.select_for_update(of=("self",)).select_related("community").get(
            pk=event.pk
        )
        _require_host(locked, by)
        if locked.is_cancelled:
            raise Refused(_("A cancelled off-kai cannot be changed."), code="cancelled")
        community = locked.community
        visibility = _level_for(visibility, community)
        errors = _Errors()
        _check_fields(
            errors, title=title, starts_at=starts_at, ends_at=ends_at,
            rsvp_deadline=rsvp_deadline, capacity=capacity, guest_limit=guest_limit,
            visibility=visibility, community=community,
            start_must_be_future=starts_at != locked.starts_at,
            deadline_must_be_future=rsvp_deadline != locked.rsvp_deadline,
        )
        answers = RSVP.objects.filter(event=locked)
        taken = answers.places_taken()
        if capacity is not None and capacity < taken:
            errors.add("capacity", ngettext(
                "%(n)d place is already taken: the capacity cannot be lower.",
                "%(n)d places are already taken: the capacity cannot be lower.", taken,
            ) % {"n": taken})
        over = answers.counted().filter(
            answer__in=[Answer.ATTENDING, Answer.WAITLISTED], guests__gt=guest_limit
        ).count()
        if over:
            errors.add("guest_limit", ngettext(
                "%(n)d member already brings more guests than that.",
                "%(n)d members already bring more guests than that.", over,
            ) % {"n": over})
        current = set(EventHost.objects.filter(event=locked).values_list("user_id", flat=True))
        if co_hosts is not None:
            co_hosts = list(co_hosts)
            _check_co_hosts(errors, co_hosts, by=by, creator_id=locked.created_by_id,
                            community=community, already=current)
        errors.raise_any()

        before = {f: getattr(locked, f) for f in NOTICED_FIELDS}
        locked.title, locked.description = title.strip(), description
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.venue, locked.address, locked.fee = venue.strip(), address.strip(), fee.strip()
        locked.capacity, locked.rsvp_deadline = capacity, rsvp_deadline
        locked.guest_limit, locked.visibility = guest_limit, visibility
        locked.edited_at = timezone.now()
        if starts_at != before["starts_at"]:
            locked.reminded_at = None
        locked.save()
        if co_hosts is not None:
            _replace_co_hosts(locked, co_hosts, current)
        # Its time, who may see it or its hosts may have changed where home lists it, and
        # its card there.
        cache.bump(cache.EVENTS, cache.event(locked))
        changed = {f: v for f, v in before.items() if getattr(locked, f) != v}
        if changed:
            notices.event_notice_send_after_commit(
                event=locked, kind=Kind.EVENT_CHANGED, actor=by, before=changed
            )
        promoted = rsvp_promote(event=locked)
        if promoted:
            notices.event_notice_send_after_commit(
                event=locked, kind=Kind.EVENT_PROMOTED, actor=None,
                user_ids=[r.user_id for r in promoted],
            )
    return locked


def _replace_co_hosts(event: Event, co_hosts: list[User], current: set[int]) -> None:
    wanted = {u.pk for u in co_hosts} | {event.created_by_id}
    EventHost.objects.filter(event=event).exclude(user_id__in=wanted).delete()
    EventHost.objects.bulk_create(
        [EventHost(event=event, user_id=pk) for pk in sorted(wanted - current)]
    )


def event_cancel(*, event: Event, by: User, reason: str) -> Event:
    """A host cancels the off-kai, saying why. It stays on its page with the reason; answers
    and comments close; everyone who answered and the other hosts are told (EVENT_CANCELLED,
    in-app and by mail with the reason). Cancelling twice changes nothing."""
    reason = (reason or "").strip()
    limit = Event._meta.get_field("cancel_reason").max_length
    with transaction.atomic():
        locked = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        _require_host(locked, by)
        if locked.is_cancelled:
            return locked
        if not reason:
            raise Refused({"reason": [_("Say why the off-kai is cancelled.")]})
        if len(reason) > limit:
            raise Refused({"reason": [
                _("The reason can be at most %(limit)d characters long.") % {"limit": limit}
            ]})
        if locked.is_past:
            raise Refused(_("This off-kai is over; it can no longer be cancelled."))
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        locked.save(update_fields=["cancelled_at", "cancel_reason"])
        cache.bump(cache.event(locked))
        notices.event_notice_send_after_commit(event=locked, kind=Kind.EVENT_CANCELLED, actor=by)
    return locked
