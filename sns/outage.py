"""The database away (stopped, restarting, unreachable): telling it from other failures, and
logging each request it fails in one line.

During an outage every request fails the same way, so a traceback each says nothing new and
fills the disk (25 MB in two minutes under load). A failure the database answered with (a
query cancelled, a deadlock) or any other error keeps its traceback.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError

# SQLSTATEs of a server that is not there to answer: class 08 (connection exception), and
# 57P01-57P03 (shutting down, crashed, starting up). A connection that cannot be made or was
# lost has no SQLSTATE at all.
_AWAY_STATES = frozenset({"57P01", "57P02", "57P03"})


def database_away(error: BaseException | None) -> bool:
    """Whether ``error`` says that the database cannot be reached, rather than that it
    refused or cancelled a query."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    # Django's error wraps the driver's, which carries the SQLSTATE.
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _AWAY_STATES


class DatabaseAwayFilter(logging.Filter):
    """On ``django.request``: a request that failed because the database is away is logged as
    one line, its status, path and the driver's message, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if database_away(error):
            # psycopg's message spans lines ("Is the server running on that host...").
            reason = " ".join(str(error).split())
            record.msg = f"{record.getMessage()} (the database is unavailable: {reason})"
            record.args = ()
            record.exc_info = record.exc_text = None
            record.database_away = True
        return True


class OutageMailEvery(logging.Filter):
    """On the handler that mails ``ADMIN_EMAILS``: of the requests failed by the database
    being away, one mail per ``seconds`` from each process, not one per request (hundreds a
    minute under load). Every other error is mailed as it comes."""

    def __init__(self, seconds: float = 600) -> None:
        super().__init__()
        self.seconds = seconds
        self.last_sent: float | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "database_away", False):
            return True
        now = time.monotonic()
        if self.last_sent is not None and now - self.last_sent < self.seconds:
            return False
        self.last_sent = now
        return True
