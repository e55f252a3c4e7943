"""A strict-enough HTML check: every non-void element is closed, in order, and ids are unique;
and the box each avatar of a page declares."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}
# Elements whose end tag HTML lets the parser imply; we still write them, but tolerate them.
OPTIONAL_END = {"p", "li", "option", "tr", "td", "th"}


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.ids: set[str] = set()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                if value in self.ids:
                    self.problems.append(f"duplicate id {value!r} at line {self.getpos()[0]}")
                self.ids.add(value)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"end tag for void <{tag}> at line {self.getpos()[0]}")
            return
        while self.stack and self.stack[-1][0] != tag and self.stack[-1][0] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1][0] != tag:
            opened = self.stack[-1] if self.stack else None
            self.problems.append(
                f"</{tag}> at line {self.getpos()[0]} closes {opened!r}"
            )
            return
        self.stack.pop()


def assert_well_formed(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    unclosed = [f"<{tag}> from line {line}" for tag, line in checker.stack
                if tag not in OPTIONAL_END]
    problems = checker.problems + [f"unclosed {u}" for u in unclosed]
    assert not problems, "HTML is not well-formed:\n" + "\n".join(problems[:20])


class _Avatars(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, set[str], dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if "avatar" in classes:
            self.found.append((tag, classes, attributes))


def _stylesheet_boxes() -> dict[str, tuple[int, int]]:
    """Each avatar size class's box in the site's stylesheet: ``avatar-small`` → (44, 44)."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    return {
        name: (int(width), int(height))
        for name, width, height in re.findall(
            r"\.(avatar-[a-z]+) \{ width: (\d+)px; height: (\d+)px;", css)
    }


def avatar_sizes(html: str) -> list[tuple[str, tuple[int, int] | None]]:
    """(tag, box) of each avatar in ``html``: the box of its size class in the stylesheet, which
    a photo (an <img>) must also declare in its width and height attributes; None where an
    avatar has no size class, or a photo declares another box or none."""
    parser = _Avatars()
    parser.feed(html)
    parser.close()
    boxes = _stylesheet_boxes()
    sizes = []
    for tag, classes, attributes in parser.found:
        box = next((boxes[c] for c in sorted(classes) if c in boxes), None)
        if tag == "img" and (attributes.get("width"), attributes.get("height")) != (
                tuple(str(n) for n in box) if box else None):
            box = None
        sizes.append((tag, box))
    return sizes
