"""Conformance: statement -> expected result, per dialect, taken from the services' documentation.

Cases live in `tests/conformance/<dialect>/<family>.yaml`:

    setup:                       # optional: statements run once per file, in order
      - CREATE TABLE t (a INT)
    cases:
      - function: date_add       # the function or statement family the case exercises
        source: https://trino.io/docs/current/functions/datetime.html
        sql: SELECT date_add('day', 1, DATE '2024-01-31')
        expect: 2024-02-01       # one value (first row, first column) ...
        type: date               # optional: the service's type name of that value
      - sql: SELECT x FROM t
        rows: [[1], [2]]         # ... or every row ...
        columns: [x]             # optional: the output column names
      - sql: DROP TABLE t        # ... or nothing: the statement must run (later cases see its effect)
      - sql: SELECT 1 / 0
        error: Division by zero  # ... or an error whose message contains this text
        raises: DataError        # optional: and the lakebox error class it must be

A file may also hold data for its statements to read (`files:`, written once under a temporary
folder that `{files}` in setup and sql statements names): text as it is, or a table to write as
Parquet or ORC, columns of YAML values:

    files:
      csv/people.csv: "1,ann\n2,bob\n"
      sales/dt=2024-01-01/part-0.parquet: {parquet: {id: [1, 2], amount: [1.5, 2.0]}}

YAML's own scalars are the expected values: `2024-02-01` is a date, `2024-02-01 10:00:00` a
timestamp, `null` is NULL; decimals compare exactly by their text, floats to 1e-9 relative.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from pathlib import Path

import pytest

import lakebox

yaml = pytest.importorskip("yaml")

HERE = Path(__file__).parent
DIALECTS = ("athena", "redshift")


def _cases():
    for dialect in DIALECTS:
        for path in sorted((HERE / dialect).glob("*.yaml")):
            document = yaml.safe_load(path.read_text()) or {}
            for index, case in enumerate(document.get("cases", [])):
                label = f"{dialect}/{path.stem}/{index}:{case.get('function', '')}"
                yield pytest.param(dialect, path, tuple(document.get("setup", [])), case, id=label)


_sessions: dict = {}
_folders: dict = {}


def _write_files(folder: Path, files: dict) -> None:
    import pyarrow as pa

    for relative, content in (files or {}).items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content)
        elif isinstance(content, dict) and set(content) <= {"parquet", "orc"} and len(content) == 1:
            (kind, columns), = content.items()
            table = pa.table({name: pa.array(values) for name, values in columns.items()})
            if kind == "parquet":
                import pyarrow.parquet as pq
                pq.write_table(table, target)
            else:
                import pyarrow.orc as orc
                orc.write_table(table, str(target))
        else:
            raise ValueError(f"files: {relative} must be text or {{parquet|orc: {{column: [values]}}}}")


def _substitute(sql: str, path: Path) -> str:
    folder = _folders.get(path)
    return sql.replace("{files}", str(folder)) if folder is not None else sql


def _connection(dialect: str, path: Path, setup: tuple, tmp_path_factory):
    key = (dialect, path)
    if key not in _sessions:
        document = yaml.safe_load(path.read_text()) or {}
        if document.get("files"):
            folder = tmp_path_factory.mktemp(f"files-{dialect}-{path.stem}")
            _write_files(folder, document["files"])
            _folders[path] = folder
        connection = lakebox.connect(tmp_path_factory.mktemp(f"conf-{dialect}"), dialect=dialect)
        cursor = connection.cursor()
        for statement in setup:
            cursor.execute(_substitute(statement, path))
        _sessions[key] = connection
    return _sessions[key]


@pytest.fixture(scope="session", autouse=True)
def _close_sessions():
    yield
    for connection in _sessions.values():
        connection.close()
    _sessions.clear()


def same(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(actual, decimal.Decimal) and not isinstance(expected, bool):
        return actual == decimal.Decimal(str(expected))
    if isinstance(actual, float) and isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if math.isnan(actual):
            return isinstance(expected, float) and math.isnan(expected)
        return math.isclose(actual, float(expected), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, str) and isinstance(actual, float):
        return str(actual) == expected or (expected in ("NaN", "Infinity", "-Infinity")
                                           and str(actual).lower() in (expected.lower(), expected.lower()[:4]))
    if isinstance(expected, dt.datetime) and isinstance(actual, dt.datetime):
        return actual.replace(tzinfo=None) == expected.replace(tzinfo=None) and (
            expected.tzinfo is None or actual.utcoffset() == expected.utcoffset())
    if isinstance(expected, list) and isinstance(actual, (list, tuple)):
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(same(actual[k], expected[k]) for k in expected)
    if isinstance(expected, dict) and isinstance(actual, list):  # Arrow maps arrive as key/value pairs
        return same(dict(actual), expected)
    return actual == expected


@pytest.mark.parametrize("dialect, path, setup, case", list(_cases()))
def test_case(dialect, path, setup, case, tmp_path_factory, conformance_tally):
    cursor = _connection(dialect, path, setup, tmp_path_factory).cursor()
    conformance_tally[dialect]["total"] += 1
    sql = _substitute(case["sql"], path)
    if "error" in case:
        with pytest.raises(lakebox.Error) as info:
            cursor.execute(sql)
            cursor.fetchall()
        assert str(case["error"]).lower() in str(info.value).lower(), str(info.value)
        if "raises" in case:
            assert type(info.value).__name__ == case["raises"], (type(info.value).__name__, str(info.value))
    elif not {"expect", "rows", "columns", "type"} & set(case):
        cursor.execute(sql)  # a statement that must run: what it did, the next cases look at
    else:
        cursor.execute(sql)
        rows = cursor.fetchall()
        if "columns" in case:
            assert [d[0] for d in cursor.description] == case["columns"]
        if "rows" in case:
            assert len(rows) == len(case["rows"]), rows
            for actual, expected in zip(rows, case["rows"]):
                assert same(list(actual), list(expected)), (actual, expected)
        else:
            assert len(rows) >= 1, "no rows"
            expected = _substitute(case["expect"], path) if isinstance(case["expect"], str) else case["expect"]
            assert same(rows[0][0], expected), (rows[0][0], expected)
        if "type" in case:
            typeof = "typeof" if dialect == "athena" else "pg_typeof"
            inner = sql.strip().rstrip(";")
            cursor.execute(f"SELECT {typeof}(v) FROM ({inner}) AS q(v)")
            assert cursor.fetchall()[0][0] == case["type"]
    conformance_tally[dialect]["passed"] += 1
