"""Cast rules: SQL in, DuckDB SQL out (executed results are in tests/conformance/athena/casts.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import casts
from lakebox.dialects.rules import annotators

SCHEMA = {"t": {"s": "VARCHAR", "i": "INT", "f": "DOUBLE", "r": "REAL", "d": "DECIMAL(5,2)", "ts": "TIMESTAMP"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena", expression_metadata=annotators("athena"))
    return casts.athena_casts(expression, "athena").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT CAST(s AS INTEGER) AS x FROM t", "SELECT LAKEBOX_VARCHAR_TO_INT(t.s) AS x FROM t AS t"),
    ("SELECT CAST(s AS BIGINT) AS x FROM t", "SELECT LAKEBOX_VARCHAR_TO_BIGINT(t.s) AS x FROM t AS t"),
    ("SELECT TRY_CAST(s AS SMALLINT) AS x FROM t", "SELECT LAKEBOX_VARCHAR_TO_SMALLINT_OR_NULL(t.s) AS x FROM t AS t"),
    ("SELECT CAST('7' AS TINYINT) AS x", "SELECT LAKEBOX_VARCHAR_TO_TINYINT('7') AS x"),
    ("SELECT CAST(f AS INTEGER) AS x FROM t",
     "SELECT CAST(LAKEBOX_DOUBLE_ROUND_FOR_CAST(t.f, 'integer') AS INT) AS x FROM t AS t"),
    ("SELECT CAST(r AS BIGINT) AS x FROM t",
     "SELECT CAST(LAKEBOX_DOUBLE_ROUND_FOR_CAST(t.r, 'bigint') AS BIGINT) AS x FROM t AS t"),
    # unchanged: DuckDB already rounds decimals half away from zero, and other targets are DuckDB's casts
    ("SELECT CAST(d AS INTEGER) AS x FROM t", "SELECT CAST(t.d AS INT) AS x FROM t AS t"),
    ("SELECT CAST(i AS BIGINT) AS x FROM t", "SELECT CAST(t.i AS BIGINT) AS x FROM t AS t"),
    ("SELECT CAST(s AS DOUBLE) AS x FROM t", "SELECT CAST(t.s AS DOUBLE) AS x FROM t AS t"),
    ("SELECT CAST(f AS VARCHAR) AS x FROM t", "SELECT LAKEBOX_JAVA_DOUBLE_TEXT(t.f) AS x FROM t AS t"),
    ("SELECT CAST(ts AS VARCHAR) AS x FROM t", "SELECT STRFTIME(t.ts, '%Y-%m-%d %H:%M:%S.%g') AS x FROM t AS t"),
    ("SELECT CAST(i AS VARCHAR) AS x FROM t", "SELECT CAST(t.i AS TEXT) AS x FROM t AS t"),
])
def test_cast_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_macros_are_one_per_integer_type_and_mode():
    names = [m.split("MACRO ")[1].split("(")[0] for m in casts.MACROS]
    assert "lakebox_varchar_to_int" in names and "lakebox_varchar_to_bigint_or_null" in names
