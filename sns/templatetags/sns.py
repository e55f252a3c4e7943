from datetime import datetime

from django import template

from sns.text import render_markdown, without_controls, xml_chars

register = template.Library()


@register.filter
def markdown(text: str):
    """Render member-written Markdown, cleaned."""
    return render_markdown(text)


@register.filter
def xml_text(text) -> str:
    """Text for an XML document (an SVG): without control characters and what XML 1.0 does
    not allow, which a row stored before they were dropped on the way in may hold; a single
    one makes the whole document unreadable. Autoescaping still applies."""
    return xml_chars(without_controls(str(text)))


@register.filter(expects_localtime=True)
def iso_time(value: datetime | None) -> str:
    """A moment for the ``datetime`` attribute of ``<time>``, to the second in the site's time
    zone: HTML allows at most three digits of a second's fraction, and ``|date:"c"`` writes
    the six of Python's microseconds (the Nu Html Checker rejects them)."""
    return value.isoformat(timespec="seconds") if value else ""
