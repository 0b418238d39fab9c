"""Redshift's result types, casts and `pg_typeof`.

- Type annotation: sqlglot's annotator does not know the types of many Redshift functions (DATEADD,
  DATEDIFF, DATE_PART, ...); `ANNOTATORS` gives them the types the SQL reference documents, so that
  types flow through subqueries and CTEs into the rules of every family.
- Casts: a string that is not an integer (`'2.7'::int`) is an error in Redshift (DuckDB rounds);
  casting a DECIMAL or DOUBLE to an integer rounds half away from zero in Redshift; text cast to
  DATE/TIMESTAMP accepts Redshift's input forms (`'20080305'`, `'12/31/2008'`, `'Jan 5 2008'`).
- Integer overflow is an error in Redshift's words (see `duckdb_errors`).
- `pg_typeof(x)` answers with PostgreSQL's type names (`integer`, `numeric`, `character varying`,
  `timestamp without time zone`, ...).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import T, call, cast, kind, typed, written_name

# -- result types (annotators) ---------------------------------------------------------------


def _dt(text: str) -> exp.DataType:
    return rc.datatype(text)


def _arg_kind(node: exp.Expression | None) -> T:
    return kind(node) if node is not None else T.UNKNOWN


def _decimal_args(node: exp.Expression | None) -> tuple[int, int] | None:
    datatype = node.type if node is not None else None
    if datatype is None or datatype.this not in rc.DECIMALS:
        return None
    params = [int(p.this.this) if isinstance(p.this, exp.Literal) else int(p.name) for p in datatype.expressions]
    if not params:
        return 18, 0
    return params[0], params[1] if len(params) > 1 else 0


def aggregate_type(node: exp.Expression) -> exp.DataType | None:
    """AVG and SUM as Redshift types them (r_AVG, r_SUM)."""
    argument = node.this
    if isinstance(argument, exp.Distinct):
        argument = argument.expressions[0] if argument.expressions else None
    k = _arg_kind(argument)
    if isinstance(node, exp.Avg):
        if k in rc.INTEGERS:
            return _dt("BIGINT")
        if k in rc.FLOATS:
            return _dt("DOUBLE")
        decimal = _decimal_args(argument)
        if decimal is not None:
            return _dt(f"DECIMAL(38, {decimal[1]})")
        return None
    if k in (T.SMALLINT, T.INT, T.TINYINT):
        return _dt("BIGINT")
    if k == T.BIGINT:
        return _dt("DECIMAL(38, 0)")
    if k in rc.FLOATS:
        return _dt("DOUBLE")
    decimal = _decimal_args(argument)
    if decimal is not None:
        return _dt(f"DECIMAL(38, {decimal[1]})")
    return None


# Anonymous functions (sqlglot has no node for them) by upper-case name.
ANONYMOUS_TYPES = {
    "DATE_CMP": "INT", "TIMESTAMP_CMP": "INT", "DATE_CMP_TIMESTAMP": "INT", "TIMESTAMP_CMP_DATE": "INT",
    "DATE_PART_YEAR": "INT", "TIMEOFDAY": "VARCHAR", "REPLICATE": "VARCHAR", "STRTOL": "BIGINT",
    "OCTET_LENGTH": "INT", "JSON_EXTRACT_ARRAY_ELEMENT_TEXT": "VARCHAR", "JSON_ARRAY_LENGTH": "INT",
    "IS_VALID_JSON": "BOOLEAN", "IS_VALID_JSON_ARRAY": "BOOLEAN", "OCTETINDEX": "INT", "QUOTE_IDENT": "VARCHAR",
    "QUOTE_LITERAL": "VARCHAR", "BPCHARCMP": "INT", "BTTEXT_PATTERN_CMP": "INT", "CHARINDEX": "INT",
    "DIFFERENCE": "INT", "FUNC_SHA1": "VARCHAR", "DEXP": "DOUBLE", "DLOG1": "DOUBLE", "DLOG10": "DOUBLE",
    "GETDATE": "TIMESTAMP", "PG_TYPEOF": "VARCHAR", "ISNULL": None,
}


def result_type(node: exp.Expression) -> exp.DataType | None:
    """The Redshift type of `node` when it differs from what sqlglot infers (None: keep sqlglot's)."""
    if isinstance(node, exp.TsOrDsAdd):
        return _dt("TIME") if _arg_kind(node.this) in rc.TIMES else _dt("TIMESTAMP")
    if isinstance(node, exp.TsOrDsDiff):
        return _dt("BIGINT")
    if isinstance(node, exp.Extract):
        if written_name(node) in ("DATE_PART", "PGDATE_PART") or _arg_kind(node.expression) in rc.TIMESTAMPTZ:
            return _dt("DOUBLE")
        return _dt("INT")
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)):
        value = node.this
        return _dt("TIMESTAMPTZ") if _arg_kind(value) in rc.TIMESTAMPTZ else _dt("TIMESTAMP")
    if isinstance(node, exp.Trunc):
        k = _arg_kind(node.this)
        return _dt("DATE") if k in rc.TEMPORAL else None
    if isinstance(node, exp.MonthsBetween):
        return _dt("DOUBLE")
    if isinstance(node, (exp.NextDay, exp.LastDay, exp.StrToDate)):
        return _dt("DATE")
    if isinstance(node, exp.ConvertTimezone):
        return _dt("TIMESTAMP")
    if isinstance(node, exp.CurrentTimestamp):
        plain = not node.args.get("sysdate") and written_name(node) != "GETDATE"
        return _dt("TIMESTAMPTZ") if plain else _dt("TIMESTAMP")
    if isinstance(node, exp.StrToTime):
        return _dt("TIMESTAMPTZ")
    if isinstance(node, (exp.Avg, exp.Sum)):
        return aggregate_type(node)
    if isinstance(node, exp.Length):
        return _dt("INT")
    if isinstance(node, exp.StrPosition):
        return _dt("INT")
    if isinstance(node, exp.FromBase):
        return _dt("BIGINT")
    if isinstance(node, exp.ApproxDistinct):
        return _dt("BIGINT")
    if isinstance(node, exp.Anonymous):
        name = node.name.upper()
        if ANONYMOUS_TYPES.get(name):
            return _dt(ANONYMOUS_TYPES[name])
    return None


_ANNOTATED = (exp.TsOrDsAdd, exp.TsOrDsDiff, exp.Extract, exp.TimestampTrunc, exp.DateTrunc, exp.Trunc,
              exp.MonthsBetween, exp.NextDay, exp.LastDay, exp.StrToDate, exp.ConvertTimezone, exp.CurrentTimestamp,
              exp.StrToTime, exp.Avg, exp.Sum, exp.Length, exp.StrPosition, exp.FromBase, exp.ApproxDistinct,
              exp.Anonymous)


def _annotate(annotator, node: exp.Expression) -> exp.Expression:
    base = Dialect.get_or_raise("redshift").EXPRESSION_METADATA.get(type(node)) or {}
    if "annotator" in base:
        base["annotator"](annotator, node)
    elif "returns" in base:
        annotator._set_type(node, base["returns"])
    datatype = result_type(node)
    if datatype is not None:
        annotator._set_type(node, datatype)
    return node


ANNOTATORS = {"redshift": {cls: {"annotator": _annotate} for cls in _ANNOTATED}}


# -- casts and pg_typeof ---------------------------------------------------------------------

_TO_INTEGER = {T.SMALLINT: "smallint", T.INT: "integer", T.BIGINT: "bigint"}


def _length(datatype: exp.DataType) -> int | None:
    params = datatype.expressions
    if len(params) == 1 and params[0].name.isdigit():
        return int(params[0].name)
    return None


_CHARS = (T.CHAR, T.NCHAR, T.BPCHAR)


def text_cast(node: exp.Cast) -> exp.Expression | None:
    """VARCHAR(n) and CHAR(n) hold n bytes: a longer text is cut at the last whole character that fits
    (DuckDB ignores the length); CHAR(n) is blank-padded to n. A CHAR value converted to another string
    type loses its trailing blanks (r_Character_types, "Significance of trailing blanks")."""
    target = node.to.this
    length = _length(node.to)
    source = kind(node.this)
    if source in _CHARS and target not in _CHARS:
        stripped = typed(call("rtrim", node.this, exp.Literal.string(" ")), "VARCHAR")
        if length is None:
            return typed(stripped, node.to.copy())
        node = exp.Cast(this=stripped, to=node.to)
    if length is None:
        return None
    value = node.this if kind(node.this) in rc.STRINGS else cast(node.this.copy(), "VARCHAR")
    if target in (T.CHAR, T.NCHAR, T.BPCHAR):
        return typed(call("lakebox_rs_char", value, exp.Literal.number(length)), node.to.copy())
    return typed(call("lakebox_rs_varchar", value, exp.Literal.number(length)), node.to.copy())


def cast_rule(node: exp.Cast) -> exp.Expression | None:
    target = node.to.this
    source = kind(node.this)
    if target in (T.VARCHAR, T.NVARCHAR, T.CHAR, T.NCHAR, T.BPCHAR, T.TEXT):
        return text_cast(node)
    if target in _TO_INTEGER and (source in rc.STRINGS or isinstance(node.this, exp.Literal) and node.this.is_string):
        return call(f"lakebox_rs_text_to_{_TO_INTEGER[target]}", node.this, type=node.to.copy())
    if target in _TO_INTEGER and source in rc.FLOATS:
        return typed(exp.Cast(this=call("lakebox_rs_round_half_away", node.this), to=node.to.copy()), node.to.copy())
    if target in (T.TIMESTAMP, T.DATE) and source in rc.STRINGS and not isinstance(node.this, exp.Literal):
        converted = call("lakebox_rs_text_to_timestamp", node.this, type="TIMESTAMP")
        return cast(converted, "DATE") if target == T.DATE else converted
    return None


def pg_typeof(node: exp.Anonymous) -> exp.Expression:
    return call("lakebox_rs_pg_type_name", call("typeof", *node.expressions), type="VARCHAR")


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)
_SMALL = (T.SMALLINT, T.TINYINT)


def literal_widths(node: exp.Expression) -> None:
    """An integer literal is an INTEGER (or BIGINT) in Redshift; DuckDB narrows it to the other operand's
    SMALLINT, so `smallint_column * 20000` would overflow where Redshift computes in INTEGER."""
    for this, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(this, exp.Literal) and this.is_int and kind(other) in _SMALL:
            value = int(this.this)
            target = "INTEGER" if -2**31 <= value < 2**31 else "BIGINT"
            this.replace(cast(this.copy(), target))


def decimal_scale(node: exp.Expression) -> tuple[bool, int] | None:
    """(is it a decimal, its scale) for exact numeric expressions; None when not exact or unknown."""
    if isinstance(node, (exp.Paren, exp.Neg)):
        return decimal_scale(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        text = node.this.lower()
        if "e" in text:
            return None
        return (True, len(text.split(".", 1)[1])) if "." in text else (False, 0)
    k = kind(node)
    if k in rc.INTEGERS:
        return False, 0
    if k in rc.DECIMALS:
        params = node.type.expressions if node.type is not None else []
        return (True, int(params[1].name)) if len(params) > 1 else (True, 0) if params else None
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        left, right = decimal_scale(node.left), decimal_scale(node.right)
        if left is None or right is None:
            return None
        scale = left[1] + right[1] if isinstance(node, exp.Mul) else max(left[1], right[1])
        return left[0] or right[0], scale
    return None


def exact_multiplication(node: exp.Mul) -> None:
    """DECIMAL * DECIMAL keeps every digit in Redshift (precision p1 + p2 + 1, up to 38); DuckDB keeps
    such a product in 18 digits when both inputs are narrow, and overflows. Widen the inputs."""
    left, right = decimal_scale(node.left), decimal_scale(node.right)
    if left is None or right is None or not (left[0] or right[0]):
        return
    for operand, (_, scale) in ((node.left, left), (node.right, right)):
        operand.replace(cast(operand.copy(), f"DECIMAL(38, {scale})"))
    node.type = rc.datatype(f"DECIMAL(38, {min(left[1] + right[1], 38)})")


_TYPES_NODES = (exp.Cast, exp.Anonymous, *_ARITHMETIC)


def redshift_types(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Redshift's casts, literal widths and pg_typeof (one walk, innermost first)."""
    if not rc.has_any(expression, _TYPES_NODES):
        return expression
    for node in reversed(list(expression.find_all(*_TYPES_NODES))):
        if isinstance(node, _ARITHMETIC):
            literal_widths(node)
            if isinstance(node, exp.Mul):
                exact_multiplication(node)
            continue
        if isinstance(node, exp.Cast):
            if type(node) is not exp.Cast:
                continue
            replacement = cast_rule(node)
        elif node.name.upper() == "PG_TYPEOF":
            replacement = pg_typeof(node)
        else:
            continue
        if replacement is not None:
            node.replace(replacement)
    return expression


def _integer_macro(name: str, duck: str, low: int, high: int) -> str:
    return (
        f"CREATE OR REPLACE TEMP MACRO lakebox_rs_text_to_{name}(s) AS ("
        f" CASE WHEN s IS NULL THEN NULL::{duck}"
        f" WHEN NOT regexp_full_match(trim(s), '[+-]?[0-9]+')"
        f"  THEN error('invalid input syntax for {name}: \"' || s || '\"')"
        f" WHEN try_cast(trim(s) AS HUGEINT) NOT BETWEEN {low} AND {high}"
        f"  THEN error('value \"' || s || '\" is out of range for type {name}')"
        f" ELSE CAST(trim(s) AS {duck}) END)"
    )


MACROS = [
    _integer_macro("smallint", "SMALLINT", -32768, 32767),
    _integer_macro("integer", "INTEGER", -2147483648, 2147483647),
    _integer_macro("bigint", "BIGINT", -9223372036854775808, 9223372036854775807),
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_round_half_away(x) AS (sign(x) * floor(abs(x) + 0.5))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_varchar(s, n) AS ("
    " CASE WHEN strlen(s) <= n THEN s WHEN strlen(s) = length(s) THEN left(s, n)"
    " ELSE left(s, list_count(list_filter(list_transform(range(1, length(s) + 1), lambda i: strlen(left(s, i))),"
    "  lambda b: b <= n))) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_char(s, n) AS (rpad(lakebox_rs_varchar(s, n), n, ' '))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_pg_type_name(t) AS ("
    " CASE WHEN t = 'INTEGER' THEN 'integer' WHEN t = 'BIGINT' THEN 'bigint' WHEN t = 'SMALLINT' THEN 'smallint'"
    " WHEN t = 'HUGEINT' OR t LIKE 'DECIMAL%' THEN 'numeric' WHEN t = 'DOUBLE' THEN 'double precision'"
    " WHEN t = 'FLOAT' THEN 'real' WHEN t = 'VARCHAR' THEN 'character varying' WHEN t = 'BOOLEAN' THEN 'boolean'"
    " WHEN t = 'DATE' THEN 'date' WHEN t = 'TIMESTAMP' THEN 'timestamp without time zone'"
    " WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone' WHEN t = 'TIME' THEN 'time without time zone'"
    " WHEN t = 'TIME WITH TIME ZONE' THEN 'time with time zone' WHEN t = 'INTERVAL' THEN 'interval'"
    " WHEN t = 'BLOB' THEN 'varbyte' WHEN t = '\"NULL\"' THEN 'unknown' ELSE lower(t) END)",
]

PRIORITY = 20
RULES = {"redshift": [redshift_types]}

FUNCTIONS = {
    "CAST / :: (text to integer)": ("supported", "only integer text; '2.7'::int is an error, as in Redshift"),
    "CAST / :: (double to integer)": ("supported", "rounds half away from zero"),
    "CAST / :: (text to date/timestamp)": ("supported", "ISO, YYYYMMDD, MM/DD/YYYY and month-name forms"),
    "CAST / :: (to VARCHAR(n) / CHAR(n))": ("supported", "cut to n bytes at a whole character; CHAR(n) padded; "
                                            "a CHAR converted to VARCHAR loses its trailing blanks"),
    "CHAR(n)": ("partial", "padded with blanks to n in results (columns and casts); LEN ignores the blanks, "
                           "OCTET_LENGTH counts them; comparisons and GROUP BY ignore them; a longer value is an error "
                           "on INSERT / UPDATE unless the excess is blanks; concatenation keeps the blanks, which the "
                           "reference does not settle (PostgreSQL drops them)"),
    "CONVERT(type, value)": ("supported", "as CAST"),
    "PG_TYPEOF": ("supported", "PostgreSQL type names"),
    "integer overflow": ("supported", "an error, as in Redshift"),
}
