"""Format-string rules: pattern translation and SQL in/out (executed results: conformance formats.yaml)."""

from __future__ import annotations

import pytest
import sqlglot

from lakebox.dialects import datetime_formats as f
from lakebox.errors import NotSupportedError, ProgrammingError


def rewrite(sql: str) -> str:
    return f.athena_formats(sqlglot.parse_one(sql, read="athena"), "athena").sql("duckdb")


@pytest.mark.parametrize("trino, duckdb", [
    ("%Y-%m-%d %H:%i:%s", "%Y-%m-%d %H:%M:%S"),
    ("%W %M %e %c", "%A %B %-d %-m"),
    ("%r", "%I:%M:%S %p"),
    ("%k %l %h", "%-H %-I %I"),
    ("%x-%v", "%G-%V"),
    ("%Y%%%q", "%Y%%q"),
])
def test_date_format_patterns(trino, duckdb):
    assert rewrite(f"SELECT date_format(x, '{trino}')") == f"SELECT STRFTIME(x, '{duckdb}')"


@pytest.mark.parametrize("specifier", ["%D", "%U", "%u", "%V", "%w", "%X"])
def test_specifiers_trino_refuses(specifier):
    with pytest.raises(ProgrammingError, match=f"{specifier} not supported in date format string"):
        rewrite(f"SELECT date_format(x, '{specifier}')")


def test_date_parse_checks_and_defaults_the_year():
    sql = rewrite("SELECT date_parse(s, '%H:%i')")
    assert "TRY_STRPTIME(s, '%H:%M') + INTERVAL '70' YEAR" in sql and "Invalid format" in sql


def test_date_parse_with_a_year_has_no_shift():
    assert "INTERVAL" not in rewrite("SELECT date_parse(s, '%Y-%m-%d')")


@pytest.mark.parametrize("pattern, expected", [
    ("yyyy-MM-dd HH:mm:ss", [("y", 4), ("'", "-"), ("M", 2), ("'", "-"), ("d", 2), ("'", " "), ("H", 2),
                             ("'", ":"), ("m", 2), ("'", ":"), ("s", 2)]),
    ("'at' h", [("'", "at"), ("'", " "), ("h", 1)]),
    ("''", [("'", "'")]),
    ("'o''clock'", [("'", "o'clock")]),
])
def test_joda_tokens(pattern, expected):
    assert f.joda_tokens(pattern) == expected


def test_joda_illegal_letter():
    with pytest.raises(ProgrammingError, match="Illegal pattern component: q"):
        f.joda_tokens("yyyy q")


@pytest.mark.parametrize("pattern, expected", [
    ("yyyy-MM-dd", "SELECT STRFTIME(x, '%Y-%m-%d')"),
    ("EEEE MMMM d", "SELECT STRFTIME(x, '%A %B %-d')"),
    ("h:mm a", "SELECT STRFTIME(x, '%-I:%M %p')"),
    ("SSS", "SELECT STRFTIME(x, '%g')"),
    ("yyyy%", "SELECT STRFTIME(x, '%Y%%')"),
    ("e", "SELECT CAST(ISODOW(x) AS TEXT)"),
    ("kk", "SELECT LPAD(CAST(CASE WHEN HOUR(x) = 0 THEN 24 ELSE HOUR(x) END AS TEXT), 2, '0')"),
    ("yyyy Z", "SELECT STRFTIME(x, '%Y ') || '+0000'"),
])
def test_format_datetime(pattern, expected):
    assert rewrite(f"SELECT format_datetime(x, '{pattern}')") == expected


@pytest.mark.parametrize("pattern, expected", [
    ("yyyy-MM-dd HH:mm:ss", ("%Y-%m-%d %H:%M:%S", True, False)),
    ("dd/MMM/yy", ("%d/%b/%y", True, False)),
    ("HH:mm Z", ("%H:%M %z", False, True)),
    ("EEEE, MMMM d h a", ("%A, %B %d %I %p", False, False)),
])
def test_parse_patterns(pattern, expected):
    assert f.joda_parse_pattern(pattern) == expected


@pytest.mark.parametrize("pattern", ["xxxx", "ww", "e", "kk", "K", "C", "G", "z"])
def test_parse_letters_lakebox_cannot_reproduce(pattern):
    with pytest.raises(NotSupportedError, match="parse_datetime"):
        f.joda_parse_pattern(pattern)


def test_non_literal_format_is_refused():
    with pytest.raises(NotSupportedError, match="format_datetime: the format must be a string literal"):
        rewrite("SELECT format_datetime(x, y)")
