import re
from datetime import datetime

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from sns import cache
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


@register.tag("part")
def part(parser, token):
    """``{% part "home" user.pk timeout=60 %}…{% endpart %}``: what is inside rendered once and
    kept (``sns.cache.rendered``) under the name and the values after it, in the active
    language and time zone, until a generation read while rendering it is bumped, or
    ``timeout`` seconds (an hour unless given). Whatever inside is read lazily (a
    ``SimpleLazyObject`` of the view) costs nothing on a hit. ``keep=value``: rendered
    afresh, neither read nor kept, when the value is false (a page showing a refused form).

    ``detached``: a part inside another that changes more often than the rest of it (home's
    new comments): the outer part keeps a marker in its place and none of its generations,
    and fills the marker on each request with this part, looked up (and built when stale) on
    its own. Its values must be those of the outer part's level (not of a loop inside it),
    and its name unique within it."""
    bits = token.split_contents()[1:]
    options = {}
    detached = False
    while bits and (bits[-1] == "detached" or bits[-1].partition("=")[0] in ("timeout", "keep")):
        if bits[-1] == "detached":
            bits.pop()
            detached = True
            continue
        option, _, value = bits.pop().partition("=")
        options[option] = parser.compile_filter(value)
    if not bits:
        raise template.TemplateSyntaxError("{% part %} needs a name")
    nodelist = parser.parse(("endpart",))
    parser.delete_first_token()
    return PartNode(nodelist, parser.compile_filter(bits[0]),
                    [parser.compile_filter(bit) for bit in bits[1:]], detached=detached,
                    **options)


_DETACHED = re.compile(r"<!--part:([a-z0-9-]+)-->")


class PartNode(template.Node):
    def __init__(self, nodelist, name, vary, timeout=None, keep=None, detached=False):
        self.nodelist, self.name, self.vary = nodelist, name, vary
        self.timeout, self.keep, self.detached = timeout, keep, detached

    def render(self, context) -> str:
        if self.detached and cache.recording():
            # Inside a part being built: a marker, filled by the outermost part.
            return f"<!--part:{self.name.resolve(context)}-->"
        html = self._html(context)
        if not cache.recording():
            # The outermost part fills the holes, its own and those of the parts inside it.
            html = cache.fill(html)
        return html

    def _html(self, context) -> str:
        """The part's HTML with its detached parts in place, its holes not yet filled."""
        if self.keep is not None and not self.keep.resolve(context):
            html = self.nodelist.render(context)
        else:
            key = (
                *(value.resolve(context) for value in self.vary),
                translation.get_language(), timezone.get_current_timezone_name(),
            )
            timeout = cache.DEFAULT_TIMEOUT if self.timeout is None else int(
                self.timeout.resolve(context)
            )
            if self.detached:
                with cache.apart():
                    html = cache.rendered(self.name.resolve(context),
                                          lambda: self._build(context), key=key,
                                          timeout=timeout)
            else:
                html = cache.rendered(self.name.resolve(context),
                                      lambda: self._build(context), key=key, timeout=timeout)
        if CSRF_HOLE in html:
            # Each response its own masked token (as Django makes one per response).
            html = html.replace(CSRF_HOLE, str(context.get("csrf_token", "")))
        if "<!--part:" in html:
            inner = {str(node.name.resolve(context)): node
                     for node in self.nodelist.get_nodes_by_type(PartNode) if node.detached}
            # A marker kept by an older template without that part shows nothing.
            html = _DETACHED.sub(
                lambda m: inner[m[1]]._html(context) if m[1] in inner else "", html
            )
        return html

    def _build(self, context) -> str:
        # A form's {% csrf_token %} inside is kept as a hole, filled on each response.
        with context.push(csrf_token=CSRF_HOLE):
            return self.nodelist.render(context)


# What {% csrf_token %} writes inside a part: letters only, so that escaping leaves it as is.
CSRF_HOLE = "csrfTokenOfTheResponse"


@register.simple_tag
def hole(name: str, pk: int, **given):
    """``{% hole "comments" entry.pk n=entry.comment_count %}``: what changes often of a row
    that kept parts show (sns.cache.holes): inside a ``{% part %}`` being built, a marker the
    part fills with the value kept for that row; elsewhere, the value given."""
    return mark_safe(cache.hole(name, pk, given))  # noqa: S308 - a template's output, or a marker
