"""Cast rules: Athena's (Trino's) casts on DuckDB.

- A string cast to an integer type must be a plain integer literal (Java's `Integer.parseInt`:
  an optional sign and digits, nothing else, in range): `CAST('2.7' AS INTEGER)` is the error
  "Cannot cast '2.7' to INT", where DuckDB rounds to 3. `TRY_CAST` gives NULL instead.
- A DOUBLE or REAL cast to an integer type rounds half away from zero (DuckDB: half to even),
  and NaN is an error.

Each rule is a pure function over a qualified, type-annotated sqlglot tree.
"""

from __future__ import annotations

from sqlglot import exp

T = exp.DataType.Type

# The integer types and the names Trino's messages give them.
_INTEGER_NAMES = {T.TINYINT: "TINYINT", T.SMALLINT: "SMALLINT", T.INT: "INT", T.BIGINT: "BIGINT"}
_STRING_TYPES = {T.VARCHAR, T.CHAR, T.TEXT, T.NVARCHAR, T.NCHAR}
_FLOAT_TYPES = {T.DOUBLE, T.FLOAT}
_INTEGER_PATTERN = "[+-]?[0-9]+"


def _macro_name(kind: T) -> str:
    return f"lakebox_varchar_to_{_INTEGER_NAMES[kind].lower()}"


def _string_to_integer_macros() -> list[str]:
    macros = []
    for kind, name in _INTEGER_NAMES.items():
        duck = exp.DataType(this=kind).sql("duckdb")
        macros.append(
            f"CREATE OR REPLACE TEMP MACRO {_macro_name(kind)}(s) AS ("
            f"CASE WHEN s IS NULL THEN NULL "
            f"WHEN regexp_full_match(s, '{_INTEGER_PATTERN}') AND TRY_CAST(s AS {duck}) IS NOT NULL "
            f"THEN TRY_CAST(s AS {duck}) "
            f"ELSE error('Cannot cast ''' || s || ''' to {name}') END)")
        macros.append(
            f"CREATE OR REPLACE TEMP MACRO {_macro_name(kind)}_or_null(s) AS ("
            f"CASE WHEN regexp_full_match(s, '{_INTEGER_PATTERN}') THEN TRY_CAST(s AS {duck}) END)")
    return macros


MACROS = _string_to_integer_macros() + [
    "CREATE OR REPLACE TEMP MACRO lakebox_double_round_for_cast(x, target) AS ("
    "CASE WHEN isnan(x) THEN error('Cannot cast double NaN to ' || target) ELSE round(x) END)",
]


def _kind(node: exp.Expression):
    datatype = node.type
    return None if datatype is None else datatype.this


def _cast(node: exp.Cast) -> exp.Expression:
    target = node.to.this
    if target not in _INTEGER_NAMES or node.to.expressions:
        return node
    source = _kind(node.this)
    if isinstance(node.this, exp.Literal) and node.this.is_string:
        source = T.VARCHAR
    if source in _STRING_TYPES:
        name = _macro_name(target) + ("_or_null" if isinstance(node, exp.TryCast) else "")
        return exp.Anonymous(this=name, expressions=[node.this])
    if source in _FLOAT_TYPES:
        label = {T.TINYINT: "tinyint", T.SMALLINT: "smallint", T.INT: "integer", T.BIGINT: "bigint"}[target]
        rounded = exp.Anonymous(this="lakebox_double_round_for_cast",
                                expressions=[node.this, exp.Literal.string(label)])
        replacement = node.__class__(this=rounded, to=node.to)
        return replacement
    return node


def athena_casts(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One walk: string -> integer validation, float -> integer rounding half away from zero."""
    for node in reversed(list(expression.find_all(exp.Cast))):  # TryCast is a Cast
        replacement = _cast(node)
        if replacement is not node:
            node.replace(replacement)
    return expression


PRIORITY = 20
RULES = {"athena": [athena_casts]}

FUNCTIONS = {
    "CAST (varchar to integer types)": ("supported", "only a signed digit string converts; anything else is "
                                         "Trino's 'Cannot cast ... to INT' error"),
    "TRY_CAST": ("supported", "NULL where CAST would fail"),
    "CAST (double/real to integer types)": ("supported", "rounds half away from zero; NaN is an error"),
    "CAST (decimal)": ("supported", "rounds half up, as DuckDB does"),
    "CAST (to boolean/date/timestamp/double)": ("supported", "DuckDB's casts"),
}
