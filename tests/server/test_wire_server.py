"""Server behaviour end to end: authentication and TLS, startup parameters, transaction status, the
extended protocol's corners, command tags, COPY, cancel, statement timeout and the sandbox."""

from __future__ import annotations

import datetime as dt
import os
import struct
import subprocess
import sys
import time

import pytest

from lakebox.server.server import ConfigError, ServerConfig
from wirekit import USER, RawClient, Running, error_fields, kinds, need_module, start

psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2 is part of the test extra")
import psycopg2.errors  # noqa: E402

# 9e10 pairs that no statistic can rule out: runs for minutes unless interrupted
SLOW = "SELECT count(*) FROM sales.numbers a, sales.numbers b WHERE (a.n * 31 + b.n) % 1000003 = 7"


@pytest.fixture(scope="module")
def trust_server(lake_home):
    thread = start(lake_home, auth_method="trust")
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()


# --------------------------------------------------------------------------- authentication


def test_wrong_password_or_user_is_28000_with_libpq_wording(server):
    with pytest.raises(psycopg2.OperationalError, match='password authentication failed for user "lakebox"'):
        psycopg2.connect(server.dsn(password="wrong"))
    with pytest.raises(psycopg2.OperationalError, match='password authentication failed for user "mallory"'):
        psycopg2.connect(server.dsn(user="mallory"))
    client = RawClient(server.port, startup=False)
    (kind, body), = client.startup(until="R", user="lakebox", database="dev")
    assert kind == "R" and body == struct.pack("!i", 10) + b"SCRAM-SHA-256\0\0"  # SCRAM is the default
    client.close()


def test_md5_authentication(lake_home):
    thread = start(lake_home, auth_method="md5")
    try:
        running = Running(thread, lake_home)
        with psycopg2.connect(running.dsn()) as conn:
            cur = conn.cursor()
            cur.execute("SELECT 1")
            assert cur.fetchone() == (1,)
        with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
            psycopg2.connect(running.dsn(password="nope"))
    finally:
        thread.stop()


def test_configuration_rules(tmp_path):
    with pytest.raises(ConfigError, match="trust authentication is only allowed when listening on loopback"):
        ServerConfig(home=tmp_path, host="0.0.0.0", auth_method="trust").validate()
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0 without a password"):
        ServerConfig(home=tmp_path, host="0.0.0.0").validate()
    with pytest.raises(ConfigError, match="cleartext password authentication is only allowed over TLS"):
        ServerConfig(home=tmp_path, password="x", auth_method="password").validate()
    ServerConfig(home=tmp_path, host="::1", auth_method="trust").validate()
    ServerConfig(home=tmp_path, host="0.0.0.0", password="x").validate()


def test_cli_refuses_to_listen_beyond_loopback_without_a_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LAKEBOX_PASSWORD"}
    run = subprocess.run([sys.executable, "-m", "lakebox.cli.main", "serve", "--home", str(tmp_path), "--host",
                          "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 1
    assert "refusing to listen on 0.0.0.0 without a password" in run.stderr


def test_ssl_and_gssenc_requests_are_declined_without_tls(trust_server):
    for code in (80877103, 80877104):
        client = RawClient(trust_server.port, startup=False)
        client.send(struct.pack("!ii", 8, code))
        assert client.sock.recv(1) == b"N"
        messages = client.startup(user=USER, database="dev")  # and the connection carries on in plaintext
        assert kinds(messages).endswith("Z")
        client.close()


def _self_signed(tmp_path):
    need_module("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_tls_with_cleartext_password(lake_home, tmp_path):
    cert, key = _self_signed(tmp_path)
    thread = start(lake_home, auth_method="password", tls_cert=cert, tls_key=key)
    try:
        running = Running(thread, lake_home)
        with psycopg2.connect(running.dsn(sslmode="require")) as conn:
            cur = conn.cursor()
            cur.execute("SELECT name FROM items WHERE id = 1")
            assert cur.fetchone() == ("apple",)
            assert conn.info.ssl_in_use
        with pytest.raises(psycopg2.OperationalError, match="requires an SSL connection|password authentication"):
            psycopg2.connect(running.dsn(sslmode="disable"))
    finally:
        thread.stop()


# --------------------------------------------------------------------------- startup and settings


def test_parameter_status_and_startup_options(server):
    conn = psycopg2.connect(server.dsn(options="-c search_path=sales -c statement_timeout=1234 -c unknown_x=1",
                                       application_name="probe"))
    try:
        assert conn.get_parameter_status("server_version") == "15.0"
        assert conn.get_parameter_status("client_encoding") == "UTF8"
        assert conn.get_parameter_status("DateStyle") == "ISO, MDY"
        assert conn.get_parameter_status("standard_conforming_strings") == "on"
        assert conn.get_parameter_status("TimeZone") == "UTC"
        assert conn.get_parameter_status("integer_datetimes") == "on"
        assert conn.get_parameter_status("application_name") == "probe"
        cur = conn.cursor()
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("1234",)
        cur.execute("SELECT current_schema(), current_setting('application_name')")
        assert cur.fetchone() == ("sales", "probe")
        cur.execute("SELECT count(*) FROM orders")  # resolved in the search_path schema
        assert cur.fetchone() == (4,)
        cur.execute("SELECT version()")
        assert cur.fetchone()[0].startswith("PostgreSQL 15.0 ")
        cur.execute("SET application_name = 'other'")
        assert conn.get_parameter_status("application_name") == "other"
        cur.execute("SHOW transaction isolation level")
        assert cur.fetchone()[0]
        with pytest.raises(psycopg2.errors.UndefinedObject, match='unrecognized configuration parameter "nope"'):
            cur.execute("SHOW nope")
    finally:
        conn.close()


def test_search_path_is_searched_in_order(server):
    conn = psycopg2.connect(server.dsn())
    try:
        cur = conn.cursor()
        cur.execute('SET search_path TO nowhere, "$user", sales, public')
        cur.execute("SHOW search_path")
        assert cur.fetchone() == ('nowhere, "$user", sales, public',)
        cur.execute("SELECT count(*) FROM orders")  # not in 'nowhere': found in the next schema, sales
        assert cur.fetchone() == (4,)
        cur.execute("SELECT current_schema()")
        assert cur.fetchone() == ("sales",)
        cur.execute("SET search_path TO DEFAULT")
        cur.execute("SHOW search_path")
        assert cur.fetchone() == ('"$user", public',)
    finally:
        conn.close()


# --------------------------------------------------------------------------- transactions and tags


def test_transaction_status_is_truthful(trust_server):
    client = RawClient(trust_server.port)
    try:
        assert client.query("BEGIN")[-1] == ("Z", b"T")
        assert client.query("SELECT 1")[-1] == ("Z", b"T")
        failed = client.query("SELECT * FROM nowhere")
        assert kinds(failed) == "EZ" and failed[-1] == ("Z", b"E")
        refused = client.query("SELECT 1")
        assert error_fields(refused[0][1])["C"] == "25P02"
        assert refused[-1] == ("Z", b"E")
        done = client.query("COMMIT")  # COMMIT of a failed transaction rolls back, as PostgreSQL does
        assert done[0] == ("C", b"ROLLBACK\0") and done[-1] == ("Z", b"I")
        assert client.query("")[0][0] == "I"  # EmptyQueryResponse
    finally:
        client.close()


def test_command_tags(server):
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True  # (psycopg2's `with conn` would open a transaction even so)
    try:
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS tags_t")
        cur.execute("CREATE TABLE tags_t (id int, v varchar(10))")
        assert cur.statusmessage == "CREATE TABLE"
        cur.execute("INSERT INTO tags_t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        assert cur.statusmessage == "INSERT 0 3" and cur.rowcount == 3
        cur.execute("UPDATE tags_t SET v = 'z' WHERE id > 1")
        assert cur.statusmessage == "UPDATE 2"
        cur.execute("DELETE FROM tags_t WHERE id = 1")
        assert cur.statusmessage == "DELETE 1"
        cur.execute("SELECT * FROM tags_t ORDER BY id")
        assert cur.statusmessage == "SELECT 2" and cur.fetchall() == [(2, "z"), (3, "z")]
        cur.execute("BEGIN")
        assert cur.statusmessage == "BEGIN"
        cur.execute("INSERT INTO tags_t VALUES (9, 'x')")
        cur.execute("ROLLBACK")
        assert cur.statusmessage == "ROLLBACK"
        cur.execute("SELECT count(*) FROM tags_t")
        assert cur.fetchone() == (2,)
        cur.execute("DROP TABLE tags_t")
        assert cur.statusmessage == "DROP TABLE"
    finally:
        conn.close()


# --------------------------------------------------------------------------- the extended protocol


def _parse(name: str, sql: str, types=()) -> bytes:
    return RawClient.message(b"P", name.encode() + b"\0" + sql.encode() + b"\0" + struct.pack("!h", len(types))
                             + b"".join(struct.pack("!I", t) for t in types))


def _bind(portal: str, statement: str, params=(), result_formats=()) -> bytes:
    body = portal.encode() + b"\0" + statement.encode() + b"\0" + struct.pack("!h", 0) + struct.pack("!h", len(params))
    for p in params:
        body += struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p
    body += struct.pack("!h", len(result_formats)) + b"".join(struct.pack("!h", f) for f in result_formats)
    return RawClient.message(b"B", body)


def _execute(portal: str, rows: int = 0) -> bytes:
    return RawClient.message(b"E", portal.encode() + b"\0" + struct.pack("!i", rows))


def _describe(kind: str, name: str) -> bytes:
    return RawClient.message(b"D", kind.encode() + name.encode() + b"\0")


SYNC = RawClient.message(b"S")


def test_execute_with_a_row_limit_suspends_the_portal(trust_server):
    client = RawClient(trust_server.port)
    try:
        client.send(_parse("s", "SELECT id FROM items ORDER BY id") + _bind("p", "s", result_formats=[1])
                    + _describe("P", "p") + _execute("p", 2) + _execute("p", 2) + SYNC)
        messages = client.until("Z")
        assert kinds(messages) == "12TDDsDCZ"
        rows = [m[1] for m in messages if m[0] == "D"]
        assert rows == [struct.pack("!hiq", 1, 8, i) for i in (1, 2, 3)]
        assert messages[-2] == ("C", b"SELECT 1\0")
    finally:
        client.close()


def test_parameters_named_statements_and_describe(trust_server):
    client = RawClient(trust_server.port)
    try:
        client.send(_parse("by_id", "SELECT name FROM items WHERE id = $1") + _describe("S", "by_id") + SYNC)
        messages = client.until("Z")
        assert kinds(messages) == "1tTZ"
        assert messages[1][1] == struct.pack("!hI", 1, 20)  # $1 compared with a bigint column is int8
        client.send(_bind("", "by_id", [struct.pack("!q", 2)]) + _execute("") + SYNC)
        # parameter formats default to text, so send a binary one explicitly
        client.send(RawClient.message(b"B", b"\0by_id\0" + struct.pack("!hh", 1, 1) + struct.pack("!hi", 1, 8)
                                      + struct.pack("!q", 2) + struct.pack("!h", 0)) + _execute("") + SYNC)
        first = client.until("Z")
        second = client.until("Z")
        assert error_fields(first[0][1])["C"] == "22P02"  # 8 raw bytes are not a text integer
        assert kinds(second) == "2DCZ" and second[1][1] == struct.pack("!hi", 1, 4) + b"pear"
        client.send(RawClient.message(b"C", b"Sby_id\0") + SYNC)
        assert kinds(client.until("Z")) == "3Z"
    finally:
        client.close()


def test_describe_never_executes_dml(server):
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS describe_t")
    cur.execute("CREATE TABLE describe_t (id int)")
    conn.close()
    trust = start(server.home, auth_method="trust")
    try:
        raw = RawClient(trust.port)
        raw.send(_parse("ins", "INSERT INTO describe_t VALUES (1)") + _describe("S", "ins") + _bind("p", "ins")
                 + _describe("P", "p") + SYNC)
        assert kinds(raw.until("Z")) == "1tn2nZ"
        assert raw.query("SELECT count(*) FROM describe_t")[1][1] == struct.pack("!hi", 1, 1) + b"0"
        raw.send(_execute("p") + SYNC)  # the portal was closed by Sync: an error, nothing inserted
        assert error_fields(raw.until("Z")[0][1])["C"] == "34000"
        raw.send(_bind("p", "ins") + _execute("p") + SYNC)
        assert kinds(raw.until("Z")) == "2CZ"
        assert raw.query("SELECT count(*) FROM describe_t")[1][1] == struct.pack("!hi", 1, 1) + b"1"
        raw.query("DROP TABLE describe_t")
        raw.close()
    finally:
        trust.stop()


def test_errors_skip_to_sync_and_unknown_names(trust_server):
    client = RawClient(trust_server.port)
    try:
        client.send(_bind("", "missing") + _execute("") + _parse("", "SELECT 1") + SYNC)
        messages = client.until("Z")
        assert kinds(messages) == "EZ"  # Execute and Parse after the error were skipped
        assert error_fields(messages[0][1]) | {"C": "26000"} == error_fields(messages[0][1])
        assert error_fields(messages[0][1])["S"] == "ERROR"
        client.send(_parse("", "") + _bind("", "") + _execute("") + SYNC)
        assert kinds(client.until("Z")) == "12IZ"
        client.send(_parse("dup", "SELECT 1") + _parse("dup", "SELECT 2") + SYNC)
        messages = client.until("Z")
        assert kinds(messages) == "1EZ" and error_fields(messages[1][1])["C"] == "42P05"
    finally:
        client.close()


# --------------------------------------------------------------------------- COPY


def test_copy_to_stdout_text_and_csv(server):
    import io

    with psycopg2.connect(server.dsn()) as conn:
        cur = conn.cursor()
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT id, name, price, note FROM items ORDER BY id) TO STDOUT", out)
        assert out.getvalue() == "1\tapple\t1.250\tcrisp\n2\tpear\t2.000\t\\N\n3\tfig \"x\"\t\\N\ttab\\there\n"
        out = io.StringIO()
        cur.copy_expert("COPY items (id, name) TO STDOUT WITH (FORMAT csv, HEADER true)", out)
        assert sorted(out.getvalue().splitlines()) == sorted(["id,name", "1,apple", "2,pear", '3,"fig ""x"""'])
        assert cur.rowcount == 3


# --------------------------------------------------------------------------- cancel and timeout


_CANCEL_CLIENT = """
import sys, threading, time, psycopg2, psycopg2.errors
conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
threading.Timer(0.5, conn.cancel).start()
started = time.monotonic()
try:
    cur.execute(sys.argv[2])
    print("finished")
except psycopg2.errors.QueryCanceled as error:
    print("cancelled", round(time.monotonic() - started, 1), str(error).strip())
conn.rollback()
cur.execute("SELECT 42")
print("after", cur.fetchone()[0])
"""


def test_cancel_request_interrupts_the_running_query(server):
    # The client runs in its own process, as clients do (psycopg2 holds the GIL while it cancels).
    run = subprocess.run([sys.executable, "-c", _CANCEL_CLIENT, server.dsn(), SLOW], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("cancelled") and lines[0].endswith("canceling statement due to user request")
    assert float(lines[0].split()[1]) < 15
    assert lines[1] == "after 42"


def test_statement_timeout(server):
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute("SET statement_timeout = 300")
        started = time.monotonic()
        with pytest.raises(psycopg2.errors.QueryCanceled, match="canceling statement due to statement timeout"):
            cur.execute(SLOW)
        assert time.monotonic() - started < 15
        cur.execute("SELECT count(*) FROM sales.numbers")  # quick statements still run
        assert cur.fetchone() == (300_000,)
        cur.execute("RESET statement_timeout")
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("0",)
    finally:
        conn.close()


# --------------------------------------------------------------------------- sandbox


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/hostname')",
    "SELECT * FROM read_parquet('/tmp/x.parquet')",
    "SELECT * FROM read_json('/tmp/x.json')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT count(*) FROM items, read_text('/etc/passwd')",
    "SELECT (SELECT count(*) FROM read_blob('/etc/passwd'))",
    "WITH x AS (SELECT * FROM parquet_scan('/tmp/x.parquet')) SELECT * FROM x",
    "COPY items TO '/tmp/lakebox-sandbox-escape.csv'",
    "COPY (SELECT 1) TO '/tmp/lakebox-sandbox-escape.csv' (FORMAT csv)",
    "ATTACH '/tmp/lakebox-escape.duckdb' AS escape",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SET threads = 1",
    "SET enable_external_access = true",
    "SELECT * FROM pg_catalog.pg_class, read_csv('/etc/passwd')",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM query('SELECT 1')",
    # statements that name a location: only s3:// (the lake), never the server's own files
    "UNLOAD ('SELECT * FROM items') TO '/tmp/lakebox-sandbox-escape.csv' IAM_ROLE 'arn:aws:iam::1:role/r'",
    "UNLOAD ('SELECT * FROM items') TO 'file:///tmp/lakebox-sandbox-escape.csv' IAM_ROLE 'arn:aws:iam::1:role/r'",
    "COPY items FROM '/etc/hostname' IAM_ROLE 'arn:aws:iam::1:role/r'",
    "CREATE EXTERNAL TABLE spectrum.escape (line varchar(100)) STORED AS TEXTFILE LOCATION '/etc/'",
    "CREATE EXTERNAL TABLE spectrum.escape (line varchar(100)) STORED AS TEXTFILE LOCATION 'file:///etc/'",
])
def test_sandbox_refuses_with_42501(server, sql):
    with psycopg2.connect(server.dsn()) as conn:
        cur = conn.cursor()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            cur.execute(sql)
    assert not os.path.exists("/tmp/lakebox-sandbox-escape.csv")
    assert not os.path.exists("/tmp/lakebox-sandbox-escape.csv0000_part_00")


def test_copy_and_unload_within_the_lake(server, lake_home):
    """Redshift's COPY from and UNLOAD to s3:// locations stay in the lake: allowed to clients."""
    source = lake_home / "s3" / "lake" / "wire-load" / "part.txt"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("1|one\n2|two\n")
    with psycopg2.connect(server.dsn()) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE wire_loaded (id int, name varchar(10))")
        cur.execute("COPY wire_loaded FROM 's3://lake/wire-load/' IAM_ROLE 'arn:aws:iam::1:role/r'")
        cur.execute("SELECT id, name FROM wire_loaded ORDER BY id")
        assert cur.fetchall() == [(1, "one"), (2, "two")]
        cur.execute("UNLOAD ('SELECT * FROM wire_loaded') TO 's3://lake/wire-unload/out_' "
                    "IAM_ROLE 'arn:aws:iam::1:role/r' ALLOWOVERWRITE")
        cur.execute("DROP TABLE wire_loaded")
    assert (lake_home / "s3" / "lake" / "wire-unload" / "out_0000_part_00").read_text().splitlines() == \
        ["1|one", "2|two"]
