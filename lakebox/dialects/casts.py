"""Cast rules: Athena's (Trino's) casts on DuckDB.

- A string cast to an integer type must be a plain integer literal (Java's `Integer.parseInt`:
  an optional sign and digits, nothing else, in range): `CAST('2.7' AS INTEGER)` is the error
  "Cannot cast '2.7' to INT", where DuckDB rounds to 3. `TRY_CAST` gives NULL instead.
- A DOUBLE or REAL cast to an integer type rounds half away from zero (DuckDB: half to even),
  and NaN is an error.
- A DOUBLE or REAL cast to VARCHAR is Java's `Double.toString`/`Float.toString`: plain from 1e-3 to
  1e7 (`100.0`), scientific outside (`1.0E10`, `1.234E-5`), `NaN`, `Infinity`; DuckDB writes
  `10000000000.0`, `1.234e-05`, `nan`, `inf`.
- A TIMESTAMP cast to VARCHAR shows its precision's fraction digits (`2024-01-01 10:00:00.000` for
  Athena's millisecond timestamps); DuckDB drops a zero fraction. A TIMESTAMP WITH TIME ZONE adds
  its zone (` UTC`).

Each rule is a pure function over a qualified, type-annotated sqlglot tree.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.errors import NotSupportedError

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


_JAVA_SCIENTIFIC = (
    # s is DuckDB's shortest text of a double outside [1e-3, 1e7): '1.234e-05', '1e+21' or plain '12345678.9'
    "CREATE OR REPLACE TEMP MACRO lakebox_java_scientific(s) AS ("
    "CASE WHEN contains(s, 'e') THEN "
    "  (CASE WHEN contains(split_part(s, 'e', 1), '.') THEN split_part(s, 'e', 1) "
    "   ELSE split_part(s, 'e', 1) || '.0' END) || 'E' || CAST(CAST(split_part(s, 'e', 2) AS INTEGER) AS VARCHAR) "
    "ELSE lakebox_java_plain_to_scientific(CASE WHEN starts_with(s, '-') THEN '-' ELSE '' END, "
    "  split_part(ltrim(s, '-'), '.', 1), split_part(ltrim(s, '-'), '.', 2)) END)"
)
_JAVA_PLAIN = (
    "CREATE OR REPLACE TEMP MACRO lakebox_java_plain_to_scientific(sign, ip, fp) AS ("
    "lakebox_java_mantissa(sign, CASE WHEN ip <> '0' THEN rtrim(ip || fp, '0') ELSE rtrim(ltrim(fp, '0'), '0') END,"
    " CASE WHEN ip <> '0' THEN length(ip) - 1 ELSE -(length(fp) - length(ltrim(fp, '0')) + 1) END))"
)
_JAVA_MANTISSA = (
    "CREATE OR REPLACE TEMP MACRO lakebox_java_mantissa(sign, digits, exponent) AS ("
    "sign || left(digits, 1) || '.' || coalesce(nullif(substr(digits, 2), ''), '0') || 'E' || "
    "CAST(exponent AS VARCHAR))"
)
_JAVA_DOUBLE = (
    "CREATE OR REPLACE TEMP MACRO lakebox_java_double_text(x) AS ("
    "CASE WHEN x IS NULL THEN NULL WHEN isnan(x) THEN 'NaN' "
    "WHEN isinf(x) THEN (CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END) "
    "WHEN x = 0 THEN (CASE WHEN signbit(x) THEN '-0.0' ELSE '0.0' END) "
    "WHEN abs(x) >= 0.001 AND abs(x) < 10000000 THEN CAST(x AS VARCHAR) "
    "ELSE lakebox_java_scientific(CAST(x AS VARCHAR)) END)"
)

MACROS = _string_to_integer_macros() + [_JAVA_MANTISSA, _JAVA_PLAIN, _JAVA_SCIENTIFIC, _JAVA_DOUBLE,
    "CREATE OR REPLACE TEMP MACRO lakebox_double_round_for_cast(x, target) AS ("
    "CASE WHEN isnan(x) THEN error('Cannot cast double NaN to ' || target) ELSE round(x) END)",
]


def _kind(node: exp.Expression):
    from lakebox.dialects.arithmetic import numeric_type
    datatype = node.type
    kind = None if datatype is None else datatype.this
    if kind in (None, T.UNKNOWN):  # a subtree another family rewrote (-infinity() ...)
        numeric = numeric_type(node)
        kind = {"double": T.DOUBLE, "real": T.FLOAT}.get(numeric[0]) if numeric else kind
    return kind


_VARCHAR_TARGETS = {T.VARCHAR, T.TEXT, T.NVARCHAR}
_TIMESTAMP_FRACTIONS = {0: "", 3: ".%g", 6: ".%f", 9: ".%n"}


def _to_varchar(node: exp.Cast) -> exp.Expression:
    from lakebox.dialects.datetime import ZONE_META, _precision
    value = node.this
    source = _kind(value)
    if source in _FLOAT_TYPES:
        return exp.Anonymous(this="lakebox_java_double_text", expressions=[value])
    if ZONE_META in value.meta:
        raise NotSupportedError("CAST of a timestamp with a time zone other than UTC to varchar is not supported "
                                "(lakebox does not keep the zone's name); use format_datetime or to_iso8601")
    if source in (T.TIMESTAMP, T.TIMESTAMPTZ):
        digits = _precision(value)
        digits = 3 if digits in (1, 2) else 6 if digits in (4, 5) else 9 if digits in (7, 8) else digits
        pattern = "%Y-%m-%d %H:%M:%S" + _TIMESTAMP_FRACTIONS.get(digits, ".%g")
        text = exp.Anonymous(this="strftime", expressions=[value, exp.Literal.string(pattern)])
        if source == T.TIMESTAMPTZ:
            text = exp.DPipe(this=text, expression=exp.Literal.string(" UTC"))
        return text
    return node


def _cast(node: exp.Cast) -> exp.Expression:
    target = node.to.this
    if target in _VARCHAR_TARGETS and not node.to.expressions and not isinstance(node, exp.TryCast):
        return _to_varchar(node)
    if target not in _INTEGER_NAMES or node.to.expressions:
        return node
    source = _kind(node.this)
    if isinstance(node.this, exp.Literal) and node.this.is_string:
        source = T.VARCHAR
    if source in _STRING_TYPES:
        from lakebox.dialects.arithmetic import inside_try
        quiet = isinstance(node, exp.TryCast) or inside_try(node)
        return exp.Anonymous(this=_macro_name(target) + ("_or_null" if quiet else ""), expressions=[node.this])
    if source in _FLOAT_TYPES:
        label = {T.TINYINT: "tinyint", T.SMALLINT: "smallint", T.INT: "integer", T.BIGINT: "bigint"}[target]
        from lakebox.dialects.arithmetic import inside_try
        if inside_try(node) or isinstance(node, exp.TryCast):  # DuckDB's cast of NaN fails, and TRY catches it
            rounded = exp.Anonymous(this="round", expressions=[node.this])
        else:
            rounded = exp.Anonymous(this="lakebox_double_round_for_cast",
                                    expressions=[node.this, exp.Literal.string(label)])
        replacement = node.__class__(this=rounded, to=node.to)
        return replacement
    return node


_REWRITTEN_TARGETS = frozenset(_INTEGER_NAMES) | _VARCHAR_TARGETS


def athena_casts(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One walk: string -> integer validation, float -> integer rounding half away from zero."""
    from lakebox.dialects.arithmetic import query_profile
    if not query_profile(expression)[2] & _REWRITTEN_TARGETS:
        return expression
    for node in reversed(list(expression.walk())):  # walk + isinstance is cheaper than find_all
        if not isinstance(node, exp.Cast):  # TryCast is a Cast
            continue
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
    "CAST (double/real to varchar)": ("supported", "Java's Double.toString: 1.0E10, 1.234E-5, NaN, Infinity"),
    "CAST (timestamp to varchar)": ("partial", "the precision's fraction digits, ' UTC' for a timestamp with "
                                    "time zone; a zone other than UTC is refused"),
}
