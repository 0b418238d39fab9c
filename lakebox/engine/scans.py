"""From a catalog table (and the partitions that survived pruning) to a DuckDB FROM-clause fragment."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyarrow as pa

from lakebox.catalog import model
from lakebox.catalog.model import Partition, StorageDescriptor, Table
from lakebox.connectors.readers import FormatSpec, scan_sql
from lakebox.dialects.types import duckdb_type
from lakebox.errors import NotSupportedError

HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
FILE_COLUMN = "__lakebox_file"
_names = itertools.count()


# SerDe class names (lower case, in part) that the readers below follow; any other is refused.
_READABLE_SERDES = ("parquet", "orc", "json", "opencsvserde", "lazysimpleserde")


def format_spec(sd: StorageDescriptor, table_parameters: dict[str, str]) -> FormatSpec:
    """Which reader, and how, for data stored as `sd` says (Athena's SerDe rules)."""
    serde = (sd.serde_info.serialization_library or "").lower()
    input_format = (sd.input_format or "").lower()
    params = sd.serde_info.parameters
    header = int(table_parameters.get("skip.header.line.count", "0") or 0)
    compression = table_parameters.get("compressionType") if table_parameters.get("compressionType") != "none" else None
    if serde and not any(known in serde for known in _READABLE_SERDES):
        raise NotSupportedError(f"tables stored with SerDe '{sd.serde_info.serialization_library}' cannot be read "
                                "by lakebox (supported: Parquet, ORC, JSON, LazySimpleSerDe and OpenCSVSerde text)")
    if "parquet" in serde or "parquet" in input_format:
        return FormatSpec("parquet")
    if "orc" in serde or "orc" in input_format:
        return FormatSpec("orc")
    if "json" in serde:
        return FormatSpec("json", compression=compression)
    if "opencsvserde" in serde:
        return FormatSpec("csv", delimiter=params.get("separatorChar", ","), quote=params.get("quoteChar", '"'),
                          escape=params.get("escapeChar", "\\"), header_lines=header, null_format=None,
                          compression=compression)
    if "lazysimpleserde" in serde or "textinputformat" in input_format or not serde:
        delimiter = params.get("field.delim") or params.get("serialization.format") or "\x01"
        if delimiter.isdigit() and len(delimiter) == 1 and "field.delim" not in params:
            delimiter = chr(int(delimiter))  # serialization.format holds a character code, e.g. '1'
        nested = list(FormatSpec.nested)
        for level, key in enumerate(("collection.delim", "mapkey.delim")):  # COLLECTION ITEMS, MAP KEYS
            if params.get(key):
                nested[level] = params[key]
        return FormatSpec("csv", delimiter=delimiter, quote=None, escape=params.get("escape.delim"),
                          header_lines=header, null_format=params.get("serialization.null.format", "\\N"),
                          compression=compression, nested=tuple(nested))
    raise NotSupportedError(f"tables stored with SerDe '{sd.serde_info.serialization_library}' cannot be read "
                            "(supported: Parquet, ORC, JSON, LazySimpleSerDe and OpenCSVSerde text)")


@dataclass
class Scan:
    """The SQL fragment for one table reference plus the Arrow tables it needs registered."""

    sql: str
    registrations: dict[str, pa.Table]
    files: int
    partitions: int | None = None
    partitions_total: int | None = None


def _columns(columns: list[model.Column]) -> list[tuple[str, str]]:
    return [(c.name, duckdb_type(c.type)) for c in columns]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def unpartitioned_scan(con, table: Table, storage) -> Scan:
    files = storage.list_files(table.location) if table.location else []
    spec = format_spec(table.storage_descriptor, table.parameters)
    registrations: dict[str, pa.Table] = {}
    sql = scan_sql(con, spec, files, _columns(table.columns), name_hint=table.name, registrations=registrations)
    return Scan(sql, registrations, len(files))


def partitioned_scan(con, table: Table, partitions: list[Partition], total: int, storage) -> Scan:
    """Scan the files of `partitions` and attach each file's partition values by a join on its path.

    Partition values come from the catalog, never from folder names: a partition may live anywhere.
    """
    data_columns = _columns(table.columns)
    keys = table.partition_keys
    files_by_spec: dict[FormatSpec, list[str]] = {}
    file_rows: dict[str, list[str | None]] = {FILE_COLUMN: []}
    for key in keys:
        file_rows[key.name] = []
    for partition in partitions:
        sd = partition.storage_descriptor if partition.storage_descriptor.serde_info.serialization_library \
            or partition.storage_descriptor.input_format else table.storage_descriptor
        spec = format_spec(sd, table.parameters)
        files = storage.list_files(partition.location) if partition.location else []
        files_by_spec.setdefault(spec, []).extend(files)
        for path in files:
            file_rows[FILE_COLUMN].append(path)
            for key, value in zip(keys, partition.values):
                file_rows[key.name].append(None if value == HIVE_DEFAULT_PARTITION else value)
    mapping_name = f"__lakebox_partitions_{next(_names)}"
    mapping = pa.table({name: pa.array(values, pa.string()) for name, values in file_rows.items()})
    registrations: dict[str, pa.Table] = {mapping_name: mapping}
    if not files_by_spec:
        files_by_spec[format_spec(table.storage_descriptor, table.parameters)] = []
    scans = [scan_sql(con, spec, files, data_columns, with_filename=True, name_hint=table.name,
                      registrations=registrations)
             for spec, files in files_by_spec.items()]
    source = scans[0] if len(scans) == 1 else "(" + " UNION ALL ".join(f"SELECT * FROM {s}" for s in scans) + ")"
    select = [f"s.{_quote(name)}" for name, _ in data_columns]
    select += [f"CAST(p.{_quote(k.name)} AS {duckdb_type(k.type)}) AS {_quote(k.name)}" for k in keys]
    sql = (f"(SELECT {', '.join(select)} FROM {source} AS s "
           f"JOIN {mapping_name} AS p ON s.{_quote(FILE_COLUMN)} = p.{_quote(FILE_COLUMN)})")
    return Scan(sql, registrations, mapping.num_rows, len(partitions), total)
