"""Rendering Arrow tables as aligned text, CSV and JSON Lines."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lakebox.cli.formatting import format_table, write_csv, write_json_lines, write_result


def _csv(table: pa.Table) -> str:
    out = io.StringIO(newline="")
    write_csv(table, out)
    return out.getvalue()


def _json_lines(table: pa.Table) -> list[str]:
    out = io.StringIO()
    write_json_lines(table, out)
    return out.getvalue().splitlines()


SAMPLE = pa.table(
    {
        "id": pa.array([1, 22, None], pa.int64()),
        "name": ["ann", "bob, jr", None],
        "price": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("-30.25")], pa.decimal128(10, 2)),
    }
)


# --------------------------------------------------------------------------- table


def test_table_aligns_numbers_right_and_text_left_with_a_psql_footer():
    assert format_table(SAMPLE) == (
        "  id  |  name   | price\n"
        "------+---------+--------\n"
        "    1 | ann     |   1.50\n"
        "   22 | bob, jr |   NULL\n"
        " NULL | NULL    | -30.25\n"
        "(3 rows)\n"
    )


def test_table_footer_counts_one_row_and_zero_rows():
    assert format_table(SAMPLE.slice(0, 1)).endswith("(1 row)\n")
    assert format_table(SAMPLE.slice(0, 0)) == " id | name | price\n----+------+-------\n(0 rows)\n"


def test_table_cap_is_announced_in_the_footer():
    text = format_table(SAMPLE, max_rows=2)
    assert "NULL | NULL" not in text
    assert text.endswith("(3 rows, first 2 shown)\n")
    assert format_table(SAMPLE, max_rows=0).endswith("(3 rows)\n")  # 0 means no cap


def test_table_escapes_tabs():
    table = pa.table({"text": ["a\tb\rc"]})
    assert format_table(table).splitlines()[2] == " a\\tb\\rc"


def test_table_values_with_newlines_span_lines_like_psql():
    table = pa.table({"n": [1, 2], "sql": ["CREATE TABLE t (\n  a int)", "x"], "z": ["p\nq\nr", "s"]})
    assert format_table(table) == (
        " n |       sql        | z\n"
        "---+------------------+---\n"
        " 1 | CREATE TABLE t (+| p+\n"
        "   |   a int)         | q+\n"
        "   |                  | r\n"
        " 2 | x                | s\n"
        "(2 rows)\n"
    )


def test_table_without_columns():
    assert format_table(pa.table({})) == "(0 rows)\n"


def test_values_render_like_athena():
    table = pa.table(
        {
            "ts": pa.array(
                [datetime.datetime(2024, 1, 2, 3, 4, 5, 120000), datetime.datetime(2024, 1, 2)], pa.timestamp("us")
            ),
            "d": pa.array([datetime.date(2024, 1, 2), None]),
            "f": [float("nan"), float("-inf")],
            "b": [True, False],
            "tags": [[1, 2], []],
            "m": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int64())),
            "s": [{"x": 1, "y": "z"}, None],
            "bin": [b"ab", None],
        }
    )
    rows = [line.split(" | ") for line in format_table(table).splitlines()[2:4]]
    assert [cell.strip() for cell in rows[0]] == [
        "2024-01-02 03:04:05.12", "2024-01-02", "NaN", "true", "[1, 2]", "{k=1}", "{x=1, y=z}", "61 62"
    ]
    assert [cell.strip() for cell in rows[1]] == [
        "2024-01-02 00:00:00", "NULL", "-Infinity", "false", "[]", "{}", "NULL", "NULL"
    ]


def test_dictionary_columns_render_their_values():
    table = pa.table({"c": pa.array(["x", "y", "x"]).dictionary_encode()})
    assert format_table(table).splitlines()[2:5] == [" x", " y", " x"]


# --------------------------------------------------------------------------- csv


def test_csv_is_rfc4180_with_header_and_empty_nulls():
    table = pa.table({"a": [1, None], "b": ['say "hi", then\nleave', ""]})
    assert _csv(table) == 'a,b\r\n1,"say ""hi"", then\nleave"\r\n,\r\n'


@given(st.lists(st.tuples(st.integers(-(2**63), 2**63 - 1), st.text()), max_size=20))
def test_csv_round_trips_through_the_csv_module(rows):
    numbers = pa.array([r[0] for r in rows], pa.int64())
    table = pa.table({"n": numbers, "s": pa.array([r[1] for r in rows], pa.string())})
    parsed = list(csv.reader(io.StringIO(_csv(table), newline="")))
    assert parsed[0] == ["n", "s"]
    assert parsed[1:] == [[str(n), s] for n, s in rows]


# --------------------------------------------------------------------------- json lines


def test_json_lines_types():
    table = pa.table(
        {
            "n": pa.array([1, None], pa.int64()),
            "price": pa.array([decimal.Decimal("12345678901234.50"), None], pa.decimal128(16, 2)),
            "f": [0.5, float("nan")],
            "d": pa.array([datetime.date(2024, 3, 1), None]),
            "ts": pa.array([datetime.datetime(2024, 3, 1, 8, 30), None], pa.timestamp("ms")),
            "ok": [True, None],
            "tags": [["a", "b"], None],
            "s": [{"x": decimal.Decimal("1.5")}, None],
        }
    )
    lines = _json_lines(table)
    first = json.loads(lines[0], parse_float=decimal.Decimal)
    assert first == {
        "n": 1,
        "price": decimal.Decimal("12345678901234.50"),  # exact, not a rounded float
        "f": decimal.Decimal("0.5"),
        "d": "2024-03-01",
        "ts": "2024-03-01 08:30:00",
        "ok": True,
        "tags": ["a", "b"],
        "s": {"x": decimal.Decimal("1.5")},
    }
    assert json.loads(lines[1]) == {
        "n": None, "price": None, "f": "NaN", "d": None, "ts": None, "ok": None, "tags": None, "s": None
    }


def test_json_lines_keep_duplicate_column_names():
    table = pa.table([pa.array([1]), pa.array([2])], names=["a", "a"])
    assert _json_lines(table) == ['{"a": 1, "a": 2}']


@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_json_strings_round_trip(values):
    table = pa.table({"s": pa.array(values, pa.string())})
    lines = _json_lines(table)  # splitlines() also splits on U+2028 and friends: none may be raw
    assert [json.loads(line)["s"] for line in lines] == values


def test_write_result_rejects_unknown_formats():
    with pytest.raises(ValueError):
        write_result(SAMPLE, "xml", io.StringIO())


def test_large_results_render_column_at_a_time():
    # 200k rows through all three formats: per-column Arrow work keeps this well under a second
    # or two; a per-row Python formatter would be many times slower.
    n = 200_000
    table = pa.table({"i": pa.array(range(n), pa.int64()), "s": pa.array([f"v{i}" for i in range(n)])})
    for fmt in ("table", "csv", "json"):
        out = io.StringIO()
        write_result(table, fmt, out, max_rows=0)
        assert out.getvalue().count("\n") >= n
