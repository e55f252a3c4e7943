"""Hostile member text never becomes active in a diary page (DESIGN.md §3 "Text from members";
issue 4: "no script, event handler or javascript: link survives").

Each hostile input is used at once as an entry's title, its body and a comment's body; the
pages that show them (the entry page, the author's diary page and monthly archive, the friends'
diaries feed, the new comments page, the edit form the author gets and the preview of a new
entry) are parsed, and compared with the same pages showing harmless text: whatever is
dangerous in the hostile page (scripts, frames, event handlers, styles, forms, ...) must
already be in the harmless one — that is, belong to the site, not to the member. A link to a
javascript:, vbscript: or data: address is never allowed, whoever wrote it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from sns.visibility import Level
from tests import factories, pages
from tests.html import assert_well_formed

HOSTILE = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<script>alert(1)",
    "<svg><script>alert(1)</script></svg>",
    "<template><script>alert(1)</script></template>",
    '日記<script>alert("日記")</script>です',
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<img src=x onerror=alert(1)",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    '<div onclick="alert(1)">click me</div>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<b onmouseover=alert(1)>bold</b> **bold**",
    "<x onclick=alert(1)>custom element",
    '<a href="https://evil.example/" onclick="alert(1)">a fine link</a>',
    # frames and plugins
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    # dangerous addresses in raw HTML
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105"
    "&#0000112&#0000116&#0000058alert(1)\">x</a>",
    '<a href="java&#x09;script:alert(1)">tab</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "<IMG SRC=`javascript:alert(1)`>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">X</text></a></svg>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # dangerous addresses in Markdown
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '[x](https://evil.example/"onmouseover="alert(1))',
    '[ok](https://evil.example/ "title\\" onclick=\\"alert(1)")',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<https://evil.example/x" onclick="alert(1)>',
    "> <a href=\"javascript:alert(1)\">quoted</a>\n> more",
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    # styles
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="//evil.example/">',
    # comments, unclosed tags, quote breaking
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<!--",
    "<div><p><em>never closed",
    "</div></div></main></body></html>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # template injection: shown as typed, never evaluated
    "{{ request.user.password }}",
    "{% debug %}",
    '{{ 7|add:42 }} {% now "Y" %}',
    "{% include 'base.html' %}{{ settings.SECRET_KEY }}",
    "${alert(1)} #{alert(1)} <%= 7*7 %>",
]
TEMPLATE_INJECTIONS = [p for p in HOSTILE if "{{" in p or "{%" in p]

assert len(HOSTILE) >= 50
assert len(set(HOSTILE)) == len(HOSTILE)

HARMLESS = "Lunch in Kamakura\n\nWe had *shirasu-don* by the sea. [Photos](https://example.com/)."

# Elements that never come from a member (frames, plugins, scripts, styles, forms, base…).
DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "style",
    "form", "input", "button", "textarea", "select", "svg", "math", "meta", "img", "video",
    "audio", "source", "template", "noscript", "details", "table",
}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "ping", "cite", "lowsrc", "dynsrc", "codebase", "srcdoc", "content",
}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript):", re.IGNORECASE)
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\ufeff]")


def _normal(value: str | None) -> str:
    """Signatures ignore numbers (entry and member ids differ from page to page)."""
    return re.sub(r"\d+", "0", value or "")


class _Features(HTMLParser):
    """What in a page could run or act: dangerous elements, event handlers, style attributes,
    and addresses with a dangerous scheme. Text is collected too."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.features: set[str] = set()
        self.bad_urls: list[str] = []
        self.text: list[str] = []
        self.external_links: list[dict] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in DANGEROUS_TAGS:
            if tag == "form" or tag in {"input", "button", "textarea", "select"}:
                # The site's own forms differ by their (numbered) addresses and field names.
                keep = ("action", "method", "name", "type", "formaction", "form")
            else:
                keep = tuple(sorted(attributes))
            self.features.add(
                f"<{tag} " + " ".join(f"{k}={_normal(attributes.get(k))}" for k in keep) + ">"
            )
        for name, value in attrs:
            if name.startswith("on"):
                self.features.add(f"{tag}[{name}={_normal(value)}]")
            if name == "style":
                self.features.add(f"{tag}[style={_normal(value)}]")
            if name in URL_ATTRIBUTES and value is not None:
                candidates = [value]
                if name == "content":  # <meta http-equiv=refresh content="0;url=…"> only
                    candidates = re.findall(r"url\s*=\s*(\S+)", value, re.IGNORECASE) \
                        if "http-equiv" in attributes else []
                if name == "srcset":
                    candidates = [c.strip().split(" ")[0] for c in value.split(",")]
                for candidate in candidates:
                    if BAD_SCHEME.match(INVISIBLE.sub("", candidate)):
                        self.bad_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and "evil.example" in (attributes.get("href") or ""):
            self.external_links.append(attributes)
        if tag == "script":
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.features.add(f"<script>{_normal(data.strip())}</script>")
        else:
            self.text.append(data)


def features_of(html: str) -> _Features:
    parser = _Features()
    parser.feed(html)
    parser.close()
    return parser


def _pages(owner, friend, entry) -> dict[str, tuple[object, str]]:
    """Page name → (who looks, address)."""
    return {
        "entry page (friend)": (friend, entry.get_absolute_url()),
        "entry page (author)": (owner, entry.get_absolute_url()),
        "diary page": (friend, reverse("diary:member", args=[owner.pk])),
        "monthly archive": (friend, pages.archive_url(entry)),
        "friends' diaries": (friend, reverse("diary:friends")),
        "new comments": (owner, reverse("diary:new_comments")),
        "edit form": (owner, reverse("diary:edit", args=[entry.pk])),
    }


def _render(as_user, owner, friend, entry) -> dict[str, str]:
    pages = {}
    for name, (viewer, url) in _pages(owner, friend, entry).items():
        response = as_user(viewer).get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        pages[name] = response.content.decode()
    return pages


def _write(owner, friend, text: str, title: str | None = None):
    entry = factories.entry(owner, Level.FRIENDS, title=title if title is not None else text,
                            body=text, ago=timedelta(minutes=5))
    factories.entry_comment(entry, friend, text, ago=timedelta(minutes=1))
    return entry


def _title_of(payload: str) -> str:
    # A title is one line of at most 200 characters (the form strips surrounding spaces).
    return " ".join(payload.split())[:200]


_BASELINE: dict[str, set[str]] = {}


def _preview(as_user, owner, title: str, body: str) -> str:
    response = as_user(owner).post(reverse("diary:new"), {
        "title": title, "body": body, "visibility": Level.FRIENDS, "preview": "1",
    })
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def baseline(as_user, owner, friend):
    """The pages showing harmless text: what is dangerous there is the site's own. Numbers are
    normalised away, so one rendering serves every test of the module."""
    if not _BASELINE:
        harmless = _write(owner, friend, HARMLESS, title="Lunch in Kamakura")
        pages = _render(as_user, owner, friend, harmless)
        pages["preview"] = _preview(as_user, owner, "Lunch in Kamakura", HARMLESS)
        harmless.delete()
        # The Markdown is rendered where a body is shown in full (so the hostile bodies are too).
        for name in ("entry page (friend)", "preview"):
            assert "<em>shirasu-don</em>" in pages[name], name
        _BASELINE.update({name: features_of(html).features for name, html in pages.items()})
    return _BASELINE


@pytest.mark.parametrize("payload", HOSTILE, ids=[f"{i:02d}" for i in range(len(HOSTILE))])
def test_hostile_text_is_never_active(as_user, owner, friend, baseline, payload):
    entry = _write(owner, friend, payload, title=_title_of(payload))
    pages = _render(as_user, owner, friend, entry)
    pages["preview"] = _preview(as_user, owner, _title_of(payload), payload)
    problems = []
    for name, html in pages.items():
        try:
            assert_well_formed(html)
        except AssertionError as error:
            problems.append(f"{name}: {error}")
        found = features_of(html)
        problems += [f"{name}: dangerous address {url}" for url in found.bad_urls]
        problems += [f"{name}: not the site's own: {feature}"
                     for feature in sorted(found.features - baseline[name])]
        for link in found.external_links:
            rel = set((link.get("rel") or "").split())
            if not {"nofollow", "ugc"} <= rel:
                problems.append(f"{name}: member link without rel=nofollow ugc: {link}")
    assert not problems, f"payload {payload!r}:\n" + "\n".join(problems)


@pytest.mark.parametrize("payload", HOSTILE[:20] + TEMPLATE_INJECTIONS)
def test_a_hostile_title_is_shown_as_typed(as_user, owner, friend, payload):
    """Titles are plain text: escaped, neither stripped nor evaluated."""
    title = _title_of(payload)
    entry = _write(owner, friend, "Plain body.", title=title)
    html = as_user(friend).get(entry.get_absolute_url()).content.decode()
    assert title in "".join(features_of(html).text)


@pytest.mark.parametrize("payload", TEMPLATE_INJECTIONS)
def test_template_syntax_in_bodies_and_comments_stays_text(as_user, owner, friend, payload):
    entry = _write(owner, friend, payload, title="Curly braces")
    html = as_user(friend).get(entry.get_absolute_url()).content.decode()
    text = "".join(features_of(html).text)
    # Once in the body, once in the comment (Markdown keeps these characters as they are).
    assert text.count(payload) >= 2, text
    assert "test-only-secret" not in html


HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "[x](javascript:alert(1))",
    "{{ request.user.password }}",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_member_names_are_never_active(as_user, owner, friend, baseline, name):
    """Authors' and commenters' names are member text too: shown in every list and comment."""
    author = factories.member(name)
    factories.befriend(author, friend)
    entry = factories.entry(author, Level.FRIENDS, title="An ordinary title")
    factories.entry_comment(entry, friend, "An ordinary comment.", ago=timedelta(minutes=2))
    factories.entry_comment(entry, author, "A reply.", ago=timedelta(minutes=1))
    client = as_user(friend)
    problems = []
    for label, url in (("entry page (friend)", entry.get_absolute_url()),
                       ("diary page", reverse("diary:member", args=[author.pk])),
                       ("friends' diaries", reverse("diary:friends")),
                       ("new comments", reverse("diary:new_comments"))):
        response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        html = response.content.decode()
        assert_well_formed(html)
        found = features_of(html)
        problems += [f"{label}: dangerous address {u}" for u in found.bad_urls]
        problems += [f"{label}: not the site's own: {f}"
                     for f in sorted(found.features - baseline.get(label, set()))]
        assert name in "".join(found.text), label
    assert not problems, "\n".join(problems)
