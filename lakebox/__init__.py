"""lakebox: Athena and Redshift SQL over a Glue-shaped catalog, run locally on DuckDB."""

from lakebox.dbapi import (BINARY, DATETIME, NUMBER, ROWID, STRING, Binary, Connection, Cursor, Date,
                           DateFromTicks, Time, TimeFromTicks, Timestamp, TimestampFromTicks, apilevel, connect,
                           paramstyle, threadsafety)
from lakebox.errors import (DatabaseError, DataError, Error, IntegrityError, InterfaceError, InternalError,
                            NotSupportedError, OperationalError, PermissionDenied, ProgrammingError,
                            Warning)

__version__ = "0.1.0"

__all__ = [
    "BINARY", "DATETIME", "NUMBER", "ROWID", "STRING", "Binary", "Connection", "Cursor", "DataError",
    "DatabaseError", "Date", "DateFromTicks", "Error", "IntegrityError", "InterfaceError", "InternalError",
    "NotSupportedError", "OperationalError", "PermissionDenied", "ProgrammingError", "Time", "TimeFromTicks", "Timestamp",
    "TimestampFromTicks", "Warning", "apilevel", "connect", "paramstyle", "threadsafety",
]
