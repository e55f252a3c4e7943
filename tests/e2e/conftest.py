"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never a downloaded browser: /usr/bin/chromium only. Each test gets fresh browser
contexts; when a test fails, every page it opened is saved as a PNG under test-results/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; Django's ORM, called from the
    tests and fixtures (factories, assertions), refuses to run beside one unless allowed.

    Set only while Playwright runs (and restored after): set for the whole session it would
    leak into other tests, e.g. a ``manage.py check --deploy`` subprocess that inherits the
    environment fails with async.E001.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright):
    """Chromium for one test module; Playwright (and its event loop) stops after the module,
    so the tests collected after e2e/ run without an event loop in their thread."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, request):
    """new_context(**options) → a fresh browser context (its own cookies), closed after."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make

    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for c_index, context in enumerate(contexts):
        if failed:
            _screenshot(request.node.nodeid, c_index, context)
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a browser context of its own for this test."""
    return new_context().new_page()


def _screenshot(nodeid: str, c_index: int, context) -> None:
    RESULTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    for p_index, page in enumerate(context.pages):
        path = RESULTS / f"{stem}-context{c_index}-page{p_index}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # the page may have crashed or closed
            print(f"could not save {path}: {error}")
        else:
            print(f"screenshot of the failure: {path}")
