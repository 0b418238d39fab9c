"""A small workspace for the wire-server tests: an external Parquet table, a managed table with
every common type, a view, an external schema, and 300,000 numbers for slow queries."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import lakebox


def build_lake(home: Path) -> Path:
    data = home / "s3" / "lake" / "orders"
    data.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "order_id": pa.array([1, 2, 3, 4], pa.int64()),
        "customer": ["alice", "bob", "carol", None],
        "amount": pa.array([decimal.Decimal("10.50"), decimal.Decimal("20.00"), decimal.Decimal("7.25"), None],
                           pa.decimal128(10, 2)),
        "placed": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 2, 1), None]),
    }), data / "part-0.parquet")
    numbers = home / "s3" / "lake" / "numbers"
    numbers.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"n": pa.array(range(300_000), pa.int64())}), numbers / "part-0.parquet")
    conn = lakebox.connect(home=home, dialect="athena")
    cur = conn.cursor()
    cur.execute("CREATE DATABASE IF NOT EXISTS sales COMMENT 'the sales lake'")
    cur.execute("CREATE EXTERNAL TABLE IF NOT EXISTS sales.orders (order_id bigint COMMENT 'the key', "
                "customer string, amount decimal(10,2), placed date) COMMENT 'orders placed' "
                "STORED AS PARQUET LOCATION 's3://lake/orders/'")
    cur.execute("CREATE EXTERNAL TABLE IF NOT EXISTS sales.numbers (n bigint) STORED AS PARQUET "
                "LOCATION 's3://lake/numbers/'")
    cur.execute("CREATE OR REPLACE VIEW sales.big_orders AS SELECT order_id, amount FROM sales.orders "
                "WHERE amount > 10")
    conn.dialect = "redshift"
    cur.execute("CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum FROM DATA CATALOG DATABASE 'sales' "
                "IAM_ROLE 'arn:aws:iam::123456789012:role/spectrum'")
    cur.execute("CREATE TABLE items (id bigint PRIMARY KEY, name varchar(40), price decimal(12,3), qty int, "
                "small smallint, ratio double precision, ok boolean, day date, at timestamp, note text)")
    cur.execute("INSERT INTO items VALUES "
                "(1, 'apple', 1.250, 10, 1, 0.5, true, '2024-03-01', '2024-03-01 12:30:00', 'crisp'), "
                "(2, 'pear', 2.000, 0, 2, 1.25, false, '2024-03-02', '2024-03-02 08:00:00.5', NULL), "
                "(3, 'fig \"x\"', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'tab\there')")
    conn.commit()
    conn.close()
    return home
