"""Athena JSON rules: paths, NULL rules, casts (executed results in tests/conformance/athena/json.yaml)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import json_functions
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"s": "VARCHAR", "j": "JSON", "m": "MAP<VARCHAR, INT>", "a": "ARRAY<INT>"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena")
    for rule in json_functions.RULES["athena"]:
        expression = rule(expression, "athena")
    return expression.sql("duckdb")


@pytest.mark.parametrize("path, duckdb_path", [
    ("$", "$"), ("$.a.b", '$."a"."b"'), ("$.a[0]", '$."a"[0]'), ('$["a b"]', '$."a b"'),
    ("$.store[book]", '$."store"."book"'),
    ('$["q\\"x"]' .replace('\\"', "'"), "$.\"q'x\""), ("$.a:b", '$."a:b"'),
])
def test_trino_paths_become_duckdb_paths(path, duckdb_path):
    assert json_functions.duckdb_path(path) == duckdb_path


@pytest.mark.parametrize("path", ["a", "$.", "$..a", "$.a[*]", "$[", "$.a b", "$['a']"])
def test_invalid_paths(path):
    with pytest.raises(ProgrammingError, match="Invalid JSON path"):
        json_functions.duckdb_path(path)


@pytest.mark.parametrize("sql, expected", [
    ("SELECT json_extract_scalar(s, '$.a[0].b') AS x FROM t",
     "SELECT TRINO_JSON_EXTRACT_SCALAR(t.s, '$.\"a\"[0].\"b\"') AS x FROM t AS t"),
    ("SELECT json_extract(s, '$.store[book]') AS x FROM t",
     "SELECT TRINO_JSON_EXTRACT(t.s, '$.\"store\".\"book\"') AS x FROM t AS t"),
    ("SELECT json_parse(s) AS x FROM t", "SELECT TRINO_JSON_PARSE(t.s) AS x FROM t AS t"),
    ("SELECT CAST(s AS JSON) AS x FROM t", "SELECT TO_JSON(t.s) AS x FROM t AS t"),
    ("SELECT CAST(j AS VARCHAR) AS x FROM t", "SELECT TRINO_JSON_TO_VARCHAR(t.j) AS x FROM t AS t"),
    ("SELECT CAST(m AS JSON) AS x FROM t", "SELECT TRINO_JSON_SORT_KEYS(TO_JSON(t.m)) AS x FROM t AS t"),
    ("SELECT CAST(a AS JSON) AS x FROM t", "SELECT TO_JSON(t.a) AS x FROM t AS t"),
    ("SELECT CAST(j AS JSON) AS x FROM t", "SELECT t.j AS x FROM t AS t"),
    ("SELECT json_array_contains(s, 2) AS x FROM t", "SELECT TRINO_JSON_ARRAY_CONTAINS_INT(t.s, 2) AS x FROM t AS t"),
    ("SELECT json_array_contains(s, 'a') AS x FROM t",
     "SELECT TRINO_JSON_ARRAY_CONTAINS_STR(t.s, 'a') AS x FROM t AS t"),
    ("SELECT json_array_length(s) AS x, json_size(s, '$.a') AS y FROM t",
     "SELECT TRINO_JSON_ARRAY_LENGTH(t.s) AS x, TRINO_JSON_SIZE(t.s, '$.\"a\"') AS y FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.mark.parametrize("sql, error", [
    ("SELECT json_extract(s, '$.a[*]') AS x FROM t", ProgrammingError),
    ("SELECT json_query(s, 'lax $.a') AS x FROM t", NotSupportedError),
    ("SELECT json_value(s, 'lax $.a') AS x FROM t", NotSupportedError),
])
def test_refusals(sql, error):
    with pytest.raises(error):
        rewrite(sql)


def test_json_parse_sorts_keys_at_every_level():
    con = duckdb.connect()
    for macro in json_functions.MACROS:
        con.execute(macro)
    text = con.execute("""SELECT CAST(trino_json_parse('{"b": [{"z": 1, "y": 2}], "a": {"d": null, "c": "x"}}')
                          AS VARCHAR)""").fetchone()[0]
    assert text == '{"a":{"c":"x","d":null},"b":[{"y":2,"z":1}]}'
    with pytest.raises(duckdb.Error, match="nesting depth"):
        con.execute("""SELECT trino_json_parse('{"a":{"b":{"c":{"d":1}}}}')""").fetchall()
    con.close()
