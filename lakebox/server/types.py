"""Arrow -> PostgreSQL types, and whole-column encoders for the wire's text and binary formats.

A result batch becomes DataRow messages without a Python loop over values: each column is
encoded at once with pyarrow.compute / numpy into (lengths, bytes), and `encode_data_rows`
joins the columns into one buffer of DataRow messages. Nested types are encoded the same way,
level by level: a list column's child values are encoded as one column and joined per list by
the list offsets; numerics are split into base-10000 digits with numpy arithmetic on the
decimals' 128/256-bit integers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import struct
import uuid as uuidlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from duckdb import sqltypes

from lakebox import errors
from lakebox.engine.result import DUCKDB_TYPE_KEY, loses_type
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
    PgType(22, "int2vector", -1, 1006, "A"),
    PgType(20, "int8", 8, 1016, "N"),
    PgType(21, "int2", 2, 1005, "N"),
    PgType(23, "int4", 4, 1007, "N"),
    PgType(24, "regproc", 4, 1008, "N"),
    PgType(25, "text", -1, 1009, "S"),
    PgType(26, "oid", 4, 1028, "N"),
    PgType(30, "oidvector", -1, 1013, "A"),
    PgType(114, "json", -1, 199, "U"),
    PgType(700, "float4", 4, 1021, "N"),
    PgType(701, "float8", 8, 1022, "N"),
    PgType(705, "unknown", -2, 0, "X"),
    PgType(1042, "bpchar", -1, 1014, "S"),
    PgType(1043, "varchar", -1, 1015, "S"),
    PgType(1082, "date", 4, 1182, "D"),
    PgType(1083, "time", 8, 1183, "D"),
    PgType(1114, "timestamp", 8, 1115, "D"),
    PgType(1266, "timetz", 12, 1270, "D"),
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
TIMETZ = 1266
INT2VECTOR, OIDVECTOR = 22, 30
#: the catalog's vector types: element type, printed space-separated, subscripts from 0
_VECTORS = {INT2VECTOR: 21, OIDVECTOR: 26}

_PG_EPOCH_DAYS = 10957  # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86400 * 1_000_000


def _base(t: pa.DataType) -> pa.DataType:
    if isinstance(t, pa.BaseExtensionType):
        return t.storage_type
    if pa.types.is_dictionary(t) or pa.types.is_run_end_encoded(t):
        return t.value_type
    return t


def pg_type_of(t: pa.DataType) -> tuple[int, int]:
    """(type OID, type modifier) a column of Arrow type `t` is described with."""
    if isinstance(t, pa.BaseExtensionType) and t.extension_name in _UUID_NAMES:
        return UUID, -1
    if isinstance(t, pa.BaseExtensionType) and "json" in t.extension_name:
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
    if _is_list(t):
        # lists of lists are multidimensional arrays of the innermost element type
        leaf = t.value_type
        while _is_list(leaf):
            leaf = _base(leaf).value_type
        element, _ = pg_type_of(leaf)
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


# --------------------------------------------------------------------------- whole-column helpers

_LS = pa.large_string()
_NULL_TEXT = pa.scalar(None, _LS)
_UUID_NAMES = ("arrow.uuid", "uuid")


def _is_list(t: pa.DataType) -> bool:
    t = _base(t)
    return (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t))


def _plain(arr: pa.Array) -> pa.Array:
    """Extension arrays as their storage, dictionaries and run-end encodings decoded."""
    if isinstance(arr.type, pa.BaseExtensionType):
        arr = arr.storage
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_run_end_encoded(arr.type):
        arr = pc.run_end_decode(arr)
    return arr


def _ls(piece) -> pa.Array | pa.Scalar:
    """A piece for _cat: a str is a constant; arrays are cast to large_string (numpy arrays first
    to Arrow, so that numbers print as Arrow prints them)."""
    if isinstance(piece, str):
        return pa.scalar(piece, _LS)
    if isinstance(piece, np.ndarray):
        piece = pa.array(piece)
    return piece if piece.type == _LS else piece.cast(_LS)


def _cat(*pieces, sep: str = "", skip_nulls: bool = False) -> pa.Array:
    """Row-wise concatenation of string columns and constants. A NULL piece makes the row NULL, or
    with skip_nulls is left out together with its separator."""
    return pc.binary_join_element_wise(*[_ls(p) for p in pieces], _ls(sep),
                                       null_handling="skip" if skip_nulls else "emit_null")


def _pick(mask: np.ndarray, yes, no) -> pa.Array:
    return pc.if_else(pa.array(mask), _ls(yes), _ls(no))


def _keep_nulls(arr: pa.Array, values: pa.Array) -> pa.Array:
    """`values` with NULL wherever `arr` is NULL."""
    if not arr.null_count:
        return values
    return pc.if_else(arr.is_valid(), values, pa.scalar(None, values.type))


def _fixed_width(arr: pa.Array, width: int) -> np.ndarray:
    """The values buffer of a fixed-width array as an (n, width) uint8 matrix, respecting the slice."""
    n = len(arr)
    buffer = arr.buffers()[1]
    if buffer is None:
        return np.zeros((n, width), np.uint8)
    return np.frombuffer(buffer, np.uint8, count=n * width, offset=arr.offset * width).reshape(n, width)


def _list_parts(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """A list (or map) column's offsets, from 0, and the child values they index.

    A sliced list array keeps its whole child, with offsets into it: the child is sliced to the
    rows' range and the offsets shifted to match."""
    t = arr.type
    if pa.types.is_fixed_size_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        arr = arr.cast(pa.large_list(t.value_field))
    offsets = arr.offsets.to_numpy().astype(np.int64)
    values = arr.values.slice(offsets[0], offsets[-1] - offsets[0])
    return offsets - offsets[0], values


def _join_lists(offsets: np.ndarray, items: pa.Array, sep: str) -> pa.Array:
    """Per list (offsets into `items`), its items joined with `sep`: '' for an empty list."""
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), _ls(items)), _ls(sep))


def _union_values(arr: pa.Array, encode) -> pa.Array:
    """A union column: each child through `encode` (text or JSON), picked row by row by type code."""
    t = arr.type
    n = len(arr)
    codes = np.frombuffer(arr.buffers()[1], np.int8, count=n, offset=arr.offset)
    child_of = np.zeros(128, np.int64)
    child_of[list(t.type_codes)] = np.arange(t.num_fields)
    which = child_of[codes]
    choices = []
    for i in range(t.num_fields):
        values = _ls(encode(arr.field(i)))
        if t.mode == "dense":  # children are compact: move each row's value to the row's position
            offsets = np.frombuffer(arr.buffers()[2], np.int32, count=n, offset=arr.offset * 4)
            values = values.take(pa.array(np.where(which == i, offsets, 0))) if len(values) else pa.nulls(n, _LS)
        choices.append(values)
    return pc.choose(pa.array(which), *choices)


# --------------------------------------------------------------------------- types Arrow lost

# DuckDB exports UUID and JSON as plain strings; the engine marks such result columns with their
# DuckDB type (lakebox.engine.result.DUCKDB_TYPE_KEY) and the strings are turned back into
# arrow.uuid (16 bytes) and arrow.json columns here, so that they are described and encoded as
# PostgreSQL's uuid and json -- inside lists, arrays, structs and maps too.

_NIBBLES = np.full(256, 255, np.uint8)
_NIBBLES[np.frombuffer(b"0123456789abcdef", np.uint8)] = np.arange(16)
_NIBBLES[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16)


def duckdb_types(schema: pa.Schema) -> dict[int, object]:
    """{column index: DuckDB type} for the columns whose strings stand for UUID or JSON values."""
    found = {}
    for i, f in enumerate(schema):
        text = (f.metadata or {}).get(DUCKDB_TYPE_KEY)
        if text is None:
            continue
        try:
            duck = sqltypes.DuckDBPyType(text.decode())
        except Exception:  # a type string DuckDB cannot read back: the column stays text
            continue
        if loses_type(duck):
            found[i] = duck
    return found


def _is_string(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _uuid_from_text(arr: pa.Array) -> pa.Array:
    """Canonical UUID strings ('a0eebc99-9c0b-...', as DuckDB prints them) as binary(16), decoded
    for the whole column with numpy; anything else is parsed value by value."""
    enc = _from_binary_array(arr)
    n = len(arr)
    valid = enc.lengths >= 0
    if not valid.any():
        return pa.nulls(n, pa.binary(16))
    raw = None
    if np.all(enc.lengths[valid] == 36):
        starts = np.where(valid, enc.offsets[:-1], enc.offsets[:-1][valid][0])
        nibbles = _NIBBLES[enc.data[starts[:, None] + _UUID_HEX_COLUMNS]]
        dashes = enc.data[starts[:, None] + np.array([8, 13, 18, 23])]
        if not (nibbles == 255).any() and (dashes == ord("-")).all():
            raw = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    if raw is None:
        return pa.array([None if v is None else uuidlib.UUID(v).bytes for v in arr.to_pylist()], pa.binary(16))
    validity = None if valid.all() else pa.array(valid).buffers()[1]
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), n, [validity, pa.py_buffer(raw.tobytes())])


def restore_column(arr: pa.Array, duck) -> pa.Array:
    """A column DuckDB exported as strings (or with strings inside), with arrow.uuid and
    arrow.json where its DuckDB type `duck` has UUID and JSON. Unions are left as they are."""
    t = arr.type
    if duck.id == "uuid":
        return pa.ExtensionArray.from_storage(pa.uuid(), _uuid_from_text(arr)) if _is_string(t) else arr
    if duck.id == "varchar":
        if str(duck) == "JSON" and _is_string(t):
            return pa.ExtensionArray.from_storage(pa.json_(t), arr)
        return arr
    if not loses_type(duck):
        return arr
    mask = arr.is_null() if arr.null_count else None
    children = [c for _, c in duck.children if not isinstance(c, int)]
    if duck.id == "list" and (pa.types.is_list(t) or pa.types.is_large_list(t)):
        return type(arr).from_arrays(arr.offsets, restore_column(arr.values, children[0]), mask=mask)
    if duck.id == "array" and pa.types.is_fixed_size_list(t):
        size = t.list_size
        values = arr.values.slice(arr.offset * size, len(arr) * size)
        return pa.FixedSizeListArray.from_arrays(restore_column(values, children[0]), size, mask=mask)
    if duck.id == "struct" and pa.types.is_struct(t) and t.num_fields == len(children):
        fields = [restore_column(arr.field(i), c) for i, c in enumerate(children)]
        return pa.StructArray.from_arrays(fields, fields=[t.field(i).with_type(f.type) for i, f in enumerate(fields)],
                                          mask=mask)
    if duck.id == "map" and pa.types.is_map(t):
        keys, items = restore_column(arr.keys, children[0]), restore_column(arr.items, children[1])
        return pa.MapArray.from_arrays(arr.offsets, keys, items, mask=mask)
    return arr


def restored_type(t: pa.DataType, duck) -> pa.DataType:
    return restore_column(pa.array([], t), duck).type


# --------------------------------------------------------------------------- text format

_HEX = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8)


def _trim_fraction(strings: pa.Array) -> pa.Array:
    """'12:00:00.500000' -> '12:00:00.5'; '12:00:00.000000' -> '12:00:00' (PostgreSQL prints no trailing zeros)."""
    strings = pc.replace_substring_regex(strings, r"(\.\d*?)0+$", r"\1")
    return pc.replace_substring_regex(strings, r"\.$", "")


def text_array(arr: pa.Array) -> pa.Array:
    """A whole column as PostgreSQL's text output, as an Arrow string array (NULLs stay NULL)."""
    if not len(arr):
        return pa.array([], _LS)
    t = arr.type
    if isinstance(t, pa.BaseExtensionType) and t.extension_name in _UUID_NAMES:
        return _uuid_text(arr.storage)
    arr = _plain(arr)  # an arrow.json column is its text
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return arr
    if pa.types.is_boolean(t):
        return pc.if_else(arr, "t", "f")
    if pa.types.is_decimal(t):
        return _decimal_text(arr)
    if pa.types.is_integer(t) or pa.types.is_date(t):
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
    if pa.types.is_interval(t) or pa.types.is_duration(t):
        return _interval_text(arr)
    if _is_list(t):
        return _array_text(arr)
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return _keep_nulls(arr, _json_values(arr))
    if pa.types.is_union(t):
        return _union_values(arr, text_array)
    try:  # no type DuckDB returns gets here
        return pc.cast(arr, pa.string())
    except pa.ArrowNotImplementedError:
        raise errors.NotSupportedError(f"values of Arrow type {t} cannot be sent to PostgreSQL clients") from None


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


def _rows_from_matrix(chars: np.ndarray, keep: np.ndarray, arr: pa.Array) -> pa.Array:
    """Strings built in a fixed-width byte matrix: row i is chars[i][keep[i]] (NULL where arr is)."""
    valid = _validity(arr)
    if valid is not None:
        keep &= valid[:, None]
    offsets = np.zeros(len(chars) + 1, np.int64)
    np.cumsum(keep.sum(axis=1), out=offsets[1:])
    validity = None if valid is None else pa.array(valid).buffers()[1]
    return pa.LargeStringArray.from_buffers(len(chars), pa.py_buffer(offsets), pa.py_buffer(chars[keep]), validity)


_UUID_HEX_COLUMNS = np.array([c for c in range(36) if c not in (8, 13, 18, 23)])


def _uuid_text(storage: pa.Array) -> pa.Array:
    """16 bytes -> 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', lower case as PostgreSQL prints it."""
    if not pa.types.is_fixed_size_binary(storage.type):
        storage = storage.cast(pa.binary(16))
    raw = _fixed_width(storage, 16)
    chars = np.full((len(raw), 36), ord("-"), np.uint8)
    chars[:, _UUID_HEX_COLUMNS] = _HEX[raw].reshape(len(raw), 32)
    return _rows_from_matrix(chars, np.ones(chars.shape, bool), storage)


_POWERS4 = np.array([1000, 100, 10, 1], np.int64)


def _decimal_text(arr: pa.Array) -> pa.Array:
    """Decimals as PostgreSQL prints numeric: plain notation with exactly `scale` fraction digits.

    Arrow prints that too, except for small values of a scale above 6, which it writes in
    scientific notation ('0E-10', '1.2E-9'); those rows are written again from their digits."""
    arr = _plain_decimal(arr)
    text = pc.cast(arr, pa.string())
    if arr.type.scale <= 6:
        return text
    scientific = pc.fill_null(pc.match_substring(text, "E"), False)
    if not pc.any(scientific).as_py():
        return text
    plain = _decimal_digits(arr.filter(scientific)).cast(pa.string())
    return pc.replace_with_mask(text, scientific, plain)


def _decimal_digits(arr: pa.Array) -> pa.Array:
    """Decimals (scale > 0) in plain notation, from their base-10000 groups with numpy."""
    scale = arr.type.scale
    groups, negative, fraction = _decimal_groups(arr)
    n, g = groups.shape
    digits = (groups[:, :, None] // _POWERS4 % 10 + ord("0")).astype(np.uint8).reshape(n, 4 * g)
    integer = 4 * (g - fraction)  # digit columns before the decimal point
    chars = np.empty((n, 2 + 4 * g), np.uint8)  # sign, integer digits, '.', fraction digits
    chars[:, 0] = ord("-")
    chars[:, 1:1 + integer] = digits[:, :integer]
    chars[:, 1 + integer] = ord(".")
    chars[:, 2 + integer:] = digits[:, integer:]
    keep = np.zeros(chars.shape, bool)
    keep[:, 0] = negative
    significant = digits[:, :integer] != ord("0")
    significant[:, -1] = True  # the units digit, even when 0
    keep[:, 1:1 + integer] = np.logical_or.accumulate(significant, axis=1)
    keep[:, 1 + integer:2 + integer + scale] = True
    return _rows_from_matrix(chars, keep, arr)


def _interval_text(arr: pa.Array) -> pa.Array:
    """Intervals in PostgreSQL's default 'postgres' IntervalStyle, as its EncodeInterval writes them:
    '1 year 2 mons 3 days 04:05:06.5', '-1 years -2 days +03:00:00', '00:00:00'.

    A unit is plural unless its count is exactly 1, and a positive field right after a negative
    one gets a '+'. Each field is built for the whole column, then the present ones are joined."""
    months, days, micros = _interval_parts(arr)
    years = np.sign(months) * (np.abs(months) // 12)  # C division: both parts keep the sign
    months = months - 12 * years
    before = np.zeros(len(arr), bool)  # the last non-zero field was negative
    fields = []
    for count, unit in ((years, " year"), (months, " mon"), (days, " day")):
        text = _cat(_pick(before & (count > 0), "+", ""), count, unit, _pick(count != 1, "s", ""))
        fields.append(pc.if_else(pa.array(count != 0), text, _NULL_TEXT))
        before = np.where(count != 0, count < 0, before)
    magnitude = np.abs(micros)
    fraction = magnitude % 1_000_000
    sign = pc.if_else(pa.array(micros < 0), _ls("-"), _pick(before, "+", ""))
    fraction_text = pc.utf8_rtrim(pc.utf8_lpad(_ls(fraction), width=6, padding="0"), characters="0")
    clock = _cat(sign, _two_digits(magnitude // 3_600_000_000), ":", _two_digits(magnitude // 60_000_000 % 60),
                 ":", _two_digits(magnitude // 1_000_000 % 60),
                 pc.if_else(pa.array(fraction != 0), _cat(".", fraction_text), _ls("")))
    no_fields = (years == 0) & (months == 0) & (days == 0)
    fields.append(pc.if_else(pa.array(no_fields | (micros != 0)), clock, _NULL_TEXT))
    return _keep_nulls(arr, _cat(*fields, sep=" ", skip_nulls=True))


def _two_digits(values: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(_ls(values), width=2, padding="0")


# What array_out quotes: empty, NULL in any (ASCII) case, or holding {},"\ or white space. (Not
# ascii_upper + equal: pyarrow 26's ascii_upper garbles large_string slices whose offsets start above 0.)
_ARRAY_SPECIAL = r'^$|^[Nn][Uu][Ll][Ll]$|[{},"\\ \t\n\r\x0b\x0c]'


def _array_text(arr: pa.Array) -> pa.Array:
    """PostgreSQL's array output: '{1,2,NULL}', '{}', '{{1,2},{3,4}}', elements quoted as array_out
    quotes them (empty, NULL in any case, or holding {},"\\ or white space: in double quotes with
    \\ and " escaped). The child column is printed whole and joined per list by its offsets."""
    offsets, values = _list_parts(arr)
    items = _ls(text_array(values))
    if not _is_list(values.type):  # inner arrays are printed bare: '{{1,2},{3,4}}'
        special = pc.match_substring_regex(items, _ARRAY_SPECIAL)
        if pc.any(special).as_py():
            quoted = _cat('"', pc.replace_substring_regex(items, r'(["\\])', r"\\\1"), '"')
            items = pc.if_else(special, quoted, items)
    items = pc.fill_null(items, "NULL")
    return _keep_nulls(arr, _cat("{", _join_lists(offsets, items, ","), "}"))


# JSON (structs and maps): the text json.dumps(..., ensure_ascii=False, separators=(", ", ": "))
# gives, built column by column. Strings (and values without a JSON form: decimals, dates, times,
# timestamps, intervals, bytea, uuids) are JSON strings of their PostgreSQL text.

_JSON_CONTROL = [(chr(c), json.dumps(chr(c))[1:-1]) for c in range(32)]  # '\n', '\u0000', ...


def _json_string(text: pa.Array) -> pa.Array:
    text = pc.replace_substring(_ls(text), "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    if pc.any(pc.match_substring_regex(text, r"[\x00-\x1f]")).as_py():
        for char, escaped in _JSON_CONTROL:
            text = pc.replace_substring(text, char, escaped)
    return _cat('"', text, '"')


def _json_values(arr: pa.Array) -> pa.Array:
    """A column as JSON values, NULL as 'null' (the caller decides whether a top-level NULL is SQL NULL)."""
    t = arr.type
    if isinstance(t, pa.BaseExtensionType) and "json" in t.extension_name:
        text = _ls(arr.storage)  # already JSON: embedded as it is
    elif isinstance(t, pa.BaseExtensionType) and t.extension_name in _UUID_NAMES:
        text = _json_string(_uuid_text(arr.storage))
    else:
        arr = _plain(arr)
        t = arr.type
        if pa.types.is_struct(t):
            # '{"a": 1, "b": "x"}': the keys are constants, written once per field
            pieces = ["{"]
            for i, f in enumerate(t):
                key = (", " if i else "") + json.dumps(f.name, ensure_ascii=False) + ": "
                pieces += [key, _json_values(arr.field(i))]
            text = _cat(*pieces, "}") if t.num_fields else pc.fill_null(pa.nulls(len(arr), _LS), "{}")
        elif pa.types.is_map(t):
            offsets, entries = _list_parts(arr)
            keys, items = entries.flatten()
            pairs = _cat(_json_string(text_array(keys)), ": ", _json_values(items))
            text = _cat("{", _join_lists(offsets, pairs, ", "), "}")
        elif _is_list(t):
            offsets, values = _list_parts(arr)
            text = _cat("[", _join_lists(offsets, _json_values(values), ", "), "]")
        elif pa.types.is_union(t):
            text = _union_values(arr, _json_values)
        elif pa.types.is_boolean(t):
            text = pc.if_else(arr, _ls("true"), _ls("false"))
        elif pa.types.is_integer(t):
            text = _ls(pc.cast(arr, pa.string()))
        elif pa.types.is_floating(t):
            # NaN and Infinity as Python's json writes them; '100' as '100.0' so it reads back as a float
            text = _ls(text_array(arr))
            text = pc.if_else(pc.match_substring_regex(text, r"^-?\d+$"), _cat(text, ".0"), text)
        elif pa.types.is_null(t):
            text = pa.nulls(len(arr), _LS)
        else:
            text = _json_string(text_array(arr))
    return pc.fill_null(_keep_nulls(arr, text), "null")


def encode_text(arr: pa.Array) -> Encoded:
    return _from_binary_array(text_array(arr))


# --------------------------------------------------------------------------- binary format


def _interval_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(months, days, microseconds) as int64. A duration is all microseconds, as PostgreSQL keeps a
    difference of timestamps; nanoseconds are truncated towards zero, as the text shows them."""
    t = arr.type
    n = len(arr)
    if pa.types.is_duration(t):
        ticks = _numpy(arr.cast(pa.int64()), 0).astype(np.int64)
        if t.unit == "ns":
            return np.zeros(n, np.int64), np.zeros(n, np.int64), _nanos_to_micros(ticks)
        return np.zeros(n, np.int64), np.zeros(n, np.int64), ticks * {"s": 1_000_000, "ms": 1000, "us": 1}[t.unit]
    raw = _fixed_width(arr, 16).view(np.dtype([("m", "<i4"), ("d", "<i4"), ("ns", "<i8")])).reshape(n)
    return raw["m"].astype(np.int64), raw["d"].astype(np.int64), _nanos_to_micros(raw["ns"].astype(np.int64))


def _nanos_to_micros(nanos: np.ndarray) -> np.ndarray:
    return np.where(nanos < 0, -(-nanos // 1000), nanos // 1000)  # towards zero


def encode_binary(arr: pa.Array) -> Encoded:
    """A whole column in PostgreSQL's binary format for the type pg_type_of() reports."""
    if not len(arr):
        return Encoded(lengths=np.zeros(0, np.int64), offsets=np.zeros(1, np.int64), data=np.zeros(0, np.uint8))
    t = arr.type
    if isinstance(t, pa.BaseExtensionType) and t.extension_name in _UUID_NAMES:
        return _uuid_binary(arr.storage)
    arr = _plain(arr)  # arrow.json: its text
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
    if pa.types.is_uint64(t) or pa.types.is_decimal(t):
        return _numeric_binary(arr)
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
    if _is_list(t):
        return _array_binary(arr, pg_type_of(t)[0])
    # json (structs, maps) and text (unions): the binary format is the text
    return encode_text(arr)


def _uuid_binary(storage: pa.Array) -> Encoded:
    if not pa.types.is_fixed_size_binary(storage.type):
        return _from_binary_array(storage)
    lengths = np.full(len(storage), 16, np.int64)
    valid = _validity(storage)
    if valid is not None:
        lengths[~valid] = -1
    return Encoded(lengths=lengths, fixed=_fixed_width(storage, 16))


# Binary numeric. PostgreSQL's numeric is int16 ndigits, int16 weight, uint16 sign (0x4000 for
# negative), int16 dscale, then ndigits base-10000 digits ("groups") aligned on the decimal point,
# without leading or trailing zero groups; weight is the power of 10000 of the first group.


def _plain_decimal(arr: pa.Array) -> pa.Array:
    """decimal128/256 with a scale >= 0 (decimal32/64 widened; a negative scale made 0)."""
    t = arr.type
    if t.scale < 0:
        precision = t.precision - t.scale
        return arr.cast(pa.decimal128(precision, 0) if precision <= 38 else pa.decimal256(precision, 0))
    if t.byte_width < 16:
        return arr.cast(pa.decimal128(t.precision, t.scale))
    return arr


def _divide_limbs(limbs: np.ndarray, divisor: int) -> np.ndarray:
    """Long division of many multi-word integers at once: `limbs` holds 32-bit words (in uint64
    cells, least significant first) and becomes the quotients; returns the remainders."""
    remainder = np.zeros(len(limbs), np.uint64)
    for i in range(limbs.shape[1] - 1, -1, -1):
        current = (remainder << np.uint64(32)) | limbs[:, i]
        limbs[:, i] = current // np.uint64(divisor)
        remainder = current - limbs[:, i] * np.uint64(divisor)
    return remainder


def _decimal_groups(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, int]:
    """The magnitudes of a decimal column as base-10000 groups aligned on the decimal point, most
    significant first (int64, (n, groups)); whether each value is negative; how many groups are
    fraction. At least one integer group is always there.

    The unscaled two's complement integers are read from the Arrow buffer as 32-bit words and
    divided by 10000 for all rows at once; once every value fits in 64 bits, plain uint64 numpy
    division takes over. The number of passes follows the largest value in the column."""
    t = arr.type
    limbs = _fixed_width(arr, t.byte_width).view("<u4").astype(np.uint64)
    negative = limbs[:, -1] >= np.uint64(1 << 31)
    valid = _validity(arr)
    if valid is not None:  # NULL slots may hold anything
        limbs[~valid] = 0
        negative &= valid
    if negative.any():  # two's complement: |x| = ~x + 1, with the carry across the words
        flipped = limbs[negative] ^ np.uint64(0xFFFFFFFF)
        carry = np.ones(len(flipped), np.uint64)
        for i in range(flipped.shape[1]):
            flipped[:, i] += carry
            carry = flipped[:, i] >> np.uint64(32)
            flipped[:, i] &= np.uint64(0xFFFFFFFF)
        limbs[negative] = flipped
    magnitude = limbs  # (n, words) while some value needs more than 64 bits, then (n,) uint64

    def divide(divisor: int) -> np.ndarray:
        nonlocal magnitude
        if magnitude.ndim == 2:
            used = magnitude.shape[1]
            while used > 2 and not magnitude[:, used - 1].any():  # drop words that are 0 everywhere
                used -= 1
            if used > 2:
                magnitude = magnitude[:, :used]
                return _divide_limbs(magnitude, divisor)
            magnitude = magnitude[:, 0] | (magnitude[:, 1] << np.uint64(32))
        magnitude, remainder = np.divmod(magnitude, np.uint64(divisor))
        return remainder

    scale = t.scale
    fraction = -(-scale // 4)
    groups = []  # least significant first
    if scale % 4:  # the last fraction digits fill a group from its top: 1.5 is 1, 5000
        groups.append(divide(10 ** (scale % 4)) * np.uint64(10 ** (4 - scale % 4)))
    while len(groups) < fraction + 1 or magnitude.any():
        groups.append(divide(10000))
    return np.stack(groups[::-1], axis=1).astype(np.int64), negative, fraction


def _numeric_binary(arr: pa.Array) -> Encoded:
    if not pa.types.is_decimal(arr.type):  # uint64
        arr = arr.cast(pa.decimal128(20, 0))
    arr = _plain_decimal(arr)
    groups, negative, fraction = _decimal_groups(arr)
    n, g = groups.shape
    nonzero = groups != 0
    present = nonzero.any(axis=1)
    first = np.argmax(nonzero, axis=1)
    last = g - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    ndigits = np.where(present, last - first + 1, 0)
    words = np.empty((n, 4 + g), np.int64)  # the header's four int16, then the groups from `first`
    words[:, 0] = ndigits
    words[:, 1] = np.where(present, g - 1 - first - fraction, 0)
    words[:, 2] = np.where(negative, 0x4000, 0)
    words[:, 3] = arr.type.scale
    words[:, 4:] = np.take_along_axis(groups, np.minimum(first[:, None] + np.arange(g), g - 1), axis=1)
    keep = np.arange(4 + g) < 4 + ndigits[:, None]
    valid = _validity(arr)
    if valid is not None:
        keep &= valid[:, None]
    lengths = keep.sum(axis=1) * 2
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if valid is not None:
        lengths[~valid] = -1
    data = (words & 0xFFFF).astype(">u2")[keep].view(np.uint8)
    return Encoded(lengths=lengths, offsets=offsets, data=data)


def _not_rectangular() -> errors.DataError:
    error = errors.DataError("multidimensional arrays must have array expressions with matching dimensions: "
                             "a list column holds lists of lists of different lengths (or NULL lists inside a "
                             "list), which PostgreSQL's binary array format cannot carry")
    error.sqlstate = "2202E"
    return error


def _array_binary(arr: pa.Array, oid: int, element: int | None = None, lower: int = 1) -> Encoded:
    """PostgreSQL's binary array for a list column described as array type `oid`: int32 ndim,
    int32 has-NULL flag, uint32 element OID, int32 size and lower bound (1) per dimension, then each
    element as int32 length (-1: NULL) and its binary value. An empty array has no dimensions.

    Lists of lists are the dimensions of one array and must be rectangular. The elements of all
    rows are encoded as one column, framed with their lengths and joined per row (Arrow's
    binary_join over the composed offsets); the headers are built with numpy."""
    element = element or ARRAY_TYPES[oid].element
    n = len(arr)
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), bool)
    start, end = np.arange(n), np.arange(1, n + 1)  # each row's lists at the current level
    dims = []
    level = arr
    while _is_list(level.type):
        offsets, child = _list_parts(level)
        counts = np.diff(offsets)
        # the size of this dimension: the length of the row's first list here (0 if it has none)
        size = np.where(end > start, counts[np.minimum(start, len(counts) - 1)], 0) if len(counts) \
            else np.zeros(n, np.int64)
        if dims:  # an inner level: every list of a row as long as its first one, none NULL
            row = np.repeat(np.arange(n), end - start)
            ragged = (counts != size[row]) | ~np.asarray(level.is_valid().to_numpy(zero_copy_only=False), bool)
            if np.any(ragged & valid[row]):
                raise _not_rectangular()
        dims.append(size)
        start, end = offsets[start], offsets[end]
        level = child
    own, _ = pg_type_of(level.type)
    if element == OID:  # a catalog oid[] column (lists of uint32)
        enc = _fixed(_numpy(level.cast(pa.int64()), 0), ">u4", _validity(level))
    elif element == INT2 and own != INT2:
        enc = _fixed(_numpy(level.cast(pa.int64()), 0), ">i2", _validity(level))
    elif element == own:
        enc = encode_binary(level)
    else:  # text[]: elements without an array type of their own (json) go as their text
        enc = encode_text(level)
    m = len(level)
    framed = pc.binary_join_element_wise(_int32_column(enc.lengths, m), _arrow_values(enc, m), _EMPTY,
                                         null_handling="replace", null_replacement="")
    bounds = np.append(start, end[-1:]) if n else np.zeros(1, np.int64)
    body = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(bounds, pa.int64()), framed), _EMPTY)

    nulls = np.zeros(m + 1, np.int64)
    np.cumsum(enc.lengths < 0, out=nulls[1:])
    empty = np.any(np.stack(dims) == 0, axis=0)
    width = 3 + 2 * len(dims)
    header = np.empty((n, width), ">i4")
    header[:, 0] = np.where(empty, 0, len(dims))
    header[:, 1] = nulls[end] > nulls[start]
    header[:, 2] = element
    for k, size in enumerate(dims):
        header[:, 3 + 2 * k] = size
        header[:, 4 + 2 * k] = lower
    keep = (np.arange(width) < np.where(empty, 3, width)[:, None]) & valid[:, None]
    header_offsets = np.zeros(n + 1, np.int64)
    np.cumsum(keep.sum(axis=1) * 4, out=header_offsets[1:])
    header_bytes = header.view(np.uint8).reshape(n, width, 4)[keep].reshape(-1)
    headers = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(header_offsets),
                                                                      pa.py_buffer(header_bytes)])
    return _from_binary_array(_keep_nulls(arr, pc.binary_join_element_wise(headers, body, _EMPTY)))


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
        vector = _VECTORS.get(type_oids.get(i)) if type_oids else None
        if vector and _is_list(col.type):  # int2vector, oidvector: '1 2' and 1-D arrays from 0
            encoded.append(_from_binary_array(_vector_text(col)) if result_format(formats, i) != 1
                           else _array_binary(col, 0, vector, lower=0))
        elif result_format(formats, i) != 1:
            encoded.append(encode_text(col))
        elif type_oids and type_oids.get(i) == OID:
            encoded.append(_fixed(_numpy(col.cast(pa.int64()), 0), ">u4", _validity(col)))
        elif type_oids and type_oids.get(i) == OID_ARRAY:
            encoded.append(_array_binary(col, OID_ARRAY))
        else:
            encoded.append(encode_binary(col))
    return encode_data_rows(encoded, batch.num_rows)


def _vector_text(arr: pa.Array) -> pa.Array:
    offsets, values = _list_parts(_plain(arr))
    return _keep_nulls(arr, _join_lists(offsets, pc.fill_null(_ls(text_array(values)), "0"), " "))


def iter_data_rows(table: pa.Table, formats: list[int] | None, batch_rows: int = 65536, type_oids=None):
    """DataRow buffers for a whole table, a bounded batch at a time."""
    for batch in table.to_batches(max_chunksize=batch_rows):
        if batch.num_rows:
            yield encode_batch(batch, formats, type_oids)


# --------------------------------------------------------------------------- parameters (Bind)


class TypedText(str):
    """A parameter value the engine has no Python type for (interval, time, timetz): its text, which
    the statement reads through a CAST to `sql_type` (see PgSession: `$n` becomes CAST(? AS type))."""

    sql_type: str

    def __new__(cls, text: str, sql_type: str):
        value = super().__new__(cls, text)
        value.sql_type = sql_type
        return value

    def __reduce__(self):
        return TypedText, (str(self), self.sql_type)


_TEXT_TYPED = {INTERVAL: "INTERVAL", TIME: "TIME", TIMETZ: "TIMETZ"}


def decode_parameter(data: bytes | None, oid: int, fmt: int):
    """A Bind parameter as the Python value the engine binds as a literal."""
    if data is None:
        return None
    if oid in _TEXT_TYPED:
        return _typed_text(data, oid, fmt)
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


def _typed_text(data: bytes, oid: int, fmt: int) -> TypedText:
    """interval, time and timetz parameters, text or binary, as text DuckDB reads back exactly.

    Binary interval: int64 microseconds, int32 days, int32 months. Binary time: int64 microseconds
    since midnight; timetz adds an int32 zone offset in seconds west of UTC."""
    if fmt == 0:
        text = data.decode("utf-8").strip()
        if oid == INTERVAL:
            text = _interval_input(text)
        return TypedText(text, _TEXT_TYPED[oid])
    if oid == INTERVAL:
        micros, days, months = struct.unpack("!qii", data)
        return TypedText(f"{months} months {days} days {micros} microseconds", "INTERVAL")
    micros = struct.unpack_from("!q", data)[0]
    seconds, fraction = divmod(micros, 1_000_000)
    text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" + (f".{fraction:06d}" if fraction else "")
    if oid == TIMETZ:
        offset = -struct.unpack_from("!i", data, 8)[0]  # PostgreSQL keeps seconds west of UTC
        sign, offset = ("-" if offset < 0 else "+"), abs(offset)
        text += f"{sign}{offset // 3600:02d}:{offset // 60 % 60:02d}" + (f":{offset % 60:02d}" if offset % 60 else "")
    return TypedText(text, _TEXT_TYPED[oid])


_ISO_DURATION = re.compile(r"^(-)?P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?"
                           r"(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$", re.I)


def _interval_input(text: str) -> str:
    """PostgreSQL interval input DuckDB does not read, rewritten: ISO 8601 durations ('P1Y2M3DT4H')
    and '+' signs ('-1 days +03:00:00', as PostgreSQL prints intervals)."""
    iso = _ISO_DURATION.match(text)
    if iso and any(iso.groups()[1:]):
        sign = -1 if iso.group(1) else 1
        units = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
        return " ".join(f"{sign * decimal.Decimal(v)} {u}" for v, u in zip(iso.groups()[1:], units) if v) \
            or "0 seconds"
    return re.sub(r"(^|\s)\+(?=\d)", r"\1", text)


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
    """One binary numeric parameter, exactly (integer arithmetic: no decimal context rounding)."""
    ndigits, weight, sign, dscale = struct.unpack_from("!hhHh", data)
    if sign in _NUMERIC_SPECIAL:
        return decimal.Decimal(_NUMERIC_SPECIAL[sign])
    unscaled = 0
    for group in struct.unpack_from(f"!{ndigits}H", data, 8):
        unscaled = unscaled * 10000 + group
    exponent = 4 * (weight - ndigits + 1)  # of the last group's units digit
    if exponent + dscale >= 0:
        unscaled *= 10 ** (exponent + dscale)
    else:  # digits beyond dscale (zeros filling the last group)
        unscaled //= 10 ** -(exponent + dscale)
    return decimal.Decimal((1 if sign == 0x4000 else 0, tuple(int(c) for c in str(unscaled)), -dscale))


_NUMERIC_SPECIAL = {0xC000: "NaN", 0xD000: "Infinity", 0xF000: "-Infinity"}
