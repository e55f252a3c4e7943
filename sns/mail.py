"""The one way a mail of the site is made and sent: subject, text and HTML from the templates
``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``, in the recipient's
language and the site's time zone, with the site's name and address in every context.

A task that sends is put under ``sns.mail_retry.retried_when_mail_fails``: ``send`` raises
when the server fails, so that the task is tried again rather than the mail lost. allauth's
own mails keep allauth's templates and subject prefix (``accounts.adapter``) and only go out
through ``send``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation


def absolute_url(path: str) -> str:
    """``path`` on this site, as a link in a mail needs it."""
    return settings.SITE_URL.rstrip("/") + path


def member_language(member) -> str:
    """The language a member reads the site in: their choice, else the site's."""
    return member.language or settings.LANGUAGE_CODE


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Words in ``language`` and times in the site's time zone, as a mail is rendered: for
    what a caller puts in the context or the subject that has words of its own."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        yield


def one_line(subject: str) -> str:
    """A subject on one line: a line break in a header would make the mail unsendable."""
    return " ".join(subject.split())


def site_context() -> dict[str, str]:
    """What every mail may name: the site and the link to its home."""
    return {"site_name": settings.SITE_NAME, "site_url": absolute_url(reverse("home"))}


def _plain(template_name: str, context: Mapping[str, Any]) -> str:
    """A template rendered without HTML escaping: a subject is never HTML (a title "Tom &
    Jerry" must not arrive as "Tom &amp; Jerry")."""
    return get_template(template_name).template.render(Context(dict(context), autoescape=False))


def build(
    *, to: str, template: str, context: Mapping[str, Any], language: str,
    subject: str | None = None, headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The mail to ``to`` rendered from ``template`` in ``language``, as text with an HTML
    alternative. ``subject``, when given, stands for ``<template>_subject.txt`` (a subject
    made in code, such as a count of news); either way it is put on one line."""
    with in_language(language):
        context = {**site_context(), **context}
        if subject is None:
            subject = _plain(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        one_line(subject), text, to=[to], headers=dict(headers) if headers else None
    )
    message.attach_alternative(html, "text/html")
    return message


def send(*messages: EmailMessage, connection=None) -> int:
    """Send ``messages`` over one connection (``connection``: one the caller keeps open for
    many sends, e.g. a batch of daily news); return how many went. A failure of the server
    raises, for the caller's transaction and retry to handle."""
    messages = [message for message in messages if message.recipients()]
    if not messages:
        return 0
    return (connection or get_connection()).send_messages(messages) or 0
