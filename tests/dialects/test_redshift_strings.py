"""Redshift string rules: SQL in, DuckDB SQL out, plus executed edge cases.

Documented examples run in tests/conformance/redshift/strings.yaml."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_strings as rs
from lakebox.dialects.redshift_parser import LakeboxRedshift
from lakebox.dialects.rules import annotators

SCHEMA = {"t": {"s": "VARCHAR", "c": "CHAR(5)", "n": "INT", "d": "DATE"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift", expression_metadata=annotators("redshift"))
    return rs.redshift_strings(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT CONCAT(s, 'x') AS v FROM t", "SELECT t.s || 'x' AS v FROM t AS t"),
    ("SELECT CONCAT(n, s) AS v FROM t", "SELECT CAST(t.n AS TEXT) || t.s AS v FROM t AS t"),
    ("SELECT SUBSTRING(s, 2, 3) AS v FROM t", "SELECT SUBSTRING(t.s, 2, 3) AS v FROM t AS t"),
    ("SELECT SUBSTRING(s, n, 3) AS v FROM t", "SELECT LAKEBOX_RS_SUBSTR(t.s, t.n, 3) AS v FROM t AS t"),
    ("SELECT SUBSTRING(s, -2, 6) AS v FROM t", "SELECT LAKEBOX_RS_SUBSTR(t.s, -2, 6) AS v FROM t AS t"),
    ("SELECT SUBSTRING(s FROM 0) AS v FROM t", "SELECT LAKEBOX_RS_SUBSTR_FROM(t.s, 0) AS v FROM t AS t"),
    ("SELECT LEN(c) AS v FROM t", "SELECT CAST(LENGTH(RTRIM(t.c, ' ')) AS INT) AS v FROM t AS t"),
    ("SELECT LEN(s) AS v FROM t", "SELECT CAST(LENGTH(t.s) AS INT) AS v FROM t AS t"),
    ("SELECT s FROM t WHERE s = 'a  '", "SELECT t.s AS s FROM t AS t WHERE RTRIM(t.s, ' ') = 'a'"),
    ("SELECT s FROM t WHERE c IN ('a', 'b ')", "SELECT t.s AS s FROM t AS t WHERE RTRIM(t.c, ' ') IN ('a', 'b')"),
    ("SELECT s FROM t WHERE n = 1", "SELECT t.s AS s FROM t AS t WHERE t.n = 1"),
    ("SELECT s FROM t WHERE s LIKE 'a\\\\_%'", "SELECT t.s AS s FROM t AS t WHERE t.s LIKE 'a\\_%' ESCAPE '\\'"),
    ("SELECT s FROM t WHERE s LIKE 'a%'", "SELECT t.s AS s FROM t AS t WHERE t.s LIKE 'a%'"),
    ("SELECT DECODE(n, 1, 'one', NULL, 'none', 'other') AS v FROM t",
     "SELECT CASE WHEN t.n IS NOT DISTINCT FROM 1 THEN 'one' WHEN t.n IS NULL THEN 'none' ELSE 'other' END AS v "
     "FROM t AS t"),
    ("SELECT STRTOL(s, 16) AS v FROM t", "SELECT LAKEBOX_RS_STRTOL(t.s, 16) AS v FROM t AS t"),
    ("SELECT REPLICATE(s, 2) AS v FROM t", "SELECT LAKEBOX_RS_REPEAT(t.s, 2) AS v FROM t AS t"),
    ("SELECT REPEAT(n, 2) AS v FROM t", "SELECT REPEAT(CAST(t.n AS TEXT), 2) AS v FROM t AS t"),
    ("SELECT SPLIT_PART(s, ',', n) AS v FROM t", "SELECT LAKEBOX_RS_SPLIT_PART(t.s, ',', t.n) AS v FROM t AS t"),
    ("SELECT INITCAP(s) AS v FROM t", "SELECT LAKEBOX_RS_INITCAP(t.s) AS v FROM t AS t"),
    ("SELECT UPPER(d) AS v FROM t", "SELECT UPPER(CAST(t.d AS TEXT)) AS v FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_soundex_is_refused_by_name():
    with pytest.raises(errors.NotSupportedError, match="SOUNDEX"):
        rewrite("SELECT SOUNDEX(s) FROM t")


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-str"), dialect="redshift")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE w (id INT, s VARCHAR(20), c CHAR(4))")
    cursor.execute("INSERT INTO w VALUES (1, 'caterpillar', 'ab'), (2, NULL, NULL), (3, 'x  ', 'x   ')")
    yield cursor
    connection.close()


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


@pytest.mark.parametrize("start, length, expected", [
    (1, 3, "cat"), (0, 3, "ca"), (-1, 3, "c"), (-3, 3, ""), (-10, 100, "caterpillar"), (11, 1, "r"), (12, 1, ""),
    (5, 0, ""),
])
def test_substring_window(cur, start, length, expected):
    # PostgreSQL: the characters of [start, start + length) that fall inside the string
    assert rows(cur, f"SELECT SUBSTRING(s, {start}, {length}) FROM w WHERE id = 1") == [(expected,)]
    assert rows(cur, f"SELECT SUBSTRING(s, id * {start}, {length}) FROM w WHERE id = 1") == [(expected,)]


def test_null_propagation(cur):
    assert rows(cur, "SELECT CONCAT(s, 'a'), s || 'a', SUBSTRING(s, -1, 3), STRTOL(s, 10) FROM w WHERE id = 2") == [
        (None, None, None, None)]


def test_trailing_blanks_in_joins_and_filters(cur):
    assert rows(cur, "SELECT a.id FROM w a JOIN w b ON a.s = b.c ORDER BY 1") == [(3,)]
    assert rows(cur, "SELECT id FROM w WHERE c = 'ab  ' OR s = 'x'") == [(1,), (3,)]
    assert rows(cur, "SELECT LEN(c), LEN(s) FROM w WHERE id = 3") == [(1, 3)]


@pytest.mark.parametrize("text, base, expected", [
    ("0xf", 16, 15), ("ff", 16, 255), ("  +7", 10, 7), ("-101", 2, -5), ("12abc", 10, 12), ("zz", 36, 1295),
    ("", 10, 0), ("9", 8, 0),
])
def test_strtol(cur, text, base, expected):
    assert rows(cur, f"SELECT STRTOL('{text}', {base})") == [(expected,)]


def test_strtol_overflow_and_base_are_errors(cur):
    with pytest.raises(errors.Error):
        rows(cur, "SELECT STRTOL('ffffffffffffffffff', 16)")
    with pytest.raises(errors.Error, match="base"):
        rows(cur, "SELECT STRTOL('1', 1)")
