"""PEP 249 conformance of lakebox's DB-API."""

import datetime as dt
import decimal

import pandas as pd
import pyarrow as pa
import pytest

import lakebox


def test_module_globals():
    assert lakebox.apilevel == "2.0"
    assert lakebox.threadsafety in (0, 1, 2, 3)
    assert lakebox.paramstyle == "qmark"
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
                 "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError"):
        assert issubclass(getattr(lakebox, name), Exception)
    assert issubclass(lakebox.ProgrammingError, lakebox.DatabaseError)
    assert issubclass(lakebox.DatabaseError, lakebox.Error)
    assert issubclass(lakebox.InterfaceError, lakebox.Error)
    assert lakebox.Date(2024, 1, 2) == dt.date(2024, 1, 2)
    assert lakebox.Timestamp(2024, 1, 2, 3, 4, 5) == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert lakebox.Binary(b"x") == b"x"


@pytest.fixture
def cur(tmp_path):
    with lakebox.connect(tmp_path / "home") as conn:
        yield conn.cursor()


def test_description_and_type_objects(cur):
    cur.execute("SELECT 1 AS i, 'x' AS s, DATE '2024-01-01' AS d, 1.50 AS n, X'00' AS b")
    names = [d[0] for d in cur.description]
    assert names == ["i", "s", "d", "n", "b"]
    i, s, d, n, b = (col[1] for col in cur.description)
    assert i == lakebox.NUMBER and s == lakebox.STRING and d == lakebox.DATETIME and b == lakebox.BINARY
    assert n == lakebox.NUMBER and cur.description[3][4:6] == (3, 2)
    assert cur.rowcount == 1
    assert cur.fetchone() == (1, "x", dt.date(2024, 1, 1), decimal.Decimal("1.50"), b"\x00")
    assert cur.fetchone() is None


def test_fetch_variants_and_iteration(cur):
    cur.execute("SELECT * FROM UNNEST(sequence(1, 10)) AS t(x)")
    assert cur.arraysize == 1
    assert cur.fetchmany() == [(1,)]
    cur.arraysize = 3
    assert cur.fetchmany() == [(2,), (3,), (4,)]
    assert cur.fetchmany(2) == [(5,), (6,)]
    assert list(cur) == [(7,), (8,), (9,), (10,)]
    assert cur.fetchall() == []
    cur.execute("SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)")
    cur.fetchone()
    table = cur.fetch_arrow_table()
    assert isinstance(table, pa.Table) and table.column("x").to_pylist() == [2, 3, 4, 5]
    frame = cur.execute("SELECT 1 AS a").fetchdf()
    assert isinstance(frame, pd.DataFrame) and frame["a"].tolist() == [1]


def test_parameters(cur):
    cur.execute("SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f",
                [1, "it's", None, dt.date(2024, 2, 3), decimal.Decimal("1.25"), True])
    assert cur.fetchone() == (1, "it's", None, dt.date(2024, 2, 3), decimal.Decimal("1.25"), True)
    with pytest.raises(lakebox.InterfaceError):
        cur.execute("SELECT ?", [])
    with pytest.raises(lakebox.InterfaceError):
        cur.execute("SELECT ?", "x")


def test_executemany_sums_rowcounts(tmp_path):
    with lakebox.connect(tmp_path / "h", dialect="redshift") as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (a INT, b VARCHAR(5))")
        cur.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, "b"), (3, None)])
        assert cur.rowcount == 3
        assert cur.execute("SELECT COUNT(*) FROM t").fetchone() == (3,)


def test_statements_without_results(cur):
    cur.execute("CREATE DATABASE x")
    assert cur.description is None
    with pytest.raises(lakebox.InterfaceError):
        cur.fetchall()


def test_connection_context_manager_closes(tmp_path):
    with lakebox.connect(tmp_path / "h") as conn:
        conn.cursor().execute("SELECT 1")
    assert conn.closed
    with pytest.raises(lakebox.InterfaceError):
        conn.cursor()


def test_every_error_is_a_lakebox_error(cur):
    for sql in ("SELEC 1", "SELECT * FROM nope", "SELECT CAST('x' AS INTEGER)", "DROP DATABASE nope",
                "SHOW PARTITIONS nope", "SELECT 1; SELECT 2", ""):
        with pytest.raises(lakebox.Error):
            cur.execute(sql)
