"""Binding: every name resolved against the catalog, views expanded, tables turned into scans.

One statement's journey through here: substitute parameters -> resolve table references (views
expand to their stored SQL, bound again) -> qualify columns and annotate types with the catalog as
schema -> the dialect's rewrite rules -> replace each table with a scan over exactly the files of
the partitions its predicates allow -> DuckDB SQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import secrets
import time
from dataclasses import dataclass, field

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify_columns import qualify_columns, validate_qualify_columns
from sqlglot.optimizer.qualify_tables import qualify_tables
from sqlglot.schema import MappingSchema

from lakebox.catalog.model import EXTERNAL_TABLE, MANAGED_TABLE, Table
from lakebox.dialects import decimal_supertypes, parameters
from lakebox.dialects.rules import annotators, apply_rules
from lakebox.dialects.statements import sqlglot_dialect
from lakebox.engine import pruning, scans
from lakebox.engine.names import QualifiedName, lookup_table, qualified_name
from lakebox.errors import (InterfaceError, NotSupportedError, ProgrammingError, suggest)

UNNAMED = "__lakebox_unnamed_"
_MAX_VIEW_DEPTH = 32
_QUERY_TYPES = (exp.Select, exp.SetOperation, exp.Subquery)


@dataclass
class ScanReport:
    table: str
    files: int
    partitions: int | None
    partitions_total: int | None


@dataclass
class ScanSlot:
    """Where an external table's scan goes in a plan, and how to prune its partitions."""

    marker: str
    name: QualifiedName
    table: Table
    alias: str
    predicates: list[str]  # DuckDB SQL over the table's partition keys only


@dataclass
class Plan:
    """A bound statement minus its scans: DuckDB SQL with a marker per external table."""

    template: str
    slots: list[ScanSlot]
    plan_ms: float


# Markers are ours alone: a random part keeps user text from ever looking like one.
_MARKER = f"__lakebox_scan_{secrets.token_hex(6)}_"


@dataclass
class BoundStatement:
    sql: str
    registrations: dict[str, pa.Table] = field(default_factory=dict)
    scans: list[ScanReport] = field(default_factory=list)
    plan_ms: float = 0.0


def bind_parameters(expression: exp.Expression, params) -> exp.Expression:
    """Replace `?` / `%s` placeholders, in order, by literals (so that pruning sees the values)."""
    placeholders = [p for p in expression.find_all(exp.Placeholder, exp.Parameter)]
    placeholders.sort(key=lambda p: p.meta.get(parameters.INDEX, 0))  # as written (parsing numbered them)
    params = list(params) if params is not None else []
    if len(placeholders) != len(params):
        raise InterfaceError(f"the statement has {len(placeholders)} parameter marker(s) but "
                             f"{len(params)} parameter(s) were given")
    for placeholder, value in zip(placeholders, params):
        value = literal(value)
        if isinstance(placeholder.parent, (exp.Ordered, exp.Group)) and isinstance(value, (exp.Literal, exp.Null,
                                                                                           exp.Boolean)):
            # A parameter that is a whole ORDER BY or GROUP BY key is a constant expression (PostgreSQL,
            # Trino): as a bare literal it would be a column position, or refused by DuckDB.
            value = exp.cast(value, "VARCHAR")
        placeholder.replace(value)
    return expression


def literal(value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.build("DOUBLE"))
    if isinstance(value, decimal.Decimal):
        return exp.Literal.number(str(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP"))
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return exp.Unhex(this=exp.Literal.string(bytes(value).hex()))
    raise InterfaceError(f"cannot bind a parameter of type {type(value).__name__}")


class Binder:
    def __init__(self, session):
        self.session = session

    # -- entry points -------------------------------------------------------------------------

    def bind(self, expression: exp.Expression, params=None) -> BoundStatement:
        plan = self.plan(expression, params)
        bound = self.realize(plan)
        bound.plan_ms += plan.plan_ms
        return bound

    def plan(self, expression: exp.Expression, params=None) -> Plan:
        """Everything that depends only on the statement and the catalog: reusable until it changes."""
        started = time.perf_counter()
        if params is not None or expression.find(exp.Placeholder):
            bind_parameters(expression, params)
        tables = self._resolve(expression, depth=0)
        query = _query_part(expression)
        if query is not None:
            unnamed = _name_unnamed_outputs(query, self.session.dialect)
            query = self._qualify(query, tables)
            query = apply_rules(query, self.session.dialect)
            _rename_unnamed_outputs(query, unnamed)
        elif isinstance(expression, exp.Insert) and _computed_values(expression.expression):
            # INSERT ... VALUES with expressions (casts, functions): the dialect's rules apply to them too
            values = expression.expression
            annotate_types(values, dialect=self.session.dialect,
                           expression_metadata=annotators(self.session.dialect))
            apply_rules(values, self.session.dialect)
        slots = self._scan_slots(expression, tables)
        if any(name.startswith("#") for name in self.session.temp_tables):
            _quote_hash_names(expression)
        template = expression.sql("duckdb", copy=False)  # the tree is ours and used up: no copy
        return Plan(template, slots, (time.perf_counter() - started) * 1000)

    def realize(self, plan: Plan) -> BoundStatement:
        """Turn a plan's scan slots into scans over the files that are there now."""
        started = time.perf_counter()
        bound = BoundStatement(sql=plan.template)
        for slot in plan.slots:
            scan = self._scan(slot)
            bound.registrations.update(scan.registrations)
            bound.scans.append(ScanReport(str(slot.name), scan.files, scan.partitions, scan.partitions_total))
            bound.sql = bound.sql.replace(slot.marker, scan.sql)
        bound.plan_ms = (time.perf_counter() - started) * 1000
        return bound

    def _view_body(self, view: Table, depth: int, resolved: dict[QualifiedName, Table]) -> exp.Expression:
        """Parse a view's stored SQL and resolve it in the dialect and database it was created with."""
        dialect = view.parameters.get("lakebox.dialect", self.session.dialect)
        try:
            body = sqlglot.parse_one(view.view_original_text or "", read=sqlglot_dialect(dialect))
        except sqlglot.errors.ParseError as error:
            raise ProgrammingError(f"view {view.database_name}.{view.name} no longer parses: {error}") from error
        path = view.parameters.get("lakebox.search_path")
        with self.session.defaults(dialect=dialect, database=view.database_name,
                                   search_path=path.split(",") if path else None):
            resolved.update(self._resolve(body, depth))
        return body

    # -- resolution ---------------------------------------------------------------------------

    def _resolve(self, expression: exp.Expression, depth: int) -> dict[QualifiedName, Table]:
        """Point every table reference at its catalog table; expand views in place."""
        if depth > _MAX_VIEW_DEPTH:
            raise ProgrammingError("views nest too deeply (is a view defined in terms of itself?)")
        cte_names = {cte.alias_or_name.lower() for cte in expression.find_all(exp.CTE)}
        resolved: dict[QualifiedName, Table] = {}
        for node in list(expression.find_all(exp.Table)):
            if not isinstance(node.this, exp.Identifier):
                if isinstance(node.this, exp.Var) and node.meta.get("lakebox_scan"):
                    continue
                raise NotSupportedError(f"table function {node.this.sql()} is not available: query tables "
                                        "registered in the catalog")
            if not node.args.get("db") and node.name.lower() in cte_names:
                continue
            name = qualified_name(node, self.session)
            table = lookup_table(name, self.session)
            if table.is_view:
                body = self._view_body(table, depth + 1, resolved)
                alias = exp.TableAlias(this=exp.to_identifier((node.alias or node.name).lower()))
                node.replace(exp.Subquery(this=body, alias=alias))
                continue
            resolved[name] = table
            alias = node.alias or node.name
            node.set("catalog", None)
            node.set("db", exp.to_identifier(name.database))
            node.set("this", exp.to_identifier(name.table))
            if not _is_dml_target(node):
                node.set("alias", exp.TableAlias(this=exp.to_identifier(alias.lower())))
        return resolved

    # -- qualification and types --------------------------------------------------------------

    def _qualify(self, query: exp.Expression, tables: dict[QualifiedName, Table]) -> exp.Expression:
        schema = MappingSchema(dialect="hive", normalize=False)
        for name, table in tables.items():
            schema.add_table(exp.table_(name.table, db=name.database),
                             {c.name: c.type for c in table.all_columns}, dialect="hive")
        try:
            # qualify()'s steps minus its identifier normalization, which costs more than the rest
            # put together; both services fold every identifier to lower case, quoted or not.
            _lower_identifiers(query)
            query = qualify_tables(query, dialect=self.session.dialect)
            query = qualify_columns(query, schema)
            validate_qualify_columns(query)
        except OptimizeError as error:
            raise self._column_error(str(error), tables) from None
        # always: the rules read the types (the dialect's families may refine sqlglot's annotators)
        annotate_types(query, schema=schema, dialect=self.session.dialect,
                       expression_metadata=annotators(self.session.dialect))
        if decimal_supertypes.unify(query):  # rare: branches of mixed decimal types were CAST
            annotate_types(query, schema=schema, dialect=self.session.dialect,
                           expression_metadata=annotators(self.session.dialect))
        return query

    def _column_error(self, message: str, tables: dict[QualifiedName, Table]) -> ProgrammingError:
        match = re.search(r"Column '\"?([^'\"]+)\"?' could not be resolved", message)
        if not match:
            return ProgrammingError(message.splitlines()[0])
        column = match.group(1)
        candidates = [c.name for t in tables.values() for c in t.all_columns]
        return ProgrammingError(f"Column '{column}' cannot be resolved{suggest(column, candidates)}")

    # -- scans --------------------------------------------------------------------------------

    def _scan_slots(self, expression: exp.Expression, tables: dict[QualifiedName, Table]) -> list[ScanSlot]:
        """Point managed tables at the warehouse; leave a marker where each external table's scan goes."""
        slots: list[ScanSlot] = []
        for node in list(expression.find_all(exp.Table)):
            if not isinstance(node.this, exp.Identifier) or not node.args.get("db"):
                continue
            name = QualifiedName(node.args["db"].name, node.name)
            table = tables.get(name)
            if table is None:
                continue
            if table.table_type == MANAGED_TABLE and name.database == self.session.temp_schema:
                node.set("catalog", exp.to_identifier("temp"))  # DuckDB's, of this session's connection
                node.set("db", exp.to_identifier("main"))
                if not _is_dml_target(node):
                    _pad_char_columns(node, table)
                continue
            if table.table_type == MANAGED_TABLE:
                node.set("catalog", exp.to_identifier(self.session.warehouse_catalog()))
                if not _is_dml_target(node):
                    _pad_char_columns(node, table)
                continue
            if _is_dml_target(node):
                verb = {"insert": "INSERT INTO", "update": "UPDATE", "delete": "DELETE", "create": "CREATE"}.get(
                    _dml_parent(node).key, _dml_parent(node).key.upper())
                raise NotSupportedError(f"{verb} on external table '{name}' is not supported by lakebox: it writes "
                                        "no files into tables over files (INSERT, UPDATE and DELETE work on Redshift "
                                        "managed tables)")
            if table.table_type != EXTERNAL_TABLE:
                raise NotSupportedError(f"table '{name}' has type {table.table_type}, which lakebox cannot read")
            alias = node.alias_or_name
            predicates = []
            if table.partition_keys:
                keys = {k.name for k in table.partition_keys}
                predicates = [p.sql("duckdb") for p in pruning.pruning_predicates(node, alias, keys)]
            slot = ScanSlot(f"{_MARKER}{len(slots)}__", name, table, alias, predicates)
            slots.append(slot)
            replacement = exp.Table(this=exp.Var(this=slot.marker), alias=node.args.get("alias"),
                                    sample=node.args.get("sample"))  # TABLESAMPLE applies to the scan
            replacement.meta["lakebox_scan"] = True
            node.replace(replacement)
            _pad_char_columns(replacement, table)
        return slots

    def _scan(self, slot: ScanSlot) -> scans.Scan:
        session, table = self.session, slot.table
        if not table.partition_keys:
            return scans.unpartitioned_scan(session.con, table, session.storage)
        partitions = session.catalog.get_partitions(table.database_name, table.name)
        kept = pruning.prune(session.con, table, partitions, slot.predicates, slot.alias)
        return scans.partitioned_scan(session.con, table, kept, len(partitions), session.storage)


_CHAR_TYPE = re.compile(r"^(?:char|character|nchar|bpchar)(?:\((\d+)\))?$")


def char_width(type_string: str) -> int | None:
    """n for a char(n) column type (a bare char is char(1), Redshift's bpchar char(256)); None otherwise."""
    match = _CHAR_TYPE.match(type_string.strip().lower())
    if match is None:
        return None
    if match.group(1):
        return int(match.group(1))
    return 256 if type_string.strip().lower() == "bpchar" else 1


def _pad_char_columns(node: exp.Table, table: Table) -> None:
    """Both services return a char(n) value padded with blanks to n; DuckDB keeps no padding. A table
    with char(n) columns is read through a projection that pads them (and cuts longer values to n)."""
    widths = [(column.name, char_width(column.type)) for column in table.all_columns]
    if not any(width for _, width in widths):
        return
    alias = node.alias_or_name
    inner = node.copy()
    inner.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    projections = []
    for name, width in widths:
        column = exp.column(name, alias, quoted=True)
        if width:
            column = exp.alias_(exp.Anonymous(this="rpad", expressions=[
                column, exp.Literal.number(width), exp.Literal.string(" ")]), name, quoted=True)
        projections.append(column)
    node.replace(exp.Subquery(this=exp.select(*projections).from_(inner),
                              alias=exp.TableAlias(this=exp.to_identifier(alias))))


def _quote_hash_names(expression: exp.Expression) -> None:
    """Redshift's '#name' temporary tables (and the column references qualification made with that name)
    need quoting in DuckDB's SQL."""
    for identifier in expression.find_all(exp.Identifier):
        if isinstance(identifier.this, str) and identifier.this.startswith("#"):
            identifier.set("quoted", True)


def _lower_identifiers(expression: exp.Expression) -> None:
    for identifier in expression.find_all(exp.Identifier):
        name = identifier.this
        if isinstance(name, str) and not name.islower():
            identifier.set("this", name.lower())


_PLAIN_VALUES = (exp.Literal, exp.Null, exp.Boolean, exp.Neg, exp.Tuple, exp.Values, exp.Placeholder, exp.Parameter)


def _computed_values(values: exp.Expression | None) -> bool:
    """A VALUES list with something other than plain literals in it."""
    return isinstance(values, exp.Values) and any(not isinstance(node, _PLAIN_VALUES) for node in values.walk())


def _query_part(expression: exp.Expression) -> exp.Expression | None:
    if isinstance(expression, _QUERY_TYPES):
        return expression
    inner = expression.args.get("expression")
    if isinstance(expression, (exp.Insert, exp.Create)) and isinstance(inner, _QUERY_TYPES):
        return inner
    return None


def _dml_parent(node: exp.Table) -> exp.Expression:
    parent = node.parent
    return parent.parent if isinstance(parent, exp.Schema) else parent


def _is_dml_target(node: exp.Table) -> bool:
    parent = node.parent
    if isinstance(parent, exp.Schema):
        parent = parent.parent
    return isinstance(parent, (exp.Insert, exp.Update, exp.Delete, exp.Create)) and parent.this in (node, node.parent)


def _leftmost_select(query: exp.Expression) -> exp.Select | None:
    while isinstance(query, (exp.SetOperation, exp.Subquery)):
        query = query.this
    return query if isinstance(query, exp.Select) else None


def _name_unnamed_outputs(query: exp.Expression, dialect: str) -> dict[str, str | None]:
    """Mark unnamed output columns before qualify invents names for them.

    Each gets a unique placeholder alias (so that ORDER BY 2 still means the second column); the
    service's name replaces it after qualification: Redshift's is known now, Athena's `_colN`
    depends on the final position once stars are expanded (None here).
    """
    names: dict[str, str | None] = {}
    select = _leftmost_select(query)
    if select is None:
        return names
    for index, projection in enumerate(select.expressions):
        if isinstance(projection, (exp.Alias, exp.Column, exp.Star)):
            continue
        placeholder = f"{UNNAMED}{index}"
        names[placeholder] = _redshift_output_name(projection) if dialect == "redshift" else None
        projection.replace(exp.alias_(projection.copy(), placeholder))
    return names


# PostgreSQL (and so Redshift) names a cast of a non-column after the target type's internal name.
_PG_TYPE_NAMES = {"INT": "int4", "BIGINT": "int8", "SMALLINT": "int2", "VARCHAR": "varchar", "TEXT": "text",
                  "CHAR": "bpchar", "DECIMAL": "numeric", "DOUBLE": "float8", "FLOAT": "float4", "BOOLEAN": "bool",
                  "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz"}


def _redshift_output_name(projection: exp.Expression) -> str:
    from lakebox.dialects.redshift_names import output_name
    name = output_name(projection)
    if name is not None:
        return name
    if isinstance(projection, exp.Cast):
        if isinstance(projection.this, exp.Column):
            return projection.this.name
        return _PG_TYPE_NAMES.get(projection.to.this.value, "?column?")
    if isinstance(projection, exp.Anonymous):
        return projection.name.lower()
    if isinstance(projection, exp.Func):
        return projection.sql_name().lower()
    return "?column?"


def _rename_unnamed_outputs(query: exp.Expression, names: dict[str, str | None]) -> None:
    select = _leftmost_select(query)
    if select is None or not names:
        return
    positions: dict[str, int] = {}
    for position, projection in enumerate(select.expressions):
        if isinstance(projection, exp.Alias) and projection.alias in names:
            positions[projection.alias] = position
            final = names[projection.alias] or f"_col{position}"
            projection.set("alias", exp.to_identifier(final))
    # qualify turned ORDER BY / GROUP BY ordinals into references to the placeholders: make them
    # ordinals again, since the final names need not be unique (Redshift's '?column?').
    for column in list(query.find_all(exp.Column)):
        if not column.table and column.name in positions:
            column.replace(exp.Literal.number(positions[column.name] + 1))