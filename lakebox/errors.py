"""The PEP 249 exception hierarchy, shared by every layer.

Lives at the bottom of the package so that catalog, connectors and engine can raise
DB-API errors directly; every failure a user can cause surfaces as one of these.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class Warning(Exception):  # noqa: A001 - the name is fixed by PEP 249
    """Important warnings such as data truncation."""


class Error(Exception):
    """Base of every lakebox error."""

    #: PostgreSQL SQLSTATE the wire server reports for this error.
    sqlstate = "XX000"


class InterfaceError(Error):
    """Misuse of the DB-API interface itself (closed cursor, bad parameters)."""

    sqlstate = "08000"


class DatabaseError(Error):
    """Errors related to the database."""


class DataError(DatabaseError):
    """Problems with processed data: division by zero, bad casts, out of range values."""

    sqlstate = "22000"


class OperationalError(DatabaseError):
    """Errors of the environment: unreadable files, locked workspace, cancelled queries."""

    sqlstate = "58000"


class IntegrityError(DatabaseError):
    """Relational integrity is affected: an object that already exists."""

    sqlstate = "23000"


class InternalError(DatabaseError):
    """lakebox itself is in an inconsistent state."""


class ProgrammingError(DatabaseError):
    """Bad SQL: syntax errors, unknown names, unsupported statements."""

    sqlstate = "42000"


class NotSupportedError(DatabaseError):
    """A statement or function lakebox cannot run with the service's exact semantics."""

    sqlstate = "0A000"


class CatalogError(ProgrammingError):
    """An unknown or duplicate catalog object."""

    sqlstate = "42P01"


class EntityNotFound(CatalogError):
    """Glue's EntityNotFoundException: a database, table or partition that does not exist."""


class AlreadyExists(CatalogError):
    """Glue's AlreadyExistsException."""

    sqlstate = "42P07"


class PermissionDenied(ProgrammingError):
    """The statement reaches for something this session may not touch (the wire server's sandbox)."""

    sqlstate = "42501"


class ParseError(ProgrammingError):
    """A syntax error, with the line and column where it was found."""

    sqlstate = "42601"

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line = line
        self.column = column
        where = f"line {line}:{column}: " if line is not None else ""
        super().__init__(f"{where}{message}")


def suggest(name: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean x?)' hint for a misspelt name, or '' when nothing is close."""
    close = difflib.get_close_matches(name.lower(), sorted({c.lower() for c in candidates}), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
