"""Arrow -> PostgreSQL types, and the whole-column text/binary encoders, checked value by value."""

from __future__ import annotations

import datetime as dt
import decimal
import struct

import numpy as np
import pyarrow as pa
import pytest

from lakebox.server import messages as m
from lakebox.server import types as t


def wire_values(arr: pa.Array, fmt: int) -> list[bytes | None]:
    enc = t.encode_binary(arr) if fmt else t.encode_text(arr)
    out = []
    for i, length in enumerate(enc.lengths):
        if length < 0:
            out.append(None)
        elif enc.fixed is not None:
            out.append(enc.fixed[i].tobytes())
        else:
            out.append(enc.data[enc.offsets[i]:enc.offsets[i + 1]].tobytes())
    return out


@pytest.mark.parametrize("arr, oid, text", [
    (pa.array([1, None, -3], pa.int64()), 20, [b"1", None, b"-3"]),
    (pa.array([1, 2], pa.int32()), 23, [b"1", b"2"]),
    (pa.array([7], pa.int16()), 21, [b"7"]),
    (pa.array([True, False, None]), 16, [b"t", b"f", None]),
    (pa.array([1.5, float("inf"), float("-inf"), float("nan"), 1e20]), 701,
     [b"1.5", b"Infinity", b"-Infinity", b"NaN", b"1e+20"]),
    (pa.array([decimal.Decimal("-1.50"), decimal.Decimal("0.05")], pa.decimal128(10, 2)), 1700, [b"-1.50", b"0.05"]),
    (pa.array(["a", "é", ""]), 25, [b"a", "é".encode(), b""]),
    (pa.array([b"\x00\xff", b""]), 17, [b"\\x00ff", b"\\x"]),
    (pa.array([dt.date(2024, 2, 29)]), 1082, [b"2024-02-29"]),
    (pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 500000), dt.datetime(2024, 1, 2)]), 1114,
     [b"2024-01-02 03:04:05.5", b"2024-01-02 00:00:00"]),
    (pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 120000)], pa.timestamp("us", tz="UTC")), 1184,
     [b"2024-01-02 03:04:05.12+00"]),
    (pa.array([dt.time(12, 30, 0, 250000)]), 1083, [b"12:30:00.25"]),
    (pa.array([pa.MonthDayNano([14, 3, 3_600_000_000_000])], pa.month_day_nano_interval()), 1186,
     [b"1 year 2 mons 3 days 01:00:00"]),
    (pa.array([[1, 2, None], []], pa.list_(pa.int32())), 1007, [b"{1,2,NULL}", b"{}"]),
    (pa.array([["a b", "", "x,y", 'q"']], pa.list_(pa.string())), 1009, [b'{"a b","","x,y","q\\""}']),
    (pa.array([{"k": 1}], pa.struct([("k", pa.int64())])), 114, [b'{"k": 1}']),
])
def test_text_format(arr, oid, text):
    assert t.pg_type_of(arr.type)[0] == oid
    assert wire_values(arr, 0) == text


def test_binary_format_fixed_width_types():
    assert wire_values(pa.array([1, None], pa.int64()), 1) == [struct.pack("!q", 1), None]
    assert wire_values(pa.array([-2], pa.int32()), 1) == [struct.pack("!i", -2)]
    assert wire_values(pa.array([3], pa.int16()), 1) == [struct.pack("!h", 3)]
    assert wire_values(pa.array([0.5]), 1) == [struct.pack("!d", 0.5)]
    assert wire_values(pa.array([0.5], pa.float32()), 1) == [struct.pack("!f", 0.5)]
    assert wire_values(pa.array([True, False]), 1) == [b"\x01", b"\x00"]
    assert wire_values(pa.array([dt.date(2000, 1, 2)]), 1) == [struct.pack("!i", 1)]
    assert wire_values(pa.array([dt.datetime(2000, 1, 1, 0, 0, 1)]), 1) == [struct.pack("!q", 1_000_000)]
    assert wire_values(pa.array([pa.MonthDayNano([1, 2, 3000])], pa.month_day_nano_interval()), 1) == \
        [struct.pack("!qii", 3, 2, 1)]
    assert wire_values(pa.array(["x"]), 1) == [b"x"]


@pytest.mark.parametrize("value, expected", [
    ("12345.678", struct.pack("!hhHhHHH", 3, 1, 0, 3, 1, 2345, 6780)),
    ("-0.0012", struct.pack("!hhHhH", 1, -1, 0x4000, 4, 12)),
    ("0", struct.pack("!hhHh", 0, 0, 0, 0)),
    ("100000", struct.pack("!hhHhH", 1, 1, 0, 0, 10)),
    ("NaN", struct.pack("!hhHh", 0, 0, 0xC000, 0)),
])
def test_numeric_binary_layout(value, expected):
    assert t.numeric_binary(decimal.Decimal(value)) == expected
    if value != "NaN":
        assert t._numeric_from_binary(expected) == decimal.Decimal(value)


def test_int_array_binary_layout():
    assert t.array_binary([1, None], pa.list_(pa.int32())) == (
        struct.pack("!iiI", 1, 1, 23) + struct.pack("!ii", 2, 1) + struct.pack("!i", 4) + struct.pack("!i", 1)
        + b"\xff\xff\xff\xff")


def test_data_rows_match_the_value_by_value_reference():
    table = pa.table({
        "i": pa.array([1, None, 3]), "s": ["x", None, "héllo"], "b": [True, False, None],
        "f": [1.5, None, 2.0], "d": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("-3.00")],
                                             pa.decimal128(10, 2)),
    })
    for formats in (None, [1]):
        expected = b""
        for row in range(table.num_rows):
            values = []
            for column in table.columns:
                values.append(wire_values(column.combine_chunks().slice(row, 1), 1 if formats else 0)[0])
            expected += m.data_row(values)
        assert bytes(t.encode_batch(table, formats)) == expected


def test_large_batches_assemble_consistently():
    n = 70_000
    table = pa.table({"id": np.arange(n), "name": pa.array([f"n{i}" for i in range(n)]),
                      "x": pa.array(np.linspace(0, 1, n))})
    whole = b"".join(bytes(b) for b in t.iter_data_rows(table, None, batch_rows=10_000))
    assert whole.count(b"D\x00") >= n
    assert whole == bytes(t.encode_batch(table, None))


def test_parameters_decode_from_text_and_binary():
    assert t.decode_parameter(b"42", t.INT8, 0) == 42
    assert t.decode_parameter(struct.pack("!q", -5), t.INT8, 1) == -5
    assert t.decode_parameter(struct.pack("!i", 7), t.INT4, 1) == 7
    assert t.decode_parameter(b"t", t.BOOL, 0) is True
    assert t.decode_parameter(b"2024-01-02", t.DATE, 0) == dt.date(2024, 1, 2)
    assert t.decode_parameter(struct.pack("!i", 1), t.DATE, 1) == dt.date(2000, 1, 2)
    assert t.decode_parameter(b"2024-01-02 03:04:05+00", t.TIMESTAMPTZ, 0) == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert t.decode_parameter(t.numeric_binary(decimal.Decimal("1.25")), t.NUMERIC, 1) == decimal.Decimal("1.25")
    assert t.decode_parameter(None, t.TEXT, 0) is None
    assert t.decode_parameter(b"hi", 0, 0) == "hi"
