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
from lakebox.engine.names import QualifiedName, qualified_name
from lakebox.engine.result import Result, status_result

_INFORMATIONAL = (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint, exp.EncodeColumnConstraint,
                  exp.Reference)
_DISTRIBUTION = (exp.DistStyleProperty, exp.DistKeyProperty, exp.SortKeyProperty, exp.BackupProperty)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def storage_name(session, name: QualifiedName) -> str:
    return f"{_quote(session.warehouse_catalog())}.{_quote(name.database)}.{_quote(name.table)}"


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
        definition.set("constraints", kept)
        columns.append(Column(definition.name, glue_type(definition.args["kind"]), parameters=parameters))
    # Table-level PRIMARY KEY / UNIQUE / FOREIGN KEY constraints are informational in Redshift.
    schema.set("expressions", [e for e in schema.expressions if isinstance(e, exp.ColumnDef)])
    return columns


def create_table(session, statement: exp.Create, params) -> Result:
    target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
    name = qualified_name(target, session)
    if session.catalog.table_exists(name.database, name.table) or \
            (session.catalog.get_external_schema(name.database) is not None):
        if statement.args.get("exists") and session.catalog.table_exists(name.database, name.table):
            return status_result("CREATE TABLE")
        raise errors.AlreadyExists(f"Relation \"{name.table}\" already exists")
    query = statement.expression
    with session.catalog_changes():
        _ensure_database(session, name.database)
        in_transaction = session.in_transaction
        if not in_transaction:
            session.con.execute("BEGIN TRANSACTION")
        try:
            if query is not None:
                columns = _create_as(session, name, query, params)
            else:
                columns = _column_definitions(statement.this)
                ddl = exp.Create(this=exp.Schema(this=exp.table_(name.table, db=name.database,
                                                                    catalog=session.warehouse_catalog()),
                                                 expressions=statement.this.expressions),
                                 kind="TABLE")
                session.con.execute(ddl.sql("duckdb"))
            parameters = _distribution(statement, columns)
            session.catalog.create_table(Table(name.table, name.database, table_type=model.MANAGED_TABLE,
                                               storage_descriptor=StorageDescriptor(columns=columns),
                                               parameters=parameters))
            if not in_transaction:
                session.con.execute("COMMIT")
        except BaseException:
            if not in_transaction:
                session.con.execute("ROLLBACK")
            raise
    return status_result("CREATE TABLE" if query is None else "SELECT")


def _create_as(session, name: QualifiedName, query: exp.Expression, params) -> list[Column]:
    bound = session.bind(query, params)
    with session.registered(bound):
        session.con.execute(f"CREATE TABLE {storage_name(session, name)} AS {bound.sql}")
    described = session.con.sql(f"DESCRIBE {storage_name(session, name)}").fetchall()
    return [Column(row[0], glue_type_from_duckdb(row[1])) for row in described]


def drop_storage(session, table: Table) -> None:
    name = QualifiedName(table.database_name, table.name)
    session.con.execute(f"DROP TABLE IF EXISTS {storage_name(session, name)}")


def dml(session, statement: exp.Expression, params) -> Result:
    started = time.perf_counter()
    bound = session.bind(statement, params)
    with session.registered(bound):
        rows = session.con.execute(bound.sql).fetchall()  # fetch all: DuckDB 2 keeps a half-read result open
    count = int(rows[0][0]) if rows else 0
    verb = statement.key.upper()
    tag = f"INSERT 0 {count}" if verb == "INSERT" else f"{verb} {count}"
    result = status_result(tag, count)
    result.timings = {"plan_ms": bound.plan_ms, "execute_ms": (time.perf_counter() - started) * 1000}
    return result
