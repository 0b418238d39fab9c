"""Redshift JSON text functions: SQL in, DuckDB SQL out, and strict validity (documented examples run in
tests/conformance/redshift/json.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox.dialects import redshift_json as rj
from lakebox.dialects.redshift_parser import LakeboxRedshift

SCHEMA = {"t": {"j": "VARCHAR", "k": "VARCHAR", "n": "INT"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    return rj.redshift_json(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT JSON_EXTRACT_PATH_TEXT(j, 'a', 'b/c') AS v FROM t",
     "SELECT LAKEBOX_RS_JSON_TEXT_AT(t.j, '/a/b~1c', FALSE) AS v FROM t AS t"),
    ("SELECT JSON_EXTRACT_PATH_TEXT(j, 'a', TRUE) AS v FROM t",
     "SELECT LAKEBOX_RS_JSON_TEXT_AT(t.j, '/a', TRUE) AS v FROM t AS t"),
    ("SELECT JSON_EXTRACT_PATH_TEXT(j, k) AS v FROM t",
     "SELECT LAKEBOX_RS_JSON_TEXT_AT(t.j, '' || '/' || REPLACE(REPLACE(CAST(t.k AS TEXT), '~', '~0'), '/', '~1'), "
     "FALSE) AS v FROM t AS t"),
    ("SELECT JSON_EXTRACT_ARRAY_ELEMENT_TEXT(j, n) AS v FROM t",
     "SELECT LAKEBOX_RS_JSON_ELEMENT_TEXT(t.j, t.n, FALSE) AS v FROM t AS t"),
    ("SELECT IS_VALID_JSON(j) AS v FROM t", "SELECT LAKEBOX_RS_JSON_IS(t.j, 'OBJECT') AS v FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-json"), dialect="redshift")
    yield connection.cursor()
    connection.close()


@pytest.mark.parametrize("text, valid", [
    ('{"a":1}', True), ('{"a":"x,]"}', True), ('{"a":[1,"b"]}', True), ('{"a":1,}', False), ('[1,2,]', False),
    ('{"a":NaN}', False), ('{"a":"NaN"}', True), ('{"a":Infinity}', False), ("{'a':1}", False),
])
def test_strict_json(cur, text, valid):
    cur.execute("SELECT CAN_JSON_PARSE(%s)", [text])
    assert cur.fetchall() == [(valid,)]


def test_nested_values_come_back_as_json_text(cur):
    cur.execute("""SELECT JSON_EXTRACT_PATH_TEXT('{"a":{"b":[1,2]},"c":null}', 'a'),
                          JSON_EXTRACT_PATH_TEXT('{"a":{"b":[1,2]},"c":null}', 'a', 'b'),
                          JSON_EXTRACT_PATH_TEXT('{"a":{"b":[1,2]},"c":"x"}', 'c')""")
    assert cur.fetchall() == [('{"b":[1,2]}', "[1,2]", "x")]
