"""Arrow -> PostgreSQL types, and the whole-column text/binary encoders, checked value by value.

Expected bytes are written by hand from PostgreSQL's formats, compared with the per-value
reference the encoders replaced (numeric), with a real PostgreSQL server where it is available
(numeric, interval, arrays, uuid: the same values selected there, raw bytes compared), and end to
end through the wire server with psycopg (text and binary) and asyncpg (binary).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import hashlib
import importlib.util
import json
import os
import struct
import subprocess
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lakebox import errors
from lakebox.server import messages as m
from lakebox.server import types as t
from wirekit import need_module

D = decimal.Decimal


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


def i32(*values: int) -> bytes:
    return struct.pack(f"!{len(values)}i", *values)


def numeric(ndigits: int, weight: int, sign: int, dscale: int, *groups: int) -> bytes:
    return struct.pack(f"!hhHh{len(groups)}H", ndigits, weight, sign, dscale, *groups)


def uuid_array(values: list[str | None]) -> pa.Array:
    raw = [None if v is None else uuid.UUID(v).bytes for v in values]
    return pa.ExtensionArray.from_storage(pa.uuid(), pa.array(raw, pa.binary(16)))


def json_array(values: list[str | None]) -> pa.Array:
    return pa.ExtensionArray.from_storage(pa.json_(), pa.array(values, pa.string()))


def uuid_lists(rows: list[list[str | None] | None]) -> pa.Array:
    raw = [None if r is None else [None if v is None else uuid.UUID(v).bytes for v in r] for r in rows]
    return pa.array(raw, pa.list_(pa.binary(16))).cast(pa.list_(pa.uuid()))  # storage -> extension


U1 = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
U2 = "00000000-0000-0000-0000-0000000000ff"
WORDS = ["a b", "", "NULL", "null", 'x"y\\z', None, "é", "{", "a,b", "tab\tx", "plain", "nUlL1"]  # array elements

# --------------------------------------------------------------------------- text format


@pytest.mark.parametrize("arr, oid, text", [
    (pa.array([1, None, -3], pa.int64()), 20, [b"1", None, b"-3"]),
    (pa.array([1, 2], pa.int32()), 23, [b"1", b"2"]),
    (pa.array([7], pa.int16()), 21, [b"7"]),
    (pa.array([2**64 - 1], pa.uint64()), 1700, [b"18446744073709551615"]),
    (pa.array([True, False, None]), 16, [b"t", b"f", None]),
    (pa.array([1.5, float("inf"), float("-inf"), float("nan"), 1e20]), 701,
     [b"1.5", b"Infinity", b"-Infinity", b"NaN", b"1e+20"]),
    (pa.array([D("-1.50"), D("0.05"), None], pa.decimal128(10, 2)), 1700, [b"-1.50", b"0.05", None]),
    # beyond 6 fraction digits Arrow would print '0E-10' and '1.2E-9'; PostgreSQL prints them plainly
    (pa.array([D(0), D("0.0000000001"), D("-0.0000000012"), D("-1234567890123456789012345678.0123456789"), None],
              pa.decimal128(38, 10)), 1700,
     [b"0.0000000000", b"0.0000000001", b"-0.0000000012", b"-1234567890123456789012345678.0123456789", None]),
    (pa.array([D("0.1234567"), D("-0.0000001")], pa.decimal128(7, 7)), 1700, [b"0.1234567", b"-0.0000001"]),
    (pa.array([D("-" + "9" * 56 + "." + "9" * 20), D("1E-20")], pa.decimal256(76, 20)), 1700,
     [b"-" + b"9" * 56 + b"." + b"9" * 20, b"0." + b"0" * 19 + b"1"]),
    (pa.array(["a", "é", ""]), 25, [b"a", "é".encode(), b""]),
    (pa.array([b"\x00\xff", b""]), 17, [b"\\x00ff", b"\\x"]),
    (pa.array([dt.date(2024, 2, 29)]), 1082, [b"2024-02-29"]),
    (pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 500000), dt.datetime(2024, 1, 2)]), 1114,
     [b"2024-01-02 03:04:05.5", b"2024-01-02 00:00:00"]),
    (pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 120000)], pa.timestamp("us", tz="UTC")), 1184,
     [b"2024-01-02 03:04:05.12+00"]),
    (pa.array([dt.time(12, 30, 0, 250000)]), 1083, [b"12:30:00.25"]),
    (uuid_array([U1, None, U2]), 2950, [U1.encode(), None, U2.encode()]),
    (json_array(['{"a": 1}', None]), 114, [b'{"a": 1}', None]),
])
def test_text_format(arr, oid, text):
    assert t.pg_type_of(arr.type)[0] == oid
    assert wire_values(arr, 0) == text


def mdn(months: int, days: int, micros: int) -> pa.MonthDayNano:
    return pa.MonthDayNano([months, days, micros * 1000])


HOUR = 3_600_000_000

# (months, days, microseconds) and PostgreSQL's text in its default IntervalStyle 'postgres'
INTERVALS = [
    ((0, 0, 0), "00:00:00"),
    ((14, 3, 4 * HOUR + 5 * 60_000_000 + 6_500_000), "1 year 2 mons 3 days 04:05:06.5"),
    ((0, 0, -1_000_000), "-00:00:01"),
    ((12, 0, 0), "1 year"),
    ((-12, 0, 0), "-1 years"),
    ((1, 0, 0), "1 mon"),
    ((-1, 0, 0), "-1 mons"),
    ((-13, 0, 0), "-1 years -1 mons"),
    ((0, 1, 0), "1 day"),
    ((0, -1, 0), "-1 days"),
    ((0, -1, 1), "-1 days +00:00:00.000001"),
    ((-12, -1, -1), "-1 years -1 days -00:00:00.000001"),
    ((1, -1, 1), "1 mon -1 days +00:00:00.000001"),
    ((-1, 2, 0), "-1 mons +2 days"),
    ((-1, 0, HOUR), "-1 mons +01:00:00"),
    ((0, 5, -1), "5 days -00:00:00.000001"),
    ((0, 0, 100 * HOUR + 1), "100:00:00.000001"),
    ((0, 0, -(100 * HOUR + 120_000)), "-100:00:00.12"),
    ((25, -40, 86_399_999_999), "2 years 1 mon -40 days +23:59:59.999999"),
]


def test_interval_text_is_postgres_intervalstyle():
    arr = pa.array([mdn(*parts) for parts, _ in INTERVALS] + [None], pa.month_day_nano_interval())
    assert t.pg_type_of(arr.type)[0] == t.INTERVAL
    assert wire_values(arr, 0) == [text.encode() for _, text in INTERVALS] + [None]


def test_duration_is_an_interval_of_microseconds_in_both_formats():
    arr = pa.array([dt.timedelta(hours=26), dt.timedelta(seconds=-1), None, dt.timedelta(0)], pa.duration("us"))
    assert wire_values(arr, 0) == [b"26:00:00", b"-00:00:01", None, b"00:00:00"]
    assert wire_values(arr, 1) == [struct.pack("!qii", 26 * HOUR, 0, 0), struct.pack("!qii", -1_000_000, 0, 0),
                                   None, bytes(16)]
    nanos = pa.array([-1500, 1500], pa.duration("ns"))  # truncated towards zero, as the text shows them
    assert wire_values(nanos, 0) == [b"-00:00:00.000001", b"00:00:00.000001"]


def test_array_text():
    ints = pa.array([[1, 2, None], [], None, [-3]], pa.list_(pa.int32()))
    assert t.pg_type_of(ints.type)[0] == 1007
    assert wire_values(ints, 0) == [b"{1,2,NULL}", b"{}", None, b"{-3}"]
    assert wire_values(pa.array([WORDS], pa.list_(pa.string())), 0) == [
        '{"a b","","NULL","null","x\\"y\\\\z",NULL,é,"{","a,b","tab\tx",plain,nUlL1}'.encode()]
    nested = pa.array([[[1, 2], [3, 4]], [[None]], [], None], pa.list_(pa.list_(pa.int64())))
    assert t.pg_type_of(nested.type)[0] == 1016  # int8[]: PostgreSQL arrays have one type for all dimensions
    assert wire_values(nested, 0) == [b"{{1,2},{3,4}}", b"{{NULL}}", b"{}", None]
    assert wire_values(pa.array([[["a b"], ['"']]], pa.list_(pa.list_(pa.string()))), 0) == [b'{{"a b"},{"\\""}}']
    fixed = pa.array([[1, 2], None, [3, 4]], pa.list_(pa.int16(), 2))
    assert wire_values(fixed, 0) == [b"{1,2}", None, b"{3,4}"]
    mixed = pa.array([[D("1.50"), None]], pa.list_(pa.decimal128(5, 2)))
    assert wire_values(mixed, 0) == [b"{1.50,NULL}"] and t.pg_type_of(mixed.type)[0] == 1231
    intervals = pa.array([[mdn(0, 1, 0), mdn(0, 0, -1)]], pa.list_(pa.month_day_nano_interval()))
    assert wire_values(intervals, 0) == [b'{"1 day",-00:00:00.000001}']
    assert wire_values(uuid_lists([[U1]]), 0) == [("{" + U1 + "}").encode()]
    structs = pa.array([[{"k": 1}, None]], pa.list_(pa.struct([("k", pa.int32())])))
    assert t.pg_type_of(structs.type)[0] == 1009
    assert wire_values(structs, 0) == [b'{"{\\"k\\": 1}",NULL}']


def reference_array_text(value) -> str | None:
    """PostgreSQL's array_out for a Python list of str/None (or lists of them)."""
    if value is None:
        return None
    items = []
    for item in value:
        if item is None:
            items.append("NULL")
        elif isinstance(item, list):
            items.append(reference_array_text(item))
        elif item == "" or item.upper() == "NULL" or any(c in item for c in '{},"\\ \t\n\r\x0b\x0c'):
            items.append('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            items.append(item)
    return "{" + ",".join(items) + "}"


ARRAY_TEXT = st.one_of(st.text(st.sampled_from(list('ab{},"\\ \t\n\x0b\x0c\x00éNUL')), max_size=6),
                      st.sampled_from(["NULL", "null", "Null", "NULL "]))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.lists(st.one_of(st.none(), ARRAY_TEXT), max_size=4)), max_size=6),
       st.integers(0, 3))
def test_array_text_matches_array_out(rows, skip):
    arr = pa.array(rows, pa.list_(pa.string())).slice(min(skip, len(rows)))
    assert wire_values(arr, 0) == [None if r is None else reference_array_text(r).encode()
                                   for r in rows[min(skip, len(rows)):]]


def test_structs_and_maps_are_json_text():
    struct_type = pa.struct([("k", pa.int64()), ("s", pa.string()), ("f", pa.float64()), ("b", pa.bool_()),
                             ("l", pa.list_(pa.int8())), ("m", pa.map_(pa.string(), pa.int32())),
                             ("d", pa.decimal128(12, 10)), ("day", pa.date32()), ("n", pa.struct([("x", pa.int8())]))])
    values = [
        {"k": 1, "s": 'a"\\\n\x01\x7f é\u2028', "f": 100.0, "b": True, "l": [1, None], "m": [("z", 1), ("a", None)],
         "d": D("0"), "day": dt.date(2024, 1, 2), "n": {"x": None}},
        None,
        {"k": None, "s": None, "f": float("nan"), "b": False, "l": [], "m": [], "d": None, "day": None, "n": None},
    ]
    arr = pa.array(values, struct_type)
    assert t.pg_type_of(arr.type)[0] == t.JSON
    expected = [
        '{"k": 1, "s": "a\\"\\\\\\n\\u0001\x7f é\u2028", "f": 100.0, "b": true, "l": [1, null], '
        '"m": {"z": 1, "a": null}, "d": "0.0000000000", "day": "2024-01-02", "n": {"x": null}}',
        None,
        '{"k": null, "s": null, "f": NaN, "b": false, "l": [], "m": {}, "d": null, "day": null, "n": null}',
    ]
    assert wire_values(arr, 0) == [None if e is None else e.encode() for e in expected]
    assert wire_values(arr, 1) == wire_values(arr, 0)  # json's binary format is its text
    assert json.loads(expected[0])["s"] == values[0]["s"]
    maps = pa.array([[("b", [1.5, 2.0])], [], None, [("", None)]], pa.map_(pa.string(), pa.list_(pa.float32())))
    assert wire_values(maps, 0) == [b'{"b": [1.5, 2.0]}', b"{}", None, b'{"": null}']
    int_keys = pa.array([[(1, "x"), (-2, "y")]], pa.map_(pa.int32(), pa.string()))
    assert wire_values(int_keys, 0) == [b'{"1": "x", "-2": "y"}']
    assert wire_values(pa.array([{}, None], pa.struct([])), 0) == [b"{}", None]
    inside = pa.array([{"j": '{"a": [1]}', "u": uuid.UUID(U1).bytes}],
                      pa.struct([("j", pa.string()), ("u", pa.binary(16))])) \
        .cast(pa.struct([("j", pa.json_()), ("u", pa.uuid())]))
    assert wire_values(inside, 0) == [('{"j": {"a": [1]}, "u": "' + U1 + '"}').encode()]


JSON_TEXT = st.text(st.characters(codec="utf-8"), max_size=8)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.fixed_dictionaries({
    "s": st.one_of(st.none(), JSON_TEXT), "i": st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)),
    "l": st.one_of(st.none(), st.lists(st.one_of(st.none(), JSON_TEXT), max_size=3)),
    "m": st.one_of(st.none(), st.dictionaries(JSON_TEXT, st.one_of(st.none(), st.booleans()), max_size=3)),
})), max_size=5))
def test_json_text_matches_json_dumps(rows):
    """The JSON of nested structs, lists and maps is what json.dumps writes, byte for byte."""
    kind = pa.struct([("s", pa.string()), ("i", pa.int64()), ("l", pa.list_(pa.string())),
                      ("m", pa.map_(pa.string(), pa.bool_()))])
    rows = [None if r is None else {f.name: r[f.name] for f in kind} for r in rows]  # in the fields' order
    arrow_rows = [None if r is None else {**r, "m": None if r["m"] is None else list(r["m"].items())} for r in rows]
    arr = pa.array(arrow_rows, kind)
    expected = [None if r is None else json.dumps(r, ensure_ascii=False, separators=(", ", ": ")).encode()
                for r in rows]
    assert wire_values(arr, 0) == expected


def test_union_text():
    sparse = pa.UnionArray.from_sparse(pa.array([0, 1, 0], pa.int8()),
                                       [pa.array([1, 2, None]), pa.array(["a", "b c", "d"])])
    dense = pa.UnionArray.from_dense(pa.array([1, 0, 1], pa.int8()), pa.array([0, 0, 1], pa.int32()),
                                     [pa.array([True]), pa.array([[1], [2, 3]], pa.list_(pa.int8()))])
    assert wire_values(sparse, 0) == [b"1", b"b c", None]
    assert wire_values(sparse.slice(1), 1) == [b"b c", None]  # described as text: binary is the text
    assert wire_values(dense, 0) == [b"{1}", b"t", b"{2,3}"]
    assert wire_values(dense.slice(1), 0) == [b"t", b"{2,3}"]


# --------------------------------------------------------------------------- binary format


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
    assert wire_values(uuid_array([U1, None]), 1) == [uuid.UUID(U1).bytes, None]
    assert wire_values(json_array(['{"a": 1}', None]), 1) == [b'{"a": 1}', None]


@pytest.mark.parametrize("value, kind, expected", [
    ("12345.678", pa.decimal128(8, 3), numeric(3, 1, 0, 3, 1, 2345, 6780)),
    ("-0.0012", pa.decimal128(4, 4), numeric(1, -1, 0x4000, 4, 12)),
    ("0", pa.decimal128(10, 0), numeric(0, 0, 0, 0)),
    ("0", pa.decimal128(38, 10), numeric(0, 0, 0, 10)),
    ("100000", pa.decimal128(10, 0), numeric(1, 1, 0, 0, 10)),
    ("1.50", pa.decimal128(10, 2), numeric(2, 0, 0, 2, 1, 5000)),
    ("-1", pa.decimal128(38, 10), numeric(1, 0, 0x4000, 10, 1)),
    ("0.0000000001", pa.decimal128(38, 10), numeric(1, -3, 0, 10, 100)),
    ("-1234567890123456789012345678.0123456789", pa.decimal128(38, 10),
     numeric(10, 6, 0x4000, 10, 1234, 5678, 9012, 3456, 7890, 1234, 5678, 123, 4567, 8900)),
    ("99999999999999999999999999999999999999", pa.decimal128(38, 0), numeric(10, 9, 0, 0, 99, *[9999] * 9)),
    ("-" + "9" * 76, pa.decimal256(76, 0), numeric(19, 18, 0x4000, 0, *[9999] * 19)),
    ("1.2E+3", pa.decimal128(5, -2), numeric(1, 0, 0, 0, 1200)),
    ("-3.25", pa.decimal64(6, 2), numeric(2, 0, 0x4000, 2, 3, 2500)),
    (2**64 - 1, pa.uint64(), numeric(5, 4, 0, 0, 1844, 6744, 737, 955, 1615)),
])
def test_numeric_binary_layout(value, kind, expected):
    arr = pa.array([D(value) if isinstance(value, str) else value, None], kind)
    assert wire_values(arr, 1) == [expected, None]
    assert reference_numeric_binary(D(arr[0].as_py())) == expected
    decoded = t._numeric_from_binary(expected)
    assert decoded == D(value) and decoded.as_tuple().exponent == -max(0, getattr(kind, "scale", 0))


def reference_numeric_binary(value: decimal.Decimal) -> bytes:
    """The per-value encoder the column encoder replaced, kept as the reference it must equal."""
    sign, digits, exponent = value.as_tuple()
    dscale = max(0, -exponent)
    text = "".join(map(str, digits))
    if exponent >= 0:
        int_part, frac_part = text + "0" * exponent, ""
    else:
        int_part = text[:exponent] if len(text) > -exponent else ""
        frac_part = text[exponent:].rjust(-exponent, "0")
    int_part = int_part.lstrip("0")
    int_part = "0" * ((-len(int_part)) % 4) + int_part
    frac_part = frac_part + "0" * ((-len(frac_part)) % 4)
    groups = [int(int_part[i:i + 4]) for i in range(0, len(int_part), 4)]
    weight = len(groups) - 1
    groups += [int(frac_part[i:i + 4]) for i in range(0, len(frac_part), 4)]
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        weight = 0
    return struct.pack("!hhHh", len(groups), weight, 0x4000 if sign else 0, dscale) + \
        b"".join(struct.pack("!H", g) for g in groups)


@st.composite
def decimal_columns(draw):
    precision = draw(st.sampled_from([1, 4, 9, 18, 19, 20, 37, 38, 39, 50, 76]))
    scale = draw(st.integers(0, precision))
    bound = 10 ** precision - 1
    unscaled = draw(st.lists(st.one_of(st.none(), st.integers(-bound, bound), st.sampled_from([0, bound, -bound, 1])),
                             min_size=1, max_size=12))
    kind = pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
    exact = decimal.Context(prec=100)
    return [None if u is None else D(u).scaleb(-scale, exact) for u in unscaled], kind


@settings(max_examples=300, deadline=None, derandomize=True)
@given(decimal_columns(), st.integers(0, 4))
def test_numeric_column_matches_the_per_value_reference(column, skip):
    values, kind = column
    arr = pa.array(values, kind).slice(min(skip, len(values)))
    values = arr.to_pylist()
    assert wire_values(arr, 1) == [None if v is None else reference_numeric_binary(v) for v in values]
    assert wire_values(arr, 0) == [None if v is None else format(v, "f").encode() for v in values]


def test_int_array_binary_layout():
    arr = pa.array([[1, None], [], None, [7]], pa.list_(pa.int32()))
    assert wire_values(arr, 1) == [
        i32(1, 1, 23, 2, 1, 4, 1, -1),  # ndim, has NULL, int4; 2 elements from 1; 4 bytes: 1; NULL
        i32(0, 0, 23),  # an empty array has no dimensions
        None,
        i32(1, 0, 23, 1, 1, 4, 7),
    ]


def test_multidimensional_array_binary():
    arr = pa.array([[[1, 2, 3], [4, 5, 6]], [[None]], [[]], [[], []], None], pa.list_(pa.list_(pa.int16())))
    assert t.pg_type_of(arr.type)[0] == 1005
    assert wire_values(arr, 1) == [
        i32(2, 0, 21, 2, 1, 3, 1) + b"".join(i32(2) + struct.pack("!h", v) for v in range(1, 7)),
        i32(2, 1, 21, 1, 1, 1, 1, -1),
        i32(0, 0, 21),  # a zero-length dimension: an empty array, as PostgreSQL has it
        i32(0, 0, 21),
        None,
    ]


def test_array_binary_element_types():
    assert wire_values(pa.array([["ab", None, ""]], pa.list_(pa.string())), 1) == \
        [i32(1, 1, 25, 3, 1, 2) + b"ab" + i32(-1, 0)]
    assert wire_values(pa.array([[D("-1.5")]], pa.list_(pa.decimal128(4, 1))), 1) == \
        [i32(1, 0, 1700, 1, 1, 12) + numeric(2, 0, 0x4000, 1, 1, 5000)]
    assert wire_values(uuid_lists([[U1, None]]), 1) == \
        [i32(1, 1, 2950, 2, 1, 16) + uuid.UUID(U1).bytes + i32(-1)]
    # elements without an array type of their own (json) make a text[] of their text
    structs = pa.array([[{"k": 1}]], pa.list_(pa.struct([("k", pa.int8())])))
    assert wire_values(structs, 1) == [i32(1, 0, 25, 1, 1, 8) + b'{"k": 1}']
    table = pa.table({"oids": pa.array([[16, None, 4294967295], None], pa.list_(pa.uint32()))})
    rows = bytes(t.encode_batch(table, [1], {0: t.OID_ARRAY}))
    assert rows == m.data_row([i32(1, 1, 26, 3, 1, 4, 16, -1, 4) + b"\xff" * 4]) + m.data_row([None])


@pytest.mark.parametrize("rows, depth", [
    ([[[1, 2], [3]]], 2),
    ([[[1], [2, 3]]], 2),
    ([[[], [1]]], 2),
    ([[[1], None]], 2),
    ([[[1, 2]], [[1], [2, 3, 4], [5, 6]]], 2),
    ([[[[1], [2]], [[3], [4, 5]]]], 3),
])
def test_ragged_arrays_cannot_go_in_binary(rows, depth):
    """PostgreSQL arrays are rectangular: a row of lists of different lengths has no binary form."""
    kind = pa.int32()
    for _ in range(depth):
        kind = pa.list_(kind)
    arr = pa.array(rows, kind)
    with pytest.raises(errors.DataError, match="matching dimensions") as raised:
        t.encode_binary(arr)
    assert raised.value.sqlstate == "2202E"
    assert all(v is not None for v in wire_values(arr, 0))  # the text shows them as they are


def test_a_ragged_array_in_a_null_row_is_ignored():
    inner = pa.array([[1], [2, 3], [4], [5]], pa.list_(pa.int32()))
    arr = pa.ListArray.from_arrays(pa.array([0, 2, 4], pa.int32()), inner, mask=pa.array([True, False]))
    assert wire_values(arr, 1) == [None, i32(2, 0, 23, 2, 1, 1, 1, 4, 4, 4, 5)]


# --------------------------------------------------------------------------- offsets, slices, chunks

SAMPLES = {
    "decimal38": pa.array([D("1.5"), None, D("-0.0000000001"), D("12345678901234567890.0123456789"), D(0)],
                          pa.decimal128(38, 10)),
    "decimal256": pa.array([D("-1" + "0" * 60), None, D("7.25")], pa.decimal256(70, 2)),
    "uint64": pa.array([2**64 - 1, None, 0, 10000], pa.uint64()),
    "interval": pa.array([mdn(-1, 2, 3), None, mdn(0, 0, 0), mdn(14, -3, -HOUR)], pa.month_day_nano_interval()),
    "ints": pa.array([[1, None], None, [], [4, 5, 6]], pa.list_(pa.int64())),
    "strings": pa.array([["a b", None], None, [], ['"', "NULL", "x"]], pa.list_(pa.large_string())),
    "nested": pa.array([[[1, 2], [3, 4]], None, [], [[5], [6]], [[None, None]]], pa.list_(pa.list_(pa.int32()))),
    "fixed": pa.array([[1, 2], None, [3, 4], [5, None]], pa.list_(pa.int8(), 2)),
    "decimals": pa.array([[D("1.00")], [None, D("-2.50")], None], pa.list_(pa.decimal128(9, 2))),
    "intervals": pa.array([[mdn(0, 0, 1)], None, [mdn(1, 1, 1), None]], pa.list_(pa.month_day_nano_interval())),
    "uuid": uuid_array([U1, None, U2, U1]),
    "uuids": uuid_lists([[U1], None, [None, U2]]),
    "struct": pa.array([{"a": 1, "b": ["x"]}, None, {"a": None, "b": None}, {"a": 3, "b": []}],
                       pa.struct([("a", pa.int16()), ("b", pa.list_(pa.string()))])),
    "map": pa.array([[("k", 1)], None, [], [("a", 2), ("b", None)]], pa.map_(pa.string(), pa.int64())),
    "json": json_array(['{"a": 1}', None, "[]"]),
}


@pytest.mark.parametrize("fmt", [0, 1])
@pytest.mark.parametrize("name", SAMPLES)
def test_slices_and_chunks_encode_like_the_whole(name, fmt):
    """Every encoder reads Arrow buffers at the array's offset: a slice, a single row and a column
    in several chunks give the bytes of the same rows of the whole column."""
    arr = SAMPLES[name]
    whole = wire_values(arr, fmt)
    for k in range(1, len(arr)):
        assert wire_values(arr.slice(k), fmt) == whole[k:]
        assert wire_values(arr.slice(0, k), fmt) == whole[:k]
    assert [wire_values(arr.slice(i, 1), fmt)[0] for i in range(len(arr))] == whole
    assert wire_values(arr.slice(len(arr)), fmt) == []
    chunked = pa.table({"c": pa.chunked_array([arr.slice(0, 2), arr.slice(2, 1), arr.slice(3)])})
    expected = b"".join(m.data_row([v]) for v in whole)
    assert bytes(t.encode_batch(chunked, [fmt])) == expected
    assert b"".join(bytes(b) for b in t.iter_data_rows(chunked, [fmt], batch_rows=2)) == expected


def test_lists_over_a_sliced_child():
    """A list array whose child is itself a slice (offsets not starting at 0, child offset != 0)."""
    child = pa.array([99, 98, 1, None, 3, 4], pa.int32()).slice(2)
    arr = pa.ListArray.from_arrays(pa.array([1, 2, 4], pa.int32()), child)
    assert wire_values(arr, 0) == [b"{NULL}", b"{3,4}"]
    assert wire_values(arr, 1) == [i32(1, 1, 23, 1, 1, -1), i32(1, 0, 23, 2, 1, 4, 3, 4, 4)]
    words = pa.array(["skip", "a b", "c"]).slice(1)
    arr = pa.ListArray.from_arrays(pa.array([0, 2], pa.int32()), words)
    assert wire_values(arr, 0) == [b'{"a b",c}']


def test_data_rows_match_the_value_by_value_reference():
    table = pa.table({
        "i": pa.array([1, None, 3]), "s": ["x", None, "héllo"], "b": [True, False, None],
        "f": [1.5, None, 2.0], "d": pa.array([D("1.50"), None, D("-3.00")], pa.decimal128(10, 2)),
        "l": pa.array([[1], None, []], pa.list_(pa.int32())),
        "v": pa.array([mdn(0, 1, 0), None, mdn(0, 0, 5)], pa.month_day_nano_interval()),
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
    assert t.decode_parameter(numeric(2, 0, 0, 2, 1, 2500), t.NUMERIC, 1) == D("1.25")
    assert t.decode_parameter(None, t.TEXT, 0) is None
    assert t.decode_parameter(b"hi", 0, 0) == "hi"


# --------------------------------------------------------------------------- DuckDB's uuid and json


def test_duckdb_uuid_and_json_columns():
    """DuckDB exports UUID and JSON as arrow.uuid / arrow.json with arrow_lossless_conversion (by
    default both are plain strings, which can only be described as text)."""
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.execute("SET arrow_lossless_conversion = true")
    table = con.sql(f"SELECT '{U1}'::UUID AS u, '{{\"a\": 1}}'::JSON AS j, ['{U2}'::UUID, NULL] AS us, "
                    "NULL::UUID AS n").to_arrow_table()
    assert [t.pg_type_of(f.type)[0] for f in table.schema] == [2950, 114, 2951, 2950]
    row = lambda fmt: [wire_values(c.combine_chunks(), fmt)[0] for c in table.columns]  # noqa: E731
    assert row(0) == [U1.encode(), b'{"a": 1}', ("{" + U2 + ",NULL}").encode(), None]
    assert row(1) == [uuid.UUID(U1).bytes, b'{"a": 1}', i32(1, 1, 2950, 2, 1, 16) + uuid.UUID(U2).bytes + i32(-1),
                      None]
    plain = duckdb.connect().sql(f"SELECT '{U1}'::UUID AS u, '{{}}'::JSON AS j").to_arrow_table()
    assert [t.pg_type_of(f.type)[0] for f in plain.schema] == [25, 25]


def marked(sql: str) -> pa.Table:
    """A DuckDB query's Arrow table as the engine hands it over: UUID and JSON as plain strings
    (DuckDB's default export), the columns marked with their DuckDB types."""
    duckdb = pytest.importorskip("duckdb")
    from lakebox.engine.result import mark_duckdb_types

    relation = duckdb.connect().sql(sql)
    table = relation.to_arrow_table()
    schema = mark_duckdb_types(table.schema, relation.types)
    return table if schema is None else pa.Table.from_arrays(table.columns, schema=schema)


def test_marked_strings_are_restored_to_uuid_and_json():
    from lakebox.server.rows import Rows

    table = marked(f"""
        SELECT * FROM (VALUES
            (1, '{U1}'::UUID, '{{"a": 1}}'::JSON, ['{U2}'::UUID, NULL], {{'u': '{U1}'::UUID, 'j': '[1]'::JSON}},
             MAP {{'{U2}'::UUID: '2'::JSON}}, ['{U1}'::UUID, '{U2}'::UUID]::UUID[2], 'plain'),
            (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (3, '{U2.upper()}'::UUID, 'null'::JSON, [], {{'u': NULL, 'j': NULL}}, MAP {{}}, NULL, 'x')
        ) AS v(i, u, j, us, s, m, a, p) ORDER BY i""")
    assert [f.type for f in table.schema][1:3] == [pa.string(), pa.string()]  # what the DB-API sees
    rows = Rows(table=table)
    assert [t.pg_type_of(f.type)[0] for f in rows.schema] == [23, 2950, 114, 2951, 114, 114, 2951, 25]
    batch = rows.next(0)
    assert batch.schema == rows.schema
    assert [wire_values(c, 1) for c in batch.columns[1:3]] == [
        [uuid.UUID(U1).bytes, None, uuid.UUID(U2).bytes], [b'{"a": 1}', None, b"null"]]
    assert wire_values(batch.column(4), 0)[0] == f'{{"u": "{U1}", "j": [1]}}'.encode()  # json embedded
    assert wire_values(batch.column(5), 0)[0] == f'{{"{U2}": 2}}'.encode()
    assert wire_values(batch.column(6), 1)[0] == (i32(1, 0, 2950, 2, 1, 16) + uuid.UUID(U1).bytes + i32(16)
                                                  + uuid.UUID(U2).bytes)
    assert batch.column(3).to_pylist() == [[uuid.UUID(U2), None], None, []]
    # slices (a portal's row limit) restore the same values
    again = Rows(table=table)
    parts = [again.next(1) for _ in range(3)]
    assert [v for p in parts for v in p.column(1).to_pylist()] == batch.column(1).to_pylist()
    assert [v for p in parts for v in p.column(4).to_pylist()] == batch.column(4).to_pylist()


def test_uuid_text_that_is_not_canonical_is_parsed_value_by_value():
    strings = pa.array([U1.upper(), None, "{" + U2 + "}", U1.replace("-", "")], pa.string())
    storage = t._uuid_from_text(strings)
    assert storage.to_pylist() == [uuid.UUID(U1).bytes, None, uuid.UUID(U2).bytes, uuid.UUID(U1).bytes]
    assert t._uuid_from_text(pa.array([None, None], pa.string())).null_count == 2


def test_unmarked_and_unreadable_marks_stay_text():
    from lakebox.engine.result import DUCKDB_TYPE_KEY

    schema = pa.schema([pa.field("a", pa.string(), metadata={DUCKDB_TYPE_KEY: b"NOT A TYPE("}),
                        pa.field("b", pa.string(), metadata={DUCKDB_TYPE_KEY: b"VARCHAR"}),
                        pa.field("c", pa.string())])
    assert t.duckdb_types(schema) == {}


# --------------------------------------------------------------------------- against a real PostgreSQL


def _differential_kit():
    path = Path(__file__).resolve().parent.parent / "differential" / "conftest.py"
    spec = importlib.util.spec_from_file_location("lakebox_differential_kit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def postgres():
    """A psycopg connection to a real PostgreSQL, found or started as tests/differential does."""
    psycopg = need_module("psycopg")
    kit = _differential_kit()
    cluster, dsn = None, os.environ.get("LAKEBOX_PG_DSN")
    if not dsn:
        cluster = kit._Cluster()
        try:
            dsn = cluster.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            cluster.stop()
            kit._unavailable(str(error))
    connection = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET IntervalStyle = 'postgres'")
    try:
        yield connection
    finally:
        connection.close()
        if cluster:
            cluster.stop()


def postgres_column(conn, expressions: list[str], fmt: int) -> tuple[int, list[bytes | None]]:
    """The type OID and raw wire bytes PostgreSQL sends for these SQL expressions, one row each."""
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    class Raw(Loader):
        format = Format.BINARY if fmt else Format.TEXT

        def load(self, data):
            return bytes(data)

    cursor = conn.cursor(binary=bool(fmt))
    for oid in t.ALL_TYPES:
        cursor.adapters.register_loader(oid, Raw)
    values = ", ".join(f"({i}, {e})" for i, e in enumerate(expressions))
    cursor.execute(f"SELECT x FROM (VALUES {values}) AS v(i, x) ORDER BY i")
    return cursor.description[0].type_code, [r[0] for r in cursor.fetchall()]


def sql_decimals(values: list[str | None], kind: str) -> list[str]:
    return [f"NULL::{kind}" if v is None else f"'{v}'::{kind}" for v in values]


DECIMALS_38_10 = ["0", "1", "-1", "0.0000000001", "-0.0000000012", "1234567890123456789012345678.0123456789",
                  "-9999999999999999999999999999.9999999999", "10000", "0.5", "12345.678", None]
DECIMALS_18_2 = ["0", "-0.01", "9999999999999999.99", "-10000.00", "1.5"]
DECIMALS_76_7 = ["-" + "9" * 69 + ".9999999", "0.0000001", "100000000"]

# name: (SQL expressions, one row each, and the Arrow columns whose rows, in order, are the same values)
POSTGRES_CASES = {
    "numeric(38,10)": (sql_decimals(DECIMALS_38_10, "numeric(38,10)"),
                       [pa.array([None if v is None else D(v) for v in DECIMALS_38_10], pa.decimal128(38, 10))]),
    "numeric(18,2)": (sql_decimals(DECIMALS_18_2, "numeric(18,2)"),
                      [pa.array([D(v) for v in DECIMALS_18_2], pa.decimal128(18, 2))]),
    "numeric(76,7)": (sql_decimals(DECIMALS_76_7, "numeric(76,7)"),
                      [pa.array([D(v) for v in DECIMALS_76_7], pa.decimal256(76, 7))]),
    "numeric (uint64)": (["18446744073709551615::numeric", "0::numeric"], [pa.array([2**64 - 1, 0], pa.uint64())]),
    "interval": (
        [f"make_interval(months => {mo}, days => {d}) + {us}::float8 * interval '1 microsecond'"
         for (mo, d, us), _ in INTERVALS] + ["NULL::interval"],
        [pa.array([mdn(*parts) for parts, _ in INTERVALS] + [None], pa.month_day_nano_interval())]),
    "int4[]": (
        ["ARRAY[1, 2, NULL]::int4[]", "'{}'::int4[]", "NULL::int4[]", "ARRAY[[1, 2], [3, 4]]::int4[]",
         "ARRAY[[NULL]]::int4[]", "ARRAY[[[1], [2]], [[3], [4]]]::int4[]"],
        [pa.array([[1, 2, None], [], None], pa.list_(pa.int32())),
         pa.array([[[1, 2], [3, 4]], [[None]]], pa.list_(pa.list_(pa.int32()))),
         pa.array([[[[1], [2]], [[3], [4]]]], pa.list_(pa.list_(pa.list_(pa.int32()))))]),
    "text[]": (
        ["ARRAY[" + ", ".join("NULL" if w is None else "E'" + w.replace("\\", "\\\\") + "'" for w in WORDS) + "]",
         "ARRAY[['a', NULL], [' ', '\"']]::text[]"],
        [pa.array([WORDS], pa.list_(pa.string())),
         pa.array([[["a", None], [" ", '"']]], pa.list_(pa.list_(pa.string())))]),
    "numeric[]": (["ARRAY['1.50', NULL, '-0.01']::numeric(9,2)[]", "'{}'::numeric(9,2)[]"],
                  [pa.array([[D("1.50"), None, D("-0.01")], []], pa.list_(pa.decimal128(9, 2)))]),
    "interval[]": (["ARRAY[interval '1 day', interval '-1 second', NULL]"],
                   [pa.array([[mdn(0, 1, 0), mdn(0, 0, -1_000_000), None]], pa.list_(pa.month_day_nano_interval()))]),
    "uuid": ([f"'{U1}'::uuid", f"'{U2}'::uuid", "NULL::uuid"], [uuid_array([U1, U2, None])]),
    "uuid[]": ([f"ARRAY['{U1}'::uuid, NULL]"], [uuid_lists([[U1, None]])]),
    "float8[]": (["ARRAY['NaN', 'Infinity', '-1.5', '1e20']::float8[]"],
                 [pa.array([[float("nan"), float("inf"), -1.5, 1e20]], pa.list_(pa.float64()))]),
}


@pytest.mark.parametrize("fmt", [0, 1])
@pytest.mark.parametrize("name", POSTGRES_CASES)
def test_same_bytes_as_postgres(postgres, name, fmt):
    expressions, columns = POSTGRES_CASES[name]
    oid, expected = postgres_column(postgres, expressions, fmt)
    assert {t.pg_type_of(c.type)[0] for c in columns} == {oid}
    assert [v for c in columns for v in wire_values(c, fmt)] == expected


# --------------------------------------------------------------------------- end to end

@pytest.fixture(scope="module")
def athena_server(lake_home):
    """A wire server in the Athena dialect, whose SQL can build every nested type."""
    from wirekit import Running, start

    thread = start(lake_home, dialect="athena")
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()


# Every type lakebox returns, from a real query: UUID and JSON come out of DuckDB as plain strings
# and reach the clients as uuid and json all the same.
EVERY_TYPE_SQL = f"""
    SELECT u, j, us, d, iv, a, s, m, t FROM (
        SELECT 1 AS i, CAST('{U1}' AS UUID) AS u, json_parse('{{"a": [1, 2], "s": "é\\"x"}}') AS j,
               CAST(ARRAY['{U2}', NULL] AS ARRAY(UUID)) AS us, CAST(0 AS DECIMAL(38, 10)) AS d,
               INTERVAL '3' DAY + INTERVAL '4' HOUR + INTERVAL '5' MINUTE + INTERVAL '6.5' SECOND AS iv,
               ARRAY[ARRAY[1, 2], ARRAY[3, 4]] AS a, CAST(ROW(1, 'x"y') AS ROW(k INTEGER, v VARCHAR)) AS s,
               MAP(ARRAY['a'], ARRAY[1]) AS m, ARRAY['a b', '', 'NULL', NULL] AS t
        UNION ALL
        SELECT 2, NULL, NULL, CAST(ARRAY[] AS ARRAY(UUID)),
               CAST(-1234567890123456789012345678.0123456789 AS DECIMAL(38, 10)), INTERVAL '-1' SECOND, NULL, NULL,
               CAST(MAP() AS MAP(VARCHAR, INTEGER)), CAST(ARRAY[] AS ARRAY(VARCHAR)))
    ORDER BY i"""


EXPECTED_OIDS = [2950, 114, 2951, 1700, 1186, 1007, 114, 114, 1009]
EXPECTED_ROWS = [
    (uuid.UUID(U1), {"a": [1, 2], "s": 'é"x'}, [uuid.UUID(U2), None], D(0),
     dt.timedelta(days=3, hours=4, minutes=5, seconds=6.5), [[1, 2], [3, 4]], {"k": 1, "v": 'x"y'}, {"a": 1},
     ["a b", "", "NULL", None]),
    (None, None, [], D("-1234567890123456789012345678.0123456789"), dt.timedelta(seconds=-1), None, None, {}, []),
]


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg_reads_every_type(athena_server, binary):
    psycopg = need_module("psycopg")
    with psycopg.connect(athena_server.dsn(), autocommit=True) as conn:
        cursor = conn.cursor(binary=binary)
        cursor.execute(EVERY_TYPE_SQL)
        assert [c.type_code for c in cursor.description] == EXPECTED_OIDS
        assert cursor.fetchall() == EXPECTED_ROWS


def test_asyncpg_reads_every_type_in_binary(athena_server):
    asyncpg = need_module("asyncpg")

    async def run():
        conn = await asyncpg.connect(host="127.0.0.1", port=athena_server.port, user=athena_server.user,
                                     password=athena_server.password, database="dev")
        try:
            return await conn.fetch(EVERY_TYPE_SQL)
        finally:
            await conn.close()

    rows = asyncio.run(run())
    got = []
    for row in rows:
        values = list(row.values())
        values[0] = None if values[0] is None else uuid.UUID(str(values[0]))
        values[1] = None if values[1] is None else json.loads(values[1])  # asyncpg hands json over as text
        values[2] = [None if v is None else uuid.UUID(str(v)) for v in values[2]]
        values[6] = None if values[6] is None else json.loads(values[6])
        values[7] = None if values[7] is None else json.loads(values[7])
        got.append(tuple(values))
    assert got == EXPECTED_ROWS


REDSHIFT_UUID_JSON = (f"SELECT CAST('{U1}' AS UUID) AS u, JSON_PARSE('{{\"a\": [1, null]}}') AS j, "
                      "CAST(NULL AS UUID) AS n")


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("prepare", [False, True])
def test_psycopg_gets_uuid_and_json_from_redshift_sql(server, binary, prepare):
    psycopg = need_module("psycopg")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cursor = conn.cursor(binary=binary)
        cursor.execute(REDSHIFT_UUID_JSON, prepare=prepare)
        assert [c.type_code for c in cursor.description] == [2950, 114, 2950]
        assert cursor.fetchall() == [(uuid.UUID(U1), {"a": [1, None]}, None)]
        # a parameter typed uuid by the client, and many rows over several batches
        cursor.execute("SELECT CAST(%s AS UUID) AS u", [uuid.UUID(U2)], prepare=prepare)
        assert cursor.fetchall() == [(uuid.UUID(U2),)]
        cursor.execute("SELECT CAST(md5(CAST(n AS VARCHAR)) AS UUID) AS u FROM spectrum.numbers ORDER BY n")
        values = [row[0] for row in cursor.fetchall()]
        assert len(values) == 300_000 and all(isinstance(v, uuid.UUID) for v in values)
        assert values[7] == uuid.UUID(hashlib.md5(b"7").hexdigest())


def test_asyncpg_gets_uuid_and_json_from_redshift_sql(server):
    asyncpg = need_module("asyncpg")

    async def run():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user,
                                     password=server.password, database="dev")
        try:
            first = await conn.fetchrow(REDSHIFT_UUID_JSON)
            statement = await conn.prepare("SELECT CAST($1 AS UUID) AS u, JSON_PARSE($2) AS j")
            types = [a.type.name for a in statement.get_attributes()]
            second = await statement.fetchrow(U2, '{"b": true}')
            return first, types, second
        finally:
            await conn.close()

    first, types, second = asyncio.run(run())
    assert (first["u"], json.loads(first["j"]), first["n"]) == (uuid.UUID(U1), {"a": [1, None]}, None)
    assert types == ["uuid", "json"]
    assert (second["u"], json.loads(second["j"])) == (uuid.UUID(U2), {"b": True})


@pytest.mark.parametrize("stream", [False, True])
def test_the_engine_marks_uuid_and_json_but_the_dbapi_still_returns_str(stream):
    """Only the wire server restores the types: DB-API users get str, as Athena's and Redshift's
    drivers give, and Arrow strings; the mark is field metadata on the same columns."""
    import lakebox
    from lakebox.engine.result import DUCKDB_TYPE_KEY

    conn = lakebox.connect(dialect="athena")
    try:
        sql = (f"SELECT CAST('{U1}' AS UUID) AS u, json_parse('[1]') AS j, CAST(ARRAY['{U2}'] AS ARRAY(UUID)) AS us, "
               "1 AS i")
        if stream:
            conn.session.stream_batch_rows = 1024
            result = conn.session.execute(sql)
            schema = result.reader.schema
            assert result.reader.read_all().to_pylist() == [{"u": U1, "j": "[1]", "us": [U2], "i": 1}]
        else:
            cursor = conn.cursor()
            cursor.execute(sql)
            assert cursor.fetchall() == [(U1, "[1]", [U2], 1)]
            assert [d[1] for d in cursor.description][:2] == [pa.string(), pa.string()]
            schema = cursor.fetch_arrow_table().schema
        assert [(f.metadata or {}).get(DUCKDB_TYPE_KEY) for f in schema] == [b"UUID", b"JSON", b"UUID[]", None]
    finally:
        conn.close()
