"""End to end through the DB-API: Athena DDL, partitions, queries, views, SHOW and errors."""

import pytest

import lakebox
from lakebox import errors


def setup_sales(cur, lake):
    cur.execute("CREATE DATABASE IF NOT EXISTS shop")
    cur.execute(f"""
        CREATE EXTERNAL TABLE shop.sales (id bigint, customer string, amount double)
        PARTITIONED BY (dt string)
        STORED AS PARQUET
        LOCATION 'file://{lake}/sales/'""")


def test_partitions_are_read_only_once_registered(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    assert cur.execute("SELECT count(*) FROM shop.sales").fetchall() == [(0,)]
    cur.execute("MSCK REPAIR TABLE shop.sales")
    assert cur.execute("SELECT count(*) FROM shop.sales").fetchall() == [(5,)]
    assert cur.execute("SHOW PARTITIONS shop.sales").fetchall() == [
        ("dt=2024-01-01",), ("dt=2024-01-02",), ("dt=2024-01-03",)]


def test_msck_is_idempotent_and_reads_no_data(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    (lake / "sales" / "dt=2024-01-09").mkdir()
    (lake / "sales" / "dt=2024-01-09" / "junk.parquet").write_text("not parquet at all")
    cur.execute("MSCK REPAIR TABLE shop.sales")
    cur.execute("MSCK REPAIR TABLE shop.sales")
    assert len(cur.execute("SHOW PARTITIONS shop.sales").fetchall()) == 4
    with pytest.raises(lakebox.Error, match="junk.parquet"):
        cur.execute("SELECT * FROM shop.sales WHERE dt = '2024-01-09'").fetchall()
    # pruning keeps the corrupt partition out of queries that do not need it
    assert cur.execute("SELECT count(*) FROM shop.sales WHERE dt < '2024-01-09'").fetchall() == [(5,)]


def test_add_and_drop_partition(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    cur.execute(f"ALTER TABLE shop.sales ADD PARTITION (dt='2024-01-01') "
                f"PARTITION (dt='x') LOCATION 'file://{lake}/sales/dt=2024-01-03/'")
    assert cur.execute("SELECT dt, count(*) FROM shop.sales GROUP BY dt ORDER BY dt").fetchall() == [
        ("2024-01-01", 2), ("x", 2)]
    with pytest.raises(errors.AlreadyExists):
        cur.execute("ALTER TABLE shop.sales ADD PARTITION (dt='x')")
    cur.execute("ALTER TABLE shop.sales ADD IF NOT EXISTS PARTITION (dt='x')")
    cur.execute("ALTER TABLE shop.sales DROP PARTITION (dt='x')")
    assert cur.execute("SELECT count(*) FROM shop.sales").fetchall() == [(2,)]


def test_pruning_is_visible_in_explain(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    cur.execute("MSCK REPAIR TABLE shop.sales")
    plan = [r[0] for r in cur.execute(
        "EXPLAIN SELECT * FROM shop.sales WHERE dt IN ('2024-01-01', '2024-01-03') AND amount > 1").fetchall()]
    assert "lakebox scan shop.sales: 2 file(s), partitions 2 of 3" in plan
    plan = [r[0] for r in cur.execute(
        "EXPLAIN SELECT * FROM shop.sales WHERE dt BETWEEN '2024-01-02' AND '2024-01-09' OR dt = 'z'").fetchall()]
    assert "lakebox scan shop.sales: 2 file(s), partitions 2 of 3" in plan


def test_query_semantics(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    cur.execute("MSCK REPAIR TABLE shop.sales")
    cur.execute("SELECT customer, count(*), sum(amount) AS total FROM shop.sales "
                "GROUP BY customer ORDER BY customer DESC")
    assert [d[0] for d in cur.description] == ["customer", "_col1", "total"]
    # Athena sorts NULLs last for DESC too
    assert cur.fetchall() == [("cid", 1, 7.0), ("bob", 1, 20.0), ("ann", 2, 15.75), (None, 1, 1.0)]
    assert cur.execute("SELECT 7 / 2, -7 / 2, 7.0 / 2").fetchall()[0][:2] == (3, -3)
    with pytest.raises(errors.DataError, match="Division by zero"):
        cur.execute("SELECT id / (id - id) FROM shop.sales")


def test_parameters_and_pruning(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    cur.execute("MSCK REPAIR TABLE shop.sales")
    cur.execute("SELECT id FROM shop.sales WHERE dt = ? AND amount > ? ORDER BY id", ["2024-01-01", 15])
    assert cur.fetchall() == [(2,)]


def test_csv_with_header_and_bad_values(conn, lake):
    cur = conn.cursor()
    cur.execute("CREATE DATABASE shop")
    cur.execute(f"""
        CREATE EXTERNAL TABLE shop.customers (name string, city string, since int)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
        STORED AS TEXTFILE LOCATION '{lake}/customers/'
        TBLPROPERTIES ('skip.header.line.count'='1')""")
    assert cur.execute("SELECT * FROM shop.customers ORDER BY name").fetchall() == [
        ("ann", "Oslo", 2019), ("bob", "Lima", 2020), ("cid", "Pune", None)]


def test_json_table(conn, lake):
    cur = conn.cursor()
    cur.execute("CREATE DATABASE shop")
    cur.execute(f"""
        CREATE EXTERNAL TABLE shop.events (id int, kind string, props struct<x:int>)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION '{lake}/events/'""")
    assert cur.execute("SELECT id, kind, props.x FROM shop.events ORDER BY id").fetchall() == [
        (1, "click", 1), (2, "view", None)]


def test_views(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    cur.execute("MSCK REPAIR TABLE shop.sales")
    cur.execute("CREATE VIEW shop.big AS SELECT id, amount FROM sales WHERE amount > 6")
    assert cur.execute("SELECT count(*) FROM shop.big").fetchall() == [(3,)]
    with pytest.raises(errors.AlreadyExists):
        cur.execute("CREATE VIEW shop.big AS SELECT 1 AS x")
    cur.execute("CREATE OR REPLACE VIEW shop.big AS SELECT id FROM shop.sales WHERE amount > 10")
    assert cur.execute("SELECT * FROM shop.big ORDER BY 1").fetchall() == [(1,), (2,)]
    assert "CREATE VIEW shop.big" in cur.execute("SHOW CREATE VIEW shop.big").fetchone()[0]
    assert [c.name for c in conn.catalog.get_table("shop", "big").columns] == ["id"]
    cur.execute("DROP VIEW shop.big")
    assert cur.execute("SHOW VIEWS IN shop").fetchall() == []


def test_show_and_describe(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    assert ("shop",) in cur.execute("SHOW DATABASES").fetchall()
    assert cur.execute("SHOW TABLES IN shop").fetchall() == [("sales",)]
    assert cur.execute("SHOW TABLES IN shop 'sal*'").fetchall() == [("sales",)]
    assert cur.execute("SHOW COLUMNS IN shop.sales").fetchall() == [("id",), ("customer",), ("amount",), ("dt",)]
    described = cur.execute("DESCRIBE shop.sales").fetchall()
    assert described[0] == ("id", "bigint", "")
    assert ("# Partition Information", "", "") in described
    ddl = cur.execute("SHOW CREATE TABLE shop.sales").fetchone()[0]
    assert "PARTITIONED BY" in ddl and "ParquetHiveSerDe" in ddl


def test_show_create_table_round_trips(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    ddl = cur.execute("SHOW CREATE TABLE shop.sales").fetchone()[0]
    cur.execute("DROP TABLE shop.sales")
    cur.execute(ddl)
    assert conn.catalog.get_table("shop", "sales").storage_descriptor.serde_info.serialization_library.endswith(
        "ParquetHiveSerDe")


def test_errors_name_things(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    with pytest.raises(errors.EntityNotFound, match="did you mean 'sales'"):
        cur.execute("SELECT * FROM shop.sale")
    with pytest.raises(errors.EntityNotFound, match="did you mean 'shop'"):
        cur.execute("SELECT * FROM shopp.sales")
    with pytest.raises(errors.ProgrammingError, match="Column 'amont' cannot be resolved.*amount"):
        cur.execute("SELECT amont FROM shop.sales")
    with pytest.raises(errors.ParseError) as info:
        cur.execute("SELECT *\nFROM shop.sales WHERE (")
    assert info.value.line == 2
    with pytest.raises(errors.NotSupportedError, match="bucketed_by"):
        cur.execute("CREATE TABLE shop.t WITH (bucketed_by = ARRAY['x'], bucket_count = 2) AS SELECT 1 AS x")
    with pytest.raises(errors.ProgrammingError, match="LOCATION"):
        cur.execute("CREATE EXTERNAL TABLE shop.t (a int) STORED AS PARQUET")


def test_failed_statement_leaves_catalog_unchanged(conn, lake):
    cur = conn.cursor()
    setup_sales(cur, lake)
    before = conn.catalog.get_partitions("shop", "sales")
    with pytest.raises(errors.ProgrammingError):
        cur.execute("ALTER TABLE shop.sales ADD PARTITION (dt='a') PARTITION (nope='b')")
    assert conn.catalog.get_partitions("shop", "sales") == before


def test_two_connections_share_the_catalog(home, lake):
    first = lakebox.connect(home)
    second = lakebox.connect(home)
    try:
        setup_sales(first.cursor(), lake)
        first.cursor().execute("MSCK REPAIR TABLE shop.sales")
        assert second.cursor().execute("SELECT count(*) FROM shop.sales").fetchall() == [(5,)]
    finally:
        first.close()
        second.close()
    reopened = lakebox.connect(home)
    assert reopened.cursor().execute("SELECT count(*) FROM shop.sales").fetchall() == [(5,)]
    reopened.close()


def test_s3_locations_use_the_local_stand_in(conn, home):
    import pyarrow as pa
    import pyarrow.parquet as pq
    folder = home / "s3" / "bucket" / "data"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"x": [1, 2, 3]}), folder / "f.parquet")
    cur = conn.cursor()
    cur.execute("CREATE EXTERNAL TABLE default.nums (x bigint) STORED AS PARQUET LOCATION 's3://bucket/data/'")
    assert cur.execute("SELECT sum(x) FROM nums").fetchall() == [(6,)]


def test_orc_and_open_csv_tables(conn, tmp_path):
    import pyarrow as pa
    import pyarrow.orc as orc
    folder = tmp_path / "orc" / "k=1"
    folder.mkdir(parents=True)
    orc.write_table(pa.table({"a": pa.array([1, 2], pa.int64()), "b": ["x", "y"]}), str(folder / "f.orc"))
    quoted = tmp_path / "quoted"
    quoted.mkdir()
    (quoted / "q.csv").write_text('"id","note"\n"1","hello, world"\n"2","plain"\n')
    cur = conn.cursor()
    cur.execute(f"CREATE EXTERNAL TABLE o (a bigint, b string) PARTITIONED BY (k int) STORED AS ORC "
                f"LOCATION '{tmp_path}/orc/'")
    cur.execute("MSCK REPAIR TABLE o")
    for _ in range(2):
        assert cur.execute("SELECT k, a, b FROM o ORDER BY a").fetchall() == [(1, 1, "x"), (1, 2, "y")]
    leftovers = conn.session.con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '__lakebox_%'").fetchall()[0][0]
    assert leftovers == 0
    cur.execute(f"""CREATE EXTERNAL TABLE q (id int, note string)
        ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
        WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"')
        LOCATION '{quoted}' TBLPROPERTIES ('skip.header.line.count'='1')""")
    assert cur.execute("SELECT * FROM q ORDER BY id").fetchall() == [(1, "hello, world"), (2, "plain")]


def test_ordinals_refer_to_unnamed_columns(conn):
    cur = conn.cursor()
    cur.execute("SELECT 10 - x, 5 + x FROM (VALUES 1, 2) AS t(x) ORDER BY 2 DESC")
    assert cur.fetchall() == [(8, 7), (9, 6)]
    assert [d[0] for d in cur.description] == ["_col0", "_col1"]
    cur.execute("SELECT x + 1, count(*) FROM (VALUES 1, 2, 2) AS t(x) GROUP BY 1 ORDER BY 2 DESC, 1")
    assert cur.fetchall() == [(3, 2), (2, 1)]
    conn.dialect = "redshift"
    cur.execute("SELECT 10 - x, 5 + x FROM (SELECT 1 AS x UNION ALL SELECT 2) AS t ORDER BY 2 DESC")
    assert cur.fetchall() == [(8, 7), (9, 6)]
    assert [d[0] for d in cur.description] == ["?column?", "?column?"]
