"""Redshift result types, casts, pg_typeof and output names (documented examples run in
tests/conformance/redshift/types.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_types as rt
from lakebox.dialects.redshift_names import output_name
from lakebox.dialects.redshift_parser import LakeboxRedshift
from lakebox.dialects.rules import annotators

SCHEMA = {"t": {"s": "VARCHAR", "i": "INT", "h": "SMALLINT", "f": "DOUBLE", "d": "DATE", "ts": "TIMESTAMP",
                "tm": "TIME"}}


def annotated(sql: str):
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift", expression_metadata=annotators("redshift"))
    return expression


def rewrite(sql: str) -> str:
    return rt.redshift_types(annotated(sql), "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT CAST(s AS INT) AS v FROM t", "SELECT LAKEBOX_RS_TEXT_TO_INTEGER(t.s) AS v FROM t AS t"),
    ("SELECT s::BIGINT AS v FROM t", "SELECT LAKEBOX_RS_TEXT_TO_BIGINT(t.s) AS v FROM t AS t"),
    ("SELECT f::INT AS v FROM t", "SELECT CAST(LAKEBOX_RS_ROUND_HALF_AWAY(t.f) AS INT) AS v FROM t AS t"),
    ("SELECT s::DATE AS v FROM t", "SELECT CAST(LAKEBOX_RS_TEXT_TO_TIMESTAMP(t.s) AS DATE) AS v FROM t AS t"),
    ("SELECT i::BIGINT AS v FROM t", "SELECT CAST(t.i AS BIGINT) AS v FROM t AS t"),
    ("SELECT h * 20000 AS v FROM t", "SELECT t.h * CAST(20000 AS INT) AS v FROM t AS t"),
    ("SELECT h * h AS v FROM t", "SELECT t.h * t.h AS v FROM t AS t"),
    ("SELECT PG_TYPEOF(i) AS v FROM t", "SELECT LAKEBOX_RS_PG_TYPE_NAME(TYPEOF(t.i)) AS v FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.mark.parametrize("sql, expected", [
    ("SELECT DATEADD(day, 1, d) AS v FROM t", "TIMESTAMP"),
    ("SELECT DATEADD(hour, 1, tm) AS v FROM t", "TIME"),
    ("SELECT DATEDIFF(day, d, ts) AS v FROM t", "BIGINT"),
    ("SELECT DATE_PART(dow, d) AS v FROM t", "DOUBLE"),
    ("SELECT EXTRACT(dow FROM d) AS v FROM t", "INT"),
    ("SELECT TRUNC(ts) AS v FROM t", "DATE"),
    ("SELECT MONTHS_BETWEEN(d, d) AS v FROM t", "DOUBLE"),
    ("SELECT AVG(i) AS v FROM t", "BIGINT"),
    ("SELECT SUM(i) AS v FROM t", "BIGINT"),
    ("SELECT x.v FROM (SELECT ADD_MONTHS(d, 1) AS v FROM t) AS x", "TIMESTAMP"),
])
def test_result_types_flow_through_subqueries(sql, expected):
    expression = annotated(sql)
    assert expression.selects[0].type.sql("duckdb") == expected


@pytest.mark.parametrize("sql, expected", [
    ("SELECT DATEADD(day, 1, d)", "date_add"), ("SELECT DATEDIFF(day, d, d)", "date_diff"),
    ("SELECT DATE_PART(dow, d)", "pgdate_part"), ("SELECT EXTRACT(dow FROM d)", "date_part"),
    ("SELECT NVL(a, b)", "coalesce"), ("SELECT COALESCE(a, b)", "coalesce"), ("SELECT DECODE(a, 1, 2)", "case"),
    ("SELECT CASE WHEN a THEN 1 END", "case"), ("SELECT SYSDATE", "timestamp"), ("SELECT GETDATE()", "getdate"),
    ("SELECT BTRIM(s)", "btrim"), ("SELECT TRIM(s)", "btrim"), ("SELECT LEN(s)", "len"),
    ("SELECT SUBSTR(s, 1)", "substr"), ("SELECT SUBSTRING(s, 1)", "substring"), ("SELECT 1 + 1", "?column?"),
    ("SELECT 'a'", "?column?"), ("SELECT x::int", "x"), ("SELECT NOW()::date", "now"),
    ("SELECT APPROXIMATE COUNT(DISTINCT x)", "count"), ("SELECT COUNT(*)", "count"),
    ("SELECT SUM(x) OVER ()", "sum"), ("SELECT LISTAGG(x) WITHIN GROUP (ORDER BY x)", "listagg"),
    ("SELECT CHARINDEX('a', s)", "charindex"), ("SELECT STRPOS(s, 'a')", "strpos"),
    ("SELECT POSITION('a' IN s)", "position"), ("SELECT CURRENT_DATE", "date"),
])
def test_output_names(sql, expected):
    projection = sqlglot.parse_one(sql, read=LakeboxRedshift).selects[0]
    assert output_name(projection) == expected


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-types"), dialect="redshift")
    yield connection.cursor()
    connection.close()


@pytest.mark.parametrize("text", ["2.7", "1e3", "", "12a", "0x10"])
def test_text_that_is_not_an_integer(cur, text):
    with pytest.raises(errors.DataError, match="invalid input syntax for integer"):
        cur.execute(f"SELECT '{text}'::int")


def test_overflow_in_redshift_words(cur):
    with pytest.raises(errors.DataError, match=r"Overflow \(Integer valid range"):
        cur.execute("SELECT 2147483647 + 1")
    with pytest.raises(errors.DataError, match=r"Overflow \(Long valid range"):
        cur.execute("SELECT 9223372036854775807 + 1")
