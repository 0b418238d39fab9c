"""Redshift DECIMAL division: SQL in, DuckDB SQL out, result types from the reference, executed results.

Documented examples run in tests/conformance/redshift/math.yaml (function "/ (decimal)").
"""

from __future__ import annotations

import decimal

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_decimal as rd
from lakebox.dialects.redshift_parser import LakeboxRedshift
from sqlglot import exp

SCHEMA = {"t": {"p": "DECIMAL(8,2)", "c": "DECIMAL(8,2)", "q": "SMALLINT", "d": "DOUBLE", "n": "INT"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    return rd.redshift_decimal_division(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    # the reference's example: DECIMAL(8,2) / DECIMAL(8,2) is DECIMAL(17,9)
    ("SELECT p / c AS v FROM t",
     "SELECT CAST(CAST(LAKEBOX_RS_DECIMAL_QUOTIENT(CAST((t.p) * 100 AS INT128), CAST((t.c) * 100 AS INT128), "
     "CAST(1000000000 AS INT128), CAST(100000000000000000 AS INT128), CAST(100000000 AS INT128)) AS DECIMAL(38, 0)) "
     "* CAST(0.000000001 AS DECIMAL(10, 9)) AS DECIMAL(17, 9)) AS v FROM t AS t"),
    # a SMALLINT operand counts as DECIMAL(5,0): scale max(4, 2 + 5 - 0 + 1) = 8
    ("SELECT p / q AS v FROM t",
     "SELECT CAST(CAST(LAKEBOX_RS_DECIMAL_QUOTIENT(CAST((t.p) * 100 AS INT128), CAST(t.q AS INT128), "
     "CAST(1000000 AS INT128), CAST(100000000000000 AS INT128), CAST(100000000 AS INT128)) AS DECIMAL(38, 0)) "
     "* CAST(0.00000001 AS DECIMAL(9, 8)) AS DECIMAL(14, 8)) AS v FROM t AS t"),
    # a DOUBLE operand: DOUBLE division, untouched
    ("SELECT p / d AS v FROM t", "SELECT t.p / t.d AS v FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.mark.parametrize("sql, precision, scale", [
    ("SELECT p / c AS v FROM t", 17, 9),           # the reference's PRICEPAID / COMMISSION
    ("SELECT p / q AS v FROM t", 14, 8),           # SMALLINT is DECIMAL(5,0)
    ("SELECT p / n AS v FROM t", 19, 13),          # INTEGER is DECIMAL(10,0)
    ("SELECT q / p AS v FROM t", 14, 7),           # DECIMAL(5,0) / DECIMAL(8,2)
    ("SELECT 2.00 / 3.00 AS v FROM t", 7, 4),      # literals: DECIMAL(3,2); scale at least 4
    ("SELECT (p + c) / c AS v FROM t", 18, 9),     # p + c is DECIMAL(9,2)
    ("SELECT (p * c) / c AS v FROM t", 26, 11),    # p * c is DECIMAL(17,4)
    ("SELECT (p / c) / c AS v FROM t", 26, 16),    # the inner quotient is DECIMAL(17,9)
    ("SELECT CAST(p AS DECIMAL(38,10)) / CAST(c AS DECIMAL(38,10)) AS v FROM t", 38, 38),  # both capped at 38
])
def test_result_types(sql, precision, scale):
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    division = expression.find(exp.Div)
    for inner in reversed(list(division.find_all(exp.Div))):  # innermost first, as the rule goes
        if inner is not division:
            inner.replace(rd.exact_division(inner))
    assert rd.numeric_type(division) == ("dec", precision, scale)


def test_literal_types():
    assert rd.literal_type("187.00") == ("dec", 5, 2)
    assert rd.literal_type("0.05") == ("dec", 2, 2)
    assert rd.literal_type("12") == ("int", 10, 0)
    assert rd.literal_type("12345678901") == ("int", 19, 0)
    assert rd.literal_type("1e3") == ("float", 0, 0)


def test_a_scale_shift_beyond_128_bits_is_refused():
    with pytest.raises(errors.NotSupportedError, match="more than 128 bits"):
        rewrite("SELECT CAST(p AS DECIMAL(38,0)) / CAST(c AS DECIMAL(38,10)) AS v FROM t")


@pytest.fixture(scope="module")
def cursor(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rsdec"), dialect="redshift")
    cur = connection.cursor()
    cur.execute("CREATE TABLE t (p DECIMAL(8,2), c DECIMAL(8,2), q SMALLINT, d DOUBLE PRECISION, n INT)")
    cur.execute("INSERT INTO t VALUES (187.00, 28.05, 4, 2.5, 7), (-10.00, 3.00, 3, 4.0, 9)")
    yield cur
    connection.close()


@pytest.mark.parametrize("sql, expected", [
    ("SELECT p / c FROM t ORDER BY p DESC", ["6.666666667", "-3.333333333"]),
    ("SELECT p / q FROM t ORDER BY p DESC", ["46.75000000", "-3.33333333"]),
    ("SELECT q / p FROM t ORDER BY p DESC", ["0.0213904", "-0.3000000"]),
    ("SELECT sum(p) / count(*) FROM t", ["88.5000000000000000000000"]),
    ("SELECT -7.00 / 2.00", ["-3.5000"]),
    ("SELECT 2.0 / 3", ["0.666666666667"]),   # rounded half away from zero
    ("SELECT -2.0 / 3", ["-0.666666666667"]),
    ("SELECT CAST(2 AS DECIMAL(38,10)) / CAST(3 AS DECIMAL(38,10))",  # long division: 38 digits
     ["0.66666666666666666666666666666666666667"]),
])
def test_quotients(cursor, sql, expected):
    cursor.execute(sql)
    values = [row[0] for row in cursor.fetchall()]
    assert all(isinstance(v, decimal.Decimal) for v in values)
    assert [str(v) for v in values] == expected


def test_types_through_pg_typeof_and_double(cursor):
    cursor.execute("SELECT pg_typeof(p / c), pg_typeof(p / d), p / d FROM t ORDER BY p DESC LIMIT 1")
    assert cursor.fetchall() == [("numeric", "double precision", 74.8)]


@pytest.mark.parametrize("sql, message", [
    ("SELECT p / 0 FROM t", "Division by zero"),
    ("SELECT p / CAST(0 AS DECIMAL(8,2)) FROM t", "Division by zero"),
    ("SELECT CAST(5 AS DECIMAL(38,10)) / CAST(3 AS DECIMAL(38,10))", "Numeric data overflow"),
])
def test_errors(cursor, sql, message):
    with pytest.raises(lakebox.DataError, match=message):
        cursor.execute(sql)
        cursor.fetchall()


def test_nulls(cursor):
    cursor.execute("SELECT p / NULL, CAST(NULL AS DECIMAL(8,2)) / c FROM t LIMIT 1")
    assert cursor.fetchall() == [(None, None)]
