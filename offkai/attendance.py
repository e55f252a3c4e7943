"""After the event: the hosts confirm who came, record the guests (non-members) who came and
invite them to the site in one step; and "met at", the events two members both came to.

Who came is kept on the answers (``RSVP.attended``); a host who came without having
answered gets an "attending" answer when confirmed, so "met at" reads one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from invites import services as invites_services
from invites.models import Invitation, State
from sns import cache, limits

from .models import RSVP, TAKING_PART, Answer, Event, EventHost, Guest

if TYPE_CHECKING:
    from accounts.models import User

# How many guests one event may record: a bound for the page and against mistakes.
GUESTS_MAX = 100
# How many shared events a profile shows under "met at".
MET_AT_SHOWN = 5


class AttendanceError(ValueError):
    """Something the rules do not allow; the message is for the host."""


def hosted_started(viewer) -> QuerySet[Event]:
    """The events ``viewer`` hosts that have started and were not cancelled: those whose
    attendance they may confirm. Anyone else's, or a future or cancelled one, is a 404."""
    if viewer is None or not viewer.is_authenticated:
        return Event.objects.none()
    return Event.objects.visible_to(viewer).filter(
        host_rows__user=viewer, starts_at__lte=timezone.now(), cancelled_at__isnull=True
    )


def _locked_hosted(event: Event, by: User) -> Event:
    """The event, locked, if ``by`` may confirm its attendance; else Event.DoesNotExist."""
    # Lock the event only (the query joins the hosts and the creator), so that two hosts
    # confirming at once, or guests recorded at once, queue here.
    return hosted_started(by).select_for_update(of=("self",)).get(pk=event.pk)


def host_ids(event: Event) -> set[int]:
    return set(EventHost.objects.filter(event=event).values_list("user_id", flat=True))


def _ids(values: Iterable) -> set[int]:
    return {int(v) for v in values}


@transaction.atomic
def attendance_confirm(
    *, event: Event, by: User, came_ids: Iterable[int], shown_ids: Iterable[int] | None = None
) -> int:
    """Record who came: the members in ``came_ids`` came, the others did not.

    Concerns the answers attending, waitlisted or maybe (they may have come) and the hosts;
    ``shown_ids``, when given, limits it to the members the host saw on the page (the list
    is paginated). Members in ``came_ids`` who did not answer are ignored. A host marked as
    come who had not answered gets an "attending" answer. Returns how many were recorded.
    Raises Event.DoesNotExist unless ``by`` hosts the event and it has started.
    """
    event = _locked_hosted(event, by)
    came = _ids(came_ids)
    hosts = host_ids(event)
    answers = RSVP.objects.filter(event=event).filter(
        Q(answer__in=TAKING_PART) | Q(user_id__in=hosts)
    )
    if shown_ids is not None:
        shown = _ids(shown_ids)
        answers = answers.filter(user_id__in=shown)
        hosts &= shown
    came_case = Case(When(user_id__in=came, then=Value(True)), default=Value(False))
    recorded = answers.update(attended=came_case if came else False)
    answered = set(
        RSVP.objects.filter(event=event, user_id__in=hosts).values_list("user_id", flat=True)
    )
    new = RSVP.objects.bulk_create(
        RSVP(event=event, user_id=pk, answer=Answer.ATTENDING, attended=True)
        for pk in sorted((hosts & came) - answered)
    )
    # Who met whom there (profiles' "Met at", kept parts: sns.cache).
    cache.bump(cache.event(event))
    return recorded + len(new)


def hosts_with_attendance(event: Event) -> list[User]:
    """The event's hosts (active members), each with ``attended`` from their answer (None
    without one or unconfirmed)."""
    from accounts.models import User

    answer = RSVP.objects.filter(event=event, user=OuterRef("pk"))
    return list(
        User.objects.filter(is_active=True, pk__in=EventHost.objects.filter(event=event)
                            .values("user"))
        .annotate(attended=Subquery(answer.values("attended")[:1]))
        .select_related("profile").order_by("pk")
    )


def answers_to_confirm(event: Event, hosts: list[User]) -> QuerySet[RSVP]:
    """The answers of those who may have come (attending, then waitlisted in order, then
    maybe), the hosts' left out (they are listed apart), each with its member."""
    from .pages import ANSWER_ORDER

    return (
        RSVP.objects.filter(event=event, answer__in=TAKING_PART, user__is_active=True)
        .exclude(user_id__in=[h.pk for h in hosts])
        .select_related("user__profile")
        .order_by(ANSWER_ORDER, "waitlisted_at", "answered_at", "pk")
    )


# --- guests --------------------------------------------------------------------------------

# How many members the "brought by" menu lists: the hosts, then those who answered.
BROUGHT_BY_CHOICES = 300


def brought_by_choices(event: Event, hosts: list[User]) -> list[tuple[int, str]]:
    """(id, name) of who may have brought a guest, for the form's menu."""
    from accounts.models import User

    answered = (
        User.objects.filter(is_active=True, rsvps__event=event, rsvps__answer__in=TAKING_PART)
        .exclude(pk__in=[h.pk for h in hosts])
        .select_related("profile")
        .order_by("rsvps__answered_at", "pk")
    )
    members = [*hosts, *answered[: max(BROUGHT_BY_CHOICES - len(hosts), 0)]]
    return [(m.pk, m.display_name) for m in members]


def guests_of(event: Event) -> list[Guest]:
    """The guests recorded (at most GUESTS_MAX), with who brought them and their invitation."""
    return list(
        Guest.objects.filter(event=event)
        .select_related("brought_by__profile", "invitation__accepted_user__profile")
        [:GUESTS_MAX]
    )

@transaction.atomic
def guest_add(
    *, event: Event, by: User, name: str, email: str = "", brought_by_id: int | None = None
) -> Guest:
    """Record a guest (a non-member) who came, brought by a member who answered or a host.
    Raises Event.DoesNotExist unless ``by`` hosts the event and it has started, and
    ValidationError for a missing name, an unknown "brought by", a second guest with the
    same address, or more than GUESTS_MAX guests."""
    from accounts.models import User

    event = _locked_hosted(event, by)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Write the guest's name."), code="name")
    email = User.objects.normalize_email(email.strip()) if email else ""
    if brought_by_id is not None and not (
        brought_by_id in host_ids(event)
        or RSVP.objects.filter(event=event, user_id=brought_by_id, answer__in=TAKING_PART)
        .exists()
    ):
        raise ValidationError(
            _("Choose a member who answered this off-kai, or a host."), code="brought_by"
        )
    guests = Guest.objects.filter(event=event)
    if email and guests.filter(email__iexact=email).exists():
        raise ValidationError(
            _("A guest with this email address is already recorded."), code="duplicate"
        )
    if guests.count() >= GUESTS_MAX:
        raise ValidationError(
            _("An off-kai can record at most %(max)d guests.") % {"max": GUESTS_MAX},
            code="too_many",
        )
    return Guest.objects.create(event=event, name=name, email=email, brought_by_id=brought_by_id)


def met_message(event: Event) -> str:
    """"We met at <title> on <date>.", in the site's language (that of the invitation mail),
    with the date as the site's time zone has it."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        date = formats.date_format(timezone.localdate(event.starts_at), "DATE_FORMAT")
        return _("We met at %(title)s on %(date)s.") % {"title": event.title, "date": date}


@transaction.atomic
def guest_invite(*, guest: Guest, by: User) -> Invitation:
    """Invite a guest who came to join the site: an invitation from ``by`` (a host: it takes
    one of their invitations), saying where they met, mailed after commit, and kept on the
    guest. Raises Guest.DoesNotExist unless ``by`` hosts the guest's event (started), and
    AttendanceError for a guest without an address, one invited already, a host with no
    invitations left, or an address that is a member's."""
    # Lock the guest, so that a double click makes one invitation.
    guest = (
        Guest.objects.select_for_update(of=("self",)).select_related("event", "invitation")
        .filter(event__in=hosted_started(by)).get(pk=guest.pk)
    )
    if not guest.email:
        raise AttendanceError(_("Add the guest's email address to invite them."))
    if guest.invitation is not None and guest.invitation.state in (State.PENDING, State.ACCEPTED):
        raise AttendanceError(_("This guest has already been invited."))
    try:
        invitation = invites_services.invitation_create(
            inviter=by, email=guest.email, message=met_message(guest.event)
        )
    except invites_services.QuotaExhausted:
        raise AttendanceError(_(
            "You have no invitations left, so you cannot invite this guest. Ask the site's "
            "operator if you need more."
        )) from None
    except invites_services.InvitationError as error:
        raise AttendanceError(str(error)) from None
    except limits.RateLimited as error:
        raise AttendanceError(error.message) from None
    guest.invitation = invitation
    guest.save(update_fields=["invitation"])
    return invitation


# --- met at --------------------------------------------------------------------------------

def came_to(member) -> Exists:
    """Whether ``member`` came to the event (OuterRef "pk"): a host confirmed it."""
    return Exists(RSVP.objects.filter(event=OuterRef("pk"), user=member, attended=True))


def met_any(viewer) -> Exists | Value:
    """For a queryset of members: whether each came to some off-kai with ``viewer``. Rides
    along in a page's own query of the member, so that ``met_at`` runs only when it may find
    something (most pairs of members never met)."""
    if viewer is None or not viewer.is_authenticated:
        return Value(False)
    return Exists(RSVP.objects.filter(
        user=OuterRef("pk"), attended=True,
        event__in=RSVP.objects.filter(user=viewer, attended=True).values("event"),
    ))


def met_at(viewer, member, *, limit: int = MET_AT_SHOWN) -> list[Event]:
    """The events both ``viewer`` and ``member`` came to (a host marked both as come), that
    ``viewer`` may see, newest first, at most ``limit``. None for oneself or a visitor."""
    if viewer is None or not viewer.is_authenticated or viewer.pk == member.pk:
        return []
    return list(
        Event.objects.visible_to(viewer)
        .filter(cancelled_at__isnull=True)
        .filter(came_to(viewer), came_to(member))
        .order_by("-starts_at", "-pk")[:limit]
    )


def met_count(viewer) -> Coalesce:
    """For a queryset of members: at how many off-kai each came together with ``viewer``."""
    shared = (
        RSVP.objects.filter(
            user=OuterRef("pk"), attended=True,
            event__in=RSVP.objects.filter(user=viewer, attended=True).values("event"),
        )
        .order_by().values("user").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(shared), 0)


def met_in_person_sql() -> str:
    """``met_count`` as SQL, for the ranking of people you may know
    (accounts.services.suggestions, SQL throughout): one row (``id``) per member and off-kai
    they came to with the member named by the ``%(member)s`` parameter. Starts from that
    member's answers (the ``rsvp_user`` index), then each event's answers (the ``rsvp_once``
    index)."""
    table = RSVP._meta.db_table
    return f"""
        SELECT other.user_id AS id
          FROM {table} came
          JOIN {table} other ON other.event_id = came.event_id
         WHERE came.user_id = %(member)s AND came.attended
           AND other.attended AND other.user_id <> %(member)s"""  # noqa: S608 - our table name
