"""Every page of the site, in Chromium, as the member it is for (issue 9, "Pages a browser
checks"): no console error and no Content Security Policy violation, valid HTML by the Nu
Html Checker (vnu), and no moderate, serious or critical axe-core accessibility violation.

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
"""

from __future__ import annotations

import json
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
    "accounts:circle_svg", "accounts:photo", "accounts:data[zip]", "diary:photo",
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
    html_files: dict[Path, str] = field(default_factory=dict)  # file → page id
    checked: int = 0


def _tab(new_context, base_url: str, session_key: str | None) -> Tab:
    context = new_context()
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


def test_every_page_passes_the_browser_checks(checkers, walk_settings, live_server,
                                               new_context, tmp_path):
    started = time.monotonic()
    world = world_build(2)
    base = live_server.url
    tabs = {
        budget.VIEWER: _tab(new_context, base, _session_key(budget._logged_in(world.viewer))),
        budget.STAR: _tab(new_context, base, _session_key(
            budget._logged_in(world.star, second_factor=True))),
        budget.VISITOR: _tab(new_context, base, None),
    }
    found = Findings()
    for page in budget.PAGES:
        url = base + page.url(world)
        if page.id in NOT_HTML:
            if page.method == "get":
                _not_html(tabs[page.who], url, page.id)
            continue
        _check(tabs[page.who], url, page.id, 200, found, tmp_path)
    for where, status in ERROR_PAGES:
        for who in (budget.VISITOR, budget.VIEWER):
            _check(tabs[who], base + where, f"{status} page [{who}]", status, found, tmp_path)
    vnu_errors = _vnu(found.html_files)
    print(f"\n{found.checked} pages checked in {time.monotonic() - started:.0f} s: "
          f"{len(found.console)} console errors, {len(vnu_errors)} vnu errors, "
          f"{len(found.axe)} moderate, serious or critical axe violations")
    report = [("console errors and policy violations", found.console),
              ("vnu errors", vnu_errors), ("axe violations (moderate and worse)", found.axe)]
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


urlpatterns = [path("bad/", _bad_page)]


def test_the_checks_find_a_bad_page(checkers, settings, live_server, new_context, tmp_path):
    settings.ROOT_URLCONF = __name__
    found = Findings()
    _check(_tab(new_context, live_server.url, None), f"{live_server.url}/bad/", "bad", 200,
           found, tmp_path)
    assert any("CSP violation: script-src" in line for line in found.console), found.console
    assert any("“p” end tag" in line for line in _vnu(found.html_files))
    assert any(line.startswith("bad: label (critical)") for line in found.axe), found.axe
