"""The Session: one DuckDB connection, the catalog, and the dialect's statement dispatch."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from lakebox import errors
from lakebox.catalog import Catalog
from lakebox.catalog.model import Database
from lakebox.connectors.storage import Storage
from lakebox.dialects import statements as st
from lakebox.dialects.rules import macros
from lakebox.engine import athena_writes, ddl, managed, show, workspace
from lakebox.engine.binder import Binder, BoundStatement
from lakebox.engine.plan_cache import PlanCache, plan_key
from lakebox.engine.duckdb_errors import translate
from lakebox.engine.result import Result, mark_duckdb_types, rows_result, status_result
from lakebox.engine.names import REDSHIFT_DEFAULT_SCHEMA, TEMP_SCHEMA_ALIAS

#: Redshift's search_path when a session starts (and after RESET search_path).
DEFAULT_SEARCH_PATH = ("$user", REDSHIFT_DEFAULT_SCHEMA)
_temp_schema_numbers = itertools.count(1)


def _values_query(values: exp.Values) -> exp.Select:
    """Trino's top-level VALUES as a query; its columns are named _col0, _col1, ..."""
    rows = values.expressions
    width = len(rows[0].expressions) if rows and isinstance(rows[0], exp.Tuple) else 1
    alias = exp.TableAlias(this=exp.to_identifier("t"),
                           columns=[exp.to_identifier(f"_col{i}") for i in range(width)])
    source = values.copy()
    source.set("alias", alias)
    return exp.select(*[exp.column(f"_col{i}", "t") for i in range(width)]).from_(source)


class Session:
    """Executes one statement at a time in a dialect, against one workspace."""

    def __init__(self, home: Path, dialect: str = "athena"):
        if dialect not in st.DIALECTS:
            raise errors.ProgrammingError(f"unknown dialect '{dialect}': use one of {', '.join(st.DIALECTS)}")
        self.home = home
        self.dialect = dialect
        self.database = "default"
        #: Redshift's search_path as set: schema names in order, with '$user' and 'pg_temp' as written.
        self.search_path_list: list[str] = list(DEFAULT_SEARCH_PATH)
        #: The session user '$user' stands for (None: no schema matches it).
        self.user: str | None = None
        #: Set by the wire server: a location a statement names (LOCATION, external_location, COPY FROM,
        #: UNLOAD TO) must be in the lake (s3://), never a file of the machine the server runs on.
        self.lake_locations_only = False
        self._current_schema: tuple | None = None  # (catalog stamp, path, schema), see search_path
        # Redshift's temporary tables: this session's alone, in DuckDB's TEMP catalog of this session's
        # connection (which no other connection sees and which goes when it closes); never in the catalog.
        self.temp_schema = f"pg_temp_{next(_temp_schema_numbers)}"
        self.temp_tables: dict = {}  # name -> catalog.model.Table
        self.temp_version = 0  # changes with temp_tables: part of the plan cache's stamp
        self.temp_visible = True  # False while a view's body is resolved: views never read temp tables
        self._temp_saved: dict | None = None  # temp_tables at BEGIN, restored by ROLLBACK
        self.catalog = Catalog(home / workspace.CATALOG_FILE)
        self.storage = Storage(home)
        self._shared = workspace.acquire(home)
        self.con = self._shared.connection.cursor()
        self.con.execute("SET TimeZone = 'UTC'")
        for macro in macros():
            self.con.execute(macro)
        self.storage.register(self.con)
        self.binder = Binder(self)
        self._plans = PlanCache()
        self.table_cache: dict = {}  # catalog tables by name, valid for one catalog version
        self._ensure_default_database()
        self.in_transaction = False
        self._held_catalog_transaction = None
        self._lock = threading.RLock()
        #: When set, queries return Result.reader (record batches of about this many rows) instead of
        #: a whole table, so an edge that streams (the wire server) holds one batch at a time.
        self.stream_batch_rows: int | None = None
        self.closed = False

    def _ensure_default_database(self) -> None:
        """Athena always has a 'default' database; Glue creates it on first use."""
        if any(d.name == "default" for d in self.catalog.get_databases()):
            return
        with contextlib.suppress(errors.AlreadyExists):
            self.catalog.create_database(Database("default", description="Default Hive database"))

    # -- state --------------------------------------------------------------------------------

    @property
    def search_path(self) -> str:
        """The current schema: the first schema of the search path that exists, where an object created
        without a schema goes (r_search_path). Setting it makes the search path that one schema."""
        stamp = self.catalog.version()
        path = tuple(self.search_path_list)
        cached = self._current_schema
        if cached is not None and cached[0] == stamp and cached[1] == path:
            return cached[2]
        existing = {d.name for d in self.catalog.get_databases()} | {REDSHIFT_DEFAULT_SCHEMA}
        existing |= {e["schema_name"] for e in self.catalog.get_external_schemas()}
        schemas = self.search_schemas(temp=False)
        schema = next((s for s in schemas if s in existing), None)
        if schema is None:
            schema = schemas[0] if schemas else REDSHIFT_DEFAULT_SCHEMA
        self._current_schema = (stamp, path, schema)
        return schema

    @search_path.setter
    def search_path(self, schema: str) -> None:
        self.set_search_path([schema])

    def user_location(self, location: str) -> str:
        """A location the statement names, resolved (its form checked), within this session's reach."""
        resolved = self.storage.resolve(location)
        if self.lake_locations_only and not location.strip().lower().startswith("s3://"):
            raise errors.PermissionDenied(f"permission denied: location '{location}' is outside the lake; "
                                          "lakebox server clients name s3:// locations only")
        return resolved

    def set_search_path(self, entries) -> None:
        """Redshift's SET search_path TO entries (schema names, '$user', 'pg_temp'); None: the default."""
        self.search_path_list = [e.lower() for e in entries] if entries is not None else list(DEFAULT_SEARCH_PATH)

    def search_schemas(self, temp: bool = True) -> list[str]:
        """The schemas an unqualified table name is looked up in, in order: the temporary schema first
        (or where 'pg_temp' stands in the path), then the path's schemas, '$user' as the session user's."""
        schemas: list[str] = []
        for entry in self.search_path_list:
            if entry == "$user":
                entry = self.user or ""
            elif entry == TEMP_SCHEMA_ALIAS or entry == self.temp_schema:
                entry = self.temp_schema
                if not temp:
                    continue
            if entry and entry not in schemas:
                schemas.append(entry)
        if temp and self.temp_schema not in schemas:
            schemas.insert(0, self.temp_schema)
        return schemas

    def is_temp_schema(self, schema: str | None) -> bool:
        return schema is not None and schema.lower() in (TEMP_SCHEMA_ALIAS, self.temp_schema)

    def temp_changed(self) -> None:
        self.temp_version += 1

    @contextlib.contextmanager
    def defaults(self, dialect: str, database: str, search_path=None):
        """Temporarily resolve names as a view's creator did (its dialect, default database or search
        path); temporary tables stay out of sight, as a view never reads them."""
        saved = self.dialect, self.database, self.search_path_list, self.temp_visible
        self.dialect = dialect
        if dialect == "athena":
            self.database = database
        else:
            self.search_path_list = list(search_path) if search_path else [database]
        self.temp_visible = False
        try:
            yield
        finally:
            self.dialect, self.database, self.search_path_list, self.temp_visible = saved

    def warehouse_catalog(self) -> str:
        if self._shared.warehouse is None:
            raise errors.OperationalError(self._shared.unavailable_reason)
        return self._shared.warehouse

    @contextlib.contextmanager
    def catalog_changes(self):
        """One catalog transaction per statement, or held until COMMIT inside BEGIN ... COMMIT."""
        if self.in_transaction:
            if self._held_catalog_transaction is None:
                self._held_catalog_transaction = self.catalog.transaction()
                self._held_catalog_transaction.__enter__()
            yield
        else:
            with self.catalog.transaction():
                yield

    # -- execution ----------------------------------------------------------------------------

    def execute(self, sql: str, params=None) -> Result:
        if self.closed:
            raise errors.InterfaceError("the connection is closed")
        with self._lock:
            started = time.perf_counter()
            try:
                result = self._execute(sql, params)
            except errors.Error:
                raise
            except duckdb.Error as error:
                raise translate(error, self.dialect) from error
            except Exception as error:  # a bug of ours must still reach the user as a DB-API error
                raise errors.InternalError(f"internal error ({type(error).__name__}): {error}") from error
            result.timings.setdefault("total_ms", (time.perf_counter() - started) * 1000)
            if result.table is not None:
                result.table = result.table.rename_columns([n.lower() for n in result.table.column_names])
            return result

    def _execute(self, sql: str, params) -> Result:
        key = plan_key(sql, params, self.dialect, self.database, tuple(self.search_path_list))
        stamp = (self.catalog.version(), self.temp_version) if key is not None else None
        plan = self._plans.get(key, stamp) if key is not None else None
        cached = plan is not None
        if plan is None:
            statement = st.parse_statement(sql, self.dialect)
            if not isinstance(statement, exp.Query) or statement.args.get("into") is not None:
                return self._dispatch(statement, params, sql)
            plan = self.binder.plan(statement, params)
            if key is not None:
                self._plans.put(key, stamp, plan)
        bound = self.binder.realize(plan)
        if not cached:
            bound.plan_ms += plan.plan_ms
        result = self._run(bound)
        result.timings["plan_cached"] = float(cached)
        return result

    def _dispatch(self, statement, params, sql: str) -> Result:
        if isinstance(statement, st.TransactionControl):
            return self._transaction(statement.action)
        if isinstance(statement, st.Show):
            return show.show(self, statement)
        if isinstance(statement, st.Explain):
            return self._explain(statement)
        if isinstance(statement, st.Maintenance):
            return self._maintenance(statement)
        if isinstance(statement, st.SetSearchPath):
            return self._set_search_path(statement)
        if isinstance(statement, (st.Copy, st.Unload)):
            from lakebox.engine import copy_unload
            return copy_unload.run_copy(self, statement) if isinstance(statement, st.Copy) else \
                copy_unload.run_unload(self, statement)
        if isinstance(statement, (st.MsckRepair, st.AddPartitions, st.RenamePartition, st.AlterDatabaseProperties,
                                  st.CreateExternalSchema)):
            return ddl.run_special(self, statement)
        if isinstance(statement, exp.Describe):
            return show.describe(self, statement)
        if isinstance(statement, exp.Select) and statement.args.get("into") is not None:
            return self._select_into(statement, params, sql)
        if isinstance(statement, exp.Values) and self.dialect == "athena":
            return self.query(_values_query(statement), params)
        if isinstance(statement, exp.TruncateTable) and self.dialect == "redshift":
            return managed.truncate(self, statement)
        if isinstance(statement, (exp.Query,)):
            return self.query(statement, params)
        if isinstance(statement, exp.Insert) and self.dialect == "athena":
            return athena_writes.insert_into(self, statement, params)
        if isinstance(statement, (exp.Insert, exp.Update, exp.Delete)) or \
                (isinstance(statement, exp.Merge) and self.dialect == "redshift"):
            return managed.dml(self, statement, params)
        if isinstance(statement, exp.Use):
            return self._use(statement)
        if isinstance(statement, (exp.Create, exp.Drop, exp.Alter)):
            return ddl.run(self, statement, params, sql)
        raise st.not_supported(sql, self.dialect)

    def _select_into(self, statement: exp.Select, params, sql: str) -> Result:
        """Redshift's SELECT ... INTO [TEMP] table FROM ...: CREATE TABLE ... AS the query."""
        if self.dialect != "redshift":
            raise st.not_supported(sql, self.dialect, "SELECT ... INTO is not Athena SQL; use CREATE TABLE AS")
        into = statement.args["into"]
        query = statement.copy()
        query.set("into", None)
        properties = exp.Properties(expressions=[exp.TemporaryProperty()]) if into.args.get("temporary") else None
        create = exp.Create(this=into.this.copy(), kind="TABLE", expression=query, properties=properties)
        return ddl.run(self, create, params, sql)

    def commit_implicitly(self) -> None:
        """Commit the open transaction, as statements such as Redshift's TRUNCATE do."""
        if self.in_transaction:
            self._transaction("commit")

    def bind(self, expression: exp.Expression, params=None) -> BoundStatement:
        return self.binder.bind(expression, params)

    @contextlib.contextmanager
    def registered(self, bound: BoundStatement):
        for name, table in bound.registrations.items():
            self.con.register(name, table)
        try:
            yield
        finally:
            for name in bound.registrations:
                self.con.unregister(name)

    def query(self, expression: exp.Expression, params=None) -> Result:
        return self._run(self.bind(expression, params))

    def _run(self, bound: BoundStatement) -> Result:
        started = time.perf_counter()
        if self.stream_batch_rows:
            return self._stream(bound, started)
        with self.registered(bound):
            relation = self.con.sql(bound.sql)
            table = relation.to_arrow_table()
            schema = mark_duckdb_types(table.schema, relation.types)
        if schema is not None:
            table = pa.Table.from_arrays(table.columns, schema=schema)
        result = Result(table=table, rowcount=table.num_rows, tag=f"SELECT {table.num_rows}")
        result.timings = {"plan_ms": bound.plan_ms, "execute_ms": (time.perf_counter() - started) * 1000}
        return result

    def _stream(self, bound: BoundStatement, started: float) -> Result:
        """The query's rows as a RecordBatchReader; its registrations live until it is drained."""
        for name, table in bound.registrations.items():
            self.con.register(name, table)

        def unregister() -> None:
            for name in bound.registrations:
                with contextlib.suppress(Exception):
                    self.con.unregister(name)

        try:
            relation = self.con.sql(bound.sql)
            source = relation.to_arrow_reader(self.stream_batch_rows)
            schema = mark_duckdb_types(source.schema, relation.types)
        except BaseException:
            unregister()
            raise

        def batches():
            try:
                yield from source
            finally:
                unregister()

        result = Result(rowcount=-1, tag="SELECT", reader=pa.RecordBatchReader.from_batches(schema or source.schema, batches()))
        result.timings = {"plan_ms": bound.plan_ms, "execute_ms": (time.perf_counter() - started) * 1000}
        return result

    def _explain(self, statement: st.Explain) -> Result:
        inner = st.parse_statement(statement.statement, self.dialect)
        if not isinstance(inner, (exp.Query, exp.Insert, exp.Update, exp.Delete)):
            raise errors.NotSupportedError("EXPLAIN works on queries and DML statements")
        bound = self.bind(inner)
        lines = []
        for scan in bound.scans:
            pruned = "" if scan.partitions is None else f", partitions {scan.partitions} of {scan.partitions_total}"
            lines.append(f"lakebox scan {scan.table}: {scan.files} file(s){pruned}")
        keyword = "EXPLAIN ANALYZE" if statement.analyze else "EXPLAIN"
        with self.registered(bound):
            plan = self.con.sql(f"{keyword} {bound.sql}").fetchall()
        for row in plan:
            lines.extend(str(row[-1]).splitlines())
        column = "QUERY PLAN" if self.dialect == "redshift" else "Query Plan"
        return rows_result([column], [lines])

    def _use(self, statement: exp.Use) -> Result:
        name = statement.this.name.lower()
        if self.dialect != "athena":
            raise errors.NotSupportedError("USE is not supported by lakebox (Redshift): it switches databases, and "
                                           "lakebox has one; choose a schema with SET search_path TO schema")
        self.catalog.get_database(name)
        self.database = name
        return status_result("SET")

    def _set_search_path(self, statement: st.SetSearchPath) -> Result:
        """SET search_path TO a, b (RESET search_path: schemas None): unqualified names are looked up in
        every schema of the list in order; schemas that do not exist are skipped (r_search_path)."""
        if statement.schemas is None:
            self.set_search_path(None)
            return status_result("RESET")
        entries = [s.strip('"').lower() for s in statement.schemas]
        if not entries:
            raise errors.ProgrammingError("SET search_path needs a schema")
        self.set_search_path(entries)
        return status_result("SET")

    def search_path_text(self) -> str:
        """SHOW search_path: the list as set, '$user' quoted as Redshift prints it."""
        return ", ".join('"$user"' if e == "$user" else e for e in self.search_path_list)

    def _maintenance(self, statement: st.Maintenance) -> Result:
        """ANALYZE and VACUUM change no result: check what they name, as Redshift does, and do nothing."""
        from lakebox.engine.names import lookup_table, qualified_name

        if statement.action == "vacuum" and self.in_transaction:
            raise errors.ProgrammingError("VACUUM cannot run inside a transaction block")
        if statement.table is not None:
            lookup_table(qualified_name(statement.table, self), self)
        return status_result(statement.action.upper())

    def _transaction(self, action: str) -> Result:
        if action == "begin":
            if self.in_transaction:
                return status_result("BEGIN")  # PostgreSQL warns and carries on
            self.con.execute("BEGIN TRANSACTION")
            self.in_transaction = True
            self._temp_saved = dict(self.temp_tables)
            return status_result("BEGIN")
        if not self.in_transaction:
            return status_result("COMMIT" if action == "commit" else "ROLLBACK")
        held, self._held_catalog_transaction = self._held_catalog_transaction, None
        self.in_transaction = False
        temp_saved, self._temp_saved = self._temp_saved, None
        if action != "commit" and temp_saved is not None:  # DuckDB undoes the temp tables' DDL too
            self.temp_tables = temp_saved
            self.temp_changed()
        if action == "commit":
            try:
                self.con.execute("COMMIT")
            except duckdb.Error as error:
                if temp_saved is not None:
                    self.temp_tables = temp_saved
                    self.temp_changed()
                if held is not None:
                    held.__exit__(errors.OperationalError, errors.OperationalError("rolled back"), None)
                raise translate(error) from error
            if held is not None:
                held.__exit__(None, None, None)
            return status_result("COMMIT")
        try:
            self.con.execute("ROLLBACK")
        finally:
            if held is not None:
                held.__exit__(errors.OperationalError, errors.OperationalError("rolled back"), None)
        return status_result("ROLLBACK")

    def cancel(self) -> None:
        """Interrupt the running DuckDB query (safe to call from another thread)."""
        self.con.interrupt()

    def close(self) -> None:
        if self.closed:
            return
        with contextlib.suppress(Exception):
            if self.in_transaction:
                self._transaction("rollback")
        self.closed = True
        self.temp_tables = {}  # closing the connection drops DuckDB's temp tables with it
        with contextlib.suppress(Exception):
            self.con.close()
        workspace.release(self.home)
        self.catalog.close()
