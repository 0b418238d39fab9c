"""Athena regular expressions: Java -> RE2, replacements, NULLs (results in tests/conformance/athena/regex.yaml)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakebox.dialects import regex
from lakebox.errors import NotSupportedError, ProgrammingError

SCHEMA = {"t": {"s": "VARCHAR"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena")
    for rule in regex.RULES["athena"]:
        expression = rule(expression, "athena")
    return expression.sql("duckdb")


@pytest.mark.parametrize("java, re2", [
    (r"\d+", r"\d+"),
    (r"(?<year>\d{4})-(?<month>\d\d)", r"(?P<year>\d{4})-(?P<month>\d\d)"),
    (r"\u00e9", r"\x{00e9}"),
    (r"a\sb", r"a[\t\n\x0B\f\r ]b"),
    (r"[\s,]", r"[\t\n\x0B\f\r ,]"),
    (r"\p{Lower}\p{Upper}\P{Digit}", r"[a-z][A-Z][^0-9]"),
    (r"[\p{Alpha}_]", r"[a-zA-Z_]"),
    (r"\p{L}\p{Greek}", r"\p{L}\p{Greek}"),
    (r"\Q1+1\E", r"1\+1"),
    (r"(?i)abc", r"(?i)abc"),
    (r"a{2,3}?", r"a{2,3}?"),
])
def test_translate(java, re2):
    assert regex.translate(java, "regexp_like").re2 == re2


@pytest.mark.parametrize("java, feature", [
    (r"a(?=b)", "lookahead"), (r"(?<!a)b", "lookahead"), (r"(a)\1", "backreference"), (r"(?<n>a)\k<n>", "named"),
    (r"(?>a+)b", "atomic"), (r"a*+b", "possessive"), (r"a++", "possessive"), (r"[a-z&&[^b]]", "intersection"),
    (r"[a-c[x-z]]", "nested"),
    (r"\Gx", r"\G"), (r"x\Z", r"\Z"), (r"(?x) a", "flag"), (r"(?u)a", "flag"), (r"\p{InGreek}", "InGreek"),
    (r"\R", r"\R"),
])
def test_java_only_features_raise(java, feature):
    with pytest.raises(NotSupportedError, match="regexp_like") as info:
        regex.translate(java, "regexp_like")
    assert feature.lower() in str(info.value).lower()


def test_optional_groups_are_known():
    pattern = regex.translate(r"(a)|(b)(c)?(d)", "regexp_extract")
    assert pattern.groups == 4 and pattern.optional == {1, 2, 3, 4}
    pattern = regex.translate(r"(\d+)-((\w)(x|y))", "regexp_extract")
    assert pattern.optional == set()


@pytest.mark.parametrize("replacement, re2", [
    ("$2$1", r"\2\1"), ("[$0]", r"[\0]"), (r"\$1", "$1"), (r"a\\b", r"a\\b"), ("${word}", r"\1"), ("$10", r"\10"),
])
def test_translate_replacement(replacement, re2):
    pattern = regex.translate(r"(?<word>\w)(x)", "regexp_replace")
    assert regex.translate_replacement(replacement, pattern, "regexp_replace") == re2


@pytest.mark.parametrize("replacement", ["$3", "${nope}", "$", "$x"])
def test_bad_replacement_is_an_error(replacement):
    pattern = regex.translate(r"(a)(b)", "regexp_replace")
    with pytest.raises(ProgrammingError):
        regex.translate_replacement(replacement, pattern, "regexp_replace")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT regexp_extract(s, '(\\d+)-(\\d+)', 2) AS x FROM t",
     "SELECT CASE WHEN REGEXP_MATCHES(t.s, '(\\d+)-(\\d+)') THEN REGEXP_EXTRACT(t.s, '(\\d+)-(\\d+)', 2) END AS x "
     "FROM t AS t"),
    ("SELECT regexp_replace(s, '(\\w+) (\\w+)', '$2 $1') AS x FROM t",
     "SELECT REGEXP_REPLACE(t.s, '(\\w+) (\\w+)', '\\2 \\1', 'g') AS x FROM t AS t"),
    ("SELECT regexp_replace(s, '(?<w>\\w+)', '<${w}>') AS x FROM t",
     "SELECT REGEXP_REPLACE(t.s, '(?P<w>\\w+)', '<\\1>', 'g') AS x FROM t AS t"),
    ("SELECT regexp_like(s, '\\p{Digit}') AS x FROM t", "SELECT REGEXP_MATCHES(t.s, '[0-9]') AS x FROM t AS t"),
    ("SELECT regexp_count(s, 'a') AS x FROM t", "SELECT LENGTH(REGEXP_EXTRACT_ALL(t.s, 'a')) AS x FROM t AS t"),
    ("SELECT regexp_position(s, 'b') AS x FROM t", "SELECT TRINO_REGEXP_POSITION(t.s, 'b', 1, 1) AS x FROM t AS t"),
    ("SELECT regexp_split(s, '\\s') AS x FROM t",
     "SELECT STR_SPLIT_REGEX(t.s, '[\\t\\n\\x0B\\f\\r ]') AS x FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


@pytest.mark.parametrize("sql, error", [
    ("SELECT regexp_extract(s, '(a)|b', 1) AS x FROM t", NotSupportedError),
    ("SELECT regexp_extract(s, '(a)', 2) AS x FROM t", ProgrammingError),
    ("SELECT regexp_replace(s, 'a', s) AS x FROM t", NotSupportedError),
    ("SELECT regexp_replace(s, '(\\w)', x -> upper(x[1])) AS x FROM t", NotSupportedError),
    ("SELECT regexp_like(s, 'a(?=b)') AS x FROM t", NotSupportedError),
])
def test_refusals(sql, error):
    with pytest.raises(error):
        rewrite(sql)


def test_regexp_position_macro():
    con = duckdb.connect()
    for macro in regex.MACROS:
        con.execute(macro)
    text = "'I have 23 apples, 5 pears and 13 oranges'"
    got = [con.execute(f"SELECT trino_regexp_position({text}, '\\b\\d+\\b', {start}, {n})").fetchone()[0]
           for start, n in [(1, 1), (5, 1), (12, 1), (12, 2), (12, 3)]]
    assert got == [8, 8, 19, 31, -1]
    con.close()


def test_end_anchor_matches_before_a_final_line_break_or_refuses():
    pattern = regex.translate("abc$", "regexp_like", boolean=True)
    assert pattern.re2 == r"abc(?:\n?\z)" and pattern.end_anchor
    assert regex.translate("abc$", "regexp_extract").re2 == "abc$"
    assert not regex.translate("(?m)abc$", "regexp_like", boolean=True).end_anchor
    assert regex.translate("(?m)abc$", "regexp_like", boolean=True).re2 == "(?m)abc$"
    assert not regex.translate(r"a\$[$]", "regexp_like").end_anchor
    assert "ENDS_WITH(t.s, CHR(10))" in rewrite("SELECT regexp_extract(s, 'c$') AS x FROM t")
