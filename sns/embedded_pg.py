"""Start the embedded PostgreSQL (pgserver) for development when DATABASE_URL is unset.

The server lives under ``var/pg`` and outlives the process that started it, so a
``manage.py`` command attaches to the one ``make run`` started instead of starting another.
"""

import os
from pathlib import Path

DATABASE_NAME = "tsunagari"


def embedded_database_url(base_dir: Path) -> str:
    data_dir = base_dir / "var" / "pg"
    runtime_dir = base_dir / "var" / "run"
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    # pgserver asks platformdirs for a runtime directory, which warns when none is set.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import pgserver

    server = pgserver.get_server(data_dir, cleanup_mode=None)
    # DATABASE_NAME is a constant of ours, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    # pgserver connects through a Unix socket in the data directory.
    return f"postgres://postgres@/{DATABASE_NAME}?host={data_dir}"
