"""A session limited to the lake (the wire server's) refuses locations outside s3://; others do not."""

from __future__ import annotations

import pytest

import lakebox


@pytest.fixture
def athena(tmp_path):
    conn = lakebox.connect(home=tmp_path / "home", dialect="athena")
    conn.session.lake_locations_only = True
    yield conn.cursor()
    conn.close()


@pytest.mark.parametrize("sql", [
    "CREATE EXTERNAL TABLE t (a string) STORED AS TEXTFILE LOCATION '/etc/'",
    "CREATE EXTERNAL TABLE t (a string) STORED AS TEXTFILE LOCATION 'file:///etc/'",
    "CREATE DATABASE elsewhere LOCATION '/tmp/elsewhere/'",
    "CREATE TABLE t WITH (external_location = '/tmp/lakebox-ctas-escape/') AS SELECT 1 AS a",
])
def test_locations_outside_the_lake_are_refused(athena, sql, tmp_path):
    with pytest.raises(lakebox.PermissionDenied, match="outside the lake") as caught:
        athena.execute(sql)
    assert caught.value.sqlstate == "42501"
    athena.execute("SHOW TABLES IN default")
    assert athena.fetchall() == []  # nothing was registered


def test_partition_and_table_locations_must_stay_in_the_lake(athena):
    athena.execute("CREATE EXTERNAL TABLE p (a string) PARTITIONED BY (dt string) STORED AS PARQUET "
                   "LOCATION 's3://lake/p/'")
    with pytest.raises(lakebox.PermissionDenied):
        athena.execute("ALTER TABLE p ADD PARTITION (dt = '1') LOCATION '/etc/'")
    with pytest.raises(lakebox.PermissionDenied):
        athena.execute("ALTER TABLE p SET LOCATION '/etc/'")
    athena.execute("ALTER TABLE p ADD PARTITION (dt = '1') LOCATION 's3://lake/p/dt=1/'")
    athena.execute("SHOW PARTITIONS p")
    assert athena.fetchall() == [("dt=1",)]


def test_an_ordinary_connection_may_name_local_paths(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.csv").write_text("x\n")
    with lakebox.connect(home=tmp_path / "home") as conn:
        cur = conn.cursor()
        cur.execute(f"CREATE EXTERNAL TABLE t (a string) STORED AS TEXTFILE LOCATION '{folder}/'")
        cur.execute("SELECT a FROM t")
        assert cur.fetchall() == [("x",)]
