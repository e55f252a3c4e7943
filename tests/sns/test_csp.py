"""The Content Security Policy (issue 9, "Hostile text"): every response carries one, it lets
no inline script run, and no page of ours needs one to — so a script that member text ever
slipped into a page would not run.

The pages are every page a member or a visitor opens (the walk of
tests/sns/test_query_budget.py over its world, tests/sns/query_world.py) and the admin's list,
add and change pages of every model (tests/sns/test_admin_pages.py's builders); each is read
with the standard library's HTML parser (tests/sns/active_html.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from sns.visibility import Level
from tests import factories
from tests.conftest import client_for
from tests.sns import active_html
from tests.sns import test_admin_pages as admin_pages
from tests.sns import test_query_budget as budget
from tests.sns.query_world import world_build

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"
UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*",
          "data:", "http:", "https:"}


def directives(response) -> dict[str, list[str]]:
    """The policy of ``response`` as directive → its sources."""
    assert HEADER in response, f"no {HEADER} on {response.status_code} {response.get('Location')}"
    parts = (d.split() for d in response[HEADER].split(";") if d.strip())
    return {name: values for name, *values in parts}


def problems_of(label: str, html: str) -> list[str]:
    """Inline code in a page of ours: each would need 'unsafe-inline' to work."""
    found = active_html.read(html)
    return (
        [f"{label}: inline script {code!r}" for code in found.inline_scripts]
        + [f"{label}: event handler {h}" for h in sorted(found.handlers)]
        + [f"{label}: style attribute {s}" for s in found.style_attributes]
        + [f"{label}: {e}" for e in sorted(found.embedding) if e.startswith("<style")]
        + [f"{label}: address that runs code {u}" for u in found.bad_urls]
    )


# --- the policy ------------------------------------------------------------------------------

def test_the_policy_lets_only_our_own_files_run(client):
    policy = directives(client.get(reverse("account_login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    for name in ("default-src", "script-src", "style-src"):
        assert not set(policy[name]) & UNSAFE, (name, policy[name])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # The authenticator app's QR code is a data: image.
    assert {"'self'", "data:"} <= set(policy["img-src"])


# --- on every kind of response -------------------------------------------------------------

@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.sns.urls_errors"


@pytest.mark.parametrize(("url", "status"), [
    ("/fail/400/", 400), ("/fail/403/", 403), ("/no/such/page/", 404), ("/fail/500/", 500),
])
def test_error_pages_have_the_policy(error_urls, url, status):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == status
    assert directives(response)["script-src"] == ["'self'"]
    assert not problems_of(url, response.content.decode())


def test_a_redirect_has_the_policy(client):
    response = client.get(reverse("diary:friends"))  # a visitor is sent to log in
    assert response.status_code == 302
    assert directives(response)["script-src"] == ["'self'"]


def test_a_file_response_has_the_policy(as_user, owner, friend):
    entry = factories.entry(owner, Level.FRIENDS)
    factories.entry_photo(entry)
    response = as_user(friend).get(reverse("diary:photo", args=[entry.pk, 0, "small"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert directives(response)["script-src"] == ["'self'"]


def test_a_static_file_has_the_policy(settings):
    # WhiteNoise answers before Django's views: the policy's middleware sits outside it.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get(settings.STATIC_URL + "css/site.css")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize(("env", "origins"), [
    ({}, ""),
    # Photos kept in a bucket still come through the site's views: the bucket is no origin.
    ({"MEDIA_STORAGE": "s3", "S3_ENDPOINT_URL": "https://s3.example.net:9000"}, ""),
    ({"CSP_EXTRA_IMG_SRC": "https://a.example,https://b.example"},
     "https://a.example https://b.example"),
])
def test_images_come_from_the_site_and_the_origins_the_operator_adds(env, origins):
    code = ("import sns.settings as s; "
            "print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={**os.environ, "SECRET_KEY": "x", "DATABASE_URL": "postgres://x@localhost/x",
             "S3_BUCKET": "photos", **env}, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'", "data:", *origins.split()]


def test_the_policy_is_the_outermost_middleware():
    """Outside WhiteNoise and the security middleware, so that their answers (static files,
    the redirect to https) carry it too."""
    assert settings.MIDDLEWARE[0] == "csp.middleware.CSPMiddleware"


# --- our pages have no inline code -----------------------------------------------------------

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style", re.IGNORECASE
)


def test_no_template_has_inline_code():
    """Every template served as a page (email bodies are not pages: mail clients want their
    styles inline, and no policy applies there)."""
    found = []
    for template in sorted(TEMPLATES.rglob("*")):
        if template.suffix not in {".html", ".svg"} or "email" in template.parts:
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            found += [f"{template.relative_to(TEMPLATES)}:{number}: {m.group()!r}"
                      for m in INLINE_CODE.finditer(line)]
    assert not found, "\n".join(found)


def test_no_page_a_member_or_visitor_opens_has_inline_code(settings):
    """Every page of the query budget's walk, in a world with two of everything."""
    settings.COMMUNITY_CREATE_PER_DAY = settings.TOPIC_CREATE_PER_HOUR = 1000
    world = world_build(2)
    clients = {
        budget.VIEWER: budget._logged_in(world.viewer),
        budget.STAR: budget._logged_in(world.star, second_factor=True),
        budget.VISITOR: Client(),
    }
    problems, html_pages = [], 0
    for page in budget.PAGES:
        response = getattr(clients[page.who], page.method)(page.url(world))
        assert response.status_code == page.status, (page.id, response.status_code)
        directives(response)
        if response["Content-Type"].startswith(("text/html", "image/svg+xml")):
            html_pages += 1
            problems += problems_of(page.id, response.content.decode())
    assert html_pages > 80
    assert not problems, "\n".join(problems)


def test_no_admin_page_has_inline_code(moderator):
    """The list, add and change pages of every model in the admin, for the operator."""
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    client = client_for(moderator)
    world = admin_pages.World()
    problems = []
    for model in admin.site._registry:
        admin_pages.BUILDERS[model._meta.label](world, 1)
        obj = model._default_manager.order_by("-pk").first()
        urls = [admin_pages.admin_url(model, "changelist"), admin_pages.admin_url(model, "add"),
                admin_pages.admin_url(model, "change", obj.pk)]
        for url in urls:
            response = client.get(url)
            assert response.status_code in {200, 403}, (url, response.status_code)
            directives(response)
            problems += problems_of(url, response.content.decode())
    response = client.get(reverse("admin:index"))
    problems += problems_of("admin index", response.content.decode())
    assert not problems, "\n".join(problems)


def test_a_new_member_page_would_be_caught():
    """The checks above can fail: a page with each kind of inline code is found out."""
    html = ('<p style="color: red" onclick="go()">x</p><script>go()</script>'
            '<style>p {}</style><a href=" javascript:go()">x</a><script src="/s.js"></script>'
            '<script nonce="abc">fine()</script>')
    found = problems_of("sample", html)
    assert [p.split(": ")[1].split(" ")[0] for p in found] == [
        "inline", "event", "style", "<style", "address"]
