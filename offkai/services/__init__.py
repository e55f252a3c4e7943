"""Off-kai writes, by sub-domain: events (create, edit, cancel), answers and the waitlist,
comments, attendance and guests after the event, the day-before reminder, the member's
calendar feed, what a member's leaving or suspension does to their events and answers;
``audience`` is who may see an event, for the notices. Each public function is keyword-only
and runs in one transaction."""

from .attendance import AttendanceError, attendance_confirm, guest_add, guest_invite, met_message
from .audience import may_see
from .calendar import calendar_feed_get_or_create, calendar_feed_reset
from .comments import event_comment_create, event_comment_delete
from .events import (
    MAX_CO_HOSTS,
    MAX_GUEST_LIMIT,
    NotHost,
    event_cancel,
    event_create,
    event_update,
    is_host,
)
from .leaving import events_creator_leave, rsvps_leave
from .notices import event_community_invite, event_notice_send
from .reminders import REMIND_AHEAD, event_remind, reminder_mail_send, reminders_send
from .rsvp import rsvp_answer, rsvp_promote, rsvp_withdraw
from .suspension import rsvps_reinstate, rsvps_suspend

__all__ = [
    "MAX_CO_HOSTS",
    "MAX_GUEST_LIMIT",
    "REMIND_AHEAD",
    "AttendanceError",
    "NotHost",
    "attendance_confirm",
    "calendar_feed_get_or_create",
    "calendar_feed_reset",
    "event_cancel",
    "event_comment_create",
    "event_comment_delete",
    "event_community_invite",
    "event_create",
    "event_notice_send",
    "event_remind",
    "event_update",
    "events_creator_leave",
    "guest_add",
    "guest_invite",
    "is_host",
    "may_see",
    "met_message",
    "reminder_mail_send",
    "reminders_send",
    "rsvp_answer",
    "rsvp_promote",
    "rsvp_withdraw",
    "rsvps_leave",
    "rsvps_reinstate",
    "rsvps_suspend",
]
