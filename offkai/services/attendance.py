"""After the event: the hosts confirm who came, record the guests (non-members) who came and
invite them to the site in one step. (What these pages and "met at" read is in
``offkai.selectors.attendance``.)

Who came is kept on the answers (``RSVP.attended``); a host who came without having
answered gets an "attending" answer when confirmed, so "met at" reads one table.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from invites import services as invites_services
from invites.models import Invitation, State
from sns import cache
from sns.errors import Refused

from ..models import RSVP, TAKING_PART, Answer, Event, Guest
from ..selectors.attendance import GUESTS_MAX, host_ids, hosted_started


class AttendanceError(Refused):
    """Something the rules do not allow; the message is for the host."""


def _locked_hosted(event: Event, by: User) -> Event:
    """The event, locked, if ``by`` may confirm its attendance; else Event.DoesNotExist."""
    # Lock the event only (the query joins the hosts and the creator), so that two hosts
    # confirming at once, or guests recorded at once, queue here.
    return hosted_started(by).select_for_update(of=("self",)).get(pk=event.pk)


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


# --- guests --------------------------------------------------------------------------------

@transaction.atomic
def guest_add(
    *, event: Event, by: User, name: str, email: str = "", brought_by_id: int | None = None
) -> Guest:
    """Record a guest (a non-member) who came, brought by a member who answered or a host.
    Raises Event.DoesNotExist unless ``by`` hosts the event and it has started, and
    Refused for a missing name, an unknown "brought by", a second guest with the
    same address, or more than GUESTS_MAX guests."""

    event = _locked_hosted(event, by)
    name = " ".join(name.split())
    if not name:
        raise Refused(_("Write the guest's name."), code="name")
    email = User.objects.normalize_email(email.strip()) if email else ""
    if brought_by_id is not None and not (
        brought_by_id in host_ids(event)
        or RSVP.objects.filter(event=event, user_id=brought_by_id, answer__in=TAKING_PART)
        .exists()
    ):
        raise Refused(
            _("Choose a member who answered this off-kai, or a host."), code="brought_by"
        )
    guests = Guest.objects.filter(event=event)
    if email and guests.filter(email__iexact=email).exists():
        raise Refused(
            _("A guest with this email address is already recorded."), code="duplicate"
        )
    if guests.count() >= GUESTS_MAX:
        raise Refused(
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
    except Refused as error:
        raise AttendanceError(str(error)) from None
    guest.invitation = invitation
    guest.save(update_fields=["invitation"])
    return invitation
