"""Athena URL functions: java.net.URI's answers as SQL macros (more in tests/conformance/athena/misc.yaml)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from lakebox.dialects import misc


def rewrite(sql: str) -> str:
    expression = sqlglot.parse_one(sql, read="athena")
    for rule in misc.RULES["athena"]:
        expression = rule(expression, "athena")
    return expression.sql("duckdb")


def test_url_functions_become_macros():
    assert rewrite("SELECT url_extract_host(u), url_extract_parameter(u, 'q'), url_encode(u), url_decode(u)") == (
        "SELECT TRINO_URL_EXTRACT_HOST(u), TRINO_URL_EXTRACT_PARAMETER(u, 'q'), TRINO_URL_ENCODE(u), "
        "TRINO_URL_DECODE(u)")


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    for macro in misc.MACROS:
        connection.execute(macro)
    yield connection
    connection.close()


URL = "'https://user:pw@www.example.com:8443/a%20b/c?x=1&y=a+b%21&z#frag%21'"


@pytest.mark.parametrize("function, expected", [
    ("protocol", "https"), ("host", "www.example.com"), ("port", 8443), ("path", "/a b/c"),
    ("query", "x=1&y=a+b!&z"), ("fragment", "frag!"),
])
def test_url_parts(con, function, expected):
    assert con.execute(f"SELECT trino_url_extract_{function}({URL})").fetchone()[0] == expected


@pytest.mark.parametrize("name, expected", [("x", "1"), ("y", "a b!"), ("z", ""), ("w", None)])
def test_url_parameters(con, name, expected):
    assert con.execute(f"SELECT trino_url_extract_parameter({URL}, '{name}')").fetchone()[0] == expected


@pytest.mark.parametrize("url, host, path", [
    ("'/relative/path?q=1'", "", "/relative/path"),       # no authority: empty host, as nullToEmpty does
    ("'mailto:someone@example.com'", "", ""),             # opaque URI: no host, no path
    ("'http://bad host/'", None, None),                   # not a URI at all: NULL
    ("'http://my_host.com/x'", "", "/x"),                 # registry-based authority: no host
])
def test_java_uri_edge_cases(con, url, host, path):
    query = f"SELECT trino_url_extract_host({url}), trino_url_extract_path({url})"
    assert con.execute(query).fetchone() == (host, path)


def test_encode_and_decode(con):
    assert con.execute("SELECT trino_url_encode('a b*-._~/é')").fetchone()[0] == "a+b*-._%7E%2F%C3%A9"
    assert con.execute("SELECT trino_url_decode('a+b%20c%2Fd')").fetchone()[0] == "a b c/d"
    with pytest.raises(duckdb.Error, match="URLDecoder"):
        con.execute("SELECT trino_url_decode('%zz')").fetchall()
