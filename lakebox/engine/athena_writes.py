"""Athena's writes into tables over files: CREATE TABLE AS (CTAS) and INSERT INTO.

Both run the query through the binder (Athena's semantics), then write new files with DuckDB's
``COPY (...) TO`` (ORC with pyarrow, which DuckDB cannot write) into the table's location, one folder
per partition (``key=value/``, Hive's escaping, NULL as ``__HIVE_DEFAULT_PARTITION__``), every file
under a new unique name. The catalog changes (the table, new partitions) are one catalog transaction
made after the files are written; if anything fails, the files written so far are removed and the
catalog is left as it was.

https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html
https://docs.aws.amazon.com/athena/latest/ug/insert-into.html
"""

from __future__ import annotations

import datetime as dt
import re
import itertools
import time
import uuid
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
from sqlglot import exp

from lakebox import errors
from lakebox.catalog import model
from lakebox.catalog.model import Column, Partition, SerDeInfo, StorageDescriptor, Table
from lakebox.dialects.types import duckdb_type, glue_type_from_duckdb
from lakebox.engine import scans
from lakebox.engine.names import creation_name, lookup_table, qualified_name
from lakebox.engine.result import Result, status_result

HIVE_DEFAULT_PARTITION = scans.HIVE_DEFAULT_PARTITION
#: Athena's limit on the partitions one CTAS or INSERT INTO writes (ctas-insert-into.html).
MAX_PARTITIONS = 100
#: Where a CTAS without external_location writes when LAKEBOX_ATHENA_OUTPUT_LOCATION is not set: Athena
#: uses the workgroup's query result location, `<results>/tables/<query id>/`.
DEFAULT_OUTPUT_LOCATION = "s3://lakebox-athena-query-results/"
_names = itertools.count()

# format -> (input format, output format, SerDe, classification, default write compression)
_FORMATS = {
    "PARQUET": (model.PARQUET_INPUT, model.PARQUET_OUTPUT, model.PARQUET_SERDE, "parquet", "GZIP"),
    "ORC": (model.ORC_INPUT, model.ORC_OUTPUT, model.ORC_SERDE, "orc", "ZLIB"),
    "TEXTFILE": (model.TEXT_INPUT, model.TEXT_OUTPUT, model.LAZY_SIMPLE_SERDE, "csv", "GZIP"),
    "JSON": (model.TEXT_INPUT, model.TEXT_OUTPUT, model.HIVE_JSON_SERDE, "json", "GZIP"),
}
# What lakebox can write, per file kind (formats' names as Athena spells write_compression).
_COMPRESSIONS = {
    "parquet": {"GZIP": "gzip", "SNAPPY": "snappy", "ZSTD": "zstd", "NONE": "uncompressed",
                "UNCOMPRESSED": "uncompressed"},
    "orc": {"ZLIB": "zlib", "SNAPPY": "snappy", "ZSTD": "zstd", "LZ4": "lz4", "NONE": "uncompressed"},
    "csv": {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none"},
    "json": {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none"},
}
_TEXT_EXTENSIONS = {"gzip": ".gz", "zstd": ".zst", "none": ""}
_CTAS_PROPERTIES = ("format", "external_location", "partitioned_by", "write_compression", "field_delimiter",
                    "parquet_compression", "orc_compression")
# Hive escapes these in partition folder names as %XX (FileUtils.escapePathName).
_HIVE_ESCAPED = set('"#%\'*/:=?\\\x7f{[]^') | {chr(c) for c in range(1, 32)}

# Trino's implicit coercions for INSERT, by DuckDB type family.
_INTEGER_RANK = {"TINYINT": 1, "SMALLINT": 2, "INTEGER": 3, "BIGINT": 4}
_FLOATS = {"FLOAT": 1, "DOUBLE": 2}


# -- CREATE TABLE AS ---------------------------------------------------------------------------------


@dataclass
class _Options:
    format: str = "PARQUET"
    location: str | None = None
    partitioned_by: list[str] = field(default_factory=list)
    compression: str | None = None
    delimiter: str | None = None
    with_data: bool = True


def _literal(value: exp.Expression, key: str) -> str:
    if isinstance(value, exp.Literal) and value.is_string:
        return value.this
    raise errors.ProgrammingError(f"CTAS property '{key}' takes a string literal, not {value.sql('athena')}")


def _options(statement: exp.Create) -> _Options:
    options = _Options()
    properties = statement.args.get("properties")
    unsupported = []
    for p in properties.expressions if properties is not None else []:
        if isinstance(p, exp.FileFormatProperty):
            options.format = (p.this.name if isinstance(p.this, (exp.Literal, exp.Var, exp.Identifier))
                              else p.this.sql("athena")).upper()
        elif isinstance(p, exp.PartitionedByProperty):
            value = p.this
            items = value.expressions if isinstance(value, (exp.Array, exp.Schema, exp.Tuple)) else [value]
            options.partitioned_by = [(_literal(i, "partitioned_by") if isinstance(i, exp.Literal) else i.name).lower()
                                      for i in items]
        elif isinstance(p, exp.WithDataProperty):
            options.with_data = not p.args.get("no")
        elif isinstance(p, exp.LocationProperty):
            unsupported.append("location")
        elif type(p) is exp.Property:
            key = p.name.lower()
            value = p.args.get("value")
            if key == "format":
                options.format = _literal(value, key).upper()
            elif key == "external_location":
                options.location = _literal(value, key)
            elif key in ("write_compression", "parquet_compression", "orc_compression"):
                options.compression = _literal(value, key).upper()
            elif key == "field_delimiter":
                options.delimiter = _literal(value, key)
            elif key == "is_external" and value is not None and value.name.lower() == "true":
                continue
            else:
                unsupported.append(key)
        else:
            unsupported.append(p.sql("athena"))
    if unsupported:
        raise errors.NotSupportedError(f"CTAS table properties {', '.join(unsupported)} are not supported by lakebox "
                                       f"(supported: {', '.join(_CTAS_PROPERTIES)}); bucketing and Iceberg tables "
                                       "are not written")
    if options.format not in _FORMATS:
        raise errors.NotSupportedError(f"CTAS format '{options.format}' is not supported by lakebox (it writes "
                                       f"{', '.join(_FORMATS)})")
    if options.delimiter is not None and options.format != "TEXTFILE":
        raise errors.ProgrammingError("field_delimiter is only allowed for the TEXTFILE format")
    return options


def _storage_descriptor(options: _Options) -> tuple[StorageDescriptor, dict[str, str]]:
    input_format, output_format, serde, classification, default = _FORMATS[options.format]
    compression = options.compression or default
    kind = _kind_of_format(options.format)
    if compression not in _COMPRESSIONS[kind]:
        raise errors.NotSupportedError(f"write_compression '{compression}' for {options.format} is not supported "
                                       f"by lakebox (use one of {', '.join(_COMPRESSIONS[kind])})")
    serde_parameters: dict[str, str] = {}
    if options.format == "TEXTFILE":
        delimiter = options.delimiter if options.delimiter is not None else "\x01"
        serde_parameters = {"field.delim": delimiter, "serialization.format": delimiter}
    sd = StorageDescriptor(location=options.location, input_format=input_format, output_format=output_format,
                           serde_info=SerDeInfo(serialization_library=serde, parameters=serde_parameters),
                           compressed=compression not in ("NONE", "UNCOMPRESSED"))
    parameters = {"EXTERNAL": "TRUE", "has_encrypted_data": "false", "classification": classification,
                  "write.compression": compression}
    return sd, parameters


def _kind_of_format(name: str) -> str:
    return {"PARQUET": "parquet", "ORC": "orc", "TEXTFILE": "csv", "JSON": "json"}[name]


def hive_type(duckdb_type_text: str, column: str) -> str:
    """The Hive type Athena gives a CTAS column of this (DuckDB) result type; refuses what Hive cannot store."""
    text = duckdb_type_text.upper()
    if text == '"NULL"' or text == "NULL":
        raise errors.NotSupportedError(f"NOT_SUPPORTED: Unsupported Hive type: unknown (column '{column}': "
                                       "cast the NULL to a type)")
    for bad, trino in (("TIMESTAMP WITH TIME ZONE", "timestamp(3) with time zone"), ("TIME", "time(3)"),
                       ("INTERVAL", "interval"), ("UUID", "uuid")):
        if text == bad or text.startswith(bad + "[") or f" {bad}" in text or f"({bad}" in text:
            raise errors.NotSupportedError(f"NOT_SUPPORTED: Unsupported Hive type: {trino} (column '{column}')")
    glue = glue_type_from_duckdb(re.sub(r"TIMESTAMP_(?:S|MS|NS)\b", "TIMESTAMP", duckdb_type_text))
    glue = glue.replace("int128", "decimal(38,0)").replace("timestamp_ns", "timestamp")
    return glue


def create_table_as(session, statement: exp.Create, params) -> Result:
    started = time.perf_counter()
    name = creation_name(statement.this.this if isinstance(statement.this, exp.Schema) else statement.this, session)
    if isinstance(statement.this, exp.Schema):
        raise errors.NotSupportedError("CTAS with a column list is not supported by lakebox: name the columns "
                                       "in the query")
    options = _options(statement)
    sd, parameters = _storage_descriptor(options)
    session.catalog.get_database(name.database)
    if session.catalog.table_exists(name.database, name.table):
        if statement.args.get("exists"):
            return status_result("CREATE TABLE AS", 0)
        raise errors.AlreadyExists(f"Table '{name}' already exists")
    query = statement.expression
    if isinstance(query, exp.Values):
        from lakebox.engine.session import _values_query
        query = _values_query(query)
    bound = session.bind(query.copy(), params)
    with session.registered(bound):
        relation = session.con.sql(bound.sql)
        names = [n.lower() for n in relation.columns]
        types = [str(t) for t in relation.types]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise errors.ProgrammingError(f"Column name '{n}' specified more than once")
        seen.add(n)
    columns = [Column(n, hive_type(t, n)) for n, t in zip(names, types)]
    keys = options.partitioned_by
    missing = [k for k in keys if k not in names]
    if missing:
        raise errors.ProgrammingError(f"Partition columns {missing} not present in schema")
    if keys and names[len(names) - len(keys):] != keys:
        raise errors.ProgrammingError("HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the "
                                      "table and in the same order as the table properties: "
                                      f"[{', '.join(keys)}]")
    if keys and len(keys) == len(names):
        raise errors.ProgrammingError("Table contains only partition columns")
    data_columns, partition_keys = columns[:len(columns) - len(keys)], columns[len(columns) - len(keys):]
    for key in partition_keys:
        if "<" in key.type:
            raise errors.NotSupportedError(f"Unsupported type [{key.type}] for partition: {key.name}")
    if not options.location:
        base = session.storage.env.get("LAKEBOX_ATHENA_OUTPUT_LOCATION") or DEFAULT_OUTPUT_LOCATION
        query_id = f"{uuid.uuid4()}"
        sd.location = session.storage.join(base, "tables", query_id) + "/"
    if options.location:
        session.user_location(sd.location)
    else:
        session.storage.resolve(sd.location)  # validates its form
    if session.storage.list_files(sd.location):
        raise errors.ProgrammingError(f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{name}' already "
                                      f"exists: {sd.location}")
    sd.columns = data_columns
    table = Table(name.table, name.database, storage_descriptor=sd, partition_keys=partition_keys,
                  table_type=model.EXTERNAL_TABLE, parameters=parameters)
    existed = session.storage.exists(sd.location)
    writer = _Writer(session, table)
    try:
        count = 0
        if options.with_data:
            source = [f"CAST({_ident(n)} AS {duckdb_type(c.type)}) AS {_ident(n)}" for n, c in zip(names, columns)]
            count = writer.write(f"SELECT {', '.join(source)} FROM ({bound.sql}) AS q", bound, known={})
        with session.catalog_changes():
            if session.catalog.table_exists(name.database, name.table):
                raise errors.AlreadyExists(f"Table '{name}' already exists")
            session.catalog.create_table(table)
            if writer.new_partitions:
                session.catalog.batch_create_partition(name.database, name.table, writer.new_partitions)
    except BaseException:
        writer.undo()
        if not existed:
            _quietly(session.storage.rm, sd.location)
        raise
    result = status_result("CREATE TABLE AS", count)
    result.timings = {"execute_ms": (time.perf_counter() - started) * 1000}
    return result


# -- INSERT INTO -----------------------------------------------------------------------------------


def insert_into(session, statement: exp.Insert, params) -> Result:
    from lakebox.engine import managed

    started = time.perf_counter()
    target = statement.this
    table_node = target.this if isinstance(target, exp.Schema) else target
    name = qualified_name(table_node, session)
    table = lookup_table(name, session)
    if table.table_type != model.EXTERNAL_TABLE:
        if table.is_view:
            raise errors.ProgrammingError(f"Inserting into views is not supported: '{name}'")
        return managed.dml(session, statement, params)
    if statement.args.get("overwrite"):
        raise errors.NotSupportedError("INSERT OVERWRITE is not supported by Athena; use INSERT INTO")
    scans.format_spec(table.storage_descriptor, table.parameters)  # a SerDe lakebox cannot read: refuse now
    if not table.location:
        raise errors.ProgrammingError(f"table '{name}' has no location to write into")
    all_columns = table.all_columns
    if isinstance(target, exp.Schema):
        listed = [i.name.lower() for i in target.expressions]
        by_name = {c.name: c for c in all_columns}
        for n in listed:
            if n not in by_name:
                raise errors.ProgrammingError(f"Insert column name does not exist in target table: {n}")
        if len(set(listed)) != len(listed):
            dup = next(n for n in listed if listed.count(n) > 1)
            raise errors.ProgrammingError(f"Insert column name is specified more than once: {dup}")
    else:
        listed = [c.name for c in all_columns]
    query = statement.expression
    if isinstance(query, exp.Values):
        from lakebox.engine.session import _values_query
        query = _values_query(query)
    if not isinstance(query, exp.Query):
        raise errors.NotSupportedError("INSERT INTO takes a query or VALUES")
    bound = session.bind(query.copy(), params)
    with session.registered(bound):
        relation = session.con.sql(bound.sql)
        query_types = list(relation.types)
        query_names = list(relation.columns)
    targets = {n: i for i, n in enumerate(listed)}
    target_types = [_canonical(session, duckdb_type(next(c.type for c in all_columns if c.name == n)))
                    for n in listed]
    if len(query_types) != len(listed) or not all(
            _coercible(q, t) for q, t in zip(query_types, target_types)):
        raise errors.ProgrammingError(
            "Insert query has mismatched column types: Table: ["
            + ", ".join(_trino_type(t) for t in target_types) + "], Query: ["
            + ", ".join(_trino_type(str(q)) for q in query_types) + "]")
    source = []
    for column in all_columns:
        position = targets.get(column.name)
        typ = duckdb_type(column.type)
        value = "NULL" if position is None else f"q.{_ident(query_names[position])}"
        source.append(f"CAST({value} AS {typ}) AS {_ident(column.name)}")
    if len(set(query_names)) != len(query_names):  # duplicate output names: address by position instead
        renamed = ", ".join(f"_c{i}" for i in range(len(query_names)))
        inner = f"SELECT * FROM ({bound.sql}) AS q0({renamed})"
        source = [s.replace(f"q.{_ident(query_names[targets[c.name]])}", f"q._c{targets[c.name]}")
                  if c.name in targets else s for s, c in zip(source, all_columns)]
    else:
        inner = bound.sql
    known = {}
    if table.partition_keys:
        known = {tuple(p.values): p for p in session.catalog.get_partitions(name.database, name.table)}
    writer = _Writer(session, table)
    try:
        count = writer.write(f"SELECT {', '.join(source)} FROM ({inner}) AS q", bound, known=known)
        if writer.new_partitions:
            with session.catalog_changes():
                session.catalog.batch_create_partition(name.database, name.table, writer.new_partitions,
                                                       if_not_exists=True)
    except BaseException:
        writer.undo()
        raise
    result = status_result(f"INSERT 0 {count}", count)
    result.timings = {"plan_ms": bound.plan_ms, "execute_ms": (time.perf_counter() - started) * 1000}
    return result


def _canonical(session, typ: str) -> str:
    """DuckDB's own spelling of a type ('INT' -> 'INTEGER', 'TEXT' -> 'VARCHAR')."""
    return str(session.con.sql(f"SELECT CAST(NULL AS {typ})").types[0])


def _family(t: str) -> tuple[str, int]:
    t = t.upper()
    if t in _INTEGER_RANK:
        return "int", _INTEGER_RANK[t]
    if t.startswith("DECIMAL"):
        return "decimal", 0
    if t in _FLOATS:
        return "float", _FLOATS[t]
    if t == "VARCHAR":
        return "string", 0
    if t.startswith("TIMESTAMP") and "TIME ZONE" not in t:
        return "timestamp", 0
    if t.endswith("]"):
        return "array", 0
    return t.split("(")[0], 0


def _coercible(query_type, target: str) -> bool:
    """Whether Trino coerces a query column of this type into a table column of `target` on INSERT."""
    q = str(query_type)
    if q.upper() in ('"NULL"', "NULL"):
        return True
    (qf, qr), (tf, tr) = _family(q), _family(target)
    if qf == tf:
        return qf not in ("int", "float") or qr <= tr
    if tf == "decimal":
        return qf == "int"
    if tf == "float":
        return qf in ("int", "decimal")
    if tf == "timestamp":
        return qf == "DATE"
    return False


def _trino_type(t: str) -> str:
    """Trino's name of a DuckDB type, as its INSERT error prints it."""
    upper = t.upper()
    names = {"INTEGER": "integer", "VARCHAR": "varchar", "FLOAT": "real", "DOUBLE": "double", "BIGINT": "bigint",
             "SMALLINT": "smallint", "TINYINT": "tinyint", "BOOLEAN": "boolean", "DATE": "date", "BLOB": "varbinary",
             '"NULL"': "unknown"}
    if upper in names:
        return names[upper]
    if upper.startswith("TIMESTAMP") and "TIME ZONE" not in upper:
        return "timestamp(3)"
    return t.lower()


# -- writing files -----------------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quietly(fn, *args) -> None:
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - cleanup must not hide the original error
        pass


def escape_partition_value(value: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in _HIVE_ESCAPED else c for c in value)


def _partition_text(value) -> str:
    if value is None:
        return HIVE_DEFAULT_PARTITION
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return str(value)


class _Writer:
    """Writes a query's rows as new files of a table (into its partitions) and remembers them for undo."""

    def __init__(self, session, table: Table):
        self.session = session
        self.table = table
        self.spec = scans.format_spec(table.storage_descriptor, table.parameters)
        self.written: list[str] = []
        self.new_partitions: list[Partition] = []
        self.stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d_%H%M%S")

    def undo(self) -> None:
        for path in self.written:
            _quietly(self.session.storage.rm, path)
        self.written = []

    def write(self, select_sql: str, bound, known: dict) -> int:
        """Write the rows of `select_sql` (the table's columns, data then keys, typed); the row count."""
        session, table = self.session, self.table
        keys = [k.name for k in table.partition_keys]
        data = [c.name for c in table.columns]
        complex_columns = [c.name for c in table.columns if "<" in c.type]
        if self.spec.kind == "csv" and complex_columns:
            raise errors.NotSupportedError(f"lakebox cannot write columns of array, map or struct types "
                                           f"({', '.join(complex_columns)}) into text files; use PARQUET, ORC or JSON")
        staged = f"__lakebox_write_{next(_names)}"
        with session.registered(bound):
            rows = session.con.sql(select_sql).to_arrow_table()
        session.con.register(staged, rows)
        try:
            if not keys:
                if rows.num_rows:
                    self._write_file(table.location, f"SELECT {', '.join(map(_ident, data))} FROM {staged}")
                return rows.num_rows
            groups = session.con.sql(f"SELECT DISTINCT {', '.join(map(_ident, keys))} FROM {staged}").fetchall()
            if len(groups) > MAX_PARTITIONS:
                raise errors.ProgrammingError(f"HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of {MAX_PARTITIONS} "
                                              "open writers for partitions/buckets")
            for group in groups:
                values = [_partition_text(v) for v in group]
                partition = known.get(tuple(values))
                if partition is not None and partition.location:
                    location = partition.location
                else:
                    folders = [f"{k}={escape_partition_value(v)}" for k, v in zip(keys, values)]
                    location = session.storage.join(table.location, *folders) + "/"
                    partition = table.new_partition(values, location)
                    self.new_partitions.append(partition)
                    known[tuple(values)] = partition
                part_name = f"{staged}_p"
                session.con.register(part_name, _rows_of(rows, keys, group))
                try:
                    self._write_file(location, f"SELECT {', '.join(map(_ident, data))} FROM {part_name}")
                finally:
                    session.con.unregister(part_name)
            return rows.num_rows
        finally:
            session.con.unregister(staged)

    def _write_file(self, folder: str, select_sql: str) -> None:
        session, spec = self.session, self.spec
        compression = (self.table.parameters.get("write.compression") or
                       {"orc": "ZLIB"}.get(spec.kind, "GZIP")).upper()
        codec = _COMPRESSIONS[spec.kind].get(compression)
        if codec is None:
            codec = {"parquet": "gzip", "orc": "zlib"}.get(spec.kind, "gzip")
        extension = {"parquet": ".parquet", "orc": ".orc", "json": ".json"}.get(spec.kind, "")
        if spec.kind in ("csv", "json"):
            extension += _TEXT_EXTENSIONS[codec]
        path = session.storage.join(folder, f"{self.stamp}_{uuid.uuid4().hex}{extension}")
        session.storage.makedirs(folder)
        self.written.append(path)
        target = session.storage.resolve(path)
        if spec.kind == "orc":
            import pyarrow.orc as orc

            table = session.con.sql(select_sql).to_arrow_table()
            with session.storage.open(path, "wb") as handle:
                orc.write_table(table, handle, compression=codec)
            return
        if spec.kind == "parquet":
            options = f"FORMAT parquet, COMPRESSION {codec}"
        elif spec.kind == "json":
            options = f"FORMAT json, COMPRESSION {codec}"
        elif spec.quote:  # OpenCSVSerde: every field quoted, NULL as an empty field
            options = (f"FORMAT csv, HEADER false, DELIMITER {_lit(spec.delimiter)}, QUOTE {_lit(spec.quote)}, "
                       f"ESCAPE {_lit(spec.escape or spec.quote)}, FORCE_QUOTE *, NULLSTR '', COMPRESSION {codec}")
        else:  # LazySimpleSerDe: raw fields, Hive's null format
            null = spec.null_format if spec.null_format is not None else "\\N"
            options = (f"FORMAT csv, HEADER false, DELIMITER {_lit(spec.delimiter)}, QUOTE '', ESCAPE '', "
                       f"NULLSTR {_lit(null)}, COMPRESSION {codec}")
        statement = f"COPY ({select_sql}) TO {_lit(target)} ({options})"
        try:
            session.con.execute(statement)
        except duckdb.Error as error:
            raise errors.OperationalError(f"cannot write {path}: {error}") from error


def _rows_of(rows, keys: list[str], group) -> "pa.Table":
    """The rows of one partition: keys equal to the group's values (NULL matching NULL)."""
    import pyarrow.compute as pc

    mask = None
    for key, value in zip(keys, group):
        column = rows.column(key)
        test = pc.is_null(column) if value is None else pc.fill_null(pc.equal(column, pa.scalar(value, column.type)),
                                                                     False)
        mask = test if mask is None else pc.and_(mask, test)
    return rows.filter(mask)


__all__ = ["create_table_as", "insert_into", "hive_type", "escape_partition_value"]
