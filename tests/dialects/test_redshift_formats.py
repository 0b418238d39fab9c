"""Redshift template patterns: the compilers and the rewrites (documented examples run in
tests/conformance/redshift/formats.yaml; tests/differential compares against PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_formats as rf
from lakebox.dialects.redshift_parser import LakeboxRedshift

SCHEMA = {"t": {"ts": "TIMESTAMP", "d": "DATE", "n": "DECIMAL(8,2)", "s": "VARCHAR", "u": "UNKNOWN"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    return rf.redshift_formats(expression, "redshift").sql("duckdb")


def test_templates_are_kept_verbatim_by_the_parser():
    node = sqlglot.parse_one("SELECT TO_CHAR(ts, 'Day DD FMMonth')", read=LakeboxRedshift).selects[0]
    assert node.args["format"].this == "Day DD FMMonth"


def test_datetime_template_compiles_to_one_expression():
    sql = rewrite("SELECT TO_CHAR(ts, 'YYYY-MM-DD') AS v FROM t")
    assert sql == ("SELECT CASE WHEN t.ts IS NULL THEN NULL ELSE (LAKEBOX_RS_ZERO_PAD(CAST(YEAR(t.ts) AS TEXT), 4)) "
                   "|| '-' || (LAKEBOX_RS_ZERO_PAD(CAST(MONTH(t.ts) AS TEXT), 2)) || '-' || "
                   "(LAKEBOX_RS_ZERO_PAD(CAST(DAY(t.ts) AS TEXT), 2)) END AS v FROM t AS t")


def test_keywords_match_longest_first_and_case_sensitively():
    sql = rf.compile_datetime("DDD Day day DAY mI Hh")
    assert "dayofyear" in sql and "'Hh'" not in sql  # Hh is copied as text, letter by letter
    assert rf.compile_datetime('"YYYY"') == "'YYYY'"


def test_number_template_uses_the_parts_of_the_rounded_value():
    sql = rewrite("SELECT TO_CHAR(n, '999D99S') AS v FROM t")
    assert "LAKEBOX_RS_NUMBER_PARTS(t.n, 2, FALSE)" in sql


@pytest.mark.parametrize("sql, message", [
    ("SELECT TO_CHAR(ts, s) FROM t", "template as a string literal"),
    ("SELECT TO_CHAR(n, '9.99EEEE') FROM t", "EEEE"),
    ("SELECT TO_CHAR(n, '99V9') FROM t", "V"),
    ("SELECT TO_TIMESTAMP(s, 'YYYY TZ') FROM t", "TZ"),
    ("SELECT TO_CHAR(u, 'YYYY') FROM t", "type is unknown"),
])
def test_unsupported_forms_are_refused(sql, message):
    with pytest.raises(errors.NotSupportedError, match=message):
        rewrite(sql)


def test_parser_regex_has_one_group_per_field():
    regex, fields = rf.compile_parser("DD Mon YYYY HH24:MI", "TO_DATE")
    assert fields == ["day", "monthname", "year", "hour", "minute"]
    assert regex.startswith("^\\s*")


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-fmt"), dialect="redshift")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE w (id INT, ts TIMESTAMP, n DECIMAL(10,3), s VARCHAR(30))")
    cursor.execute("INSERT INTO w VALUES (1, '2024-02-29 13:05:09.5', -1234.5675, '29/02/2024'), "
                   "(2, NULL, NULL, NULL), (3, '1999-12-31 00:00:00', 0, '31/12/1999')")
    yield cursor
    connection.close()


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_columns_and_nulls(cur):
    assert rows(cur, "SELECT TO_CHAR(ts, 'FMDay, FMDD FMMonth YYYY HH12:MI AM'), TO_CHAR(n, 'FM9,999.999'), "
                     "TO_DATE(s, 'DD/MM/YYYY') FROM w ORDER BY id") == [
        ("Thursday, 29 February 2024 01:05 PM", "-1,234.568", dt.date(2024, 2, 29)),
        (None, None, None),
        ("Friday, 31 December 1999 12:00 AM", "0.", dt.date(1999, 12, 31))]


def test_round_trip_through_to_char_and_to_timestamp(cur):
    assert rows(cur, "SELECT COUNT(*) FROM w WHERE ts IS NOT NULL AND "
                     "TO_TIMESTAMP(TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS.US'), 'YYYY-MM-DD HH24:MI:SS.US')::timestamp <> ts") \
        == [(0,)]
