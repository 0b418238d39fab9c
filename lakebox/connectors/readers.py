"""File scans as DuckDB SQL, with the semantics of Athena's (Hive's) readers.

``scan_sql`` turns a list of files and a table's columns into a parenthesised SELECT that
yields exactly those columns, typed, in order. Each format follows its Hive SerDe:

* Parquet: by name, case-insensitively; columns missing from a file (or from every file)
  read as NULL. Local files are grouped by their (cached) footer schema, one ``read_parquet``
  per group; each stays a plain projection (of CASTs where types differ) so that DuckDB still
  pushes projections and filters into the Parquet reader.
* Text (LazySimpleSerDe / OpenCSVSerde): by position, all fields read as VARCHAR and then
  converted the way Hive does: an unparsable value becomes NULL.
* JSON lines (JsonSerDe): keys matched case-insensitively, at every nesting level.
* ORC: DuckDB has no ORC reader, so files are opened with pyarrow and registered on the
  connection (the registered names start with ``__lakebox_orc_``): local files as lazily scanned
  pyarrow datasets, remote objects fetched whole.
"""

from __future__ import annotations

import functools
import itertools
import os
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from lakebox.errors import NotSupportedError, OperationalError, ProgrammingError

FILE_COLUMN = "__lakebox_file"

_INTEGERS = {"tinyint", "smallint", "integer", "bigint", "hugeint"}
_INTEGERS |= {"u" + name for name in _INTEGERS}
_TEXT_CODECS = {"gzip": "gzip", "gz": "gzip", "zstd": "zstd", "zst": "zstd", "none": "none", "uncompressed": "none"}
# Hadoop codecs DuckDB cannot decompress: refuse rather than return garbage rows.
_UNSUPPORTED_EXTENSIONS = {".snappy", ".bz2", ".lz4", ".deflate", ".lzo", ".br", ".lzma", ".xz"}
# LazySimpleSerDe's separators below the field delimiter, by nesting level: collection
# items, map keys, then \x04 to \x08 for deeper levels (Hive's defaults).
_NESTED_SEPARATORS = ["\x02", "\x03", "\x04", "\x05", "\x06", "\x07", "\x08"]
# DuckDB cannot switch nullstr off; OpenCSVSerde has no null string, so use one that never occurs.
_NO_NULL_STRING = "\ue000lakebox:no-null\ue000"
_orc_ids = itertools.count()

Typed = list[tuple[str, Any]]  # (column name, parsed DuckDB type)


@dataclass(frozen=True)
class FormatSpec:
    kind: str  # 'parquet' | 'csv' | 'json' | 'orc'
    delimiter: str = ","  # csv
    quote: str | None = None  # csv: None means no quoting (LazySimpleSerDe); '"' for OpenCSVSerde
    escape: str | None = None  # csv; with quote set, None means quotes are doubled ("")
    header_lines: int = 0  # skip.header.line.count
    null_format: str | None = None  # csv; None means LazySimpleSerDe's '\N' (no null string with quote)
    compression: str | None = None  # optional hint; otherwise inferred from the file extension
    nested: tuple[str, ...] = tuple(_NESTED_SEPARATORS)  # csv: collection items, map keys, deeper levels


def scan_sql(
    con: duckdb.DuckDBPyConnection,
    spec: FormatSpec,
    files: list[str],
    columns: list[tuple[str, str]],
    *,
    with_filename: bool = False,
    name_hint: str = "t",
    registrations: dict[str, Any] | None = None,
) -> str:
    """A ``(SELECT ...)`` usable after FROM that reads ``files`` as the typed ``columns``.

    ``columns`` are (lower-case name, DuckDB type) pairs. With ``with_filename`` a last
    column ``__lakebox_file`` holds each row's file exactly as given in ``files``. Formats read
    into memory (ORC) put their Arrow tables into ``registrations`` for the caller to register
    for the query's lifetime; without it they are registered on ``con`` for good.
    """
    if not columns and not with_filename:
        raise ProgrammingError("a scan needs at least one column")
    types = [(name, _parse_type(t)) for name, t in columns]
    kind = spec.kind.lower()
    if kind not in _READERS:
        raise NotSupportedError(f"unsupported file format {spec.kind!r}")
    if not files:
        return _empty(types, with_filename)
    if kind == "orc":
        return _orc(con, spec, files, types, with_filename, name_hint, registrations)
    return _READERS[kind](con, spec, files, types, with_filename, name_hint)


# -- Parquet -------------------------------------------------------------------------------


def _parquet(con: Any, spec: FormatSpec, files: list[str], types: Typed, with_filename: bool, hint: str) -> str:
    options = ["hive_partitioning = false"]
    # Old Hive/Impala writers store strings as un-annotated BINARY; Athena reads them as
    # strings unless the table really declares a binary column.
    if not any(_contains(t, "blob") for _, t in types):
        options.append("binary_as_string = true")
    if with_filename:
        options.append(f"filename = {_lit(FILE_COLUMN)}")
    footers = _local_footers(con, files, options)
    if footers is not None:
        return _parquet_by_footer(files, footers, types, options, with_filename)
    # Remote objects: union_by_name lines columns up by name (case-insensitively) across files and
    # fills a column missing from some files with NULL. A column missing from *every* file would
    # be a binder error, so an empty branch supplies every name; DuckDB drops that branch at
    # optimisation time, leaving CASTs straight over the Parquet scan (pushdown intact).
    options.insert(0, "union_by_name = true")
    nulls = ", ".join(f"NULL AS {_ident(name)}" for name, _ in types) or f"NULL AS {_ident(FILE_COLUMN)}"
    source = (
        f"SELECT * FROM read_parquet({_list(files)}, {', '.join(options)}) "
        f"UNION ALL BY NAME SELECT {nulls} WHERE false"
    )
    select = [f"CAST(q.{_ident(name)} AS {t}) AS {_ident(name)}" for name, t in types]
    return _select(select, with_filename, f"({source}) AS q")


Footer = dict[str, tuple[str, str]]  # lower-case column name -> (name in the file, DuckDB type)


def _parquet_by_footer(files: list[str], footers: list[Footer], types: Typed, options: list[str],
                       with_filename: bool) -> str:
    """Files grouped by footer schema, one plain read_parquet per group, UNION ALL between groups.

    When every file holds every column with exactly the table's type, that is a bare scan, which
    is what DuckDB plans fastest (no wrapper, no casts); queries name columns explicitly after
    qualification, so columns a file has beyond the table's never reach a result. Otherwise each
    group maps its own columns onto the table's (by name, case-insensitively; NULL when absent)."""
    groups: dict[tuple, list[str]] = {}
    for path, footer in zip(files, footers):
        groups.setdefault(tuple(sorted(footer.items())), []).append(path)
    if len(groups) == 1 and all(footers[0].get(name, ("", None))[1] == str(t) for name, t in types):
        return f"read_parquet({_list(files)}, {', '.join(options)})"
    parts = []
    for key, paths in groups.items():
        footer = dict(key)
        select = []
        for name, t in types:
            found = footer.get(name)
            if found is None:
                select.append(f"CAST(NULL AS {t}) AS {_ident(name)}")
            elif found[1] == str(t):
                select.append(f"q.{_ident(found[0])} AS {_ident(name)}")
            else:
                select.append(f"CAST(q.{_ident(found[0])} AS {t}) AS {_ident(name)}")
        if with_filename:
            select.append(f"q.{_ident(FILE_COLUMN)}")
        parts.append(f"SELECT {', '.join(select)} FROM read_parquet({_list(paths)}, {', '.join(options)}) AS q")
    return "(" + " UNION ALL ".join(parts) + ")"


# Footer schemas of local Parquet files, keyed by (path, size, mtime): a file that changes gets a
# new key, so the cache never answers for data it has not seen.
_FOOTERS: dict[tuple[str, int, int], Footer] = {}
_FOOTER_CACHE_LIMIT = 100_000


def _local_footers(con: Any, files: list[str], options: list[str]) -> list[Footer] | None:
    """Each local file's footer schema (cached); None for remote objects or an unreadable file."""
    if any("://" in f for f in files):
        return None  # remote objects: no cheap change detection, take the general path
    footers = []
    for path in files:
        try:
            info = os.stat(path)
        except OSError:
            return None
        key = (path, info.st_size, info.st_mtime_ns)
        footer = _FOOTERS.get(key)
        if footer is None:
            describe = f"DESCRIBE SELECT * FROM read_parquet({_lit(path)}, {', '.join(o for o in options if 'filename' not in o)})"
            cursor = con.cursor()  # its own cursor: the caller's connection may hold a pending result
            try:
                described = cursor.execute(describe).fetchall()
            except duckdb.Error:
                return None  # let the general path report the file's problem when the query runs
            finally:
                cursor.close()
            footer = {}
            for row in described:
                footer.setdefault(row[0].lower(), (row[0], row[1]))
            if len(_FOOTERS) >= _FOOTER_CACHE_LIMIT:
                _FOOTERS.clear()
            _FOOTERS[key] = footer
        footers.append(footer)
    return footers


# -- Text: LazySimpleSerDe and OpenCSVSerde -------------------------------------------------


def _csv(con: Any, spec: FormatSpec, files: list[str], types: Typed, with_filename: bool, hint: str) -> str:
    if spec.quote is None:  # LazySimpleSerDe: no quoting; '\N' is NULL unless told otherwise
        quote, escape = "", spec.escape or ""
        null = "\\N" if spec.null_format is None else spec.null_format
    else:  # OpenCSVSerde: empty fields are empty strings; "" inside quotes if no escape
        quote, escape = spec.quote, spec.escape or spec.quote
        null = _NO_NULL_STRING if spec.null_format is None else spec.null_format
    fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(max(len(types), 1)))
    options = [
        f"columns = {{{fields}}}",
        "header = false",
        "auto_detect = false",
        f"skip = {int(spec.header_lines)}",  # DuckDB skips these in every file, like Hive
        f"delim = {_lit(spec.delimiter)}",
        f"quote = {_lit(quote)}",
        f"escape = {_lit(escape)}",
        f"nullstr = {_lit(null)}",
        "null_padding = true",  # missing trailing fields -> NULL
        "strict_mode = false",  # extra trailing fields are ignored instead of failing the row
        "hive_partitioning = false",
        f"compression = {_lit(_text_compression(spec, files))}",
    ]
    if quote:
        # DuckDB's parallel scanner cannot pad rows whose quoted fields span lines.
        options.append("parallel = false")
    if with_filename:
        options.append(f"filename = {_lit(FILE_COLUMN)}")
    select = [f"{_text_value(f'q.c{i}', t, 0, null, spec.nested)} AS {_ident(name)}"
              for i, (name, t) in enumerate(types)]
    return _select(select, with_filename, f"read_csv({_list(files)}, {', '.join(options)}) AS q")


def _text_value(field: str, t: Any, level: int, null: str, nested: Sequence[str] = tuple(_NESTED_SEPARATORS)) -> str:
    """A text field as type ``t``; complex types are split on Hive's nested separators."""
    if t.id not in ("list", "array", "map", "struct"):
        return _text_cast(field, t)
    if level + 1 >= len(nested):
        raise NotSupportedError(f"type {t} nests too deeply for a text file")
    sep, y = _lit(nested[level]), f"y{level}"

    def element(expr: str, et: Any, lvl: int) -> str:  # nested fields equal to the null format are NULL
        return f"CASE WHEN {expr} IS DISTINCT FROM {_lit(null)} THEN {_text_value(expr, et, lvl, null, nested)} END"

    # Hive reads an empty field as an empty array or map.
    items = f"CASE WHEN {field} = '' THEN []::VARCHAR[] ELSE string_split({field}, {sep}) END"
    if t.id == "struct":
        fields = ", ".join(
            f"{_ident(name)} := {element(f'{y}[{i + 1}]', ft, level + 1)}" for i, (name, ft) in enumerate(t.children)
        )
        return _bind(f"string_split({field}, {sep})", y, f"CASE WHEN {y} IS NOT NULL THEN struct_pack({fields}) END")
    if t.id in ("list", "array"):
        return f"list_transform({items}, lambda {y}: {element(y, t.children[0][1], level + 1)})"
    (_, kt), (_, vt) = t.children
    # A map entry is key, separator, value; no separator means a NULL value. Like Hive,
    # entries with a NULL key are dropped and the first of duplicate keys wins.
    ksep = _lit(nested[level + 1])
    key = f"split_part({y}, {ksep}, 1)"
    value = f"CASE WHEN strpos({y}, {ksep}) > 0 THEN substr({y}, strpos({y}, {ksep}) + 1) END"
    entry = f"{{'key': {element(key, kt, level + 2)}, 'value': {element(value, vt, level + 2)}}}"
    z, i = f"z{level}", f"i{level}"
    first = f"{y}.key IS NOT NULL AND list_position(list_transform({z}, lambda {y}: {y}.key), {y}.key) = {i}"
    body = f"map_from_entries(list_filter({z}, lambda {y}, {i}: {first}))"
    return _bind(f"list_transform({items}, lambda {y}: {entry})", z, body)


def _text_cast(field: str, t: Any) -> str:
    """Hive's text conversions: anything that does not parse becomes NULL."""
    tid = t.id
    if tid == "varchar":
        return field
    if tid in _INTEGERS:  # Hive takes digits only: no '1.5', '1e3', '0x10' or spaces
        return f"CASE WHEN regexp_full_match({field}, '[+-]?[0-9]+') THEN TRY_CAST({field} AS {t}) END"
    if tid == "boolean":  # only true/false, in any case
        return f"CASE lower({field}) WHEN 'true' THEN true WHEN 'false' THEN false END"
    if tid == "blob":  # Hive stores binary as base64 text, and falls back to the raw bytes
        return f"COALESCE(TRY(from_base64({field})), encode({field}))"
    return f"TRY_CAST({field} AS {t})"


def _text_compression(spec: FormatSpec, files: list[str]) -> str:
    if spec.compression:
        codec = _TEXT_CODECS.get(spec.compression.lower())
        if codec is None:
            raise NotSupportedError(f"unsupported compression {spec.compression!r} for text files")
        return codec
    for f in files:
        ext = posixpath.splitext(f)[1].lower()
        if ext in _UNSUPPORTED_EXTENSIONS:
            raise NotSupportedError(f"cannot read {f}: {ext[1:]} compression is not supported (use gzip or zstd)")
    return "auto"  # DuckDB picks gzip/zstd per file from the extension


# -- JSON lines ----------------------------------------------------------------------------


def _json(con: Any, spec: FormatSpec, files: list[str], types: Typed, with_filename: bool, hint: str) -> str:
    # DuckDB's JSON reader matches keys case-sensitively, JsonSerDe does not. So each line is
    # read as a JSON object and split once into its values and lower-cased keys (in the same
    # order); a column is the value at the position of its name. Nested structs do the same.
    options = ["hive_partitioning = false", f"compression = {_lit(_text_compression(spec, files))}"]
    if with_filename:
        options.append(f"filename = {_lit(FILE_COLUMN)}")
    values, keys = _json_split("json", 0)
    file = f", {_ident(FILE_COLUMN)}" if with_filename else ""
    rows = f"SELECT {values} AS v, {keys} AS k{file} FROM read_ndjson_objects({_list(files)}, {', '.join(options)})"
    select = [f"CAST({_json_value(_json_key('q', name), t, 0)} AS {t}) AS {_ident(name)}" for name, t in types]
    return _select(select, with_filename, f"({rows}) AS q")


def _json_split(obj: str, depth: int) -> tuple[str, str]:
    """An object's values and its lower-cased keys, as two position-aligned lists."""
    k = f"k{depth}"
    return f"json_extract({obj}, '$.*')", f"list_transform(json_keys({obj}), lambda {k}: lower({k}))"


def _json_key(split: str, key: str) -> str:
    """The value of ``key`` (any case; the first of duplicates) in a split object."""
    return f"{split}.v[list_position({split}.k, {_lit(key.lower())})]"


def _json_value(j: str, t: Any, depth: int) -> str:
    """Convert the JSON expression ``j`` to type ``t``."""
    if not _contains(t, "struct"):
        # json_transform is lenient like JsonSerDe: "5" -> 5, objects -> their text for
        # strings, and values that do not fit -> NULL.
        return f"json_transform({j}, {_lit(json.dumps(str(t)))})"
    d = depth + 1
    if t.id == "struct":
        o, p = f"o{d}", f"p{d}"
        fields = ", ".join(f"{_ident(name)} := {_json_value(_json_key(p, name), ft, d)}" for name, ft in t.children)
        split = "{{'v': {}, 'k': {}}}".format(*_json_split(o, d))
        split = f"CASE WHEN json_type({o}) = 'OBJECT' THEN {split} END"
        body = _bind(split, p, f"CASE WHEN {p} IS NOT NULL THEN struct_pack({fields}) END")
        return _bind(j, o, body)
    if t.id in ("list", "array"):
        x = f"x{d}"
        return f"list_transform(TRY_CAST({j} AS JSON[]), lambda {x}: {_json_value(x, t.children[0][1], d)})"
    if t.id == "map":
        (_, kt), (_, vt) = t.children
        e = f"e{d}"
        entry = f"{{'key': TRY_CAST({e}.key AS {kt}), 'value': {_json_value(f'{e}.value', vt, d)}}}"
        entries = f"map_entries(TRY_CAST({j} AS MAP(VARCHAR, JSON)))"
        return f"map_from_entries(list_transform({entries}, lambda {e}: {entry}))"
    raise NotSupportedError(f"cannot read type {t} from JSON")


def _bind(value: str, name: str, body: str) -> str:
    """``body`` with ``name`` bound to ``value``, evaluated once (SQL has no LET)."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def _contains(t: Any, type_id: str) -> bool:
    """Whether type ``t`` is, or nests, a type with this id ('struct', 'blob', ...)."""
    if t.id == type_id:
        return True
    return t.id in ("struct", "list", "array", "map") and any(_contains(c, type_id) for _, c in t.children)


# -- ORC -----------------------------------------------------------------------------------


def _orc(con: Any, spec: FormatSpec, files: list[str], types: Typed, with_filename: bool, hint: str,
         registrations: dict[str, Any] | None = None) -> str:
    base = "__lakebox_orc_" + re.sub(r"\W", "_", hint) + f"_{next(_orc_ids)}"
    parts = []
    for i, path in enumerate(files):
        table, present = _read_orc(con, path, [name for name, _ in types])
        name = f"{base}_{i}"
        if registrations is None:
            con.register(name, table)
        else:
            registrations[name] = table
        select = [
            f"CAST({_ident(present[col]) if col in present else 'NULL'} AS {t}) AS {_ident(col)}" for col, t in types
        ]
        if with_filename:
            select.append(f"{_lit(path)} AS {_ident(FILE_COLUMN)}")
        parts.append(f"SELECT {', '.join(select)} FROM {_ident(name)}")
    return "(" + " UNION ALL ".join(parts) + ")"


def _read_orc(con: Any, path: str, wanted: list[str]) -> tuple[Any, dict[str, str]]:
    """One ORC file as something DuckDB can scan, and the map from column name to file column.

    A local file becomes a pyarrow dataset: DuckDB pushes projections and filters into its scanner
    and reads it in batches, so nothing is held in memory. A remote object is fetched through
    DuckDB's filesystems (s3fs when registered) and only its wanted columns are kept."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.orc as orc

    try:
        if "://" not in path:
            dataset = ds.dataset(path, format="orc")
            return dataset, _orc_columns(dataset.schema.names, wanted)
        cursor = con.cursor()  # leaves any result pending on ``con`` alone
        try:
            blob = cursor.execute("SELECT content FROM read_blob(?)", [path]).fetchall()[0][0]
        finally:
            cursor.close()
        reader = orc.ORCFile(pa.BufferReader(blob))
        present = _orc_columns(reader.schema.names, wanted)
        table = reader.read(columns=sorted(set(present.values())))
        if table.num_columns == 0:  # DuckDB needs a column to count rows
            table = pa.table({"__lakebox_rows": pa.nulls(reader.nrows)})
        return table, present
    except (OSError, pa.ArrowException, duckdb.Error) as exc:
        raise OperationalError(f"cannot read ORC file {path}: {exc}") from exc


def _orc_columns(names: list[str], wanted: list[str]) -> dict[str, str]:
    if names and all(re.fullmatch(r"_col\d+", n) for n in names):
        # Files written by old Hive versions carry no real names: match by position.
        return {col: names[i] for i, col in enumerate(wanted) if i < len(names)}
    by_lower = {n.lower(): n for n in names}
    return {col: by_lower[col] for col in wanted if col in by_lower}


# -- shared --------------------------------------------------------------------------------


_READERS = {"parquet": _parquet, "csv": _csv, "json": _json, "orc": _orc}


def _empty(types: Typed, with_filename: bool) -> str:
    select = [f"CAST(NULL AS {t}) AS {_ident(name)}" for name, t in types]
    if with_filename:
        select.append(f"CAST(NULL AS VARCHAR) AS {_ident(FILE_COLUMN)}")
    return f"(SELECT {', '.join(select)} WHERE false)"


def _select(select: Sequence[str], with_filename: bool, source: str) -> str:
    columns = [*select, f"q.{_ident(FILE_COLUMN)}"] if with_filename else list(select)
    return f"(SELECT {', '.join(columns)} FROM {source})"


@functools.lru_cache(maxsize=4096)
def _parse_type(text: str) -> Any:
    # Cached: asking DuckDB to parse a type costs more than the rest of a scan's planning.
    try:
        return duckdb.sqltype(text)
    except duckdb.Error as exc:
        raise ProgrammingError(f"unknown column type {text!r}") from exc


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(files: Sequence[str]) -> str:
    return "[" + ", ".join(_lit(f) for f in files) + "]"
