"""Catalog statements: databases, external tables, views, partitions and external schemas."""

from __future__ import annotations

import copy
import re

from sqlglot import exp

from lakebox import errors
from lakebox.catalog import model
from lakebox.catalog.model import Column, Database, Partition, SerDeInfo, StorageDescriptor, Table
from lakebox.dialects import statements as st
from lakebox.dialects.types import glue_type, glue_type_from_duckdb
from lakebox.engine import managed, scans
from lakebox.engine.names import (QualifiedName, creation_name, lookup_table, qualified_name,
                                  redshift_schema_database)
from lakebox.engine.result import Result, rows_result, status_result

# What Athena writes into the catalog for each STORED AS.
_STORED_AS = {
    "PARQUET": (model.PARQUET_INPUT, model.PARQUET_OUTPUT, model.PARQUET_SERDE),
    "ORC": (model.ORC_INPUT, model.ORC_OUTPUT, model.ORC_SERDE),
    "TEXTFILE": (model.TEXT_INPUT, model.TEXT_OUTPUT, model.LAZY_SIMPLE_SERDE),
    "JSON": (model.TEXT_INPUT, model.TEXT_OUTPUT, model.JSON_SERDE),
}
_CLASSIFICATION = {model.PARQUET_SERDE: "parquet", model.ORC_SERDE: "orc", model.JSON_SERDE: "json",
                   model.HIVE_JSON_SERDE: "json", model.OPEN_CSV_SERDE: "csv", model.LAZY_SIMPLE_SERDE: "csv"}


def run(session, statement: exp.Expression, params, sql: str = "") -> Result:
    kind = (statement.args.get("kind") or "").upper()
    if isinstance(statement, exp.Create):
        if kind in ("DATABASE", "SCHEMA"):
            return create_database(session, statement)
        if kind == "VIEW":
            if any(isinstance(p, exp.MaterializedProperty) for p in _properties(statement)):
                raise st.not_supported(sql or "CREATE MATERIALIZED VIEW", session.dialect)
            return create_view(session, statement, late_binding=bool(statement.args.get("no_schema_binding")))
        if kind == "TABLE":
            if _is_external(statement):
                return create_external_table(session, statement)
            if session.dialect == "redshift":
                return managed.create_table(session, statement, params)
            if statement.expression is not None:
                from lakebox.engine import athena_writes
                return athena_writes.create_table_as(session, statement, params)
            what = "CREATE TABLE (Iceberg)"
            raise errors.NotSupportedError(f"{what} is not supported by lakebox (Athena): it writes no table data "
                                           "yet; create Hive tables over existing files with CREATE EXTERNAL TABLE")
    if isinstance(statement, exp.Drop):
        if kind in ("DATABASE", "SCHEMA"):
            return drop_database(session, statement)
        if kind in ("TABLE", "VIEW") and not statement.args.get("materialized"):
            return drop_table(session, statement, kind)
    if isinstance(statement, exp.Alter):
        return alter_table(session, statement, sql)
    raise st.not_supported(sql or statement.sql(session.dialect), session.dialect)


def run_special(session, statement) -> Result:
    if isinstance(statement, st.MsckRepair):
        return msck_repair(session, statement)
    if isinstance(statement, st.AddPartitions):
        return add_partitions(session, statement)
    if isinstance(statement, st.RenamePartition):
        return rename_partition(session, statement)
    if isinstance(statement, st.AlterDatabaseProperties):
        return alter_database_properties(session, statement)
    return create_external_schema(session, statement)


# -- databases ------------------------------------------------------------------------------------


def _drop_targets(statement: exp.Drop) -> list[exp.Expression]:
    return list(statement.args.get("tables") or []) or [statement.this]


def _database_name(statement: exp.Expression) -> str:
    target = _drop_targets(statement)[0] if isinstance(statement, exp.Drop) else statement.this
    if isinstance(target, exp.Table):
        return (target.name or (target.args.get("db").name if target.args.get("db") else "")).lower()
    return target.name.lower()


def create_database(session, statement: exp.Create) -> Result:
    name = _database_name(statement)
    properties = _properties(statement)
    location = _location(properties)
    if location:
        session.user_location(location)
    database = Database(name, description=_comment(properties), location_uri=location,
                        parameters=_key_values(properties))
    with session.catalog_changes():
        if session.dialect == "redshift":
            managed.ensure_schema(session, name)
        exists = any(d.name == name for d in session.catalog.get_databases())
        if exists and statement.args.get("exists"):
            return status_result("CREATE SCHEMA")
        session.catalog.create_database(database)
    return status_result("CREATE SCHEMA")


def drop_database(session, statement: exp.Drop) -> Result:
    name = _database_name(statement)
    if session.dialect == "redshift" and session.catalog.get_external_schema(name):
        with session.catalog_changes():
            session.catalog.drop_external_schema(name)
        return status_result("DROP SCHEMA")
    if not any(d.name == name for d in session.catalog.get_databases()):
        if statement.args.get("exists"):
            return status_result("DROP SCHEMA")
        session.catalog.get_database(name)  # raises EntityNotFound with a suggestion
    cascade = bool(statement.args.get("cascade"))
    with session.catalog_changes():
        managed_tables = [t for t in session.catalog.get_tables(name) if t.table_type == model.MANAGED_TABLE]
        if managed_tables and not cascade:
            raise errors.CatalogError(f"Database '{name}' is not empty")
        for table in managed_tables:
            managed.drop_storage(session, table)
        session.catalog.delete_database(name, cascade=cascade)
    return status_result("DROP SCHEMA")


# -- tables -----------------------------------------------------------------------------------------


def _is_external(statement: exp.Create) -> bool:
    properties = statement.args.get("properties")
    return properties is not None and any(isinstance(p, exp.ExternalProperty) for p in properties.expressions)


def _properties(statement: exp.Create) -> list[exp.Expression]:
    properties = statement.args.get("properties")
    return list(properties.expressions) if properties is not None else []


def _comment(properties) -> str | None:
    for p in properties:
        if isinstance(p, exp.SchemaCommentProperty):
            return p.this.name
    return None


def _location(properties) -> str | None:
    for p in properties:
        if isinstance(p, exp.LocationProperty):
            return p.this.name
    return None


def _key_values(properties) -> dict[str, str]:
    """TBLPROPERTIES / DBPROPERTIES ('k'='v') pairs."""
    result = {}
    for p in properties:
        if type(p) is exp.Property:
            result[p.name] = p.args["value"].name if isinstance(p.args.get("value"), exp.Expression) else str(p.args.get("value"))
        elif isinstance(p, exp.Properties):
            result.update(_key_values(p.expressions))
    return result


def _columns(schema: exp.Schema) -> list[Column]:
    columns = []
    for definition in schema.expressions:
        if not isinstance(definition, exp.ColumnDef):
            continue
        if definition.args.get("kind") is None:
            raise errors.ProgrammingError(f"column '{definition.name}' needs a type")
        comment = None
        for constraint in definition.args.get("constraints") or []:
            if isinstance(constraint.kind, exp.CommentColumnConstraint):
                comment = constraint.kind.name
        columns.append(Column(definition.name, glue_type(definition.args["kind"]), comment))
    _check_unique(columns)
    return columns


def _check_unique(columns: list[Column]) -> None:
    seen = set()
    for column in columns:
        if column.name in seen:
            raise errors.ProgrammingError(f"column '{column.name}' is specified more than once")
        seen.add(column.name)


def _storage(properties) -> tuple[StorageDescriptor, dict[str, str]]:
    sd = StorageDescriptor(location=_location(properties))
    input_format, output_format, serde = _STORED_AS["TEXTFILE"]
    serde_params: dict[str, str] = {}
    for p in properties:
        if isinstance(p, exp.FileFormatProperty):
            value = p.this
            if isinstance(value, exp.InputOutputFormat):
                input_format = value.args["input_format"].name
                output_format = value.args["output_format"].name
                serde = None if serde == model.LAZY_SIMPLE_SERDE else serde
            else:
                stored = value.name.upper()
                if stored not in _STORED_AS:
                    raise errors.NotSupportedError(f"STORED AS {stored} is not supported "
                                                   f"(use one of {', '.join(_STORED_AS)})")
                input_format, output_format, serde = _STORED_AS[stored]
        elif isinstance(p, exp.RowFormatSerdeProperty):
            serde = p.this.name
            serde_params.update(_key_values((p.args.get("serde_properties") or exp.Properties()).expressions))
        elif isinstance(p, exp.RowFormatDelimitedProperty):
            serde = model.LAZY_SIMPLE_SERDE
            for key, parameter in (("fields", "field.delim"), ("escaped", "escape.delim"),
                                   ("lines", "line.delim"), ("collection_items", "collection.delim"),
                                   ("map_keys", "mapkey.delim"), ("null", "serialization.null.format")):
                if p.args.get(key) is not None:
                    serde_params[parameter] = p.args[key].name
            if "field.delim" in serde_params:
                serde_params.setdefault("serialization.format", serde_params["field.delim"])
    if serde is None:
        serde = model.LAZY_SIMPLE_SERDE
    sd.input_format, sd.output_format = input_format, output_format
    sd.serde_info = SerDeInfo(serialization_library=serde, parameters=serde_params)
    table_parameters = {"EXTERNAL": "TRUE"}
    if serde in _CLASSIFICATION:
        table_parameters["classification"] = _CLASSIFICATION[serde]
    return sd, table_parameters


def _refuse_partition_projection(parameters: dict[str, str]) -> None:
    """Partition projection computes partitions from table properties; lakebox reads the catalog's only, so
    a projected table would look empty: refuse it."""
    if str(parameters.get("projection.enabled", "")).strip().lower() == "true":
        raise errors.NotSupportedError("partition projection (TBLPROPERTIES 'projection.enabled'='true') is not "
                                       "supported by lakebox: register the partitions (MSCK REPAIR TABLE or "
                                       "ALTER TABLE ADD PARTITION) instead")


def _target_name(session, target: exp.Expression) -> QualifiedName:
    table = target.this if isinstance(target, exp.Schema) else target
    return creation_name(table, session)


def create_external_table(session, statement: exp.Create) -> Result:
    name = _target_name(session, statement.this)
    schema = statement.this if isinstance(statement.this, exp.Schema) else None
    if schema is None:
        raise errors.ProgrammingError("CREATE EXTERNAL TABLE needs a column list")
    properties = _properties(statement)
    columns = _columns(schema)
    partition_keys: list[Column] = []
    for p in properties:
        if isinstance(p, exp.PartitionedByProperty):
            if not isinstance(p.this, exp.Schema):
                raise errors.ProgrammingError("PARTITIONED BY of an external table lists columns with types")
            partition_keys = _columns(p.this)
    _check_unique(columns + partition_keys)
    sd, parameters = _storage(properties)
    sd.columns = columns
    if not sd.location:
        raise errors.ProgrammingError(f"CREATE EXTERNAL TABLE {name} needs a LOCATION")
    session.user_location(sd.location)
    parameters.update(_key_values(properties))
    scans.format_spec(sd, parameters)  # a SerDe lakebox cannot read is refused now, not at the first query
    _refuse_partition_projection(parameters)
    table = Table(name.table, name.database, storage_descriptor=sd, partition_keys=partition_keys,
                  table_type=model.EXTERNAL_TABLE, parameters=parameters, description=_comment(properties))
    with session.catalog_changes():
        session.catalog.get_database(name.database)
        if session.catalog.table_exists(name.database, name.table):
            if statement.args.get("exists"):
                return status_result("CREATE EXTERNAL TABLE")
            raise errors.AlreadyExists(f"Table '{name}' already exists")
        session.catalog.create_table(table)
    return status_result("CREATE EXTERNAL TABLE")


def drop_table(session, statement: exp.Drop, kind: str) -> Result:
    tag = f"DROP {kind}"
    with session.catalog_changes():
        for node in _drop_targets(statement):
            name = qualified_name(node, session)
            if managed.is_temporary(session, name):
                if name.table not in session.temp_tables:
                    if statement.args.get("exists"):
                        continue
                    lookup_table(name, session)  # raises with a suggestion
                if kind == "VIEW":
                    raise errors.ProgrammingError(f"'{name}' is a table, not a view: use DROP TABLE")
                table = session.temp_tables[name.table]
                managed.drop_storage(session, table)
                managed.forget_temporary(session, table)
                continue
            if not session.catalog.table_exists(name.database, name.table):
                if statement.args.get("exists"):
                    continue
                lookup_table(name, session)  # raises with a suggestion
            table = session.catalog.get_table(name.database, name.table)
            if kind == "VIEW" and not table.is_view:
                raise errors.ProgrammingError(f"'{name}' is a table, not a view: use DROP TABLE")
            if kind == "TABLE" and table.is_view:
                raise errors.ProgrammingError(f"'{name}' is a view, not a table: use DROP VIEW")
            if table.table_type == model.MANAGED_TABLE:
                managed.drop_storage(session, table)
            session.catalog.delete_table(name.database, name.table)
    return status_result(tag)


# -- views ------------------------------------------------------------------------------------------


def create_view(session, statement: exp.Create, late_binding: bool = False) -> Result:
    target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
    name = creation_name(target, session)
    query = statement.expression
    if query is None:
        raise errors.ProgrammingError("CREATE VIEW needs AS followed by a query")
    if session.dialect == "redshift":
        _refuse_temporary_reads(session, query)
    text = query.sql(session.dialect)
    # Bind it now, as the services do, so that a broken view fails at creation, and learn its columns.
    # A late-binding view (WITH NO SCHEMA BINDING) may name tables that do not exist yet.
    columns: list[Column] = []
    search_path = list(session.search_path_list)
    with session.defaults(session.dialect, name.database if session.dialect == "athena" else session.search_path,
                          search_path=search_path):
        try:
            bound = session.bind(query.copy())
        except errors.CatalogError:
            if not late_binding:
                raise
            bound = None
        if bound is not None:
            with session.registered(bound):
                description = session.con.execute(f"SELECT * FROM ({bound.sql}) LIMIT 0").description
            columns = [Column(col[0], glue_type_from_duckdb(str(col[1]))) for col in description]
    parameters = {"presto_view": "true", "comment": "Presto View", "lakebox.dialect": session.dialect}
    if session.dialect == "redshift":  # the view's names resolve later as they did now
        parameters["lakebox.search_path"] = ",".join(search_path)
    view = Table(name.table, name.database, storage_descriptor=StorageDescriptor(columns=columns),
                 table_type=model.VIRTUAL_VIEW, parameters=parameters, view_original_text=text,
                 view_expanded_text="/* Presto View */")
    with session.catalog_changes():
        session.catalog.get_database(name.database)
        if session.catalog.table_exists(name.database, name.table):
            existing = session.catalog.get_table(name.database, name.table)
            if not existing.is_view:
                raise errors.AlreadyExists(f"'{name}' is a table; a view cannot replace it")
            if not statement.args.get("replace"):
                raise errors.AlreadyExists(f"View '{name}' already exists")
            view.version_id = existing.version_id
            view.create_time = existing.create_time
            session.catalog.update_table(view)
        else:
            session.catalog.create_table(view)
    return status_result("CREATE VIEW")


def _refuse_temporary_reads(session, query: exp.Expression) -> None:
    """A view over one of the session's temporary tables would outlive it: lakebox refuses it."""
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    for node in query.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier) or (not node.args.get("db") and node.name.lower() in ctes):
            continue
        name = qualified_name(node, session)
        if managed.is_temporary(session, name) and name.table in session.temp_tables:
            raise errors.NotSupportedError(f"a view over the temporary table '{name.table}' is not supported by "
                                           "lakebox: the view would outlive the table")


# -- partitions -------------------------------------------------------------------------------------


def _partition_values(table: Table, spec: dict[str, str]) -> list[str]:
    keys = [k.name for k in table.partition_keys]
    if not keys:
        raise errors.ProgrammingError(f"table '{table.database_name}.{table.name}' is not partitioned")
    unknown = [k for k in spec if k not in keys]
    if unknown or len(spec) != len(keys):
        raise errors.ProgrammingError(f"partition spec {spec} does not match the partition keys ({', '.join(keys)})")
    return [spec[k] for k in keys]


def _child_location(storage, table: Table, values: list[str]) -> str:
    parts = [f"{k.name}={v}" for k, v in zip(table.partition_keys, values)]
    return storage.join(table.location, *parts) + "/"


def add_partitions(session, statement: st.AddPartitions) -> Result:
    name = qualified_name(statement.table, session)
    table = lookup_table(name, session)
    partitions = []
    for spec, location in statement.partitions:
        values = _partition_values(table, {k.lower(): v for k, v in spec.items()})
        if location:
            session.user_location(location)
        partitions.append(table.new_partition(values, location or _child_location(session.storage, table, values)))
    with session.catalog_changes():
        session.catalog.batch_create_partition(name.database, name.table, partitions,
                                               if_not_exists=statement.if_not_exists)
    return status_result("ALTER TABLE")


def drop_partitions(session, statement: exp.Alter) -> Result:
    name = qualified_name(statement.this, session)
    table = lookup_table(name, session)
    to_drop = []
    for action in statement.args["actions"]:
        for partition in action.expressions:
            spec = {}
            for condition in partition.expressions:
                if not isinstance(condition, exp.EQ):
                    raise errors.NotSupportedError("DROP PARTITION takes key = value pairs")
                spec[condition.this.name.lower()] = condition.expression.name
            to_drop.append(_partition_values(table, spec))
    if_exists = bool(statement.args.get("exists")) or any(a.args.get("exists") for a in statement.args["actions"])
    with session.catalog_changes():
        session.catalog.batch_delete_partition(name.database, name.table, to_drop, if_exists=if_exists)
    return status_result("ALTER TABLE")


def rename_partition(session, statement: st.RenamePartition) -> Result:
    """ALTER TABLE ... PARTITION (old) RENAME TO PARTITION (new): new values, same files."""
    name = qualified_name(statement.table, session)
    table = lookup_table(name, session)
    old = _partition_values(table, statement.old)
    new = _partition_values(table, statement.new)
    with session.catalog_changes():
        partition = session.catalog.get_partition(name.database, name.table, old)
        moved = Partition(new, name.database, name.table, storage_descriptor=partition.storage_descriptor,
                          parameters=dict(partition.parameters))
        session.catalog.update_partition(name.database, name.table, old, moved)
    return status_result("ALTER TABLE")


# -- ALTER TABLE and ALTER DATABASE ------------------------------------------------------------------


def _action_label(action: exp.Expression, dialect: str) -> str:
    words = re.findall(r"[A-Za-z_]+", action.sql(dialect))
    return "ALTER TABLE " + " ".join(w.upper() for w in words[:2])


def alter_table(session, statement: exp.Alter, sql: str) -> Result:
    actions = statement.args.get("actions") or []
    kind = (statement.args.get("kind") or "").upper()
    if kind != "TABLE" or not actions:
        raise st.not_supported(sql or statement.sql(session.dialect), session.dialect)
    if all(isinstance(a, exp.DropPartition) for a in actions):
        return drop_partitions(session, statement)
    if len(actions) != 1:
        raise errors.NotSupportedError("ALTER TABLE with several actions is not supported by lakebox: "
                                       "write one ALTER TABLE per action")
    action = actions[0]
    name = qualified_name(statement.this, session)
    if statement.args.get("exists") and not session.catalog.table_exists(name.database, name.table):
        return status_result("ALTER TABLE")
    table = lookup_table(name, session)
    if table.is_view:
        raise errors.ProgrammingError(f"'{name}' is a view: ALTER TABLE changes tables")
    if table.table_type == model.MANAGED_TABLE:
        return managed.alter_table(session, table, action, _action_label(action, session.dialect))
    partition = statement.this.args.get("partition") if isinstance(statement.this, exp.Table) else None
    if partition is not None:
        if isinstance(action, exp.AlterSet) and action.args.get("location") is not None and len(action.args) == 1:
            return _set_partition_location(session, table, partition, action.args["location"].name)
        raise st.not_supported(sql or statement.sql(session.dialect), session.dialect)
    changed = table.copy()
    sd = changed.storage_descriptor
    if isinstance(action, exp.AlterSet) and set(k for k, v in action.args.items() if v) == {"location"}:
        location = action.args["location"].name
        session.user_location(location)
        sd.location = location
    elif isinstance(action, exp.AlterSet) and set(k for k, v in action.args.items() if v) == {"expressions"} \
            and all(isinstance(e, exp.Properties) and all(type(p) is exp.Property for p in e.expressions)
                    for e in action.expressions):
        for properties in action.expressions:
            changed.parameters.update(_key_values(properties.expressions))
        _refuse_partition_projection(changed.parameters)
    elif isinstance(action, exp.Schema):  # ADD COLUMNS (...)
        sd.columns = sd.columns + _columns(action)
        _check_unique(changed.all_columns)
    elif isinstance(action, exp.ReplaceColumns):
        sd.columns = _columns(exp.Schema(expressions=action.expressions))
        _check_unique(changed.all_columns)
    elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None \
            and not action.args.get("using") and not action.args.get("collate"):
        _change_column(changed, action)
    else:
        label = _action_label(action, session.dialect)
        if isinstance(action, exp.AlterSet) and action.find(exp.SerdeProperties):
            label = "ALTER TABLE SET SERDEPROPERTIES"
        raise errors.NotSupportedError(f"{label} is not supported by lakebox for external tables")
    with session.catalog_changes():
        session.catalog.update_table(changed)
    return status_result("ALTER TABLE")


def _change_column(table: Table, action: exp.AlterColumn) -> None:
    """Hive's CHANGE COLUMN old new type [COMMENT '...']: rename, retype or comment one column."""
    old = action.this.name.lower()
    columns = table.storage_descriptor.columns
    index = next((i for i, c in enumerate(columns) if c.name == old), None)
    if index is None:
        if any(k.name == old for k in table.partition_keys):
            raise errors.NotSupportedError("CHANGE COLUMN of a partition key is not supported")
        raise errors.ProgrammingError(f"Column '{old}' does not exist in '{table.database_name}.{table.name}'")
    new_name = action.args["rename_to"].name.lower() if action.args.get("rename_to") is not None else old
    comment = action.args.get("comment")
    comment_text = comment.name if isinstance(comment, exp.Expression) else columns[index].comment
    columns[index] = Column(new_name, glue_type(action.args["dtype"]), comment_text)
    _check_unique(table.all_columns)


def _set_partition_location(session, table: Table, partition: exp.Partition, location: str) -> Result:
    spec = {}
    for condition in partition.expressions:
        if not isinstance(condition, exp.EQ):
            raise errors.NotSupportedError("PARTITION (...) takes key = value pairs")
        spec[condition.this.name.lower()] = condition.expression.name
    values = _partition_values(table, spec)
    session.user_location(location)
    with session.catalog_changes():
        existing = session.catalog.get_partition(table.database_name, table.name, values)
        moved = copy.deepcopy(existing)
        moved.storage_descriptor.location = location
        session.catalog.update_partition(table.database_name, table.name, values, moved)
    return status_result("ALTER TABLE")


def alter_database_properties(session, statement: st.AlterDatabaseProperties) -> Result:
    with session.catalog_changes():
        database = session.catalog.get_database(statement.name)
        database.parameters = {**(database.parameters or {}), **statement.properties}
        session.catalog.update_database(statement.name, database)
    return status_result("ALTER DATABASE")


def msck_repair(session, statement: st.MsckRepair) -> Result:
    """Register the Hive-style `key=value` folders under the table location (reads no data)."""
    name = qualified_name(statement.table, session)
    table = lookup_table(name, session)
    if not table.partition_keys:
        return rows_result(["result"], [[]])
    keys = [k.name for k in table.partition_keys]
    found = _hive_partition_folders(session.storage, table.location, keys)
    known = {tuple(p.values) for p in session.catalog.get_partitions(name.database, name.table)}
    new = [values for values in found if tuple(values) not in known]
    partitions = [table.new_partition(values, _child_location(session.storage, table, values)) for values in new]
    with session.catalog_changes():
        if partitions:
            session.catalog.batch_create_partition(name.database, name.table, partitions, if_not_exists=True)
    messages = [f"Partitions not in metastore:\t{name.table}:" + "/".join(f"{k}={v}" for k, v in zip(keys, values))
                for values in new]
    messages += [f"Repair: Added partition to metastore {name.table}:" +
                 "/".join(f"{k}={v}" for k, v in zip(keys, values)) for values in new]
    return rows_result(["result"], [messages])


def _hive_partition_folders(storage, location: str, keys: list[str]) -> list[list[str]]:
    """Folder paths key1=v1/key2=v2/... under location whose keys match the table's, in order."""
    results: list[list[str]] = []

    def walk(current: str, depth: int, values: list[str]) -> None:
        if depth == len(keys):
            results.append(values)
            return
        for folder in storage.list_dirs(current):
            key, sep, value = folder.partition("=")
            if sep and key.lower() == keys[depth]:
                walk(storage.join(current, folder), depth + 1, values + [_unescape_hive(value)])

    walk(location, 0, [])
    return sorted(results)


def _unescape_hive(value: str) -> str:
    """Hive escapes special characters in partition folder names as %XX."""
    from urllib.parse import unquote

    return unquote(value)


# -- Redshift external schemas ----------------------------------------------------------------------


def create_external_schema(session, statement: st.CreateExternalSchema) -> Result:
    with session.catalog_changes():
        if session.catalog.get_external_schema(statement.name):
            if statement.if_not_exists:
                return status_result("CREATE SCHEMA")
            raise errors.AlreadyExists(f"Schema '{statement.name}' already exists")
        databases = {d.name for d in session.catalog.get_databases()}
        if statement.database not in databases:
            if not statement.create_database:
                session.catalog.get_database(statement.database)  # raises, with a suggestion
            session.catalog.create_database(Database(statement.database))
        session.catalog.create_external_schema(statement.name, statement.database, statement.iam_role)
    return status_result("CREATE SCHEMA")


__all__ = ["run", "run_special", "redshift_schema_database"]
