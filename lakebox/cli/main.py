"""The `lakebox` command line: `sql`, `repl`, `demo` and `crawl`.

Every failure a user can cause ends as one line `error: <message>` on stderr and exit code 1
(argparse's usage errors exit 2); tracebacks are only shown with LAKEBOX_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import lakebox
from lakebox.cli.formatting import FORMATS, write_result
from lakebox.cli.script import Statement, iter_statements
from lakebox.errors import Error, ParseError

DIALECTS = ("athena", "redshift")

#: Rows the table format shows before it stops (and says so in the footer); csv/json show all.
DEFAULT_MAX_ROWS = 1000


def default_home() -> Path:
    """`$LAKEBOX_HOME`, else `~/.lakebox`.

    One workspace per user (not per working directory) so that tables created from one folder
    are still there when the next command runs from another, like a database server would be.
    """
    env = os.environ.get("LAKEBOX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".lakebox"


def default_dialect() -> str:
    return os.environ.get("LAKEBOX_DIALECT", "athena").lower()


# --------------------------------------------------------------------------- argument parsing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lakebox",
        description="Athena and Redshift SQL on DuckDB over a Glue-shaped catalog.",
        epilog="The workspace (--home) defaults to $LAKEBOX_HOME, else ~/.lakebox.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sql = commands.add_parser("sql", help="run the statements of a SQL text and print their results")
    source = sql.add_mutually_exclusive_group(required=True)
    source.add_argument("-e", "--execute", metavar="SQL", action="append",
                        help="SQL text (one or more ';'-separated statements); repeat -e to run several in order")
    source.add_argument("-f", "--file", metavar="FILE", help="file with SQL statements ('-' reads stdin)")
    _add_workspace_options(sql)
    sql.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    sql.add_argument(
        "--max-rows",
        type=_non_negative_int,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"rows shown per result in table format (default: {DEFAULT_MAX_ROWS}; 0 = all)",
    )
    sql.set_defaults(handler=run_sql_command)

    repl = commands.add_parser("repl", help="interactive SQL shell (reads stdin when it is not a terminal)")
    _add_workspace_options(repl)
    repl.set_defaults(handler=run_repl_command)

    demo = commands.add_parser("demo", help="build a small sample lake and run Athena and Redshift queries on it")
    _add_workspace_options(demo, dialect=False)
    demo.add_argument(
        "--dir",
        metavar="D",
        help="folder for the sample data files (default: <home>/s3/demo-lake, i.e. s3://demo-lake/)",
    )
    demo.set_defaults(handler=run_demo_command)

    from lakebox.cli.crawl import add_parser as add_crawl_parser

    add_crawl_parser(commands, _add_workspace_options)

    from lakebox.server.cli import add_parser as add_serve_parser

    add_serve_parser(commands, _add_workspace_options)
    return parser


def _add_workspace_options(parser: argparse.ArgumentParser, dialect: bool = True) -> None:
    parser.add_argument("--home", metavar="H", help="workspace folder (default: $LAKEBOX_HOME, else ~/.lakebox)")
    if dialect:
        parser.add_argument(
            "--dialect",
            type=str.lower,
            choices=DIALECTS,
            default=default_dialect(),
            help="SQL dialect (default: $LAKEBOX_DIALECT, else athena)",
        )


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def home_of(args: argparse.Namespace) -> Path:
    return Path(args.home).expanduser() if args.home else default_home()


# --------------------------------------------------------------------------- commands


def run_sql_command(args: argparse.Namespace) -> int:
    text = ";\n".join(args.execute) if args.execute is not None else _read_script(args.file)
    statements = iter_statements(text, args.dialect)
    conn = connect(home_of(args), args.dialect)
    printed = False
    try:
        for index, statement in enumerate(statements):
            # A blank line between outputs (JSON Lines has no room for one).
            separator = "\n" if printed and args.format != "json" else ""
            try:
                printed |= run_and_print(conn, statement.text, args.format, sys.stdout, args.max_rows, separator)
            except Error as exc:
                raise ScriptError(exc, statement, index + 1, len(statements)) from exc
    finally:
        conn.close()
    return 0


def run_repl_command(args: argparse.Namespace) -> int:
    from lakebox.cli.repl import run_repl  # prompt_toolkit is only needed here

    return run_repl(home_of(args), args.dialect)


def run_demo_command(args: argparse.Namespace) -> int:
    from lakebox.cli.demo import run_demo

    data_dir = Path(args.dir).expanduser() if args.dir else None
    return run_demo(home_of(args), data_dir, sys.stdout)


def connect(home: Path, dialect: str) -> lakebox.dbapi.Connection:
    return lakebox.connect(home=home, dialect=dialect)


def run_and_print(conn, sql: str, fmt: str, out: TextIO, max_rows: int | None, separator: str = "") -> bool:
    """Execute one statement and print its result (or an acknowledgement) in `fmt`.

    `separator` is written first if anything is printed; returns whether anything was.
    """
    cursor = conn.cursor()
    try:
        cursor.execute(sql)
        printed = print_cursor(cursor, fmt, out, max_rows, separator)
        conn.commit()  # each statement stands on its own, as in Athena and psql's autocommit
        return printed
    finally:
        cursor.close()


def print_cursor(cursor, fmt: str, out: TextIO, max_rows: int | None, separator: str = "") -> bool:
    """Print the cursor's result set, or for statements without one a short 'OK' (table format only)."""
    if cursor.description is None:
        if fmt != "table":
            return False  # csv and json stay pure data
        count = cursor.rowcount
        noun = "row" if count == 1 else "rows"
        out.write(separator + (f"OK, {count} {noun} affected\n" if count is not None and count >= 0 else "OK\n"))
        return True
    out.write(separator)
    table = cursor.fetch_arrow_table()
    names = [column[0] for column in cursor.description]
    if len(names) == table.num_columns:
        table = table.rename_columns(names)  # description names are the user-facing ones
    write_result(table, fmt, out, max_rows=max_rows)
    return True


def _read_script(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).expanduser().read_text(encoding="utf-8-sig")  # -sig: tolerate a BOM


# --------------------------------------------------------------------------- errors


class ScriptError(Exception):
    """An engine error raised by statement `number` (1-based) of a script of `count` statements."""

    def __init__(self, error: Error, statement: Statement, number: int, count: int):
        super().__init__(str(error))
        self.error = error
        self.statement = statement
        self.number = number
        self.count = count

    def message(self) -> str:
        located = _script_position(self.error, self.statement)
        if located:
            return located
        if self.count == 1:
            return one_line(self.error)
        return f"statement {self.number} (line {self.statement.line}): {one_line(self.error)}"


def _script_position(error: Error, statement: Statement) -> str | None:
    """A ParseError's 'line L:C:' made relative to the whole script instead of the statement."""
    if not isinstance(error, ParseError) or error.line is None:
        return None
    message = one_line(error)
    prefix = f"line {error.line}:{error.column}: "
    if message.startswith(prefix):
        message = message[len(prefix) :]
    line = statement.line + error.line - 1
    column = error.column
    if error.line == 1 and column is not None:
        column += statement.column - 1  # the statement's first line starts mid-line
    return f"line {line}:{column}: {message}"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line(exc: BaseException) -> str:
    """The exception's message on one line: sqlglot's multi-line context and colours removed."""
    text = _ANSI.sub("", str(exc))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines) or type(exc).__name__


def report(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ScriptError as exc:
        report(exc.message())
    except (Error, OSError) as exc:
        if isinstance(exc, BrokenPipeError):
            return _quiet_broken_pipe()
        report(one_line(exc))
    except KeyboardInterrupt:
        report("interrupted")
    except Exception as exc:  # an engine bug: still one line, with a way to see more
        if os.environ.get("LAKEBOX_DEBUG"):
            traceback.print_exc()
        report(f"internal error: {type(exc).__name__}: {one_line(exc)} (set LAKEBOX_DEBUG=1 for a traceback)")
    return 1


def _quiet_broken_pipe() -> int:
    # The reader (e.g. `| head`) went away: stop without a second error when Python flushes
    # stdout at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
