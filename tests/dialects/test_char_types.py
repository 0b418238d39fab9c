"""char(n) and varchar(n): Athena's rule (SQL in, DuckDB SQL out), Redshift's CHAR conversions, and the
padded reads of char(n) table columns in both dialects (documented examples: tests/conformance/*/chars.yaml)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox.dialects import char_types as ct
from lakebox.dialects import redshift_types as rt
from lakebox.dialects.redshift_parser import LakeboxRedshift
from lakebox.engine.binder import char_width

SCHEMA = {"t": {"c": "CHAR(5)", "v": "VARCHAR"}}


def athena(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read="athena"), schema=SCHEMA, dialect="athena",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="athena")
    return ct.athena_char_types(expression, "athena").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT CAST(v AS CHAR(3)) AS x FROM t", "SELECT RPAD(t.v, 3, ' ') AS x FROM t AS t"),
    ("SELECT CAST(v AS VARCHAR(2)) AS x FROM t", "SELECT LEFT(t.v, 2) AS x FROM t AS t"),
    ("SELECT c = v AS x FROM t", "SELECT RTRIM(t.c, ' ') = RTRIM(t.v, ' ') AS x FROM t AS t"),
    ("SELECT c IN ('a ', 'b') AS x FROM t", "SELECT RTRIM(t.c, ' ') IN ('a', 'b') AS x FROM t AS t"),
    ("SELECT c BETWEEN 'a' AND 'b ' AS x FROM t", "SELECT RTRIM(t.c, ' ') BETWEEN 'a' AND 'b' AS x FROM t AS t"),
    # two varchars: trailing blanks count in Trino
    ("SELECT v = 'a ' AS x FROM t", "SELECT t.v = 'a ' AS x FROM t AS t"),
])
def test_athena_rewrites(sql, expected):
    assert athena(sql) == expected


def redshift(sql: str) -> str:
    schema = {"t": {"c": "CHAR(5)", "v": "VARCHAR(10)"}}
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=schema, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=schema, dialect="redshift")
    return rt.redshift_types(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    # a CHAR converted to another string type loses its trailing blanks (r_Character_types)
    ("SELECT CAST(c AS VARCHAR) AS x FROM t", "SELECT RTRIM(t.c, ' ') AS x FROM t AS t"),
    ("SELECT c::VARCHAR(3) AS x FROM t", "SELECT LAKEBOX_RS_VARCHAR(RTRIM(t.c, ' '), 3) AS x FROM t AS t"),
    ("SELECT v::CHAR(3) AS x FROM t", "SELECT LAKEBOX_RS_CHAR(t.v, 3) AS x FROM t AS t"),
])
def test_redshift_rewrites(sql, expected):
    assert redshift(sql) == expected


def test_char_widths():
    assert char_width("char(5)") == 5
    assert char_width("CHARACTER(12)") == 12
    assert char_width("char") == 1
    assert char_width("bpchar") == 256
    assert char_width("varchar(5)") is None and char_width("string") is None


def test_char_columns_come_back_padded_in_both_dialects(tmp_path):
    folder = tmp_path / "codes"
    folder.mkdir()
    pq.write_table(pa.table({"code": ["ab", "abcdefg", None], "n": [1, 2, 3]}), folder / "part-0.parquet")
    with lakebox.connect(tmp_path / "home") as connection:
        cursor = connection.cursor()
        cursor.execute(f"CREATE EXTERNAL TABLE codes (code char(5), n int) STORED AS PARQUET LOCATION '{folder}/'")
        cursor.execute("SELECT code, length(code), code = 'ab' FROM codes ORDER BY n")
        assert cursor.fetchall() == [("ab   ", 5, True), ("abcde", 5, False), (None, None, None)]
        cursor.execute("SELECT count(*) FROM codes TABLESAMPLE BERNOULLI (100) WHERE code = 'ab   '")
        assert cursor.fetchall() == [(1,)]
        connection.dialect = "redshift"
        cursor.execute("CREATE TABLE r (code CHAR(4), note VARCHAR(3))")
        cursor.execute("INSERT INTO r VALUES ('ab', 'x'), ('abcd', 'y')")
        cursor.execute("SELECT code, len(code), code || '|', code::varchar || '|' FROM r ORDER BY note")
        assert cursor.fetchall() == [("ab  ", 2, "ab  |", "ab|"), ("abcd", 4, "abcd|", "abcd|")]
        cursor.execute("UPDATE r SET code = 'z' WHERE code = 'ab'")
        cursor.execute("SELECT a.code FROM r a JOIN r b ON a.code = b.code ORDER BY 1")
        assert cursor.fetchall() == [("abcd",), ("z   ",)]
        with pytest.raises(lakebox.DataError, match=r"value too long for type character\(4\)"):
            cursor.execute("INSERT INTO r VALUES ('abcde', 'x')")
        with pytest.raises(lakebox.DataError, match=r"value too long for type character varying\(3\)"):
            cursor.execute("UPDATE r SET note = 'long'")


def test_redshift_set_operations_pad_char_branches_to_one_width(tmp_path):
    with lakebox.connect(tmp_path, dialect="redshift") as connection:
        cursor = connection.cursor()
        cursor.execute("CREATE TABLE a (c CHAR(3), v VARCHAR(5))")
        cursor.execute("CREATE TABLE b (c CHAR(5), v VARCHAR(5))")
        cursor.execute("INSERT INTO a VALUES ('ab', 'ab'), ('x', 'x ')")
        cursor.execute("INSERT INTO b VALUES ('ab', 'ab '), ('y', 'y')")
        cursor.execute("SELECT c FROM a UNION SELECT c FROM b ORDER BY 1")
        assert cursor.fetchall() == [("ab   ",), ("x    ",), ("y    ",)]
        cursor.execute("SELECT c FROM a INTERSECT SELECT c FROM b")
        assert cursor.fetchall() == [("ab   ",)]
        cursor.execute("SELECT c FROM a EXCEPT SELECT c FROM b")
        assert cursor.fetchall() == [("x    ",)]
        cursor.execute("SELECT c FROM a UNION ALL SELECT 'ab ' ORDER BY 1")  # a literal takes the CHAR type
        assert cursor.fetchall() == [("ab ",), ("ab ",), ("x  ",)]
        cursor.execute("SELECT c FROM a UNION SELECT v FROM b ORDER BY 1")  # CHAR against VARCHAR: VARCHAR
        assert cursor.fetchall() == [("ab",), ("ab ",), ("x",), ("y",)]
