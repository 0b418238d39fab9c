"""The interactive shell: `lakebox repl`.

On a terminal it is a prompt_toolkit session (multi-line editing where Enter runs the buffer once
it ends with ';', history in `<home>/.repl_history`, SQL highlighting, completion of keywords and
catalog names). When stdin is not a terminal it reads the same input (statements and backslash
commands) line by line without any UI, which is how scripts and tests drive it.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from lakebox.cli.formatting import format_table
from lakebox.cli.main import DIALECTS, connect, one_line, run_and_print
from lakebox.cli.script import is_complete, iter_statements
from lakebox.errors import Error, ProgrammingError

#: Rows shown per result; a terminal is no place for more (the footer says when rows were cut).
REPL_MAX_ROWS = 1000

HELP = """\
Statements end with ';' (Enter on an unfinished statement starts a new line).
  \\dt [db]            list tables (of one database)
  \\d name             describe a table or view: columns, partition keys, location, format
  \\dialect [name]     show or switch the SQL dialect (athena, redshift)
  \\timing [on|off]    toggle printing each statement's elapsed time
  \\?                  this help
  \\q                  quit (also Ctrl-D)
"""

# Statements after which the completer reloads catalog names.
_DDL_WORDS = {"create", "drop", "alter", "msck", "repair"}


def run_repl(home: Path, dialect: str, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run the shell until EOF or \\q. Returns 0, or 1 when non-interactive input had errors."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    conn = connect(home, dialect)
    try:
        shell = Shell(conn, out)
        if stdin.isatty() and out.isatty():
            _interactive_loop(shell, Path(conn.home))
            return 0
        shell.feed_lines(stdin)
        return 1 if shell.errors else 0
    finally:
        conn.close()


# --------------------------------------------------------------------------- the shell


@dataclass
class Shell:
    """Statement and meta-command handling, shared by the terminal UI and piped input."""

    conn: Any  # a lakebox DB-API connection
    out: TextIO
    timing: bool = False
    errors: int = 0
    names: CatalogNames = field(init=False)
    quit: bool = False

    def __post_init__(self) -> None:
        self.names = CatalogNames(self.conn)

    @property
    def dialect(self) -> str:
        return self.conn.dialect

    def feed_lines(self, lines: Iterable[str]) -> None:
        """Run piped input: statements run as soon as they are terminated by ';'."""
        buffer = ""
        for line in lines:
            if not buffer.strip() and line.lstrip().startswith("\\"):
                self.meta(line.strip())
            else:
                buffer += line
                if is_complete(buffer, self.dialect):
                    self.run(buffer)
                    buffer = ""
            if self.quit:
                return
        if buffer.strip():
            self.run(buffer)  # a last statement without ';' still runs, as in psql

    def handle(self, text: str) -> None:
        """Run one submission of the terminal UI: a backslash command or SQL statements."""
        if text.strip().startswith("\\"):
            self.meta(text.strip())
        elif text.strip():
            self.run(text)

    def run(self, text: str) -> None:
        """Run every statement of `text`; a failing one is reported and the next still runs."""
        try:
            statements = iter_statements(text, self.dialect)
        except Error as exc:
            self.error(one_line(exc))
            return
        for statement in statements:
            started = time.perf_counter()
            try:
                self._execute(statement.text)
            except (Error, OSError) as exc:
                self.error(one_line(exc))
            except KeyboardInterrupt:
                self.error("cancelled")
                return
            except Exception as exc:  # an engine bug: report it, but keep the session alive
                self.error(f"internal error: {type(exc).__name__}: {one_line(exc)}")
            if self.timing:
                self.out.write(f"Time: {(time.perf_counter() - started) * 1000:.3f} ms\n")
            self.out.write("\n")
            if _first_word(statement.text) in _DDL_WORDS:
                self.names.invalidate()

    def _execute(self, sql: str) -> None:
        run_and_print(self.conn, sql, "table", self.out, REPL_MAX_ROWS)

    def error(self, message: str) -> None:
        self.errors += 1
        self.out.flush()
        sys.stderr.write(f"error: {message}\n")
        sys.stderr.flush()

    # ----------------------------------------------------------------------- meta commands

    def meta(self, line: str) -> None:
        command, _, argument = line.partition(" ")
        argument = argument.strip().rstrip(";").strip()
        action = _META.get(command)
        if action is None:
            self.error(f"unknown command {command}; \\? lists the commands")
            return
        try:
            action(self, argument)
        except (Error, OSError) as exc:
            self.error(one_line(exc))

    def _help(self, _argument: str) -> None:
        self.out.write(HELP)

    def _quit(self, _argument: str) -> None:
        self.quit = True

    def _timing(self, argument: str) -> None:
        if argument.lower() in ("on", "off"):
            self.timing = argument.lower() == "on"
        elif argument:
            self.error("\\timing takes on or off")
            return
        else:
            self.timing = not self.timing
        self.out.write(f"Timing is {'on' if self.timing else 'off'}.\n")

    def _dialect(self, argument: str) -> None:
        if argument:
            if argument.lower() not in DIALECTS:
                self.error(f"unknown dialect {argument!r}; expected one of {', '.join(DIALECTS)}")
                return
            self.conn.dialect = argument.lower()
        self.out.write(f"Dialect is {self.dialect}.\n")

    def _list_tables(self, argument: str) -> None:
        catalog = self.conn.catalog
        databases = [argument.lower()] if argument else sorted(db.name for db in catalog.get_databases())
        rows = [
            (table.database_name, table.name, _kind(table))
            for database in databases
            for table in sorted(catalog.get_tables(database), key=lambda t: t.name)
        ]
        self._print_rows(["database", "table", "type"], rows)

    def _describe(self, argument: str) -> None:
        if not argument:
            self._list_tables("")
            return
        table = self._find_table(argument)
        self.out.write(f"{_kind(table).capitalize()} {table.database_name}.{table.name}\n")
        columns = table.storage_descriptor.columns + table.partition_keys
        partition_keys = {column.name for column in table.partition_keys}
        rows = [(c.name, c.type, "yes" if c.name in partition_keys else "", c.comment or "") for c in columns]
        names = ["column", "type", "partition key", "comment"]
        # Leave out all-blank columns: they are noise.
        keep = [i for i, name in enumerate(names) if name == "column" or any(row[i] for row in rows)]
        names, rows = [names[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]
        self._print_rows(names, rows, footer=False)
        for label, value in _table_details(table):
            self.out.write(f"{label + ':':<12}{value}\n")
        self.out.write("\n")

    def _find_table(self, name: str):
        catalog = self.conn.catalog
        database, _, table = name.lower().replace('"', "").replace("`", "").rpartition(".")
        if database:
            return catalog.get_table(database, table)
        matches = [
            found
            for db in sorted(d.name for d in catalog.get_databases())
            for found in catalog.get_tables(db)
            if found.name == table
        ]
        if not matches:
            raise ProgrammingError(f"no table or view named {name!r}")
        if len(matches) > 1:
            where = ", ".join(f"{t.database_name}.{t.name}" for t in matches)
            raise ProgrammingError(f"{name!r} is ambiguous: {where}")
        return matches[0]

    def _print_rows(self, names: list[str], rows: list[tuple], footer: bool = True) -> None:
        columns = list(zip(*rows)) if rows else [() for _ in names]
        table = pa.table([pa.array(list(values), pa.string()) for values in columns], names=names)
        self.out.write(format_table(table, footer=footer))
        if footer:
            self.out.write("\n")


_META = {
    "\\?": Shell._help,
    "\\h": Shell._help,
    "\\help": Shell._help,
    "\\q": Shell._quit,
    "\\quit": Shell._quit,
    "\\timing": Shell._timing,
    "\\dialect": Shell._dialect,
    "\\dt": Shell._list_tables,
    "\\d": Shell._describe,
}


def _first_word(sql: str) -> str:
    match = re.match(r"\s*(\w+)", sql)
    return match.group(1).lower() if match else ""


def _kind(table) -> str:
    kinds = {"EXTERNAL_TABLE": "external table", "VIRTUAL_VIEW": "view", "MANAGED_TABLE": "managed table"}
    return kinds.get(table.table_type, (table.table_type or "table").lower())


def _table_details(table) -> Iterator[tuple[str, str]]:
    descriptor = table.storage_descriptor
    if table.table_type == "VIRTUAL_VIEW":
        yield "View SQL", " ".join((table.view_original_text or "").split())
        return
    if descriptor.location:
        yield "Location", descriptor.location
    if descriptor.input_format or descriptor.serde_info.serialization_library:
        yield "Format", _format_name(descriptor)
    delimiter = descriptor.serde_info.parameters.get("field.delim")
    if delimiter:
        yield "Delimiter", repr(delimiter)
    properties = ", ".join(f"{key}={value}" for key, value in sorted(table.parameters.items()))
    if properties:
        yield "Properties", properties


def _format_name(descriptor) -> str:
    """A short name for the storage format, from the SerDe and input format Glue records."""
    described = f"{descriptor.serde_info.serialization_library or ''} {descriptor.input_format or ''}".lower()
    for needle, name in (
        ("parquet", "parquet"),
        ("orc", "orc"),
        ("opencsv", "csv (OpenCSVSerde)"),
        ("json", "json"),
        ("avro", "avro"),
        ("lazysimple", "text (delimited)"),
        ("textinputformat", "text"),
    ):
        if needle in described:
            return name
    return described.strip() or "unknown"


# --------------------------------------------------------------------------- completion


class CatalogNames:
    """Database, table and column names for completion, reloaded lazily after DDL."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self._tables: dict[str, dict[str, list[str]]] | None = None  # db -> table -> columns

    def invalidate(self) -> None:
        self._tables = None

    @property
    def tables(self) -> dict[str, dict[str, list[str]]]:
        if self._tables is None:
            self._tables = self._load()
        return self._tables

    def _load(self) -> dict[str, dict[str, list[str]]]:
        loaded: dict[str, dict[str, list[str]]] = {}
        try:
            catalog = self.conn.catalog
            for database in catalog.get_databases():
                loaded[database.name] = {
                    table.name: [c.name for c in table.storage_descriptor.columns + table.partition_keys]
                    for table in catalog.get_tables(database.name)
                }
        except (Error, OSError):
            pass  # completion is a convenience: never let it break the prompt
        return loaded


# Common functions of both dialects; sqlglot's function table spans every dialect it knows,
# which would make completion suggest functions Athena and Redshift do not have.
FUNCTIONS = """
abs approx_distinct approx_percentile array_agg array_join arbitrary avg bool_and bool_or cardinality
cast ceil coalesce concat contains count current_date current_timestamp date date_add date_diff
date_format date_parse date_trunc dateadd datediff day element_at extract filter first_value
floor format_datetime from_iso8601_timestamp from_unixtime getdate greatest hour if json_extract
json_extract_path_text json_extract_scalar json_parse lag last_value lead least length listagg
lower lpad ltrim map max median min minute month now nullif nvl nvl2 percentile_cont rank
regexp_extract regexp_like regexp_replace regexp_substr replace round row_number rpad rtrim
split split_part sqrt stddev strpos substr substring sum sysdate to_char to_date to_timestamp
transform trim trunc try try_cast unnest upper variance year
""".split()

# DDL words of Athena and Redshift that sqlglot's tokenizers do not list as keywords.
EXTRA_KEYWORDS = """
EXTERNAL TBLPROPERTIES LOCATION PARTITIONED STORED SERDE SERDEPROPERTIES MSCK REPAIR PARQUET
TEXTFILE ORC DELIMITED FIELDS TERMINATED DISTKEY SORTKEY DISTSTYLE ENCODE IAM_ROLE UNLOAD COPY
PARTITIONS
""".split()


@functools.lru_cache(maxsize=None)
def keywords_for(dialect: str) -> list[str]:
    from sqlglot.dialects.dialect import Dialect

    words = Dialect.get_or_raise(dialect).tokenizer_class.KEYWORDS
    found = {word for word in words if re.fullmatch(r"[A-Z_]+( [A-Z_]+)*", word)}
    return sorted(found | set(EXTRA_KEYWORDS))


def make_completer(shell: Shell):
    """A prompt_toolkit Completer over keywords, functions and the shell's catalog names."""
    from prompt_toolkit.completion import Completer, Completion

    word_pattern = re.compile(r"[\w.]+")

    class SqlCompleter(Completer):
        def get_completions(self, document, complete_event):
            word = document.get_word_before_cursor(pattern=word_pattern)
            for text, meta in candidates(shell, word):
                partial = word.rpartition(".")[2]
                yield Completion(text, start_position=-len(partial), display_meta=meta)

    return SqlCompleter()


def candidates(shell: Shell, word: str) -> list[tuple[str, str]]:
    """Completions for `word` (the text before the cursor): (text, kind) pairs."""
    tables = shell.names.tables
    qualifier, dot, partial = word.lower().rpartition(".")
    if dot:
        return [(name, kind) for name, kind in _qualified(tables, qualifier) if name.startswith(partial)]
    if not partial:
        return []
    found: list[tuple[str, str]] = []
    found += [(db, "database") for db in sorted(tables) if db.startswith(partial)]
    table_names = sorted({t for db in tables.values() for t in db})
    found += [(t, "table") for t in table_names if t.startswith(partial)]
    column_names = sorted({c for db in tables.values() for cols in db.values() for c in cols})
    found += [(c, "column") for c in column_names if c.startswith(partial)]
    upper = not word.islower()  # keep the user's case: 'sel' -> 'select', 'SEL' -> 'SELECT'
    keywords = [k for k in keywords_for(shell.dialect) if k.lower().startswith(partial)]
    found += [(k if upper else k.lower(), "keyword") for k in keywords]
    found += [(f, "function") for f in FUNCTIONS if f.startswith(partial)]
    return found


def _qualified(tables: dict[str, dict[str, list[str]]], qualifier: str) -> list[tuple[str, str]]:
    # 'db.' -> its tables; 'table.' or 'db.table.' -> the table's columns.
    parts = qualifier.split(".")
    if len(parts) == 1 and parts[0] in tables:
        return [(name, "table") for name in sorted(tables[parts[0]])]
    table = parts[-1]
    databases = [tables[parts[-2]]] if len(parts) >= 2 and parts[-2] in tables else tables.values()
    columns = [col for db in databases for col in db.get(table, [])]
    return [(col, "column") for col in dict.fromkeys(columns)]


# --------------------------------------------------------------------------- terminal UI


def _interactive_loop(shell: Shell, home: Path, input=None, output=None) -> None:
    """The prompt_toolkit UI; `input`/`output` default to the terminal (tests pass pipes)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.lexers import PygmentsLexer
    from pygments.lexers.sql import SqlLexer

    session: PromptSession = PromptSession(
        history=FileHistory(str(home / ".repl_history")),
        lexer=PygmentsLexer(SqlLexer),
        completer=make_completer(shell),
        multiline=True,
        key_bindings=_key_bindings(shell),
        prompt_continuation=lambda width, line_number, wrap_count: "...> ".rjust(width),
        input=input,
        output=output,
    )
    shell.out.write(f"lakebox ({shell.dialect}) in {home}. Statements end with ';'. \\? for help, \\q to quit.\n")
    while not shell.quit:
        try:
            text = session.prompt(f"{shell.dialect}> ")
        except KeyboardInterrupt:
            continue  # Ctrl-C discards the line being edited
        except EOFError:
            break
        shell.handle(text)


def _key_bindings(shell: Shell):
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event) -> None:
        # Run the buffer when it is a complete statement, a backslash command or blank;
        # otherwise Enter continues the statement on a new line.
        buffer = event.current_buffer
        text = buffer.text.strip()
        if not text or text.startswith("\\") or is_complete(buffer.text, shell.dialect):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    @bindings.add("escape", "enter")
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")  # Alt-Enter: a new line even after ';'

    return bindings
