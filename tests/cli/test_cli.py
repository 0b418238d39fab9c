"""End-to-end: the `lakebox` command in a subprocess, against the real engine."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

LAKEBOX = [sys.executable, "-m", "lakebox.cli.main"]


def lakebox(*args: str, home: Path | None = None, stdin: str | None = None, timeout: int = 120):
    command = [*LAKEBOX, *args]
    if home is not None:
        command[len(LAKEBOX) + 1 : len(LAKEBOX) + 1] = ["--home", str(home)]  # after the subcommand
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(result) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    result = lakebox("demo", home=home)
    assert result.returncode == 0, result.stderr
    return home


# --------------------------------------------------------------------------- sql


def test_sql_table_format(home):
    result = lakebox("sql", "-e", "SELECT 1 AS n, 'x' AS s", home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == " n | s\n---+---\n 1 | x\n(1 row)\n"


def test_sql_repeated_execute_runs_each_in_order(home):
    result = lakebox("sql", "--format", "csv", "-e", "CREATE DATABASE IF NOT EXISTS cli_repeat",
                     "-e", "CREATE OR REPLACE VIEW cli_repeat.v AS SELECT 7 AS n", "-e", "SELECT n FROM cli_repeat.v",
                     home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["n", "7"]


def test_sql_csv_format(home):
    query = "SELECT * FROM (VALUES (1, 'a,b'), (2, NULL)) AS t(n, s) ORDER BY n"
    result = subprocess.run(
        [*LAKEBOX, "sql", "--home", str(home), "--format", "csv", "-e", query], capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b'n,s\r\n1,"a,b"\r\n2,\r\n'


def test_sql_json_format(home):
    query = "SELECT n, CAST(n AS decimal(10,2)) / 4 AS q, DATE '2024-03-01' AS d FROM (VALUES 1, 2) AS t(n) ORDER BY n"
    result = lakebox("sql", "--format", "json", "-e", query, home=home)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["n"] for row in rows] == [1, 2]
    assert all(row["d"] == "2024-03-01" for row in rows)
    assert [float(row["q"]) for row in rows] == [0.25, 0.5]


def test_sql_file_runs_every_statement_in_order(home, tmp_path):
    script = tmp_path / "script.sql"
    script.write_text(
        "-- set up; then query\n"
        "CREATE DATABASE IF NOT EXISTS cli_db;\n"
        "CREATE OR REPLACE VIEW cli_db.v AS SELECT 'a;b' AS s, 1 AS n;\n"
        "SELECT s FROM cli_db.v;\n"
        "SELECT n + 1 AS m FROM cli_db.v\n"
    )
    result = lakebox("sql", "-f", str(script), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("OK") == 2
    assert " a;b\n(1 row)" in result.stdout
    assert " 2\n(1 row)" in result.stdout
    # The view is in the home's catalog: a later command sees it.
    again = lakebox("sql", "--format", "csv", "-e", "SELECT s FROM cli_db.v", home=home)
    assert again.stdout.splitlines() == ["s", "a;b"]


def test_sql_reads_a_script_from_stdin(home):
    result = lakebox("sql", "--format", "csv", "-f", "-", home=home, stdin="SELECT 1 AS a; SELECT 2 AS b;")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["a", "1", "", "b", "2"]


def test_sql_csv_output_of_a_script_is_pure_data(home):
    # Statements without a result print nothing in csv/json, not even a separating blank line.
    script = "CREATE DATABASE IF NOT EXISTS csv_db; SELECT 1 AS a"
    result = lakebox("sql", "--format", "csv", "-e", script, home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["a", "1"]


def test_sql_redshift_dialect(home):
    query = "SELECT NVL(NULL, 7)::INT AS v"
    result = lakebox("sql", "--dialect", "redshift", "--format", "csv", "-e", query, home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["v", "7"]


def test_sql_error_is_one_line_and_exit_code_1(home):
    line = assert_one_line_error(lakebox("sql", "-e", "SELECT * FROM no_such_table_here", home=home))
    assert "no_such_table_here" in line


def test_sql_syntax_error_is_one_line(home):
    assert_one_line_error(lakebox("sql", "-e", "SELEC 1", home=home))


def test_sql_error_in_a_script_names_where_and_stops(home):
    result = lakebox("sql", "-e", "SELECT 1 AS ok;\nSELECT * FROM missing_table_x;\nSELECT 3 AS never", home=home)
    line = assert_one_line_error(result)
    assert "line 2" in line
    assert " ok" in result.stdout and "never" not in result.stdout


def test_sql_unterminated_string_is_reported_before_running_anything(home):
    line = assert_one_line_error(lakebox("sql", "-e", "SELECT 1;\nSELECT 'oops", home=home))
    assert line.startswith("error: line 2:8: unterminated")


def test_missing_file_is_an_error(home, tmp_path):
    line = assert_one_line_error(lakebox("sql", "-f", str(tmp_path / "nope.sql"), home=home))
    assert "nope.sql" in line


def test_usage_errors_exit_2(home):
    assert lakebox("sql", home=home).returncode == 2
    assert lakebox("sql", "-e", "SELECT 1", "--format", "xml", home=home).returncode == 2
    assert subprocess.run([*LAKEBOX], capture_output=True).returncode == 2


def test_home_defaults_to_the_environment(tmp_path):
    env_home = tmp_path / "from-env"
    env = {"LAKEBOX_HOME": str(env_home), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    command = [*LAKEBOX, "sql", "-e", "CREATE DATABASE IF NOT EXISTS env_db"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert env_home.is_dir()


# --------------------------------------------------------------------------- demo


def test_demo_twice_in_the_same_home(home):
    first = lakebox("demo", home=home)
    assert first.returncode == 0, first.stderr
    second = lakebox("demo", home=home)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout  # deterministic, and nothing piles up
    out = second.stdout
    assert "(5 rows)" in out  # SHOW PARTITIONS and the view: one row per day
    assert "dt=2024-03-01" in out
    assert "(2 rows)" in out  # the partition-pruned aggregate
    assert "What to try next" in out and str(home) in out
    assert (home / "s3" / "demo-lake" / "sales" / "dt=2024-03-01" / "part-00000.parquet").is_file()


def test_demo_data_is_queryable_afterwards(demo_home):
    result = lakebox("sql", "--format", "csv", "-e", "SELECT count(*) AS n FROM demo.sales", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "400"]
    products = lakebox("sql", "--format", "csv", "-e", "SELECT count(*) AS n FROM demo.products", home=demo_home)
    assert products.stdout.splitlines() == ["n", "10"]  # the header line is skipped


def test_demo_with_an_explicit_data_dir(tmp_path):
    result = lakebox("demo", "--dir", str(tmp_path / "data"), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "products" / "products.csv").is_file()
    assert "(5 rows)" in result.stdout


# --------------------------------------------------------------------------- repl


def test_repl_reads_statements_and_meta_commands_from_stdin(demo_home):
    script = "\n".join(
        [
            "\\?",
            "SELECT 1 AS one,",
            "       'a;b' AS two;",
            "\\timing",
            "SELECT 2 AS three;",
            "\\timing off",
            "\\dt demo",
            "\\d demo.sales",
            "\\d daily_revenue",
            "\\dialect redshift",
            "SELECT NVL(NULL, 'r') AS nvl_works;",
            "\\dialect",
            "\\q",
            "SELECT 'not run' AS after_quit;",
        ]
    )
    result = lakebox("repl", home=demo_home, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\\dt [db]" in out  # the help
    assert " 1 | a;b" in out
    assert "Time: " in out and out.count("Time: ") == 1
    assert "sales" in out and "products" in out and "daily_revenue" in out
    assert "partition key" in out and "dt" in out and "s3://demo-lake/sales/" in out and "parquet" in out
    assert "View SQL" in out
    assert "Dialect is redshift." in out and "nvl_works" in out and " r\n" in out
    assert "after_quit" not in out


def test_repl_errors_print_and_the_loop_continues(home):
    result = lakebox("repl", home=home, stdin="SELEC 1;\n\\nope\nSELECT 2 AS two;\nSELECT 3 AS three\n")
    assert result.returncode == 1  # piped input with errors: scripts can tell
    assert "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and all(line.startswith("error: ") for line in errors)
    assert "two" in result.stdout and "three" in result.stdout  # the last one needs no ';'


def test_repl_without_errors_exits_0(home):
    result = lakebox("repl", home=home, stdin="SELECT 1 AS a;\n")
    assert result.returncode == 0, result.stderr
    assert " a\n---\n 1\n(1 row)" in result.stdout


def test_repl_completion_sees_new_tables(home):
    # The completer itself, driven in-process through the shell that the repl uses.
    import lakebox
    from lakebox.cli.repl import Shell, candidates

    conn = lakebox.connect(home=home, dialect="athena")
    try:
        shell = Shell(conn, io.StringIO())
        assert ("SELECT", "keyword") in candidates(shell, "SEL")
        assert ("select", "keyword") in candidates(shell, "sel")
        shell.run("CREATE DATABASE IF NOT EXISTS compl;")
        shell.run("CREATE OR REPLACE VIEW compl.things AS SELECT 1 AS thing_id;")
        assert ("compl", "database") in candidates(shell, "comp")
        assert ("things", "table") in candidates(shell, "compl.th")
        assert ("thing_id", "column") in candidates(shell, "things.thi")
        assert ("thing_id", "column") in candidates(shell, "thi")
    finally:
        conn.close()


def test_repl_terminal_ui_runs_multi_line_statements_and_keeps_history(home):
    # Drive the prompt_toolkit session in-process through a pipe instead of a terminal.
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    import lakebox
    from lakebox.cli.repl import Shell, _interactive_loop

    conn = lakebox.connect(home=home, dialect="athena")
    out = io.StringIO()
    try:
        with create_pipe_input() as keys:
            # Enter after an unfinished statement continues it on a new line; after ';' it runs.
            keys.send_text("SELECT 41 + 1\r AS answer;\r\\timing\r\\q\r")
            _interactive_loop(Shell(conn, out), home, input=keys, output=DummyOutput())
    finally:
        conn.close()
    assert " answer\n--------\n     42\n(1 row)" in out.getvalue()
    assert "Timing is on." in out.getvalue()
    history = (home / ".repl_history").read_text()
    assert "+SELECT 41 + 1\n+ AS answer;\n" in history  # prompt_toolkit's FileHistory format
    assert "+\\timing\n" in history
