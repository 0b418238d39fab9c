"""DuckDB's exceptions, translated into lakebox's DB-API hierarchy with the service's words."""

from __future__ import annotations

import re

import duckdb

from lakebox import errors

_DATA = (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidTypeException,
         duckdb.TypeMismatchException)


def translate(error: Exception, dialect: str | None = None) -> errors.Error:
    """Map a DuckDB exception to a lakebox one, keeping DuckDB's message minus its prefixes."""
    message = _clean(str(error))
    if _INT64_DECIMAL_PRODUCT.match(message):
        # DuckDB multiplies decimals of at most 18 digits in 64 bits; both services answer up to 38 digits
        return errors.NotSupportedError(
            "a decimal product needs more than 18 digits, which lakebox computes only from wider operands: "
            f"CAST one operand to DECIMAL(38, its scale) ({message})")
    if dialect == "athena":
        message = _trino_words(message)
    elif dialect == "redshift":
        message = _redshift_words(message)
    if dialect == "redshift" and isinstance(error, duckdb.ConstraintException):
        too_long = _REDSHIFT_LENGTH_CHECK.search(message)
        if too_long:
            kind = "character varying" if too_long.group(2) else "character"
            result = errors.DataError(f"value too long for type {kind}({too_long.group(3)})")
            result.sqlstate = "22001"
            return result
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
        data = "Could not convert" in message or message.startswith(_DATA_MESSAGES)
        return errors.DataError(message) if data else errors.ProgrammingError(message)
    if isinstance(error, duckdb.OutOfMemoryException):
        return errors.OperationalError(message)
    return errors.InternalError(message)


# The CHECK lakebox gives Redshift's CHAR(n) / VARCHAR(n) columns (engine/managed.py, _length_check).
_REDSHIFT_LENGTH_CHECK = re.compile(r"CHECK\(\(strlen\(rtrim\(\"?(\w+)\"?(, ' ')?\)\) <= (\d+)\)\)")

# Errors raised by lakebox's own macros (error('...')) that are data errors in the service.
_DATA_MESSAGES = ("Cannot cast", "Invalid format", "Invalid time zone", "Value cannot be cast",
                  # Redshift's (lakebox/dialects/redshift_*.py)
                  "invalid input syntax", "Invalid day name", "Overflow", "negative substring length",
                  "JSON parsing error", "Result size exceeds LISTAGG limit", "Invalid digit", "value out of range",
                  "date/time field", "Numeric data overflow", "Invalid operation", 'value "',
                  "invalid value")

# DuckDB's integer type names and Trino's.
_TRINO_INTEGERS = {"INT8": "tinyint", "INT16": "smallint", "INT32": "integer", "INT64": "bigint"}


_INT64_DECIMAL_PRODUCT = re.compile(r"Overflow in multiplication of DECIMAL\(18\)")


def _trino_words(message: str) -> str:
    """Trino's wording of the arithmetic and cast range errors DuckDB raises in its own words."""
    match = re.match(r"Overflow in (addition|subtraction|multiplication) of (INT\d+) \((.*)\)!?$", message)
    if match and match.group(2) in _TRINO_INTEGERS:
        return f"{_TRINO_INTEGERS[match.group(2)]} {match.group(1)} overflow: {match.group(3)}"
    if re.match(r"Overflow in (addition|subtraction|multiplication) of DECIMAL", message):
        return "Decimal overflow"
    match = re.match(r"Type (\w+) with value (.*) can't be cast because the value is out of range for the "
                     r"destination type (INT\d+)", message)
    if match and match.group(3) in _TRINO_INTEGERS:
        return f"Out of range for {_TRINO_INTEGERS[match.group(3)]}: {match.group(2)}"
    return message


# Redshift's words for integer overflow (the range of the operation's type).
_REDSHIFT_RANGES = {"INT16": "Short valid range -32768 to 32767", "INT32": "Integer valid range -2147483648 to 2147483647",
                    "INT64": "Long valid range -9223372036854775808 to 9223372036854775807"}
_PG_INTEGERS = {"INT16": "smallint", "INT32": "integer", "INT64": "bigint"}


def _redshift_words(message: str) -> str:
    match = re.match(r"Overflow in (?:addition|subtraction|multiplication|division) of (INT\d+) \((.*)\)!?$", message)
    if match and match.group(1) in _REDSHIFT_RANGES:
        return f"Overflow ({_REDSHIFT_RANGES[match.group(1)]}): {match.group(2)}"
    match = re.match(r"Type \w+ with value (.*) can't be cast because the value is out of range for the "
                     r"destination type (INT\d+)", message)
    if match and match.group(2) in _PG_INTEGERS:
        return f'value "{match.group(1)}" is out of range for type {_PG_INTEGERS[match.group(2)]}'
    return message


def _clean(message: str) -> str:
    message = re.sub(r"^[A-Za-z ]+ Error: ", "", message.strip())
    # DuckDB appends a caret picture of its own SQL text, which is not the user's SQL.
    return message.split("\n\nLINE ")[0].split("\nLINE ")[0].strip()
