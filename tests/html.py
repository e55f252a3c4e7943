"""A strict-enough HTML check: every non-void element is closed, in order, and ids are unique."""

from html.parser import HTMLParser

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
