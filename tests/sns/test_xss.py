"""Hostile text through every field members write (issue 9, "Hostile text").

Each payload of tests/data/xss_payloads.txt (the OWASP XSS Filter Evasion Cheat Sheet's vectors
and others of their kind) is written, through the apps' services (announcements and the site
policy as the admin saves them), into each field that members (and the operator) write and
the site shows, and into the search box (tests/sns/hostile_fields.py); the pages (and emails)
showing the field are then read with the standard library's HTML parser
(tests/sns/active_html.py) and compared with the same pages showing harmless text. Nothing
may be there that the harmless pages lack: no script (inline or by address), no event
handler, no frame, plugin, ``<base>``, ``<link>``, ``<style>`` or ``<meta http-equiv>``, no
style attribute; and no page may hold an address that runs code (javascript:, vbscript:,
data:) or a style that does (``expression(``, ``url(javascript:``).

To stay quick, a field holds as many payloads as its length allows, each followed by a marker
word. A payload that swallows what follows it (an unclosed ``<script>`` or ``<style>``,
whose content nh3 drops with it) hides the next marker: the payloads after it are written
again, in a new object, until every one was shown on its own terms. A payload longer than a
short field is cut to the field's length, as the form would refuse the rest. Comments hold
one payload each (fifty to a page), so that the Markdown of each is rendered alone as well.
Short fields shown in lists are read in every list for all payloads, and on their own page
for the first few objects.
"""

from __future__ import annotations

import html as html_lib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.sns import active_html
from tests.sns.hostile_fields import BLOCKS, FIELDS, Field, Look, Scene, write_entry_bodies

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt"


def load_payloads() -> list[str]:
    """The payloads, one a line; ``\\n`` in a line is a line break."""
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines
            if line.strip() and not line.startswith("# ") and line != "#"]


PAYLOADS = load_payloads()
HARMLESS = "Lunch in Kamakura: *shirasu-don* by the sea. [Photos](https://example.com/)"


def marker(index: int) -> str:
    """A word after payload ``index``, seen on the page only if the payload let it be."""
    return f"qz{index}zq"


# --- putting payloads together, and reading the pages ----------------------------------------

@dataclass
class Chunk:
    """The payloads (by index) one object holds, and its text; ``marked`` when each payload
    is followed by its marker."""

    indexes: list[int]
    text: str
    marked: bool


def chunks(indexes: list[int], spec: Field) -> list[Chunk]:
    """The payloads ``indexes`` put together as the field allows."""
    if spec.alone:
        return [Chunk([i], PAYLOADS[i][:spec.limit], False) for i in indexes]
    made, current, text = [], [], ""
    for i in indexes:
        piece = PAYLOADS[i] + spec.joint + marker(i)
        if len(piece) > spec.limit:  # on its own, cut to the field's length
            made.append(Chunk([i], PAYLOADS[i][:spec.limit], False))
            continue
        longer = text + spec.joint + piece if text else piece
        if len(longer) > spec.limit:
            made.append(Chunk(current, text, True))
            current, longer = [i], piece
        else:
            current.append(i)
        text = longer
    if current:
        made.append(Chunk(current, text, True))
    return made


NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def render(looks: list[Look]):
    """(look, HTML) of each look, and of the later pages of those that follow them."""
    for look in looks:
        if look.client is None:
            yield look, look.html
            continue
        url, pages = look.url, 0
        while url:
            if look.data is None:
                response = look.client.get(url)
            else:
                response = look.client.post(url, look.data)
            assert response.status_code == 200, (look.label, url, response.status_code)
            page = response.content.decode()
            yield look, page
            pages += 1
            found = NEXT.search(page) if look.follow and pages < 30 else None
            url = urljoin(url, html_lib.unescape(found.group(1))) if found else ""


def not_ours(label: str, found: active_html.Active, baseline: dict) -> list[str]:
    """What ``found`` has that the same page with harmless text lacks, and what no page may
    have at all."""
    problems = [f"{label}: {kind} not from our templates: {item}"
                for kind, items in found.signature().items()
                for item in sorted(items - baseline[kind])]
    problems += [f"{label}: address that runs code {url}" for url in found.bad_urls]
    problems += [f"{label}: style that runs code {style}" for style in found.bad_styles]
    return problems


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    objects: int = 0
    pages: int = 0
    cut: set[int] = field(default_factory=set)  # payloads cut to the field's length


def exercise(scene: Scene, spec: Field) -> Outcome:
    """Every payload through ``spec``, each shown at least once with nothing it swallowed."""
    baseline = {look.label: active_html.read(page).signature()
                for look, page in render(spec.write(scene, [HARMLESS[:spec.limit]]))}
    outcome = Outcome()
    pending = list(range(len(PAYLOADS)))
    while pending:
        batch = chunks(pending, spec)
        outcome.objects += len(batch)
        outcome.cut |= {c.indexes[0] for c in batch if not c.marked and c.text
                        != PAYLOADS[c.indexes[0]]}
        shown = []
        for look, page in render(spec.write(scene, [c.text for c in batch])):
            outcome.pages += 1
            found = active_html.read(page)
            outcome.problems += not_ours(look.label, found, baseline[look.label])
            if not look.raw:
                shown += found.text
        pending = to_retry(batch, "\x00".join(shown))
    return outcome


def to_retry(batch: list[Chunk], text: str) -> list[int]:
    """The payloads shown after one that hid its marker (in ``text``, the pages' text): they
    may have been swallowed, so they go again."""
    again = []
    for chunk in (c for c in batch if c.marked):
        hidden = [n for n, i in enumerate(chunk.indexes) if marker(i) not in text]
        if hidden:
            again += chunk.indexes[hidden[0] + 1:]
    return again


# --- the tests -------------------------------------------------------------------------------

@pytest.fixture
def scene(settings, owner, friend, moderator, django_capture_on_commit_callbacks):
    for limit in ("COMMUNITY_CREATE_PER_DAY", "TOPIC_CREATE_PER_HOUR", "OFFKAI_CREATE_PER_DAY",
                  "REPORTS_PER_DAY"):
        setattr(settings, limit, 100_000)
    return Scene(author=owner, reader=friend, moderator=moderator,
                 committing=django_capture_on_commit_callbacks)


def test_the_corpus():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS), "a payload is there twice"
    columns = sum(spec.columns for spec in FIELDS)
    print(f"\n{len(PAYLOADS)} payloads x {columns} fields = {len(PAYLOADS) * columns} cases")


@pytest.mark.parametrize("spec", FIELDS, ids=[f.name for f in FIELDS])
def test_hostile_text_is_never_active(scene, spec):
    started = time.process_time()
    outcome = exercise(scene, spec)
    print(f"\n{spec.name}: {len(PAYLOADS)} payloads x {spec.columns} field(s), "
          f"{len(outcome.cut)} cut to {spec.limit} characters, {outcome.objects} objects, "
          f"{outcome.pages} pages read, {time.process_time() - started:.1f} s of CPU")
    assert not outcome.problems, "\n".join(outcome.problems[:40])


def test_the_check_finds_what_is_active():
    """A page with a member's script, handler, frame, style or javascript: link fails."""
    ours = active_html.read('<p>Hello</p><a href="/x">x</a>')
    for hostile in ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
                    '<iframe src="/x"></iframe>', '<p style="color: red">x</p>',
                    '<a href=" javascript:alert(1)">x</a>', '<meta http-equiv="refresh">',
                    '<svg><script href="data:,alert(1)"/></svg>', "<base href=/>"]:
        found = active_html.read(f"<p>Hello</p>{hostile}")
        assert not_ours("page", found, ours.signature()), hostile


def test_a_payload_that_swallows_the_rest_is_tried_alone_then_the_rest_again(scene):
    """The batching hides nothing: an unclosed ``<script>`` takes the rest of a Markdown
    text with it (nh3 drops a script and all it holds), and what followed goes again."""
    spec = Field("sample", 20_000, write_entry_bodies, BLOCKS)
    opening = PAYLOADS.index("<SCRIPT SRC=http://xss.rocks/xss.js?< B >")
    first = chunks([opening - 1, opening, opening + 1], spec)
    assert len(first) == 1 and first[0].marked
    shown = [look_text for look, page in render(spec.write(scene, [first[0].text]))
             if not look.raw for look_text in active_html.read(page).text]
    text = "\x00".join(shown)
    assert marker(opening - 1) in text
    assert marker(opening) not in text and marker(opening + 1) not in text
    assert to_retry(first, text) == [opening + 1]
