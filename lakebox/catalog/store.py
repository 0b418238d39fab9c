"""The Glue Data Catalog, persisted in one SQLite file.

Several `Catalog` objects -- in one process or many (the CLI, a wire server, crawlers) --
may share a file. So nothing is cached between calls, the file runs in WAL mode with a
busy timeout, and every mutating call is one `BEGIN IMMEDIATE` transaction: it takes the
write lock up front, so two writers queue instead of failing half way through.

Objects are stored as the JSON of their dataclass fields, next to the few columns we look
them up by. Names are case-insensitive and stored lower case, as Glue does.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import sqlite3
import threading
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from lakebox import errors
from lakebox.catalog.expression import parse_partition_expression, partition_sort_key
from lakebox.catalog.model import Column, Database, Partition, Table, now
from lakebox.errors import AlreadyExists, CatalogError, EntityNotFound, ProgrammingError, suggest

#: Bumped whenever the SQLite schema changes; stored in PRAGMA user_version.
SCHEMA_VERSION = 1

#: How long a writer waits for another connection's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 10.0

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS databases (
        name TEXT PRIMARY KEY,
        body TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS tables (
        database TEXT NOT NULL,
        name TEXT NOT NULL,
        table_type TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (database, name)
    )""",
    "CREATE INDEX IF NOT EXISTS tables_by_type ON tables (table_type)",
    """CREATE TABLE IF NOT EXISTS table_versions (
        database TEXT NOT NULL,
        name TEXT NOT NULL,
        version_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (database, name, version_id)
    )""",
    """CREATE TABLE IF NOT EXISTS partitions (
        database TEXT NOT NULL,
        table_name TEXT NOT NULL,
        partition_values TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (database, table_name, partition_values)
    )""",
    """CREATE TABLE IF NOT EXISTS redshift_external_schemas (
        schema_name TEXT PRIMARY KEY,
        database_name TEXT NOT NULL,
        iam_role TEXT,
        created TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS crawlers (
        name TEXT PRIMARY KEY,
        body TEXT NOT NULL
    )""",
]


# --------------------------------------------------------------------------- JSON

T = TypeVar("T")


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(hint: Any, data: Any) -> Any:
    """Rebuild a value of type `hint` (as resolved by get_type_hints) from its JSON form."""
    if data is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):  # only `X | None` occurs in the model
        hint = next(a for a in get_args(hint) if a is not type(None))
        return _decode(hint, data)
    if origin is list:
        (item,) = get_args(hint)
        return [_decode(item, v) for v in data]
    if origin is dict:
        _, item = get_args(hint)
        return {k: _decode(item, v) for k, v in data.items()}
    if hint is datetime:
        return datetime.fromisoformat(data)
    if is_dataclass(hint):
        # Unknown keys are ignored so that an older lakebox can read a newer catalog's rows.
        kwargs = {name: _decode(field_hint, data[name]) for name, field_hint in _field_hints(hint) if name in data}
        return hint(**kwargs)
    return data


@functools.cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, resolved type) of a dataclass's fields; cached because resolving the string
    annotations is far slower than decoding a row, and partition lists can be long."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls))


def _to_json(obj: Any) -> str:
    """A model dataclass as JSON text; datetimes become ISO strings."""
    return json.dumps(_encode(obj), ensure_ascii=False)


def _from_json(cls: type[T], text: str) -> T:
    """The inverse of _to_json: an equal instance of `cls`, nested dataclasses included."""
    return _decode(cls, json.loads(text))


def _values_key(values: Sequence[Any]) -> str:
    """The partitions table's key for a list of partition values (compact, so deterministic)."""
    return json.dumps([str(v) for v in values], ensure_ascii=False, separators=(",", ":"))


def _partition_name(keys: Sequence[Column], values: Sequence[str]) -> str:
    """Hive's 'year=2024/month=01' spelling of a partition, used in messages."""
    if len(keys) != len(values):
        return "(" + ", ".join(repr(v) for v in values) + ")"
    return "/".join(f"{k.name}={v}" for k, v in zip(keys, values))


def table_name_pattern(expression: str) -> re.Pattern[str]:
    """Glue's GetTables/Athena SHOW TABLES pattern: '*' is any characters, '|' separates
    alternatives, everything else is literal; matched case-insensitively against the whole name."""
    alternatives = [".*".join(re.escape(part) for part in alt.strip().split("*")) for alt in expression.split("|")]
    return re.compile("|".join(f"(?:{alt})" for alt in alternatives), re.IGNORECASE)


def _sqlite_error(exc: sqlite3.Error) -> errors.Error:
    """The DB-API error a SQLite failure surfaces as."""
    message = f"catalog: {exc}"
    if isinstance(exc, sqlite3.IntegrityError):
        return errors.IntegrityError(message)
    if isinstance(exc, sqlite3.ProgrammingError):
        return errors.InterfaceError(message)
    if isinstance(exc, (sqlite3.OperationalError, sqlite3.DatabaseError)):
        return errors.OperationalError(message)
    return errors.InternalError(message)


# --------------------------------------------------------------------------- Catalog


class Catalog:
    """A Glue-Data-Catalog-shaped store in a SQLite file (":memory:" for a private one)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of _transaction() blocks; only the outermost commits
        self._changes = 0  # bumped around every write block, for version()
        self._writing = False  # whether the outermost block holds the write lock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _sqlite_error(exc) from exc
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            # WAL lets readers in other processes carry on while one writer commits.
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self._ensure_schema()
        except BaseException as exc:
            conn.close()
            self._conn = None
            if isinstance(exc, sqlite3.Error):
                raise _sqlite_error(exc) from exc
            raise

    def _ensure_schema(self) -> None:
        if self._user_version() == SCHEMA_VERSION:
            return
        with self._transaction(write=True) as conn:
            # Re-read under the write lock: another process may have just created the schema.
            version = self._user_version()
            if version > SCHEMA_VERSION:
                raise errors.OperationalError(
                    f"Catalog {self.path!r} has schema version {version}, newer than this lakebox "
                    f"understands ({SCHEMA_VERSION}); upgrade lakebox"
                )
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _user_version(self) -> int:
        return self._connection().execute("PRAGMA user_version").fetchone()[0]

    # -- connection and transactions

    def version(self) -> tuple[int, int]:
        """A stamp that changes whenever the catalog may have changed, by this connection or any
        other (SQLite's data_version), without reading a table: what plan caches key on."""
        with self._lock:
            return self._connection().execute("PRAGMA data_version").fetchone()[0], self._changes

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise errors.InterfaceError("Catalog is closed")
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog({self.path!r})"

    @contextmanager
    def transaction(self) -> Iterator[Catalog]:
        """Group several mutating calls into one atomic unit.

        Calls (and nested `transaction()` blocks) inside join this transaction; only the
        outermost block commits, and an exception escaping it rolls everything back. A nested
        block that fails is undone on its own (via a savepoint), so a caller that catches its
        error may carry on. The catalog's lock is held throughout: keep the block short.
        """
        with self._transaction(write=True):
            yield self

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            outermost = self._depth == 0
            savepoint = f"lakebox_{self._depth}"
            try:
                if outermost:
                    # IMMEDIATE takes the write lock now (waiting up to the busy timeout), so the
                    # transaction can never fail later for lack of it; readers get a snapshot.
                    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    self._writing = write
                elif write:
                    if not self._writing:
                        raise errors.InternalError("catalog write attempted inside a read-only transaction")
                    # Lets a failed nested call be undone alone, keeping it all-or-nothing.
                    conn.execute(f"SAVEPOINT {savepoint}")
            except sqlite3.Error as exc:
                raise _sqlite_error(exc) from exc

            self._depth += 1
            if write:
                self._changes += 1  # before and after: readers of version() never see a stale stamp
            try:
                yield conn
            except BaseException as exc:
                self._depth -= 1
                self._changes += write
                self._undo(conn, outermost, write, savepoint)
                if isinstance(exc, sqlite3.Error):
                    raise _sqlite_error(exc) from exc
                raise
            self._depth -= 1
            self._changes += write
            try:
                if outermost:
                    conn.execute("COMMIT")
                elif write:
                    conn.execute(f"RELEASE {savepoint}")
            except sqlite3.Error as exc:
                self._undo(conn, outermost, write, savepoint)
                raise _sqlite_error(exc) from exc

    def _undo(self, conn: sqlite3.Connection, outermost: bool, write: bool, savepoint: str) -> None:
        if outermost:
            if conn.in_transaction:  # SQLite may already have rolled back on some errors
                conn.execute("ROLLBACK")
        elif write and conn.in_transaction:
            conn.execute(f"ROLLBACK TO {savepoint}")
            conn.execute(f"RELEASE {savepoint}")

    def _read(self) -> Any:
        return self._transaction(write=False)

    def _write(self) -> Any:
        return self._transaction(write=True)

    # -- databases

    def create_database(self, database: Database) -> Database:
        """Store a new database; returns the stored copy (with create_time set)."""
        db = copy.deepcopy(database)
        db.create_time = db.create_time or now()
        with self._write() as conn:
            if self._load_database(conn, db.name) is not None:
                raise AlreadyExists(f"Database '{db.name}' already exists")
            conn.execute("INSERT INTO databases (name, body) VALUES (?, ?)", (db.name, _to_json(db)))
        return db

    def get_database(self, name: str) -> Database:
        with self._read() as conn:
            return self._require_database(conn, name)

    def get_databases(self) -> list[Database]:
        with self._read() as conn:
            rows = conn.execute("SELECT body FROM databases ORDER BY name").fetchall()
        return [_from_json(Database, body) for (body,) in rows]

    def update_database(self, name: str, database: Database) -> Database:
        """Replace a database's definition (renaming is not supported); returns the stored copy."""
        name = name.lower()
        db = copy.deepcopy(database)
        with self._write() as conn:
            existing = self._require_database(conn, name)
            if db.name != name:
                raise ProgrammingError(f"Cannot rename database '{name}' to '{db.name}'")
            db.create_time = db.create_time or existing.create_time
            conn.execute("UPDATE databases SET body = ? WHERE name = ?", (_to_json(db), name))
        return db

    def delete_database(self, name: str, cascade: bool = False) -> None:
        """Drop a database; with cascade, its tables, their versions and partitions go too."""
        name = name.lower()
        with self._write() as conn:
            self._require_database(conn, name)
            (count,) = conn.execute("SELECT count(*) FROM tables WHERE database = ?", (name,)).fetchone()
            if count and not cascade:
                raise CatalogError(
                    f"Database '{name}' is not empty ({count} table{'s' if count != 1 else ''}); "
                    "drop its tables first or use CASCADE"
                )
            for table in ("partitions", "table_versions", "tables"):
                conn.execute(f"DELETE FROM {table} WHERE database = ?", (name,))
            conn.execute("DELETE FROM databases WHERE name = ?", (name,))

    def _load_database(self, conn: sqlite3.Connection, name: str) -> Database | None:
        row = conn.execute("SELECT body FROM databases WHERE name = ?", (name.lower(),)).fetchone()
        return _from_json(Database, row[0]) if row else None

    def _require_database(self, conn: sqlite3.Connection, name: str) -> Database:
        db = self._load_database(conn, name)
        if db is None:
            names = [n for (n,) in conn.execute("SELECT name FROM databases")]
            raise EntityNotFound(f"Database '{name.lower()}' not found{suggest(name, names)}")
        return db

    # -- tables

    def create_table(self, table: Table) -> Table:
        """Store a new table (its database must exist) as version 0; returns the stored copy."""
        tbl = copy.deepcopy(table)
        tbl.create_time = tbl.create_time or now()
        tbl.update_time = tbl.update_time or tbl.create_time
        tbl.version_id = 0
        with self._write() as conn:
            self._require_database(conn, tbl.database_name)
            if self._load_table(conn, tbl.database_name, tbl.name) is not None:
                raise AlreadyExists(f"Table '{tbl.database_name}.{tbl.name}' already exists")
            body = _to_json(tbl)
            conn.execute(
                "INSERT INTO tables (database, name, table_type, body) VALUES (?, ?, ?, ?)",
                (tbl.database_name, tbl.name, tbl.table_type, body),
            )
            self._insert_version(conn, tbl, body)
        return tbl

    def get_table(self, database: str, name: str) -> Table:
        with self._read() as conn:
            return self._require_table(conn, database, name)

    def get_tables(self, database: str, expression: str | None = None) -> list[Table]:
        """The database's tables sorted by name, optionally only those matching a Glue
        name pattern ('*' wildcard, '|' alternatives, case-insensitive)."""
        with self._read() as conn:
            self._require_database(conn, database)
            rows = conn.execute(
                "SELECT name, body FROM tables WHERE database = ? ORDER BY name", (database.lower(),)
            ).fetchall()
        pattern = table_name_pattern(expression) if expression else None
        return [_from_json(Table, body) for name, body in rows if pattern is None or pattern.fullmatch(name)]

    def table_exists(self, database: str, name: str) -> bool:
        with self._read() as conn:
            return self._load_table(conn, database, name) is not None

    def update_table(self, table: Table) -> Table:
        """Replace a table's definition as a new version (the old one stays in its versions);
        keeps create_time, sets update_time; returns the stored copy."""
        tbl = copy.deepcopy(table)
        with self._write() as conn:
            existing = self._require_table(conn, tbl.database_name, tbl.name)
            (latest,) = conn.execute(
                "SELECT max(version_id) FROM table_versions WHERE database = ? AND name = ?",
                (tbl.database_name, tbl.name),
            ).fetchone()
            tbl.version_id = max(existing.version_id, latest if latest is not None else -1) + 1
            tbl.create_time = existing.create_time
            tbl.update_time = now()
            body = _to_json(tbl)
            conn.execute(
                "UPDATE tables SET table_type = ?, body = ? WHERE database = ? AND name = ?",
                (tbl.table_type, body, tbl.database_name, tbl.name),
            )
            self._insert_version(conn, tbl, body)
        return tbl

    def get_table_versions(self, database: str, name: str) -> list[Table]:
        """Every stored version of the table, newest first."""
        with self._read() as conn:
            self._require_table(conn, database, name)
            rows = conn.execute(
                "SELECT body FROM table_versions WHERE database = ? AND name = ? ORDER BY version_id DESC",
                (database.lower(), name.lower()),
            ).fetchall()
        return [_from_json(Table, body) for (body,) in rows]

    def delete_table(self, database: str, name: str) -> None:
        """Drop a table with its versions and partitions."""
        database, name = database.lower(), name.lower()
        with self._write() as conn:
            self._require_table(conn, database, name)
            conn.execute("DELETE FROM partitions WHERE database = ? AND table_name = ?", (database, name))
            conn.execute("DELETE FROM table_versions WHERE database = ? AND name = ?", (database, name))
            conn.execute("DELETE FROM tables WHERE database = ? AND name = ?", (database, name))

    def _insert_version(self, conn: sqlite3.Connection, table: Table, body: str) -> None:
        conn.execute(
            "INSERT INTO table_versions (database, name, version_id, body) VALUES (?, ?, ?, ?)",
            (table.database_name, table.name, table.version_id, body),
        )

    def _load_table(self, conn: sqlite3.Connection, database: str, name: str) -> Table | None:
        row = conn.execute(
            "SELECT body FROM tables WHERE database = ? AND name = ?", (database.lower(), name.lower())
        ).fetchone()
        return _from_json(Table, row[0]) if row else None

    def _require_table(self, conn: sqlite3.Connection, database: str, name: str) -> Table:
        database, name = database.lower(), name.lower()
        self._require_database(conn, database)
        table = self._load_table(conn, database, name)
        if table is None:
            names = [n for (n,) in conn.execute("SELECT name FROM tables WHERE database = ?", (database,))]
            raise EntityNotFound(f"Table '{database}.{name}' not found{suggest(name, names)}")
        return table

    # -- partitions

    def batch_create_partition(
        self, database: str, table: str, partitions: Sequence[Partition], if_not_exists: bool = False
    ) -> int:
        """Add partitions, all or nothing. A partition whose values already exist (in the
        table or earlier in the batch) raises AlreadyExists, or is skipped with if_not_exists.
        Returns the number added."""
        with self._write() as conn:
            tbl = self._require_table(conn, database, table)
            seen: set[str] = set()
            added = 0
            for partition in partitions:
                part = self._bind_partition(tbl, partition)
                key = _values_key(part.values)
                if key in seen or self._load_partition(conn, tbl, part.values) is not None:
                    if if_not_exists:
                        continue
                    raise AlreadyExists(f"{self._describe_partition(tbl, part.values)} already exists")
                seen.add(key)
                self._insert_partition(conn, part)
                added += 1
        return added

    def get_partition(self, database: str, table: str, values: Sequence[str]) -> Partition:
        with self._read() as conn:
            tbl = self._require_table(conn, database, table)
            return self._require_partition(conn, tbl, self._check_values(tbl, values))

    def get_partitions(self, database: str, table: str, expression: str | None = None) -> list[Partition]:
        """The table's partitions sorted by their values (typed by the partition keys: 9 before
        10 for an int key), optionally filtered by a Glue partition expression."""
        with self._read() as conn:
            tbl = self._require_table(conn, database, table)
            # Parse before reading the partitions so a bad expression fails fast; a blank
            # expression, like None, filters nothing.
            keep = None
            if expression is not None and expression.strip():
                keep = parse_partition_expression(expression, tbl.partition_keys)
            rows = conn.execute(
                "SELECT partition_values, body FROM partitions WHERE database = ? AND table_name = ?",
                (tbl.database_name, tbl.name),
            ).fetchall()
        # Filter on the values column so only the partitions kept get fully decoded.
        partitions = [
            _from_json(Partition, body) for values, body in rows if keep is None or keep(json.loads(values))
        ]
        sort_key = partition_sort_key(tbl.partition_keys)
        return sorted(partitions, key=lambda p: sort_key(p.values))

    def batch_delete_partition(
        self, database: str, table: str, list_of_values: Sequence[Sequence[str]], if_exists: bool = False
    ) -> int:
        """Remove partitions, all or nothing: a missing one raises EntityNotFound unless
        if_exists. Returns the number removed."""
        with self._write() as conn:
            tbl = self._require_table(conn, database, table)
            removed = 0
            for values in list_of_values:
                values = self._check_values(tbl, values)
                if self._load_partition(conn, tbl, values) is None:
                    if if_exists:
                        continue
                    self._require_partition(conn, tbl, values)  # raises with a suggestion
                conn.execute(
                    "DELETE FROM partitions WHERE database = ? AND table_name = ? AND partition_values = ?",
                    (tbl.database_name, tbl.name, _values_key(values)),
                )
                removed += 1
        return removed

    def update_partition(self, database: str, table: str, values: Sequence[str], partition: Partition) -> Partition:
        """Replace the partition with `values` by `partition`, whose values may differ (a move);
        keeps create_time unless the new one sets it. Returns the stored copy."""
        with self._write() as conn:
            tbl = self._require_table(conn, database, table)
            values = self._check_values(tbl, values)
            existing = self._require_partition(conn, tbl, values)
            part = self._bind_partition(tbl, partition)
            part.create_time = partition.create_time or existing.create_time
            if part.values != values and self._load_partition(conn, tbl, part.values) is not None:
                raise AlreadyExists(f"{self._describe_partition(tbl, part.values)} already exists")
            conn.execute(
                "DELETE FROM partitions WHERE database = ? AND table_name = ? AND partition_values = ?",
                (tbl.database_name, tbl.name, _values_key(values)),
            )
            self._insert_partition(conn, part)
        return part

    def _bind_partition(self, table: Table, partition: Partition) -> Partition:
        """A copy of `partition` belonging to `table` (like Glue's PartitionInput, the target
        table comes from the call, not the object), with its values checked."""
        part = copy.deepcopy(partition)
        part.database_name, part.table_name = table.database_name, table.name
        part.values = self._check_values(table, part.values)
        part.create_time = part.create_time or now()
        return part

    def _check_values(self, table: Table, values: Sequence[Any]) -> list[str]:
        values = [str(v) for v in values]
        if len(values) != len(table.partition_keys):
            keys = ", ".join(k.name for k in table.partition_keys) or "none"
            raise ProgrammingError(
                f"Partition values {values} do not match the partition keys of "
                f"'{table.database_name}.{table.name}' ({keys}): expected "
                f"{len(table.partition_keys)} value(s), got {len(values)}"
            )
        return values

    def _insert_partition(self, conn: sqlite3.Connection, part: Partition) -> None:
        conn.execute(
            "INSERT INTO partitions (database, table_name, partition_values, body) VALUES (?, ?, ?, ?)",
            (part.database_name, part.table_name, _values_key(part.values), _to_json(part)),
        )

    def _load_partition(self, conn: sqlite3.Connection, table: Table, values: Sequence[str]) -> Partition | None:
        row = conn.execute(
            "SELECT body FROM partitions WHERE database = ? AND table_name = ? AND partition_values = ?",
            (table.database_name, table.name, _values_key(values)),
        ).fetchone()
        return _from_json(Partition, row[0]) if row else None

    def _require_partition(self, conn: sqlite3.Connection, table: Table, values: Sequence[str]) -> Partition:
        part = self._load_partition(conn, table, values)
        if part is None:
            keys = table.partition_keys
            names = [
                _partition_name(keys, json.loads(v))
                for (v,) in conn.execute(
                    "SELECT partition_values FROM partitions WHERE database = ? AND table_name = ?",
                    (table.database_name, table.name),
                )
            ]
            hint = suggest(_partition_name(keys, values), names)
            raise EntityNotFound(f"{self._describe_partition(table, values)} not found{hint}")
        return part

    def _describe_partition(self, table: Table, values: Sequence[str]) -> str:
        name = _partition_name(table.partition_keys, values)
        return f"Partition {name} of table '{table.database_name}.{table.name}'"

    # -- Redshift external schemas (schema name -> Glue database)

    def create_external_schema(
        self, schema_name: str, database_name: str, iam_role: str | None = None, if_not_exists: bool = False
    ) -> dict[str, Any]:
        """Map a Redshift external schema to a Glue database; returns the mapping (the existing
        one when it is already there and if_not_exists)."""
        schema_name, database_name = schema_name.lower(), database_name.lower()
        with self._write() as conn:
            existing = self._load_external_schema(conn, schema_name)
            if existing is not None:
                if if_not_exists:
                    return existing
                raise AlreadyExists(f"Schema '{schema_name}' already exists")
            created = now()
            conn.execute(
                "INSERT INTO redshift_external_schemas (schema_name, database_name, iam_role, created) "
                "VALUES (?, ?, ?, ?)",
                (schema_name, database_name, iam_role, created.isoformat()),
            )
        return {"schema_name": schema_name, "database_name": database_name, "iam_role": iam_role, "created": created}

    def get_external_schema(self, name: str) -> dict[str, Any] | None:
        with self._read() as conn:
            return self._load_external_schema(conn, name)

    def get_external_schemas(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT schema_name, database_name, iam_role, created FROM redshift_external_schemas "
                "ORDER BY schema_name"
            ).fetchall()
        return [self._external_schema_dict(row) for row in rows]

    def drop_external_schema(self, name: str, if_exists: bool = False) -> bool:
        """Remove the mapping (never the Glue database); returns whether one was removed."""
        name = name.lower()
        with self._write() as conn:
            if self._load_external_schema(conn, name) is None:
                if if_exists:
                    return False
                names = [n for (n,) in conn.execute("SELECT schema_name FROM redshift_external_schemas")]
                raise EntityNotFound(f"Schema '{name}' not found{suggest(name, names)}")
            conn.execute("DELETE FROM redshift_external_schemas WHERE schema_name = ?", (name,))
        return True

    def _load_external_schema(self, conn: sqlite3.Connection, name: str) -> dict[str, Any] | None:
        row = conn.execute(
            "SELECT schema_name, database_name, iam_role, created FROM redshift_external_schemas "
            "WHERE schema_name = ?",
            (name.lower(),),
        ).fetchone()
        return self._external_schema_dict(row) if row else None

    @staticmethod
    def _external_schema_dict(row: Sequence[Any]) -> dict[str, Any]:
        schema_name, database_name, iam_role, created = row
        return {
            "schema_name": schema_name,
            "database_name": database_name,
            "iam_role": iam_role,
            "created": datetime.fromisoformat(created),
        }

    # -- crawlers (raw JSON documents; the crawler module owns their shape)

    def put_crawler(self, name: str, definition: dict[str, Any]) -> None:
        """Create or replace a crawler definition; it is stored with "name" set to `name`."""
        name = name.lower()
        body = json.dumps({**definition, "name": name}, ensure_ascii=False)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO crawlers (name, body) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body",
                (name, body),
            )

    def get_crawler(self, name: str) -> dict[str, Any]:
        with self._read() as conn:
            row = conn.execute("SELECT body FROM crawlers WHERE name = ?", (name.lower(),)).fetchone()
            if row is None:
                self._crawler_not_found(conn, name)
        return json.loads(row[0])

    def get_crawlers(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute("SELECT body FROM crawlers ORDER BY name").fetchall()
        return [json.loads(body) for (body,) in rows]

    def delete_crawler(self, name: str) -> None:
        with self._write() as conn:
            if conn.execute("DELETE FROM crawlers WHERE name = ?", (name.lower(),)).rowcount == 0:
                self._crawler_not_found(conn, name)

    def _crawler_not_found(self, conn: sqlite3.Connection, name: str) -> None:
        names = [n for (n,) in conn.execute("SELECT name FROM crawlers")]
        raise EntityNotFound(f"Crawler '{name.lower()}' not found{suggest(name, names)}")
