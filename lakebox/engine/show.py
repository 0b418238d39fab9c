"""SHOW and DESCRIBE: catalog contents as small result tables, named as the services name them."""

from __future__ import annotations

import fnmatch
import re

from sqlglot import exp

from lakebox import errors
from lakebox.catalog.model import Table
from lakebox.dialects import statements as st
from lakebox.dialects.types import parse_type
from lakebox.engine.names import lookup_table, qualified_name, redshift_schema_database
from lakebox.engine.result import Result, rows_result


def _like(names: list[str], pattern: str | None) -> list[str]:
    """Athena's SHOW patterns: `*` any characters, `|` alternatives; SQL LIKE's `%` and `_` too."""
    if not pattern:
        return names
    alternatives = [p.strip().lower().replace("%", "*").replace("_", "?") for p in pattern.split("|")]
    return [n for n in names if any(fnmatch.fnmatchcase(n, a) for a in alternatives)]


def _database(session, name: str | None) -> str:
    if name is None:
        return session.database if session.dialect == "athena" else redshift_schema_database(session.search_path, session)
    name = name.lower()
    return name if session.dialect == "athena" else redshift_schema_database(name, session)


def show(session, statement: st.Show) -> Result:
    if statement.kind.startswith("redshift_"):
        return redshift_show(session, statement)
    catalog = session.catalog
    if statement.kind == "databases":
        names = _like([d.name for d in catalog.get_databases()], statement.like)
        return rows_result(["database_name"], [names])
    if statement.kind in ("tables", "views"):
        if session.dialect == "redshift" and session.is_temp_schema(statement.database):
            tables = list(session.temp_tables.values())
        else:
            database = _database(session, statement.database)
            if session.dialect == "redshift" and database == "public" and \
                    not any(d.name == database for d in catalog.get_databases()):
                tables = []  # Redshift's public schema always exists, even before lakebox has made it
            else:
                catalog.get_database(database)
                tables = catalog.get_tables(database)
        if statement.kind == "views":
            tables = [t for t in tables if t.is_view]
        names = _like([t.name for t in tables], statement.like)
        return rows_result(["tab_name" if statement.kind == "tables" else "views"], [names])
    table = lookup_table(qualified_name(statement.target, session), session)
    if statement.kind == "partitions":
        return _partitions(session, table)
    if statement.kind == "columns":
        return rows_result(["field"], [[c.name for c in table.all_columns]])
    if statement.kind == "tblproperties":
        if statement.property is not None:  # only that property's value
            value = table.parameters.get(statement.property)
            if value is None:
                raise errors.ProgrammingError(f"Table '{table.database_name}.{table.name}' has no property "
                                              f"'{statement.property}'")
            return rows_result(["prpt_value"], [[value]])
        items = sorted(table.parameters.items())
        return rows_result(["prpt_name", "prpt_value"], [[k for k, _ in items], [v for _, v in items]])
    if statement.kind == "create_view":
        if not table.is_view:
            raise errors.ProgrammingError(f"'{table.database_name}.{table.name}' is a table, not a view")
        text = f"CREATE VIEW {table.database_name}.{table.name} AS\n{table.view_original_text}"
        return rows_result(["Create View Statement"], [[text]])
    if table.is_view:
        raise errors.ProgrammingError(f"'{table.database_name}.{table.name}' is a view: use SHOW CREATE VIEW")
    return rows_result(["createtab_stmt"], [[create_table_ddl(table)]])


# -- Redshift's SHOW TABLES / SCHEMAS / COLUMNS -------------------------------------------------------

REDSHIFT_DATABASE = "dev"


def _sql_like(names: list[str], pattern: str | None) -> list[str]:
    """Redshift's SHOW ... LIKE: case-sensitive, % any characters, _ one character."""
    if pattern is None:
        return names
    regex = re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern), re.DOTALL)
    return [n for n in names if regex.fullmatch(n)]


def _limited(rows: list[list], limit: int | None) -> list[list]:
    return rows if limit is None else rows[:limit]


def _columns_of(rows: list[list], width: int) -> list[list]:
    return [[row[i] for row in rows] for i in range(width)]


def _redshift_type(glue: str) -> tuple[str, int | None, int | None, int | None]:
    """(data_type, character_maximum_length, numeric_precision, numeric_scale) as Redshift names a column."""
    datatype = parse_type(glue)
    kind = datatype.this
    params = [int(p.name) for p in datatype.expressions if p.name.isdigit()]
    T = exp.DataType.Type
    if kind in (T.VARCHAR, T.TEXT, T.NVARCHAR):
        return "character varying", (params[0] if params else 256), None, None
    if kind in (T.CHAR, T.NCHAR, T.BPCHAR):
        return "character", (params[0] if params else 1), None, None
    if kind in (T.DECIMAL,):
        precision, scale = (params + [18, 0])[:2] if params else (18, 0)
        return "numeric", None, precision, scale
    names = {T.SMALLINT: "smallint", T.INT: "integer", T.BIGINT: "bigint", T.TINYINT: "smallint",
             T.FLOAT: "real", T.DOUBLE: "double precision", T.BOOLEAN: "boolean", T.DATE: "date",
             T.TIMESTAMP: "timestamp without time zone", T.TIMESTAMPTZ: "timestamp with time zone",
             T.TIME: "time without time zone", T.TIMETZ: "time with time zone"}
    return names.get(kind, glue), None, None, None


def redshift_show(session, statement: st.Show) -> Result:
    catalog = session.catalog
    if statement.kind == "redshift_search_path":
        return rows_result(["search_path"], [[session.search_path_text()]])
    if statement.kind == "redshift_schemas":
        rows = [[REDSHIFT_DATABASE, d.name, None, "local", None, None, None] for d in catalog.get_databases()]
        rows += [[REDSHIFT_DATABASE, e["schema_name"], None, "external", None, e["database_name"], None]
                 for e in catalog.get_external_schemas()]
        rows.sort(key=lambda r: r[1])
        wanted = set(_sql_like([r[1] for r in rows], statement.like))
        rows = _limited([r for r in rows if r[1] in wanted], statement.limit)
        names = ["database_name", "schema_name", "schema_owner", "schema_type", "schema_acl", "source_database",
                 "schema_option"]
        return rows_result(names, _columns_of(rows, len(names)))
    database = statement.database or REDSHIFT_DATABASE
    if statement.kind == "redshift_tables":
        schema = statement.target.args["db"].name.lower()
        if session.is_temp_schema(schema):
            schema, tables = session.temp_schema, list(session.temp_tables.values())
        else:
            tables = catalog.get_tables(redshift_schema_database(schema, session))
        rows = [[database, schema, t.name, "VIEW" if t.is_view else "TABLE", None, t.description]
                for t in tables if t.name in set(_sql_like([x.name for x in tables], statement.like))]
        rows = _limited(rows, statement.limit)
        names = ["database_name", "schema_name", "table_name", "table_type", "table_acl", "remarks"]
        return rows_result(names, _columns_of(rows, len(names)))
    target = statement.target
    if target.args.get("db") is not None:
        schema = target.args["db"].name.lower()
        table = lookup_table(qualified_name(exp.table_(target.name, db=schema), session), session)
    else:
        name = qualified_name(exp.table_(target.name), session)
        table = lookup_table(name, session)
        schema = name.database if name.database == session.temp_schema else session.search_path
        if name.database != redshift_schema_database(schema, session):  # found further down the path
            schema = next((s for s in session.search_schemas()
                           if redshift_schema_database(s, session) == name.database), name.database)
    wanted = set(_sql_like([c.name for c in table.all_columns], statement.like))
    rows = []
    for position, column in enumerate(table.all_columns, start=1):
        if column.name in wanted:
            data_type, length, precision, scale = _redshift_type(column.type)
            rows.append([database, schema, table.name, column.name, position, None, None, data_type, length,
                         precision, scale, column.comment])
    rows = _limited(rows, statement.limit)
    names = ["database_name", "schema_name", "table_name", "column_name", "ordinal_position", "column_default",
             "is_nullable", "data_type", "character_maximum_length", "numeric_precision", "numeric_scale", "remarks"]
    import pyarrow as pa
    types = [pa.string()] * 4 + [pa.int32(), pa.string(), pa.string(), pa.string(), pa.int32(), pa.int32(),
                                 pa.int32(), pa.string()]
    return rows_result(names, _columns_of(rows, len(names)), types)


def _partitions(session, table: Table) -> Result:
    if not table.partition_keys:
        raise errors.ProgrammingError(f"Table '{table.database_name}.{table.name}' is not partitioned")
    keys = [k.name for k in table.partition_keys]
    partitions = session.catalog.get_partitions(table.database_name, table.name)
    rows = ["/".join(f"{k}={v}" for k, v in zip(keys, p.values)) for p in partitions]
    return rows_result(["partition"], [rows])


def describe(session, statement: exp.Describe) -> Result:
    table = lookup_table(qualified_name(statement.this, session), session)
    names, types, comments = [], [], []
    for column in table.all_columns:
        names.append(column.name)
        types.append(column.type)
        comments.append(column.comment or "")
    if table.partition_keys:
        names += ["", "# Partition Information", "# col_name"]
        types += ["", "", "data_type"]
        comments += ["", "", "comment"]
        for key in table.partition_keys:
            names.append(key.name)
            types.append(key.type)
            comments.append(key.comment or "")
    return rows_result(["col_name", "data_type", "comment"], [names, types, comments])


def _quote_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _column_list(columns) -> str:
    lines = []
    for column in columns:
        comment = f" COMMENT {_quote_string(column.comment)}" if column.comment else ""
        lines.append(f"  `{column.name}` {column.type}{comment}")
    return ",\n".join(lines)


def create_table_ddl(table: Table) -> str:
    """The Hive DDL Athena's SHOW CREATE TABLE prints for a catalog table."""
    sd = table.storage_descriptor
    external = "EXTERNAL " if table.table_type == "EXTERNAL_TABLE" else ""
    parts = [f"CREATE {external}TABLE `{table.database_name}`.`{table.name}`(\n{_column_list(sd.columns)})"]
    if table.description:
        parts.append(f"COMMENT {_quote_string(table.description)}")
    if table.partition_keys:
        parts.append(f"PARTITIONED BY ( \n{_column_list(table.partition_keys)})")
    if sd.serde_info.serialization_library:
        parts.append(f"ROW FORMAT SERDE \n  {_quote_string(sd.serde_info.serialization_library)} ")
        if sd.serde_info.parameters:
            pairs = ",\n".join(f"  {_quote_string(k)}={_quote_string(v)}" for k, v in sorted(sd.serde_info.parameters.items()))
            parts.append(f"WITH SERDEPROPERTIES ( \n{pairs}) ")
    if sd.input_format:
        parts.append(f"STORED AS INPUTFORMAT \n  {_quote_string(sd.input_format)} ")
        parts.append(f"OUTPUTFORMAT \n  {_quote_string(sd.output_format or '')}")
    if sd.location:
        parts.append(f"LOCATION\n  {_quote_string(sd.location)}")
    if table.parameters:
        pairs = ", \n".join(f"  {_quote_string(k)}={_quote_string(v)}" for k, v in sorted(table.parameters.items()))
        parts.append(f"TBLPROPERTIES (\n{pairs})")
    return "\n".join(parts)


__all__ = ["show", "describe", "create_table_ddl", "parse_type"]
