"""Redshift's COPY and UNLOAD through the DB-API: round trips, prefixes, conversions and failures."""

from __future__ import annotations

import gzip
import json
import os

import pytest

import lakebox

TABLE = ("CREATE TABLE {name} (id INT NOT NULL, name VARCHAR(10), price DECIMAL(8,2), d DATE, ts TIMESTAMP, "
         "ok BOOLEAN, f DOUBLE PRECISION)")
ROWS = ("INSERT INTO t VALUES (1, 'ann', 1.50, '2024-01-02', '2024-01-02 03:04:05', true, 1.5), "
        "(2, 'bob, jr', NULL, NULL, NULL, false, NULL), (3, 'c\"q', 3.00, '2024-12-31', '2024-12-31 23:59:59', NULL, "
        "-2.25)")


@pytest.fixture
def cur(tmp_path):
    connection = lakebox.connect(tmp_path / "home", dialect="redshift")
    cursor = connection.cursor()
    cursor.execute(TABLE.format(name="t"))
    cursor.execute(ROWS)
    yield cursor
    connection.close()


def s3(cursor, key: str) -> str:
    return os.path.join(cursor.connection.home, "s3", "bkt", key)


def rows(cursor, sql: str) -> list[tuple]:
    cursor.execute(sql)
    return cursor.fetchall()


@pytest.mark.parametrize("unload, copy, first_file", [
    ("", "", "t_0000_part_00"),
    ("FORMAT AS CSV", "CSV", "t_0000_part_00"),
    ("CSV HEADER DELIMITER AS ';' GZIP", "CSV DELIMITER ';' IGNOREHEADER 1 GZIP", "t_0000_part_00.gz"),
    ("FORMAT PARQUET", "FORMAT AS PARQUET", "t_0000_part_00.parquet"),
    ("FORMAT JSON", "JSON 'auto'", "t_0000_part_00"),
    ("DELIMITER '\\t' PARALLEL OFF ZSTD", "DELIMITER '\\t' ZSTD", "t_000.zst"),
])
def test_round_trip(cur, unload, copy, first_file):
    cur.execute(f"UNLOAD ('select * from t') TO 's3://bkt/out/t_' IAM_ROLE default {unload}")
    assert cur.rowcount == 3
    assert sorted(os.listdir(s3(cur, "out"))) == [first_file]
    cur.execute(TABLE.format(name="t2"))
    cur.execute(f"COPY t2 FROM 's3://bkt/out/t_' IAM_ROLE 'arn:aws:iam::0123456789012:role/R' {copy}")
    assert cur.rowcount == 3
    assert rows(cur, "SELECT * FROM t2 ORDER BY id") == rows(cur, "SELECT * FROM t ORDER BY id")


def test_default_unload_is_pipe_delimited_text(cur):
    cur.execute("UNLOAD ('select id, name, ok from t where id < 3 order by id') TO 's3://bkt/p/' IAM_ROLE default")
    with open(s3(cur, "p/0000_part_00")) as f:
        assert f.read() == "1|ann|t\n2|bob, jr|f\n"


def test_unload_query_quotes_and_manifest(cur):
    cur.execute("UNLOAD ('select name from t where name = ''ann''') TO 's3://bkt/m/' IAM_ROLE default MANIFEST")
    assert cur.rowcount == 1
    manifest = json.loads(open(s3(cur, "m/manifest")).read())
    assert [e["url"] for e in manifest["entries"]] == ["s3://bkt/m/0000_part_00"]
    cur.execute("CREATE TABLE names (name VARCHAR(10))")
    cur.execute("COPY names FROM 's3://bkt/m/manifest' IAM_ROLE default MANIFEST")
    assert rows(cur, "SELECT name FROM names") == [("ann",)]


def test_partitioned_unload(cur):
    cur.execute("UNLOAD ('select id, name, ok from t') TO 's3://bkt/part/' IAM_ROLE default FORMAT PARQUET "
                "PARTITION BY (ok)")
    assert sorted(os.listdir(s3(cur, "part"))) == ["ok=__HIVE_DEFAULT_PARTITION__", "ok=false", "ok=true"]
    assert os.listdir(s3(cur, "part/ok=true")) == ["0000_part_00.parquet"]
    cur.execute("CREATE TABLE two (id INT, name VARCHAR(10))")  # the partition column is not in the files
    cur.execute("COPY two FROM 's3://bkt/part/' IAM_ROLE default PARQUET")
    assert rows(cur, "SELECT id, name FROM two ORDER BY id") == [(1, "ann"), (2, "bob, jr"), (3, 'c"q')]
    cur.execute("UNLOAD ('select id, ok from t') TO 's3://bkt/inc/' IAM_ROLE default CSV PARTITION BY (ok) INCLUDE")
    with open(s3(cur, "inc/ok=true/0000_part_00")) as f:
        assert f.read() == "1,t\n"


def test_unload_refuses_to_overwrite(cur):
    cur.execute("UNLOAD ('select id from t') TO 's3://bkt/o/x_' IAM_ROLE default")
    with pytest.raises(lakebox.OperationalError, match="not empty.*ALLOWOVERWRITE"):
        cur.execute("UNLOAD ('select id from t') TO 's3://bkt/o/x_' IAM_ROLE default")
    cur.execute("UNLOAD ('select id from t where id = 1') TO 's3://bkt/o/x_' IAM_ROLE default ALLOWOVERWRITE")
    with open(s3(cur, "o/x_0000_part_00")) as f:
        assert f.read() == "1\n"
    with pytest.raises(lakebox.NotSupportedError, match="LIMIT"):
        cur.execute("UNLOAD ('select id from t limit 1') TO 's3://bkt/o/y_' IAM_ROLE default")


def test_copy_reads_every_object_with_the_prefix(cur):
    os.makedirs(s3(cur, "in/sub"))
    for key, text in {"in/a_1.txt": "1|x\n", "in/a_2.txt": "2|y\n", "in/sub/a_3": "9|no\n", "in/b.txt": "7|no\n"}.items():
        with open(s3(cur, key), "w") as f:
            f.write(text)
    cur.execute("CREATE TABLE p (id INT, s VARCHAR(5))")
    cur.execute("COPY p FROM 's3://bkt/in/a_' IAM_ROLE default")
    assert rows(cur, "SELECT * FROM p ORDER BY id") == [(1, "x"), (2, "y")]
    with pytest.raises(lakebox.DataError, match="prefix"):
        cur.execute("COPY p FROM 's3://bkt/in/zzz' IAM_ROLE default")


def test_copy_conversions(cur):
    os.makedirs(s3(cur, "conv"))
    with open(s3(cur, "conv/data.csv"), "w") as f:
        f.write('id,name,day,at\n1,"",03/15/2024,1700000000\n2,   ,,\n3,NUL,01/02/2023,\n4,"a,b",,\n')
    cur.execute("CREATE TABLE c (id INT, name VARCHAR(3), day DATE, at TIMESTAMP)")
    cur.execute("COPY c FROM 's3://bkt/conv/' IAM_ROLE default CSV IGNOREHEADER 1 NULL AS 'NUL' EMPTYASNULL "
                "BLANKSASNULL DATEFORMAT 'MM/DD/YYYY' TIMEFORMAT 'epochsecs'")
    assert rows(cur, "SELECT id, name, day, CAST(at AS VARCHAR) FROM c ORDER BY id") == [
        (1, None, __import__("datetime").date(2024, 3, 15), "2023-11-14 22:13:20"),
        (2, None, None, None), (3, None, __import__("datetime").date(2023, 1, 2), None), (4, "a,b", None, None)]


def test_copy_text_empty_fields(cur):
    os.makedirs(s3(cur, "e"))
    with open(s3(cur, "e/x"), "w") as f:
        f.write("1||\\N\n|  |x\n")
    cur.execute("CREATE TABLE e (id INT, a VARCHAR(5), b VARCHAR(5))")
    cur.execute("COPY e FROM 's3://bkt/e/x' IAM_ROLE default")
    assert rows(cur, "SELECT * FROM e ORDER BY id NULLS LAST") == [(1, "", None), (None, "  ", "x")]


def test_bad_row_loads_nothing(cur):
    os.makedirs(s3(cur, "bad"))
    with open(s3(cur, "bad/x.txt"), "w") as f:
        f.write("10|ok\n11|fine\nnot-a-number|boom\n")
    cur.execute("CREATE TABLE b (id INT, s VARCHAR(10))")
    cur.execute("INSERT INTO b VALUES (1, 'kept')")
    with pytest.raises(lakebox.DataError) as info:
        cur.execute("COPY b FROM 's3://bkt/bad/' IAM_ROLE default")
    message = str(info.value)
    assert message.startswith("Load into table 'b' failed. Check 'stl_load_errors' system table for details.")
    assert "s3://bkt/bad/x.txt" in message and "line 3" in message and "column id" in message
    assert rows(cur, "SELECT * FROM b") == [(1, "kept")]
    cur.execute("COPY b FROM 's3://bkt/bad/' IAM_ROLE default MAXERROR 1")
    assert cur.rowcount == 2
    assert rows(cur, "SELECT count(*) FROM b") == [(3,)]


def test_too_long_and_truncatecolumns(cur):
    os.makedirs(s3(cur, "long"))
    with open(s3(cur, "long/x"), "w") as f:
        f.write("1|abcdefgh\n")
    cur.execute("CREATE TABLE l (id INT, s VARCHAR(3))")
    with pytest.raises(lakebox.DataError, match="String length exceeds DDL length"):
        cur.execute("COPY l FROM 's3://bkt/long/' IAM_ROLE default")
    cur.execute("COPY l FROM 's3://bkt/long/' IAM_ROLE default TRUNCATECOLUMNS")
    assert rows(cur, "SELECT s FROM l") == [("abc",)]


def test_not_null_and_wrong_field_count_fail_whole_copy(cur):
    os.makedirs(s3(cur, "nn"))
    with open(s3(cur, "nn/x"), "w") as f:
        f.write("1|a\n|b\n")
    with open(s3(cur, "nn/y"), "w") as f:
        f.write("1|a|extra\n")
    cur.execute("CREATE TABLE n (id INT NOT NULL, s VARCHAR(3))")
    with pytest.raises(lakebox.DataError, match="Load into table 'n' failed"):
        cur.execute("COPY n FROM 's3://bkt/nn/x' IAM_ROLE default")
    with pytest.raises(lakebox.DataError, match="Load into table 'n' failed"):
        cur.execute("COPY n FROM 's3://bkt/nn/y' IAM_ROLE default")
    assert rows(cur, "SELECT count(*) FROM n") == [(0,)]


def test_copy_in_a_transaction_rolls_back(cur):
    cur.execute("UNLOAD ('select * from t') TO 's3://bkt/tx/' IAM_ROLE default")
    cur.execute("BEGIN")
    cur.execute("COPY t FROM 's3://bkt/tx/' IAM_ROLE default")
    assert rows(cur, "SELECT count(*) FROM t") == [(6,)]
    cur.execute("ROLLBACK")
    assert rows(cur, "SELECT count(*) FROM t") == [(3,)]


def test_copy_column_list_and_json_ignorecase(cur):
    os.makedirs(s3(cur, "j"))
    with gzip.open(s3(cur, "j/x.json.gz"), "wt") as f:
        f.write('{"ID": 1, "Name": "Ann"}\n{"id": 2, "name": "bob", "other": true}\n')
    cur.execute("CREATE TABLE j (id INT, name VARCHAR(5), extra VARCHAR(5) DEFAULT 'dflt')")
    cur.execute("COPY j (id, name) FROM 's3://bkt/j/' IAM_ROLE default FORMAT JSON 'auto ignorecase' GZIP")
    assert rows(cur, "SELECT * FROM j ORDER BY id") == [(1, "Ann", "dflt"), (2, "bob", "dflt")]
    cur.execute("DELETE FROM j")
    cur.execute("COPY j (id, name) FROM 's3://bkt/j/' IAM_ROLE default JSON 'auto' GZIP")
    assert rows(cur, "SELECT * FROM j ORDER BY id NULLS FIRST") == [(None, None, "dflt"), (2, "bob", "dflt")]


@pytest.mark.parametrize("sql, error", [
    ("COPY t FROM 's3://bkt/x' IAM_ROLE default BZIP2", "BZIP2"),
    ("COPY t FROM 's3://bkt/x' IAM_ROLE default FIXEDWIDTH 'a:1'", "FIXEDWIDTH"),
    ("COPY t FROM 's3://bkt/x' IAM_ROLE default JSON 's3://bkt/jsonpaths.json'", "JSONPaths"),
    ("UNLOAD ('select 1') TO 's3://bkt/x' IAM_ROLE default ADDQUOTES", "ADDQUOTES"),
])
def test_refused_options(cur, sql, error):
    with pytest.raises(lakebox.NotSupportedError, match=error):
        cur.execute(sql)


def test_athena_still_refuses(tmp_path):
    with lakebox.connect(tmp_path / "a", dialect="athena") as connection:
        with pytest.raises(lakebox.NotSupportedError, match="COPY"):
            connection.cursor().execute("COPY t FROM 's3://b/x'")
