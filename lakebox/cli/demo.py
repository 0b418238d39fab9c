"""`lakebox demo`: a small sample lake, registered and queried in Athena and Redshift SQL.

The data is generated deterministically and rewritten on every run, the Athena DDL drops and
re-creates (or uses IF NOT EXISTS / OR REPLACE), and the Redshift managed table is dropped and
re-created, so running the demo again in the same home gives the same output.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import random
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from lakebox.cli.main import connect, run_and_print

SALES_DAYS = [datetime.date(2024, 3, 1) + datetime.timedelta(days=n) for n in range(5)]
ORDERS_PER_DAY = 80
STORES = 4

# product_id, name, category, list price. No commas in names: the CSV table is plain
# comma-delimited text (LazySimpleSerDe), which has no quoting.
PRODUCTS = [
    (1, "Trail Runner", "shoes", "89.00"),
    (2, "City Sneaker", "shoes", "64.50"),
    (3, "Rain Shell", "jackets", "120.00"),
    (4, "Down Parka", "jackets", "210.00"),
    (5, "Wool Beanie", "accessories", "18.00"),
    (6, "Leather Belt", "accessories", "35.00"),
    (7, "Daypack 20L", "bags", "55.00"),
    (8, "Duffel 60L", "bags", "95.00"),
    (9, "Running Tee", "shirts", "25.00"),
    (10, "Flannel Shirt", "shirts", "48.00"),
]

SALES_SCHEMA = pa.schema(
    [
        ("order_id", pa.int64()),
        ("store_id", pa.int32()),
        ("product_id", pa.int32()),
        ("quantity", pa.int32()),
        ("unit_price", pa.decimal128(10, 2)),
        ("sold_at", pa.timestamp("ms")),
    ]
)

IAM_ROLE = "arn:aws:iam::123456789012:role/demo"


@dataclass(frozen=True)
class Step:
    dialect: str
    sql: str
    note: str = ""  # printed as a SQL comment above the statement


def run_demo(home: Path, data_dir: Path | None, out: TextIO) -> int:
    """Write the sample data, register it, run the sample queries and print everything."""
    lake_dir = data_dir if data_dir is not None else home / "s3" / "demo-lake"
    # Under the home the data is reached through the local S3 stand-in, exactly as it would be
    # on AWS; an explicit --dir is referenced by its file:// URI instead.
    lake_uri = "s3://demo-lake" if data_dir is None else lake_dir.resolve().as_uri()

    sales_rows = write_sales(lake_dir / "sales")
    write_products(lake_dir / "products")
    out.write(f"Wrote {sales_rows} sales rows in {len(SALES_DAYS)} daily Parquet partitions ")
    out.write(f"and {len(PRODUCTS)} products as CSV under {lake_dir}\n")

    conn = connect(home, "athena")
    try:
        for step in steps(lake_uri):
            run_step(conn, step, out)
    finally:
        conn.close()
    out.write(what_next(home))
    return 0


def run_step(conn, step: Step, out: TextIO) -> None:
    conn.dialect = step.dialect
    out.write("\n")
    if step.note:
        out.write(f"-- {step.note}\n")
    out.write(f"{step.dialect}> {step.sql};\n")
    out.flush()  # show the statement before a slow or failing execution
    run_and_print(conn, step.sql, "table", out, max_rows=None)


# --------------------------------------------------------------------------- sample data


def write_sales(folder: Path) -> int:
    """Hive-style dt=YYYY-MM-DD partitions of Parquet files; the dt column lives in the path."""
    rng = random.Random(20240301)
    order_id = 1000
    for day in SALES_DAYS:
        rows = []
        for _ in range(ORDERS_PER_DAY):
            order_id += 1
            product_id, _name, _category, list_price = rng.choice(PRODUCTS)
            discount = decimal.Decimal(rng.choice(["1.00", "1.00", "0.90", "0.80"]))
            sold_at = datetime.datetime.combine(day, datetime.time(8)) + datetime.timedelta(
                seconds=rng.randrange(12 * 3600)
            )
            price = (decimal.Decimal(list_price) * discount).quantize(decimal.Decimal("0.01"))
            rows.append((order_id, rng.randint(1, STORES), product_id, rng.randint(1, 5), price, sold_at))
        partition = folder / f"dt={day.isoformat()}"
        partition.mkdir(parents=True, exist_ok=True)
        columns = list(zip(*rows))
        table = pa.table([pa.array(values, field.type) for values, field in zip(columns, SALES_SCHEMA)], SALES_SCHEMA)
        # A fixed file name per partition: a re-run overwrites rather than adds files.
        pq.write_table(table, partition / "part-00000.parquet")
    return ORDERS_PER_DAY * len(SALES_DAYS)


def write_products(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "products.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["product_id", "name", "category", "list_price"])
        writer.writerows(PRODUCTS)


# --------------------------------------------------------------------------- the script


def steps(lake: str) -> list[Step]:
    return athena_steps(lake) + redshift_steps()


def athena_steps(lake: str) -> list[Step]:
    return [
        Step("athena", "CREATE DATABASE IF NOT EXISTS demo", "Athena: register the files in the Glue-shaped catalog"),
        Step("athena", "DROP TABLE IF EXISTS demo.sales"),
        Step(
            "athena",
            "CREATE EXTERNAL TABLE demo.sales (\n"
            "  order_id bigint,\n  store_id int,\n  product_id int,\n  quantity int,\n"
            "  unit_price decimal(10,2),\n  sold_at timestamp)\n"
            "PARTITIONED BY (dt string)\n"
            "STORED AS PARQUET\n"
            f"LOCATION '{lake}/sales/'",
        ),
        Step("athena", "MSCK REPAIR TABLE demo.sales", "discover the dt=... folders as partitions"),
        Step("athena", "DROP TABLE IF EXISTS demo.products"),
        Step(
            "athena",
            "CREATE EXTERNAL TABLE demo.products (\n"
            "  product_id int,\n  name string,\n  category string,\n  list_price double)\n"
            "ROW FORMAT DELIMITED FIELDS TERMINATED BY ','\n"
            "STORED AS TEXTFILE\n"
            f"LOCATION '{lake}/products/'\n"
            "TBLPROPERTIES ('skip.header.line.count'='1')",
        ),
        Step(
            "athena",
            "CREATE OR REPLACE VIEW demo.daily_revenue AS\n"
            "SELECT dt, count(*) AS orders, sum(quantity * unit_price) AS revenue\n"
            "FROM demo.sales\nGROUP BY dt",
        ),
        Step("athena", "SHOW PARTITIONS demo.sales"),
        Step(
            "athena",
            "SELECT dt, count(*) AS orders, sum(quantity) AS units,\n"
            "       date_format(min(sold_at), '%H:%i') AS first_sale\n"
            "FROM demo.sales\n"
            "WHERE dt BETWEEN '2024-03-02' AND '2024-03-03'\n"
            "GROUP BY dt\nORDER BY dt",
            "partition pruning: only two of the five dt= folders are read",
        ),
        Step(
            "athena",
            "SELECT p.category, sum(s.quantity) AS units,\n"
            "       round(sum(s.quantity * s.unit_price), 2) AS revenue\n"
            "FROM demo.sales s\nJOIN demo.products p ON s.product_id = p.product_id\n"
            "GROUP BY p.category\nORDER BY revenue DESC",
            "join the Parquet table with the CSV table",
        ),
        Step("athena", "SELECT * FROM demo.daily_revenue ORDER BY dt", "the view"),
    ]


def redshift_steps() -> list[Step]:
    return [
        Step(
            "redshift",
            "CREATE EXTERNAL SCHEMA IF NOT EXISTS lake\n"
            "FROM DATA CATALOG DATABASE 'demo'\n"
            f"IAM_ROLE '{IAM_ROLE}'\n"
            "CREATE EXTERNAL DATABASE IF NOT EXISTS",
            "Redshift Spectrum: the same catalog database as an external schema",
        ),
        Step(
            "redshift",
            "SELECT TOP 3 product_id,\n"
            "       SUM(quantity)::INT AS units,\n"
            "       NVL(MAX(dt), 'none') AS last_day,\n"
            "       DATEDIFF(hour, MIN(sold_at), MAX(sold_at)) AS hours_between\n"
            "FROM lake.sales\n"
            "GROUP BY product_id\n"
            "ORDER BY units DESC, product_id",
            "Redshift idioms over the external table: TOP, ::casts, NVL, DATEDIFF",
        ),
        Step("redshift", "DROP TABLE IF EXISTS store_daily", "a managed Redshift table, loaded from the lake"),
        Step(
            "redshift",
            "CREATE TABLE store_daily (\n"
            "  store_id INTEGER,\n  dt VARCHAR(10),\n  orders BIGINT,\n  revenue DECIMAL(12,2))\n"
            "DISTKEY(store_id)\nSORTKEY(dt)",
        ),
        Step(
            "redshift",
            "INSERT INTO store_daily\n"
            "SELECT store_id, dt, COUNT(*), SUM(quantity * unit_price)\n"
            "FROM lake.sales\nGROUP BY store_id, dt",
        ),
        Step(
            "redshift",
            "SELECT store_id, SUM(orders) AS orders, SUM(revenue) AS revenue\n"
            "FROM store_daily\nGROUP BY store_id\nORDER BY store_id",
        ),
    ]


def what_next(home: Path) -> str:
    where = shlex.quote(str(home))
    return (
        "\nWhat to try next:\n"
        f"  lakebox repl --home {where}\n"
        f"  lakebox sql --home {where} -e \"SELECT * FROM demo.sales WHERE dt = '2024-03-05' LIMIT 5\"\n"
        f"  lakebox sql --home {where} --format csv -e 'SELECT * FROM demo.daily_revenue ORDER BY dt'\n"
        f"  lakebox sql --home {where} --dialect redshift -e 'SELECT TOP 5 * FROM store_daily ORDER BY revenue DESC'\n"
        "In the repl: \\dt demo lists the tables, \\d demo.sales describes one, \\? shows all commands.\n"
    )
