"""What off-kai cards need in templates: an answer's label, and a community's coming events
for the community page (whose view belongs to communities/, so the page asks here)."""

from __future__ import annotations

from django import template

from offkai import selectors
from offkai.models import Answer

register = template.Library()

_ANSWER_LABELS = dict(Answer.choices)


@register.filter
def answer_label(value: str | None) -> str:
    """The translated label of an RSVP answer (empty for none)."""
    return _ANSWER_LABELS.get(value, "") if value else ""


@register.simple_tag(takes_context=True)
def community_upcoming(context, community, limit: int = selectors.ON_COMMUNITY_PAGE):
    """The next ``limit`` events of ``community`` the viewer of the page may see (one query)."""
    viewer = context["request"].user
    return list(selectors.of_community(viewer, community, ended=False)[:limit])


@register.filter
def places_left(event) -> int | None:
    """Places still free at an event from ``selectors.for_cards`` (None: no limit)."""
    if event.capacity is None:
        return None
    return max(event.capacity - event.places_taken, 0)
