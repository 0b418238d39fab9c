"""Types of `$n` parameters a client leaves unspecified (Parse with OID 0), as ParameterDescription
reports them: PostgreSQL's answers for the common shapes, its refusals (42P18, 42725) where it cannot
decide, and a comparison with a real PostgreSQL server when one is available.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import struct
import tempfile
from pathlib import Path

import pytest

import lakebox
from lakebox.server import params, sqltext
from lakebox.server.pgcatalog import CatalogEmulator
from lakebox.server.pgsession import PgSession
from wirekit import need_module

INT2, INT4, INT8, NUMERIC, FLOAT8, TEXT, VARCHAR, BOOL, DATE, TIMESTAMP = 21, 23, 20, 1700, 701, 25, 1043, 16, 1082, 1114
OID, NAME, INTERVAL, TIME, TIMETZ = 26, 19, 1186, 1083, 1266


@pytest.fixture(scope="module")
def session(lake_home):
    pg = PgSession(lake_home, "redshift", "lakebox", "dev", CatalogEmulator("redshift"))
    yield pg
    pg.close()


def resolve(pg, sql: str, declared: list[int] | None = None) -> list[int]:
    return params.parameter_types(sql, pg, declared or [0] * sqltext.parameter_count(sql))


# items: id bigint, name varchar(40), price decimal(12,3), qty int, small smallint, ratio double precision,
# ok boolean, day date, at timestamp, note text
SHAPES = [
    ("SELECT $1", [TEXT]),
    ("SELECT $1 AS x", [TEXT]),
    ("SELECT $1 + 1", [INT4]),
    ("SELECT 1 + $1", [INT4]),
    ("SELECT $1 + 3000000000", [INT8]),
    ("SELECT $1 * 2.5", [NUMERIC]),
    ("SELECT * FROM items WHERE id = $1", [INT8]),
    ("SELECT * FROM items WHERE $1 = qty", [INT4]),
    ("SELECT * FROM items WHERE small = $1", [INT2]),
    ("SELECT * FROM items WHERE name = $1", [TEXT]),  # varchar = unknown: text (varchar has text's operators)
    ("SELECT * FROM items WHERE note LIKE $1", [TEXT]),
    ("SELECT * FROM items WHERE ratio > $1", [FLOAT8]),
    ("SELECT * FROM items WHERE price BETWEEN $1 AND $2", [NUMERIC, NUMERIC]),
    ("SELECT * FROM items WHERE day IN ($1, $2)", [DATE, DATE]),
    ("SELECT * FROM items WHERE at >= $1", [TIMESTAMP]),
    ("SELECT * FROM items WHERE ok = $1", [BOOL]),
    ("SELECT * FROM items WHERE $1", [BOOL]),
    ("SELECT * FROM items WHERE id = $1 AND $2", [INT8, BOOL]),
    ("SELECT * FROM items WHERE id = $2 OR name = $1", [TEXT, INT8]),
    ("SELECT * FROM items WHERE id = ANY($1)", [1016]),
    ("SELECT * FROM items WHERE (id, name) = ($1, $2)", [INT8, TEXT]),
    ("SELECT * FROM items WHERE id = $1 + 1", [INT4]),
    ("SELECT * FROM items WHERE price * $1 > 3", [NUMERIC]),
    ("SELECT * FROM items i WHERE i.qty = $1", [INT4]),
    ("SELECT * FROM items LIMIT $1", [INT8]),
    ("SELECT * FROM items LIMIT $1 OFFSET $2", [INT8, INT8]),
    ("INSERT INTO items (id, name) VALUES ($1, $2)", [INT8, VARCHAR]),  # assignment: the column's own type
    ("INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
     [INT8, VARCHAR, NUMERIC, INT4, INT2, FLOAT8, BOOL, DATE, TIMESTAMP, TEXT]),
    ("INSERT INTO items (name, id) SELECT $1, $2", [VARCHAR, INT8]),
    ("UPDATE items SET name = $1 WHERE id = $2", [VARCHAR, INT8]),
    ("DELETE FROM items WHERE id = $1", [INT8]),
    ("SELECT $1::int, CAST($2 AS date)", [INT4, DATE]),
    ("SELECT coalesce(name, $1) FROM items", [VARCHAR]),
    ("SELECT coalesce($1, $2)", [TEXT, TEXT]),
    ("SELECT CASE WHEN $1 THEN $2 ELSE 0 END", [BOOL, INT4]),
    ("SELECT CASE id WHEN $1 THEN 'a' END FROM items", [INT8]),
    ("SELECT $1 = $2", [TEXT, TEXT]),
    ("SELECT $1 || 'x'", [TEXT]),
    ("SELECT upper($1), abs($2)", [TEXT, FLOAT8]),
    ("SELECT max($1)", [TEXT]),
    ("SELECT day - $1 FROM items", [DATE]),
    ("SELECT $1 + 1 WHERE $1 > 2", [INT4]),
    ("WITH x AS (SELECT id AS k FROM items) SELECT * FROM x WHERE k = $1", [INT8]),
    ("SELECT * FROM (SELECT qty AS k FROM items) s WHERE k = $1", [INT4]),
    ("SELECT * FROM pg_catalog.pg_type WHERE oid = $1", [OID]),
    ("SELECT * FROM pg_catalog.pg_type WHERE typname = $1", [NAME]),
    ("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum > $2", [OID, INT2]),
]


@pytest.mark.parametrize("sql, expected", SHAPES, ids=[s for s, _ in SHAPES])
def test_postgresql_types_from_context(session, sql, expected):
    assert resolve(session, sql) == expected


@pytest.mark.parametrize("sql, sqlstate, message", [
    ("SELECT $1 IS NULL", "42P18", "could not determine data type of parameter $1"),
    ("SELECT 1 WHERE $1 IS NOT NULL", "42P18", "could not determine data type of parameter $1"),
    ("SELECT count($1)", "42P18", "could not determine data type of parameter $1"),
    ("SELECT $2", "42P18", "could not determine data type of parameter $1"),
    ("SELECT $1::int, $3", "42P18", "could not determine data type of parameter $2"),
    ("SELECT $1 + $2", "42725", "operator is not unique: unknown + unknown"),
    ("SELECT -$1", "42725", "operator is not unique: - unknown"),
    ("SELECT * FROM items WHERE id = -$1", "42725", "operator is not unique: - unknown"),
    ("SELECT sum($1)", "42725", "function sum(unknown) is not unique"),
    ("SELECT day + $1 FROM items", "42725", "operator is not unique: date + unknown"),
])
def test_refused_where_postgresql_cannot_decide(session, sql, sqlstate, message):
    with pytest.raises(params.ParameterTypeError) as caught:
        resolve(session, sql)
    assert caught.value.sqlstate == sqlstate and str(caught.value) == message


def test_declared_types_are_kept_and_inform_the_others(session):
    assert resolve(session, "SELECT $1 IS NULL", [INT4]) == [INT4]
    assert resolve(session, "SELECT $1 = $2", [INT8, 0]) == [INT8, INT8]
    assert resolve(session, "SELECT $1 + $2", [0, NUMERIC]) == [NUMERIC, NUMERIC]


def test_what_lakebox_cannot_type_is_text_not_an_error(session):
    # DATEADD is Redshift's, not a PostgreSQL function lakebox has a rule for; PostgreSQL might decide
    assert resolve(session, "SELECT dateadd(day, $1, day) FROM items") == [TEXT]
    assert resolve(session, "SELECT * FROM items WHERE id = (SELECT max(id) FROM items WHERE qty > $1) + $2") == \
        [INT4, INT8]


def test_interval_and_time_parameters_have_their_own_types(session):
    assert resolve(session, "SELECT at + $1 FROM items") == [INTERVAL]
    assert resolve(session, "SELECT $1::interval, $2::time, $3::timetz") == [INTERVAL, TIME, TIMETZ]


def test_athena_session(lake_home):
    pg = PgSession(lake_home, "athena", "lakebox", "dev", CatalogEmulator("athena"))
    try:
        assert resolve(pg, "SELECT * FROM sales.orders WHERE order_id = $1 AND customer = $2 AND amount > $3 "
                           "LIMIT $4") == [INT8, TEXT, NUMERIC, INT8]
        assert resolve(pg, "SELECT $1 + 1, $2") == [INT4, TEXT]
    finally:
        pg.close()


# --------------------------------------------------------------------------- over the wire


def test_asyncpg_parameter_descriptions(server):
    asyncpg = need_module("asyncpg")

    async def run():
        conn = await asyncpg.connect(server.url())
        try:
            described = {}
            for sql in ("SELECT $1 + 1", "SELECT name FROM items WHERE id = $1 AND $2",
                        "INSERT INTO items (id, name) VALUES ($1, $2)", "SELECT * FROM items WHERE name = $1",
                        "SELECT * FROM items ORDER BY id LIMIT $1"):
                statement = await conn.prepare(sql)
                described[sql] = [t.name for t in statement.get_parameters()]
            rows = await conn.fetch("SELECT name FROM items WHERE id = $1 AND $2", 1, True)  # binary int8, bool
            added = await conn.fetchval("SELECT $1 + 1", 41)
            return described, [r["name"] for r in rows], added
        finally:
            await conn.close()

    described, names, added = asyncio.run(run())
    assert described == {
        "SELECT $1 + 1": ["int4"],
        "SELECT name FROM items WHERE id = $1 AND $2": ["int8", "bool"],
        "INSERT INTO items (id, name) VALUES ($1, $2)": ["int8", "varchar"],
        "SELECT * FROM items WHERE name = $1": ["text"],
        "SELECT * FROM items ORDER BY id LIMIT $1": ["int8"],
    }
    assert names == ["apple"] and added == 42


def test_parse_refused_like_postgresql_and_the_connection_carries_on(server):
    asyncpg = need_module("asyncpg")

    async def run():
        conn = await asyncpg.connect(server.url())
        try:
            caught = []
            for sql in ("SELECT $1 IS NULL", "SELECT $1 + $2"):
                try:
                    await conn.prepare(sql)
                except asyncpg.PostgresError as error:
                    caught.append((error.sqlstate, str(error)))
            return caught, await conn.fetchval("SELECT $1 + 1", 1)
        finally:
            await conn.close()

    caught, after = asyncio.run(run())
    assert caught == [("42P18", "could not determine data type of parameter $1"),
                      ("42725", "operator is not unique: unknown + unknown")]
    assert after == 2


def test_interval_and_time_parameters_in_binary_and_text(server):
    """asyncpg sends datetime.timedelta and datetime.time in binary (int64 us, int32 days, int32
    months; int64 us since midnight; timetz with its zone), psycopg as text; both arrive exactly."""
    asyncpg = need_module("asyncpg")
    psycopg = need_module("psycopg")
    values = [dt.timedelta(days=3, hours=4, minutes=5, seconds=6.5), dt.timedelta(days=-1, seconds=5),
              dt.timedelta(microseconds=1), dt.timedelta(0)]

    async def run():
        conn = await asyncpg.connect(server.url())
        try:
            statement = await conn.prepare("SELECT $1::interval AS i, $2::time AS t, at + $3 AS later, "
                                           "$4::timetz AS z FROM items WHERE id = 1")
            types = [p.name for p in statement.get_parameters()]
            rows = [tuple(await statement.fetchrow(v, dt.time(23, 59, 59, 999999), v,
                                                   dt.time(4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=2)))))
                    for v in values]
            interval_with_months = await conn.fetchval("SELECT $1::interval", dt.timedelta(days=40))
            null = await conn.fetchval("SELECT $1::interval", None)
            return types, rows, interval_with_months, null
        finally:
            await conn.close()

    types, rows, forty, null = asyncio.run(run())
    assert types == ["interval", "time", "interval", "timetz"]
    start = dt.datetime(2024, 3, 1, 12, 30)
    assert rows == [(v, dt.time(23, 59, 59, 999999), start + v, dt.time(4, 5, 6)) for v in values]
    assert forty == dt.timedelta(days=40) and null is None
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for binary in (False, True):
            cursor = conn.cursor(binary=binary)
            cursor.execute("SELECT %s::interval, %s::time, %s::interval", [values[0], dt.time(1, 2, 3, 4),
                                                                          values[1]], prepare=True)
            assert cursor.fetchone() == (values[0], dt.time(1, 2, 3, 4), values[1])


def test_interval_and_time_parameters_decode():
    from lakebox.server import types as t

    def binary_interval(micros, days, months):
        return struct.pack("!qii", micros, days, months)

    value = t.decode_parameter(binary_interval(14706500000, 3, 14), t.INTERVAL, 1)
    assert (value, value.sql_type) == ("14 months 3 days 14706500000 microseconds", "INTERVAL")
    assert t.decode_parameter(binary_interval(-1, 0, 0), t.INTERVAL, 1) == "0 months 0 days -1 microseconds"
    assert t.decode_parameter(struct.pack("!q", 14706500001), t.TIME, 1) == "04:05:06.500001"
    assert t.decode_parameter(struct.pack("!q", 86400 * 10**6), t.TIME, 1) == "24:00:00"
    assert t.decode_parameter(struct.pack("!qi", 3600 * 10**6, -7200), t.TIMETZ, 1) == "01:00:00+02:00"
    assert t.decode_parameter(struct.pack("!qi", 0, 12605), t.TIMETZ, 1) == "00:00:00-03:30:05"
    # PostgreSQL's text input DuckDB does not read: '+' fields (PostgreSQL's own output), ISO 8601
    assert t.decode_parameter(b"-1 days +03:00:00", t.INTERVAL, 0) == "-1 days 03:00:00"
    assert t.decode_parameter(b"P1Y2M3DT4H5M6.5S", t.INTERVAL, 0) == \
        "1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds"
    assert t.decode_parameter(b"04:05:06", t.TIME, 0).sql_type == "TIME"
    assert t.decode_parameter(None, t.INTERVAL, 1) is None
    # the engine reads exactly these texts back
    connection = lakebox.connect(dialect="redshift")
    try:
        cursor = connection.cursor()
        for text, expected in [("14 months 3 days 14706500000 microseconds", "1 year 2 mons 3 days 04:05:06.5"),
                               ("-1 days 03:00:00", "-1 days +03:00:00"),
                               ("1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds",
                                "1 year 2 mons 3 days 04:05:06.5")]:
            cursor.execute("SELECT CAST(? AS INTERVAL)", [text])
            assert t.text_array(cursor.fetch_arrow_table().column(0).combine_chunks()).to_pylist() == [expected]
    finally:
        connection.close()


def test_typed_parameters_are_read_through_a_cast():
    """$n of an interval/time value becomes CAST(? AS type); '$1::int' keeps '?' apart from '::'
    (sqlglot reads '?::' as one token)."""
    assert sqltext.to_qmarks("SELECT $1::int, $2") == ("SELECT ? ::int, ?", [0, 1])
    assert sqltext.to_qmarks("SELECT $2 + $1::interval", {0: "INTERVAL"}) == \
        ("SELECT ? + CAST(? AS INTERVAL) ::interval", [1, 0])


@pytest.mark.parametrize("sql, args, expected", [
    ("SELECT $1::int AS x", [5], [(5,)]),
    ("SELECT $1::int::text AS x", [5], [("5",)]),
    ("SELECT $1::text::int + $2 AS x", ["4", 5], [(9,)]),
    ("SELECT id FROM items ORDER BY $1", ["x"], None),
    ("SELECT id FROM items ORDER BY $1", [None], None),
])
def test_statements_that_failed_through_the_wire(server, sql, args, expected):
    asyncpg = need_module("asyncpg")

    async def run():
        conn = await asyncpg.connect(server.url())
        try:
            statement = await conn.prepare(sql)  # Parse and Describe (the LIMIT 0 probe)
            return [tuple(r) for r in await statement.fetch(*args)]
        finally:
            await conn.close()

    rows = asyncio.run(run())
    if expected is not None:
        assert rows == expected
    else:  # a constant sort key orders nothing
        assert sorted(rows) == [(1,), (2,), (3,)]


def test_describe_probe_appends_limit_0_to_the_text(server):
    from lakebox.server.server import _limit_zero

    # regenerated SQL would not read back: sqlglot's Redshift writes `text` as VARCHAR(MAX)
    assert _limit_zero("SELECT $1::text::int + $2 -- note\n;", "redshift") == "SELECT $1::text::int + $2 LIMIT 0"
    assert _limit_zero("SELECT 1 LIMIT 3", "redshift") == "SELECT 1 LIMIT 3"
    assert _limit_zero("SELECT 1 INTO t2", "redshift") == "SELECT 1 INTO t2"


def test_bare_values(server, lake_home):
    """Redshift does not support VALUES lists as constant tables (a documented difference from
    PostgreSQL): 0A000 in the Redshift dialect; Athena's VALUES returns rows."""
    asyncpg = need_module("asyncpg")
    from wirekit import Running, start

    async def run(port):
        conn = await asyncpg.connect(host="127.0.0.1", port=port, user=server.user, password=server.password,
                                     database="dev")
        try:
            try:
                return [tuple(r) for r in await conn.fetch("VALUES ($1)", "a")]
            except asyncpg.PostgresError as error:
                return error.sqlstate
        finally:
            await conn.close()

    assert asyncio.run(run(server.port)) == "0A000"
    athena = start(lake_home, dialect="athena")
    try:
        assert asyncio.run(run(Running(athena, lake_home).port)) == [("a",)]
    finally:
        athena.stop()


def test_select_into_is_described_as_returning_no_rows(server):
    psycopg = need_module("psycopg")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT id, name INTO TEMP lbp_into FROM items WHERE id = %s", [1], prepare=True)
        assert cursor.description is None
        cursor.execute("SELECT count(*) FROM lbp_into")
        assert cursor.fetchone() == (1,)


# --------------------------------------------------------------------------- against a real PostgreSQL


def _differential_helpers():
    path = Path(__file__).resolve().parents[1] / "differential" / "conftest.py"
    spec = importlib.util.spec_from_file_location("lakebox_differential_postgres", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


postgres = _differential_helpers().postgres  # the differential tests' server fixture (skips without PostgreSQL)

TABLE = ("lbp_t (id bigint, name varchar(10), price numeric(10,2), day date, flag boolean, at timestamp, "
         "c char(3), r real, q int)")
DIFFERENTIAL = """
SELECT $1
SELECT $1 + 1
SELECT $1 + 1.5
SELECT $1 || 'x'
SELECT $1 = $2
SELECT $1 IS NULL
SELECT $1 + $2
SELECT -$1
SELECT sum($1)
SELECT count($1)
SELECT max($1)
SELECT $2
SELECT $1 + 3000000000
SELECT $1 + 30000000000000000000
SELECT $1 = true
SELECT $1 = NULL
SELECT $1 IS TRUE
SELECT $1 AND true
SELECT $1 IS DISTINCT FROM 2
SELECT $1 IN (1, 2)
SELECT $1::int
SELECT CAST($1 AS date)
SELECT $1::text::int + $2
SELECT upper($1)
SELECT length($1)
SELECT abs($1)
SELECT round($1)
SELECT coalesce($1, 1)
SELECT coalesce($1, $2)
SELECT nullif($1, 2)
SELECT greatest($1, 3)
SELECT CASE WHEN $1 THEN 1 END
SELECT CASE WHEN true THEN $1 ELSE 2 END
SELECT * FROM lbp_t WHERE id = $1
SELECT * FROM lbp_t WHERE $1 = id
SELECT * FROM lbp_t WHERE name = $1
SELECT * FROM lbp_t WHERE c = $1
SELECT * FROM lbp_t WHERE c LIKE $1
SELECT * FROM lbp_t WHERE r = $1
SELECT * FROM lbp_t WHERE q = $1 + 1
SELECT * FROM lbp_t WHERE price > $1
SELECT * FROM lbp_t WHERE day = $1
SELECT * FROM lbp_t WHERE at BETWEEN $1 AND $2
SELECT * FROM lbp_t WHERE name BETWEEN $1 AND 'z'
SELECT * FROM lbp_t WHERE flag = $1
SELECT * FROM lbp_t WHERE name LIKE $1
SELECT * FROM lbp_t WHERE name ILIKE $1
SELECT * FROM lbp_t WHERE id IN ($1, $2)
SELECT * FROM lbp_t WHERE id NOT IN ($1)
SELECT * FROM lbp_t WHERE id = ANY($1) AND name = ANY($2)
SELECT * FROM lbp_t WHERE (id, name) = ($1, $2)
SELECT * FROM lbp_t WHERE (id, day) IN (($1, $2))
SELECT * FROM lbp_t WHERE id = $1 AND $2
SELECT * FROM lbp_t WHERE NOT ($1)
SELECT * FROM lbp_t WHERE price * $1 > 3
SELECT * FROM lbp_t WHERE r * $1 > 1
SELECT * FROM lbp_t WHERE $1 / 2 > 1
SELECT * FROM lbp_t a WHERE a.name = $1
SELECT * FROM lbp_t t1 JOIN lbp_t t2 ON t1.id = $1
SELECT EXISTS (SELECT 1 FROM lbp_t WHERE id = $1)
SELECT (SELECT id FROM lbp_t LIMIT 1) = $1
WITH x AS (SELECT id FROM lbp_t) SELECT * FROM x WHERE id = $1
SELECT * FROM (SELECT id AS k FROM lbp_t) s WHERE k = $1
SELECT * FROM lbp_t LIMIT $1 OFFSET $2
SELECT * FROM lbp_t WHERE id = 1 LIMIT $1 + 1
SELECT day - $1 FROM lbp_t
SELECT day + $1 FROM lbp_t
SELECT at - $1 FROM lbp_t
SELECT at + $1 FROM lbp_t
SELECT $1 || id FROM lbp_t
SELECT name || $1 FROM lbp_t
SELECT COALESCE(name, $1) FROM lbp_t
SELECT CASE id WHEN $1 THEN 'a' END FROM lbp_t
SELECT nullif(id, $1) FROM lbp_t
SELECT * FROM (SELECT $1 AS x) s
SELECT $1 + 1 WHERE $1 > 2
SELECT $2 + 1, $1::int
INSERT INTO lbp_t VALUES ($1, $2)
INSERT INTO lbp_t (name) VALUES ($1)
INSERT INTO lbp_t (id, name) VALUES ($1, $2), ($3, $4)
INSERT INTO lbp_t (id) VALUES ($1 + 1)
INSERT INTO lbp_t (id) SELECT $1
UPDATE lbp_t SET name = $1 WHERE id = $2
UPDATE lbp_t SET id = id + $1
DELETE FROM lbp_t WHERE id = $1
SELECT * FROM pg_catalog.pg_type WHERE oid = $1
SELECT * FROM pg_catalog.pg_namespace WHERE nspname = ANY($1)
SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum > $2
""".strip().splitlines()

def _postgres_types(connection, sql: str):
    from psycopg import pq

    pgconn = connection.pgconn
    result = pgconn.prepare(b"", sql.encode())
    if result.status != pq.ExecStatus.COMMAND_OK:
        return result.error_field(pq.DiagnosticField.SQLSTATE).decode()
    result = pgconn.describe_prepared(b"")
    return [result.param_type(i) for i in range(result.nparams)]


def test_same_answers_as_postgresql(postgres):
    postgres.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TABLE}")
    home = Path(tempfile.mkdtemp(prefix="lakebox-params-"))
    connection = lakebox.connect(home=home, dialect="redshift")
    connection.cursor().execute(f"CREATE TABLE {TABLE}")
    connection.commit()
    connection.close()
    pg = PgSession(home, "redshift", "lakebox", "dev", CatalogEmulator("redshift"))
    differences = []
    try:
        for sql in DIFFERENTIAL:
            expected = _postgres_types(postgres, sql)
            try:
                ours = resolve(pg, sql)
            except params.ParameterTypeError as error:
                ours = error.sqlstate
            if ours != expected:
                differences.append(f"{sql}: PostgreSQL {expected}, lakebox {ours}")
    finally:
        pg.close()
    assert not differences, "\n".join(differences)
