"""PEP 249 (DB-API 2.0): connections and cursors over a lakebox Session.

Connections run in autocommit mode, as Athena always does and as Redshift clients usually
configure: every statement commits on its own unless an explicit BEGIN opened a transaction,
which COMMIT / ROLLBACK statements or `commit()` / `rollback()` end.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.types as pat

from lakebox import errors
from lakebox.engine.result import Result
from lakebox.engine.session import Session
from lakebox.engine.workspace import resolve_home

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "qmark"


class _TypeCode:
    """A DB-API type object: compares equal to every Arrow type of its family."""

    def __init__(self, name: str, predicate):
        self.name = name
        self._predicate = predicate

    def __eq__(self, other) -> bool:
        if isinstance(other, _TypeCode):
            return other is self
        return isinstance(other, pa.DataType) and self._predicate(other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name


STRING = _TypeCode("STRING", lambda t: pat.is_string(t) or pat.is_large_string(t))
BINARY = _TypeCode("BINARY", lambda t: pat.is_binary(t) or pat.is_large_binary(t) or pat.is_fixed_size_binary(t))
NUMBER = _TypeCode("NUMBER", lambda t: pat.is_integer(t) or pat.is_floating(t) or pat.is_decimal(t))
DATETIME = _TypeCode("DATETIME", lambda t: pat.is_temporal(t))
ROWID = _TypeCode("ROWID", lambda t: False)


def Date(year, month, day):  # noqa: N802 - names fixed by PEP 249
    return dt.date(year, month, day)


def Time(hour, minute, second):  # noqa: N802
    return dt.time(hour, minute, second)


def Timestamp(year, month, day, hour, minute, second):  # noqa: N802
    return dt.datetime(year, month, day, hour, minute, second)


def DateFromTicks(ticks):  # noqa: N802
    return dt.date.fromtimestamp(ticks)


def TimeFromTicks(ticks):  # noqa: N802
    return dt.datetime.fromtimestamp(ticks).time()


def TimestampFromTicks(ticks):  # noqa: N802
    return dt.datetime.fromtimestamp(ticks)


def Binary(value):  # noqa: N802
    return bytes(value)


def connect(home: str | os.PathLike | None = None, dialect: str = "athena") -> Connection:
    """Open a workspace (created if missing; None means a temporary one removed on close)."""
    path, temporary = resolve_home(home)
    return Connection(path, dialect, temporary)


class Connection:
    # PEP 249's optional extension: exceptions reachable from the connection.
    Error = errors.Error
    Warning = errors.Warning
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(self, home: Path, dialect: str, temporary: bool = False):
        self.home = home
        self._temporary = temporary
        try:
            self._session = Session(home, dialect)
        except errors.Error:
            if temporary:
                shutil.rmtree(home, ignore_errors=True)
            raise
        self.closed = False

    @property
    def session(self) -> Session:
        self._check_open()
        return self._session

    @property
    def dialect(self) -> str:
        return self._session.dialect

    @dialect.setter
    def dialect(self, value: str) -> None:
        if value not in ("athena", "redshift"):
            raise errors.ProgrammingError(f"unknown dialect '{value}': use one of athena, redshift")
        self._session.dialect = value

    @property
    def catalog(self):
        return self.session.catalog

    @property
    def crawlers(self):
        """Glue crawlers over this connection's catalog and storage (boto3's method names)."""
        from lakebox.catalog.crawler import Crawlers

        return Crawlers(self.session.catalog, self.session.storage)

    def _check_open(self) -> None:
        if self.closed:
            raise errors.InterfaceError("the connection is closed")

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def execute(self, sql: str, params: Sequence | None = None) -> Cursor:
        """Shortcut: a new cursor that has executed `sql`."""
        return self.cursor().execute(sql, params)

    def commit(self) -> None:
        self._check_open()
        if self._session.in_transaction:
            self._session.execute("COMMIT")

    def rollback(self) -> None:
        self._check_open()
        if self._session.in_transaction:
            self._session.execute("ROLLBACK")

    def cancel(self) -> None:
        """Interrupt the statement running on this connection (from another thread)."""
        self._session.cancel()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._session.close()
        if self._temporary:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        self.close()

    def __del__(self):
        try:
            if not self.closed:
                self.close()
        except Exception:
            pass


class Cursor:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.arraysize = 1
        self._result: Result | None = None
        self._table: pa.Table | None = None
        self._rows: list[tuple] | None = None
        self._position = 0
        self.closed = False

    # -- attributes -----------------------------------------------------------------------------

    @property
    def description(self):
        if self._table is None:
            return None
        description = []
        for field in self._table.schema:
            precision, scale = (field.type.precision, field.type.scale) if pat.is_decimal(field.type) else (None, None)
            description.append((field.name, field.type, None, None, precision, scale, field.nullable))
        return description

    @property
    def rowcount(self) -> int:
        return self._result.rowcount if self._result is not None else -1

    @property
    def timings(self) -> dict[str, float]:
        return dict(self._result.timings) if self._result is not None else {}

    @property
    def tag(self) -> str:
        return self._result.tag if self._result is not None else ""

    # -- execution ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise errors.InterfaceError("the cursor is closed")
        self.connection._check_open()

    def execute(self, operation: str, parameters: Sequence | None = None) -> Cursor:
        self._check_open()
        if parameters is not None and (isinstance(parameters, (str, bytes)) or not isinstance(parameters, Sequence)):
            raise errors.InterfaceError("parameters must be a sequence (qmark paramstyle: ?)")
        self._result = None
        self._table = None
        self._rows = None
        self._position = 0
        self._result = self.connection.session.execute(operation, parameters)
        self._table = self._result.table
        return self

    def executemany(self, operation: str, seq_of_parameters) -> Cursor:
        self._check_open()
        total = 0
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            total += max(self.rowcount, 0)
        if self._result is not None:
            self._result.rowcount = total
        self._table = None
        return self

    # -- fetching -------------------------------------------------------------------------------

    def _require_result(self) -> pa.Table:
        self._check_open()
        if self._result is None:
            raise errors.InterfaceError("no statement has been executed")
        if self._table is None:
            raise errors.InterfaceError("the last statement returned no rows to fetch")
        return self._table

    def _take(self, count: int | None) -> list[tuple]:
        table = self._require_result()
        end = table.num_rows if count is None else min(self._position + count, table.num_rows)
        if end <= self._position:
            return []
        chunk = table.slice(self._position, end - self._position)
        self._position = end
        columns = [column.to_pylist() for column in chunk.columns]
        return list(zip(*columns)) if columns else [() for _ in range(chunk.num_rows)]

    def fetchone(self):
        rows = self._take(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        return self._take(self.arraysize if size is None else size)

    def fetchall(self) -> list[tuple]:
        return self._take(None)

    def fetch_arrow_table(self) -> pa.Table:
        """The remaining rows as an Arrow table (no per-row conversion)."""
        table = self._require_result()
        rest = table.slice(self._position)
        self._position = table.num_rows
        return rest

    def fetchdf(self):
        return self.fetch_arrow_table().to_pandas()

    def __iter__(self) -> Iterator[tuple]:
        while True:
            rows = self.fetchmany(1024)
            if not rows:
                return
            yield from rows

    def setinputsizes(self, sizes) -> None:
        pass

    def setoutputsize(self, size, column=None) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self._table = None

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
