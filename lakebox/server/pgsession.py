"""One client's SQL session: PostgreSQL's session commands around a lakebox engine Session.

Everything here is synchronous and runs in a worker thread. A statement is routed to exactly
one of: PostgreSQL session commands (SET/SHOW/RESET/DISCARD/transaction verbs, handled here with
PostgreSQL's semantics), the emulated pg_catalog (introspection SQL in PostgreSQL's dialect), or
the engine (the session's dialect), after the sandbox has had its say.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

import lakebox
from lakebox import errors
from lakebox.engine.session import Session
from lakebox.engine.duckdb_errors import translate
from lakebox.server import sandbox, sqltext
from lakebox.server import types as pgt
from lakebox.server.rows import Rows

SERVER_VERSION = "15.0"
SERVER_VERSION_NUM = "150000"


def version_string() -> str:
    import duckdb

    return (f"PostgreSQL {SERVER_VERSION} (lakebox {getattr(lakebox, '__version__', '0.1.0')}, DuckDB "
            f"{duckdb.__version__}) on x86_64-pc-linux-gnu, compiled by lakebox, 64-bit")


#: ParameterStatus values sent at startup and whenever they change.
REPORTED = ("server_version", "server_encoding", "client_encoding", "application_name", "DateStyle",
            "IntervalStyle", "TimeZone", "integer_datetimes", "standard_conforming_strings", "is_superuser",
            "session_authorization", "default_transaction_read_only", "in_hot_standby")

_DEFAULTS = {
    "server_version": SERVER_VERSION,
    "server_version_num": SERVER_VERSION_NUM,
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "application_name": "",
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "timezone": "UTC",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
    "is_superuser": "off",
    "session_authorization": "",
    "default_transaction_read_only": "off",
    "transaction_read_only": "off",
    "in_hot_standby": "off",
    "transaction_isolation": "repeatable read",
    "default_transaction_isolation": "repeatable read",
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "extra_float_digits": "1",
    "max_identifier_length": "63",
    "bytea_output": "hex",
    "lc_collate": "C",
    "lc_ctype": "C",
    "lc_messages": "C",
    "lc_monetary": "C",
    "lc_numeric": "C",
    "lc_time": "C",
    "client_min_messages": "notice",
    "search_path": '"$user", public',
    "row_security": "on",
    "escape_string_warning": "on",
    "synchronous_commit": "on",
    "jit": "off",
    "work_mem": "4MB",
    "max_index_keys": "32",
    "block_size": "8192",
    "xmloption": "content",
    "default_with_oids": "off",
    "geqo": "on",
    "enable_seqscan": "on",
    "cursor_tuple_fraction": "0.1",
    "max_connections": "100",
    "ssl": "off",
    "password_encryption": "scram-sha-256",
    "default_tablespace": "",
    "temp_tablespaces": "",
    "check_function_bodies": "on",
    "session_replication_role": "origin",
    "array_nulls": "on",
    "backslash_quote": "safe_encoding",
    "quote_all_identifiers": "off",
    "tcp_keepalives_idle": "0",
    "tcp_keepalives_interval": "0",
    "tcp_keepalives_count": "0",
    "idle_session_timeout": "0",
    "deadlock_timeout": "1s",
    "log_statement": "none",
    "plan_cache_mode": "auto",
    "timezone_abbreviations": "Default",
    "gssencmode": "disable",
}
_DISPLAY_NAMES = {n.lower(): n for n in REPORTED}


class SessionError(errors.ProgrammingError):
    """An error with an explicit SQLSTATE raised by the PostgreSQL session layer."""

    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.sqlstate = sqlstate


@dataclass
class Outcome:
    """What one statement produced, for the transport to put on the wire."""

    tag: str = ""
    table: pa.Table | None = None
    empty: bool = False
    copy: dict | None = None  # {"format": "text"|"csv", "delimiter", "header", "null"}
    parameter_status: list[tuple[str, str]] = field(default_factory=list)
    #: per-column type OID overrides (e.g. oid columns of catalog queries)
    type_oids: dict[int, int] | None = None
    #: the rows, streamed from the engine (queries) or over `table` (everything else)
    rows: Rows | None = None

    def result_rows(self) -> Rows | None:
        if self.rows is None and self.table is not None:
            self.rows = Rows(table=self.table)
        return self.rows


_SHOW_ENGINE = {"DATABASES", "SCHEMAS", "TABLES", "VIEWS", "PARTITIONS", "COLUMNS", "CREATE", "TBLPROPERTIES"}
_TRANSACTION_START = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION)\b", re.IGNORECASE)
_COPY_OUT = re.compile(r"^\s*COPY\s+(?P<source>\((?P<query>.*)\)|[^\s(]+(?:\s*\((?P<cols>[^)]*)\))?)\s+TO\s+STDOUT\b"
                       r"(?P<options>.*)$", re.IGNORECASE | re.DOTALL)


class PgSession:
    def __init__(self, home: Path, dialect: str, user: str, database: str, catalog_emulator,
                 startup_settings: dict[str, str] | None = None, batch_rows: int = 65536):
        self.engine = Session(home, dialect)
        self.batch_rows = batch_rows
        self.engine.stream_batch_rows = batch_rows  # queries stream: one batch in memory at a time
        self.dialect = dialect
        self.user = user
        self.engine.user = user.lower()  # Redshift's '$user' in the search path
        self.engine.lake_locations_only = True  # the sandbox: no LOCATION, COPY or UNLOAD outside s3://
        self.database = database
        self.catalog_emulator = catalog_emulator
        self.settings: dict[str, str] = dict(_DEFAULTS)
        self.settings["session_authorization"] = user
        self.settings["search_path"] = self._search_path_text()
        self.failed = False  # an error inside BEGIN ... COMMIT: PostgreSQL's 'E' status
        self._savepoints: list[tuple[str, int]] = []
        self._writes = 0  # data or schema changes in the current transaction
        self._running = False
        self._cancel_reason: str | None = None
        self._running_lock = threading.Lock()
        self._catalog_cursor = None
        for name, value in (startup_settings or {}).items():
            try:
                self._set(name, value)
            except errors.Error:
                pass  # unknown startup options are tolerated, as PostgreSQL does for some

    # -- state ----------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        if self.failed:
            return "E"
        return "T" if self.engine.in_transaction else "I"

    def reported_parameters(self) -> list[tuple[str, str]]:
        return [(name, self.settings[name.lower()]) for name in REPORTED]

    def statement_timeout_ms(self) -> int:
        return _parse_duration_ms(self.settings.get("statement_timeout", "0"))

    def close(self) -> None:
        self.engine.close()

    # -- cancellation (called from the event loop thread) ----------------------------------------

    def cancel(self, reason: str = "user request") -> bool:
        with self._running_lock:
            if not self._running:
                return False
            self._cancel_reason = reason
            self.engine.cancel()
            cursor = self._catalog_cursor
        if cursor is not None:
            try:
                cursor.interrupt()
            except Exception:
                pass
        return True

    # -- execution ------------------------------------------------------------------------------

    def execute(self, sql: str, params: list | None = None) -> Outcome:
        """Run one statement; raise lakebox errors (each with a SQLSTATE)."""
        if not sql.strip() or not sqltext.strip_comments(sql).strip(" ;\n\t\r"):
            return Outcome(empty=True)
        words = sqltext.leading_words(sql, 4)
        if self.failed and not (words and words[0] in ("ROLLBACK", "ABORT", "COMMIT", "END")) \
                and words[:1] != ["RELEASE"]:
            raise SessionError("current transaction is aborted, commands ignored until end of transaction block",
                               "25P02")
        with self._running_lock:
            self._running = True
            self._cancel_reason = None
        try:
            outcome = self._execute(sql, words, params)
            if outcome.tag.split(" ")[0] in ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "MSCK"):
                self._writes += 1
            return outcome
        except errors.Error as error:
            if self._cancel_reason is not None or getattr(error, "sqlstate", "") == "57014":
                reason = self._cancel_reason or "user request"
                error = SessionError(f"canceling statement due to {reason}", "57014")
            if self.engine.in_transaction:
                self.failed = True
            raise error from None
        except Exception as error:  # a bug of ours still reaches the client as an error
            if self.engine.in_transaction:
                self.failed = True
            raise errors.InternalError(f"internal error ({type(error).__name__}): {error}") from error
        finally:
            with self._running_lock:
                self._running = False
                self._cancel_reason = None

    def _execute(self, sql: str, words: list[str], params: list | None) -> Outcome:
        head = words[0] if words else ""
        if head in ("SET", "RESET", "SHOW", "DISCARD", "DEALLOCATE", "LISTEN", "UNLISTEN", "NOTIFY",
                    "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE",
                    "EXECUTE", "CLOSE", "FETCH", "DECLARE", "COPY"):
            handled = self._session_command(sql, words)
            if handled is not None:
                return handled
        sandbox.check_statement_keyword(words)
        if head in ("SELECT", "WITH", "VALUES", "TABLE", "(") or head == "":
            expression = self.catalog_emulator.parse(sql) if self.catalog_emulator else None
            if expression is not None and self.catalog_emulator.handles(expression):
                return self._catalog_query(expression, params)
        sandbox.check_sql(sql, self.dialect)
        return self._engine(sql, params)

    def _engine(self, sql: str, params: list | None) -> Outcome:
        # interval and time values reach the engine as text, read through a CAST to their type
        casts = {i: v.sql_type for i, v in enumerate(params or []) if isinstance(v, pgt.TypedText)}
        text, order = sqltext.to_qmarks(sql, casts)
        values = None
        if order or params:
            params = params or []
            if any(i >= len(params) for i in order):
                raise SessionError(f"bind message supplies {len(params)} parameters, but the statement "
                                   f"requires {max(order) + 1}", "08P01")
            values = [params[i] for i in order]
        result = self.engine.execute(text, values)
        tag = result.tag or _default_tag(sql)
        if result.reader is not None:
            rows = Rows(reader=result.reader, translate=lambda error: translate(error, self.dialect), lower=True)
            rows.prefetch(min(self.batch_rows, 4096))
            return Outcome(tag="SELECT", rows=rows)
        if result.table is not None and tag.startswith("SELECT"):
            tag = f"SELECT {result.table.num_rows}"
        return Outcome(tag=tag, table=result.table)

    def fetch(self, rows: Rows, max_rows: int):
        """The next batch of a result (in the session's thread); a failure mid-stream fails the
        transaction like any statement's."""
        try:
            return rows.next(max_rows)
        except errors.Error:
            if self.engine.in_transaction:
                self.failed = True
            raise

    def _catalog_query(self, expression: exp.Expression, params: list | None) -> Outcome:
        table, type_oids = self.catalog_emulator.run(expression, self, params, on_cursor=self._set_catalog_cursor)
        return Outcome(tag=f"SELECT {table.num_rows}", table=table, type_oids=type_oids)

    def _set_catalog_cursor(self, cursor) -> None:
        self._catalog_cursor = cursor

    def is_catalog_query(self, sql: str) -> bool:
        words = sqltext.leading_words(sql, 1)
        if not words or words[0] not in ("SELECT", "WITH", "VALUES", "TABLE"):
            return False
        expression = self.catalog_emulator.parse(sql) if self.catalog_emulator else None
        return expression is not None and self.catalog_emulator.handles(expression)

    def returns_rows(self, sql: str) -> bool:
        words = sqltext.leading_words(sql, 4)
        head = words[0] if words else ""
        if head == "SELECT":  # but SELECT ... INTO creates a table, and returns no rows
            return not re.search(r"\bINTO\b", sqltext.code_only(sql), re.I)
        if head in ("VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"):
            return True
        if head == "WITH":
            return not re.search(r"\b(INSERT|UPDATE|DELETE)\b", sqltext.strip_comments(sql), re.I)
        return False

    # -- PostgreSQL session commands ----------------------------------------------------------

    def _session_command(self, sql: str, words: list[str]) -> Outcome | None:
        head = words[0]
        text = sqltext.strip_comments(sql).rstrip(";").strip()
        if head == "SET":
            return self._set_statement(text, words)
        if head == "RESET":
            name = text.split(None, 1)[1].strip().lower() if len(text.split(None, 1)) > 1 else ""
            if name == "all":
                changed = [n for n in REPORTED if self.settings[n.lower()] != _DEFAULTS.get(n.lower())]
                self.settings = dict(_DEFAULTS, session_authorization=self.user)
                self.settings["search_path"] = self._search_path_text()
                return Outcome(tag="RESET", parameter_status=[(n, self.settings[n.lower()]) for n in changed])
            self._check_setting_name(name)
            if name in _DEFAULTS:
                self.settings[name] = _DEFAULTS[name]
            return Outcome(tag="RESET", parameter_status=self._reported(name))
        if head == "SHOW":
            if len(words) > 1 and words[1] in _SHOW_ENGINE:
                return None
            name = _show_name(text)
            return Outcome(tag="SHOW", table=self._show(name))
        if head in ("BEGIN", "START"):
            if head == "START" and (len(words) < 2 or words[1] != "TRANSACTION"):
                return None
            if not self.engine.in_transaction:
                self._savepoints.clear()
                self._writes = 0
            self.engine.execute("BEGIN")
            return Outcome(tag="BEGIN")
        if head in ("COMMIT", "END", "ROLLBACK", "ABORT"):
            if head == "ROLLBACK" and len(words) > 1 and words[1] == "TO":
                return self._savepoint("ROLLBACK TO", words, text)
            if head == "ROLLBACK" and len(words) > 1 and words[1] == "PREPARED":
                raise SessionError("two-phase commit is not supported by lakebox", "0A000")
            if head in ("COMMIT", "END") and len(words) > 1 and words[1] == "PREPARED":
                raise SessionError("two-phase commit is not supported by lakebox", "0A000")
            was_failed = self.failed
            self.failed = False
            self._savepoints.clear()
            self._writes = 0
            if was_failed or head in ("ROLLBACK", "ABORT"):
                self.engine.execute("ROLLBACK")
                return Outcome(tag="ROLLBACK")
            self.engine.execute("COMMIT")
            return Outcome(tag="COMMIT")
        if head in ("SAVEPOINT", "RELEASE"):
            return self._savepoint(head, words, text)
        if head == "DISCARD":
            self.settings = dict(_DEFAULTS, session_authorization=self.user)
            self.settings["search_path"] = self._search_path_text()
            return Outcome(tag="DISCARD " + (words[1] if len(words) > 1 else "ALL"))
        if head == "DEALLOCATE":
            return Outcome(tag="DEALLOCATE" + (" ALL" if "ALL" in words[1:3] else ""))
        if head in ("LISTEN", "UNLISTEN", "NOTIFY"):
            return Outcome(tag=head)
        if head in ("PREPARE", "EXECUTE", "DECLARE", "FETCH", "CLOSE"):
            if head == "CLOSE" and len(words) > 1 and words[1] == "ALL":
                return Outcome(tag="CLOSE CURSOR ALL")
            raise SessionError(f"{head} is not supported by lakebox: use the extended query protocol", "0A000")
        if head == "COPY":
            return self._copy(text)
        return None

    def _savepoint(self, verb: str, words: list[str], text: str) -> Outcome:
        """Savepoints as far as lakebox can honour them: rolling back to one is allowed when nothing
        was written since it was set (which is what drivers' nested transaction blocks need)."""
        if not self.engine.in_transaction:
            raise SessionError(f"{verb} can only be used in transaction blocks", "25P01")
        name = re.sub(r"^(SAVEPOINT|RELEASE|ROLLBACK\s+TO)\s+(SAVEPOINT\s+)?", "", text, flags=re.I).strip()
        name = name.strip('"') if name.startswith('"') else name.lower()
        if verb == "SAVEPOINT":
            if self.failed:
                raise SessionError("current transaction is aborted, commands ignored until end of transaction block",
                                   "25P02")
            self._savepoints.append((name, self._writes))
            return Outcome(tag="SAVEPOINT")
        positions = [i for i, (n, _) in enumerate(self._savepoints) if n == name]
        if not positions:
            raise SessionError(f'savepoint "{name}" does not exist', "3B001")
        index = positions[-1]
        if verb == "RELEASE":
            if self.failed:
                raise SessionError("current transaction is aborted, commands ignored until end of transaction block",
                                   "25P02")
            del self._savepoints[index:]
            return Outcome(tag="RELEASE")
        _, writes_then = self._savepoints[index]
        del self._savepoints[index + 1:]
        if self._writes > writes_then:
            raise SessionError("lakebox cannot undo changes made since a savepoint: roll back the whole "
                               "transaction", "0A000")
        if self.failed:
            self.failed = False
            if self._writes == 0:  # nothing to keep: a fresh transaction is the same state
                self.engine.execute("ROLLBACK")
                self.engine.execute("BEGIN")
        return Outcome(tag="ROLLBACK")

    def _set_statement(self, text: str, words: list[str]) -> Outcome:
        body = text[3:].strip()
        body = re.sub(r"^(SESSION|LOCAL)\s+", "", body, flags=re.IGNORECASE)
        if re.match(r"^SESSION\s+CHARACTERISTICS\b", body, re.I) or re.match(r"^TRANSACTION\b", body, re.I):
            return Outcome(tag="SET")
        match = re.match(r"^TIME\s+ZONE\s+(.+)$", body, re.I | re.S)
        if match:
            name, value = "timezone", match.group(1)
        elif re.match(r"^NAMES\s+", body, re.I):
            name, value = "client_encoding", body.split(None, 1)[1]
        elif re.match(r"^(SESSION\s+AUTHORIZATION|ROLE)\b", body, re.I):
            return Outcome(tag="SET")
        else:
            match = re.match(r'^("(?:[^"]|"")+"|[A-Za-z_][\w.$]*)\s*(?:=|\bTO\b)\s*(.*)$', body, re.I | re.S)
            if not match:
                raise SessionError(f"syntax error at or near \"{body.split()[0] if body.split() else ''}\"",
                                   "42601")
            name, value = match.group(1).strip('"'), match.group(2)
        value = _setting_value(value)
        name = name.lower()
        self._set(name, value)
        return Outcome(tag="SET", parameter_status=self._reported(name))

    def _check_setting_name(self, name: str) -> None:
        if name in _DEFAULTS or "." in name:
            return
        if name in sandbox.duckdb_setting_names():
            raise sandbox.refuse(f"the engine setting '{name}'")
        raise SessionError(f'unrecognized configuration parameter "{name}"', "42704")

    def _set(self, name: str, value: str) -> None:
        name = name.lower()
        self._check_setting_name(name)
        if name in ("server_version", "server_version_num", "server_encoding", "integer_datetimes", "block_size",
                    "max_identifier_length", "max_index_keys", "lc_collate", "lc_ctype", "in_hot_standby"):
            raise SessionError(f'parameter "{name}" cannot be changed', "55P02")
        if name == "client_encoding":
            if value.upper().replace("-", "").replace("_", "") not in ("UTF8", "UNICODE"):
                raise SessionError(f"lakebox speaks only UTF8, not client encoding \"{value}\"", "22023")
            value = "UTF8"
        elif name == "timezone":
            if value.upper() not in ("UTC", "ETC/UTC", "GMT", "Z", "UCT", "ZULU", "0", "+00", "+00:00",
                                     "ETC/GMT", "GMT0", "UNIVERSAL", "ETC/UNIVERSAL", "DEFAULT", "LOCAL"):
                pass  # accepted, but lakebox computes and prints timestamptz in UTC
            value = "UTC"
        elif name == "datestyle":
            value = "ISO, MDY" if "ISO" in value.upper() or value.upper() == "DEFAULT" else "ISO, MDY"
        elif name == "statement_timeout":
            _parse_duration_ms(value)  # validates
        elif name == "search_path":
            self._apply_search_path(value)
            value = self._search_path_text()
        elif name == "standard_conforming_strings" and value.lower() not in ("on", "true", "1", "yes"):
            raise SessionError("lakebox supports only standard_conforming_strings = on", "0A000")
        self.settings[name] = value

    def _reported(self, name: str) -> list[tuple[str, str]]:
        display = _DISPLAY_NAMES.get(name)
        return [(display, self.settings[name])] if display else []

    def _apply_search_path(self, value: str) -> None:
        entries = [s.strip().strip('"').lower() for s in value.split(",") if s.strip()]
        if self.dialect == "redshift":  # searched in order, as set (r_search_path)
            self.engine.set_search_path(None if value.strip().lower() == "default" else entries)
            return
        schemas = [s for s in entries if s not in ("$user", "pg_catalog", "")]
        if schemas:
            self.engine.catalog.get_database(schemas[0])
            self.engine.database = schemas[0]

    def _search_path_text(self) -> str:
        if self.dialect == "athena":
            return self.engine.database
        return self.engine.search_path_text()

    def current_schema(self) -> str:
        return self.engine.database if self.dialect == "athena" else self.engine.search_path

    def _show(self, name: str) -> pa.Table:
        key = name.lower()
        if key == "all":
            names = sorted(self.settings)
            return pa.table({"name": names, "setting": [self.settings[n] for n in names],
                             "description": [""] * len(names)})
        if key in ("transaction isolation level",):
            key = "transaction_isolation"
        if key == "time zone":
            key = "timezone"
        if key == "search_path":
            self.settings["search_path"] = self._search_path_text()
        self._check_setting_name(key)
        if key not in self.settings:
            raise SessionError(f'unrecognized configuration parameter "{name}"', "42704")
        column = name if " " not in name else key
        if key == "transaction_isolation":
            column = "transaction_isolation"
        return pa.table({column: [self.settings[key]]})

    # -- COPY ... TO STDOUT ---------------------------------------------------------------------

    def _copy(self, text: str) -> Outcome:
        match = _COPY_OUT.match(text)
        if not match:
            if re.search(r"\bFROM\s+STDIN\b", text, re.I):
                raise SessionError("COPY FROM STDIN is not supported by lakebox", "0A000")
            if self.dialect == "redshift" and re.search(r"\bFROM\s+'", text, re.I):
                return self._engine(text, None)  # Redshift's COPY from S3; the engine keeps it in the lake
            raise sandbox.refuse("COPY to or from a file")
        if match.group("query") is not None:
            query = match.group("query")
        else:
            source = match.group("source")
            name = source.split("(")[0].strip()
            cols = match.group("cols")
            query = f"SELECT {cols if cols else '*'} FROM {name}"
        options = _copy_options(match.group("options") or "")
        words = sqltext.leading_words(query, 4)
        sandbox.check_statement_keyword(words)
        outcome = self._execute(query, words, None)
        if outcome.result_rows() is None:
            raise SessionError("COPY query must return rows", "0A000")
        outcome.copy = options
        outcome.tag = "COPY"  # the transport adds the count once the rows are out
        return outcome


def _copy_options(text: str) -> dict:
    options = {"format": "text", "delimiter": None, "header": False, "null": None, "quote": '"'}
    text = text.strip()
    if text.upper().startswith("WITH"):
        text = text[4:].strip()
    if text.startswith("(") and text.endswith(")"):
        for part in _split_options(text[1:-1]):
            bits = part.strip().split(None, 1)
            if not bits:
                continue
            key = bits[0].lower()
            value = bits[1].strip() if len(bits) > 1 else "true"
            value = value[1:-1].replace("''", "'") if value.startswith("'") and value.endswith("'") else value
            if key == "format":
                options["format"] = value.lower()
            elif key == "header":
                options["header"] = value.lower() in ("true", "on", "1", "")
            elif key in ("delimiter", "null", "quote"):
                options[key] = value
    else:  # old syntax: COPY ... TO STDOUT [BINARY] [CSV [HEADER]] [DELIMITER 'x'] [NULL 'x']
        upper = text.upper()
        if "CSV" in upper:
            options["format"] = "csv"
        if "HEADER" in upper:
            options["header"] = True
        if "BINARY" in upper.split():
            options["format"] = "binary"
        m = re.search(r"DELIMITER\s+(?:AS\s+)?'((?:[^']|'')*)'", text, re.I)
        if m:
            options["delimiter"] = m.group(1).replace("''", "'")
        m = re.search(r"NULL\s+(?:AS\s+)?'((?:[^']|'')*)'", text, re.I)
        if m:
            options["null"] = m.group(1).replace("''", "'")
    if options["format"] not in ("text", "csv", "binary"):
        raise SessionError(f'COPY format "{options["format"]}" not recognized', "22023")
    if options["format"] == "binary":
        raise SessionError("COPY BINARY is not supported by lakebox: use text or csv", "0A000")
    if options["delimiter"] is None:
        options["delimiter"] = "," if options["format"] == "csv" else "\t"
    if options["null"] is None:
        options["null"] = "" if options["format"] == "csv" else "\\N"
    return options


def _split_options(text: str) -> list[str]:
    parts, current, quoted = [], [], False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _setting_value(value: str) -> str:
    value = value.strip().rstrip(";").strip()
    items = []
    for item in re.findall(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^,]+", value):
        item = item.strip()
        if item.startswith("'") and item.endswith("'"):
            item = item[1:-1].replace("''", "'")
        items.append(item)
    return ", ".join(i for i in items if i != "") if len(items) > 1 else (items[0] if items else "")


def _show_name(text: str) -> str:
    body = sqltext.strip_comments(text).rstrip(";").strip()[4:].strip()
    return body.strip('"') if body else ""


def _parse_duration_ms(value: str) -> int:
    text = str(value).strip().strip("'").lower()
    if text in ("", "0", "default"):
        return 0
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|min|h|d|us)?", text)
    if not match:
        raise SessionError(f'invalid value for parameter "statement_timeout": "{value}"', "22023")
    number = float(match.group(1))
    unit = match.group(2) or "ms"
    factor = {"us": 0.001, "ms": 1, "s": 1000, "min": 60000, "h": 3600000, "d": 86400000}[unit]
    return int(number * factor)


def _default_tag(sql: str) -> str:
    words = sqltext.leading_words(sql, 3)
    if not words:
        return ""
    if words[0] in ("CREATE", "DROP", "ALTER") and len(words) > 1:
        kind = words[1]
        if kind in ("EXTERNAL",) and len(words) > 2:
            kind = words[2]
        if kind == "OR" and len(words) > 2:
            kind = "VIEW"
        if kind == "DATABASE" or kind == "SCHEMA":
            return f"{words[0]} {kind}"
        return f"{words[0]} {kind}"
    return words[0]
