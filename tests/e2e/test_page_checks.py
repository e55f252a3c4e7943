"""Every page of the site, in Chromium, as the member it is for (issue 9, "Pages a browser
checks"): no console error and no Content Security Policy violation, valid HTML by the Nu
Html Checker (vnu), and no moderate, serious or critical axe-core accessibility violation.

Each page is checked on a desktop (1280 px, in English) and on a phone (360 px, in Japanese,
the site's own language, whose labels wrap between any two characters where English ones
cannot), and at each width for its layout (issue 15): the page does not scroll sideways, no
element is narrower than a word of its text (``LAYOUT_CHECK`` says how that is measured), and
the avatars of one list are all one size and shape.

The pages are the query budget's ``PAGES`` (tests/sns/test_query_budget.py: one list of the
site's pages, which must name every URL the site routes), opened in its order on its world
(tests/sns/query_world.py), each persona in a browser context of its own, plus the error
pages. The admin's pages are Django's own and are left out, as there.

Each page is opened once, under the site's real policy: axe comes in as an init script, which
the browser runs outside the page's policy (an injected <script> would be refused), and a
listener turns each policy violation into a console error. The HTML the browser received is
written to files and checked by one run of vnu (one JVM start for every page): the source,
not the browser's DOM (page.content()), in which the parser has already mended what vnu is
there to find (a <div> in a <p>, an unclosed element).

The checkers come from npm at the versions tests/e2e/package-lock.json pins, installed into
var/node by ``make checkers`` (a step of ``make test``).

While fixing pages, ``-k 360`` runs the phone's width only, and ``PAGE_CHECKS=offkai,home``
opens only the pages whose id holds one of those words (the whole walk takes minutes).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tests.sns import test_query_budget as budget
from tests.sns.query_world import world_build

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHECKERS = Path(django_settings.BASE_DIR) / "var" / "node" / "node_modules"
VNU_JAR = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = CHECKERS / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ["moderate", "serious", "critical"]

# Pages of PAGES that are no HTML document (pictures, calendars, downloads, and the data
# export that is a POST): nothing for vnu or axe. The test checks that they are not HTML.
NOT_HTML = {
    "accounts:circle_svg", "accounts:photo", "leaving:data[zip]", "diary:photo",
    "conversations:photo", "albums:photo_file",
    "communities:image",
    "offkai:answers_csv", "offkai:ics", "offkai:feed",
    "mfa_download_recovery_codes",
}

# Each error page (tests/sns/urls_errors.py fails on purpose), as a visitor and as a member.
ERROR_PAGES = [("/fail/400/", 400), ("/fail/403/", 403), ("/no/such/page/", 404),
               ("/fail/500/", 500)]

# Turns the page's policy violations into console errors, so the console check sees them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
                + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""

# The two widths every page is checked at: a desktop, and a small phone (360 px, the width
# of most Android phones) in Japanese.
VIEWS = {
    "1280": {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"},
    "360": {"viewport": {"width": 360, "height": 740}, "locale": "ja-JP"},
}

# The page's layout at the width it is open at, as a list of what is wrong:
# - it scrolls sideways: the document is wider than the window (naming the elements that
#   reach past its right edge, innermost first);
# - an element is narrower than its text: a word of its text is wider than the box that lays
#   it out (the nearest ancestor that is not inline), so it breaks inside the word or
#   overflows. The words are the browser's own (Intl.Segmenter, in the page's language: 編集
#   and 出欠一覧 are words, as "Edit" is), measured by the rectangles their characters take:
#   summed, they give the word's width unbroken even when it was broken across lines. This
#   finds a button squeezed to one character a line in Japanese, where the words need not be
#   broken at all: a paragraph of Japanese wraps between any two characters, and a line of
#   wide prose that wraps inside a word is no finding, as its box is wider than the word.
#   Text out of sight (hidden, in a closed <details>, clipped to nothing like .visually-hidden)
#   is not measured, nor "words" of more than MAX_WORD characters (a pasted URL, a member's
#   300 x's), which nothing could lay out at 360 px unbroken: the site breaks them on purpose.
# - the avatars of one list (ul, ol, dl, table) differ in size or shape.
LAYOUT_CHECK = """
() => {
  const MAX_WORD = 24;
  const found = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  const path = (el) => {
    const names = [];
    for (let e = el; e && e !== document.body && names.length < 4; e = e.parentElement) {
      names.unshift(name(e));
    }
    return names.join(" > ");
  };
  const root = document.scrollingElement;
  if (root.scrollWidth > innerWidth) {
    const wide = [...document.body.querySelectorAll("*")].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.right > innerWidth + 0.5 && el.checkVisibility({visibilityProperty: true});
    });
    const innermost = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    found.push(`scrolls sideways: ${root.scrollWidth} px wide in a ${innerWidth} px window; `
               + `past the edge: ${innermost.slice(0, 4).map(path).join(" | ")}`);
  }
  const outOfSight = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.clip !== "auto" || style.clipPath !== "none") return true;
    }
    return false;
  };
  const segmenter = new Intl.Segmenter(document.documentElement.lang || undefined,
                                       {granularity: "word"});
  const narrow = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim() || node.parentElement.closest("svg, script, style, template")) continue;
    let box = node.parentElement;
    while (box.parentElement && ["inline", "contents"].includes(getComputedStyle(box).display)) {
      box = box.parentElement;
    }
    if (narrow.has(box) || !box.checkVisibility({visibilityProperty: true})) continue;
    const style = getComputedStyle(box);
    const width = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const {segment, index, isWordLike} of segmenter.segment(node.data)) {
      if (!isWordLike || [...segment].length > MAX_WORD) continue;
      const range = document.createRange();
      range.setStart(node, index);
      range.setEnd(node, index + segment.length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const wordWidth = rects.reduce((sum, r) => sum + r.width, 0);
      if (wordWidth > width + 1 && !outOfSight(box)) {
        narrow.add(box);
        found.push(`narrower than its text: ${path(box)} is ${Math.round(width)} px wide, `
                   + `its word «${segment}» ${Math.round(wordWidth)} px`);
        break;
      }
    }
  }
  const lists = new Map();
  for (const avatar of document.querySelectorAll(".avatar")) {
    const list = avatar.closest("ul, ol, dl, table");
    const box = avatar.getBoundingClientRect();
    if (!list || !avatar.checkVisibility({visibilityProperty: true})) continue;
    const shape = `${Math.round(box.width)}×${Math.round(box.height)} px, `
                  + `corners ${getComputedStyle(avatar).borderTopLeftRadius}`;
    if (!lists.has(list)) lists.set(list, new Set());
    lists.get(list).add(shape);
  }
  for (const [list, shapes] of lists) {
    if (shapes.size > 1) {
      found.push(`avatars of one list differ: ${path(list)}: ${[...shapes].join(" and ")}`);
    }
  }
  return found;
}
"""

AXE_RUN = """
async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
  }));
}
"""


@dataclass
class Tab:
    """One persona's browser tab and what its console said since the last page."""

    page: Page
    console: list[str] = field(default_factory=list)


@dataclass
class Findings:
    console: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)
    html_files: dict[Path, str] = field(default_factory=dict)  # file → page id
    checked: int = 0


def _tab(new_context, base_url: str, session_key: str | None, view: str = "1280") -> Tab:
    context = new_context(**VIEWS[view])
    context.add_init_script(path=str(AXE_JS))
    context.add_init_script(script=CSP_LISTENER)
    if session_key:
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                              "value": session_key, "url": base_url}])
    tab = Tab(context.new_page())
    tab.page.on("console", lambda m: tab.console.append(
        f"{m.text} ({m.location.get('url')})") if m.type == "error" else None)
    tab.page.on("pageerror", lambda error: tab.console.append(f"uncaught: {error}"))
    return tab


def _session_key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _check(tab: Tab, url: str, label: str, status: int, found: Findings, out: Path) -> None:
    """Open ``url`` and record what is wrong with it; ``status`` is the one it must answer
    (after redirects)."""
    tab.console.clear()
    response = tab.page.goto(url, wait_until="load")
    assert response.status == status, f"{label}: {response.status} at {tab.page.url}"
    kind = response.headers.get("content-type", "")
    assert kind.startswith("text/html"), f"{label} is {kind}: add it to NOT_HTML"
    path = out / (re.sub(r"[^A-Za-z0-9_.-]+", "_", label) + ".html")
    path.write_text(response.text())
    found.html_files[path] = label
    found.layout += [f"{label}: {problem}" for problem in tab.page.evaluate(LAYOUT_CHECK)]
    for violation in tab.page.evaluate(AXE_RUN, BLOCKING_IMPACTS):
        nodes = "\n      ".join(violation["nodes"][:5])
        found.axe.append(f"{label}: {violation['id']} ({violation['impact']}) "
                         f"{violation['help']}\n      {nodes}")
    # Read only now: console messages reach us a little after the page has loaded, and the
    # axe run's round trip lets those of the page's loading arrive.
    # The browser reports the error status of an error page itself: that is no defect.
    expected = f"the server responded with a status of {status}"
    found.console += [f"{label}: {text}" for text in tab.console
                      if status < 400 or expected not in text]
    found.checked += 1


def _not_html(tab: Tab, url: str, label: str) -> None:
    response = tab.page.context.request.get(url)
    assert response.ok, f"{label}: {response.status}"
    assert not response.headers.get("content-type", "").startswith("text/html"), (
        f"{label} is an HTML page: take it out of NOT_HTML")


def _vnu(files: dict[Path, str]) -> list[str]:
    """vnu's errors in ``files`` (one run for all of them), each with its page."""
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    try:
        messages = json.loads(run.stderr)["messages"]
    except ValueError:
        pytest.fail(f"vnu said no JSON (exit {run.returncode}):\n{run.stderr}{run.stdout}")
    return [
        f"{files.get(Path(unquote(urlparse(m.get('url', '')).path)), m.get('url'))} "
        f"line {m.get('lastLine')}: {m['message']}  «{m.get('extract', '').strip()}»"
        for m in messages
    ]


@pytest.fixture
def checkers():
    for tool in (VNU_JAR, AXE_JS):
        if not tool.exists():
            pytest.fail(f"{tool} is missing: run `make checkers` (needs npm)")


@pytest.fixture
def walk_settings(settings):
    """The query budget's world makes more communities and topics than a member may in a
    day; the error pages need the URLs that fail on purpose (they include the site's)."""
    settings.COMMUNITY_CREATE_PER_DAY = settings.TOPIC_CREATE_PER_HOUR = 1000
    settings.ROOT_URLCONF = "tests.sns.urls_errors"


def _chosen(label: str) -> bool:
    """Whether ``PAGE_CHECKS`` (comma-separated words; unset: every page) names the page."""
    words = [w for w in os.environ.get("PAGE_CHECKS", "").split(",") if w]
    return not words or any(word in label for word in words)


@pytest.mark.parametrize("view", VIEWS)
def test_every_page_passes_the_browser_checks(checkers, walk_settings, live_server,
                                               new_context, tmp_path, view):
    started = time.monotonic()
    world = world_build(2)
    base = live_server.url
    tabs = {
        budget.VIEWER: _tab(new_context, base,
                            _session_key(budget._logged_in(world.viewer)), view),
        budget.STAR: _tab(new_context, base, _session_key(
            budget._logged_in(world.star, second_factor=True)), view),
        budget.VISITOR: _tab(new_context, base, None, view),
    }
    found = Findings()
    for page in budget.PAGES:
        if not _chosen(page.id):
            continue
        url = base + page.url(world)
        if page.id in NOT_HTML:
            if page.method == "get":
                _not_html(tabs[page.who], url, page.id)
            continue
        _check(tabs[page.who], url, page.id, 200, found, tmp_path)
    for where, status in ERROR_PAGES:
        for who in (budget.VISITOR, budget.VIEWER):
            if not _chosen(f"{status} page"):
                continue
            _check(tabs[who], base + where, f"{status} page [{who}]", status, found, tmp_path)
    vnu_errors = _vnu(found.html_files)
    print(f"\n{found.checked} pages checked in {time.monotonic() - started:.0f} s: "
          f"{len(found.console)} console errors, {len(vnu_errors)} vnu errors, "
          f"{len(found.axe)} moderate, serious or critical axe violations, "
          f"{len(found.layout)} layout problems at {view} px")
    report = [("console errors and policy violations", found.console),
              ("vnu errors", vnu_errors), ("axe violations (moderate and worse)", found.axe),
              (f"layout problems at {view} px", found.layout)]
    assert not any(problems for _title, problems in report), "\n".join(
        f"{title}:\n  " + "\n  ".join(problems) for title, problems in report if problems
    )


# A page with one defect of each kind, to show that each check finds what it is for.
BAD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bad</title><link rel="icon" href="data:,"></head>
<body><main>
<p><div>A block inside a paragraph</div></p>
<input type="text" name="nameless">
<script>document.title = "ran";</script>
</main></body></html>"""


@login_not_required
def _bad_page(request):
    return HttpResponse(BAD_PAGE)


# A page laid out badly in each way the layout check looks for, at 360 px (CSS in a file, as
# the policy refuses inline styles; the check runs outside the page's policy).
BAD_LAYOUT = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>Bad layout</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/bad-layout.css"></head>
<body><main>
<div class="row"><a class="squeezed" href="/">編集</a>
<span>長い説明文がここに入りますので場所を取ります</span></div>
<div class="wide">wide</div>
<p class="hidden-word">見えない編集</p>
<ul><li><img class="avatar big" src="data:," alt=""></li>
<li><span class="avatar small">A</span></li></ul>
</main></body></html>"""
BAD_LAYOUT_CSS = """
.row { display: flex; width: 200px; }
.squeezed { border: 1px solid; padding: 0 6px; }
.wide { width: 500px; }
.hidden-word { width: 10px; visibility: hidden; }
.avatar { display: inline-block; }
.big { width: 72px; height: 72px; }
.small { width: 44px; height: 44px; border-radius: 50%; }
"""


@login_not_required
def _bad_layout(request):
    return HttpResponse(BAD_LAYOUT)


@login_not_required
def _bad_layout_css(request):
    return HttpResponse(BAD_LAYOUT_CSS, content_type="text/css")


urlpatterns = [path("bad/", _bad_page), path("bad-layout/", _bad_layout),
               path("bad-layout.css", _bad_layout_css)]


def test_the_checks_find_a_bad_page(checkers, settings, live_server, new_context, tmp_path):
    settings.ROOT_URLCONF = __name__
    found = Findings()
    _check(_tab(new_context, live_server.url, None), f"{live_server.url}/bad/", "bad", 200,
           found, tmp_path)
    assert any("CSP violation: script-src" in line for line in found.console), found.console
    assert any("“p” end tag" in line for line in _vnu(found.html_files))
    assert any(line.startswith("bad: label (critical)") for line in found.axe), found.axe


def test_the_layout_check_finds_a_bad_layout(settings, live_server, new_context):
    settings.ROOT_URLCONF = __name__
    page = new_context(**VIEWS["360"]).new_page()
    page.goto(f"{live_server.url}/bad-layout/")
    found = page.evaluate(LAYOUT_CHECK)
    assert any(f.startswith("scrolls sideways") and "past the edge: main > div.wide" in f
               for f in found), found
    assert any(f.startswith("narrower than its text: main > div.row > a.squeezed")
               and "«編集»" in f for f in found), found
    assert any(f.startswith("avatars of one list differ") and "72×72" in f and "44×44" in f
               for f in found), found
    assert not any("p.hidden-word" in f for f in found), found
    assert len(found) == 3, found
