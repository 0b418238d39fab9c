"""Redshift's exact DECIMAL division, with the result precision and scale of its SQL reference.

Computations with numeric values (https://docs.aws.amazon.com/redshift/latest/dg/r_numeric_computations201.html):

- a DECIMAL divided by a DECIMAL or an integer is a DECIMAL (DuckDB divides decimals as DOUBLE);
- an integer operand counts as DECIMAL(5,0) (SMALLINT), DECIMAL(10,0) (INTEGER) or DECIMAL(19,0)
  (BIGINT); a REAL or DOUBLE operand makes the quotient a DOUBLE, as in DuckDB;
- the quotient of DECIMAL(p1,s1) by DECIMAL(p2,s2) has scale s = max(4, s1 + p2 - s2 + 1) and precision
  p = p1 - s1 + s2 + s, each at most 38 ("regardless of these computations, the maximum result precision
  is 38, and the maximum result scale is 38"). `pricepaid / commission`, both DECIMAL(8,2), is
  DECIMAL(17,9);
- the operands' own types follow the same page: + and - have scale max(s1,s2) and precision
  max(p1-s1,p2-s2)+1+scale, * has scale s1+s2 and precision p1+p2+1; a decimal literal has as many
  digits as it is written with;
- a quotient that does not fit its precision is Redshift's "Numeric data overflow (result precision)";
  a zero divisor is an error.

The quotient is computed exactly on the operands' unscaled integers (DuckDB's 128-bit HUGEINT; by long
division, a digit at a time, when the remainder times 10^digits would not fit) and its last digit is rounded
half away from zero, as Redshift rounds a value cast to a smaller scale (the reference does not say how the
last digit of a quotient is rounded). A divisor of more than 37 significant digits, or a scale shift beyond
38 digits, needs more than 128 bits: an error, not a rounded guess.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import T, call, cast, typed
from lakebox.errors import NotSupportedError

MAX = 38
_INTEGER_PRECISION = {T.TINYINT: 5, T.SMALLINT: 5, T.INT: 10, T.MEDIUMINT: 10, T.BIGINT: 19,
                      T.UTINYINT: 5, T.USMALLINT: 5, T.UINT: 10, T.UBIGINT: 20, T.INT128: 38}

Numeric = tuple[str, int, int]  # ("int" | "dec" | "float", precision, scale)


def literal_type(text: str) -> Numeric:
    """A numeric literal's type: an integer, or a decimal with as many digits as it is written with."""
    text = text.lstrip("+-")
    if "e" in text.lower():
        return ("float", 0, 0)
    if "." not in text:
        return ("int", 10 if abs(int(text)) < 2**31 else 19, 0)
    integral, _, fraction = text.partition(".")
    digits = len(integral.lstrip("0")) + len(fraction)
    return ("dec", max(digits, len(fraction), 1), len(fraction))


def _datatype(datatype: exp.DataType | None) -> Numeric | None:
    if datatype is None:
        return None
    kind = datatype.this
    if kind in _INTEGER_PRECISION:
        return ("int", _INTEGER_PRECISION[kind], 0)
    if kind in rc.DECIMALS:
        params = [int(p.this.this) if isinstance(p, exp.DataTypeParam) else int(p.name) for p in datatype.expressions]
        if not params:
            return ("dec", 18, 0)  # Redshift's bare DECIMAL is DECIMAL(18,0)
        return ("dec", params[0], params[1] if len(params) > 1 else 0)
    if kind in rc.FLOATS:
        return ("float", 0, 0)
    return None


def result_type(op: type, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """Redshift's precision and scale of a computed DECIMAL (r_numeric_computations201), at most 38 each."""
    (p1, s1), (p2, s2) = a, b
    if op in (exp.Add, exp.Sub):
        scale = max(s1, s2)
        precision = max(p1 - s1, p2 - s2) + 1 + scale
    elif op is exp.Mul:
        scale = s1 + s2
        precision = p1 + p2 + 1
    else:  # Div
        scale = max(4, s1 + p2 - s2 + 1)
        precision = p1 - s1 + s2 + scale
    return min(precision, MAX), min(scale, MAX)


def numeric_type(node: exp.Expression) -> Numeric | None:
    """The Redshift type of a numeric expression (None: not numeric, or not known)."""
    if isinstance(node, (exp.Paren, exp.Neg)):
        return numeric_type(node.this)
    if isinstance(node, exp.Literal):
        return None if node.is_string else literal_type(node.this)
    if isinstance(node, exp.Cast):
        return _datatype(node.to)
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        left, right = numeric_type(node.left), numeric_type(node.right)
        if left is None or right is None:
            return None
        if "float" in (left[0], right[0]):
            return ("float", 0, 0)
        if left[0] == right[0] == "int":
            return ("int", max(left[1], right[1]), 0)
        return ("dec",) + result_type(type(node), left[1:], right[1:])
    return _datatype(node.type)


def _unscaled(node: exp.Expression, scale: int) -> exp.Expression:
    """The operand's unscaled integer as HUGEINT: value * 10^scale (exact for a DECIMAL of that scale)."""
    scaled = exp.Mul(this=exp.Paren(this=node), expression=exp.Literal.number(10 ** scale)) if scale else node
    return exp.Cast(this=scaled, to=exp.DataType.build("HUGEINT"))


def _hugeint(value: int) -> exp.Expression:
    return exp.Cast(this=exp.Literal.number(value), to=exp.DataType.build("HUGEINT"))


def exact_division(node: exp.Div) -> exp.Expression | None:
    """`a / b` with a DECIMAL operand as Redshift computes it; None when Redshift's answer is not a DECIMAL."""
    left, right = numeric_type(node.left), numeric_type(node.right)
    if left is None or right is None or "float" in (left[0], right[0]) or "dec" not in (left[0], right[0]):
        return None
    (p1, s1), (p2, s2) = left[1:], right[1:]
    precision, scale = result_type(exp.Div, (p1, s1), (p2, s2))
    shift = scale - s1 + s2  # quotient of the unscaled integers, times 10^shift, is the result's unscaled value
    if shift > MAX:
        raise NotSupportedError(f"division of DECIMAL({p1},{s1}) by DECIMAL({p2},{s2}): the quotient's "
                                f"DECIMAL({precision},{scale}) needs more than 128 bits here; CAST the operands "
                                "to smaller precisions")
    bound = 10 ** precision  # the unscaled result must stay below it; its integer part below `whole_limit`
    whole_limit = -(-bound // 10 ** shift)
    n, d = _unscaled(node.left, s1), _unscaled(node.right, s2)
    if p2 + shift <= MAX:  # remainder * 10^shift fits in 128 bits: one step
        unscaled = call("lakebox_rs_decimal_quotient", n, d, _hugeint(10 ** shift), _hugeint(bound),
                        _hugeint(whole_limit))
    else:  # long division, one digit at a time
        unscaled = call("lakebox_rs_decimal_quotient_long", n, d, exp.Literal.number(shift), _hugeint(bound),
                        _hugeint(whole_limit))
    whole = exp.Cast(this=unscaled, to=exp.DataType.build("DECIMAL(38, 0)"))
    if scale:
        unit = exp.Cast(this=exp.Literal.number("0." + "0" * (scale - 1) + "1"),
                        to=exp.DataType.build(f"DECIMAL({scale + 1}, {scale})" if scale < MAX else "DECIMAL(38, 38)"))
        whole = exp.Mul(this=whole, expression=unit)
    return typed(cast(whole, f"DECIMAL({precision}, {scale})"), f"DECIMAL({precision}, {scale})")


def redshift_decimal_division(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Every DECIMAL division, innermost first (an outer division reads the inner quotient's type)."""
    return rc.rewrite_innermost(expression, (exp.Div,), exact_division)


MACROS = [
    # lakebox_rs_decimal_quotient(n, d, unit, bound, whole_limit): round(n * unit / d) half away from zero,
    # for the unscaled integers n and d of the operands; an error when it reaches bound = 10^precision
    # (checked first on the integer part n // d, against ceil(bound / unit), so that nothing overflows).
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_decimal_check(q, bound) AS ("
    " CASE WHEN abs(q) >= bound THEN error('Numeric data overflow (result precision)') ELSE q END)",
    # x / d rounded half away from zero, for x >= 0 and d > 0 (x % d >= d - x % d: no doubling, no overflow)
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_decimal_round(x, d) AS ("
    " x // d + CASE WHEN x % d >= d - x % d THEN 1 ELSE 0 END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_decimal_quotient(n, d, unit, bound, whole_limit) AS ("
    " CASE WHEN d = 0 THEN error('Division by zero')"
    " WHEN abs(n) // abs(d) >= whole_limit THEN error('Numeric data overflow (result precision)')"
    " ELSE lakebox_rs_decimal_check(sign(n) * sign(d) * ((abs(n) // abs(d)) * unit"
    "  + lakebox_rs_decimal_round((abs(n) % abs(d)) * unit, abs(d))), bound) END)",
    # The same by long division, `digits` decimal digits after the integer part, for remainders that
    # would not fit 128 bits once multiplied by 10^digits.
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_decimal_digits(a, b, digits) AS ("
    " list_reduce(range(digits), lambda acc, i: {'q': acc.q * 10 + (acc.r * 10) // b, 'r': (acc.r * 10) % b},"
    "  {'q': a // b, 'r': a % b}))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_decimal_quotient_long(n, d, digits, bound, whole_limit) AS ("
    " CASE WHEN d = 0 THEN error('Division by zero')"
    " WHEN abs(n) // abs(d) >= whole_limit THEN error('Numeric data overflow (result precision)')"
    " ELSE lakebox_rs_decimal_check(sign(n) * sign(d) * ("
    "  lakebox_rs_decimal_digits(abs(n), abs(d), digits).q + CASE WHEN lakebox_rs_decimal_digits(abs(n), abs(d),"
    "  digits).r >= abs(d) - lakebox_rs_decimal_digits(abs(n), abs(d), digits).r THEN 1 ELSE 0 END), bound) END)",
]

PRIORITY = 15  # after integer division (arithmetic, 10), before the operand widening of redshift_types (20)
RULES = {"redshift": [redshift_decimal_division]}

FUNCTIONS = {
    "/ (decimal)": ("partial", "exact DECIMAL quotient with the reference's precision and scale (DECIMAL(8,2) / "
                               "DECIMAL(8,2) is DECIMAL(17,9)), capped at 38; overflow and zero divisors are errors; "
                               "the last digit is rounded half away from zero, which the reference does not "
                               "document; a quotient needing more than 128 bits to compute raises an error"),
}
