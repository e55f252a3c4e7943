"""Test-run defaults, set before Django reads its settings (pytest-django loads this first)."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("SITE_URL", "http://testserver")
