"""Athena string rules: SQL in, DuckDB SQL out; the macros run (results in tests/conformance/athena/strings.yaml)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import strings
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"s": "VARCHAR", "i": "INT", "d": "DECIMAL(15,2)", "f": "DOUBLE", "a": "ARRAY<INT>", "ok": "BOOLEAN"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena")
    for rule in strings.RULES["athena"]:
        expression = rule(expression, "athena")
    return expression.sql("duckdb")


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    for macro in strings.MACROS:
        connection.execute(macro)
    yield connection
    connection.close()


def run(con, sql: str):
    """Rewrite an Athena query without tables and run it on DuckDB with the family's macros."""
    return con.execute(rewrite(sql)).fetchone()[0]


@pytest.mark.parametrize("sql, expected", [
    ("SELECT substr(s, 0) AS x FROM t", "SELECT TRINO_SUBSTR2(t.s, 0) AS x FROM t AS t"),
    ("SELECT substring(s, 2, 3) AS x FROM t", "SELECT TRINO_SUBSTR3(t.s, 2, 3) AS x FROM t AS t"),
    ("SELECT strpos(s, 'l') AS x FROM t", "SELECT STRPOS(t.s, 'l') AS x FROM t AS t"),
    ("SELECT strpos(s, 'l', -2) AS x FROM t", "SELECT TRINO_STRPOS(t.s, 'l', -2) AS x FROM t AS t"),
    ("SELECT split(s, ',') AS x FROM t", "SELECT TRINO_SPLIT2(t.s, ',') AS x FROM t AS t"),
    ("SELECT split(s, ',', 2) AS x FROM t", "SELECT TRINO_SPLIT3(t.s, ',', 2) AS x FROM t AS t"),
    ("SELECT split_part(s, ',', 2) AS x FROM t", "SELECT TRINO_SPLIT_PART(t.s, ',', 2) AS x FROM t AS t"),
    ("SELECT lpad(s, 5, '0') AS x, rpad(s, 5, '0') AS y FROM t",
     "SELECT TRINO_LPAD(t.s, 5, '0') AS x, TRINO_RPAD(t.s, 5, '0') AS y FROM t AS t"),
    ("SELECT trim(s) AS x, ltrim(s) AS y, rtrim(s) AS z FROM t",
     "SELECT TRINO_TRIM(t.s) AS x, TRINO_LTRIM(t.s) AS y, TRINO_RTRIM(t.s) AS z FROM t AS t"),
    ("SELECT trim(BOTH '$' FROM s) AS x FROM t", "SELECT TRIM(t.s, '$') AS x FROM t AS t"),
    ("SELECT a || i AS x, i || a AS y, s || 'x' AS z FROM t",
     "SELECT LIST_APPEND(t.a, t.i) AS x, LIST_PREPEND(t.i, t.a) AS y, t.s || 'x' AS z FROM t AS t"),
    ("SELECT concat(s, 'x') AS x FROM t", "SELECT t.s || 'x' AS x FROM t AS t"),
    ("SELECT hamming_distance(s, 'abc') AS x FROM t", "SELECT TRINO_HAMMING_DISTANCE(t.s, 'abc') AS x FROM t AS t"),
    ("SELECT codepoint(s) AS x, luhn_check(s) AS y FROM t",
     "SELECT TRINO_CODEPOINT(t.s) AS x, TRINO_LUHN_CHECK(t.s) AS y FROM t AS t"),
    ("SELECT split_to_map(s, ',', '=') AS x FROM t", "SELECT TRINO_SPLIT_TO_MAP(t.s, ',', '=') AS x FROM t AS t"),
    ("SELECT normalize(s) AS x FROM t", "SELECT NFC_NORMALIZE(t.s) AS x FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_format_compiles_the_java_format_string():
    sql = rewrite("SELECT format('%05d|%-4s|%.2f', i, s, d) AS x FROM t")
    assert "TRINO_ZERO_PAD(CAST(ABS(CAST(t.i AS INT128)) AS TEXT), 5 - LENGTH(" in sql
    assert "TRINO_JUSTIFY_LEFT(t.s, 4)" in sql
    assert "CAST(CAST(ABS(t.d) AS DECIMAL(38, 2)) AS TEXT)" in sql
    assert "FORMAT(" not in sql


@pytest.mark.parametrize("sql, error", [
    ("SELECT format('%d', s) AS x FROM t", ProgrammingError),        # IllegalFormatConversion
    ("SELECT format('%f', i) AS x FROM t", ProgrammingError),
    ("SELECT format('%s %s', s) AS x FROM t", ProgrammingError),     # MissingFormatArgument
    ("SELECT format('%tY', s) AS x FROM t", NotSupportedError),
    ("SELECT format('%e', f) AS x FROM t", NotSupportedError),
    ("SELECT format(s, i) AS x FROM t", NotSupportedError),          # the format must be a literal
    ("SELECT normalize(s, NFD) AS x FROM t", NotSupportedError),
    ("SELECT soundex(s) AS x FROM t", NotSupportedError),
    ("SELECT word_stem(s) AS x FROM t", NotSupportedError),
])
def test_refusals(sql, error):
    with pytest.raises(error):
        rewrite(sql)


@pytest.mark.parametrize("sql, expected", [
    ("SELECT substr('hello', 0)", ""),
    ("SELECT substr('hello', -3)", "llo"),
    ("SELECT substr('hello', -10)", ""),
    ("SELECT substr('hello', -3, 2)", "ll"),
    ("SELECT substr('hello', 2, -1)", ""),
    ("SELECT strpos('aaa', 'aa', 2)", 2),                 # overlapping instances, as Trino's indexOf loop
    ("SELECT strpos('hello', 'l', -1)", 4),
    ("SELECT split('a,b,c', ',', 2)", ["a", "b,c"]),
    ("SELECT split_part('a,b,c', ',', 4)", None),
    ("SELECT split_part('abc', '', 2)", "b"),
    ("SELECT trim(chr(9) || ' x ' || chr(12288))", "x"),  # tab and ideographic space are Java whitespace
    ("SELECT format('%,.2f', 1234567.891)", "1,234,567.89"),
    ("SELECT format('%.1f', 0.05E0)", "0.1"),             # Java rounds the shortest decimal half up
    ("SELECT format('%08.3f', -3.14159E0)", "-003.142"),
    ("SELECT format('%x|%X|%#x', 255, 255, 255)", "ff|FF|0xff"),
    ("SELECT format('%s|%5s|%-5s|', NULL, 'ab', 'ab')", "null|   ab|ab   |"),
    ("SELECT format('%b %b %b', true, NULL, 'x')", "true false true"),
    ("SELECT format('%1$s-%1$s-%<s', 'a')", "a-a-a"),
    ("SELECT luhn_check('79927398713')", True),
])
def test_macros_answer_as_trino(con, sql, expected):
    assert run(con, sql) == expected


def test_every_macro_compiles():
    connection = duckdb.connect()
    for macro in strings.MACROS:
        connection.execute(macro)
    connection.close()
