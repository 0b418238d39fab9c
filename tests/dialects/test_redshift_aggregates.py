"""Redshift aggregate and window rules: SQL in, DuckDB SQL out, plus executed edge cases
(documented examples run in tests/conformance/redshift/aggregates.yaml)."""

from __future__ import annotations

import decimal

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_aggregates as ra
from lakebox.dialects.redshift_parser import LakeboxRedshift
from lakebox.dialects.rules import annotators

SCHEMA = {"t": {"i": "INT", "b": "BIGINT", "d": "DECIMAL(8,2)", "f": "DOUBLE", "s": "VARCHAR", "g": "INT"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift", expression_metadata=annotators("redshift"))
    return ra.redshift_aggregates(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT AVG(i) AS v FROM t", "SELECT CAST(SUM(t.i) // COUNT(t.i) AS BIGINT) AS v FROM t AS t"),
    ("SELECT AVG(DISTINCT i) AS v FROM t",
     "SELECT CAST(SUM(DISTINCT t.i) // COUNT(DISTINCT t.i) AS BIGINT) AS v FROM t AS t"),
    ("SELECT AVG(i) OVER (PARTITION BY g) AS v FROM t",
     "SELECT CAST(SUM(t.i) OVER (PARTITION BY t.g) // COUNT(t.i) OVER (PARTITION BY t.g) AS BIGINT) AS v FROM t AS t"),
    ("SELECT AVG(d) AS v FROM t",
     "SELECT CAST(LAKEBOX_RS_AVG_DECIMAL(SUM(t.d), COUNT(t.d), 100, CAST(0.01 AS DECIMAL(3, 2))) AS DECIMAL(38, 2)) "
     "AS v FROM t AS t"),
    ("SELECT AVG(f) AS v FROM t", "SELECT AVG(t.f) AS v FROM t AS t"),
    ("SELECT SUM(i) AS v FROM t", "SELECT CAST(SUM(t.i) AS BIGINT) AS v FROM t AS t"),
    ("SELECT SUM(b) AS v FROM t", "SELECT CAST(SUM(t.b) AS DECIMAL(38, 0)) AS v FROM t AS t"),
    ("SELECT SUM(d) AS v FROM t", "SELECT SUM(t.d) AS v FROM t AS t"),
    ("SELECT LISTAGG(s, ',') WITHIN GROUP (ORDER BY i) AS v FROM t",
     "SELECT LAKEBOX_RS_LISTAGG_LIMIT(LISTAGG(NULLIF(t.s, ''), ',' ORDER BY t.i)) AS v FROM t AS t"),
    ("SELECT LISTAGG(i) AS v FROM t",
     "SELECT LAKEBOX_RS_LISTAGG_LIMIT(LISTAGG(NULLIF(CAST(t.i AS TEXT), ''), '')) AS v FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.mark.parametrize("sql", [
    "SELECT SUM(i) OVER (ORDER BY g) FROM t",
    "SELECT COUNT(*) OVER (PARTITION BY g ORDER BY i) FROM t",
    "SELECT LAST_VALUE(i) OVER (ORDER BY g) FROM t",
])
def test_frame_clause_required(sql):
    with pytest.raises(errors.ProgrammingError, match=ra.FRAME_ERROR):
        rewrite(sql)


@pytest.mark.parametrize("sql", [
    "SELECT SUM(i) OVER (ORDER BY g ROWS UNBOUNDED PRECEDING) FROM t",
    "SELECT ROW_NUMBER() OVER (ORDER BY g) FROM t",
    "SELECT RANK() OVER (PARTITION BY g ORDER BY i) FROM t",
    "SELECT LAG(i) OVER (ORDER BY g) FROM t",
])
def test_frame_clause_not_required(sql):
    rewrite(sql)


def test_listaggs_share_one_order():
    with pytest.raises(errors.ProgrammingError, match="LISTAGG"):
        rewrite("SELECT LISTAGG(s) WITHIN GROUP (ORDER BY i), LISTAGG(s) WITHIN GROUP (ORDER BY g) FROM t")


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-agg"), dialect="redshift")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE n (g INT, i INT, d DECIMAL(6,3))")
    cursor.execute("INSERT INTO n VALUES (1, -7, -0.0005), (1, 2, 0.001), (2, NULL, NULL), (3, 5, 1.0005), "
                   "(3, 6, 1.0010)")
    yield cursor
    connection.close()


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_integer_avg_truncates_toward_zero(cur):
    assert rows(cur, "SELECT g, AVG(i) FROM n GROUP BY g ORDER BY g") == [(1, -2), (2, None), (3, 5)]


def test_decimal_avg_is_exact_and_rounds_half_away_from_zero(cur):
    assert rows(cur, "SELECT g, AVG(d) FROM n GROUP BY g ORDER BY g") == [
        (1, decimal.Decimal("0.000")), (2, None), (3, decimal.Decimal("1.001"))]
    assert rows(cur, "SELECT AVG(d) FROM n WHERE d < 0") == [(decimal.Decimal("-0.001"),)]


def test_listagg_limit(cur):
    with pytest.raises(errors.DataError, match="Result size exceeds LISTAGG limit"):
        rows(cur, "SELECT LISTAGG(REPEAT('x', 40000)) FROM n")
