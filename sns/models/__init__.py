"""The kernel's tables (app label ``sns``): the site's policy, notifications and
announcements, reports and the moderators' log, and what members' acts leave behind (limited
actions, likes, daily news deliveries). Everyone imports them from ``sns.models``."""

from .activity import DailyNewsDelivery, Like, LimitedAction
from .moderation import ModerationLog, Report
from .notifications import Announcement, Notification, NotificationPreference
from .policy import MESSAGE_REACH_CHOICES, SitePolicy

__all__ = [
    "MESSAGE_REACH_CHOICES",
    "Announcement",
    "DailyNewsDelivery",
    "Like",
    "LimitedAction",
    "ModerationLog",
    "Notification",
    "NotificationPreference",
    "Report",
    "SitePolicy",
]
