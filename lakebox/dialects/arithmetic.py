"""Arithmetic rules: the services' integer and decimal arithmetic, and their result types, on DuckDB.

Each rule is a pure function over a qualified, type-annotated sqlglot tree.

Athena (Trino) types what DuckDB types differently:

- a decimal literal is exact with the precision of its digits less leading zeros (`0.5` is
  decimal(1,1), DuckDB says DECIMAL(2,1)); more than 38 digits is an error;
- `decimal / decimal` is a decimal of precision min(38, p1 + s2 + max(0, s2 - s1)) and scale
  max(s1, s2), rounded half away from zero (DuckDB divides decimals as DOUBLE);
- `avg(decimal(p,s))` is decimal(p,s) (DuckDB: DOUBLE); `avg(real)` and `sum(real)` are real;
  `sum` of an integer type is bigint (DuckDB: HUGEINT, which would also hide the overflow error);
- `typeof` answers with Trino's type names (`integer`, `decimal(5,4)`, `timestamp(3)`, `array(integer)`).
"""

from __future__ import annotations

import re

from sqlglot import exp

from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type
INTEGER_TYPES = exp.DataType.INTEGER_TYPES
MAX_PRECISION = 38

# Trino's decimal view of each integer type (used when an integer meets a decimal).
_INTEGER_AS_DECIMAL = {T.TINYINT: (3, 0), T.SMALLINT: (5, 0), T.INT: (10, 0), T.BIGINT: (19, 0)}
_REAL = (T.FLOAT,)
_DOUBLE = (T.DOUBLE,)


def is_integer(node: exp.Expression) -> bool:
    datatype = node.type
    return datatype is not None and datatype.this in INTEGER_TYPES


# -- numeric types, the way Trino derives them ------------------------------------------------

def literal_decimal_type(text: str) -> tuple[int, int] | None:
    """Trino's type of a decimal literal: digits less leading zeros (at least 1), scale = fraction digits."""
    if "." not in text or "e" in text.lower():
        return None
    integral, _, fraction = text.lstrip("+-").partition(".")
    integral = integral.lstrip("0")
    precision = max(len(integral) + len(fraction), 1)
    return precision, len(fraction)


def numeric_type(node: exp.Expression):
    """('int', DataType.Type) | ('dec', p, s) | ('real',) | ('double',) | None (unknown or not numeric).

    Reads the types of rewritten subtrees (casts, the exact division) as well as sqlglot's annotations.
    """
    if isinstance(node, exp.Paren):
        return numeric_type(node.this)
    if isinstance(node, exp.Literal) and node.is_number:
        decimal = literal_decimal_type(node.this)
        if decimal is not None:
            return ("dec",) + decimal
        if "e" in node.this.lower():
            return ("double",)
        return ("int", T.INT if abs(int(node.this)) <= 2**31 - 1 else T.BIGINT)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return _from_datatype(node.to)
    if isinstance(node, exp.Neg):
        return numeric_type(node.this)
    meta = node.meta.get("lakebox_type")
    if meta is not None:
        return meta
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        return _binary_type(node)
    if meta is not None:
        return meta
    if node.type is not None:
        return _from_datatype(node.type)
    return None


def _from_datatype(datatype: exp.DataType):
    kind = datatype.this
    if kind in INTEGER_TYPES:
        return ("int", kind)
    if kind == T.DECIMAL:
        params = [int(p.this.this) if isinstance(p, exp.DataTypeParam) else int(p.this) for p in datatype.expressions]
        if len(params) == 2:
            return ("dec", params[0], params[1])
        if len(params) == 1:
            return ("dec", params[0], 0)
        return None  # a bare DECIMAL: sqlglot does not know its parameters here
    if kind in _REAL:
        return ("real",)
    if kind in _DOUBLE:
        return ("double",)
    return None


def as_decimal(numeric) -> tuple[int, int] | None:
    if numeric is None:
        return None
    if numeric[0] == "dec":
        return numeric[1], numeric[2]
    if numeric[0] == "int":
        return _INTEGER_AS_DECIMAL.get(numeric[1])
    return None


def _binary_type(node: exp.Expression):
    left, right = numeric_type(node.this), numeric_type(node.expression)
    if left is None or right is None:
        return None
    if left[0] in ("double", "real") or right[0] in ("double", "real"):
        return ("double",) if "double" in (left[0], right[0]) else ("real",)
    if left[0] == "int" and right[0] == "int":
        return ("int", T.BIGINT if T.BIGINT in (left[1], right[1]) else T.INT)
    a, b = as_decimal(left), as_decimal(right)
    if a is None or b is None:
        return None
    return ("dec",) + decimal_result(type(node), a, b)


def decimal_result(op: type, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """Trino's result type of a decimal operator (DecimalOperators)."""
    (p1, s1), (p2, s2) = a, b
    if op in (exp.Add, exp.Sub):
        precision = 1 + max(s1, s2) + max(p1 - s1, p2 - s2)
        scale = max(s1, s2)
    elif op is exp.Mul:
        precision, scale = p1 + p2, s1 + s2
    elif op is exp.Div:
        precision, scale = p1 + s2 + max(0, s2 - s1), max(s1, s2)
    else:  # Mod
        precision, scale = min(p1 - s1, p2 - s2) + max(s1, s2), max(s1, s2)
    return min(MAX_PRECISION, precision), scale


def decimal_type_node(precision: int, scale: int) -> exp.DataType:
    return exp.DataType(this=T.DECIMAL, expressions=[exp.DataTypeParam(this=exp.Literal.number(precision)),
                                                      exp.DataTypeParam(this=exp.Literal.number(scale))])


def cast_decimal(node: exp.Expression, precision: int, scale: int) -> exp.Cast:
    return exp.Cast(this=node, to=decimal_type_node(precision, scale))


# -- type annotation: sqlglot types decimal literals as DOUBLE; Trino does not -------------------

def _datatype_numeric(datatype):
    return None if datatype is None else _from_datatype(datatype)


def _set_numeric(annotator, node: exp.Expression, numeric) -> None:
    if numeric is None:
        return
    if numeric[0] == "dec":
        annotator._set_type(node, decimal_type_node(numeric[1], numeric[2]))
    elif numeric[0] == "int":
        annotator._set_type(node, exp.DataType(this=numeric[1]))
    elif numeric[0] == "real":
        annotator._set_type(node, exp.DataType(this=T.FLOAT))


def _annotate_literal(annotator, node: exp.Literal) -> exp.Literal:
    annotator._annotate_literal(node)
    if node.is_number:
        decimal = literal_decimal_type(node.this)
        if decimal is not None:
            annotator._set_type(node, decimal_type_node(*decimal))
        elif not node.is_int or abs(int(node.this)) > 2**31 - 1:
            if node.is_int:
                annotator._set_type(node, exp.DataType(this=T.BIGINT))
    return node


def _annotate_arithmetic(annotator, node: exp.Expression) -> exp.Expression:
    annotator._annotate_binary(node)
    left, right = _datatype_numeric(node.left.type), _datatype_numeric(node.right.type)
    if left is None or right is None:
        return node
    if left[0] == "int" and right[0] == "int":
        if isinstance(node, exp.Div):
            _set_numeric(annotator, node, ("int", T.BIGINT if T.BIGINT in (left[1], right[1]) else T.INT))
        return node
    if left[0] in ("double", "real") or right[0] in ("double", "real"):
        return node
    a, b = as_decimal(left), as_decimal(right)
    if a is not None and b is not None:
        _set_numeric(annotator, node, ("dec",) + decimal_result(type(node), a, b))
    return node


def _annotate_aggregate(annotator, node: exp.Expression) -> exp.Expression:
    argument = _datatype_numeric(node.this.type) if node.this is not None else None
    if argument is None:
        annotator._set_type(node, exp.DType.DOUBLE if isinstance(node, exp.Avg) else exp.DType.UNKNOWN)
        if isinstance(node, exp.Sum) and node.this is not None and node.this.type is not None:
            annotator._set_type(node, node.this.type)
        return node
    if isinstance(node, exp.Avg):
        if argument[0] == "dec":
            _set_numeric(annotator, node, argument)
        elif argument[0] == "real":
            _set_numeric(annotator, node, argument)
        else:
            annotator._set_type(node, exp.DType.DOUBLE)
    elif argument[0] == "int":
        _set_numeric(annotator, node, ("int", T.BIGINT))
    elif argument[0] == "dec":
        _set_numeric(annotator, node, ("dec", MAX_PRECISION, argument[2]))
    elif argument[0] == "real":
        _set_numeric(annotator, node, argument)
    else:
        annotator._set_type(node, exp.DType.DOUBLE)
    return node


def _typed_decimal_literal(text: str) -> tuple[int, int]:
    """DECIMAL '12.50': the literal's own precision and scale (decimal(4,2))."""
    text = text.strip()
    decimal = literal_decimal_type(text if "." in text else text + ".")
    if decimal is None:
        raise ProgrammingError(f"invalid DECIMAL literal '{text}'")
    return decimal


def _annotate_cast(annotator, node: exp.Cast) -> exp.Expression:
    """Trino's bare DECIMAL is decimal(38,0) (DuckDB's would be (18,3)); `DECIMAL '1.50'` is decimal(3,2).

    The parameters are written into the cast itself, so that DuckDB runs what Trino types.
    sqlglot builds the typed literal DECIMAL '...' as a cast without CAST's optional arguments.
    """
    to = node.to
    if to.this == T.DECIMAL and not to.expressions:
        literal = node.this
        if isinstance(literal, exp.Literal) and literal.is_string and "safe" not in node.args:
            precision, scale = _typed_decimal_literal(literal.this)
        else:
            precision, scale = MAX_PRECISION, 0
        node.set("to", decimal_type_node(precision, scale))
    from sqlglot.dialects.dialect import Dialect
    return Dialect.get_or_raise("athena").EXPRESSION_METADATA[exp.Cast]["annotator"](annotator, node)


ANNOTATORS = {
    "athena": {
        exp.Cast: {"annotator": _annotate_cast},
        exp.Literal: {"annotator": _annotate_literal},
        **{op: {"annotator": _annotate_arithmetic} for op in (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)},
        exp.Avg: {"annotator": _annotate_aggregate},
        exp.Sum: {"annotator": _annotate_aggregate},
    },
}


# -- exact decimal division ---------------------------------------------------------------------

def _unscaled(node: exp.Expression, scale: int) -> exp.Expression:
    """The decimal's unscaled integer as HUGEINT (exact: x * 10^s is integral)."""
    scaled = exp.Mul(this=exp.Paren(this=node), expression=exp.Literal.number(10 ** scale)) if scale else node
    return exp.Cast(this=scaled, to=exp.DataType.build("HUGEINT"))


def rounded_quotient(numerator: exp.Expression, denominator: exp.Expression) -> exp.Expression:
    """round(n / d) half away from zero, in HUGEINT; `//` raises on a zero divisor as Trino does."""
    n, d = exp.Paren(this=numerator), exp.Paren(this=denominator)
    twice = exp.Add(this=exp.Mul(this=exp.Literal.number(2), expression=exp.Abs(this=n.copy())),
                    expression=exp.Abs(this=d.copy()))
    magnitude = exp.IntDiv(this=exp.Paren(this=twice),
                           expression=exp.Paren(this=exp.Mul(this=exp.Literal.number(2), expression=exp.Abs(this=d))))
    sign = exp.Mul(this=exp.Sign(this=n), expression=exp.Sign(this=d.copy()))
    return exp.Mul(this=sign, expression=exp.Paren(this=magnitude))


def from_unscaled(unscaled: exp.Expression, precision: int, scale: int) -> exp.Expression:
    """decimal(precision, scale) from its unscaled HUGEINT (exact: multiply by the literal 10^-scale)."""
    whole = exp.Cast(this=unscaled, to=decimal_type_node(MAX_PRECISION, 0))
    if scale:
        unit = exp.Cast(this=exp.Literal.number("0." + "0" * (scale - 1) + "1"), to=decimal_type_node(scale + 1, scale))
        whole = exp.Mul(this=whole, expression=unit)
    return cast_decimal(whole, precision, scale)


def exact_decimal_division(left: exp.Expression, right: exp.Expression, a: tuple[int, int],
                           b: tuple[int, int]) -> exp.Expression:
    (_, s1), (_, s2) = a, b
    precision, scale = decimal_result(exp.Div, a, b)
    shift = scale - s1 + s2
    numerator = _unscaled(left, s1)
    if shift:
        numerator = exp.Mul(this=numerator, expression=exp.Cast(this=exp.Literal.number(10 ** shift),
                                                                 to=exp.DataType.build("HUGEINT")))
    result = from_unscaled(rounded_quotient(numerator, _unscaled(right, s2)), precision, scale)
    result.meta["lakebox_type"] = ("dec", precision, scale)
    return result


def exact_decimal_average(avg: exp.Avg, precision: int, scale: int, window: exp.Window | None) -> exp.Expression:
    """avg(decimal(p,s)) as Trino computes it: the exact sum over the count, rounded half up, decimal(p,s)."""
    argument = avg.this

    def over(aggregate: exp.Expression) -> exp.Expression:
        if window is None:
            return aggregate
        copy = window.copy()
        copy.set("this", aggregate)
        return copy

    total = over(exp.Sum(this=argument.copy()))
    count = exp.Nullif(this=over(exp.Count(this=argument.copy())), expression=exp.Literal.number(0))
    result = from_unscaled(rounded_quotient(_unscaled(total, scale), count), precision, scale)
    result.meta["lakebox_type"] = ("dec", precision, scale)
    return result


# -- typeof ----------------------------------------------------------------------------------

TYPEOF_MACRO = "lakebox_trino_type"

# DuckDB's typeof() text -> Trino's type names. RE2 has no lookahead, so TIMESTAMP WITH TIME ZONE
# goes through a placeholder before the plain TIMESTAMP is given Athena's millisecond precision.
_TYPEOF_STEPS = [
    (r"timestamp with time zone", "tstz#"),
    (r"time with time zone", "timetz#"),
    (r"\btimestamp_ns\b", "ts9#"),
    (r"\btimestamp_ms\b", "ts3#"),
    (r"\btimestamp_s\b", "ts0#"),
    (r"\btimestamp\b", "timestamp(3)"),
    (r"\btime\b", "time(3)"),
    (r"ts9#", "timestamp(9)"),
    (r"ts3#", "timestamp(3)"),
    (r"ts0#", "timestamp(0)"),
    (r"tstz#", "timestamp(3) with time zone"),
    (r"timetz#", "time(3) with time zone"),
    (r"\bfloat\b", "real"),
    (r"\bblob\b", "varbinary"),
    (r"\bhugeint\b", "decimal(38,0)"),
    (r"\binterval\b", "interval day to second"),
    (r"\bstruct\(", "row("),
    (r'^"null"$', "unknown"),
]
_ARRAY_STEP = (r"([a-z0-9_]+(\([^()]*\))?)\[\]", r"array(\1)")


def _typeof_macro() -> str:
    body = "lower(t)"
    for pattern, replacement in _TYPEOF_STEPS + [_ARRAY_STEP] * 3:
        body = f"regexp_replace({body}, '{pattern}', '{replacement}', 'g')"
    return f"CREATE OR REPLACE TEMP MACRO {TYPEOF_MACRO}(t) AS {body}"


def _typeof(node: exp.Typeof) -> exp.Expression:
    argument = node.this
    if "lakebox_instant" in argument.meta:  # a zoned value (lakebox.dialects.datetime)
        return exp.Literal.string("timestamp(3) with time zone")
    if isinstance(argument, exp.Literal) and argument.is_string:
        return exp.Literal.string(f"varchar({len(argument.this)})")  # Trino types a string literal by its length
    datatype = argument.type
    if datatype is not None and datatype.this in (T.CHAR, T.NCHAR, T.VARCHAR):  # char(n), varchar(n) (char_types)
        params = datatype.expressions
        length = int(params[0].name) if len(params) == 1 and params[0].name.isdigit() else None
        if datatype.this != T.VARCHAR:
            if length is None and isinstance(argument, exp.Cast) and isinstance(argument.this, exp.Literal):
                length = len(argument.this.this)  # char 'abc' is char(3)
            return exp.Literal.string(f"char({length or 1})")
        if length is not None:
            return exp.Literal.string(f"varchar({length})")
    derived = (exp.Literal, exp.Neg, exp.Paren, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
    numeric = numeric_type(argument) if isinstance(argument, derived) or "lakebox_type" in argument.meta else None
    if numeric is not None and numeric[0] == "dec":
        return exp.Literal.string(f"decimal({numeric[1]},{numeric[2]})")
    return exp.Anonymous(this=TYPEOF_MACRO, expressions=[exp.Anonymous(this="typeof", expressions=[argument])])


# -- one look at the query for the early exits of the Athena families of Part A ------------------

_PROFILE = "lakebox_athena_profile"


def query_profile(expression: exp.Expression) -> tuple[frozenset, frozenset, frozenset]:
    """(node classes, lower-case names of anonymous functions, cast target types) of the query as it was
    before the first of these families ran (datetime, the first, takes it); cached on the root.
    The families only add nodes that the later ones do not need to see."""
    profile = expression.meta.get(_PROFILE)
    if profile is None:
        kinds, names, targets = set(), set(), set()
        for node in expression.walk():
            kinds.add(type(node))
            if isinstance(node, exp.Anonymous):
                names.add(node.name.lower())
            elif isinstance(node, exp.Cast):
                targets.add(node.to.this)
        profile = (frozenset(kinds), frozenset(names), frozenset(targets))
        expression.meta[_PROFILE] = profile
    return profile


# -- try(): DuckDB's TRY refuses volatile functions such as error() -------------------------------

_ERROR_CALL = re.compile(r"error\((?:[^()']|'(?:[^']|'')*')*\)")
_MACRO_NAME = re.compile(r"(CREATE OR REPLACE TEMP MACRO )(\w+)\(")


def or_null_twin(macro: str) -> str:
    """The same macro named `<name>_or_null`, with NULL where it would raise (for use inside try())."""
    return _MACRO_NAME.sub(lambda m: f"{m.group(1)}{m.group(2)}_or_null(", _ERROR_CALL.sub("NULL", macro), count=1)


def with_or_null_twins(macros: list[str]) -> list[str]:
    return macros + [or_null_twin(m) for m in macros if _ERROR_CALL.search(m)]


def inside_try(node: exp.Expression) -> bool:
    """Is `node` inside Trino's try(...), where an error is a NULL?"""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.Try):
            return True
        parent = parent.parent
    return False


def macro_call(name: str, node: exp.Expression, args: list[exp.Expression]) -> exp.Anonymous:
    """A call of one of lakebox's error-raising macros, or of its `_or_null` twin inside try()."""
    return exp.Anonymous(this=f"{name}_or_null" if inside_try(node) else name, expressions=args)


# -- math functions Trino has and DuckDB lacks or answers differently -----------------------------

_DOUBLE_CONSTANTS = {"e": "exp(1)", "infinity": "CAST('Infinity' AS DOUBLE)", "nan": "CAST('NaN' AS DOUBLE)"}


def _anonymous_math(node: exp.Anonymous) -> exp.Expression | None:
    name = node.name.lower()
    args = node.expressions
    if name in _DOUBLE_CONSTANTS and not args:
        from sqlglot import parse_one
        return parse_one(_DOUBLE_CONSTANTS[name], read="duckdb")
    if name == "is_finite" and len(args) == 1:
        return exp.Anonymous(this="isfinite", expressions=[exp.cast(args[0], "DOUBLE")])
    if name == "is_infinite" and len(args) == 1:
        return exp.Anonymous(this="isinf", expressions=[exp.cast(args[0], "DOUBLE")])
    if name == "to_base" and len(args) == 2:
        return exp.Lower(this=exp.Anonymous(this="to_base", expressions=args))  # Java's Long.toString is lower case
    if name == "from_base" and len(args) == 2:
        return macro_call("lakebox_from_base", node, args)
    if name == "width_bucket" and len(args) == 4:
        return macro_call("lakebox_width_bucket", node, args)
    return None


MACROS = with_or_null_twins([
    _typeof_macro(),
    # from_base(string, radix): Trino parses a signed number in radix 2..36 and errors on a bad digit.
    "CREATE OR REPLACE TEMP MACRO lakebox_from_base(s, radix) AS ("
    " CASE WHEN radix < 2 OR radix > 36 THEN error('Radix must be between 2 and 36')"
    " WHEN NOT regexp_full_match(lower(s), '[+-]?[0-9a-z]+') "
    "  OR list_bool_or(list_transform(string_split(ltrim(lower(s), '+-'), ''),"
    "    lambda c: strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) > radix))"
    "  THEN error('Not a valid base-' || radix || ' number: ' || s)"
    " ELSE (CASE WHEN starts_with(s, '-') THEN -1 ELSE 1 END) * CAST(list_reduce(list_transform("
    "   string_split(ltrim(lower(s), '+-'), ''), lambda c: CAST(strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1"
    "   AS HUGEINT)), lambda acc, d: acc * radix + d, CAST(0 AS HUGEINT)) AS BIGINT) END)",
    # width_bucket(x, bound1, bound2, n): Trino's equi-width histogram bucket, 0 below and n + 1 above.
    "CREATE OR REPLACE TEMP MACRO lakebox_width_bucket(x, lo, hi, n) AS ("
    " CASE WHEN n <= 0 THEN error('bucketCount must be greater than 0')"
    " WHEN lo = hi THEN error('bounds cannot equal each other')"
    " WHEN lo < hi THEN CASE WHEN x < lo THEN 0 WHEN x >= hi THEN n + 1"
    "   ELSE CAST(floor((x - lo) * n / (hi - lo)) AS BIGINT) + 1 END"
    " ELSE CASE WHEN x > lo THEN 0 WHEN x <= hi THEN n + 1"
    "   ELSE CAST(floor((lo - x) * n / (lo - hi)) AS BIGINT) + 1 END END)",
])


# -- the rules -------------------------------------------------------------------------------

def integer_division(expression: exp.Expression, dialect: str) -> exp.Expression:
    """`int / int` truncates toward zero in Athena and Redshift; DuckDB's `/` is float division.

    DuckDB's `//` truncates toward zero and raises on a zero divisor, as both services do. Only
    operands whose types are known integers are rewritten: anything else keeps DuckDB's division.
    """
    for division in list(expression.find_all(exp.Div)):
        if is_integer(division.this) and is_integer(division.expression):
            division.replace(exp.IntDiv(this=division.this, expression=division.expression))
    return expression


def _decimal_literal(node: exp.Literal) -> exp.Expression:
    decimal = literal_decimal_type(node.this)
    if decimal is None:
        return node
    precision, scale = decimal
    if precision > MAX_PRECISION:
        raise ProgrammingError(f"decimal literal {node.this} exceeds the maximum precision of {MAX_PRECISION}")
    digits = sum(c.isdigit() for c in node.this)
    if digits == precision:  # DuckDB counts every digit: the same type unless there are leading zeros
        return node
    cast = cast_decimal(node.copy(), precision, scale)
    cast.meta["lakebox_type"] = ("dec", precision, scale)
    return cast


def _unknown(node: exp.Expression) -> bool:
    return numeric_type(node) is None and (node.type is None or node.type.this == T.UNKNOWN) \
        and not isinstance(node, exp.Null)


def _division(node: exp.Div) -> exp.Expression:
    left, right = numeric_type(node.this), numeric_type(node.expression)
    if left is None or right is None:
        unknown = next((o for o in (node.this, node.expression) if _unknown(o)), None)
        if unknown is not None and not node.find_ancestor(exp.Lambda):  # lambda variables carry no types  # integer, decimal and double division differ: do not guess
            raise NotSupportedError(f"division: the type of {unknown.sql('trino')} is unknown here, and Athena "
                                    "divides integers, decimals and doubles differently; CAST it to the type meant")
        return node
    if left[0] == "int" and right[0] == "int":
        result = exp.IntDiv(this=node.this, expression=node.expression)
        result.meta["lakebox_type"] = ("int", T.BIGINT if T.BIGINT in (left[1], right[1]) else T.INT)
        return result
    if "dec" not in (left[0], right[0]):
        return node
    a, b = as_decimal(left), as_decimal(right)
    if a is None or b is None:
        return node  # decimal with a float: DOUBLE in both engines
    return exact_decimal_division(node.this, node.expression, a, b)


_SMALL_INTEGERS = (T.TINYINT, T.SMALLINT)


def _widen_small_integer_literal(node: exp.Expression) -> None:
    """`tinyint_col + 100`: Trino types 100 as integer (the sum is an integer); DuckDB would shrink the
    literal to the column's type and overflow. Give the literal Trino's type."""
    left, right = numeric_type(node.this), numeric_type(node.expression)
    for literal, other in ((node.this, right), (node.expression, left)):
        if isinstance(literal, exp.Literal) and literal.is_int and other and other[0] == "int" \
                and other[1] in _SMALL_INTEGERS:
            literal.replace(exp.Cast(this=literal.copy(), to=exp.DataType.build("INT")))


# DuckDB multiplies two decimals of at most 18 digits in 64 bits and fails when the product needs more,
# where Trino's product is decimal(p1 + p2, s1 + s2), up to 38 digits.
_INT64_DIGITS = 18


def _summed(node: exp.Expression) -> bool:
    """Is the value only ever summed or averaged (through arithmetic and CASE)? Then its type never shows:
    SUM and AVG of a decimal(p, s) are decimal(38, s) in both engines, whatever p is."""
    parent = node.parent
    while isinstance(parent, (exp.Paren, exp.Neg, exp.Add, exp.Sub, exp.Mul, exp.If, exp.Case)):
        parent = parent.parent
    return isinstance(parent, (exp.Sum, exp.Avg))


def _wide_decimal_product(node: exp.Mul) -> exp.Expression:
    """`a * b` of decimals whose product type has more than 18 digits gets Trino's type, decimal(p1 + p2,
    s1 + s2), where it can show. (Inside SUM and AVG it cannot, and a 128-bit sum costs TPC-H 10-20 %.)"""
    left, right = numeric_type(node.this), numeric_type(node.expression)
    if left is None or right is None or "dec" not in (left[0], right[0]) or left[0] not in ("dec", "int") \
            or right[0] not in ("dec", "int"):
        return node
    a, b = as_decimal(left), as_decimal(right)
    if a is None or b is None:
        return node
    precision, scale = decimal_result(exp.Mul, a, b)
    if precision <= _INT64_DIGITS or _summed(node):
        return node
    replacement = cast_decimal(exp.Paren(this=node.copy()), precision, scale)
    replacement.meta["lakebox_type"] = ("dec", precision, scale)
    node.replace(replacement)
    return replacement


def _sign(node: exp.Sign) -> None:
    """sign(x) has x's type in Trino (decimal(1,0) for a decimal); DuckDB's is TINYINT."""
    argument = numeric_type(node.this)
    if argument is None:
        return
    if argument[0] == "int":
        to = exp.DataType(this=argument[1])
    elif argument[0] == "dec":
        to = decimal_type_node(1, 0)
    else:
        to = exp.DataType.build("REAL" if argument[0] == "real" else "DOUBLE")
    node.replace(exp.Cast(this=node.copy(), to=to))


def _modulus(node: exp.Mod) -> None:
    """decimal % decimal: DuckDB's remainder is exact; give it Trino's result type."""
    left, right = numeric_type(node.this), numeric_type(node.expression)
    if left is None or right is None or "dec" not in (left[0], right[0]):
        return
    a, b = as_decimal(left), as_decimal(right)
    if a is None or b is None:
        return
    precision, scale = decimal_result(exp.Mod, a, b)
    replacement = cast_decimal(exp.Paren(this=node.copy()), precision, scale)
    replacement.meta["lakebox_type"] = ("dec", precision, scale)
    node.replace(replacement)


def _aggregate_types(node: exp.Expression) -> exp.Expression:
    window = node.parent if isinstance(node.parent, exp.Window) else None
    target = window or node
    argument = numeric_type(node.this) if node.this is not None else None
    if argument is None:
        return node
    if isinstance(node, exp.Avg):
        if argument[0] == "dec":
            if node.this.find(exp.Distinct):
                return node
            replacement = exact_decimal_average(node, argument[1], argument[2], window)
            target.replace(replacement)
            return replacement
        if argument[0] == "real":
            replacement = exp.cast(target.copy(), "REAL")
            target.replace(replacement)
            return replacement
        return node
    # Sum: integer sums are bigint (DuckDB's HUGEINT would hide Trino's overflow error); real stays real
    if argument[0] == "int":
        replacement = exp.cast(target.copy(), "BIGINT")
    elif argument[0] == "real":
        replacement = exp.cast(target.copy(), "REAL")
    else:
        return node
    target.replace(replacement)
    return replacement


def athena_arithmetic(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One bottom-up walk: decimal literals, typed division, aggregate result types, math functions, typeof."""
    for node in reversed(list(expression.walk())):
        if isinstance(node, exp.Literal):
            if node.is_number and "." in node.this:
                replacement = _decimal_literal(node)
                if replacement is not node:
                    node.replace(replacement)
        elif isinstance(node, exp.Div):
            replacement = _division(node)
            if replacement is not node:
                node.replace(replacement)
        elif isinstance(node, exp.Mod):
            _widen_small_integer_literal(node)
            _modulus(node)
        elif isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
            _widen_small_integer_literal(node)
            if isinstance(node, exp.Mul):
                _wide_decimal_product(node)
        elif isinstance(node, exp.Sign):
            _sign(node)
        elif isinstance(node, (exp.Avg, exp.Sum)):
            _aggregate_types(node)
        elif isinstance(node, exp.Typeof):
            node.replace(_typeof(node))
        elif isinstance(node, exp.FromBase):
            node.replace(macro_call("lakebox_from_base", node, [node.this, node.expression]))
        elif isinstance(node, exp.WidthBucket):
            args = [node.this] + [node.args.get(k) for k in ("min_value", "max_value", "num_buckets")]
            if any(a is None for a in args):
                raise NotSupportedError("width_bucket(x, bins): the array-of-bins form is not supported")
            node.replace(macro_call("lakebox_width_bucket", node, args))
        elif isinstance(node, exp.Anonymous):
            replacement = _anonymous_math(node)
            if replacement is not None:
                node.replace(replacement)
    return expression


def redshift_integer_division(expression: exp.Expression, dialect: str) -> exp.Expression:
    return integer_division(expression, dialect)


PRIORITY = 10
RULES = {"athena": [athena_arithmetic], "redshift": [redshift_integer_division]}

FUNCTIONS = {
    "+ - * (integer)": ("supported", "DuckDB's checked integer arithmetic; overflow errors in Trino's words"),
    "/ (integer)": ("supported", "truncating division; division by zero is an error"),
    "decimal literals": ("supported", "exact, with Trino's precision (leading zeros do not count)"),
    "+ - * % (decimal)": ("supported", "Trino's result precision and scale"),
    "/ (decimal)": ("supported", "exact decimal division rounded half up (DuckDB would divide as DOUBLE)"),
    "avg": ("supported", "decimal(p,s) stays decimal(p,s), exact; real stays real; integers give double"),
    "sum": ("supported", "integer sums are bigint, real sums real"),
    "typeof": ("supported", "Trino type names; varchar lengths for literals, casts and columns declared with one"),
    "e": ("supported", ""), "infinity": ("supported", ""), "nan": ("supported", ""),
    "is_finite": ("supported", ""), "is_infinite": ("supported", ""), "is_nan": ("supported", ""),
    "to_base": ("supported", "lower-case digits as Java prints them"),
    "from_base": ("supported", "SQL macro"),
    "width_bucket": ("supported", "the (x, bound1, bound2, n) form; the array-of-bins form is not supported"),
    "abs": ("supported", ""), "ceil": ("supported", ""), "floor": ("supported", ""), "round": ("supported", ""),
    "truncate": ("supported", ""), "mod": ("supported", ""), "power": ("supported", ""), "sqrt": ("supported", ""),
    "cbrt": ("supported", ""), "exp": ("supported", ""), "ln": ("supported", ""), "log2": ("supported", ""),
    "log10": ("supported", ""), "pi": ("supported", ""), "degrees": ("supported", ""), "radians": ("supported", ""),
    "sign": ("supported", ""),
}
