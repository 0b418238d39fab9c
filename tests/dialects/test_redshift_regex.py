"""Redshift regular expressions: pattern translation and the rewrites (documented examples run in
tests/conformance/redshift/regex.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_regex as rr
from lakebox.dialects.redshift_parser import LakeboxRedshift

SCHEMA = {"t": {"s": "VARCHAR", "n": "INT"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    return rr.redshift_regex(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("pattern, expected", [
    ("a|ab", "ab|a"),
    ("foo|foobar|fo", "foobar|foo|fo"),
    ("@.*\\.(org|gov|com|edu|ca)$", "@.*\\.(org|gov|com|edu|ca)$"),
    ("x(c|cat|ca)y", "x(cat|ca|c)y"),
    ("(?:a|ab)c", "(?:ab|a)c"),
    ("[a|b]|[ab]c", "[a|b]|[ab]c"),
    ("\\d+|\\d+\\.\\d+", "\\d+|\\d+\\.\\d+"),
    ("\\yword\\y", "\\bword\\b"),
    ("[[:alpha:]]{2,3}", "[[:alpha:]]{2,3}"),
    ("a\\.b|a", "a\\.b|a"),
])
def test_translate(pattern, expected):
    assert rr.translate(pattern, "f") == expected


@pytest.mark.parametrize("pattern, message", [
    ("(a)\\1", "backreferences"), ("(?=x)y", "lookahead"), ("(?<!x)y", "lookahead"), ("\\mword", "word"),
])
def test_untranslatable_patterns_are_refused(pattern, message):
    with pytest.raises(errors.NotSupportedError, match=message):
        rr.translate(pattern, "REGEXP_SUBSTR")


def test_capture_groups():
    assert rr.capture_groups("(a)(?:b)[(]\\(c(d)") == 2


@pytest.mark.parametrize("sql, expected", [
    ("SELECT REGEXP_REPLACE(s, 'a|ab', 'x') AS v FROM t",
     "SELECT REGEXP_REPLACE(t.s, 'ab|a', 'x', 'g') AS v FROM t AS t"),
    ("SELECT REGEXP_REPLACE(s, 'a') AS v FROM t", "SELECT REGEXP_REPLACE(t.s, 'a', '', 'g') AS v FROM t AS t"),
    ("SELECT REGEXP_SUBSTR(s, 'b+') AS v FROM t", "SELECT REGEXP_EXTRACT(t.s, 'b+', 0, 'c') AS v FROM t AS t"),
    # an explicit occurrence is checked against the length (NULL when out of range)
    ("SELECT REGEXP_SUBSTR(s, 'b+', 1, 1, 'i') AS v FROM t",
     "SELECT LAKEBOX_RS_REGEXP_SUBSTR_NTH(t.s, 1, 1, REGEXP_EXTRACT_ALL(t.s, 'b+', 0, 'i')) AS v FROM t AS t"),
    ("SELECT REGEXP_SUBSTR(s, '(b)c', 1, 2, 'e') AS v FROM t",
     "SELECT LAKEBOX_RS_REGEXP_SUBSTR_NTH(t.s, 1, 2, REGEXP_EXTRACT_ALL(t.s, '(b)c', 1, 'c')) AS v FROM t AS t"),
    ("SELECT REGEXP_COUNT(s, 'b') AS v FROM t",
     "SELECT CAST(LAKEBOX_RS_REGEXP_COUNT(t.s, 1, REGEXP_EXTRACT_ALL(t.s, 'b', 0, 'c')) AS INT) AS v FROM t AS t"),
    ("SELECT s FROM t WHERE s ~ 'x|xy'", "SELECT t.s AS s FROM t AS t WHERE REGEXP_MATCHES(t.s, 'xy|x', 'c')"),
    ("SELECT s FROM t WHERE s SIMILAR TO '%.x_'",
     "SELECT t.s AS s FROM t AS t WHERE REGEXP_FULL_MATCH(t.s, '.*\\.x.')"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_pattern_must_be_literal():
    with pytest.raises(errors.NotSupportedError, match="REGEXP_SUBSTR"):
        rewrite("SELECT REGEXP_SUBSTR(s, s) FROM t")


def test_bad_parameter():
    with pytest.raises(errors.ProgrammingError, match="invalid parameter"):
        rewrite("SELECT REGEXP_COUNT(s, 'a', 1, 'x') FROM t")


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-re"), dialect="redshift")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE w (id INT, s VARCHAR(40))")
    cursor.execute("INSERT INTO w VALUES (1, 'one two three two'), (2, NULL), (3, '')")
    yield cursor
    connection.close()


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_instr_positions_agree_with_substr(cur):
    # the start of the n-th match, read back with SUBSTRING, is the n-th match
    got = rows(cur, "SELECT n, SUBSTRING(s, REGEXP_INSTR(s, 't[a-z]+', 1, n), "
                    "REGEXP_INSTR(s, 't[a-z]+', 1, n, 1) - REGEXP_INSTR(s, 't[a-z]+', 1, n)), "
                    "REGEXP_SUBSTR(s, 't[a-z]+', 1, n) FROM w, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) k "
                    "WHERE id = 1 ORDER BY n")
    assert got == [(1, "two", "two"), (2, "three", "three"), (3, "two", "two")]


def test_nulls_and_empty(cur):
    assert rows(cur, "SELECT REGEXP_COUNT(s, 'a'), REGEXP_INSTR(s, 'a'), REGEXP_SUBSTR(s, 'a'), "
                     "REGEXP_REPLACE(s, 'a', 'b') FROM w WHERE id = 2") == [(None, None, None, None)]
    assert rows(cur, "SELECT REGEXP_COUNT(s, 'a'), REGEXP_INSTR(s, 'a'), REGEXP_SUBSTR(s, 'a') FROM w WHERE id = 3") == [
        (0, 0, "")]
