"""Athena aggregates: SQL in, DuckDB SQL out (executed results in tests/conformance/athena/aggregates.yaml)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import aggregates
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"s": "VARCHAR", "i": "INT", "f": "DOUBLE", "d": "DECIMAL(10,2)", "ok": "BOOLEAN"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena")
    for rule in aggregates.RULES["athena"]:
        expression = rule(expression, "athena")
    return expression.sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT count_if(ok) AS x FROM t", "SELECT COUNT(CASE WHEN t.ok THEN 1 END) AS x FROM t AS t"),
    ("SELECT count_if(ok) OVER (PARTITION BY s) AS x FROM t",
     "SELECT COUNT(CASE WHEN t.ok THEN 1 END) OVER (PARTITION BY t.s) AS x FROM t AS t"),
    ("SELECT every(ok) AS x FROM t", "SELECT BOOL_AND(t.ok) AS x FROM t AS t"),
    ("SELECT max_by(s, i) AS x, min_by(s, i) AS y FROM t",
     "SELECT ARG_MAX_NULL(t.s, t.i) AS x, ARG_MIN_NULL(t.s, t.i) AS y FROM t AS t"),
    ("SELECT max_by(s, i, 2) AS x FROM t", "SELECT TRINO_MAX_BY_N(t.s, t.i, 2) AS x FROM t AS t"),
    ("SELECT approx_distinct(s) AS x FROM t", "SELECT COUNT(DISTINCT t.s) AS x FROM t AS t"),
    ("SELECT listagg(s) WITHIN GROUP (ORDER BY s) AS x FROM t",
     "SELECT LISTAGG(t.s, '' ORDER BY t.s) AS x FROM t AS t"),
    ("SELECT histogram(s) AS x, map_agg(s, i) AS y FROM t",
     "SELECT TRINO_HISTOGRAM(t.s) AS x, TRINO_MAP_AGG(t.s, t.i) AS y FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_approx_percentile_is_exact_on_small_inputs():
    sql = rewrite("SELECT approx_percentile(i, 0.5) AS x FROM t")
    assert sql.startswith("SELECT CASE WHEN COUNT(CAST(t.i AS BIGINT)) <= 79 THEN LIST_EXTRACT(MIN(CAST(t.i AS "
                          "BIGINT), 79), LEAST(CAST(FLOOR(0.5 * COUNT(CAST(t.i AS BIGINT))) AS BIGINT)")
    assert sql.endswith("ELSE APPROX_QUANTILE(CAST(t.i AS BIGINT), 0.5) END AS x FROM t AS t")
    assert "CAST(t.d AS DOUBLE)" in rewrite("SELECT approx_percentile(d, 0.5) AS x FROM t")


def test_skewness_is_the_population_skewness():
    assert rewrite("SELECT skewness(f) AS x FROM t") == (
        "SELECT (SKEWNESS(t.f)) * ((COUNT(t.f) - 2) / SQRT(CAST(COUNT(t.f) * (COUNT(t.f) - 1) AS DOUBLE))) AS x "
        "FROM t AS t")


@pytest.mark.parametrize("sql, error", [
    ("SELECT approx_percentile(i, 2, 0.5) AS x FROM t", NotSupportedError),
    ("SELECT approx_percentile(i, 1.5) AS x FROM t", ProgrammingError),
    ("SELECT approx_percentile(s, 0.5) AS x FROM t", ProgrammingError),
    ("SELECT approx_distinct(s, 0.5) AS x FROM t", ProgrammingError),
    ("SELECT listagg(s, ',' ON OVERFLOW TRUNCATE) WITHIN GROUP (ORDER BY s) AS x FROM t", NotSupportedError),
    ("SELECT checksum(s) AS x FROM t", NotSupportedError),
])
def test_refusals(sql, error):
    with pytest.raises(error):
        rewrite(sql)


def test_macros_run():
    con = duckdb.connect()
    for macro in aggregates.MACROS:
        con.execute(macro)
    rows = "(VALUES ('a', 1), ('b', 2), ('a', 3), (NULL, 4)) AS t(k, v)"
    assert con.execute(f"SELECT trino_map_agg(k, v) FROM {rows}").fetchone()[0] == {"a": 1, "b": 2}
    assert con.execute(f"SELECT trino_histogram(k) FROM {rows}").fetchone()[0] == {"a": 2, "b": 1}
    assert con.execute(f"SELECT trino_max_by_n(k, v, 2) FROM {rows}").fetchone()[0] == [None, "a"]
    con.close()
