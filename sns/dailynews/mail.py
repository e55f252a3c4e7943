"""One member's daily news as a mail (sns.mail: text and HTML, in their language), and the
link that stops it without logging in: signed for this one purpose (its own salt), with the
RFC 8058 one-click headers."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import ngettext

from sns import mail
from sns.mail import absolute_url, in_language, member_language
from sns.notifications.mail import one_click_headers

from .selectors import News

# A token made for another purpose (a notification kind's unsubscribe, a calendar feed) is
# refused here, and one of these there.
_UNSUBSCRIBE_SALT = "sns.dailynews.unsubscribe"


def unsubscribe_token(member) -> str:
    """A token that turns ``member``'s daily news off; no expiry (an old mail's link still
    works), and only this site can make one."""
    return signing.dumps(member.pk, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> int | None:
    """The member id of a token; None for one that is forged, altered or for another
    purpose."""
    try:
        return int(signing.loads(token, salt=_UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def unsubscribe_url(member) -> str:
    return absolute_url(reverse("dailynews:unsubscribe", args=[unsubscribe_token(member)]))


def news_message(news: News) -> EmailMultiAlternatives:
    """The mail of ``news`` to its member, in their language."""
    member = news.member
    language = member_language(member)
    stop = unsubscribe_url(member)
    with in_language(language):
        subject = ngettext(
            "Your daily news: %(count)d new thing", "Your daily news: %(count)d new things",
            news.count,
        ) % {"count": news.count}
    context = {
        "name": member.display_name,
        "news": news,
        "entries": [(e, absolute_url(e.get_absolute_url())) for e in news.entries],
        "albums": [(a, absolute_url(a.get_absolute_url())) for a in news.albums],
        "topics": [(t, absolute_url(t.get_absolute_url())) for t in news.topics],
        "events": [(e, absolute_url(e.get_absolute_url())) for e in news.events],
        "birthdays": [(m, day, absolute_url(m.get_absolute_url())) for m, day in news.birthdays],
        "comments_url": absolute_url(reverse("diary:new_comments")),
        "diary_url": absolute_url(reverse("diary:member", args=[member.pk])),
        "footprints_url": absolute_url(reverse("accounts:footprints")),
        "friends_diaries_url": absolute_url(reverse("diary:friends")),
        "settings_url": absolute_url(reverse("accounts:settings")),
        "stop_url": stop,
    }
    return mail.build(
        to=member.email, template="sns/email/daily_news", language=language, context=context,
        subject=f"[{settings.SITE_NAME}] {subject}", headers=one_click_headers(stop),
    )
