"""Statement splitting with the dialect's tokenizer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lakebox.cli.script import is_complete, iter_statements, split_statements
from lakebox.errors import ParseError


def test_splits_on_semicolons_and_drops_empty_statements():
    assert split_statements("SELECT 1; SELECT 2;;\n ;SELECT 3", "athena") == ["SELECT 1", "SELECT 2", "SELECT 3"]


def test_last_statement_needs_no_semicolon():
    assert split_statements("SELECT 1;\nSELECT 2\n", "redshift") == ["SELECT 1", "SELECT 2"]


@pytest.mark.parametrize("dialect", ["athena", "redshift"])
def test_semicolons_inside_strings_identifiers_and_comments_do_not_split(dialect):
    text = """
    -- a comment; with a semicolon
    SELECT 'a;b' AS "x;y", 'it''s; fine' /* c; d */ FROM t;
    SELECT 2 -- trailing; comment
    ;
    """
    assert split_statements(text, dialect) == [
        """SELECT 'a;b' AS "x;y", 'it''s; fine' /* c; d */ FROM t""",
        "SELECT 2",
    ]


def test_athena_script_mixing_hive_ddl_and_trino_queries():
    # Backticks and backslash escapes are Hive (DDL) syntax, double quotes are Trino syntax;
    # a script may hold both, in either order.
    text = "SELECT \"a;b\" FROM t; CREATE EXTERNAL TABLE `x;y` (c string) COMMENT 'it\\'s; ok'; SELECT 1"
    assert split_statements(text, "athena") == [
        'SELECT "a;b" FROM t',
        "CREATE EXTERNAL TABLE `x;y` (c string) COMMENT 'it\\'s; ok'",
        "SELECT 1",
    ]


def test_redshift_dollar_quoted_bodies_do_not_split():
    text = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2"
    assert split_statements(text, "redshift") == [
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
        "SELECT 2",
    ]


def test_comment_only_text_has_no_statements():
    assert split_statements("-- nothing here;\n/* nor; here */", "athena") == []
    assert split_statements("", "athena") == []


def test_statements_know_where_they_start():
    statements = iter_statements("SELECT 1;\n\n  SELECT\n 2;", "athena")
    assert [(s.line, s.column) for s in statements] == [(1, 1), (3, 3)]
    assert statements[1].text == "SELECT\n 2"


def test_unterminated_string_is_a_parse_error_with_its_line():
    with pytest.raises(ParseError) as caught:
        split_statements("SELECT 1;\nSELECT 'abc;\nSELECT 2", "redshift")
    assert caught.value.line == 2
    assert caught.value.column == 8


def test_unknown_dialect_is_a_parse_error():
    with pytest.raises(ParseError):
        split_statements("SELECT 1", "oracle-ish")


@pytest.mark.parametrize(
    "text, complete",
    [
        ("SELECT 1;", True),
        ("SELECT 1; -- done", True),
        ("SELECT 1", False),
        ("SELECT ';", False),
        ("SELECT 1; SELECT 2", False),
        ("/* ; */", False),
        ("", False),
        (";", True),
    ],
)
def test_is_complete(text, complete):
    assert is_complete(text, "athena") is complete


_words = st.sampled_from(["SELECT", "1", "x", "'a;b'", '"c;d"', "/* ; */", "-- ;\n", "'it''s;'", "+"])
_statement = st.lists(_words, min_size=1, max_size=6).map(" ".join).filter(lambda s: not s.startswith(("/*", "--")))


@given(st.lists(_statement, min_size=1, max_size=5), st.sampled_from(["athena", "redshift"]))
def test_split_recovers_the_statements_that_were_joined(statements, dialect):
    # Trailing comments belong to no statement; compare what the tokenizer keeps.
    expected = [_strip_trailing_comments(s) for s in statements]
    assert split_statements(";\n".join(statements), dialect) == [e for e in expected if e]


def _strip_trailing_comments(statement: str) -> str:
    statement = statement.strip()
    while statement.endswith(("/* ; */", "-- ;")):
        statement = statement.removesuffix("/* ; */").removesuffix("-- ;").strip()
    return statement
