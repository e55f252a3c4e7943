"""Notifications by email: the batched message (one per member for a burst of news) and the
one-click way to stop a kind of email (a signed link, and the RFC 8058 headers).

``notification_emails_send`` is run every 5 minutes (cron: ``manage.py
send_notification_emails``, or the task ``sns.notifications.tasks.send_notification_emails``).
It takes notifications older than ``NOTIFICATION_EMAIL_DELAY`` seconds that no run has looked at
(``mailed_at`` empty), so that a burst of comments lands in one message, and marks every one
it looked at, mailed or not, so no run looks at it again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from sns import mail
from sns.mail import absolute_url, in_language, member_language
from sns.models import Notification
from sns.notify import Kind
from sns.text import render_markdown

from .items import items_for, private_for_mail
from .selectors import ALWAYS_EMAILED, CHOOSABLE, email_kinds, inbox

# Notifications taken per transaction (a member's are kept together, see _claim).
BATCH = 500

_UNSUBSCRIBE_SALT = "sns.notifications.unsubscribe"


# --- links -----------------------------------------------------------------------------------

def unsubscribe_token(member, kinds) -> str:
    """A signed token that turns email off for ``kinds`` of ``member``: no login needed,
    so it works from the message itself; only this site can make one."""
    return signing.dumps({"u": member.pk, "k": sorted(set(kinds))}, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[int, list[str]] | None:
    """The member id and kinds of a token; None for one that is forged or altered."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user_id, kinds = int(data["u"]), [str(k) for k in data["k"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not kinds or any(kind not in CHOOSABLE for kind in kinds):
        return None
    return user_id, kinds


def unsubscribe_url(member, kinds) -> str:
    token = unsubscribe_token(member, kinds)
    return absolute_url(reverse("notifications:unsubscribe", args=[token]))


def one_click_headers(url: str) -> dict[str, str]:
    """RFC 8058: mail programs offer "unsubscribe" and POST to the link without opening it."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- the batched email -----------------------------------------------------------------------

def notification_emails_send(now: datetime | None = None) -> int:
    """Mail each member the news that waited long enough, one message per member; return how
    many messages went out.

    Safe to run on several machines at once: each batch is taken with ``FOR UPDATE SKIP
    LOCKED`` and marked in the transaction that mails it, so another run skips it. A
    failure to send rolls the batch back for the next run.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_EMAIL_DELAY)
    sent = 0
    while True:
        with transaction.atomic():
            ids = _claim(cutoff)
            if not ids:
                return sent
            messages = _messages(ids)
            if messages:
                mail.send(*messages)
            Notification.objects.filter(pk__in=ids).update(mailed_at=now)
        sent += len(messages)


def _claim(cutoff: datetime) -> list[int]:
    """Lock and return up to ``BATCH`` waiting notifications, and all the rest of the last
    member's, so that a member's burst goes out in one message."""
    waiting = Notification.objects.filter(mailed_at__isnull=True, created_at__lte=cutoff)
    rows = list(
        waiting.select_for_update(skip_locked=True).order_by("recipient_id", "pk")
        .values_list("pk", "recipient_id")[:BATCH]
    )
    if len(rows) == BATCH:
        last_pk, last_recipient = rows[-1]
        rows += list(
            waiting.filter(recipient_id=last_recipient, pk__gt=last_pk)
            .select_for_update(skip_locked=True).order_by("pk").values_list("pk", "recipient_id")
        )
    return [pk for pk, _recipient in rows]


def _messages(ids: list[int]) -> list[EmailMultiAlternatives]:
    """One message per active member among ``ids``' recipients with news they want by email:
    unread, of a kind they chose (or by default) and not one the off-kai app mails itself."""

    kinds_by_member: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, recipient_id, kind in (
        Notification.objects.filter(pk__in=ids, read_at__isnull=True)
        .exclude(kind__in=ALWAYS_EMAILED).values_list("pk", "recipient_id", "kind")
    ):
        kinds_by_member[recipient_id].append((pk, kind))
    wanted = email_kinds(kinds_by_member)
    members = User.objects.filter(pk__in=kinds_by_member, is_active=True).select_related("profile")
    messages = []
    for member in members.order_by("pk"):
        chosen = [pk for pk, kind in kinds_by_member[member.pk] if kind in wanted[member.pk]]
        if chosen:
            message = digest_message(member, chosen)
            if message is not None:
                messages.append(message)
    return messages


def digest_message(member, ids: list[int]) -> EmailMultiAlternatives | None:
    """The message telling ``member`` of their notifications ``ids`` (those they may still
    see), in their language; None when none is left to tell."""

    notifications = (
        inbox(member).filter(pk__in=ids).exclude(kind__in=ALWAYS_EMAILED)
        .select_related("actor__profile")
    )
    with in_language(member_language(member)):
        items = private_for_mail(member, items_for(member, notifications))
        if not items:
            return None
        kinds = list(dict.fromkeys(item.notification.kind for item in items))
        stop_all = unsubscribe_url(member, kinds)
        context = {
            "name": member.display_name,
            "items": [
                (item, absolute_url(reverse("notifications:open", args=[item.pk])))
                for item in items
            ],
            "list_url": absolute_url(reverse("notifications:list")),
            "settings_url": absolute_url(reverse("notifications:settings")),
            "stop": [
                (Notification.Kind(kind).label, unsubscribe_url(member, [kind])) for kind in kinds
            ],
        }
        if len(items) == 1:
            subject = items[0].text
        else:
            subject = ngettext(
                "%(count)d new notification", "%(count)d new notifications", len(items)
            ) % {"count": len(items)}
        return mail.build(
            to=member.email, template="sns/email/notifications",
            language=member_language(member), context=context,
            subject=f"[{settings.SITE_NAME}] {subject}", headers=one_click_headers(stop_all),
        )


def announcement_message(announcement, member) -> EmailMultiAlternatives:
    """The announcement mailed to ``member``: the operator's text as written, the words
    around it in the member's language."""

    stop = unsubscribe_url(member, [Kind.ANNOUNCEMENT])
    return mail.build(
        to=member.email, template="sns/email/announcement", language=member_language(member),
        headers=one_click_headers(stop), context={
            "announcement": announcement,
            "body_html": render_markdown(announcement.body),
            "name": member.display_name,
            "url": absolute_url(reverse("notifications:announcement", args=[announcement.pk])),
            "settings_url": absolute_url(reverse("notifications:settings")),
            "stop_url": stop,
        },
    )
