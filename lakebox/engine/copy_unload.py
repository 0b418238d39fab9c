"""Redshift's COPY (load files from S3 into a managed table) and UNLOAD (a query's rows to files on S3).

COPY reads every object whose key starts with the FROM prefix (r_COPY: a prefix, not a folder), or the
objects a MANIFEST names, with DuckDB. Text formats (pipe-delimited text, CSV, JSON 'auto') are read
as VARCHAR fields first and converted here with Redshift's rules (NULL AS, EMPTYASNULL, BLANKSASNULL,
DATEFORMAT / TIMEFORMAT, TRUNCATECOLUMNS), so that a bad field is found by its file, line and column;
Parquet and ORC map columns by position, as Redshift does. Nothing is inserted unless the whole load
succeeds (or MAXERROR allows the rows that failed to be skipped).

UNLOAD runs its query through lakebox (Redshift semantics) and writes the rows with DuckDB's COPY TO
under the prefix, with Redshift's file names (<prefix>0000_part_00, .parquet for Parquet, .gz / .zst
for compressed text).
"""

from __future__ import annotations

import itertools
import json
import posixpath
import re

import duckdb
import pyarrow as pa
from sqlglot import exp

from lakebox import errors
from lakebox.catalog import model
from lakebox.dialects import statements as st
from lakebox.engine import managed
from lakebox.engine.names import lookup_table, qualified_name
from lakebox.engine.result import Result, status_result

_ids = itertools.count()
_NO_NULL = "\ue000lakebox:no-null\ue000"
_CHAR_TYPES = ("varchar", "char", "string")
_LENGTH = re.compile(r"^(?:var)?char\((\d+)\)$")
_ESCAPES = {"\\t": "\t", "\\n": "\n", "\\r": "\r", "\\0": "\0", "\\\\": "\\"}
# Options that change nothing lakebox computes (credentials, statistics, compression analysis).
_IGNORED = {"IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "REGION",
            "COMPUPDATE", "STATUPDATE", "COMPROWS", "ACCEPTINVCHARS", "ENCODING", "ACCEPTANYDATE", "VERBOSE"}
_COPY_REFUSED = {"FIXEDWIDTH": "FIXEDWIDTH", "AVRO": "FORMAT AVRO", "SHAPEFILE": "FORMAT SHAPEFILE",
                 "BZIP2": "BZIP2 (DuckDB reads gzip and zstd only)", "LZOP": "LZOP (DuckDB reads gzip and zstd only)",
                 "ENCRYPTED": "ENCRYPTED", "MASTER_SYMMETRIC_KEY": "MASTER_SYMMETRIC_KEY",
                 "EXPLICIT_IDS": "EXPLICIT_IDS (lakebox has no IDENTITY columns)", "READRATIO": "READRATIO",
                 "SERIALIZETOJSON": "SERIALIZETOJSON", "IGNOREALLERRORS": "IGNOREALLERRORS",
                 "REMOVEQUOTES": "REMOVEQUOTES", "ESCAPE": "ESCAPE", "ROUNDEC": "ROUNDEC", "TRIMBLANKS": "TRIMBLANKS"}
_UNLOAD_REFUSED = {"FIXEDWIDTH": "FIXEDWIDTH", "ENCRYPTED": "ENCRYPTED", "KMS_KEY_ID": "KMS_KEY_ID",
                   "MASTER_SYMMETRIC_KEY": "MASTER_SYMMETRIC_KEY", "ADDQUOTES": "ADDQUOTES", "ESCAPE": "ESCAPE",
                   "BZIP2": "BZIP2", "ORC": "FORMAT ORC", "AVRO": "FORMAT AVRO", "SHAPEFILE": "FORMAT SHAPEFILE",
                   "ROWGROUPSIZE": "ROWGROUPSIZE"}
_COLUMNAR_ONLY = {"IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "REGION",
                  "COMPUPDATE", "STATUPDATE", "MANIFEST", "MAXERROR", "ACCEPTINVCHARS", "PARQUET", "ORC", "FORMAT"}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _character(value: str, what: str) -> str:
    value = _ESCAPES.get(value, value)
    if len(value) != 1:
        raise errors.ProgrammingError(f"{what} must be a single character, not '{value}'")
    return value


def _load_failed(table: str, reason: str) -> errors.DataError:
    return errors.DataError(f"Load into table '{table}' failed. Check 'stl_load_errors' system table for details. "
                            f"{reason}")


# -- storage ---------------------------------------------------------------------------------------------


def list_prefix(storage, location: str) -> list[str]:
    """Every object whose key starts with the location's key (S3's prefix semantics), resolved, sorted."""
    if location.rstrip("/").count("/") <= 2 and "://" in location:  # s3://bucket or s3://bucket/
        folder = location.rstrip("/") + "/x"
        resolved_folder = posixpath.dirname(storage.resolve(folder))
        prefix = resolved_folder + "/"
    else:
        resolved = storage.resolve(location)
        prefix = resolved + ("/" if location.endswith("/") else "")
        resolved_folder = resolved if location.endswith("/") else posixpath.dirname(resolved)
    remote = resolved_folder.startswith("s3://")
    fs = storage.s3fs if remote else _local_fs()
    path = resolved_folder[len("s3://"):] if remote else resolved_folder
    try:
        found = fs.find(path, withdirs=False)
    except FileNotFoundError:
        return []
    except Exception as error:  # storage errors reach the user as OperationalError
        raise errors.OperationalError(f"cannot list {location}: {error}") from error
    names = [f"s3://{f}" if remote else f for f in found]
    return sorted(n for n in names if n.startswith(prefix) and not n.endswith("/")
                  and not posixpath.basename(n).startswith(".lakebox-"))


def _local_fs():
    from fsspec.implementations.local import LocalFileSystem

    return LocalFileSystem(auto_mkdir=True)


# -- COPY ------------------------------------------------------------------------------------------------


def run_copy(session, statement: st.Copy) -> Result:
    options = statement.options
    fmt = _copy_format(options)
    name = qualified_name(statement.table, session)
    table = lookup_table(name, session)
    if table.table_type != model.MANAGED_TABLE:
        raise errors.NotSupportedError(f"COPY into '{name}' is not supported: it is not a local table")
    all_columns = [(c.name, c.type) for c in table.storage_descriptor.columns]
    if statement.columns is not None:
        known = dict(all_columns)
        for column in statement.columns:
            if column not in known:
                raise errors.ProgrammingError(f'column "{column}" of relation "{table.name}" does not exist')
        columns = [(c, known[c]) for c in statement.columns]
    else:
        columns = all_columns
    storage = managed.storage_name(session, name)
    duck_types = {row[0]: row[1] for row in session.con.execute(f"DESCRIBE {storage}").fetchall()}
    files = _copy_files(session, statement.source, options)
    label = table.name
    registered = f"__lakebox_copy_{next(_ids)}"
    try:
        staged = _stage(session, fmt, options, files, columns, duck_types, label)
        session.con.register(registered, staged)
        bad = session.con.execute(
            f"SELECT __file, __line, __error FROM {registered} WHERE __error IS NOT NULL ORDER BY __file, __line"
        ).fetchall()
        limit = int(options.get("MAXERROR", 0) or 0)
        if bad and len(bad) > limit:
            file, line, reason = bad[0]
            where = f"File '{session.storage.to_uri(file)}'" + (f", line {line}" if line else "")
            raise _load_failed(label, f"{where}: {reason}")
        names = ", ".join(_ident(c) for c, _ in columns)
        values = ", ".join(_ident(f"__v{i}") for i in range(len(columns)))
        insert = f"INSERT INTO {storage} ({names}) SELECT {values} FROM {registered} WHERE __error IS NULL"
        if options.get("NOLOAD"):
            count = staged.num_rows - len(bad)
        else:
            def work() -> int:
                rows = session.con.execute(insert).fetchall()
                return int(rows[0][0]) if rows else 0

            try:
                count = managed.in_warehouse_transaction(session, work)
            except duckdb.Error as error:
                raise _load_failed(label, str(error).splitlines()[0]) from error
    finally:
        try:
            session.con.unregister(registered)
        except Exception:  # noqa: BLE001 - never registered
            pass
    result = status_result(f"COPY {count}", count)
    result.messages.append(f"Load into table '{label}' completed, {count} record(s) loaded successfully.")
    if bad:
        result.messages.append(f"Load into table '{label}' completed, {len(bad)} record(s) could not be loaded. "
                               "Check 'stl_load_errors' system table for details.")
    return result


def _copy_format(options: dict) -> str:
    for key, what in _COPY_REFUSED.items():
        if key in options:
            raise errors.NotSupportedError(f"COPY ... {what} is not supported by lakebox (Redshift)")
    formats = [k for k in ("CSV", "PARQUET", "ORC", "JSON") if k in options]
    if len(formats) > 1:
        raise errors.ProgrammingError(f"COPY: conflicting data formats {', '.join(formats)}")
    fmt = formats[0].lower() if formats else "text"
    if fmt == "json":
        mode = options["JSON"]
        if mode is True or str(mode).lower() not in ("auto", "auto ignorecase"):
            raise errors.NotSupportedError("COPY ... JSON with a JSONPaths file is not supported by lakebox "
                                           "(Redshift): use JSON 'auto' or 'auto ignorecase'")
    if "QUOTE" in options and fmt != "csv":
        raise errors.ProgrammingError("COPY: QUOTE is only allowed with CSV")
    if fmt in ("parquet", "orc"):
        extra = sorted(set(options) - _COLUMNAR_ONLY)
        if extra:
            raise errors.ProgrammingError(f"COPY from {fmt.upper()} does not take {', '.join(extra)}: columnar "
                                          "files carry their own types (copy-usage_notes-copy-from-columnar)")
    if fmt == "json" and ("DELIMITER" in options or "IGNOREHEADER" in options):
        raise errors.ProgrammingError("COPY: DELIMITER and IGNOREHEADER are not allowed with JSON")
    return fmt


def _copy_files(session, source: str, options: dict) -> list[str]:
    storage = session.storage
    session.user_location(source)
    if options.get("MANIFEST"):
        try:
            with storage.open(source, "rb") as handle:
                manifest = json.loads(handle.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise errors.DataError(f"Manifest file '{source}' is not valid JSON: {error}") from error
        files = []
        for entry in manifest.get("entries", []):
            url = entry.get("url")
            session.user_location(url)
            if not storage.exists(url):
                if entry.get("mandatory", False):
                    raise errors.DataError(f"Manifest file '{source}': the mandatory file '{url}' does not exist")
                continue
            files.append(storage.resolve(url))
        if not files:
            raise errors.DataError(f"Manifest file '{source}' names no file that exists")
        return files
    files = list_prefix(storage, source)
    if not files:
        raise errors.DataError(f"The specified S3 prefix '{source.rsplit('/', 1)[-1] if '://' in source else source}' "
                               "does not exist")
    return files


def _stage(session, fmt: str, options: dict, files: list[str], columns, duck_types, label: str) -> pa.Table:
    """The load as an Arrow table: __file, __line, __error (the first bad field's reason) and __v0..."""
    con = session.con
    file_list = "[" + ", ".join(_quote(f) for f in files) + "]"
    try:
        if fmt in ("parquet", "orc"):
            return _stage_columnar(con, fmt, files, file_list, columns, duck_types, label)
        if fmt == "json":
            lower = str(options["JSON"]).lower() == "auto ignorecase"
            fields = []
            for i, (column, _) in enumerate(columns):
                if lower:
                    key = f"list_filter(json_keys(__j), lambda k: lower(k) = {_quote(column)})[1]"
                    fields.append(f"json_extract_string(__j, '$.\"' || {key} || '\"') AS f{i}")
                else:
                    fields.append(f"json_extract_string(__j, {_quote('$.' + json.dumps(column))}) AS f{i}")
            raw = (f"SELECT filename AS __file, row_number() OVER (PARTITION BY filename) AS __line, "
                   f"{', '.join(fields)} FROM (SELECT json AS __j, filename FROM read_json_objects({file_list}, "
                   f"format = 'auto', filename = true{_compression(options)}))")
        else:
            raw = _text_source(files, options, fmt, len(columns))
        converted = []
        checks = []
        for i, (column, glue) in enumerate(columns):
            value, check = _convert(f"f{i}", glue, duck_types[column], options, fmt)
            converted.append(f"{value} AS __v{i}")
            checks.append(f"WHEN {check} THEN 'column {column}: ' || "
                          f"CASE WHEN f{i} IS NULL THEN 'NULL' ELSE '''' || f{i} || '''' END || "
                          f"' is not a valid {glue.upper()}'")
            length = _LENGTH.match(glue)
            if length and not options.get("TRUNCATECOLUMNS"):
                checks.append(f"WHEN strlen(rtrim(__s{i})) > {length.group(1)} THEN "
                              f"'column {column}: String length exceeds DDL length ({length.group(1)})'")
        strings = ", ".join(f"{_null_rules(f'f{i}', glue, options, fmt)} AS __s{i}" for i, (_, glue) in enumerate(columns))
        error = "CASE " + " ".join(checks) + " ELSE NULL END" if checks else "NULL"
        sql = (f"SELECT __file, __line, {error} AS __error, * EXCLUDE (__file, __line) FROM ("
               f"SELECT __file, __line, {', '.join('f' + str(i) for i in range(len(columns)))}, {strings}, "
               f"{', '.join(converted)} FROM ({raw}))")
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as error:
        raise _load_failed(label, str(error).splitlines()[0]) from error


def _compression(options: dict) -> str:
    if options.get("GZIP"):
        return ", compression = 'gzip'"
    if options.get("ZSTD"):
        return ", compression = 'zstd'"
    return ""


def _text_source(files: list[str], options: dict, fmt: str, width: int) -> str:
    delimiter = _character(str(options.get("DELIMITER", "," if fmt == "csv" else "|")), "DELIMITER")
    quote = _character(str(options.get("QUOTE", '"')), "QUOTE") if fmt == "csv" else ""
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(width)) + "}"
    skip = int(options.get("IGNOREHEADER", 0) or 0)
    parts = []
    for f in files:  # one read per file: IGNOREHEADER skips each file's first lines, and lines count per file
        parts.append(
            f"SELECT {_quote(f)} AS __file, row_number() OVER () + {skip} AS __line, * FROM read_csv({_quote(f)}, "
            f"columns = {columns}, header = false, skip = {skip}, delim = {_quote(delimiter)}, "
            f"quote = {_quote(quote)}, escape = {_quote(quote)}, nullstr = {_quote(_NO_NULL)}, auto_detect = false, "
            f"null_padding = {'true' if options.get('FILLRECORD') else 'false'}, strict_mode = true"
            f"{_compression(options)})")
    body = " UNION ALL ".join(parts)
    if options.get("IGNOREBLANKLINES"):
        return f"SELECT * FROM ({body}) WHERE NOT (f0 = '' AND " + " AND ".join(
            f"f{i} IS NULL" for i in range(1, width)) + ")" if width > 1 else f"SELECT * FROM ({body}) WHERE f0 <> ''"
    return body


def _null_rules(field: str, glue: str, options: dict, fmt: str) -> str:
    """The field after Redshift's NULL rules (copy-parameters-data-conversion), still text."""
    null_as = _ESCAPES.get(str(options["NULL"]), str(options["NULL"])) if "NULL" in options else "\\N"
    is_char = glue.startswith(_CHAR_TYPES)
    conditions = [f"{field} = {_quote(null_as)}"] if fmt != "json" else []
    if is_char:
        if options.get("EMPTYASNULL"):
            conditions.append(f"{field} = ''")
        if options.get("BLANKSASNULL"):
            conditions.append(f"trim({field}) = ''")
    else:
        conditions.append(f"trim({field}) = ''")  # empty fields of other types always load as NULL
    value = field
    length = _LENGTH.match(glue)
    if length and options.get("TRUNCATECOLUMNS"):
        value = f"left({field}, {length.group(1)})"
    if not conditions:
        return value
    return f"CASE WHEN {' OR '.join(conditions)} THEN NULL ELSE {value} END"


def _convert(field: str, glue: str, duck_type: str, options: dict, fmt: str) -> tuple[str, str]:
    """(the typed value, the condition under which the field is not a valid value) over __s<i>."""
    index = field[1:]
    text = f"__s{index}"
    upper = duck_type.upper()
    if glue.startswith(_CHAR_TYPES) or upper == "VARCHAR":
        return text, "false"
    date_format = str(options.get("DATEFORMAT", "auto"))
    time_format = str(options.get("TIMEFORMAT", "auto"))
    if upper == "DATE" and date_format.lower() != "auto":
        value = f"CAST({_parse_datetime(text, date_format)} AS DATE)"
    elif upper.startswith("TIMESTAMP") and time_format.lower() == "epochsecs":
        value = f"CAST(to_timestamp(TRY_CAST({text} AS DOUBLE)) AS {duck_type})"
    elif upper.startswith("TIMESTAMP") and time_format.lower() == "epochmillisecs":
        value = f"CAST(epoch_ms(TRY_CAST({text} AS BIGINT)) AS {duck_type})"
    elif upper.startswith("TIMESTAMP") and time_format.lower() != "auto":
        value = f"CAST({_parse_datetime(text, time_format)} AS {duck_type})"
    elif upper == "BOOLEAN":
        value = (f"CASE lower(trim({text})) WHEN 't' THEN true WHEN 'true' THEN true WHEN '1' THEN true "
                 f"WHEN 'y' THEN true WHEN 'yes' THEN true WHEN 'f' THEN false WHEN 'false' THEN false "
                 f"WHEN '0' THEN false WHEN 'n' THEN false WHEN 'no' THEN false END")
    elif upper in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT") or upper.startswith(("DECIMAL", "DOUBLE",
                                                                                                "FLOAT", "REAL")):
        value = f"TRY_CAST(trim({text}) AS {duck_type})"
    else:
        value = f"TRY_CAST({text} AS {duck_type})"
    return value, f"{text} IS NOT NULL AND ({value}) IS NULL"


def _parse_datetime(text: str, template: str) -> str:
    """Redshift's datetime format string (DATEFORMAT / TIMEFORMAT) as a DuckDB parse of `text`, NULL where
    the text does not match."""
    from lakebox.dialects.redshift_formats import compile_datetime_parser

    regex, body = compile_datetime_parser(template, "COPY", False, True)
    groups = regex.count("(") - regex.count("(?") - regex.count("\\(")
    names = ", ".join(f"'g{i}'" for i in range(groups))
    fields = f"regexp_extract({text}, {_quote(regex)}, [{names}])" if groups else "{'g0': NULL}"
    return (f"CASE WHEN {text} IS NULL OR NOT regexp_matches({text}, {_quote(regex)}) THEN NULL ELSE "
            f"TRY(list_transform([{fields}], lambda m: {body})[1]) END")


def _stage_columnar(con, fmt: str, files: list[str], file_list: str, columns, duck_types, label: str) -> pa.Table:
    """Parquet and ORC: the file's columns by position (copy-usage_notes-copy-from-columnar)."""
    if fmt == "orc":
        import pyarrow.orc as orc

        tables = []
        for f in files:
            with _open_binary(f) as handle:
                tables.append(orc.ORCFile(handle).read())
        source = pa.concat_tables(tables, promote_options="permissive")
        name = f"__lakebox_copy_orc_{next(_ids)}"
        con.register(name, source)
        relation = f"(SELECT NULL::VARCHAR AS __file, NULL::BIGINT AS __line, * FROM {name})"
    else:
        name = None
        relation = f"(SELECT filename AS __file, NULL::BIGINT AS __line, * EXCLUDE (filename) FROM " \
                   f"read_parquet({file_list}, filename = true, union_by_name = false, hive_partitioning = false))"
    try:
        described = con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()[2:]
        if len(described) != len(columns):
            raise _load_failed(label, f"the {fmt.upper()} files hold {len(described)} column(s) and the load "
                                      f"names {len(columns)}: columnar files are loaded by position")
        values = ", ".join(f"CAST({_ident(d[0])} AS {duck_types[c]}) AS __v{i}"
                           for i, (d, (c, _)) in enumerate(zip(described, columns)))
        return con.sql(f"SELECT __file, __line, NULL::VARCHAR AS __error, {values} FROM {relation}").to_arrow_table()
    finally:
        if name is not None:
            con.unregister(name)


def _open_binary(path: str):
    import fsspec

    return fsspec.open(path, "rb").open() if path.startswith("s3://") else open(path, "rb")


# -- UNLOAD ----------------------------------------------------------------------------------------------


def run_unload(session, statement: st.Unload) -> Result:
    options = statement.options
    for key, what in _UNLOAD_REFUSED.items():
        if key in options:
            raise errors.NotSupportedError(f"UNLOAD ... {what} is not supported by lakebox (Redshift)")
    formats = [k for k in ("CSV", "PARQUET", "JSON") if k in options]
    if len(formats) > 1:
        raise errors.ProgrammingError(f"UNLOAD: conflicting formats {', '.join(formats)}")
    fmt = formats[0].lower() if formats else "text"
    if fmt in ("parquet", "json"):
        for key in ("HEADER", "DELIMITER", "NULL", "GZIP", "ZSTD") if fmt == "parquet" else ("HEADER", "DELIMITER"):
            if key in options:
                raise errors.ProgrammingError(f"UNLOAD: {key} is not allowed with {fmt.upper()}")
    if "GZIP" in options and "ZSTD" in options:
        raise errors.ProgrammingError("UNLOAD: conflicting compression GZIP and ZSTD")
    query = st.parse_statement(statement.query, "redshift")
    if not isinstance(query, exp.Query):
        raise errors.ProgrammingError("UNLOAD takes a SELECT query")
    if query.args.get("limit") is not None:
        raise errors.NotSupportedError("UNLOAD: a LIMIT clause in the outer SELECT is not supported (as in "
                                       "Redshift); put the query in a subquery: select * from (select ... limit n)")
    storage = session.storage
    target = statement.target
    session.user_location(target)
    existing = list_prefix(storage, target)
    if existing and options.get("CLEANPATH"):
        for f in existing:
            storage.rm(f, recursive=False)
        existing = []
    if existing and not options.get("ALLOWOVERWRITE"):
        raise errors.OperationalError("Specified unload destination on S3 is not empty. Consider using a different "
                                      "bucket / prefix, manually removing the target files in S3, or using the "
                                      "ALLOWOVERWRITE option.")
    bound = session.bind(query)
    with session.registered(bound):
        rows = session.con.sql(bound.sql).to_arrow_table()
    rows = rows.rename_columns([n.lower() for n in rows.column_names])
    partitions = statement.partition_by or []
    for column in partitions:
        if column not in rows.column_names:
            raise errors.ProgrammingError(f"UNLOAD: partition column '{column}' is not a column of the query")
    registered = f"__lakebox_unload_{next(_ids)}"
    session.con.register(registered, rows)
    written: list[tuple[str, int]] = []
    try:
        data_columns = [c for c in rows.column_names if statement.partition_include or c not in partitions]
        if partitions:
            keys = ", ".join(_ident(c) for c in partitions)
            groups = session.con.execute(f"SELECT DISTINCT {keys} FROM {registered} ORDER BY {keys}").fetchall()
        else:
            groups = [()]
        name = "000" if options.get("PARALLEL") is False else "0000_part_00"
        extension = {"parquet": ".parquet"}.get(fmt, "")
        if "EXTENSION" in options:
            extension = "." + str(options["EXTENSION"]).lstrip(".")
        extension += ".gz" if options.get("GZIP") else ".zst" if options.get("ZSTD") else ""
        for values in groups:
            folder = "".join(f"{c}={_partition_text(v)}/" for c, v in zip(partitions, values))
            where = " AND ".join(f"{_ident(c)} IS NOT DISTINCT FROM ?" for c in partitions) or "true"
            location = target + folder + name + extension
            count = session.con.execute(f"SELECT count(*) FROM {registered} WHERE {where}", list(values)).fetchone()[0]
            _write(session, registered, data_columns, rows.schema, where, list(values), location, fmt, options)
            written.append((location, count))
        if options.get("MANIFEST"):
            _manifest(session, target, written, options)
    finally:
        session.con.unregister(registered)
    result = status_result("UNLOAD", rows.num_rows)
    result.messages.append(f"UNLOAD completed, {rows.num_rows} record(s) unloaded successfully.")
    return result


def _partition_text(value) -> str:
    if value is None:
        return "__HIVE_DEFAULT_PARTITION__"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write(session, registered: str, columns: list[str], schema: pa.Schema, where: str, params: list,
           location: str, fmt: str, options: dict) -> None:
    storage = session.storage
    path = storage.resolve(location)
    if not path.startswith("s3://"):
        storage.makedirs(posixpath.dirname(path))
    if fmt in ("text", "csv"):
        null_as = _ESCAPES.get(str(options["NULL"]), str(options["NULL"])) if "NULL" in options else ""
        projections = []
        for c in columns:
            if pa.types.is_boolean(schema.field(c).type):  # Redshift writes booleans as t / f
                projections.append(f"CASE WHEN {_ident(c)} THEN 't' WHEN NOT {_ident(c)} THEN 'f' END AS {_ident(c)}")
            else:
                projections.append(_ident(c))
        delimiter = _character(str(options.get("DELIMITER", "," if fmt == "csv" else "|")), "DELIMITER")
        quote = "'\"'" if fmt == "csv" else "''"
        settings = (f"FORMAT csv, DELIMITER {_quote(delimiter)}, QUOTE {quote}, ESCAPE {quote}, "
                    f"HEADER {'true' if options.get('HEADER') else 'false'}, NULLSTR {_quote(null_as)}")
    elif fmt == "json":
        projections = [_ident(c) for c in columns]
        settings = "FORMAT json"
    else:
        projections = [_ident(c) for c in columns]
        settings = "FORMAT parquet"
    if fmt != "parquet":
        settings += ", COMPRESSION " + ("'gzip'" if options.get("GZIP") else "'zstd'" if options.get("ZSTD")
                                        else "'none'")
    session.con.execute(f"COPY (SELECT {', '.join(projections)} FROM {registered} WHERE {where}) "
                        f"TO {_quote(path)} ({settings})", params)


def _manifest(session, target: str, written: list[tuple[str, int]], options: dict) -> None:
    storage = session.storage
    entries = []
    for location, count in written:
        entry: dict = {"url": location, "meta": {"content_length": storage.size(location)}}
        if options.get("VERBOSE"):
            entry["meta"]["record_count"] = count
        entries.append(entry)
    storage.write_bytes(target + "manifest", json.dumps({"entries": entries}, indent=2).encode("utf-8"))
