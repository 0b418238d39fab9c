"""Types of `$n` parameters the client left unspecified, inferred as PostgreSQL would from context.

asyncpg (and any client that binds in binary) encodes parameters by the types ParameterDescription
reports, so `WHERE id = $1` must say int8 when `id` is a bigint. A parameter takes the type of
what it is compared with, assigned to or cast to; LIMIT/OFFSET take int8; anything else is text.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from lakebox import errors
from lakebox.server import sqltext
from lakebox.server import types as pgt

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod,
                exp.Like, exp.ILike, exp.NullSafeEQ, exp.NullSafeNEQ)

_CAST_TYPES = {
    "BIGINT": pgt.INT8, "INT": pgt.INT4, "INTEGER": pgt.INT4, "SMALLINT": pgt.INT2, "TINYINT": pgt.INT2,
    "DOUBLE": pgt.FLOAT8, "DOUBLE PRECISION": pgt.FLOAT8, "FLOAT": pgt.FLOAT8, "REAL": pgt.FLOAT4,
    "DECIMAL": pgt.NUMERIC, "NUMERIC": pgt.NUMERIC, "BOOLEAN": pgt.BOOL, "DATE": pgt.DATE,
    "TIMESTAMP": pgt.TIMESTAMP, "TIMESTAMPTZ": pgt.TIMESTAMPTZ, "VARCHAR": pgt.VARCHAR, "TEXT": pgt.TEXT,
    "CHAR": 1042, "VARBINARY": pgt.BYTEA, "BINARY": pgt.BYTEA, "BLOB": pgt.BYTEA, "UUID": pgt.UUID,
    "JSON": pgt.JSON, "JSONB": 3802, "TIME": pgt.TIME, "INTERVAL": pgt.INTERVAL,
}


def _cast_oid(to: exp.Expression) -> int:
    from lakebox.server.pgcatalog import ARRAY_CASTS

    if isinstance(to, exp.DataType) and to.this == exp.DataType.Type.USERDEFINED:
        kind = to.args.get("kind")
        name = (kind.name if isinstance(kind, exp.Expression) else str(kind)).lower().split(".")[-1]
        if name in ARRAY_CASTS:
            return ARRAY_CASTS[name][1]
        return {"oid": pgt.OID, "int2": pgt.INT2, "int4": pgt.INT4, "int8": pgt.INT8}.get(name, pgt.TEXT)
    if isinstance(to, exp.DataType):
        name = to.this.value if hasattr(to.this, "value") else str(to.this)
        return _CAST_TYPES.get(str(name).upper(), pgt.TEXT)
    return pgt.TEXT


def infer_parameter_types(sql: str, pg, count: int) -> list[int]:
    types = [pgt.TEXT] * count
    if not count:
        return types
    catalog = pg.is_catalog_query(sql)
    qmark_sql, order = sqltext.to_qmarks(sql)
    try:
        if catalog:
            from lakebox.server.pgcatalog import normalize_array_casts

            expression = sqlglot.parse_one(normalize_array_casts(sql), read="postgres")
        else:
            expression = sqlglot.parse_one(qmark_sql, read=pg.dialect)
    except Exception:
        return types
    placeholders = [p for p in expression.find_all(exp.Placeholder, exp.Parameter)]
    placeholders.sort(key=lambda p: (p.meta.get("line", 0), p.meta.get("col", 0)))
    columns = _catalog_columns() if catalog else _columns(expression, pg)
    insert_columns = _insert_columns(expression, pg) if not catalog else []
    for position, placeholder in enumerate(placeholders):
        if catalog:
            try:
                index = int(str(placeholder.name or placeholder.this).lstrip("$")) - 1
            except (ValueError, AttributeError):
                continue
        else:
            if position >= len(order):
                break
            index = order[position]
        if not 0 <= index < count:
            continue
        oid = _infer(placeholder, columns, insert_columns)
        if oid:
            types[index] = oid
    return types


def _infer(node: exp.Expression, columns: dict[str, str], insert_columns: list[str]) -> int | None:
    from lakebox.server.pgcatalog import _pg_type_for_glue

    parent = node.parent
    if isinstance(parent, exp.Cast):
        return _cast_oid(parent.to)
    if isinstance(parent, (exp.Limit, exp.Offset, exp.Fetch)):
        return pgt.INT8
    if isinstance(parent, exp.Paren):
        return _infer(parent, columns, insert_columns)
    other = None
    if isinstance(parent, _COMPARISONS):
        other = parent.expression if parent.this is node else parent.this
    elif isinstance(parent, exp.In):
        other = parent.this
    elif isinstance(parent, exp.Between):
        other = parent.this
    elif isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values):
        position = parent.expressions.index(node) if node in parent.expressions else -1
        if 0 <= position < len(insert_columns):
            return _pg_type_for_glue(columns.get(insert_columns[position], "string"))[0]
    if isinstance(other, exp.Column) and other.name.lower() in columns:
        return _pg_type_for_glue(columns[other.name.lower()])[0]
    if isinstance(other, exp.Cast):
        return _cast_oid(other.to)
    if isinstance(other, exp.Literal):
        if other.is_string:
            return pgt.TEXT
        return pgt.NUMERIC if "." in other.this else pgt.INT8
    return None


def _catalog_columns() -> dict[str, str]:
    from lakebox.server.pgcatalog import INFO_TABLES, PG_TABLES

    glue = {"UINTEGER": "bigint", "SMALLINT": "smallint", "INTEGER": "int", "BIGINT": "bigint",
            "BOOLEAN": "boolean", "REAL": "float"}
    columns: dict[str, str] = {}
    for table in list(PG_TABLES.values()) + list(INFO_TABLES.values()):
        for name, kind in table:
            columns.setdefault(name, glue.get(kind, "string"))
    columns["oid"] = "bigint"
    return columns


def _tables(expression: exp.Expression, pg):
    from lakebox.engine.names import lookup_table, qualified_name

    found = []
    cte_names = {c.alias_or_name.lower() for c in expression.find_all(exp.CTE)}
    for node in expression.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier) or (not node.db and node.name.lower() in cte_names):
            continue
        try:
            found.append(lookup_table(qualified_name(node, pg.engine), pg.engine))
        except errors.Error:
            continue
    return found


def _columns(expression: exp.Expression, pg) -> dict[str, str]:
    columns: dict[str, str] = {}
    for table in _tables(expression, pg):
        for column in table.all_columns:
            columns.setdefault(column.name, column.type)
    return columns


def _insert_columns(expression: exp.Expression, pg) -> list[str]:
    if not isinstance(expression, exp.Insert):
        return []
    target = expression.this
    if isinstance(target, exp.Schema):
        return [c.name.lower() for c in target.expressions]
    tables = _tables(expression, pg)
    return [c.name for c in tables[0].all_columns] if tables else []
