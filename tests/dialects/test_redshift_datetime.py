"""Redshift date and time rules: SQL in, DuckDB SQL out, plus executed results.

Documented examples run in tests/conformance/redshift/datetime.yaml; here each rewrite's shape and
the edge cases around it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_datetime as rd
from lakebox.dialects.redshift_common import parse_datetime_text
from lakebox.dialects.redshift_parser import LakeboxRedshift

SCHEMA = {"t": {"d": "DATE", "ts": "TIMESTAMP", "tm": "TIME", "s": "VARCHAR", "n": "INT"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    return rd.redshift_datetime(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT DATEADD(month, 1, d) AS x FROM t", "SELECT CAST(t.d AS TIMESTAMP) + TO_MONTHS(t.n) AS x FROM t AS t"
     .replace("t.n", "1")),
    ("SELECT DATEADD(year, n, ts) AS x FROM t", "SELECT LAKEBOX_RS_ADD_YEARS(t.ts, t.n) AS x FROM t AS t"),
    ("SELECT DATEADD(w, 2, ts) AS x FROM t", "SELECT t.ts + TO_DAYS((2) * 7) AS x FROM t AS t"),
    ("SELECT DATEADD(m, 30, ts) AS x FROM t", "SELECT t.ts + TO_MINUTES(30) AS x FROM t AS t"),
    ("SELECT DATEADD(hour, 1, tm) AS x FROM t", "SELECT t.tm + TO_HOURS(1) AS x FROM t AS t"),
    ("SELECT ADD_MONTHS(d, 1) AS x FROM t", "SELECT LAKEBOX_RS_ADD_MONTHS(CAST(t.d AS TIMESTAMP), 1) AS x FROM t AS t"),
    ("SELECT DATEDIFF(week, d, ts) AS x FROM t",
     "SELECT LAKEBOX_RS_DATEDIFF_WEEK(CAST(t.d AS TIMESTAMP), t.ts) AS x FROM t AS t"),
    ("SELECT DATEDIFF(day, d, ts) AS x FROM t", "SELECT DATE_DIFF('day', CAST(t.d AS TIMESTAMP), t.ts) AS x FROM t AS t"),
    ("SELECT DATE_PART(dow, ts) AS x FROM t", "SELECT CAST(LAKEBOX_RS_DATE_PART_DOW(t.ts) AS DOUBLE) AS x FROM t AS t"),
    ("SELECT EXTRACT(ms FROM ts) AS x FROM t",
     "SELECT CAST(LAKEBOX_RS_EXTRACT_MILLISECOND(t.ts) AS INT) AS x FROM t AS t"),
    ("SELECT DATE_TRUNC('week', d) AS x FROM t", "SELECT DATE_TRUNC('week', CAST(t.d AS TIMESTAMP)) AS x FROM t AS t"),
    ("SELECT DATE_TRUNC('century', ts) AS x FROM t", "SELECT LAKEBOX_RS_TRUNC_CENTURY(t.ts) AS x FROM t AS t"),
    ("SELECT TRUNC(ts) AS x FROM t", "SELECT CAST(t.ts AS DATE) AS x FROM t AS t"),
    ("SELECT TRUNC(n) AS x FROM t", "SELECT TRUNC(t.n) AS x FROM t AS t"),
    ("SELECT LAST_DAY('2004-01-25') AS x", "SELECT LAST_DAY(CAST('2004-01-25' AS DATE)) AS x"),
    ("SELECT NEXT_DAY(ts, 'Mon') AS x FROM t", "SELECT LAKEBOX_RS_NEXT_DAY(CAST(t.ts AS DATE), 'Mon') AS x FROM t AS t"),
    ("SELECT MONTHS_BETWEEN(d, ts) AS x FROM t",
     "SELECT LAKEBOX_RS_MONTHS_BETWEEN(CAST(t.d AS TIMESTAMP), t.ts) AS x FROM t AS t"),
    ("SELECT CONVERT_TIMEZONE('PST', ts) AS x FROM t",
     "SELECT TIMEZONE('UTC', TIMEZONE('UTC', t.ts)) + TO_MICROSECONDS(-28800000000) AS x FROM t AS t"),
    ("SELECT CONVERT_TIMEZONE('UTC', 'US/Pacific', ts) AS x FROM t",
     "SELECT TIMEZONE('US/Pacific', TIMEZONE('UTC', t.ts)) AS x FROM t AS t"),
    ("SELECT DATEADD(day, 1, s) AS x FROM t",
     "SELECT LAKEBOX_RS_TEXT_TO_TIMESTAMP(t.s) + TO_DAYS(1) AS x FROM t AS t"),
    ("SELECT d - d AS x FROM t", "SELECT CAST((t.d - t.d) AS INT) AS x FROM t AS t"),
    ("SELECT CAST('20200430 04:05:06' AS TIMESTAMP) AS x", "SELECT CAST('2020-04-30 04:05:06' AS TIMESTAMP) AS x"),
    ("SELECT DATE 'Jan 5, 2008' AS x", "SELECT CAST('2008-01-05' AS DATE) AS x"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_functions_absent_leave_the_tree_alone():
    assert rewrite("SELECT n + 1 AS x FROM t WHERE s = 'a'") == "SELECT t.n + 1 AS x FROM t AS t WHERE t.s = 'a'"


@pytest.mark.parametrize("sql", [
    "SELECT DATEADD(fortnight, 1, ts) FROM t",
    "SELECT DATE_PART(yyyy, ts) FROM t",
    "SELECT DATEADD(day, 1, tm) FROM t",
])
def test_bad_dateparts_are_errors(sql):
    with pytest.raises(errors.ProgrammingError):
        rewrite(sql)


def test_convert_timezone_needs_literal_zones():
    with pytest.raises(errors.NotSupportedError, match="CONVERT_TIMEZONE"):
        rewrite("SELECT CONVERT_TIMEZONE(s, ts) FROM t")


@pytest.mark.parametrize("text, expected", [
    ("20200430 04:05:06.789", dt.datetime(2020, 4, 30, 4, 5, 6, 789000)),
    ("2008-02-28", dt.datetime(2008, 2, 28)),
    ("12/31/2008", dt.datetime(2008, 12, 31)),
    ("Jan 5, 2008 10:00", dt.datetime(2008, 1, 5, 10)),
    ("5 Dec 2000", dt.datetime(2000, 12, 5)),
    ("2008-02-28 12:00:00 PST", dt.datetime(2008, 2, 28, 12)),
    ("2008-02-30", None),
    ("garbage", None),
])
def test_datetime_text(text, expected):
    assert parse_datetime_text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("PST", ("fixed", -8)), ("utc", ("fixed", 0)), ("GMT+2", ("fixed", -2)), ("NEWZONE -2:15", ("fixed", 2.25)),
    ("EST5", ("fixed", -5)), ("America/New_York", ("named", None)), ("Etc/GMT+2", ("fixed", -2)),
    ("PST8PDT", ("named", None)),
])
def test_zone_forms(text, expected):
    assert rd.zone(text) == expected


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    connection = lakebox.connect(tmp_path_factory.mktemp("rs-dt"), dialect="redshift")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE ev (id INT, t TIMESTAMP, d DATE, s VARCHAR(30))")
    cursor.execute("INSERT INTO ev VALUES (1, '2008-01-31 10:00:00', '2008-01-31', '2008-02-29'), "
                   "(2, '2016-02-29 23:59:59', '2016-02-29', '20200430 04:05:06'), (3, NULL, NULL, NULL)")
    yield cursor
    connection.close()


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_columns_through_the_rules(cur):
    assert rows(cur, "SELECT ADD_MONTHS(d, 1), DATEADD(month, 1, d), DATEADD(year, 1, d) FROM ev ORDER BY id") == [
        (dt.datetime(2008, 2, 29), dt.datetime(2008, 2, 29), dt.datetime(2009, 1, 31)),
        (dt.datetime(2016, 3, 31), dt.datetime(2016, 3, 29), dt.datetime(2017, 3, 1)),
        (None, None, None)]
    assert rows(cur, "SELECT DATEADD(day, 1, s) FROM ev ORDER BY id") == [
        (dt.datetime(2008, 3, 1),), (dt.datetime(2020, 5, 1, 4, 5, 6),), (None,)]
    assert rows(cur, "SELECT DATEDIFF(week, d, '2016-03-07') FROM ev WHERE id = 2") == [(1,)]
    assert rows(cur, "SELECT NEXT_DAY(t, 'sa') FROM ev ORDER BY id") == [
        (dt.date(2008, 2, 2),), (dt.date(2016, 3, 5),), (None,)]


def test_text_that_is_not_a_timestamp_is_an_error(cur):
    cur.execute("CREATE TABLE bad (s VARCHAR(10))")
    cur.execute("INSERT INTO bad VALUES ('nope')")
    with pytest.raises(errors.DataError, match='invalid input syntax for type timestamp: "nope"'):
        rows(cur, "SELECT DATEADD(day, 1, s) FROM bad")


def test_next_day_rejects_unknown_names(cur):
    with pytest.raises(errors.Error, match="Invalid day name"):
        rows(cur, "SELECT NEXT_DAY('2014-08-20', 'Someday')")


def test_month_end_and_clamping_properties(cur):
    # every day of 2016 and 2017: a month-end stays a month-end under ADD_MONTHS, and DATEADD(month)
    # lands in the next month (clamping, never rolling over)
    got = rows(cur, "SELECT COUNT(*) FROM (SELECT DATEADD(day, n, '2016-01-01') AS x FROM "
                    "(SELECT ROW_NUMBER() OVER (ORDER BY 1) - 1 AS n FROM ev a, ev b, ev c, ev d, ev e, ev f) g) h "
                    "WHERE (LAST_DAY(x) = TRUNC(x) AND LAST_DAY(ADD_MONTHS(x, 1)) <> TRUNC(ADD_MONTHS(x, 1))) "
                    "OR DATEDIFF(month, x, DATEADD(month, 1, x)) <> 1")
    assert got == [(0,)]


def test_getdate_has_no_fraction(cur):
    value = rows(cur, "SELECT GETDATE()")[0][0]
    assert isinstance(value, dt.datetime) and value.microsecond == 0
