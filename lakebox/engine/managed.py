"""Redshift managed tables: stored in the workspace's DuckDB warehouse, recorded in the catalog.

DISTSTYLE, DISTKEY, SORTKEY and column ENCODE are accepted and recorded as table and column
parameters (the distribution simulation reads them later); they never change a result.
Redshift does not enforce PRIMARY KEY, UNIQUE or FOREIGN KEY, so neither do we; NOT NULL it does.
"""

from __future__ import annotations

import time

from sqlglot import exp

from lakebox import errors
from lakebox.catalog import model
from lakebox.catalog.model import Column, Database, StorageDescriptor, Table
from lakebox.dialects.statements import is_interleaved
from lakebox.dialects.types import glue_type, glue_type_from_duckdb
from lakebox.engine.names import QualifiedName, creation_name, qualified_name
from lakebox.engine.result import Result, status_result

_INFORMATIONAL = (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint, exp.EncodeColumnConstraint,
                  exp.Reference)
_DISTRIBUTION = (exp.DistStyleProperty, exp.DistKeyProperty, exp.SortKeyProperty, exp.BackupProperty)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def storage_name(session, name: QualifiedName) -> str:
    if is_temporary(session, name):  # DuckDB's TEMP catalog of this session's connection
        return f"temp.main.{_quote(name.table)}"
    return f"{_quote(session.warehouse_catalog())}.{_quote(name.database)}.{_quote(name.table)}"


def is_temporary(session, name: QualifiedName) -> bool:
    return session.dialect == "redshift" and name.database == session.temp_schema


def _is_temporary_statement(statement: exp.Create, target: exp.Table) -> bool:
    """CREATE TEMP / TEMPORARY TABLE, or a table name that starts with '#' (r_CREATE_TABLE_NEW)."""
    properties = statement.args.get("properties")
    return target.name.startswith("#") or (properties is not None and any(
        isinstance(p, exp.TemporaryProperty) for p in properties.expressions))


def save_table(session, table: Table, old: Table | None = None) -> None:
    """Record a new or changed table: a temporary one in the session, any other in the catalog."""
    if is_temporary(session, QualifiedName(table.database_name, table.name)):
        if old is not None:
            session.temp_tables.pop(old.name, None)
        session.temp_tables[table.name] = table
        session.temp_changed()
    elif old is None:
        session.catalog.create_table(table)
    elif old.name != table.name:
        session.catalog.delete_table(old.database_name, old.name)
        session.catalog.create_table(table)
    else:
        session.catalog.update_table(table)


def forget_temporary(session, table: Table) -> None:
    session.temp_tables.pop(table.name, None)
    session.temp_changed()


def ensure_schema(session, schema: str) -> None:
    session.con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(session.warehouse_catalog())}.{_quote(schema)}")


def _ensure_database(session, name: str) -> None:
    if not any(d.name == name for d in session.catalog.get_databases()):
        session.catalog.create_database(Database(name, description="Redshift schema"))
    ensure_schema(session, name)


def _distribution(statement: exp.Create, columns: list[Column]) -> dict[str, str]:
    parameters = {"diststyle": "AUTO"}
    properties = statement.args.get("properties")
    for p in properties.expressions if properties is not None else []:
        if isinstance(p, exp.DistStyleProperty):
            parameters["diststyle"] = p.this.name.upper()
        elif isinstance(p, exp.DistKeyProperty):
            parameters["distkey"] = p.this.name.lower()
            parameters["diststyle"] = "KEY"
        elif isinstance(p, exp.SortKeyProperty):
            keys = p.this if isinstance(p.this, list) else [p.this]
            parameters["sortkey"] = ",".join(k.name.lower() for k in keys)
            parameters["sortkey_type"] = "INTERLEAVED" if is_interleaved(statement) else "COMPOUND"
    names = {c.name for c in columns}
    for key in ("distkey",):
        if key in parameters and parameters[key] not in names:
            raise errors.ProgrammingError(f"column '{parameters[key]}' named in DISTKEY does not exist")
    for key in parameters.get("sortkey", "").split(","):
        if key and key not in names:
            raise errors.ProgrammingError(f"column '{key}' named in SORTKEY does not exist")
    return parameters


_CHAR_KINDS = (exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR, exp.DataType.Type.BPCHAR)
_VARCHAR_KINDS = (exp.DataType.Type.VARCHAR, exp.DataType.Type.NVARCHAR)


def _length_check(definition: exp.ColumnDef) -> exp.ColumnConstraint | None:
    """CHAR(n) and VARCHAR(n) hold n bytes: storing a longer string is an error unless the excess is
    blanks (r_Character_types). DuckDB ignores the length, so a CHECK enforces it; its failure is
    reported in Redshift's words (engine/duckdb_errors.py reads which type it was from the form:
    rtrim(c) for CHAR, rtrim(c, ' ') for VARCHAR)."""
    datatype = definition.args.get("kind")
    if datatype is None or datatype.this not in (*_CHAR_KINDS, *_VARCHAR_KINDS):
        return None
    params = datatype.expressions
    if len(params) != 1 or not params[0].name.isdigit():
        return None
    column = exp.column(definition.name, quoted=True)
    args = [column] if datatype.this in _CHAR_KINDS else [column, exp.Literal.string(" ")]
    condition = exp.LTE(this=exp.Anonymous(this="strlen", expressions=[exp.Anonymous(this="rtrim", expressions=args)]),
                        expression=exp.Literal.number(int(params[0].name)))
    return exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=condition))


def _column_definitions(schema: exp.Schema) -> list[Column]:
    columns = []
    for definition in schema.expressions:
        if not isinstance(definition, exp.ColumnDef):
            continue
        parameters = {}
        kept = []
        for constraint in definition.args.get("constraints") or []:
            if isinstance(constraint.kind, exp.EncodeColumnConstraint):
                parameters["encode"] = constraint.kind.name.lower()
            elif isinstance(constraint.kind, exp.PrimaryKeyColumnConstraint):
                parameters["primary_key"] = "true"
            if not isinstance(constraint.kind, _INFORMATIONAL):
                kept.append(constraint)
        length_check = _length_check(definition)
        if length_check is not None:
            kept.append(length_check)
        definition.set("constraints", kept)
        columns.append(Column(definition.name, glue_type(definition.args["kind"]), parameters=parameters))
    # Table-level PRIMARY KEY / UNIQUE / FOREIGN KEY constraints are informational in Redshift.
    schema.set("expressions", [e for e in schema.expressions if isinstance(e, exp.ColumnDef)])
    return columns


def create_table(session, statement: exp.Create, params) -> Result:
    target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
    name = creation_name(target, session, temporary=_is_temporary_statement(statement, target))
    if is_temporary(session, name):
        return _create_temporary(session, statement, name, params)
    if session.catalog.table_exists(name.database, name.table) or \
            (session.catalog.get_external_schema(name.database) is not None):
        if statement.args.get("exists") and session.catalog.table_exists(name.database, name.table):
            return status_result("CREATE TABLE")
        raise errors.AlreadyExists(f"Relation \"{name.table}\" already exists")
    query = statement.expression

    def create() -> None:
        if query is not None:
            columns = _create_as(session, name, query, params)
        else:
            columns = _column_definitions(statement.this)
            ddl = exp.Create(this=exp.Schema(this=exp.table_(name.table, db=name.database,
                                                                catalog=session.warehouse_catalog()),
                                             expressions=statement.this.expressions),
                             kind="TABLE")
            session.con.execute(ddl.sql("duckdb"))
        session.catalog.create_table(Table(name.table, name.database, table_type=model.MANAGED_TABLE,
                                           storage_descriptor=StorageDescriptor(columns=columns),
                                           parameters=_distribution(statement, columns)))

    with session.catalog_changes():
        _ensure_database(session, name.database)
        in_warehouse_transaction(session, create)
    return status_result("CREATE TABLE" if query is None else "SELECT")


def _create_temporary(session, statement: exp.Create, name: QualifiedName, params) -> Result:
    """A temporary table: in DuckDB's TEMP catalog of the session's own connection (no other connection
    sees it; it goes when the session closes) and recorded in the session, not the catalog. It shadows a
    permanent table of the same name, as the temporary schema comes first in the search path."""
    query = statement.expression
    if name.table in session.temp_tables:
        if statement.args.get("exists"):
            return status_result("CREATE TABLE")
        raise errors.AlreadyExists(f"Relation \"{name.table}\" already exists")
    def create() -> list[Column]:
        if query is not None:
            return _create_as(session, name, query, params)
        ddl = exp.Create(this=exp.Schema(this=exp.table_(name.table, db="main", catalog="temp"),
                                         expressions=statement.this.expressions),
                         kind="TABLE", properties=exp.Properties(expressions=[exp.TemporaryProperty()]))
        session.con.execute(ddl.sql("duckdb"))
        return _column_definitions(statement.this)

    columns = in_warehouse_transaction(session, create)
    parameters = {**_distribution(statement, columns), "lakebox.temporary": "true"}
    save_table(session, Table(name.table, name.database, table_type=model.MANAGED_TABLE,
                              storage_descriptor=StorageDescriptor(columns=columns), parameters=parameters))
    return status_result("CREATE TABLE" if query is None else "SELECT")


def _create_as(session, name: QualifiedName, query: exp.Expression, params) -> list[Column]:
    bound = session.bind(query, params)
    temporary = "TEMP " if is_temporary(session, name) else ""
    with session.registered(bound):
        session.con.execute(f"CREATE {temporary}TABLE {storage_name(session, name)} AS {bound.sql}")
    described = session.con.sql(f"DESCRIBE {storage_name(session, name)}").fetchall()
    return [Column(row[0], glue_type_from_duckdb(row[1])) for row in described]


def drop_storage(session, table: Table) -> None:
    name = QualifiedName(table.database_name, table.name)
    session.con.execute(f"DROP TABLE IF EXISTS {storage_name(session, name)}")


def _merge_insert_columns(session, merge: exp.Merge) -> None:
    """MERGE ... WHEN NOT MATCHED THEN INSERT VALUES (...) without a column list inserts into every column
    in order; sqlglot reads that form as a call of VALUES, which DuckDB rejects: spell the columns out."""
    from lakebox.engine.names import lookup_table

    whens = merge.args.get("whens")
    for when in whens.expressions if whens is not None else []:
        insert = when.args.get("then")
        if not isinstance(insert, exp.Insert) or not isinstance(insert.this, exp.Tuple):
            continue
        values = insert.this.expressions
        if len(values) == 1 and isinstance(values[0], exp.Anonymous) and values[0].name.upper() == "VALUES":
            table = lookup_table(qualified_name(merge.this, session), session)
            names = [c.name for c in table.storage_descriptor.columns]
            insert.set("this", exp.Tuple(expressions=[exp.column(n) for n in names]))
            insert.set("expression", exp.Tuple(expressions=values[0].expressions))


def dml(session, statement: exp.Expression, params) -> Result:
    started = time.perf_counter()
    if isinstance(statement, exp.Merge):
        _merge_insert_columns(session, statement)
    bound = session.bind(statement, params)
    with session.registered(bound):
        rows = session.con.execute(bound.sql).fetchall()  # fetch all: DuckDB 2 keeps a half-read result open
    count = int(rows[0][0]) if rows else 0
    verb = statement.key.upper()
    tag = f"INSERT 0 {count}" if verb == "INSERT" else f"{verb} {count}"
    result = status_result(tag, count)
    result.timings = {"plan_ms": bound.plan_ms, "execute_ms": (time.perf_counter() - started) * 1000}
    return result


# -- ALTER TABLE and TRUNCATE ------------------------------------------------------------------------


def in_warehouse_transaction(session, work):
    """Run `work()` (DuckDB DDL or DML on the warehouse) inside the statement's transaction; its result."""
    in_transaction = session.in_transaction
    if not in_transaction:
        session.con.execute("BEGIN TRANSACTION")
    try:
        result = work()
        if not in_transaction:
            session.con.execute("COMMIT")
        return result
    except BaseException:
        if not in_transaction:
            session.con.execute("ROLLBACK")
        raise


def _column_index(table: Table, name: str) -> int:
    for index, column in enumerate(table.storage_descriptor.columns):
        if column.name == name:
            return index
    raise errors.ProgrammingError(f'column "{name}" of relation "{table.name}" does not exist')


def alter_table(session, table: Table, action: exp.Expression, label: str) -> Result:
    """Redshift's ALTER TABLE on a managed table: ADD / DROP / RENAME COLUMN, RENAME TO, ALTER COLUMN TYPE
    (VARCHAR lengths). The warehouse table and the catalog change together."""
    name = QualifiedName(table.database_name, table.name)
    storage = storage_name(session, name)
    changed = table.copy()
    columns = changed.storage_descriptor.columns
    statements: list[str] = []
    if isinstance(action, exp.ColumnDef):  # ADD [COLUMN]
        column = _column_definitions(exp.Schema(expressions=[action.copy()]))[0]
        if any(c.name == column.name for c in columns):
            raise errors.ProgrammingError(f'column "{column.name}" of relation "{table.name}" already exists')
        definition = action.copy()
        definition.set("exists", False)
        statements.append(f"ALTER TABLE {storage} ADD COLUMN {definition.sql('duckdb')}")
        columns.append(column)
    elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
        for target in action.args.get("tables") or []:
            column = target.name.lower()
            index = _column_index(changed, column)
            if len(columns) == 1:
                raise errors.ProgrammingError(f'cannot drop column "{column}": a table needs at least one column')
            statements.append(f"ALTER TABLE {storage} DROP COLUMN {_quote(column)}")
            del columns[index]
    elif isinstance(action, exp.RenameColumn):
        old, new = action.this.name.lower(), action.args["to"].name.lower()
        index = _column_index(changed, old)
        if any(c.name == new for c in columns):
            raise errors.ProgrammingError(f'column "{new}" of relation "{table.name}" already exists')
        statements.append(f"ALTER TABLE {storage} RENAME COLUMN {_quote(old)} TO {_quote(new)}")
        columns[index] = Column(new, columns[index].type, columns[index].comment, dict(columns[index].parameters))
        for key in ("distkey", "sortkey"):
            if key in changed.parameters:
                changed.parameters[key] = ",".join(new if k == old else k for k in changed.parameters[key].split(","))
    elif isinstance(action, exp.AlterRename):
        return _rename_table(session, table, action)
    elif isinstance(action, exp.AlterDistStyle):  # recorded, as at CREATE TABLE; results never change
        if isinstance(action.this, exp.Column):
            key = action.this.name.lower()
            _column_index(changed, key)
            changed.parameters.update({"diststyle": "KEY", "distkey": key})
        else:
            changed.parameters["diststyle"] = action.this.name.upper()
            changed.parameters.pop("distkey", None)
    elif isinstance(action, exp.AlterSortKey):
        keys = [k.name.lower() for k in action.expressions]
        for key in keys:
            _column_index(changed, key)
        if keys:
            changed.parameters.update({"sortkey": ",".join(keys), "sortkey_type": "COMPOUND"})
        else:
            changed.parameters.pop("sortkey", None)
            changed.parameters.pop("sortkey_type", None)
    elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None \
            and action.args.get("rename_to") is None:
        index = _column_index(changed, action.this.name.lower())
        new_type = glue_type(action.args["dtype"])
        if not (columns[index].type.startswith("varchar") and new_type.startswith("varchar")):
            raise errors.NotSupportedError("ALTER COLUMN TYPE changes the length of a VARCHAR column only "
                                           "(as in Redshift)")
        columns[index] = Column(columns[index].name, new_type, columns[index].comment, dict(columns[index].parameters))
    else:
        raise errors.NotSupportedError(f"{label} is not supported by lakebox (Redshift)")
    with session.catalog_changes():
        in_warehouse_transaction(session, lambda: [session.con.execute(s) for s in statements])
        save_table(session, changed, table)
    return status_result("ALTER TABLE")


def _rename_table(session, table: Table, action: exp.AlterRename) -> Result:
    target = action.this
    if target.args.get("db") is not None:
        raise errors.ProgrammingError("RENAME TO takes a table name without a schema")
    new_name = target.name.lower()
    name = QualifiedName(table.database_name, table.name)
    taken = new_name in session.temp_tables if is_temporary(session, name) else \
        session.catalog.table_exists(table.database_name, new_name)
    if taken:
        raise errors.AlreadyExists(f'Relation "{new_name}" already exists')
    storage = storage_name(session, name)
    renamed = table.copy()
    renamed.name = new_name
    with session.catalog_changes():
        in_warehouse_transaction(session, lambda: session.con.execute(
            f"ALTER TABLE {storage} RENAME TO {_quote(new_name)}"))
        save_table(session, renamed, table)
    return status_result("ALTER TABLE")


def truncate(session, statement: exp.TruncateTable) -> Result:
    """TRUNCATE deletes every row of managed tables; in Redshift it commits the open transaction."""
    from lakebox.engine.names import lookup_table

    names = [qualified_name(node, session) for node in statement.expressions]
    tables = [lookup_table(name, session) for name in names]
    for table, name in zip(tables, names):
        if table.table_type != model.MANAGED_TABLE:
            raise errors.NotSupportedError(f"TRUNCATE of '{name}' is not supported: it is not a local table")
    in_warehouse_transaction(session, lambda: [session.con.execute(f"DELETE FROM {storage_name(session, n)}")
                                                for n in names])
    if session.in_transaction:
        session.commit_implicitly()
    return status_result("TRUNCATE TABLE")
