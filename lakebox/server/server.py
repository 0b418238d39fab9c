"""The asyncio transport: sockets, TLS, authentication, sessions, cancel and statement timeouts.

Each connection runs a `ServerProtocol` (the sans-IO state machine) and owns one `PgSession`.
Blocking work (DuckDB, catalog reads, encoding large batches) runs in a thread pool so that
other clients and CancelRequests are served while a query runs. Results are streamed to the
socket a bounded batch at a time, waiting for the client to drain each one.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import secrets
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import sqlglot
from sqlglot import exp

from lakebox import errors
from lakebox.server import auth, copy as copyout, messages as m
from lakebox.server import types as pgt
from lakebox.server.params import ParameterTypeError, parameter_types
from lakebox.server.pgcatalog import CatalogEmulator
from lakebox.server.pgsession import Outcome, PgSession, SessionError
from lakebox.server.rows import Rows
from lakebox.server.protocol import AUTHENTICATING, NEED_DATA, STARTUP, ServerProtocol
from lakebox.server import sqltext

log = logging.getLogger("lakebox.server")

#: Rows per DataRow batch: bounds the memory one result holds in wire form at a time.
BATCH_ROWS = 131072
#: Results this small are encoded on the event loop (a thread hop costs more than the work).
INLINE_ROWS = 2048
#: Batches encoded concurrently while earlier ones are written.
ENCODE_AHEAD = 2


class ConfigError(Exception):
    pass


@dataclass
class ServerConfig:
    home: Path
    host: str = "127.0.0.1"
    port: int = 5439
    dialect: str = "redshift"
    user: str = "lakebox"
    password: str | None = None
    auth_method: str = "scram-sha-256"  # scram-sha-256 | md5 | password | trust
    tls_cert: str | None = None
    tls_key: str | None = None
    statement_timeout_ms: int = 0
    max_connections: int = 100
    batch_rows: int = BATCH_ROWS
    startup_timeout_s: float = 60.0

    def validate(self) -> None:
        if self.auth_method not in auth.METHODS:
            raise ConfigError(f"unknown auth method '{self.auth_method}': use one of {', '.join(auth.METHODS)}")
        loopback = is_loopback(self.host)
        if self.auth_method == "trust":
            if not loopback:
                raise ConfigError("trust authentication is only allowed when listening on loopback")
        elif not self.password:
            if not loopback:
                raise ConfigError(f"refusing to listen on {self.host} without a password: set LAKEBOX_PASSWORD "
                                  "(or --password-file)")
            raise ConfigError(f"{self.auth_method} authentication needs a password: set LAKEBOX_PASSWORD "
                              "(or --password-file), or use --auth trust on loopback")
        if self.auth_method == "password" and not self.tls_cert:
            raise ConfigError("cleartext password authentication is only allowed over TLS: give --tls-cert and "
                              "--tls-key")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ConfigError("TLS needs both a certificate and a key")


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    def __init__(self, config: ServerConfig):
        config.validate()
        self.config = config
        self.connections: dict[int, ClientConnection] = {}
        self.executor = ThreadPoolExecutor(max_workers=config.max_connections + 8, thread_name_prefix="lakebox-sql")
        self.catalog_emulator = CatalogEmulator(config.dialect)
        self.scram = auth.ScramSecret.from_password(config.password) if config.password else None
        self.ssl_context = None
        if config.tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(config.tls_cert, config.tls_key)
            self.ssl_context = context
        self._server: asyncio.base_events.Server | None = None
        self.port = config.port
        self._next_pid = 1000 + secrets.randbelow(1000)
        self.total_connections = 0
        self._tasks: set[asyncio.Task] = set()
        self._clients: set[ClientConnection] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.config.host, self.config.port,
                                                  limit=1 << 20)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for conn in list(self._clients):
            conn.abort()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        self.executor.shutdown(wait=False, cancel_futures=True)

    def next_process_id(self) -> int:
        self._next_pid += 1
        return self._next_pid

    def cancel(self, process_id: int, secret_key: int) -> None:
        conn = self.connections.get(process_id)
        if conn is not None and conn.secret_key == secret_key and conn.pg is not None:
            conn.pg.cancel("user request")

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.total_connections += 1
        conn = ClientConnection(self, reader, writer)
        task = asyncio.current_task()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._clients.add(conn)
        try:
            await conn.run()
        except Exception:  # never let one client take the server down
            log.exception("connection failed")
        finally:
            self._clients.discard(conn)
            await conn.cleanup()


@dataclass
class PreparedStatement:
    sql: str
    param_types: list[int]
    row_schema: pa.Schema | None = None
    described: bool = False
    type_oids: dict[int, int] | None = None


@dataclass
class Portal:
    statement: PreparedStatement
    params: list
    result_formats: list[int]
    outcome: Outcome | None = None


class ClientConnection:
    def __init__(self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.server = server
        self.reader = reader
        self.writer = writer
        self.protocol = ServerProtocol()
        self.loop = asyncio.get_running_loop()
        self.pg: PgSession | None = None
        self.process_id = 0
        self.secret_key = secrets.randbits(31)
        self.tls = False
        self.user = ""
        self.statements: dict[str, PreparedStatement] = {}
        self.portals: dict[str, Portal] = {}
        self._auth_state = None
        self._closed = False
        # One thread runs all of this session's engine work: the engine's Session (and the catalog
        # transactions it holds across statements inside BEGIN ... COMMIT) belongs to one thread.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakebox-session")
        peer = writer.get_extra_info("peername")
        self.peer = peer

    # -- plumbing -----------------------------------------------------------------------------------

    async def flush(self) -> None:
        data = self.protocol.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)
            await self.writer.drain()

    async def write_raw(self, data) -> None:
        pending = self.protocol.data_to_send()
        if pending:
            self.writer.write(pending)
        self.writer.write(data)
        await self.writer.drain()

    def abort(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):
            self.writer.transport.abort()

    async def cleanup(self) -> None:
        self.server.connections.pop(self.process_id, None)
        pg, self.pg = self.pg, None
        if pg is not None:
            pg.cancel("connection closed")
            try:
                await self.loop.run_in_executor(self.worker, pg.close)
            except Exception:
                with contextlib.suppress(Exception):
                    pg.close()
        self.worker.shutdown(wait=False)
        with contextlib.suppress(Exception):
            self.writer.close()

    def fatal(self, code: str, message: str) -> None:
        self.protocol.send(m.error_response(m.ErrorFields("FATAL", code, message)))

    # -- the loop -------------------------------------------------------------------------------------

    async def run(self) -> None:
        started = self.loop.time()
        while not self._closed:
            try:
                if self.protocol.phase in (STARTUP, AUTHENTICATING):
                    # like authentication_timeout: a client that never finishes logging in is dropped
                    remaining = self.server.config.startup_timeout_s - (self.loop.time() - started)
                    data = await asyncio.wait_for(self.reader.read(1 << 16), timeout=max(remaining, 0.001))
                else:
                    data = await self.reader.read(1 << 16)
            except asyncio.TimeoutError:
                self.fatal("08006", "canceling authentication due to timeout")
                await self._final_flush()
                return
            except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
                return
            if not data:
                return
            self.protocol.receive_data(data)
            try:
                while not self._closed:
                    event = self.protocol.next_event()
                    if event is NEED_DATA:
                        break
                    await self.handle(event)
            except m.ProtocolViolation as violation:
                self.fatal(violation.sqlstate, str(violation))
                await self._final_flush()
                return
            except (ConnectionError, ssl.SSLError):
                return
            await self.flush()

    async def _final_flush(self) -> None:
        with contextlib.suppress(Exception):
            await self.flush()
        self._closed = True

    async def handle(self, event) -> None:
        if isinstance(event, m.SSLRequest):
            if self.server.ssl_context is not None and not self.tls:
                self.writer.write(b"S")
                await self.writer.drain()
                await self.writer.start_tls(self.server.ssl_context)
                self.tls = True
            else:
                self.writer.write(b"N")
                await self.writer.drain()
            return
        if isinstance(event, m.GSSENCRequest):
            self.writer.write(b"N")
            await self.writer.drain()
            return
        if isinstance(event, m.CancelRequest):
            self.server.cancel(event.process_id, event.secret_key)
            self._closed = True
            return
        if isinstance(event, m.StartupMessage):
            await self.startup(event)
            return
        if isinstance(event, m.PasswordMessage):
            await self.password(event)
            return
        if isinstance(event, m.Terminate):
            self._closed = True
            return
        if isinstance(event, m.Query):
            await self.simple_query(event.sql)
        elif isinstance(event, m.Parse):
            await self.parse(event)
        elif isinstance(event, m.Bind):
            await self.bind(event)
        elif isinstance(event, m.Describe):
            await self.describe(event)
        elif isinstance(event, m.Execute):
            await self.execute(event)
        elif isinstance(event, m.Sync):
            if self.pg.status == "I":
                await self.close_portals()  # portals live only as long as their transaction
            self.protocol.send_ready(self.pg.status)
        elif isinstance(event, m.Flush):
            await self.flush()
        elif isinstance(event, m.Close):
            if event.kind == "S":
                self.statements.pop(event.name, None)
            else:
                await self.close_portals(event.name)
            self.protocol.send(m.close_complete())
        elif isinstance(event, m.FunctionCall):
            self.send_error(SessionError("the fast-path function call interface is not supported", "0A000"))
        # CopyData/CopyDone/CopyFail outside COPY FROM STDIN are ignored, as PostgreSQL does.

    # -- startup and authentication -----------------------------------------------------------------

    async def startup(self, message: m.StartupMessage) -> None:
        if len(self.server.connections) >= self.server.config.max_connections:
            self.fatal("53300", "sorry, too many clients already")
            await self._final_flush()
            return
        self.user = message.parameters.get("user", "")
        self.database = message.parameters.get("database") or self.user
        config = self.server.config
        method = config.auth_method
        if method == "trust":
            if self.user != config.user:
                self.fatal("28000", f'role "{self.user}" does not exist')
                await self._final_flush()
                return
            await self.authenticated()
        elif method == "scram-sha-256":
            self._auth_state = ("scram-initial", None)
            self.protocol.send(m.authentication_sasl([auth.ScramExchange.MECHANISM]))
        elif method == "md5":
            salt = secrets.token_bytes(4)
            self._auth_state = ("md5", salt)
            self.protocol.send(m.authentication_md5(salt))
        elif method == "password":
            if not self.tls:
                self.fatal("28000", "cleartext password authentication requires an SSL connection")
                await self._final_flush()
                return
            self._auth_state = ("password", None)
            self.protocol.send(m.authentication_cleartext())

    async def password(self, message: m.PasswordMessage) -> None:
        state, data = self._auth_state or (None, None)
        config = self.server.config
        ok = False
        try:
            if state == "scram-initial":
                initial = m.parse_sasl_initial(message.data)
                if initial.mechanism != auth.ScramExchange.MECHANISM or initial.data is None:
                    raise auth.AuthenticationFailed("unsupported SASL mechanism")
                exchange = auth.ScramExchange(self.server.scram)
                reply = exchange.server_first(initial.data)
                self._auth_state = ("scram-final", exchange)
                self.protocol.send(m.authentication_sasl_continue(reply))
                return
            if state == "scram-final":
                final = data.server_final(message.data)
                if self.user != config.user:
                    raise auth.AuthenticationFailed("user")
                self.protocol.send(m.authentication_sasl_final(final))
                ok = True
            elif state == "md5":
                ok = self.user == config.user and auth.check_md5(self.user, config.password, data,
                                                                  m.parse_password(message.data))
            elif state == "password":
                ok = self.user == config.user and auth.check_cleartext(config.password, m.parse_password(message.data))
            else:
                raise m.ProtocolViolation("unexpected password message")
        except auth.AuthenticationFailed:
            ok = False
        if not ok:
            # 28000 with libpq's wording, as the issue asks (PostgreSQL itself says 28P01)
            self.fatal("28000", f'password authentication failed for user "{self.user}"')
            await self._final_flush()
            return
        await self.authenticated()

    async def authenticated(self) -> None:
        config = self.server.config
        settings = _startup_settings(self.protocol.startup_parameters)
        self.process_id = self.server.next_process_id()
        try:
            self.pg = await self.loop.run_in_executor(
                self.worker,
                lambda: PgSession(config.home, config.dialect, self.user, self.database, self.server.catalog_emulator,
                                  settings, batch_rows=config.batch_rows))
        except Exception as error:
            log.exception("could not open a session")
            self.fatal(getattr(error, "sqlstate", "XX000"), f"could not open a lakebox session: {error}")
            await self._final_flush()
            return
        self.pg.process_id = self.process_id
        if config.statement_timeout_ms and "statement_timeout" not in settings:
            self.pg.settings["statement_timeout"] = str(config.statement_timeout_ms)
        self.server.connections[self.process_id] = self
        self.protocol.authenticated()
        self.protocol.send(m.authentication_ok())
        for name, value in self.pg.reported_parameters():
            self.protocol.send(m.parameter_status(name, value))
        self.protocol.send(m.backend_key_data(self.process_id, self.secret_key))
        self.protocol.send_ready(self.pg.status)

    # -- running statements -------------------------------------------------------------------------

    async def run_statement(self, sql: str, params: list | None = None) -> Outcome:
        """pg.execute in a worker thread, under the session's statement timeout."""
        pg = self.pg
        for portal in self.portals.values():
            rows = portal.outcome.rows if portal.outcome is not None else None
            if rows is not None and rows.streaming and not rows.exhausted:
                await self.loop.run_in_executor(self.worker, rows.materialize)
        timeout = pg.statement_timeout_ms()
        timer = None
        if timeout > 0:
            timer = self.loop.call_later(timeout / 1000, pg.cancel, "statement timeout")
        try:
            future = self.loop.run_in_executor(self.worker, pg.execute, sql, params)
            while True:
                done, _ = await asyncio.wait((future,), timeout=0.25)
                if done:
                    return future.result()
                if self.reader.at_eof() or self.writer.is_closing():
                    pg.cancel("client disconnect")  # nobody is waiting for the answer any more
        finally:
            if timer is not None:
                timer.cancel()

    def send_error(self, error: Exception) -> None:
        code = getattr(error, "sqlstate", None) or "XX000"
        message = str(error).strip() or type(error).__name__
        self.protocol.send_error(m.ErrorFields("ERROR", code, message))

    async def simple_query(self, sql: str) -> None:
        statements = sqltext.split(sql)
        if not statements:
            self.protocol.send(m.empty_query_response())
        for statement in statements:
            try:
                outcome = await self.run_statement(statement)
                for name, value in outcome.parameter_status:
                    self.protocol.send(m.parameter_status(name, value))
                if outcome.empty:
                    self.protocol.send(m.empty_query_response())
                    continue
                if outcome.copy is not None:
                    await self.copy_out(outcome)
                    continue
                rows = outcome.result_rows()
                if rows is not None:
                    fields = pgt.field_descriptions(rows.out_schema, None, outcome.type_oids)
                    self.protocol.send(m.row_description(fields))
                    await self.send_rows(rows, None, outcome.type_oids)
                    self.protocol.send(m.command_complete(f"SELECT {rows.count}"))
                else:
                    self.protocol.send(m.command_complete(outcome.tag))
            except errors.Error as error:
                self.send_error(error)
                break
        self.protocol.send_ready(self.pg.status)

    async def fetch(self, rows: Rows, max_rows: int):
        if rows.streaming and not rows.exhausted:
            return await self.loop.run_in_executor(self.worker, self.pg.fetch, rows, max_rows)
        return self.pg.fetch(rows, max_rows)

    async def send_rows(self, rows: Rows, formats, type_oids, limit: int = 0) -> int:
        """DataRows for up to `limit` rows (0: all); returns how many were sent.

        Batches are fetched (in the session's thread, for streams), encoded (in the pool, up to
        ENCODE_AHEAD at once: Arrow releases the GIL) and written in order, waiting for the socket
        to drain: a result holds a few batches in memory at most, whatever its size."""
        batch_rows = self.server.config.batch_rows
        sent = 0
        pending: list = []
        while limit <= 0 or sent < limit:
            want = batch_rows if limit <= 0 else min(batch_rows, limit - sent)
            batch = await self.fetch(rows, want)
            if batch is None:
                break
            sent += batch.num_rows
            if not pending and batch.num_rows <= INLINE_ROWS and not (rows.streaming and not rows.exhausted):
                self.protocol.send(bytes(pgt.encode_batch(batch, formats, type_oids)))
                continue
            pending.append(self.loop.run_in_executor(self.server.executor, pgt.encode_batch, batch, formats,
                                                     type_oids))
            if len(pending) >= ENCODE_AHEAD:
                await self.write_raw(await pending.pop(0))
        for future in pending:
            await self.write_raw(await future)
        return sent

    async def copy_out(self, outcome: Outcome) -> None:
        rows = outcome.result_rows()
        options = outcome.copy
        self.protocol.send(m.copy_out_response(len(rows.schema)))
        if options.get("header"):
            self.protocol.send(copyout.header(rows.names, options))
        while (batch := await self.fetch(rows, self.server.config.batch_rows)) is not None:
            data = await self.loop.run_in_executor(self.server.executor, copyout.encode_copy_batch, batch, options)
            await self.write_raw(data)
        self.protocol.send(m.copy_done())
        self.protocol.send(m.command_complete(f"COPY {rows.count}"))

    # -- the extended query protocol ------------------------------------------------------------------

    async def parse(self, message: m.Parse) -> None:
        if message.name and message.name in self.statements:
            self.send_error(SessionError(f'prepared statement "{message.name}" already exists', "42P05"))
            return
        count = sqltext.parameter_count(message.sql)
        types = list(message.param_types) + [0] * max(0, count - len(message.param_types))
        if any(t == 0 for t in types):
            try:
                types = await self.loop.run_in_executor(self.worker, parameter_types, message.sql, self.pg, types)
            except ParameterTypeError as error:  # 42P18 / 42725, as PostgreSQL's Parse answers
                self.send_error(error)
                return
            except Exception:  # a description is never worth failing a Parse over
                types = [t or pgt.TEXT for t in types]
        self.statements[message.name] = PreparedStatement(message.sql, types)
        self.protocol.send(m.parse_complete())

    async def close_portals(self, name: str | None = None) -> None:
        names = list(self.portals) if name is None else [name]
        for key in names:
            portal = self.portals.pop(key, None)
            rows = portal.outcome.rows if portal is not None and portal.outcome is not None else None
            if rows is not None and rows.streaming and not rows.exhausted:
                await self.loop.run_in_executor(self.worker, rows.close)

    async def bind(self, message: m.Bind) -> None:
        statement = self.statements.get(message.statement)
        if statement is None:
            self.send_error(SessionError(f'prepared statement "{message.statement}" does not exist', "26000"))
            return
        if message.portal and message.portal in self.portals:
            self.send_error(SessionError(f'portal "{message.portal}" already exists', "42P03"))
            return
        if len(message.params) != len(statement.param_types):
            self.send_error(SessionError(f"bind message supplies {len(message.params)} parameters, but prepared "
                                         f"statement \"{message.statement}\" requires {len(statement.param_types)}",
                                         "08P01"))
            return
        formats = message.param_formats
        params = []
        try:
            for i, value in enumerate(message.params):
                fmt = formats[0] if len(formats) == 1 else (formats[i] if i < len(formats) else 0)
                params.append(pgt.decode_parameter(value, statement.param_types[i], fmt))
        except Exception as error:
            self.send_error(SessionError(f"invalid parameter value: {error}", "22P02"))
            return
        if message.portal in self.portals or message.portal == "":
            await self.close_portals(message.portal)
        self.portals[message.portal] = Portal(statement, params, list(message.result_formats))
        self.protocol.send(m.bind_complete())

    async def describe(self, message: m.Describe) -> None:
        if message.kind == "S":
            statement = self.statements.get(message.name)
            if statement is None:
                self.send_error(SessionError(f'prepared statement "{message.name}" does not exist', "26000"))
                return
            self.protocol.send(m.parameter_description(statement.param_types))
            try:
                await self.describe_statement(statement)
            except errors.Error as error:
                self.send_error(error)
                return
            if statement.row_schema is None:
                self.protocol.send(m.no_data())
            else:
                self.protocol.send(m.row_description(pgt.field_descriptions(statement.row_schema, None,
                                                                            statement.type_oids)))
            return
        portal = self.portals.get(message.name)
        if portal is None:
            self.send_error(SessionError(f'portal "{message.name}" does not exist', "34000"))
            return
        if not self.pg.returns_rows(portal.statement.sql):
            self.protocol.send(m.no_data())
            return
        try:
            await self.run_portal(portal)
        except errors.Error as error:
            self.send_error(error)
            return
        outcome = portal.outcome
        rows = outcome.result_rows()
        if rows is None or outcome.copy is not None:
            self.protocol.send(m.no_data())
            return
        self.protocol.send(m.row_description(pgt.field_descriptions(rows.out_schema, portal.result_formats,
                                                                    outcome.type_oids)))

    async def describe_statement(self, statement: PreparedStatement) -> None:
        if statement.described:
            return
        if self.pg.returns_rows(statement.sql):
            catalog = await self.loop.run_in_executor(self.worker, self.pg.is_catalog_query, statement.sql)
            probe = statement.sql if catalog else _limit_zero(statement.sql, self.pg.dialect)
            outcome = await self.run_statement(probe, [None] * len(statement.param_types))
            rows = outcome.result_rows()
            if rows is not None and outcome.copy is None:
                statement.row_schema = rows.out_schema
                statement.type_oids = outcome.type_oids
                if rows.streaming and not rows.exhausted:
                    await self.loop.run_in_executor(self.worker, rows.close)
        statement.described = True

    async def run_portal(self, portal: Portal) -> None:
        if portal.outcome is not None:
            return
        outcome = await self.run_statement(portal.statement.sql, portal.params)
        rows = outcome.result_rows()
        if rows is not None and portal.statement.row_schema is not None:
            rows.conform_to(portal.statement.row_schema)
            outcome.type_oids = portal.statement.type_oids
        portal.outcome = outcome

    async def execute(self, message: m.Execute) -> None:
        portal = self.portals.get(message.portal)
        if portal is None:
            self.send_error(SessionError(f'portal "{message.portal}" does not exist', "34000"))
            return
        try:
            await self.run_portal(portal)
            outcome = portal.outcome
            for name, value in outcome.parameter_status:
                self.protocol.send(m.parameter_status(name, value))
            outcome.parameter_status = []
            if outcome.empty:
                self.protocol.send(m.empty_query_response())
                return
            if outcome.copy is not None:
                await self.copy_out(outcome)
                return
            rows = outcome.result_rows()
            if rows is None:
                self.protocol.send(m.command_complete(outcome.tag))
                return
            sent = await self.send_rows(rows, portal.result_formats, outcome.type_oids, message.max_rows)
        except errors.Error as error:
            self.send_error(error)
            return
        if message.max_rows > 0 and sent >= message.max_rows:
            self.protocol.send(m.portal_suspended())  # as PostgreSQL: the limit was reached
            return
        self.protocol.send(m.command_complete(f"SELECT {sent}"))


def _startup_settings(parameters: dict[str, str]) -> dict[str, str]:
    settings = {}
    for name, value in parameters.items():
        if name in ("user", "database", "replication"):
            continue
        if name == "options":
            for option in _split_options(value):
                if option.startswith("--"):
                    option = option[2:]
                elif option.startswith("-c"):
                    option = option[2:].strip()
                else:
                    continue
                key, _, val = option.partition("=")
                if key:
                    settings[key.strip().replace("-", "_").lower()] = val
            continue
        settings[name.lower()] = value
    return settings


def _split_options(text: str) -> list[str]:
    """libpq's options string: whitespace separated, backslash escapes."""
    parts, current, escape = [], [], False
    pending_c = False
    for ch in text:
        if escape:
            current.append(ch)
            escape = False
        elif ch == "\\":
            escape = True
        elif ch.isspace():
            if current:
                parts.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        parts.append("".join(current))
    merged = []
    for part in parts:
        if pending_c:
            merged[-1] = "-c" + part
            pending_c = False
        elif part == "-c":
            merged.append("-c")
            pending_c = True
        else:
            merged.append(part)
    return merged


def _limit_zero(sql: str, dialect: str) -> str:
    """The statement with LIMIT 0 when it is a plain SELECT (to learn its shape cheaply).

    LIMIT 0 is appended to the text as it is: SQL regenerated by sqlglot may not read back the
    same (Redshift's generator writes `text` as VARCHAR(MAX), for one)."""
    from lakebox.dialects.statements import sqlglot_dialect

    try:
        expression = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
    except Exception:
        return sql
    if isinstance(expression, exp.Select) and not any(expression.args.get(k) for k in ("limit", "fetch", "into",
                                                                                           "locks")):
        return sqltext.without_trailing(sql) + " LIMIT 0"
    return sql


# --------------------------------------------------------------------------- running in a thread


class ServerThread:
    """A server on its own event loop thread (for tests, the CLI's --background and embedding)."""

    def __init__(self, config: ServerConfig):
        self.server = Server(config)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="lakebox-server", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.start())
        except BaseException as error:
            self._error = error
            self._started.set()
            return
        self._started.set()
        self.loop.run_forever()

    def start(self) -> ServerThread:
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            raise self._error
        return self

    @property
    def port(self) -> int:
        return self.server.port

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.server.close(), self.loop)
        with contextlib.suppress(Exception):
            future.result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


async def serve(config: ServerConfig, ready=None) -> None:
    server = Server(config)
    await server.start()
    if ready is not None:
        ready(server)
    await server.serve_forever()
