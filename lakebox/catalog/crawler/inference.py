"""Types as a crawler infers them: from values, from file schemas, and merged across files.

A type is a Glue/Hive scalar type string (``bigint``, ``decimal(10,2)``), ``None`` for "not
known yet" (a JSON ``null``, the items of an empty array), or a tuple for nested types:
``("struct", ((name, type), ...))``, ``("array", item)``, ``("map", key, value)``.
A schema is a list of ``(name, type)`` pairs, in column order.

Conflicting types widen along Glue's order ``boolean < bigint < double < string`` (the
smaller integer types and ``float`` that Parquet and ORC carry sit in between); structs merge
field by field; anything else that disagrees becomes ``string``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Union

Type = Union[str, tuple, None]
Schema = list  # list[tuple[str, Type]]

STRING = "string"
BIGINT = "bigint"
DOUBLE = "double"
BOOLEAN = "boolean"

# Numeric widening order; boolean sits below every number, as in Glue's crawler.
_NUMERIC_RANK = {"boolean": 0, "tinyint": 1, "smallint": 2, "int": 3, "bigint": 4, "float": 5, "double": 6}
_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")

# -------------------------------------------------------------------------------- rendering


def render(t: Type) -> str:
    """The Glue/Hive type string; a type never seen with a value is ``string``."""
    if t is None:
        return STRING
    if isinstance(t, str):
        return t
    kind = t[0]
    if kind == "struct":
        return "struct<" + ",".join(f"{name}:{render(ft)}" for name, ft in t[1]) + ">"
    if kind == "array":
        return f"array<{render(t[1])}>"
    return f"map<{render(t[1])},{render(t[2])}>"


def render_schema(schema: Schema) -> list[tuple[str, str]]:
    return [(name, render(t)) for name, t in schema]


# -------------------------------------------------------------------------------- widening


def widen(a: Type, b: Type) -> Type:
    """The narrowest type that holds values of both ``a`` and ``b``."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    if isinstance(a, str) and isinstance(b, str):
        return _widen_scalars(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        if a[0] == "struct":
            return ("struct", tuple(merge_schemas(list(a[1]), list(b[1]))))
        if a[0] == "array":
            return ("array", widen(a[1], b[1]))
        return ("map", widen(a[1], b[1]), widen(a[2], b[2]))
    return STRING


def _widen_scalars(a: str, b: str) -> str:
    if a in _NUMERIC_RANK and b in _NUMERIC_RANK:
        return a if _NUMERIC_RANK[a] >= _NUMERIC_RANK[b] else b
    da, db = _DECIMAL.fullmatch(a), _DECIMAL.fullmatch(b)
    if da and db:
        (pa, sa), (pb, sb) = (int(x) for x in da.groups()), (int(x) for x in db.groups())
        scale = max(sa, sb)
        precision = min(38, max(pa - sa, pb - sb) + scale)
        return f"decimal({precision},{scale})"
    if (da or db) and (a in _NUMERIC_RANK or b in _NUMERIC_RANK):
        return DOUBLE
    if {a, b} == {"date", "timestamp"}:
        return "timestamp"
    return STRING


def merge_schemas(a: Sequence[tuple[str, Type]], b: Sequence[tuple[str, Type]]) -> Schema:
    """Columns of ``a`` (widened with ``b``'s of the same name, case-insensitively), then the
    columns only ``b`` has, in ``b``'s order."""
    merged: dict[str, list[Any]] = {}
    for name, t in a:
        key = name.lower()
        if key in merged:
            merged[key][1] = widen(merged[key][1], t)
        else:
            merged[key] = [name, t]
    for name, t in b:
        key = name.lower()
        if key in merged:
            merged[key][1] = widen(merged[key][1], t)
        else:
            merged[key] = [name, t]
    return [(name, t) for name, t in merged.values()]


def merge_all(schemas: Iterable[Sequence[tuple[str, Type]]]) -> Schema:
    result: Schema = []
    for schema in schemas:
        result = merge_schemas(result, schema)
    return result


# -------------------------------------------------------------------------------- similarity

#: Two schemas are "similar" (Glue's word) when at least this share of the smaller one's
#: columns also occur in the other. A schema that only gained columns is 100% similar.
SIMILARITY_THRESHOLD = 0.7


def similarity(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = {n.lower() for n in a}, {n.lower() for n in b}
    if not sa or not sb:
        return 1.0 if sa == sb else 0.0
    return len(sa & sb) / min(len(sa), len(sb))


def similar_majority(schemas: Sequence[Sequence[tuple[str, Type]]], weights: Sequence[int] | None = None) -> bool:
    """Glue groups sibling folders into one table "when the majority of schemas at a folder
    level are similar": cluster the schemas greedily and ask whether one cluster holds more
    than half of them (each schema counting ``weights[i]`` times, default once)."""
    weights = list(weights) if weights is not None else [1] * len(schemas)
    total = sum(weights)
    if total <= 1 or len(schemas) <= 1:
        return True
    clusters: list[list] = []  # [names, weight]
    for schema, weight in zip(schemas, weights):
        names = {n.lower() for n, _ in schema}
        for cluster in clusters:
            if similarity(names, cluster[0]) >= SIMILARITY_THRESHOLD:
                cluster[0] = cluster[0] | names
                cluster[1] += weight
                break
        else:
            clusters.append([names, weight])
    return max(weight for _, weight in clusters) * 2 > total


# -------------------------------------------------------------------------------- values

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)


def text_type(value: str) -> Type:
    """The type of one delimited-text field, as Glue's CSV classifier reads it (untrimmed,
    so that a value Hive would not parse stays a string). Empty fields tell nothing."""
    if value == "" or value == "\\N":
        return None
    if _INT.fullmatch(value):
        return BIGINT if _INT64[0] <= int(value) <= _INT64[1] else DOUBLE
    if _FLOAT.fullmatch(value):
        return DOUBLE
    if value.lower() in ("true", "false"):
        return BOOLEAN
    return STRING


def json_type(value: Any) -> Type:
    """The type of one parsed JSON value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return BIGINT if _INT64[0] <= value <= _INT64[1] else DOUBLE
    if isinstance(value, float):
        return DOUBLE
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        item: Type = None
        for v in value:
            item = widen(item, json_type(v))
        return ("array", item)
    if isinstance(value, dict):
        return ("struct", tuple(json_object_schema(value)))
    return STRING


def json_object_schema(obj: dict[str, Any]) -> Schema:
    schema: Schema = []
    for key, value in obj.items():
        schema = merge_schemas(schema, [(_field_name(key), json_type(value))])
    return schema


def _field_name(name: str) -> str:
    return str(name).lower()


# -------------------------------------------------------------------------------- CSV header

#: Glue: except for the last column, header values are shorter than this.
HEADER_MAX_LENGTH = 150
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def valid_column_name(name: str) -> bool:
    """Glue's rule for a column name: 1-255 characters of single-line text."""
    return 0 < len(name) <= 255 and not _CONTROL.search(name)


def csv_schema(rows: Sequence[Sequence[str]]) -> tuple[bool, Schema]:
    """Whether the first row is a header (Glue's heuristics) and the resulting schema.

    The first row is a header when every value in it is a string, valid as a column name
    and (except in the last column) shorter than 150 characters, and the rows below it are
    "sufficiently different": at least one of their columns is not a string. Without a
    header the columns are ``col0``, ``col1``, ... and the first row is data. A last column
    that is empty in every row (a trailing delimiter) is left out.
    """
    width = max(len(r) for r in rows)
    first, rest = rows[0], rows[1:]
    types_rest = _column_types(rest, width)
    header = bool(rest) and _is_header(first, width) and any(t not in (STRING, None) for t in types_rest)
    if header:
        names = [_header_name(first[i] if i < len(first) else "", i) for i in range(width)]
        names = _unique(names)
        types = types_rest
    else:
        names = [f"col{i}" for i in range(width)]
        types = [widen(t, text_type(first[i]) if i < len(first) else None) for i, t in enumerate(types_rest)]
    schema: Schema = [(name, t if t is not None else STRING) for name, t in zip(names, types)]
    body = rest if header else rows
    if width > 1 and all((len(r) < width or r[width - 1] == "") for r in body) and (
        not header or first[width - 1].strip() == ""
    ):
        schema = schema[:-1]  # trailing delimiter on every line
    return header, schema


def _column_types(rows: Sequence[Sequence[str]], width: int) -> list[Type]:
    types: list[Type] = [None] * width
    for row in rows:
        for i, value in enumerate(row[:width]):
            t = text_type(value)
            if t is not None and types[i] != STRING:
                types[i] = widen(types[i], t)
    return types


def _is_header(row: Sequence[str], width: int) -> bool:
    if len(row) < width:
        return False
    for i, value in enumerate(row):
        last = i == width - 1
        if last and value.strip() == "":
            continue  # room for a trailing delimiter
        if text_type(value) != STRING or not valid_column_name(value.strip()):
            return False
        if not last and len(value) >= HEADER_MAX_LENGTH:
            return False
    return True


def _header_name(value: str, index: int) -> str:
    name = value.strip().lower()
    return name if name else f"col{index}"


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        result.append(name)
    return result


# -------------------------------------------------------------------------------- file schemas


def arrow_type(t: Any) -> Type:
    """A pyarrow type (from a Parquet footer or an ORC file) as a Glue type."""
    import pyarrow.types as pat

    if pat.is_dictionary(t):
        return arrow_type(t.value_type)
    if pat.is_boolean(t):
        return BOOLEAN
    if pat.is_int8(t):
        return "tinyint"
    if pat.is_int16(t) or pat.is_uint8(t):
        return "smallint"
    if pat.is_int32(t) or pat.is_uint16(t):
        return "int"
    if pat.is_int64(t) or pat.is_uint32(t) or pat.is_uint64(t):
        return BIGINT
    if pat.is_float16(t) or pat.is_float32(t):
        return "float"
    if pat.is_float64(t):
        return DOUBLE
    if pat.is_decimal(t):
        return f"decimal({t.precision},{t.scale})" if t.precision <= 38 else STRING
    if pat.is_string(t) or pat.is_large_string(t) or getattr(pat, "is_string_view", lambda _: False)(t):
        return STRING
    if pat.is_binary(t) or pat.is_large_binary(t) or pat.is_fixed_size_binary(t):
        return "binary"
    if pat.is_date(t):
        return "date"
    if pat.is_timestamp(t):
        return "timestamp"
    if pat.is_map(t):
        return ("map", arrow_type(t.key_type), arrow_type(t.item_type))
    if pat.is_list(t) or pat.is_large_list(t) or pat.is_fixed_size_list(t):
        return ("array", arrow_type(t.value_type))
    if pat.is_struct(t):
        return ("struct", tuple((_field_name(t.field(i).name), arrow_type(t.field(i).type))
                                for i in range(t.num_fields)))
    return STRING  # time, duration, interval, null: no Hive type holds them better


def arrow_schema(schema: Any) -> Schema:
    return merge_schemas([], [(_field_name(f.name), arrow_type(f.type)) for f in schema])


def avro_type(schema: Any) -> Type:
    """An Avro schema (parsed JSON) as a Glue type, the way Hive's AvroSerDe maps it."""
    if isinstance(schema, list):  # a union: ["null", T] is a nullable T
        branches = [s for s in schema if s != "null"]
        if len(branches) == 1:
            return avro_type(branches[0])
        result: Type = None
        for branch in branches:
            result = widen(result, avro_type(branch))
        return result if result is not None else STRING
    if isinstance(schema, dict):
        logical = schema.get("logicalType")
        kind = schema.get("type")
        if logical == "decimal":
            return f"decimal({schema.get('precision', 10)},{schema.get('scale', 0)})"
        if logical == "date":
            return "date"
        if logical in ("timestamp-millis", "timestamp-micros"):
            return "timestamp"
        if kind == "record":
            return ("struct", tuple(merge_schemas([], [(_field_name(f["name"]), avro_type(f["type"]))
                                                        for f in schema.get("fields", [])])))
        if kind == "array":
            return ("array", avro_type(schema.get("items")))
        if kind == "map":
            return ("map", STRING, avro_type(schema.get("values")))
        if kind == "enum":
            return STRING
        if kind == "fixed":
            return "binary"
        return avro_type(kind)
    return {"null": STRING, "boolean": BOOLEAN, "int": "int", "long": BIGINT, "float": "float",
            "double": DOUBLE, "bytes": "binary", "string": STRING}.get(schema, STRING)
