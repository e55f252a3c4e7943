"""Moderation: reports (通報), decisions on them, hidden content, suspension, the right to
invite, and the audit log. Writes only, each a service in one transaction; the admin
(``admin``, accounts/admin.py) and the report page (``views``) call them.

- ``targets``: what can be reported, one row per kind.
- ``reports``: ``report_create``, ``report_decide``.
- ``content``: ``content_hide``, ``content_unhide``.
- ``members``: ``member_warn``, ``member_suspend``, ``member_unsuspend``,
  ``invite_right_restore``, ``member_invitations_revoke`` and the invite subtree.
- ``log``: the one writer of ModerationLog.
"""

from .content import content_hide, content_unhide
from .log import ModerationError
from .members import (
    invite_right_restore,
    member_invitations_revoke,
    member_suspend,
    member_unsuspend,
    member_warn,
    subtree,
    subtree_invitations_revoke,
    subtree_suspend,
)
from .reports import RateLimited, decision_problem, report_create, report_decide

__all__ = [
    "ModerationError",
    "RateLimited",
    "content_hide",
    "content_unhide",
    "decision_problem",
    "invite_right_restore",
    "member_invitations_revoke",
    "member_suspend",
    "member_unsuspend",
    "member_warn",
    "report_create",
    "report_decide",
    "subtree",
    "subtree_invitations_revoke",
    "subtree_suspend",
]
