"""Mixed decimal branches take their super type: SQL in, SQL out, and the executed types."""

from __future__ import annotations

import decimal

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox.dialects import decimal_supertypes
from lakebox.dialects.rules import annotators

SCHEMA = {"t": {"a": "DECIMAL(5,1)", "b": "DECIMAL(10,3)", "i": "INT"}}


def unified(sql: str, dialect: str = "athena") -> tuple[str, bool]:
    expression = qualify(sqlglot.parse_one(sql, read=dialect), schema=SCHEMA, dialect=dialect,
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect=dialect, expression_metadata=annotators(dialect))
    changed = decimal_supertypes.unify(expression)
    return expression.sql("duckdb"), changed


@pytest.mark.parametrize("sql, expected", [
    ("SELECT x FROM (VALUES 1.5, 2.25) AS v(x)",
     "SELECT v.x AS x FROM (VALUES (CAST(1.5 AS DECIMAL(3, 2))), (2.25)) AS v(x)"),
    ("SELECT x FROM (VALUES (NULL), (1.5), (2.25)) AS v(x)",
     "SELECT v.x AS x FROM (VALUES (NULL), (CAST(1.5 AS DECIMAL(3, 2))), (2.25)) AS v(x)"),
    ("SELECT 1.5 AS x UNION ALL SELECT 12.25 UNION ALL SELECT 0.125",
     "SELECT CAST(1.5 AS DECIMAL(5, 3)) AS x UNION ALL SELECT CAST(12.25 AS DECIMAL(5, 3)) AS \"12.25\" "
     "UNION ALL SELECT CAST(0.125 AS DECIMAL(5, 3)) AS \"0.125\""),
    ("SELECT a FROM t UNION SELECT b FROM t",
     "SELECT CAST(t.a AS DECIMAL(10, 3)) AS a FROM t AS t UNION SELECT t.b AS b FROM t AS t"),
    ("SELECT CASE WHEN i > 0 THEN a ELSE b END AS x FROM t",
     "SELECT CASE WHEN t.i > 0 THEN CAST(t.a AS DECIMAL(10, 3)) ELSE t.b END AS x FROM t AS t"),
    ("SELECT COALESCE(a, b) AS x FROM t", "SELECT COALESCE(CAST(t.a AS DECIMAL(10, 3)), t.b) AS x FROM t AS t"),
    ("SELECT IF(i > 0, 1.5, 22.25) AS x FROM t",
     "SELECT CASE WHEN t.i > 0 THEN CAST(1.5 AS DECIMAL(4, 2)) ELSE 22.25 END AS x FROM t AS t"),
])
def test_branches_are_cast_to_the_super_type(sql, expected):
    assert unified(sql) == (expected, True)


@pytest.mark.parametrize("sql", [
    "SELECT COALESCE(a, a) AS x FROM t",               # one decimal type: nothing to do
    "SELECT COALESCE(a, i) AS x FROM t",               # integer and decimal: sqlglot's own rule
    "SELECT x FROM (VALUES 1.5, 2.5) AS v(x)",
    "SELECT a FROM t UNION SELECT a FROM t",
])
def test_nothing_changes_without_mixed_decimals(sql):
    before = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                     quote_identifiers=False).sql("duckdb")
    assert unified(sql) == (before, False)


def test_super_type_caps_precision_at_38():
    assert decimal_supertypes.decimal_supertype(
        [sqlglot.exp.DataType.build("DECIMAL(38,0)"), sqlglot.exp.DataType.build("DECIMAL(38,10)")]) == (38, 10)


@pytest.mark.parametrize("dialect, sql, expected_type, expected", [
    ("athena", "SELECT typeof(x), avg(x) FROM (VALUES 1.5, 2.25, 1.0) AS t(x) GROUP BY 1",
     "decimal(3,2)", decimal.Decimal("1.58")),
    ("athena", "SELECT typeof(x), max(x) FROM (SELECT 1.5 AS x UNION ALL SELECT 12.25) GROUP BY 1",
     "decimal(4,2)", decimal.Decimal("12.25")),
    ("athena", "SELECT typeof(c), c FROM (SELECT CASE WHEN true THEN 1.5 ELSE 22.125 END AS c)",
     "decimal(5,3)", decimal.Decimal("1.500")),
])
def test_executed_types(dialect, sql, expected_type, expected):
    with lakebox.connect(dialect=dialect) as conn:
        cursor = conn.cursor()
        cursor.execute(sql)
        assert cursor.fetchall() == [(expected_type, expected)]


def test_redshift_union_takes_the_largest_scale():
    with lakebox.connect(dialect="redshift") as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT x FROM (SELECT 1.5 AS x UNION ALL SELECT 12.25) ORDER BY x")
        assert cursor.fetchall() == [(decimal.Decimal("1.50"),), (decimal.Decimal("12.25"),)]
