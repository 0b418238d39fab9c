"""Redshift's names for unnamed output columns.

Redshift (like PostgreSQL 8) names an unaliased column after the function that produced it, under
the name the function has inside the server: `DATEADD` is `date_add`, `DATE_PART` is `pgdate_part`,
`EXTRACT` is `date_part`, `NVL` is `coalesce`, `TRIM`/`BTRIM` is `btrim`, `DECODE` and `CASE` are
`case`, `SYSDATE` is `timestamp`, `APPROXIMATE COUNT(DISTINCT ...)` is `count`. Operators and
literals are `?column?`. The binder asks `output_name` before the query is qualified (so that the
names are the user's spelling, recorded by `redshift_parser`); None means "use the default rule".
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects.redshift_parser import NAME

# Written name (upper case) -> Redshift's column name, where the two differ.
_RENAMED = {
    "DATEADD": "date_add",
    "DATEDIFF": "date_diff",
    "DATE_PART": "pgdate_part",
    "PGDATE_PART": "pgdate_part",
    "NVL": "coalesce",
    "DECODE": "case",
    "NVL2": "nvl2",
    "BTRIM": "btrim",
    "TEXTLEN": "textlen",
    "CHARINDEX": "charindex",
    "STRTOL": "strtol",
}

# sqlglot node -> name, for nodes parsed without a function-name token.
_BY_NODE = {
    exp.Case: "case",
    exp.DecodeCase: "case",
    exp.Coalesce: "coalesce",
    exp.If: "case",
    exp.Extract: "date_part",
    exp.CurrentDate: "date",
    exp.CurrentTime: "timetz",
    exp.ApproxDistinct: "count",
    exp.Count: "count",
    exp.Exists: "?column?",
}


def _written(node: exp.Expression) -> str | None:
    name = node.meta.get(NAME) if node.meta else None
    return str(name).upper() if name else None


def output_name(projection: exp.Expression) -> str | None:
    """Redshift's name for an unaliased select-list expression, or None to fall back to the default."""
    node = projection
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Window):
        node = node.this
    if isinstance(node, exp.WithinGroup):
        node = node.this
    if isinstance(node, exp.Column):
        return node.name.lower()
    if isinstance(node, exp.Dot):
        return node.name.lower()
    if isinstance(node, exp.Cast):
        inner = output_name(node.this)  # PostgreSQL: a cast keeps the name of what it casts ...
        return inner if inner != "?column?" else None  # ... else the binder names it after the type
    written = _written(node)
    if isinstance(node, exp.CurrentTimestamp):
        if node.args.get("sysdate"):
            return "timestamp"
        return written.lower() if written and written != "CURRENT_TIMESTAMP" else "timestamptz"
    if isinstance(node, exp.Trim):
        position = (node.args.get("position") or "").upper()
        if written in ("LTRIM", "RTRIM"):
            return written.lower()
        return {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "btrim")
    if isinstance(node, exp.Substring):
        return "substr" if written == "SUBSTR" else "substring"
    if isinstance(node, exp.StrPosition):
        return (written or "position").lower() if written != "CHARINDEX" else "charindex"
    if written:
        return _RENAMED.get(written, written.lower())
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    for kind, name in _BY_NODE.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Func) and not isinstance(node, (exp.Binary, exp.Predicate)):
        return node.sql_name().lower()
    return "?column?"
