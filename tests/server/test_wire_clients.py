"""Real clients end to end: each connects, browses the catalog and queries.

psql, psycopg2, psycopg 3 (past its auto-prepare threshold), asyncpg (binary formats), SQLAlchemy's
inspector, pgJDBC (DatabaseMetaData and a fetch size) and node-postgres.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from wirekit import need, need_binary, need_module

CLIENTS = Path(__file__).parent / "clients"
ITEM_1 = (1, "apple", decimal.Decimal("1.250"), 10, 1, 0.5, True, dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 12, 30),
          "crisp")


def psql(server, *args, input=None):
    binary = need_binary("psql")
    env = dict(os.environ, PGPASSWORD=server.password, PGHOST="127.0.0.1", PGPORT=str(server.port),
               PGUSER=server.user, PGDATABASE="dev", PSQLRC="/dev/null", PGCONNECT_TIMEOUT="10")
    return subprocess.run([binary, "-X", "-v", "ON_ERROR_STOP=1", *args], env=env, capture_output=True, text=True,
                          timeout=60, input=input)


# --------------------------------------------------------------------------- psql


def test_psql_queries_and_meta_commands(server):
    out = psql(server, "-c", "SELECT id, name FROM items ORDER BY id", "-c", r"\dn", "-c", r"\dt",
               "-c", r"\dt spectrum.*", "-c", r"\dv sales.*", "-c", r"\d items", "-c", r"\d spectrum.orders",
               "-c", r"\l", "-c", r"\df", "-c", r"\dn+", "-c", r"\d+ sales.big_orders")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "apple" in text and "(3 rows)" in text
    for schema in ("public", "sales", "spectrum"):
        assert f" {schema} " in text
    assert "  Name   |  Owner" in text  # psql's quoted column labels keep their case
    assert re.search(r"public\s+\| items\s+\| table", text)
    assert re.search(r"spectrum\s+\| orders\s+\| table", text)
    assert re.search(r"sales\s+\| big_orders\s+\| view", text)
    assert 'Table "public.items"' in text
    assert "character varying(40)" in text and "numeric(12,3)" in text and "timestamp without time zone" in text
    assert '"items_pkey" PRIMARY KEY, btree (id)' in text
    assert 'Table "spectrum.orders"' in text
    assert "List of databases" in text and "dev" in text
    assert "List of functions" in text
    assert "the sales lake" in text  # schema comment from the Glue database description
    assert "View definition:" in text


def test_psql_errors_copy_and_transactions(server):
    out = psql(server, "-v", "ON_ERROR_STOP=0", "-c", "SELECT * FROM nope", "-c", "SELECT 1 AS still_alive")
    assert "ERROR:" in out.stderr and "nope" in out.stderr
    assert "still_alive" in out.stdout
    out = psql(server, "-c", r"\copy (SELECT id, name FROM items ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["id,name", "1,apple", "2,pear", '3,"fig ""x"""']
    out = psql(server, input="BEGIN;\nSELECT 1/0;\nSELECT 1;\nROLLBACK;\nSELECT 'ok' AS done;\n",
               *("-v", "ON_ERROR_STOP=0"))
    assert "current transaction is aborted" in out.stderr
    assert "ok" in out.stdout


# --------------------------------------------------------------------------- psycopg2


def test_psycopg2(server):
    psycopg2 = need_module("psycopg2")
    with psycopg2.connect(server.dsn()) as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM items WHERE id = %s", (1,))
        assert cur.fetchall() == [ITEM_1]
        assert [d[0] for d in cur.description][:3] == ["id", "name", "price"]
        cur.execute("SELECT order_id, customer FROM spectrum.orders ORDER BY order_id")
        assert cur.fetchall()[:2] == [(1, "alice"), (2, "bob")]
        cur.execute("SELECT current_schema(), version()")
        schema, version = cur.fetchone()
        assert schema == "public" and version.startswith("PostgreSQL 15.0 (lakebox")
        assert conn.server_version == 150000
        conn.rollback()
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute("SELECT * FROM missing_table")
        conn.rollback()
        cur.execute("SELECT 2")
        assert cur.fetchone() == (2,)


# --------------------------------------------------------------------------- psycopg 3


def test_psycopg3_prepared_statements_past_the_threshold(server):
    psycopg = need_module("psycopg")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        assert conn.prepare_threshold == 5
        results = [conn.execute("SELECT id, name, price, at FROM items WHERE id = %s", (i % 3 + 1,)).fetchone()
                   for i in range(12)]
        assert results[1] == (2, "pear", decimal.Decimal("2.000"), dt.datetime(2024, 3, 2, 8, 0, 0, 500000))
        assert results[9] == results[0] == (1, "apple", decimal.Decimal("1.250"), dt.datetime(2024, 3, 1, 12, 30))
        assert results[11] == (3, 'fig "x"', None, None)
        assert conn._prepared._names, "psycopg should have prepared the statement server-side"
        cur = conn.execute("SELECT * FROM items WHERE price > %s ORDER BY id", (decimal.Decimal("1.5"),))
        assert [r[0] for r in cur] == [2]
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT * FROM items WHERE id = %s", (1,))
            assert cur.fetchone() == ITEM_1
        with conn.cursor() as cur:
            with cur.copy("COPY (SELECT id, name FROM items ORDER BY id) TO STDOUT") as copy:
                rows = [bytes(r) for r in copy]
        assert b"".join(rows) == b'1\tapple\n2\tpear\n3\tfig "x"\n'


def test_psycopg3_type_introspection(server):
    psycopg = need_module("psycopg")
    from psycopg.types import TypeInfo

    with psycopg.connect(server.dsn()) as conn:
        info = TypeInfo.fetch(conn, "numeric")
        assert info is not None and info.oid == 1700 and info.array_oid == 1231
        info = TypeInfo.fetch(conn, "int8")
        assert info.oid == 20


# --------------------------------------------------------------------------- asyncpg


def test_asyncpg_binary_formats(server):
    asyncpg = need_module("asyncpg")

    async def main():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, password=server.password,
                                     database="dev")
        try:
            row = await conn.fetchrow("SELECT * FROM items WHERE id = $1", 1)
            assert tuple(row.values()) == ITEM_1
            nulls = await conn.fetchrow("SELECT * FROM items WHERE id = $1", 3)
            assert nulls["price"] is None and nulls["note"] == "tab\there"
            rows = await conn.fetch("SELECT order_id, amount, placed FROM spectrum.orders WHERE order_id > $1 "
                                    "ORDER BY 1", 2)
            assert [tuple(r) for r in rows] == [(3, decimal.Decimal("7.25"), dt.date(2024, 2, 1)),
                                                (4, None, None)]
            assert await conn.fetchval("SELECT count(*) FROM items") == 3
            statement = await conn.prepare("SELECT name FROM items WHERE qty >= $1 ORDER BY id")
            assert [r[0] for r in await statement.fetch(0)] == ["apple", "pear"]
            assert [a.name for a in statement.get_attributes()] == ["name"]
            async with conn.transaction():
                assert await conn.fetchval("SELECT 1") == 1
            types = await conn.fetch("SELECT typname FROM pg_type WHERE oid = $1", 20)
            assert types[0]["typname"] == "int8"
        finally:
            await conn.close()

    asyncio.run(main())


# --------------------------------------------------------------------------- SQLAlchemy


def test_sqlalchemy_inspector(server):
    sqlalchemy = need_module("sqlalchemy")
    need_module("psycopg2")
    engine = sqlalchemy.create_engine(server.url("postgresql+psycopg2"))
    try:
        inspector = sqlalchemy.inspect(engine)
        assert {"public", "sales", "spectrum"} <= set(inspector.get_schema_names())
        assert inspector.get_table_names() == ["items"]
        assert set(inspector.get_table_names(schema="spectrum")) == {"numbers", "orders"}
        assert inspector.get_view_names(schema="sales") == ["big_orders"]
        columns = {c["name"]: str(c["type"]) for c in inspector.get_columns("items")}
        assert columns["name"] == "VARCHAR(40)" and columns["price"] == "NUMERIC(12, 3)"
        assert columns["at"] == "TIMESTAMP" and columns["ok"] == "BOOLEAN"
        assert inspector.get_pk_constraint("items")["constrained_columns"] == ["id"]
        comments = {c["name"]: c["comment"] for c in inspector.get_columns("orders", schema="sales")}
        assert comments["order_id"] == "the key"
        assert inspector.get_table_comment("orders", schema="sales")["text"] == "orders placed"
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT count(*) FROM items")).scalar() == 3
            rows = conn.execute(sqlalchemy.text("SELECT name FROM items WHERE id = :id"), {"id": 2}).all()
            assert rows == [("pear",)]
    finally:
        engine.dispose()


def test_sqlalchemy_with_psycopg3_and_asyncpg(server):
    sqlalchemy = need_module("sqlalchemy")
    need_module("psycopg")
    engine = sqlalchemy.create_engine(server.url("postgresql+psycopg"))
    try:
        inspector = sqlalchemy.inspect(engine)
        assert "items" in inspector.get_table_names()
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT max(id) FROM items")).scalar() == 3
    finally:
        engine.dispose()
    need_module("asyncpg")
    from sqlalchemy.ext.asyncio import create_async_engine

    async def main():
        engine = create_async_engine(server.url("postgresql+asyncpg"))
        try:
            async with engine.connect() as conn:
                value = await conn.scalar(sqlalchemy.text("SELECT name FROM items WHERE id = :id"), {"id": 1})
                tables = await conn.run_sync(lambda sync: sqlalchemy.inspect(sync).get_table_names())
            return value, tables
        finally:
            await engine.dispose()

    assert asyncio.run(main()) == ("apple", ["items"])


# --------------------------------------------------------------------------- pgJDBC


def _jdbc_jar() -> str | None:
    for candidate in ("/usr/share/java/postgresql.jar", "/usr/share/java/postgresql-jdbc4.jar"):
        if Path(candidate).exists():
            return candidate
    return None


def test_pgjdbc_database_metadata_and_fetch_size(server, tmp_path):
    java = need_binary("java")
    javac = need_binary("javac")
    jar = _jdbc_jar()
    need(jar is not None, "pgJDBC (Debian's libpostgresql-jdbc-java)")
    build = subprocess.run([javac, "-d", str(tmp_path), str(CLIENTS / "JdbcProbe.java")], capture_output=True,
                           text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([java, "-cp", f"{tmp_path}:{jar}", "JdbcProbe",
                          f"jdbc:postgresql://127.0.0.1:{server.port}/dev", server.user, server.password],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)
    assert lines["product"].startswith("PostgreSQL 15")
    for schema in ("public", "sales", "spectrum"):
        assert schema in lines["schemas"]
    assert "public.items:TABLE" in lines["tables"] and "sales.big_orders:VIEW" in lines["tables"]
    assert lines["columns"].startswith("[id:int8:-5, name:varchar:12, price:numeric:2, qty:int4:4")
    assert lines["primarykeys"] == "[id:items_pkey]"
    assert lines["typeinfo"].endswith("int8=true")
    assert lines["rows"] == "[1/apple/1.250/2024-03-01, 2/pear/2.000/2024-03-02, 3/fig \"x\"/null/null]"
    assert lines["fetched"] == "4"


# --------------------------------------------------------------------------- node-postgres


def _node_modules() -> Path | None:
    for base in (CLIENTS / "node", Path(os.environ.get("LAKEBOX_NODE_CLIENTS", "/nonexistent"))):
        if (base / "node_modules" / "pg").exists():
            return base
    return None


def test_node_postgres(server):
    node = need_binary("node")
    base = _node_modules()
    need(base is not None, "node-postgres (cd tests/server/clients/node && npm install)")
    run = subprocess.run([node, str(CLIENTS / "node" / "probe.js"), str(server.port), server.user, server.password],
                         capture_output=True, text=True, timeout=60, env=dict(os.environ, NODE_PATH=str(base / "node_modules")))
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [r["name"] for r in out["simple"]] == ["apple", "pear", 'fig "x"']
    assert out["simple"][0]["ok"] is True and out["simple"][0]["price"] == "1.250"
    assert out["param"] == [{"name": "pear"}]
    assert [r["name"] for r in out["prepared"]] == ["apple", "pear", 'fig "x"']
    assert {r["table_name"] for r in out["tables"]} == {"big_orders", "numbers", "orders"}
    assert out["error"]["code"] == "42P01"
    assert out["after_error"] == [{"one": 1}]


# --------------------------------------------------------------------------- every type, both formats

TYPE_CASES = [
    ("SELECT CAST(7 AS bigint) AS v", 7),
    ("SELECT CAST(7 AS smallint) AS v", 7),
    ("SELECT CAST(1.5 AS decimal(10,2)) AS v", decimal.Decimal("1.50")),
    ("SELECT CAST(-0.25 AS double) AS v", -0.25),
    ("SELECT true AS v", True),
    ("SELECT 'héllo' AS v", "héllo"),
    ("SELECT from_hex('00ff') AS v", b"\x00\xff"),
    ("SELECT DATE '2024-02-29' AS v", dt.date(2024, 2, 29)),
    ("SELECT TIMESTAMP '2024-01-02 03:04:05.123' AS v", dt.datetime(2024, 1, 2, 3, 4, 5, 123000)),
    ("SELECT INTERVAL '2' DAY AS v", dt.timedelta(days=2)),
    ("SELECT ARRAY[1, 2, NULL] AS v", [1, 2, None]),
    ("SELECT ARRAY['x', 'y z'] AS v", ["x", "y z"]),
]


@pytest.fixture(scope="module")
def athena_server(lake_home):
    from wirekit import Running, start

    thread = start(lake_home, dialect="athena")
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()


def test_every_type_in_text_and_binary(athena_server):
    psycopg = need_module("psycopg")
    asyncpg = need_module("asyncpg")
    with psycopg.connect(athena_server.dsn()) as conn:
        for sql, expected in TYPE_CASES:
            assert conn.execute(sql).fetchone()[0] == expected, sql
            assert conn.execute(sql, binary=True).fetchone()[0] == expected, sql
        assert conn.execute("SELECT MAP(ARRAY['k'], ARRAY[1]) AS v").fetchone()[0] == {"k": 1}
        assert conn.execute("SELECT CAST(ROW(1, 'x') AS ROW(a int, b varchar)) AS v").fetchone()[0] == {"a": 1, "b": "x"}

    async def main():
        conn = await asyncpg.connect(host="127.0.0.1", port=athena_server.port, user=athena_server.user,
                                     password=athena_server.password, database="dev")
        try:
            for sql, expected in TYPE_CASES:  # asyncpg reads every column in binary
                assert await conn.fetchval(sql) == expected, sql
        finally:
            await conn.close()

    asyncio.run(main())
