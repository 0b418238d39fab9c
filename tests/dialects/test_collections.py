"""Athena arrays, maps, rows and UNNEST: SQL in, DuckDB SQL out (results in conformance/athena/collections.yaml)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import collections
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"s": "VARCHAR", "i": "INT", "a": "ARRAY<INT>", "aa": "ARRAY<ARRAY<INT>>", "m": "MAP<VARCHAR, INT>",
                "r": "STRUCT<x INT, y VARCHAR>", "ar": "ARRAY<STRUCT<x INT, y VARCHAR>>", "dt": "DATE"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena")
    for rule in collections.RULES["athena"]:
        expression = rule(expression, "athena")
    return expression.sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    # the original 1-based index survives sqlglot's parse-time offset, for literals and columns alike
    ("SELECT a[2] AS x, a[i] AS y FROM t",
     "SELECT TRINO_ARRAY_SUBSCRIPT(t.a, 2) AS x, TRINO_ARRAY_SUBSCRIPT(t.a, t.i) AS y FROM t AS t"),
    ("SELECT m['k'] AS x FROM t", "SELECT TRINO_MAP_SUBSCRIPT(t.m, 'k') AS x FROM t AS t"),
    ("SELECT MAP(ARRAY[1], ARRAY['a'])[1] AS x", "SELECT TRINO_MAP_SUBSCRIPT(MAP([1], ['a']), 1) AS x"),
    ("SELECT element_at(a, -1) AS x, element_at(m, 'k') AS y FROM t",
     "SELECT TRINO_ELEMENT_AT(t.a, -1) AS x, t.m['k'] AS y FROM t AS t"),
    ("SELECT aa[1][2] AS x FROM t", "SELECT TRINO_ARRAY_SUBSCRIPT(TRINO_ARRAY_SUBSCRIPT(t.aa, 1), 2) AS x FROM t AS t"),
    ("SELECT split(s, ',')[1] AS x FROM t", "SELECT TRINO_ARRAY_SUBSCRIPT(STR_SPLIT(t.s, ','), 1) AS x FROM t AS t"),
    ("SELECT r[1] AS x FROM t", "SELECT STRUCT_EXTRACT_AT(t.r, 1) AS x FROM t AS t"),
    ("SELECT transform(aa, x -> x[1]) AS x FROM t",
     "SELECT LIST_TRANSFORM(t.aa, LAMBDA x : TRINO_ARRAY_SUBSCRIPT(x, 1)) AS x FROM t AS t"),
    ("SELECT cardinality(a) AS x, cardinality(m) AS y FROM t",
     "SELECT CAST(LEN(t.a) AS BIGINT) AS x, CAST(CARDINALITY(t.m) AS BIGINT) AS y FROM t AS t"),
    ("SELECT contains(a, 1) AS x, array_position(a, 1) AS y FROM t",
     "SELECT TRINO_CONTAINS(t.a, 1) AS x, TRINO_ARRAY_POSITION(t.a, 1) AS y FROM t AS t"),
    ("SELECT slice(a, 2, 3) AS x, array_distinct(a) AS y, array_max(a) AS z FROM t",
     "SELECT TRINO_SLICE(t.a, 2, 3) AS x, TRINO_ARRAY_DISTINCT(t.a) AS y, TRINO_ARRAY_MAX(t.a) AS z FROM t AS t"),
    ("SELECT reduce(a, 0, (s, x) -> s + x, s -> s * 2) AS x FROM t",
     "SELECT LIST_EXTRACT(LIST_TRANSFORM([LIST_REDUCE(t.a, LAMBDA s, x : s + x, 0)], LAMBDA s : s * 2), 1) AS x "
     "FROM t AS t"),
    ("SELECT sequence(1, i) AS x, sequence(dt, dt) AS y FROM t",
     "SELECT TRINO_SEQUENCE2(1, t.i) AS x, TRINO_DATE_SEQUENCE2(t.dt, t.dt) AS y FROM t AS t"),
    ("SELECT repeat(s, 2) AS x, reverse(a) AS y, reverse(s) AS z FROM t",
     "SELECT TRINO_REPEAT(t.s, 2) AS x, LIST_REVERSE(t.a) AS y, REVERSE(t.s) AS z FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_unnest_of_a_map_is_key_and_value():
    assert rewrite("SELECT u.k, u.v FROM t CROSS JOIN UNNEST(t.m) AS u(k, v)") == (
        "SELECT u.k AS k, u.v AS v FROM t AS t CROSS JOIN LATERAL (SELECT __e1.key, __e1.value FROM "
        "(SELECT UNNEST(MAP_ENTRIES(t.m)) AS __e1) AS __u) AS u(k, v)")


def test_unnest_of_rows_is_one_column_per_field():
    assert rewrite("SELECT u.x, u.y FROM t CROSS JOIN UNNEST(t.ar) AS u(x, y)") == (
        "SELECT u.x AS x, u.y AS y FROM t AS t CROSS JOIN LATERAL (SELECT UNNEST(__e1) FROM "
        "(SELECT UNNEST(t.ar) AS __e1) AS __u) AS u(x, y)")


def test_unnest_of_several_arrays_zips_with_ordinality():
    assert rewrite("SELECT p, q, n FROM UNNEST(ARRAY[1, 2], ARRAY['a']) WITH ORDINALITY AS u(p, q, n)") == (
        "SELECT u.p AS p, u.q AS q, u.n AS n FROM (SELECT __e1, __e2, __n FROM (SELECT UNNEST([1, 2]) AS __e1, "
        "UNNEST(['a']) AS __e2, UNNEST(RANGE(1, GREATEST(CAST(LEN([1, 2]) AS BIGINT), CAST(LEN(['a']) AS BIGINT)) "
        "+ 1)) AS __n) AS __u) AS u(p, q, n)")


def test_plain_unnest_is_left_to_duckdb():
    assert rewrite("SELECT u.e, u.n FROM t CROSS JOIN UNNEST(t.a) WITH ORDINALITY AS u(e, n)") == (
        "SELECT u.e AS e, u.n AS n FROM t AS t CROSS JOIN UNNEST(t.a) WITH ORDINALITY AS u(e, n)")


def test_map_lambdas_use_fresh_parameter_names():
    sql = rewrite("SELECT map_filter(m, (k, v) -> v > 1) AS x FROM t")
    assert sql.startswith("SELECT MAP_FROM_ENTRIES(LIST_FILTER(MAP_ENTRIES(t.m), LAMBDA __e")
    assert ".value > 1" in sql


@pytest.mark.parametrize("sql, error", [
    ("SELECT array_sort(a, (x, y) -> 1) AS x FROM t", NotSupportedError),
    ("SELECT combinations(a, 2) AS x FROM t", NotSupportedError),
    ("SELECT i[1] AS x FROM t", ProgrammingError),
    ("SELECT transform(ARRAY[], x -> x[1]) AS x", NotSupportedError),  # element type unknown
])
def test_refusals(sql, error):
    with pytest.raises(error):
        rewrite(sql)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    for macro in collections.MACROS:
        connection.execute(macro)
    yield connection
    connection.close()


@pytest.mark.parametrize("sql, expected", [
    ("SELECT trino_array_distinct([3, 1, 3, NULL, 1, NULL])", [3, 1, None]),
    ("SELECT trino_array_union([3, 1], [1, 4])", [3, 1, 4]),
    ("SELECT trino_array_intersect([3, 1, 2, 1], [1, 2])", [1, 2]),
    ("SELECT trino_array_except([3, 1, 2, 3], [1])", [3, 2]),
    ("SELECT trino_contains([1, NULL], 2)", None),
    ("SELECT trino_slice([1, 2, 3, 4], -2, 5)", [3, 4]),
    ("SELECT trino_sequence2(3, 1)", [3, 2, 1]),
    ("SELECT trino_ngrams([1, 2, 3], 2)", [[1, 2], [2, 3]]),
])
def test_macros(con, sql, expected):
    assert con.execute(sql).fetchone()[0] == expected


@pytest.mark.parametrize("sql, message", [
    ("SELECT trino_array_subscript([1, 2, 3], 4)", "Array subscript must be less than or equal to array length: 4 > 3"),
    ("SELECT trino_array_subscript([1, 2, 3], 0)", "SQL array indices start at 1"),
    ("SELECT trino_map_subscript(MAP {'a': 1}, 'b')", "Key not present in map: b"),
    ("SELECT trino_sequence3(1, 5, -1)", "sequence stop value should be greater than or equal to start value"),
    ("SELECT trino_sequence2(1, 20000)", "must not have more than 10000 entries"),
])
def test_macro_errors(con, sql, message):
    with pytest.raises(duckdb.Error, match=message):
        con.execute(sql).fetchall()
