"""Name resolution: which catalog object a table reference means, by each service's rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from lakebox.catalog.model import Table
from lakebox.errors import EntityNotFound, NotSupportedError, suggest

ATHENA_CATALOG = "awsdatacatalog"
REDSHIFT_DEFAULT_SCHEMA = "public"
#: What a Redshift session calls its own temporary schema (pg_temp_<n>) in names and in the search path.
TEMP_SCHEMA_ALIAS = "pg_temp"


@dataclass(frozen=True)
class QualifiedName:
    database: str
    table: str
    #: For an unqualified name found nowhere: the databases the search path looked in (for the hint).
    searched: tuple = field(default=(), compare=False, hash=False, repr=False)

    def __str__(self) -> str:
        return f"{self.database}.{self.table}"


def _part(node: exp.Table, key: str) -> str | None:
    value = node.args.get(key)
    return value.name.lower() if value is not None and value.name else None


def qualified_name(node: exp.Table, session) -> QualifiedName:
    """The catalog database and table a reference names, by the session's dialect."""
    catalog, schema, name = _part(node, "catalog"), _part(node, "db"), node.name.lower()
    if session.dialect == "athena":
        if catalog not in (None, ATHENA_CATALOG):
            raise NotSupportedError(f"catalog '{catalog}' is not available: lakebox serves the "
                                    f"'{ATHENA_CATALOG}' data catalog")
        return QualifiedName(schema or session.database, name)
    if schema is not None:
        if session.is_temp_schema(schema):
            return QualifiedName(session.temp_schema, name)
        return QualifiedName(redshift_schema_database(schema, session), name)
    return _search(name, session)


def _search(name: str, session) -> QualifiedName:
    """An unqualified Redshift name: the first schema of the search path that holds it (the session's
    temporary tables first, unless 'pg_temp' stands elsewhere in the path); found nowhere, the current
    schema's (whose lookup then fails, naming the close matches of every schema searched)."""
    schemas = session.search_schemas(temp=session.temp_visible)
    local = [s for s in schemas if s != session.temp_schema]
    if len(local) <= 1 and (not session.temp_visible or name not in session.temp_tables):
        hint = (session.temp_schema,) if session.temp_visible and session.temp_tables else ()
        return QualifiedName(redshift_schema_database(local[0] if local else session.search_path, session), name,
                             hint)
    searched = []
    for schema in schemas:
        if schema == session.temp_schema:
            if name in session.temp_tables:
                return QualifiedName(schema, name)
            searched.append(schema)
            continue
        database = redshift_schema_database(schema, session)
        if _exists(QualifiedName(database, name), session):
            return QualifiedName(database, name)
        searched.append(database)
    return QualifiedName(redshift_schema_database(session.search_path, session), name, tuple(searched))


def creation_name(node: exp.Table, session, temporary: bool = False) -> QualifiedName:
    """Where CREATE puts a new table or view: the schema it names, else (Redshift) the session's temporary
    schema for a temporary table, or the current schema (the first of the search path that exists)."""
    if session.dialect == "athena":
        return qualified_name(node, session)
    schema, name = _part(node, "db"), node.name.lower()
    if temporary:
        if schema is not None and not session.is_temp_schema(schema):
            raise NotSupportedError("a temporary table is created in the session's temporary schema: "
                                    "CREATE TEMP TABLE takes a table name without a schema")
        return QualifiedName(session.temp_schema, name)
    if schema is not None:
        return qualified_name(node, session)
    return QualifiedName(redshift_schema_database(session.search_path, session), name)


def _exists(name: QualifiedName, session) -> bool:
    cache = _table_cache(session)
    key = ("exists", name)
    if key not in cache:
        cache[key] = name in cache or session.catalog.table_exists(name.database, name.table)
    return cache[key]


def _table_cache(session) -> dict:
    stamp = session.catalog.version()
    cache = session.table_cache
    if cache.get("stamp") != stamp:
        cache.clear()
        cache["stamp"] = stamp
    return cache


def redshift_schema_database(schema: str, session) -> str:
    """A Redshift schema is an external schema (mounting a catalog database) or a local one."""
    mounted = session.catalog.get_external_schema(schema)
    return mounted["database_name"] if mounted else schema


def lookup_table(name: QualifiedName, session) -> Table:
    """The catalog table a name means; tables read since the catalog last changed are kept.

    Callers treat the returned Table as read-only (changes go through the catalog's API).
    """
    if session.dialect == "redshift" and name.database == session.temp_schema:
        return _temp_table(name, session)
    catalog = session.catalog
    cache = _table_cache(session)
    table = cache.get(name)
    if table is not None:
        return table
    try:
        table = catalog.get_table(name.database, name.table)
        cache[name] = table
        return table
    except EntityNotFound:
        pass
    try:
        candidates = [t.name for t in catalog.get_tables(name.database)]
    except EntityNotFound:  # Redshift's public schema always exists, even before lakebox has made it
        candidates = [] if session.dialect == "redshift" and name.database == REDSHIFT_DEFAULT_SCHEMA else None
    if name.searched:  # an unqualified name: any schema of the search path may hold the close match
        candidates = list(candidates or [])
        for database in name.searched:
            if database == session.temp_schema:
                candidates += list(session.temp_tables)
            elif database != name.database:
                try:
                    candidates += [t.name for t in catalog.get_tables(database)]
                except EntityNotFound:
                    pass
    elif candidates is None:
        hint = suggest(name.database, [d.name for d in catalog.get_databases()])
        raise EntityNotFound(f"Schema '{name.database}' does not exist{hint}") from None
    hint = suggest(name.table, candidates)
    raise EntityNotFound(f"Table '{name}' does not exist{hint}") from None


def _temp_table(name: QualifiedName, session) -> Table:
    table = session.temp_tables.get(name.table)
    if table is None:
        hint = suggest(name.table, list(session.temp_tables))
        raise EntityNotFound(f"Table '{name}' does not exist{hint}")
    return table
