"""The workspace: S3 through a real S3-compatible server, and a second process on the same home."""

import io
import subprocess
import sys
import textwrap

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lakebox
from lakebox import errors


def test_external_table_on_s3_compatible_endpoint(moto_s3, tmp_path):
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_s3)
    s3.create_bucket(Bucket="lake")
    for day, values in (("2024-01-01", [1, 2]), ("2024-01-02", [3])):
        buffer = io.BytesIO()
        pq.write_table(pa.table({"v": pa.array(values, pa.int64())}), buffer)
        s3.put_object(Bucket="lake", Key=f"t/dt={day}/part-0.parquet", Body=buffer.getvalue())
    s3.put_object(Bucket="lake", Key="t/_SUCCESS", Body=b"")
    with lakebox.connect(tmp_path / "home") as conn:
        cur = conn.cursor()
        cur.execute("CREATE EXTERNAL TABLE t (v bigint) PARTITIONED BY (dt string) "
                    "STORED AS PARQUET LOCATION 's3://lake/t/'")
        cur.execute("MSCK REPAIR TABLE t")
        assert cur.execute("SELECT dt, sum(v) FROM t GROUP BY dt ORDER BY dt").fetchall() == [
            ("2024-01-01", 3), ("2024-01-02", 3)]
        assert cur.execute("SELECT v FROM t WHERE dt = '2024-01-02'").fetchall() == [(3,)]
    # nothing landed in the local stand-in
    assert not (tmp_path / "home" / "s3").exists()


SECOND_PROCESS = textwrap.dedent("""
    import sys, lakebox
    conn = lakebox.connect(sys.argv[1], dialect="redshift")
    cur = conn.cursor()
    print(cur.execute("SELECT count(*) FROM spectrum.nums").fetchall()[0][0])
    try:
        cur.execute("SELECT * FROM kept")
    except lakebox.OperationalError as error:
        print("refused:", error)
    conn.close()
""")


def test_second_process_shares_catalog_and_is_told_about_the_warehouse(tmp_path):
    home = tmp_path / "home"
    folder = tmp_path / "nums"
    folder.mkdir()
    pq.write_table(pa.table({"x": [1, 2, 3]}), folder / "f.parquet")
    with lakebox.connect(home, dialect="redshift") as conn:
        cur = conn.cursor()
        cur.execute("CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'lake' "
                    "CREATE EXTERNAL DATABASE IF NOT EXISTS")
        cur.execute(f"CREATE EXTERNAL TABLE spectrum.nums (x bigint) STORED AS PARQUET LOCATION '{folder}'")
        cur.execute("CREATE TABLE kept AS SELECT 1 AS a")
        other = subprocess.run([sys.executable, "-c", SECOND_PROCESS, str(home)], capture_output=True,
                               text=True, timeout=120)
        assert other.returncode == 0, other.stderr
        lines = other.stdout.splitlines()
        assert lines[0] == "3"
        assert lines[1].startswith("refused:") and "in use by another lakebox process" in lines[1]
        # the first process is unaffected
        assert cur.execute("SELECT a FROM kept").fetchall() == [(1,)]


def test_closed_connection_and_cursor_raise_interface_errors(tmp_path):
    conn = lakebox.connect(tmp_path / "h")
    cur = conn.cursor()
    cur.close()
    with pytest.raises(errors.InterfaceError):
        cur.execute("SELECT 1")
    conn.close()
    with pytest.raises(errors.InterfaceError):
        conn.cursor()


def test_temporary_home_is_removed_on_close():
    conn = lakebox.connect()
    home = conn.home
    assert (home / "catalog.sqlite").exists()
    conn.close()
    assert not home.exists()
