"""Arrow -> PostgreSQL types, and whole-column encoders for the wire's text and binary formats.

A result batch becomes DataRow messages without a Python loop over values: each column is
encoded at once with pyarrow.compute / numpy into (lengths, bytes), and `encode_data_rows`
scatters the columns into one buffer of DataRow messages with numpy. Only rare nested types
(arrays, structs, maps, intervals in text, numerics in binary) take a per-value path.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import struct
import uuid as uuidlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakebox.server.messages import FieldDescription

# --------------------------------------------------------------------------- type catalogue


@dataclass(frozen=True)
class PgType:
    oid: int
    name: str
    size: int
    array_oid: int
    category: str = "U"
    element: int = 0


_TYPES = [
    PgType(16, "bool", 1, 1000, "B"),
    PgType(17, "bytea", -1, 1001, "U"),
    PgType(18, "char", 1, 1002, "S"),
    PgType(19, "name", 64, 1003, "S"),
    PgType(20, "int8", 8, 1016, "N"),
    PgType(21, "int2", 2, 1005, "N"),
    PgType(23, "int4", 4, 1007, "N"),
    PgType(24, "regproc", 4, 1008, "N"),
    PgType(25, "text", -1, 1009, "S"),
    PgType(26, "oid", 4, 1028, "N"),
    PgType(114, "json", -1, 199, "U"),
    PgType(700, "float4", 4, 1021, "N"),
    PgType(701, "float8", 8, 1022, "N"),
    PgType(705, "unknown", -2, 0, "X"),
    PgType(1042, "bpchar", -1, 1014, "S"),
    PgType(1043, "varchar", -1, 1015, "S"),
    PgType(1082, "date", 4, 1182, "D"),
    PgType(1083, "time", 8, 1183, "D"),
    PgType(1114, "timestamp", 8, 1115, "D"),
    PgType(1184, "timestamptz", 8, 1185, "D"),
    PgType(1186, "interval", 16, 1187, "T"),
    PgType(1700, "numeric", -1, 1231, "N"),
    PgType(2205, "regclass", 4, 2210, "N"),
    PgType(2206, "regtype", 4, 2211, "N"),
    PgType(2950, "uuid", 16, 2951, "U"),
    PgType(3802, "jsonb", -1, 3807, "U"),
    PgType(2249, "record", -1, 2287, "P"),
]
BY_OID: dict[int, PgType] = {t.oid: t for t in _TYPES}
BY_NAME: dict[str, PgType] = {t.name: t for t in _TYPES}
ARRAY_TYPES: dict[int, PgType] = {}
for _t in _TYPES:
    if _t.array_oid:
        ARRAY_TYPES[_t.array_oid] = PgType(_t.array_oid, "_" + _t.name, -1, 0, "A", _t.oid)
ALL_TYPES = {**BY_OID, **ARRAY_TYPES}

INT2, INT4, INT8, TEXT, FLOAT4, FLOAT8, BOOL, BYTEA = 21, 23, 20, 25, 700, 701, 16, 17
NUMERIC, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, INTERVAL, UUID, JSON, VARCHAR, OID = (
    1700, 1082, 1083, 1114, 1184, 1186, 2950, 114, 1043, 26)
OID_ARRAY = 1028

_PG_EPOCH_DAYS = 10957  # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86400 * 1_000_000


def _base(t: pa.DataType) -> pa.DataType:
    if isinstance(t, pa.ExtensionType):
        return t.storage_type
    if pa.types.is_dictionary(t):
        return t.value_type
    return t


def pg_type_of(t: pa.DataType) -> tuple[int, int]:
    """(type OID, type modifier) a column of Arrow type `t` is described with."""
    if isinstance(t, pa.ExtensionType) and t.extension_name in ("arrow.uuid", "uuid"):
        return UUID, -1
    if isinstance(t, pa.ExtensionType) and "json" in t.extension_name:
        return JSON, -1
    t = _base(t)
    if pa.types.is_boolean(t):
        return BOOL, -1
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t):
        return INT2, -1
    if pa.types.is_int32(t) or pa.types.is_uint16(t):
        return INT4, -1
    if pa.types.is_int64(t) or pa.types.is_uint32(t):
        return INT8, -1
    if pa.types.is_uint64(t):
        return NUMERIC, -1
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return FLOAT4, -1
    if pa.types.is_float64(t):
        return FLOAT8, -1
    if pa.types.is_decimal(t):
        return NUMERIC, ((t.precision << 16) | t.scale) + 4
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return TEXT, -1
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) \
            or pa.types.is_binary_view(t):
        return BYTEA, -1
    if pa.types.is_date(t):
        return DATE, -1
    if pa.types.is_timestamp(t):
        return (TIMESTAMPTZ if t.tz else TIMESTAMP), -1
    if pa.types.is_time(t):
        return TIME, -1
    if pa.types.is_interval(t) or pa.types.is_duration(t):
        return INTERVAL, -1
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
            or pa.types.is_list_view(t):
        element, _ = pg_type_of(t.value_type)
        base = BY_OID.get(element)
        if base is not None and base.array_oid and element != JSON:
            return base.array_oid, -1
        return 1009, -1  # text[]
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return JSON, -1
    return TEXT, -1


def field_descriptions(schema: pa.Schema, formats: list[int] | None = None,
                       type_oids: dict[int, int] | None = None) -> list[FieldDescription]:
    fields = []
    for i, f in enumerate(schema):
        oid, mod = pg_type_of(f.type)
        if type_oids and i in type_oids:
            oid, mod = type_oids[i], -1
        fmt = result_format(formats, i)
        fields.append(FieldDescription(f.name, oid, ALL_TYPES[oid].size if oid in ALL_TYPES else -1, mod, fmt))
    return fields


def result_format(formats: list[int] | None, index: int) -> int:
    if not formats:
        return 0
    if len(formats) == 1:
        return formats[0]
    return formats[index] if index < len(formats) else 0


# --------------------------------------------------------------------------- encoded columns


@dataclass
class Encoded:
    """One column of a batch as wire values: NULLs have length -1.

    Either `fixed` (an (n, width) uint8 matrix) or `offsets` (n+1, int64) into `data` (uint8)."""

    lengths: np.ndarray
    fixed: np.ndarray | None = None
    offsets: np.ndarray | None = None
    data: np.ndarray | None = None


def _validity(arr: pa.Array) -> np.ndarray | None:
    if arr.null_count == 0:
        return None
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _from_binary_array(arr: pa.Array) -> Encoded:
    """A string/binary Arrow array as offsets and bytes (no copy of the bytes when possible)."""
    t = arr.type
    if pa.types.is_string_view(t) or pa.types.is_binary_view(t):
        arr = arr.cast(pa.large_binary())
        t = arr.type
    if pa.types.is_fixed_size_binary(t):
        arr = arr.cast(pa.binary())
        t = arr.type
    large = pa.types.is_large_string(t) or pa.types.is_large_binary(t)
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32, count=n + 1, offset=arr.offset * (8 if large else 4)) \
        if buffers[1] is not None else np.zeros(n + 1, dtype=np.int64)
    offsets = offsets.astype(np.int64, copy=False)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None and len(buffers[2]) else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    valid = _validity(arr)
    if valid is not None:
        if np.any(lengths[~valid]):
            # Null slots with bytes behind them: rebuild so that nulls take no room.
            return _from_binary_array(pc.fill_null(arr, b"" if pa.types.is_binary(t) or pa.types.is_large_binary(t) else ""))\
                ._with_nulls(valid)
        lengths = np.where(valid, lengths, -1)
    return Encoded(lengths=lengths, offsets=offsets, data=data)


def _encoded_with_nulls(self: Encoded, valid: np.ndarray) -> Encoded:
    self.lengths = np.where(valid, self.lengths, -1)
    return self


Encoded._with_nulls = _encoded_with_nulls


def _fixed(values: np.ndarray, dtype: str, valid: np.ndarray | None) -> Encoded:
    width = np.dtype(dtype).itemsize
    raw = np.ascontiguousarray(values.astype(dtype, copy=False)).view(np.uint8).reshape(-1, width)
    lengths = np.full(len(values), width, dtype=np.int64)
    if valid is not None:
        lengths[~valid] = -1
    return Encoded(lengths=lengths, fixed=raw)


def _numpy(arr: pa.Array, fill) -> np.ndarray:
    if arr.null_count:
        arr = pc.fill_null(arr, fill)
    return arr.to_numpy(zero_copy_only=False)


def _strings_from_python(values: list, n: int) -> Encoded:
    return _from_binary_array(pa.array(values, type=pa.binary()))


# --------------------------------------------------------------------------- text format

_HEX = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8)


def _trim_fraction(strings: pa.Array) -> pa.Array:
    """'12:00:00.500000' -> '12:00:00.5'; '12:00:00.000000' -> '12:00:00' (PostgreSQL prints no trailing zeros)."""
    strings = pc.replace_substring_regex(strings, r"(\.\d*?)0+$", r"\1")
    return pc.replace_substring_regex(strings, r"\.$", "")


def text_array(arr: pa.Array) -> pa.Array:
    """A whole column as PostgreSQL's text output, as an Arrow string (or binary) array."""
    t = arr.type
    if isinstance(t, pa.ExtensionType):
        if t.extension_name in ("arrow.uuid", "uuid"):
            return pa.array([None if v is None else str(uuidlib.UUID(bytes=v)) for v in arr.storage.to_pylist()],
                            pa.string())
        arr = arr.storage
        t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return arr
    if pa.types.is_boolean(t):
        return pc.if_else(arr, "t", "f")
    if pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_date(t):
        return pc.cast(arr, pa.string())
    if pa.types.is_floating(t):
        s = pc.cast(pc.cast(arr, pa.float64()) if pa.types.is_float16(t) else arr, pa.string())
        if pc.any(pc.is_nan(arr)).as_py() or pc.any(pc.is_inf(arr)).as_py():
            s = pc.replace_substring(s, "inf", "Infinity")
            s = pc.replace_substring(s, "nan", "NaN")
        return s
    if pa.types.is_timestamp(t):
        if t.tz:
            naive = arr.cast(pa.timestamp(t.unit, tz="UTC")).cast(pa.int64()).cast(pa.timestamp(t.unit))
            s = _trim_fraction(pc.cast(naive, pa.string()))
            return pc.binary_join_element_wise(s, "+00", "")
        return _trim_fraction(pc.cast(arr, pa.string()))
    if pa.types.is_time(t):
        return _trim_fraction(pc.cast(arr, pa.string()))
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) \
            or pa.types.is_binary_view(t):
        return _bytea_hex(arr)
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    # Nested and rare types: per value.
    return pa.array([None if v is None else text_value(v, t) for v in arr.to_pylist()], pa.string())


def _bytea_hex(arr: pa.Array) -> pa.Array:
    enc = _from_binary_array(arr)
    n = len(enc.lengths)
    start = enc.offsets[0]
    body = _HEX[enc.data[start:enc.offsets[-1]]].reshape(-1)
    lengths = np.maximum(enc.lengths, 0)
    new_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths * 2 + 2, out=new_offsets[1:])
    out = np.empty(new_offsets[-1], dtype=np.uint8)
    out[new_offsets[:-1]] = ord("\\")
    out[new_offsets[:-1] + 1] = ord("x")
    if len(body):
        shift = new_offsets[:-1] + 2 - 2 * (enc.offsets[:-1] - start)
        out[np.repeat(shift, lengths * 2) + np.arange(len(body))] = body
    valid = arr.is_valid().buffers()[1] if arr.null_count else None
    result = pa.LargeStringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(out))
    if valid is not None:
        result = pc.if_else(arr.is_valid(), result, pa.scalar(None, pa.large_string()))
    return result


def _quote_array_element(text: str) -> str:
    if text == "" or text.upper() == "NULL" or any(c in text for c in '{},"\\ \t\n\r\x0b\x0c'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def text_value(value, t: pa.DataType) -> str:
    """One value as PostgreSQL's text output (for the rare and nested types only)."""
    t = _base(t)
    if value is None:
        return None
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) or pa.types.is_list_view(t):
        items = []
        for v in value:
            if v is None:
                items.append("NULL")
            elif pa.types.is_list(_base(t.value_type)) or pa.types.is_large_list(_base(t.value_type)):
                items.append(text_value(v, t.value_type))
            else:
                items.append(_quote_array_element(text_value(v, t.value_type)))
        return "{" + ",".join(items) + "}"
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return json.dumps(_jsonable(value), ensure_ascii=False, separators=(", ", ": "))
    if pa.types.is_interval(t) or pa.types.is_duration(t):
        return format_interval(value)
    if pa.types.is_boolean(t):
        return "t" if value else "f"
    if pa.types.is_floating(t):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        text = value.replace(tzinfo=None).isoformat(sep=" ")
        if value.tzinfo is not None:
            text = value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ") + "+00"
        return text
    if isinstance(value, (bytes, bytearray)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, uuidlib.UUID):
        return str(value)
    return str(value)


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(p, tuple) and len(p) == 2 for p in value):  # a map's pairs
            return {str(k): _jsonable(v) for k, v in value}
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time, decimal.Decimal, uuidlib.UUID)):
        return str(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return value


def format_interval(value) -> str:
    """PostgreSQL's 'postgres' IntervalStyle: '1 year 2 mons 3 days 04:05:06.5'."""
    if isinstance(value, dt.timedelta):
        months, days, nanos = 0, value.days, (value.seconds * 1_000_000 + value.microseconds) * 1000
    else:  # pyarrow MonthDayNano
        months, days, nanos = value.months, value.days, value.nanoseconds
    parts = []
    years, mons = divmod(abs(months), 12)
    sign = "-" if months < 0 else ""
    if years:
        parts.append(f"{sign}{years} year{'s' if years != 1 else ''}")
    if mons:
        parts.append(f"{sign}{mons} mon{'s' if mons != 1 else ''}")
    if days:
        parts.append(f"{days} day{'s' if abs(days) != 1 else ''}")
    if nanos or not parts:
        micros = abs(nanos) // 1000
        seconds, micro = divmod(micros, 1_000_000)
        hours, rem = divmod(seconds, 3600)
        minutes, secs = divmod(rem, 60)
        text = f"{'-' if nanos < 0 else ''}{hours:02d}:{minutes:02d}:{secs:02d}"
        if micro:
            text += f".{micro:06d}".rstrip("0")
        parts.append(text)
    return " ".join(parts)


def encode_text(arr: pa.Array) -> Encoded:
    return _from_binary_array(text_array(arr))


# --------------------------------------------------------------------------- binary format


def _interval_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = arr.type
    n = len(arr)
    if pa.types.is_duration(t):
        micros = _numpy(arr.cast(pa.duration("us")).cast(pa.int64()), 0)
        return np.zeros(n, np.int32), np.zeros(n, np.int32), micros
    raw = np.frombuffer(arr.buffers()[1], dtype=np.dtype([("m", "<i4"), ("d", "<i4"), ("ns", "<i8")]),
                        count=n, offset=arr.offset * 16)
    return raw["m"], raw["d"], raw["ns"] // 1000


def encode_binary(arr: pa.Array) -> Encoded:
    """A whole column in PostgreSQL's binary format for the type pg_type_of() reports."""
    t = arr.type
    if isinstance(t, pa.ExtensionType) and t.extension_name in ("arrow.uuid", "uuid"):
        return _from_binary_array(arr.storage)
    if isinstance(t, pa.ExtensionType):
        arr = arr.storage
        t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    valid = _validity(arr)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t) \
            or pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) \
            or pa.types.is_binary_view(t):
        return _from_binary_array(arr)
    if pa.types.is_boolean(t):
        return _fixed(_numpy(arr, False).astype(np.uint8), "u1", valid)
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t):
        return _fixed(_numpy(arr, 0), ">i2", valid)
    if pa.types.is_int32(t) or pa.types.is_uint16(t):
        return _fixed(_numpy(arr, 0), ">i4", valid)
    if pa.types.is_int64(t) or pa.types.is_uint32(t):
        return _fixed(_numpy(arr, 0), ">i8", valid)
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return _fixed(_numpy(arr, 0).astype(np.float32), ">f4", valid)
    if pa.types.is_float64(t):
        return _fixed(_numpy(arr, 0), ">f8", valid)
    if pa.types.is_date(t):
        days = _numpy(arr.cast(pa.date32()).cast(pa.int32()), 0).astype(np.int64) - _PG_EPOCH_DAYS
        return _fixed(days, ">i4", valid)
    if pa.types.is_timestamp(t):
        micros = _numpy(arr.cast(pa.timestamp("us", tz=t.tz)).cast(pa.int64()), 0) - _PG_EPOCH_US
        return _fixed(micros, ">i8", valid)
    if pa.types.is_time(t):
        micros = _numpy(arr.cast(pa.time64("us")).cast(pa.int64()), 0)
        return _fixed(micros, ">i8", valid)
    if pa.types.is_interval(t) or pa.types.is_duration(t):
        months, days, micros = _interval_parts(arr)
        raw = np.empty(len(arr), dtype=[("us", ">i8"), ("d", ">i4"), ("m", ">i4")])
        raw["us"], raw["d"], raw["m"] = micros, days, months
        lengths = np.full(len(arr), 16, dtype=np.int64)
        if valid is not None:
            lengths[~valid] = -1
        return Encoded(lengths=lengths, fixed=raw.view(np.uint8).reshape(-1, 16))
    if pa.types.is_null(t):
        return Encoded(lengths=np.full(len(arr), -1, dtype=np.int64), fixed=np.zeros((len(arr), 0), np.uint8))
    oid, _ = pg_type_of(t)
    values = arr.to_pylist()
    if oid == NUMERIC:
        return _strings_from_python([None if v is None else numeric_binary(v) for v in values], len(values))
    if oid == JSON:
        return _strings_from_python([None if v is None else text_value(v, t).encode() for v in values], len(values))
    if oid in ARRAY_TYPES:
        return _strings_from_python([None if v is None else array_binary(v, t) for v in values], len(values))
    return _strings_from_python([None if v is None else text_value(v, t).encode() for v in values], len(values))


def numeric_binary(value) -> bytes:
    """PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits."""
    value = decimal.Decimal(value)
    if value.is_nan():
        return struct.pack("!hhHh", 0, 0, 0xC000, 0)
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # infinities
        return struct.pack("!hhHh", 0, 0, 0xF000 if sign else 0xD000, 0)
    dscale = max(0, -exponent)
    text = "".join(map(str, digits))
    # integer part and fraction part as strings of decimal digits
    if exponent >= 0:
        int_part, frac_part = text + "0" * exponent, ""
    else:
        int_part = text[:exponent] if len(text) > -exponent else ""
        frac_part = text[exponent:].rjust(-exponent, "0")
    int_part = int_part.lstrip("0")
    pad_int = (-len(int_part)) % 4
    int_part = "0" * pad_int + int_part
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


def _oid_array_binary(values: list) -> bytes:
    if not values:
        return struct.pack("!iiI", 0, 0, OID)
    out = [struct.pack("!iiIii", 1, 1 if None in values else 0, OID, len(values), 1)]
    for v in values:
        out.append(b"\xff\xff\xff\xff" if v is None else struct.pack("!iI", 4, v))
    return b"".join(out)


def _scalar_binary(value, t: pa.DataType) -> bytes:
    arr = pa.array([value], type=t)
    enc = encode_binary(arr)
    if enc.fixed is not None:
        return enc.fixed[0].tobytes()
    return enc.data[enc.offsets[0]:enc.offsets[1]].tobytes()


def array_binary(value: list, t: pa.DataType) -> bytes:
    element_type = _base(t).value_type
    oid, _ = pg_type_of(element_type)
    dims = []
    level = value
    while isinstance(level, list):
        dims.append(len(level))
        level = level[0] if level else None
        if dims[-1] == 0:
            break
    flat = value
    for _ in range(len(dims) - 1):
        flat = [x for sub in flat for x in sub]
    if len(dims) > 1:
        element_type = _base(element_type).value_type
        oid, _ = pg_type_of(element_type)
    if dims == [0]:
        return struct.pack("!iiI", 0, 0, oid)
    has_null = any(v is None for v in flat)
    out = [struct.pack("!iiI", len(dims), 1 if has_null else 0, oid)]
    out += [struct.pack("!ii", d, 1) for d in dims]
    for v in flat:
        if v is None:
            out.append(b"\xff\xff\xff\xff")
        else:
            data = _scalar_binary(v, element_type)
            out.append(struct.pack("!i", len(data)) + data)
    return b"".join(out)


# --------------------------------------------------------------------------- DataRow assembly

_AR4 = np.arange(4, dtype=np.int64)


def _put_int32(out: np.ndarray, positions: np.ndarray, values: np.ndarray) -> None:
    raw = np.ascontiguousarray(values.astype(">i4")).view(np.uint8).reshape(-1, 4)
    out[positions[:, None] + _AR4] = raw


def _arrow_values(c: Encoded, n: int) -> pa.Array:
    """An encoded column as an Arrow large_binary array (zero-copy where the layout allows);
    NULL rows are null entries, which the join below replaces by nothing."""
    valid = c.lengths >= 0
    validity = None if valid.all() else pa.array(valid).buffers()[1]
    if c.fixed is not None:
        width = c.fixed.shape[1]
        raw = np.ascontiguousarray(c.fixed).reshape(-1)
        if width == 0:
            return pa.nulls(n, pa.large_binary()) if validity is not None else pa.array([b""] * n, pa.large_binary())
        fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), n, [validity, pa.py_buffer(raw)])
        return fixed.cast(pa.large_binary())
    offsets = np.ascontiguousarray(c.offsets, dtype=np.int64)
    return pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [validity, pa.py_buffer(offsets),
                                                                   pa.py_buffer(c.data)])


def _int32_column(values: np.ndarray, n: int) -> pa.Array:
    raw = np.ascontiguousarray(values.astype(">i4")).view(np.uint8)
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(4), n, [None, pa.py_buffer(raw)]).cast(pa.large_binary())


_EMPTY = pa.scalar(b"", pa.large_binary())


def encode_data_rows(columns: list[Encoded], n: int) -> memoryview:
    """n DataRow messages for the encoded columns, as one contiguous buffer.

    Every row is 'D', its length, the column count, then per column a length (-1 for NULL) and
    the value's bytes. Arrow's binary_join_element_wise concatenates those pieces for all rows
    at once in C++; the joined array's data buffer is exactly the wire bytes."""
    if not n:
        return memoryview(b"")
    row_len = np.full(n, 6, dtype=np.int64)
    for c in columns:
        row_len += 4 + np.maximum(c.lengths, 0)
    header = np.empty(n, dtype=[("kind", "u1"), ("length", ">i4"), ("count", ">i2")])
    header["kind"] = ord("D")
    header["length"] = row_len
    header["count"] = len(columns)
    parts = [pa.FixedSizeBinaryArray.from_buffers(pa.binary(7), n, [None, pa.py_buffer(header.view(np.uint8))])
             .cast(pa.large_binary())]
    for c in columns:
        parts.append(_int32_column(c.lengths, n))
        parts.append(_arrow_values(c, n))
    joined = pc.binary_join_element_wise(*parts, _EMPTY, null_handling="replace", null_replacement="")
    offsets = joined.buffers()[1]
    first, last = np.frombuffer(offsets, dtype=np.int64, count=2, offset=joined.offset * 8)[0], \
        np.frombuffer(offsets, dtype=np.int64, count=1, offset=(joined.offset + n) * 8)[0]
    return memoryview(joined.buffers()[2])[first:last]


def encode_batch(batch: pa.RecordBatch | pa.Table, formats: list[int] | None,
                 type_oids: dict[int, int] | None = None) -> memoryview:
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks()
        columns = [col.chunk(0) if col.num_chunks == 1 else pa.concat_arrays(col.chunks) if col.num_chunks
                   else pa.array([], col.type) for col in batch.columns]
    else:
        columns = batch.columns
    encoded = []
    for i, col in enumerate(columns):
        if result_format(formats, i) != 1:
            encoded.append(encode_text(col))
        elif type_oids and type_oids.get(i) == OID:
            encoded.append(_fixed(_numpy(col.cast(pa.int64()), 0), ">u4", _validity(col)))
        elif type_oids and type_oids.get(i) == OID_ARRAY:  # catalog results only: a few rows
            encoded.append(_strings_from_python([None if v is None else _oid_array_binary(v) for v in col.to_pylist()],
                                                len(col)))
        else:
            encoded.append(encode_binary(col))
    return encode_data_rows(encoded, batch.num_rows)


def iter_data_rows(table: pa.Table, formats: list[int] | None, batch_rows: int = 65536, type_oids=None):
    """DataRow buffers for a whole table, a bounded batch at a time."""
    for batch in table.to_batches(max_chunksize=batch_rows):
        if batch.num_rows:
            yield encode_batch(batch, formats, type_oids)


# --------------------------------------------------------------------------- parameters (Bind)


def decode_parameter(data: bytes | None, oid: int, fmt: int):
    """A Bind parameter as the Python value the engine binds as a literal."""
    if data is None:
        return None
    if fmt == 0:
        text = data.decode("utf-8")
        if oid in (INT2, INT4, INT8, OID):
            return int(text)
        if oid in (FLOAT4, FLOAT8):
            return float(text)
        if oid == NUMERIC:
            return decimal.Decimal(text)
        if oid == BOOL:
            return text.lower() in ("t", "true", "1", "yes", "on", "y")
        if oid == DATE:
            return dt.date.fromisoformat(text)
        if oid in (TIMESTAMP, TIMESTAMPTZ):
            return _parse_timestamp(text)
        if oid == BYTEA:
            return bytes.fromhex(text[2:]) if text.startswith("\\x") else text.encode()
        if oid in ARRAY_TYPES and text.startswith("{") and text.endswith("}"):
            element = ARRAY_TYPES[oid].element
            return [None if item == "NULL" else decode_parameter(item.strip('"').encode(), element, 0)
                    for item in text[1:-1].split(",") if item != ""]
        return text
    if oid == INT2:
        return struct.unpack("!h", data)[0]
    if oid in (INT4, OID):
        return struct.unpack("!i", data)[0] if oid == INT4 else struct.unpack("!I", data)[0]
    if oid == INT8:
        return struct.unpack("!q", data)[0]
    if oid == FLOAT4:
        return struct.unpack("!f", data)[0]
    if oid == FLOAT8:
        return struct.unpack("!d", data)[0]
    if oid == BOOL:
        return data != b"\0"
    if oid == DATE:
        return dt.date(2000, 1, 1) + dt.timedelta(days=struct.unpack("!i", data)[0])
    if oid in (TIMESTAMP, TIMESTAMPTZ):
        value = dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=struct.unpack("!q", data)[0])
        return value
    if oid == NUMERIC:
        return _numeric_from_binary(data)
    if oid == BYTEA:
        return bytes(data)
    if oid == UUID:
        return str(uuidlib.UUID(bytes=bytes(data)))
    if oid == 3802:  # jsonb: version byte
        return data[1:].decode("utf-8")
    if oid in ARRAY_TYPES:
        return _array_from_binary(bytes(data))
    return data.decode("utf-8")


def _array_from_binary(data: bytes) -> list:
    """A one-dimensional binary array parameter (asyncpg sends oid[] and friends this way)."""
    ndim, _, element = struct.unpack_from("!iiI", data)
    if ndim == 0:
        return []
    if ndim != 1:
        raise ValueError("only one-dimensional array parameters are supported")
    count, _ = struct.unpack_from("!ii", data, 12)
    pos, out = 20, []
    for _ in range(count):
        (length,) = struct.unpack_from("!i", data, pos)
        pos += 4
        if length < 0:
            out.append(None)
            continue
        out.append(decode_parameter(data[pos:pos + length], element, 1))
        pos += length
    return out


def _parse_timestamp(text: str) -> dt.datetime:
    text = text.strip()
    if text.endswith("+00") or text.endswith("-00"):
        text = text[:-3]
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _numeric_from_binary(data: bytes) -> decimal.Decimal:
    ndigits, weight, sign, dscale = struct.unpack_from("!hhHh", data)
    if sign == 0xC000:
        return decimal.Decimal("NaN")
    digits = struct.unpack_from(f"!{ndigits}H", data, 8)
    value = decimal.Decimal(0)
    for i, d in enumerate(digits):
        value += decimal.Decimal(d).scaleb(4 * (weight - i))
    if sign == 0x4000:
        value = -value
    return value.quantize(decimal.Decimal(1).scaleb(-dscale)) if dscale else value.to_integral_value()
