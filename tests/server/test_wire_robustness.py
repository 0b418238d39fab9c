"""Malformed and truncated input gets an error and a closed connection, while the server and
other sessions carry on; and a bounded load test: 50 concurrent clients, no errors, no leaked
sessions."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from lakebox.engine import workspace
from wirekit import RawClient, Running, error_fields, kinds, start

psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2 is part of the test extra")


@pytest.fixture(scope="module")
def trust_server(lake_home):
    thread = start(lake_home, auth_method="trust")
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return data


def _fatal(data: bytes) -> dict[str, str]:
    assert data[:1] == b"E", data[:40]
    length = struct.unpack("!i", data[1:5])[0]
    return error_fields(data[5:1 + length])


MALFORMED_STARTUP = [
    b"\x00\x00\x00\x02",                                      # length below the minimum
    b"\x00\x01\x00\x00" + b"x" * 70000,                         # longer than a startup packet may be
    struct.pack("!ii", 8, 1234),                               # unknown protocol version
    struct.pack("!ii", 16, 196608) + b"user\0bob",             # unterminated parameter
    struct.pack("!ii", 40, 196608) + b"user\0bob\0",           # truncated
    struct.pack("!ii", 15, 196608) + b"database\0",            # truncated: no value, no user
]

MALFORMED_MESSAGES = [
    RawClient.message(b"Q", b"select 1"),                      # string without its terminator
    b"Q\x00\x00\x00\x01",                                       # length below 4
    b"Q\x7f\xff\xff\xff",                                       # absurd length
    RawClient.message(b"?", b""),                              # unknown message type
    RawClient.message(b"B", b"\0\0" + struct.pack("!h", 3)),   # Bind cut short
    RawClient.message(b"P", b"s\0select 1\0" + struct.pack("!h", 2) + b"\0\0"),  # fewer types than said
    RawClient.message(b"E", b"\0"),                            # Execute without its row count
    RawClient.message(b"D", b"Z\0"),                           # Describe of neither S nor P
    RawClient.message(b"Q", b"\xc3\x28\0"),                    # invalid UTF-8
]


@pytest.mark.parametrize("data", MALFORMED_STARTUP, ids=range(len(MALFORMED_STARTUP)))
def test_malformed_startup_gets_a_fatal_error(trust_server, data):
    bystander = psycopg2.connect(trust_server.dsn())
    try:
        sock = socket.create_connection(("127.0.0.1", trust_server.port), timeout=10)
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # truncated packets end here: the server must not wait for more
        reply = _read_all(sock)
        sock.close()
        if reply:
            fields = _fatal(reply)
            assert fields["S"] == "FATAL" and fields["C"] in ("08P01", "0A000")
        cur = bystander.cursor()
        cur.execute("SELECT count(*) FROM items")
        assert cur.fetchone() == (3,)
    finally:
        bystander.close()


@pytest.mark.parametrize("data", MALFORMED_MESSAGES, ids=range(len(MALFORMED_MESSAGES)))
def test_malformed_messages_get_an_error_and_the_server_carries_on(trust_server, data):
    bystander = psycopg2.connect(trust_server.dsn())
    try:
        before = len(trust_server.server.connections)
        client = RawClient(trust_server.port)
        client.send(data)
        reply = _read_all(client.sock)
        client.sock.close()
        fields = _fatal(reply)
        assert fields["S"] == "FATAL" and fields["C"] == "08P01"
        assert _wait_for(lambda: len(trust_server.server.connections) <= before)
        cur = bystander.cursor()
        cur.execute("SELECT name FROM items WHERE id = 2")
        assert cur.fetchone() == ("pear",)
        fresh = RawClient(trust_server.port)
        assert kinds(fresh.query("SELECT 1")) == "TDCZ"
        fresh.close()
    finally:
        bystander.close()


def test_truncated_messages_and_vanishing_clients_leak_nothing(trust_server):
    before = len(trust_server.server.connections)
    for cut in (1, 3, 6):
        client = RawClient(trust_server.port)
        whole = RawClient.message(b"Q", b"SELECT * FROM items\0")
        client.send(whole[:cut])
        client.sock.close()  # gone mid-message
    client = RawClient(trust_server.port)
    client.send(RawClient.message(b"Q", b"SELECT count(*) FROM sales.numbers a, sales.numbers b\0"))
    time.sleep(0.2)
    client.sock.close()  # gone mid-query: the session is cancelled and closed
    half = socket.create_connection(("127.0.0.1", trust_server.port))
    half.sendall(struct.pack("!i", 40)[:3])
    half.close()  # gone mid-startup
    assert _wait_for(lambda: len(trust_server.server.connections) <= before, timeout=20)


def test_a_client_that_never_logs_in_is_dropped(lake_home):
    thread = start(lake_home, startup_timeout_s=0.5)
    try:
        sock = socket.create_connection(("127.0.0.1", thread.port), timeout=10)
        sock.sendall(struct.pack("!i", 40)[:2])  # and then nothing
        started = time.monotonic()
        fields = _fatal(_read_all(sock))
        assert fields["C"] == "08006" and time.monotonic() - started < 5
        sock.close()
    finally:
        thread.stop()


def test_an_error_mid_pipeline_is_reported_once_then_sync_recovers(trust_server):
    client = RawClient(trust_server.port)
    try:
        bad_bind = RawClient.message(b"B", b"\0nope\0" + struct.pack("!hhh", 0, 0, 0))
        client.send(bad_bind + RawClient.message(b"E", b"\0\0\0\0\0") + RawClient.message(b"H")
                    + RawClient.message(b"S") + RawClient.message(b"Q", b"SELECT 1\0"))
        first = client.until("Z")
        assert kinds(first) == "EZ" and error_fields(first[0][1])["C"] == "26000"
        assert kinds(client.until("Z")) == "TDCZ"
    finally:
        client.close()


def test_fifty_concurrent_clients(lake_home):
    """50 clients for a bounded time: every query answered right, then no session left behind."""
    thread = start(lake_home, max_connections=60)
    running = Running(thread, lake_home)
    baseline = workspace._databases[lake_home.resolve()].users if lake_home.resolve() in workspace._databases else 0
    errors: list[BaseException] = []
    counts: list[int] = []
    barrier = threading.Barrier(50)

    def client(index: int) -> None:
        done = 0
        try:
            conn = psycopg2.connect(running.dsn(), connect_timeout=60)
            conn.autocommit = True
            cur = conn.cursor()
            barrier.wait(timeout=120)
            deadline = time.monotonic() + 5.0  # all 50 connected: now 5 s of queries each
            while True:
                key = done % 3 + 1
                cur.execute("SELECT id, name FROM items WHERE id = %s", (key,))
                assert cur.fetchone()[0] == key
                cur.execute("SELECT count(*) FROM spectrum.orders")
                assert cur.fetchone() == (4,)
                if index % 10 == 0:
                    cur.execute("SELECT relname FROM pg_catalog.pg_class WHERE relname = 'items'")
                    assert cur.fetchone() == ("items",)
                done += 1
                if time.monotonic() >= deadline:
                    break
            conn.close()
        except BaseException as error:  # noqa: BLE001 - collected and reported below
            errors.append(error)
        counts.append(done)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in threads), "a client hung"
        assert not errors, errors[:3]
        assert len(counts) == 50 and min(counts) > 0
        assert _wait_for(lambda: not thread.server.connections, timeout=20), "sessions leaked"
        assert thread.server.total_connections >= 50
    finally:
        thread.stop()
    home = lake_home.resolve()
    users = workspace._databases[home].users if home in workspace._databases else 0
    assert users <= baseline, "engine sessions leaked"
