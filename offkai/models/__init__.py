"""Off-kai (オフ会): offline meetups with RSVPs, a waitlist, comments, calendars and attendance.

One module per part: the event and its hosts, the answers and guests, the comments, the
calendar feed. Every model is imported from here (``offkai.models``), as Django finds them.
"""

from .calendar import CalendarFeed
from .comments import EventComment
from .events import COMMUNITY, Event, EventHost, EventManager, EventQuerySet, Visibility
from .rsvp import RSVP, TAKING_PART, Answer, Guest, RSVPQuerySet

__all__ = [
    "COMMUNITY",
    "RSVP",
    "TAKING_PART",
    "Answer",
    "CalendarFeed",
    "Event",
    "EventComment",
    "EventHost",
    "EventManager",
    "EventQuerySet",
    "Guest",
    "RSVPQuerySet",
    "Visibility",
]
