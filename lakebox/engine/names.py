"""Name resolution: which catalog object a table reference means, by each service's rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from lakebox.catalog.model import Table
from lakebox.errors import EntityNotFound, NotSupportedError, suggest

ATHENA_CATALOG = "awsdatacatalog"
REDSHIFT_DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class QualifiedName:
    database: str
    table: str

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
    return QualifiedName(redshift_schema_database(schema or session.search_path, session), name)


def redshift_schema_database(schema: str, session) -> str:
    """A Redshift schema is an external schema (mounting a catalog database) or a local one."""
    mounted = session.catalog.get_external_schema(schema)
    return mounted["database_name"] if mounted else schema


def lookup_table(name: QualifiedName, session) -> Table:
    """The catalog table a name means; tables read since the catalog last changed are kept.

    Callers treat the returned Table as read-only (changes go through the catalog's API).
    """
    catalog = session.catalog
    stamp = catalog.version()
    cache = session.table_cache
    if cache.get("stamp") != stamp:
        cache.clear()
        cache["stamp"] = stamp
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
    except EntityNotFound:
        candidates = None
    if candidates is None:
        hint = suggest(name.database, [d.name for d in catalog.get_databases()])
        raise EntityNotFound(f"Schema '{name.database}' does not exist{hint}") from None
    hint = suggest(name.table, candidates)
    raise EntityNotFound(f"Table '{name}' does not exist{hint}") from None
