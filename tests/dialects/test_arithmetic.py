"""Arithmetic rules: SQL in, DuckDB SQL out (executed results are in tests/conformance/athena/arithmetic.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import arithmetic
from lakebox.dialects.rules import annotators
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"i": "INT", "b": "BIGINT", "d": "DECIMAL(15,2)", "e": "DECIMAL(10,4)", "f": "DOUBLE", "r": "REAL"}}


def rewrite(sql: str, dialect: str = "athena") -> str:
    expression = qualify(sqlglot.parse_one(sql, read=dialect), schema=SCHEMA, dialect=dialect,
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect=dialect, expression_metadata=annotators(dialect))
    for rule in arithmetic.RULES[dialect]:
        expression = rule(expression, dialect)
    return expression.sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT i / 2 AS x FROM t", "SELECT t.i // 2 AS x FROM t AS t"),
    ("SELECT i / b AS x FROM t", "SELECT t.i // t.b AS x FROM t AS t"),
    ("SELECT f / 2 AS x FROM t", "SELECT t.f / 2 AS x FROM t AS t"),
    ("SELECT 1.5 AS x", "SELECT 1.5 AS x"),
    ("SELECT 0.5 AS x", "SELECT CAST(0.5 AS DECIMAL(1, 1)) AS x"),
    ("SELECT 1e3 AS x", "SELECT 1e3 AS x"),
])
def test_integer_division_and_literals(sql, expected):
    assert rewrite(sql) == expected


def test_redshift_only_gets_integer_division():
    assert rewrite("SELECT i / 2 AS x, 0.5 AS y FROM t", "redshift") == "SELECT t.i // 2 AS x, 0.5 AS y FROM t AS t"


def test_decimal_division_is_exact_hugeint_arithmetic():
    sql = rewrite("SELECT d / e AS x FROM t")
    assert "INT128" in sql and " / " not in sql
    assert sql.endswith("AS DECIMAL(21, 4)) AS x FROM t AS t")  # min(38, 15 + 4 + max(0, 4 - 2)), max(2, 4)


def test_decimal_division_by_integer_uses_integer_precision():
    assert "AS DECIMAL(15, 2)) AS x" in rewrite("SELECT d / i AS x FROM t")  # decimal(10,0) divisor: 15 + 0


def test_double_and_decimal_stays_double():
    assert rewrite("SELECT d / f AS x FROM t") == "SELECT t.d / t.f AS x FROM t AS t"


def test_avg_of_decimal_keeps_the_type():
    sql = rewrite("SELECT avg(d) AS x FROM t")
    assert "SUM(t.d)" in sql and "COUNT(t.d)" in sql and sql.endswith("AS DECIMAL(15, 2)) AS x FROM t AS t")


def test_avg_window_keeps_the_window():
    sql = rewrite("SELECT avg(d) OVER (PARTITION BY i) AS x FROM t")
    assert "SUM(t.d) OVER (PARTITION BY t.i)" in sql and "COUNT(t.d) OVER (PARTITION BY t.i)" in sql


@pytest.mark.parametrize("sql, expected", [
    ("SELECT avg(r) AS x FROM t", "SELECT CAST(AVG(t.r) AS REAL) AS x FROM t AS t"),
    ("SELECT avg(i) AS x FROM t", "SELECT AVG(t.i) AS x FROM t AS t"),
    ("SELECT sum(i) AS x FROM t", "SELECT CAST(SUM(t.i) AS BIGINT) AS x FROM t AS t"),
    ("SELECT sum(r) AS x FROM t", "SELECT CAST(SUM(t.r) AS REAL) AS x FROM t AS t"),
    ("SELECT sum(d) AS x FROM t", "SELECT SUM(t.d) AS x FROM t AS t"),
])
def test_aggregate_result_types(sql, expected):
    assert rewrite(sql) == expected


def test_typeof_literals_fold_and_others_map_duckdb_names():
    assert rewrite("SELECT typeof('abc') AS x") == "SELECT 'varchar(3)' AS x"
    assert rewrite("SELECT typeof(1.50) AS x") == "SELECT 'decimal(3,2)' AS x"
    assert rewrite("SELECT typeof(i) AS x FROM t") == "SELECT LAKEBOX_TRINO_TYPE(TYPEOF(t.i)) AS x FROM t AS t"


def test_decimal_literal_beyond_38_digits_is_an_error():
    with pytest.raises(ProgrammingError, match="maximum precision"):
        rewrite("SELECT 1234567890123456789012345678901234567890.5 AS x")


def test_width_bucket_with_bins_is_refused():
    with pytest.raises(NotSupportedError, match="width_bucket"):
        rewrite("SELECT width_bucket(1.0E0, ARRAY[1.0E0]) AS x")


@pytest.mark.parametrize("text, expected", [
    ("1.2345", (5, 4)), ("0.5", (1, 1)), ("00.50", (2, 2)), ("10.0", (3, 1)), ("0.0", (1, 1)), ("1e3", None),
    ("12", None),
])
def test_literal_decimal_type(text, expected):
    assert arithmetic.literal_decimal_type(text) == expected


@pytest.mark.parametrize("op, a, b, expected", [
    ("add", (5, 4), (2, 1), (6, 4)), ("mul", (2, 1), (3, 2), (5, 3)), ("div", (3, 1), (10, 0), (3, 1)),
    ("div", (4, 1), (4, 3), (9, 3)), ("mod", (2, 1), (10, 0), (2, 1)), ("add", (38, 0), (38, 2), (38, 2)),
])
def test_decimal_result_types(op, a, b, expected):
    ops = {"add": sqlglot.exp.Add, "mul": sqlglot.exp.Mul, "div": sqlglot.exp.Div, "mod": sqlglot.exp.Mod}
    assert arithmetic.decimal_result(ops[op], a, b) == expected


@pytest.mark.parametrize("sql, expected", [
    ("SELECT CAST(d AS DECIMAL) AS x FROM t", "SELECT CAST(t.d AS DECIMAL(38, 0)) AS x FROM t AS t"),
    ("SELECT DECIMAL '1.50' AS x", "SELECT CAST('1.50' AS DECIMAL(3, 2)) AS x"),
    ("SELECT CAST('1.50' AS DECIMAL) AS x", "SELECT CAST('1.50' AS DECIMAL(38, 0)) AS x"),
])
def test_bare_decimal_is_38_0_and_typed_literals_keep_their_digits(sql, expected):
    assert rewrite(sql) == expected


def test_or_null_twin_replaces_every_error_call():
    macro = ("CREATE OR REPLACE TEMP MACRO lakebox_x(s) AS (CASE WHEN s = '(' THEN error('bad (' || s || ''')') "
             "ELSE error('worse') END)")
    assert arithmetic.or_null_twin(macro) == (
        "CREATE OR REPLACE TEMP MACRO lakebox_x_or_null(s) AS (CASE WHEN s = '(' THEN NULL ELSE NULL END)")


def test_errors_inside_try_become_nulls():
    assert "LAKEBOX_FROM_BASE_OR_NULL" in rewrite("SELECT try(from_base('zz', 16)) AS x")
    assert "LAKEBOX_FROM_BASE(" in rewrite("SELECT from_base('zz', 16) AS x")


def test_division_of_an_unknown_type_is_refused():
    with pytest.raises(NotSupportedError, match="division: the type of SOME_UDF"):
        rewrite("SELECT some_udf(i) / 2 AS x FROM t")


def test_decimal_product_type_is_trinos_beyond_18_digits():
    # DuckDB types such a product decimal(18, s); the result is CAST to Trino's decimal(p1 + p2, s1 + s2)
    assert rewrite("SELECT d * e AS x FROM t") == \
        "SELECT CAST((t.d * t.e) AS DECIMAL(25, 6)) AS x FROM t AS t"
    assert rewrite("SELECT d * 2 AS x FROM t") == "SELECT CAST((t.d * 2) AS DECIMAL(25, 2)) AS x FROM t AS t"
    assert rewrite("SELECT e * e AS x FROM t") == "SELECT CAST((t.e * t.e) AS DECIMAL(20, 8)) AS x FROM t AS t"


def test_a_product_duckdb_cannot_hold_in_64_bits_is_refused_clearly():
    import lakebox

    with lakebox.connect() as conn:
        cursor = conn.cursor()
        with pytest.raises(lakebox.NotSupportedError, match="more than 18 digits.*CAST one operand"):
            cursor.execute("SELECT CAST(923.07600 AS DECIMAL(10,5)) * CAST(256998.743001 AS DECIMAL(12,6))")
        cursor.execute("SELECT CAST(923.07600 AS DECIMAL(38,5)) * CAST(256998.743001 AS DECIMAL(12,6))")
        assert str(cursor.fetchall()[0][0]) == "237229371.69439107600"


def test_a_summed_decimal_product_keeps_duckdbs_width():
    # SUM of either type is decimal(38, 6): the wider product type would only slow the sum down
    assert rewrite("SELECT SUM(d * e) AS x FROM t") == "SELECT SUM(t.d * t.e) AS x FROM t AS t"
    assert rewrite("SELECT SUM(d * (1 - e) * 2) AS x FROM t") == "SELECT SUM(t.d * (1 - t.e) * 2) AS x FROM t AS t"
    assert rewrite("SELECT SUM(CASE WHEN i > 0 THEN d * e ELSE 0 END) AS x FROM t") == \
        "SELECT SUM(CASE WHEN t.i > 0 THEN t.d * t.e ELSE 0 END) AS x FROM t AS t"
