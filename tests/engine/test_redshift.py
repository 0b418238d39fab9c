"""Redshift through the DB-API: Spectrum external schemas, managed tables, DML, transactions."""

import pytest

import lakebox
from lakebox import errors


@pytest.fixture
def rs(home, lake):
    connection = lakebox.connect(home, dialect="redshift")
    cur = connection.cursor()
    connection.dialect = "athena"
    cur.execute("CREATE DATABASE shop")
    cur.execute(f"CREATE EXTERNAL TABLE shop.sales (id bigint, customer string, amount double) "
                f"PARTITIONED BY (dt string) STORED AS PARQUET LOCATION '{lake}/sales/'")
    cur.execute("MSCK REPAIR TABLE shop.sales")
    connection.dialect = "redshift"
    yield connection
    connection.close()


def test_external_schema_mounts_a_catalog_database(rs):
    cur = rs.cursor()
    cur.execute("CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'shop' "
                "IAM_ROLE 'arn:aws:iam::123456789012:role/x'")
    cur.execute("SELECT TOP 2 id, amount FROM spectrum.sales ORDER BY amount DESC")
    assert cur.fetchall() == [(2, 20.0), (1, 10.5)]
    # Redshift sorts NULLs as the largest value: first for DESC
    cur.execute("SELECT customer FROM spectrum.sales ORDER BY customer DESC")
    assert cur.fetchall()[0] == (None,)
    with pytest.raises(errors.AlreadyExists):
        cur.execute("CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'shop'")
    cur.execute("CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum FROM DATA CATALOG DATABASE 'shop'")
    with pytest.raises(errors.EntityNotFound):
        cur.execute("CREATE EXTERNAL SCHEMA other FROM DATA CATALOG DATABASE 'nope'")
    cur.execute("CREATE EXTERNAL SCHEMA other FROM DATA CATALOG DATABASE 'nope' "
                "IAM_ROLE default CREATE EXTERNAL DATABASE IF NOT EXISTS")
    assert rs.catalog.get_database("nope").name == "nope"


def test_managed_tables_record_distribution(rs):
    cur = rs.cursor()
    cur.execute("CREATE TABLE orders (id INTEGER ENCODE az64 PRIMARY KEY, customer VARCHAR(20) NOT NULL, "
                "total DECIMAL(10,2)) DISTSTYLE KEY DISTKEY(customer) COMPOUND SORTKEY(id, customer)")
    table = rs.catalog.get_table("public", "orders")
    assert table.table_type == "MANAGED_TABLE"
    assert table.parameters["diststyle"] == "KEY" and table.parameters["distkey"] == "customer"
    assert table.parameters["sortkey"] == "id,customer" and table.parameters["sortkey_type"] == "COMPOUND"
    assert table.columns[0].parameters["encode"] == "az64"
    cur.execute("CREATE TABLE events (id INT) INTERLEAVED SORTKEY (id)")
    assert rs.catalog.get_table("public", "events").parameters["sortkey_type"] == "INTERLEAVED"
    cur.execute("INSERT INTO orders VALUES (1, 'ann', 10.50), (1, 'bob', 2.25)")  # PK not enforced
    assert cur.rowcount == 2
    with pytest.raises(errors.IntegrityError):
        cur.execute("INSERT INTO orders VALUES (3, NULL, 1)")
    cur.execute("UPDATE orders SET total = total * 2 WHERE customer = 'bob'")
    assert cur.rowcount == 1
    cur.execute("SELECT customer, total FROM orders ORDER BY customer")
    assert [(r[0], float(r[1])) for r in cur.fetchall()] == [("ann", 10.5), ("bob", 4.5)]
    cur.execute("DELETE FROM orders WHERE id = 1")
    assert cur.rowcount == 2
    cur.execute("DROP TABLE orders")
    assert not rs.catalog.table_exists("public", "orders")


def test_ctas_from_spectrum_and_integer_avg_types(rs):
    cur = rs.cursor()
    cur.execute("CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'shop'")
    cur.execute("CREATE TABLE totals DISTKEY(customer) AS "
                "SELECT customer, COUNT(*) AS n, SUM(amount) AS total FROM s.sales GROUP BY customer")
    assert [c.name for c in rs.catalog.get_table("public", "totals").columns] == ["customer", "n", "total"]
    cur.execute("SELECT n / 2 AS half FROM totals WHERE customer = 'ann'")
    assert cur.fetchall() == [(1,)]
    cur.execute("INSERT INTO totals SELECT 'zed', 1, 1.0")
    assert cur.execute("SELECT COUNT(*) FROM totals").fetchall() == [(5,)]


def test_unnamed_columns_are_named_like_redshift(rs):
    cur = rs.cursor()
    cur.execute("SELECT COUNT(*), 1 + 1, 'x'::varchar(3), 2::int, SUM(1) AS Total")
    assert [d[0] for d in cur.description] == ["count", "?column?", "varchar", "int4", "total"]


def test_transactions_cover_data_and_catalog(rs):
    cur = rs.cursor()
    cur.execute("CREATE TABLE t (a INT)")
    cur.execute("BEGIN")
    cur.execute("INSERT INTO t VALUES (1)")
    cur.execute("CREATE TABLE u (b INT)")
    cur.execute("ROLLBACK")
    assert cur.execute("SELECT COUNT(*) FROM t").fetchall() == [(0,)]
    assert not rs.catalog.table_exists("public", "u")
    cur.execute("BEGIN")
    cur.execute("INSERT INTO t VALUES (2)")
    cur.execute("CREATE TABLE u (b INT)")
    rs.commit()
    assert cur.execute("SELECT a FROM t").fetchall() == [(2,)]
    assert rs.catalog.table_exists("public", "u")


def test_a_failed_ctas_leaves_nothing_behind(rs):
    cur = rs.cursor()
    with pytest.raises(errors.Error):
        cur.execute("CREATE TABLE bad AS SELECT nope FROM shop_missing.sales")
    with pytest.raises(errors.DataError):
        cur.execute("CREATE TABLE bad AS SELECT 1 / 0 AS x")
    assert not rs.catalog.table_exists("public", "bad")
    cur.execute("CREATE TABLE bad AS SELECT 1 AS x")


def test_managed_tables_survive_a_restart(home, rs):
    rs.cursor().execute("CREATE TABLE keep (a INT)")
    rs.cursor().execute("INSERT INTO keep VALUES (42)")
    rs.close()
    again = lakebox.connect(home, dialect="redshift")
    assert again.cursor().execute("SELECT a FROM keep").fetchall() == [(42,)]
    again.close()
