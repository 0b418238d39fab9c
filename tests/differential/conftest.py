"""A real PostgreSQL server for the differential tests, found or started once per session.

- `LAKEBOX_PG_DSN` (a libpq connection string) points at a server to use as it is;
- otherwise Debian's PostgreSQL (`initdb`/`pg_ctl` on PATH or under /usr/lib/postgresql/<version>/bin)
  is started into a temporary directory on a free loopback port (as the `postgres` user when the
  tests run as root, since initdb refuses root), and stopped at the end of the session.

When no server can be found or started the tests skip with a loud reason, except in CI (`CI` or
`LAKEBOX_REQUIRE_POSTGRES` set), where they fail: .ci/run installs and provides PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg")


def _required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("LAKEBOX_REQUIRE_POSTGRES"))


def _unavailable(reason: str):
    message = f"PostgreSQL differential tests cannot run: {reason}"
    if _required():
        pytest.fail(message)
    pytest.skip("*** " + message + " (install Debian's postgresql, or set LAKEBOX_PG_DSN) ***")


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb and postgres refuse to run as root)."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]


class _Cluster:
    def __init__(self):
        self.directory: str | None = None
        self.pg_ctl: str | None = None

    def start(self) -> str:
        initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("initdb/pg_ctl not found (apt-get install postgresql)")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as error:
                raise RuntimeError("running as root and there is no postgres user to run the server") from error
        self.directory = tempfile.mkdtemp(prefix="lakebox-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        data = os.path.join(self.directory, "data")
        port = _free_port()
        subprocess.run(_as_postgres([initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                     "--locale=C", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self.pg_ctl = pg_ctl
        options = (f"-p {port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c timezone=UTC -c full_page_writes=off")
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-o", options, "-l", os.path.join(self.directory, "log"),
                                     "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, timeout=120)
        return f"host=127.0.0.1 port={port} user=postgres dbname=postgres"

    def stop(self) -> None:
        if self.directory and self.pg_ctl:
            subprocess.run(_as_postgres([self.pg_ctl, "-D", os.path.join(self.directory, "data"), "-m", "fast",
                                         "-w", "stop"]), capture_output=True, timeout=60)
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """A psycopg connection (autocommit, UTC) to a real PostgreSQL server."""
    cluster = None
    dsn = os.environ.get("LAKEBOX_PG_DSN")
    if not dsn:
        cluster = _Cluster()
        try:
            dsn = cluster.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            detail = getattr(error, "stderr", b"") or b""
            cluster.stop()
            _unavailable(f"{error} {detail.decode(errors='replace')[-300:]}".strip())
    try:
        connection = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        if cluster:
            cluster.stop()
        _unavailable(f"cannot connect to {dsn}: {error}")
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET DateStyle = 'ISO, MDY'")
    # Redshift reads a backslash in a string literal as an escape character
    connection.execute("SET standard_conforming_strings = off")
    connection.execute("SET escape_string_warning = off")
    try:
        yield connection
    finally:
        connection.close()
        if cluster:
            cluster.stop()


@pytest.fixture(scope="session")
def lakebox_redshift(tmp_path_factory):
    import lakebox

    connection = lakebox.connect(tmp_path_factory.mktemp("differential"), dialect="redshift")
    yield connection
    connection.close()
