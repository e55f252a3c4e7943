"""`make test` prepares the machine itself (tests/machine.sh), and CI goes by the same list."""

import os
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_make_test_prepares_the_machine_before_the_suite():
    plan = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.splitlines()
    prepare = next(i for i, line in enumerate(plan) if "tests/machine.sh" in line)
    pytest_run = next(i for i, line in enumerate(plan) if "bin/pytest" in line)
    assert prepare < pytest_run


def test_ci_keeps_no_list_of_its_own():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert "apt-get" not in ci and "redis-server" not in ci


@pytest.mark.django_db
def test_the_database_named_by_database_url_is_made_when_missing():
    db = connection.settings_dict
    if (db["HOST"] or "").startswith("/") or not db["HOST"]:
        pytest.skip("the embedded PostgreSQL (DATABASE_URL unset) needs nothing of the script")
    name = f"tsunagari_machine_{secrets.token_hex(4)}"
    server = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
    env = {**os.environ, "DATABASE_URL": f"{server}/{name}"}
    try:
        subprocess.run(["bash", "tests/machine.sh"], cwd=ROOT, env=env, check=True,
                       capture_output=True, text=True, timeout=120)
        with psycopg.connect(f"{server}/{name}") as made:
            assert made.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
