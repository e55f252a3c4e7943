"""A strict reader of iCalendar (RFC 5545 §3.1, §3.3.11), a second opinion beside
``icalendar``, which reads leniently: it only checks, and says what is wrong.

Checked: CRLF line ends and no other CR or LF; physical lines of at most 75 octets, each whole
UTF-8; continuation lines starting with a space or a tab; every unfolded content line of the
form ``name *(";" param) ":" value`` with no control character but tab anywhere; TEXT values
with only the escapes ``\\\\ \\; \\, \\n \\N`` and no bare ``;`` or ``,``; BEGIN and END
nested and matched, the whole a VCALENDAR.
"""

from __future__ import annotations

import re

# RFC 5545 §3.1: NAME = iana-token / x-name; param-value = paramtext / quoted-string.
_NAME = r"[A-Za-z0-9-]+"
_SAFE = r"[^\x00-\x08\x0a-\x1f\x7f\";:,]"
_QSAFE = r"[^\x00-\x08\x0a-\x1f\x7f\"]"
_PARAM_VALUE = rf"(?:\"{_QSAFE}*\"|{_SAFE}*)"
_PARAM = rf"{_NAME}={_PARAM_VALUE}(?:,{_PARAM_VALUE})*"
_CONTENT_LINE = re.compile(rf"(?P<name>{_NAME})(?:;{_PARAM})*:(?P<value>.*)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# §3.3.11: TEXT = *(TSAFE-CHAR / ":" / DQUOTE / ESCAPED-CHAR).
_TEXT = re.compile(r"(?:[^\\;,]|\\[\\;,nN])*", re.DOTALL)
TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "NAME", "X-WR-CALNAME"}


class Invalid(AssertionError):
    pass


def content_lines(data: bytes) -> list[tuple[str, str]]:
    """The (name, value) of each content line of ``data``, or Invalid saying what is wrong."""
    if not data.endswith(b"\r\n"):
        raise Invalid("the last line does not end in CRLF")
    physical = data[:-2].split(b"\r\n")
    logical: list[bytes] = []
    for number, line in enumerate(physical, 1):
        if b"\r" in line or b"\n" in line:
            raise Invalid(f"line {number}: a bare CR or LF")
        if len(line) > 75:
            raise Invalid(f"line {number}: {len(line)} octets, more than 75")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"line {number}: not whole UTF-8 (folded inside a character?)") from None
        if line[:1] in (b" ", b"\t"):
            if not logical:
                raise Invalid("the first line is a continuation")
            logical[-1] += line[1:]
        else:
            logical.append(line)
    lines = []
    for line in logical:
        text = line.decode("utf-8")
        if _CONTROL.search(text):
            raise Invalid(f"a control character in {text!r}")
        match = _CONTENT_LINE.fullmatch(text)
        if match is None:
            raise Invalid(f"not a content line: {text!r}")
        name, value = match["name"].upper(), match["value"]
        if name in TEXT_PROPERTIES and not _TEXT.fullmatch(value):
            raise Invalid(f"{name}: a bad escape or a bare ; or , in {value!r}")
        lines.append((name, value))
    return lines


def validate(data: bytes) -> list[tuple[str, str]]:
    """``content_lines`` of a whole, well-nested VCALENDAR."""
    lines = content_lines(data)
    stack: list[str] = []
    for name, value in lines:
        if name == "BEGIN":
            stack.append(value.upper())
        elif name == "END":
            if not stack or stack.pop() != value.upper():
                raise Invalid(f"END:{value} does not close what was begun")
        elif not stack:
            raise Invalid(f"{name} outside any component")
    if stack:
        raise Invalid(f"{stack} never ended")
    if not lines or lines[0] != ("BEGIN", "VCALENDAR") or lines[-1] != ("END", "VCALENDAR"):
        raise Invalid("not one VCALENDAR")
    return lines


def unescape(value: str) -> str:
    """A TEXT value as written by a member."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)
