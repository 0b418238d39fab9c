"""DuckDB's exceptions, translated into lakebox's DB-API hierarchy with the service's words."""

from __future__ import annotations

import re

import duckdb

from lakebox import errors

_DATA = (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidTypeException,
         duckdb.TypeMismatchException)


def translate(error: Exception) -> errors.Error:
    """Map a DuckDB exception to a lakebox one, keeping DuckDB's message minus its prefixes."""
    message = _clean(str(error))
    if isinstance(error, duckdb.InterruptException):
        result: errors.Error = errors.OperationalError("query was cancelled")
        result.sqlstate = "57014"
        return result
    if isinstance(error, duckdb.IOException) or isinstance(error, duckdb.HTTPException):
        return errors.OperationalError(message)
    if isinstance(error, _DATA) or "Division by zero" in message:
        if "Division by zero" in message or "division by zero" in message:
            result = errors.DataError("Division by zero")
            result.sqlstate = "22012"
            return result
        return errors.DataError(message)
    if isinstance(error, duckdb.CatalogException):
        return errors.CatalogError(message)
    if isinstance(error, (duckdb.ParserException, duckdb.BinderException, duckdb.SyntaxException)):
        return errors.ProgrammingError(message)
    if isinstance(error, duckdb.ConstraintException):
        return errors.IntegrityError(message)
    if isinstance(error, duckdb.TransactionException):
        return errors.OperationalError(message)
    if isinstance(error, duckdb.NotImplementedException):
        return errors.NotSupportedError(message)
    if isinstance(error, duckdb.InvalidInputException):
        return errors.DataError(message) if "Could not convert" in message else errors.ProgrammingError(message)
    if isinstance(error, duckdb.OutOfMemoryException):
        return errors.OperationalError(message)
    return errors.InternalError(message)


def _clean(message: str) -> str:
    message = re.sub(r"^[A-Za-z ]+ Error: ", "", message.strip())
    # DuckDB appends a caret picture of its own SQL text, which is not the user's SQL.
    return message.split("\n\nLINE ")[0].split("\nLINE ")[0].strip()
