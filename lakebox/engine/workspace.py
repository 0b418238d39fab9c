"""The workspace folder ("home") and the DuckDB database each process opens on it once.

DuckDB lets one process write a database file; inside that process every lakebox session on the
same home shares one DuckDB instance (each with its own connection, so transactions stay apart).
A second process finds the file locked: it still serves catalog and lake queries from an in-memory
DuckDB and refuses managed Redshift tables with a message that says what to do.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

CATALOG_FILE = "catalog.sqlite"
WAREHOUSE_FILE = "warehouse.duckdb"

_CONFIG = {
    # Offline by design: never fetch or auto-load an extension at run time.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


@dataclass
class SharedDatabase:
    connection: duckdb.DuckDBPyConnection
    #: The DuckDB catalog name managed tables live in, or None when the warehouse is unavailable.
    warehouse: str | None
    unavailable_reason: str | None = None
    users: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_databases: dict[Path, SharedDatabase] = {}
_registry_lock = threading.Lock()


def resolve_home(home: str | os.PathLike | None) -> tuple[Path, bool]:
    """The absolute workspace path, created if missing; True when it is a throwaway temp folder."""
    if home is None:
        return Path(tempfile.mkdtemp(prefix="lakebox-")), True
    path = Path(home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path, False


def acquire(home: Path) -> SharedDatabase:
    with _registry_lock:
        shared = _databases.get(home)
        if shared is None:
            shared = _open(home)
            _databases[home] = shared
        shared.users += 1
        return shared


def release(home: Path) -> None:
    with _registry_lock:
        shared = _databases.get(home)
        if shared is None:
            return
        shared.users -= 1
        if shared.users <= 0:
            del _databases[home]
            shared.connection.close()


def _open(home: Path) -> SharedDatabase:
    path = home / WAREHOUSE_FILE
    try:
        connection = duckdb.connect(str(path), config=_CONFIG)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        reason = (f"the Redshift warehouse {path} is in use by another lakebox process; managed tables are "
                  "available only there. Stop that process (or run this statement through it, e.g. with "
                  "psql against 'lakebox serve'), or use a different --home")
        return SharedDatabase(duckdb.connect(":memory:", config=_CONFIG), None, reason)
    name = connection.execute("SELECT current_database()").fetchall()[0][0]
    return SharedDatabase(connection, name)
