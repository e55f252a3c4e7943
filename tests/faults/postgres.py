"""A PostgreSQL server of a test's own, to stop and start at will.

The machine's server at 127.0.0.1:5432 is shared by everyone working on it: a test that
restarts the database must never touch it. This one is made by ``initdb`` in a directory of
its own, listens on a free port of the loopback only, and is removed when the test ends.
PostgreSQL refuses to run as root, so when the tests run as root (CI) its programs run as the
``postgres`` system user, which owns the directory.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

USER = "postgres"


def _bin_dir() -> Path:
    """The newest PostgreSQL installed from Debian's packages."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL's server programs are not installed (apt: postgresql)")
    return found[-1].parent


def free_port() -> int:
    """A port nothing listens on now (the system's choice for a socket bound to port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivatePostgres:
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = 60) -> None:
        argv = [str(_bin_dir() / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", USER, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed\n{result.stdout}{result.stderr}"
                               f"\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = " ".join([
            f"-p {self.port}", "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.root}",
            # Nothing here must outlive a crash of the machine: skip the disk flushes.
            "-c fsync=off", "-c full_page_writes=off",
        ])
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """Stop; ``fast`` ends the open sessions (their transactions roll back) at once."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True)


@contextlib.contextmanager
def private_postgres():
    """A new, running server; stopped and removed afterwards, whatever happened."""
    root = Path(tempfile.mkdtemp(prefix="tsunagari-faults-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(root=root, port=free_port())
    try:
        server._run("initdb", "-D", str(server.data), "-U", USER, "--auth=trust",
                    "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        server.start()
        yield server
    finally:
        if server.is_running():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                server.stop("immediate")
        # A server stopped by "immediate" may take a moment to remove its files.
        for _ in range(20):
            if not server.is_running():
                break
            time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
