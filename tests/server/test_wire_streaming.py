"""Results stream from the engine a batch at a time: a portal can stop mid-result, another
statement can run in between, and the rows still arrive whole and in order."""

from __future__ import annotations

import struct

import pyarrow as pa
import pytest

from lakebox.engine.session import Session
from wirekit import RawClient, Running, error_fields, kinds, start

psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2 is part of the test extra")


def test_engine_streams_record_batches_when_asked(lake_home):
    session = Session(lake_home, "redshift")
    try:
        session.stream_batch_rows = 50_000
        result = session.execute("SELECT n FROM sales.numbers WHERE n % 2 = 0")
        assert result.table is None and isinstance(result.reader, pa.RecordBatchReader)
        sizes = [batch.num_rows for batch in result.reader]
        assert sum(sizes) == 150_000 and max(sizes) <= 50_000 and len(sizes) >= 3
        session.stream_batch_rows = None
        assert session.execute("SELECT count(*) AS c FROM sales.numbers").table.to_pylist() == [{"c": 300_000}]
    finally:
        session.close()


@pytest.fixture(scope="module")
def trust_server(lake_home):
    thread = start(lake_home, auth_method="trust", batch_rows=10_000)
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()


def test_a_large_result_arrives_whole(trust_server):
    conn = psycopg2.connect(trust_server.dsn())
    try:
        cur = conn.cursor()
        cur.execute("SELECT n FROM sales.numbers ORDER BY n")
        values = [r[0] for r in cur.fetchall()]
        assert values == list(range(300_000))
        assert cur.statusmessage == "SELECT 300000"
    finally:
        conn.close()


def _msg(kind: bytes, body: bytes = b"") -> bytes:
    return RawClient.message(kind, body)


def test_a_suspended_portal_survives_another_statement(trust_server):
    client = RawClient(trust_server.port)
    try:
        assert client.query("BEGIN")[-1] == ("Z", b"T")
        client.send(_msg(b"P", b"s\0SELECT n FROM sales.numbers ORDER BY n\0\0\0")
                    + _msg(b"B", b"big\0s\0" + struct.pack("!hhh", 0, 0, 0))
                    + _msg(b"E", b"big\0" + struct.pack("!i", 25_000)) + _msg(b"S"))
        first = client.until("Z")
        assert kinds(first).count("D") == 25_000 and kinds(first).endswith("sZ")
        assert client.query("SELECT count(*) FROM items")[1][1] == struct.pack("!hi", 1, 1) + b"3"
        client.send(_msg(b"E", b"big\0" + struct.pack("!i", 0)) + _msg(b"S"))
        rest = client.until("Z")
        rows = [int(body[6:]) for kind, body in rest if kind == "D"]
        assert rows == list(range(25_000, 300_000))
        assert rest[-2] == ("C", b"SELECT 275000\0")
        assert client.query("COMMIT")[-1] == ("Z", b"I")
    finally:
        client.close()


def test_an_error_while_streaming_is_reported_once(trust_server):
    client = RawClient(trust_server.port)
    try:
        messages = client.query("SELECT 10 / (n - 250000) FROM sales.numbers ORDER BY n")
        assert messages[-1] == ("Z", b"I")
        errors = [body for kind, body in messages if kind == "E"]
        assert len(errors) == 1 and error_fields(errors[0])["C"].startswith("22")
        assert kinds(client.query("SELECT 1")) == "TDCZ"
    finally:
        client.close()
