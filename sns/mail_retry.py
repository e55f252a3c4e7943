"""Mail that a background task could not hand over is tried again later, not lost.

django-tasks marks a task that raised as failed and never runs it again: a mail server down
for ten minutes would lose every invitation, announcement and notice of those ten minutes.
A task that mails is decorated with ``retried_when_mail_fails``; when sending fails for a
reason that may pass (the server cannot be reached or hangs up, or answers "try again
later", a 4xx code), the same task is enqueued again with the same arguments to run after a
growing delay, ``RETRY_DELAYS`` (about a day in all). The failed attempt stays in the task
list with its traceback; after the last delay the failure stands, logged as an error. A
refusal that would only be repeated (5xx: no such mailbox) is not retried.

Only for tasks that may run twice: they only mail, and check first that the mail still
holds (an invitation still pending, an event not moved), or they record what they did in
the transaction that mails it, so that a failure takes the record back too (announcements,
off-kai notices). Mail goes out at least once: a server that hangs up in the middle of a
batch gets the batch's first messages again. The batched notification email needs none of
this: its notifications stay unmarked until their message went out, and cron runs it every
5 minutes (``sns.notifications.mail``).
"""

from __future__ import annotations

import functools
import logging
import smtplib
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.utils import timezone

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Seconds before each retry: 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h.
RETRY_DELAYS = (60, 5 * 60, 15 * 60, 60 * 60, 3 * 60 * 60, 6 * 60 * 60, 12 * 60 * 60)


def transient(error: BaseException) -> bool:
    """Whether sending may succeed later: the server could not be reached, hung up or timed
    out, or answered 4xx. An answer of 5xx (refused recipients, authentication) is final."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return False
    # smtplib's other errors are OSErrors too: refused, reset, timed out, disconnected.
    return isinstance(error, OSError)


def retried_when_mail_fails(function: Callable[..., T]) -> Callable[..., T]:
    """Put under ``@task()``: a transient mail failure enqueues the task again (see above).

    The attempt travels as the keyword argument ``mail_attempt``, which the task function
    never sees. Backends that cannot run a task later (the immediate one of development and
    the tests) get the failure as it is.
    """

    @functools.wraps(function)
    def run(*args, mail_attempt: int = 0, **kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except OSError as error:
            if transient(error):
                _enqueue_again(function, args, kwargs, attempt=mail_attempt, error=error)
            raise

    return run


def _enqueue_again(function: Callable, args: tuple, kwargs: dict, *, attempt: int,
                   error: BaseException) -> None:
    # The module's attribute is the Task that @task() made of ``run``.
    task = getattr(sys.modules[function.__module__], function.__name__)
    name = f"{function.__module__}.{function.__name__}"
    if not task.get_backend().supports_defer:
        return
    if attempt >= len(RETRY_DELAYS):
        logger.error("%s could not mail (%s); gave up after %d attempts.", name, error,
                     attempt + 1)
        return
    delay = RETRY_DELAYS[attempt]
    task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
        *args, mail_attempt=attempt + 1, **kwargs
    )
    logger.warning("%s could not mail (%s); tried again in %d s (attempt %d of %d).", name,
                   error, delay, attempt + 2, len(RETRY_DELAYS) + 1)
