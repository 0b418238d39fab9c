"""Type strings across the stack: Glue/Hive <-> sqlglot DataType <-> DuckDB.

The catalog stores Glue's lower-case Hive type strings (`bigint`, `array<struct<x:int>>`);
DuckDB needs its own spellings; sqlglot's DataType is the pivot between them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlglot import exp
from sqlglot.errors import ParseError as SqlglotParseError

from lakebox.errors import ProgrammingError

T = exp.DataType.Type

# Hive's bare DECIMAL is decimal(10,0); DuckDB's would be (18,3).
_HIVE_DEFAULT_DECIMAL = ("10", "0")
_STRING_TYPES = {T.VARCHAR, T.CHAR, T.TEXT, T.NVARCHAR, T.NCHAR, T.BPCHAR, T.NAME}


@lru_cache(maxsize=4096)
def parse_type(type_string: str, dialect: str = "hive") -> exp.DataType:
    """Parse a type string written in `dialect`, with a clear error for nonsense."""
    try:
        return exp.DataType.build(type_string, dialect=dialect)
    except (SqlglotParseError, ValueError) as error:
        raise ProgrammingError(f"unknown type '{type_string}'") from error


def _decimal_with_defaults(datatype: exp.DataType) -> exp.DataType:
    params = datatype.expressions
    if datatype.this in (T.DECIMAL,) and not params:
        precision, scale = _HIVE_DEFAULT_DECIMAL
        return exp.DataType.build(f"DECIMAL({precision}, {scale})")
    return datatype


def glue_type(datatype: exp.DataType) -> str:
    """The Glue/Hive type string for a sqlglot type: lower case, no spaces."""
    text = _decimal_with_defaults(datatype).sql("hive").lower()
    return re.sub(r"\s+", "", text)


def normalize_glue_type(type_string: str) -> str:
    """Canonical Glue spelling of a user-written Hive type ('INT' -> 'int', 'integer' -> 'int')."""
    return glue_type(parse_type(type_string, "hive"))


def _strip_string_lengths(datatype: exp.DataType) -> exp.DataType:
    """DuckDB has one VARCHAR; lengths only confuse it (and CHAR(n) padding is not DuckDB's)."""
    datatype = datatype.copy()
    for node in datatype.find_all(exp.DataType):
        if node.this in _STRING_TYPES:
            node.set("this", T.VARCHAR)
            node.set("expressions", [])
        elif node.this == T.DECIMAL and not node.expressions:
            node.set("expressions", [exp.DataTypeParam(this=exp.Literal.number(p)) for p in _HIVE_DEFAULT_DECIMAL])
    return datatype


@lru_cache(maxsize=4096)
def duckdb_type(glue_type_string: str) -> str:
    """The DuckDB spelling of a Glue/Hive type string."""
    return _strip_string_lengths(parse_type(glue_type_string, "hive")).sql("duckdb")


@lru_cache(maxsize=4096)
def glue_type_from_duckdb(duckdb_type_string: str) -> str:
    """Glue's name for a DuckDB column type (used for views, CTAS and result descriptions)."""
    return glue_type(parse_type(duckdb_type_string, "duckdb"))
