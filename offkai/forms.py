"""The off-kai form (create and edit), the cancel form, the comment form and the hosts' guest
form. The forms only parse; the rules (times, capacity, community, co-hosts) are the
services', whose ValidationError the views put back on the form with ``add_service_errors``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community
from sns.visibility import Level, without_blocked

from .models import Event, Visibility
from .services import MAX_CO_HOSTS, MAX_GUEST_LIMIT

# Co-hosts offered in the form: the first friends by name (a member with thousands of
# friends gets a bounded list; the current co-hosts are always offered).
CO_HOST_CHOICES = 200
# More places than any off-kai has, and within the column's range (past 2**31 - 1 PostgreSQL
# refuses the number: a server error).
MAX_CAPACITY = 100_000
DATETIME_INPUT = "%Y-%m-%dT%H:%M"

EVENT_FIELDS = [
    "title", "description", "starts_at", "ends_at", "venue", "address", "capacity", "fee",
    "rsvp_deadline", "guest_limit", "visibility",
]


def _length(field: str) -> int:
    return Event._meta.get_field(field).max_length


class LocalDateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">``: the browser sends a time without a zone, read in the
    site's time zone (Django's current one), and shown back the same way."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_INPUT)


def _datetime_field(label, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(), help_text=help_text,
        input_formats=[DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )


def visibility_choices() -> list[tuple[str, str]]:
    """The levels an off-kai may take: PUBLIC only where the site has public pages."""
    return [
        (value, label) for value, label in Visibility.choices
        if value != Level.PUBLIC or settings.SITE_PUBLIC_PAGES
    ]


class EventForm(forms.Form):
    """Create (with ``community``) or edit (without: an off-kai stays in its community) an
    off-kai. ``user`` is the member filling it in: the communities and co-hosts offered are
    theirs."""

    title = forms.CharField(label=pgettext_lazy("heading", "Title"), max_length=_length("title"))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=_length("description"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown works: **bold**, *italic*, lists, > quotes and links."),
    )
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))
    venue = forms.CharField(label=_("Venue"), required=False, max_length=_length("venue"),
                            help_text=_("e.g. the name of the restaurant or hall."))
    address = forms.CharField(
        label=_("Address"), required=False, max_length=_length("address"),
        help_text=_("The event page links it to a map."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=1, max_value=MAX_CAPACITY,
        help_text=_("Places, guests included. Empty means no limit."),
    )
    fee = forms.CharField(label=_("Fee"), required=False, max_length=_length("fee"),
                          help_text=_("e.g. 3,000 yen, paid on the day."))
    rsvp_deadline = _datetime_field(
        _("Answers close"), required=False,
        help_text=_("Empty means answers are open until the off-kai starts."),
    )
    guest_limit = forms.IntegerField(
        label=_("Guests per member"), min_value=0, max_value=MAX_GUEST_LIMIT, initial=0,
        help_text=_("How many guests (non-members) each attending member may bring."),
    )
    community = forms.ModelChoiceField(
        label=_("Community"), required=False, queryset=None,
        empty_label=_("None (my own off-kai)"),
        help_text=_("A community's members are invited to its off-kai."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=(),
        help_text=_("“Members of the community” needs a community. A secret community's "
                    "off-kai is always for its members only."),
    )
    co_hosts = forms.TypedMultipleChoiceField(
        label=_("Co-hosts"), required=False, coerce=int, choices=(),
    )

    def __init__(self, *args, user, event: Event | None = None, **kwargs):

        self.user, self.event = user, event
        if event is not None:
            kwargs.setdefault("initial", {}).update(_initial_of(event))
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = visibility_choices()
        if event is None:
            self.fields["community"].queryset = (
                Community.objects.open_ones()
                .filter(memberships__user=user).order_by("name", "pk")
            )
        else:
            del self.fields["community"]
        self.fields["co_hosts"].choices = self._co_host_choices()
        self.fields["co_hosts"].help_text = _(
            "Friends who host with you: they can edit, cancel and see the answers. At most %(n)d."
        ) % {"n": MAX_CO_HOSTS}
        self.fields["co_hosts"].widget.attrs["size"] = 6

    def _co_host_choices(self) -> list[tuple[int, str]]:

        friends = (
            without_blocked(
                User.objects.filter(is_active=True, friendships__friend=self.user), "pk", self.user
            )
            .select_related("profile").order_by("profile__nickname", "pk")[:CO_HOST_CHOICES]
        )
        people = {u.pk: u for u in friends}
        if self.event is not None:
            current = User.objects.filter(
                pk__in=self.event.host_rows.values("user")
            ).exclude(pk=self.event.created_by_id).select_related("profile")
            people.update((u.pk, u) for u in current)
        people.pop(self.user.pk, None)
        if self.event is not None:
            people.pop(self.event.created_by_id, None)
        return sorted(((pk, u.display_name) for pk, u in people.items()), key=lambda c: c[1])

    def clean(self):
        cleaned = super().clean()
        if self.event is not None:
            # The inputs hold minutes: a time shown and sent back unchanged is the stored
            # one (with its seconds), not a change to tell everyone about.
            for name in ("starts_at", "ends_at", "rsvp_deadline"):
                stored, sent = getattr(self.event, name), cleaned.get(name)
                if stored is not None and sent == stored.replace(second=0, microsecond=0):
                    cleaned[name] = stored
        return cleaned

    def event_fields(self) -> dict:
        """The cleaned values, as the services take them (without ``co_hosts``)."""
        fields = {name: self.cleaned_data[name] for name in EVENT_FIELDS}
        for text in ("venue", "address", "fee", "description"):
            fields[text] = fields[text] or ""
        if "community" in self.fields:
            fields["community"] = self.cleaned_data["community"]
        return fields

    def co_host_users(self) -> list:

        ids = self.cleaned_data.get("co_hosts") or []
        return list(User.objects.filter(pk__in=ids).select_related("profile").order_by("pk"))


def _initial_of(event: Event) -> dict:
    initial = {name: getattr(event, name) for name in EVENT_FIELDS}
    initial["co_hosts"] = list(
        event.host_rows.exclude(user_id=event.created_by_id).values_list("user_id", flat=True)
    )
    return initial


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on ``form``: on its field where the form has it, at
    the top of the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=Event._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Everyone who answered is told, with this reason."),
    )


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Guest's name"), max_length=100)
    email = forms.EmailField(
        label=_("Email address"), required=False,
        help_text=_("Optional. With it, you can invite the guest to the site."),
    )
    brought_by = forms.TypedChoiceField(
        label=_("Brought by"), coerce=int, required=False, empty_value=None,
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, auto_id="id_guest_%s", **kwargs)
        self.fields["brought_by"].choices = [("", gettext("(nobody in particular)")), *choices]
