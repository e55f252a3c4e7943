"""What in an HTML page could run code or send the reader elsewhere, read with the standard
library's parser: scripts, event handlers, style attributes and elements, frames, plugins,
``<base>`` and ``<meta http-equiv>``, and addresses with a scheme that runs code.

Shared by the Content Security Policy test (our templates have none of it inline) and the
hostile text test (member text adds none of it to a page).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that load or run something, or change how the page's addresses resolve.
EMBEDDING = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "style",
             "portal", "fencedframe"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "ping", "cite", "lowsrc", "dynsrc", "codebase", "srcdoc", "to", "from", "values",
}
# javascript: and its old relatives, and data: (a document a browser would open) but for
# pictures an <img> shows: a picture, even an SVG one, runs no script there.
CODE_SCHEME = re.compile(r"^(javascript|vbscript|livescript|mocha|data):", re.IGNORECASE)
PICTURE = re.compile(r"^data:image/", re.IGNORECASE)
# What browsers drop from an address before reading its scheme.
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\ufeff]")
BAD_STYLE = re.compile(r"expression\s*\(|url\s*\(\s*['\"]?\s*(javascript|vbscript):|behavior\s*:"
                       r"|-moz-binding", re.IGNORECASE)


def _digits_out(value: str | None) -> str:
    """Ids and counts differ from page to page; what is compared leaves them out."""
    return re.sub(r"\d+", "0", value or "")


@dataclass
class Active:
    """What was found; every entry is a short description of the element."""

    scripts: Counter = field(default_factory=Counter)  # src, or the inline code
    inline_scripts: list[str] = field(default_factory=list)  # without src and without nonce
    handlers: set[str] = field(default_factory=set)  # tag[onsomething]
    style_attributes: list[str] = field(default_factory=list)
    bad_styles: list[str] = field(default_factory=list)
    embedding: set[str] = field(default_factory=set)  # <iframe src=…>, <meta http-equiv=…>
    bad_urls: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def signature(self) -> dict[str, set[str]]:
        """What a page built from our templates alone should have (and nothing more)."""
        return {
            "script": set(self.scripts),
            "event handler": self.handlers,
            "embedding element": self.embedding,
            "style attribute": {_digits_out(s) for s in self.style_attributes},
        }


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = Active()
        self._script: tuple[str, bool] | None = None  # (tag description, has a nonce)
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            self._attribute(tag, name, value or "", values)
        if tag == "script":
            src = values.get("src")
            if src is not None:
                self.found.scripts[f"<script src={_digits_out(src)}>"] += 1
            self._script = (src, "nonce" in values)
            self._script_text = []
        elif tag == "meta" and "http-equiv" in values:
            self.found.embedding.add(f"<meta http-equiv={values['http-equiv']}>")
        elif tag in EMBEDDING:
            shown = {k: _digits_out(v) for k, v in sorted(values.items())
                     if k in URL_ATTRIBUTES | {"rel", "type"}}
            self.found.embedding.add(f"<{tag} {shown}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def _attribute(self, tag: str, name: str, value: str, values: dict) -> None:
        if name.startswith("on"):
            self.found.handlers.add(f"{tag}[{name}]")
        if name == "style":
            self.found.style_attributes.append(f"<{tag} style={value!r}>")
            if BAD_STYLE.search(value):
                self.found.bad_styles.append(f"<{tag} style={value!r}>")
        candidates = []
        if name in URL_ATTRIBUTES:
            candidates = [c.strip().split(" ")[0] for c in value.split(",")] \
                if name == "srcset" else [value]
        elif name == "content" and "http-equiv" in values:
            candidates = re.findall(r"url\s*=\s*['\"]?([^'\";]+)", value, re.IGNORECASE)
        for candidate in (INVISIBLE.sub("", c) for c in candidates):
            picture = tag == "img" and name in {"src", "srcset"} and PICTURE.match(candidate)
            if CODE_SCHEME.match(candidate) and not picture:
                self.found.bad_urls.append(f"<{tag} {name}={value[:200]!r}>")

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            src, has_nonce = self._script
            code = "".join(self._script_text).strip()
            if src is None:
                self.found.scripts[f"<script>{_digits_out(code)}</script>"] += 1
                if not has_nonce:
                    self.found.inline_scripts.append(code[:200])
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)
        else:
            self.found.text.append(data)


def read(html: str) -> Active:
    """The active parts of ``html`` (a whole page or a fragment)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
