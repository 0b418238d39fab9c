"""Plans are reused only while they are right: new files, partitions and definitions are seen."""

import pyarrow as pa
import pyarrow.parquet as pq

import lakebox


def test_cached_plan_sees_new_files_partitions_and_definitions(tmp_path):
    folder = tmp_path / "t"
    (folder / "dt=1").mkdir(parents=True)
    pq.write_table(pa.table({"v": [1]}), folder / "dt=1" / "a.parquet")
    first = lakebox.connect(tmp_path / "home")
    second = lakebox.connect(tmp_path / "home")
    try:
        cur = first.cursor()
        cur.execute(f"CREATE EXTERNAL TABLE t (v bigint) PARTITIONED BY (dt string) STORED AS PARQUET "
                    f"LOCATION '{folder}'")
        cur.execute("MSCK REPAIR TABLE t")
        query = "SELECT sum(v) FROM t WHERE dt IN ('1', '2')"
        assert cur.execute(query).fetchall() == [(1,)]
        assert cur.timings["plan_cached"] == 0.0
        assert cur.execute(query).fetchall() == [(1,)]
        assert cur.timings["plan_cached"] == 1.0
        # a new file in a known partition: read without any catalog change
        pq.write_table(pa.table({"v": [10]}), folder / "dt=1" / "b.parquet")
        assert cur.execute(query).fetchall() == [(11,)]
        # a partition registered by another connection
        (folder / "dt=2").mkdir()
        pq.write_table(pa.table({"v": [100]}), folder / "dt=2" / "c.parquet")
        second.cursor().execute("ALTER TABLE t ADD PARTITION (dt='2')")
        assert cur.execute(query).fetchall() == [(111,)]
        assert cur.timings["plan_cached"] == 0.0
        # a definition changed by another connection
        second.cursor().execute("DROP TABLE t")
        second.cursor().execute(f"CREATE EXTERNAL TABLE t (v double) PARTITIONED BY (dt string) "
                                f"STORED AS PARQUET LOCATION '{folder}'")
        assert cur.execute(query).fetchall() == [(None,)]
        assert cur.description[0][1] == lakebox.NUMBER
    finally:
        first.close()
        second.close()


def test_parameters_are_part_of_the_key(tmp_path):
    with lakebox.connect(tmp_path / "home") as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT ? + 1", [1]).fetchall() == [(2,)]
        assert cur.execute("SELECT ? + 1", [41]).fetchall() == [(42,)]
        assert cur.execute("SELECT ? || 'x'", ["a"]).fetchall() == [("ax",)]


def test_dialect_and_default_database_are_part_of_the_key(tmp_path):
    with lakebox.connect(tmp_path / "home") as conn:
        cur = conn.cursor()
        assert [d[0] for d in cur.execute("SELECT count(*)").description] == ["_col0"]
        conn.dialect = "redshift"
        assert [d[0] for d in cur.execute("SELECT count(*)").description] == ["count"]
