"""Date/time rules: SQL in, DuckDB SQL out (executed results: tests/conformance/athena/datetime.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import datetime as dt_rules
from lakebox.dialects.rules import annotators
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"d": "DATE", "ts": "TIMESTAMP", "s": "VARCHAR", "n": "BIGINT"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena", expression_metadata=annotators("athena"))
    return dt_rules.athena_datetime(expression, "athena").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT date_add('day', 1, d) AS x FROM t", "SELECT CAST(t.d + INTERVAL 1 DAY AS DATE) AS x FROM t AS t"),
    ("SELECT date_add('hour', 1, ts) AS x FROM t", "SELECT t.ts + INTERVAL 1 HOUR AS x FROM t AS t"),
    ("SELECT d + INTERVAL '1' MONTH AS x FROM t", "SELECT CAST(t.d + INTERVAL '1' MONTH AS DATE) AS x FROM t AS t"),
    ("SELECT d - INTERVAL '2' DAY AS x FROM t", "SELECT CAST(t.d - INTERVAL '2' DAY AS DATE) AS x FROM t AS t"),
    ("SELECT ts + INTERVAL '2' HOUR AS x FROM t", "SELECT t.ts + INTERVAL '2' HOUR AS x FROM t AS t"),
    ("SELECT date_trunc('month', d) AS x FROM t", "SELECT CAST(DATE_TRUNC('MONTH', t.d) AS DATE) AS x FROM t AS t"),
    ("SELECT date_trunc('month', ts) AS x FROM t", "SELECT DATE_TRUNC('MONTH', t.ts) AS x FROM t AS t"),
    ("SELECT date_diff('day', d, d) AS x FROM t", "SELECT DATE_SUB('day', t.d, t.d) AS x FROM t AS t"),
    ("SELECT date_diff('hour', ts, ts) AS x FROM t", "SELECT DATE_SUB('hour', t.ts, t.ts) AS x FROM t AS t"),
    ("SELECT extract(dow FROM d) AS x FROM t", "SELECT EXTRACT(ISODOW FROM t.d) AS x FROM t AS t"),
    ("SELECT extract(doy FROM d) AS x FROM t", "SELECT EXTRACT(DAYOFYEAR FROM t.d) AS x FROM t AS t"),
    ("SELECT extract(yow FROM d) AS x FROM t", "SELECT EXTRACT(ISOYEAR FROM t.d) AS x FROM t AS t"),
    ("SELECT millisecond(ts) AS x FROM t", "SELECT CAST((MILLISECOND(t.ts) % 1000) AS BIGINT) AS x FROM t AS t"),
    ("SELECT current_timezone() AS x", "SELECT 'UTC' AS x"),
    ("SELECT from_unixtime(n) AS x FROM t", "SELECT TO_TIMESTAMP(t.n) AS x FROM t AS t"),
    ("SELECT from_unixtime(n, 'Asia/Tokyo') AS x FROM t", "SELECT TIMEZONE('Asia/Tokyo', TO_TIMESTAMP(t.n)) AS x FROM t AS t"),
    ("SELECT to_unixtime(from_unixtime(n, 'Asia/Tokyo')) AS x FROM t", "SELECT EPOCH(TO_TIMESTAMP(t.n)) AS x FROM t AS t"),
    ("SELECT to_iso8601(d) AS x FROM t", "SELECT STRFTIME(t.d, '%Y-%m-%d') AS x FROM t AS t"),
    ("SELECT to_iso8601(ts) AS x FROM t", "SELECT STRFTIME(t.ts, '%Y-%m-%dT%H:%M:%S.%g') AS x FROM t AS t"),
    ("SELECT ts AT TIME ZONE 'Asia/Tokyo' AS x FROM t",
     "SELECT TIMEZONE('Asia/Tokyo', CAST(t.ts AS TIMESTAMPTZ)) AS x FROM t AS t"),
    ("SELECT yow(d) AS x FROM t", "SELECT EXTRACT(ISOYEAR FROM t.d) AS x FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.mark.parametrize("sql, error, match", [
    ("SELECT date_add('hour', 1, d) AS x FROM t", ProgrammingError, "'hour' is not a valid DATE field"),
    ("SELECT date_trunc('minute', d) AS x FROM t", ProgrammingError, "'minute' is not a valid DATE field"),
    ("SELECT d + INTERVAL '1' HOUR AS x FROM t", ProgrammingError, "Cannot add hour"),
    ("SELECT date_add('day', 1, some_udf(d)) AS x FROM t", NotSupportedError, "date_add"),
    ("SELECT extract(century FROM d) AS x FROM t", ProgrammingError, "Invalid EXTRACT field"),
])
def test_errors(sql, error, match):
    with pytest.raises(error, match=match):
        rewrite(sql)


def test_zoned_values_remember_their_instant():
    expression = sqlglot.parse_one("SELECT from_unixtime(1, 'UTC') AS x", read="athena")
    annotate_types(expression, dialect="athena")
    rewritten = dt_rules.athena_datetime(expression, "athena")
    assert dt_rules.ZONE_META in rewritten.expressions[0].this.meta
