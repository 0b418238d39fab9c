"""Redshift's mathematical functions on DuckDB.

Most of them are DuckDB's own (ABS, CEIL/CEILING, FLOOR, ROUND, TRUNC, MOD, SIGN, POWER/POW, SQRT, EXP,
LN, LOG (base 10, as in Redshift), PI, DEGREES, RADIANS, the trigonometric functions, RANDOM). What
differs:

- `DEXP`, `DLOG1`, `DLOG10`: Redshift's double-precision names for EXP, LN, LOG.
- `SQRT` of a negative number and `LN`/`LOG`/`DLOG1`/`DLOG10` of zero or a negative number are errors
  (DuckDB returns NaN or -infinity).
- `CBRT` is exact for perfect cubes (DuckDB's is one ulp off: cbrt(27) = 3.0000000000000004).
- `CHECKSUM` is refused by name.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import call
from lakebox.errors import NotSupportedError

_RENAMED = {"DEXP": "exp", "DLOG1": "lakebox_rs_ln", "DLOG10": "lakebox_rs_log10"}


def _math(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.Sqrt):
        return call("lakebox_rs_sqrt", node.this, type="DOUBLE")
    if isinstance(node, exp.Ln):
        return call("lakebox_rs_ln", node.this, type="DOUBLE")
    if isinstance(node, exp.Log):
        if node.expression is not None:  # LOG(base, x) is not a Redshift form
            return None
        return call("lakebox_rs_log10", node.this, type="DOUBLE")
    if isinstance(node, exp.Cbrt):
        return call("lakebox_rs_cbrt", node.this, type="DOUBLE")
    if isinstance(node, exp.Anonymous):
        name = node.name.upper()
        if name in _RENAMED:
            return call(_RENAMED[name], *node.expressions, type="DOUBLE")
        if name == "CHECKSUM":
            raise NotSupportedError("CHECKSUM is not available in lakebox")
    return None


_NODES = (exp.Sqrt, exp.Ln, exp.Log, exp.Cbrt, exp.Anonymous)


def redshift_math(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Rewrite Redshift's math functions whose DuckDB counterparts differ (one walk; innermost first)."""
    return rc.rewrite_innermost(expression, _NODES, _math)


MACROS = [
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_sqrt(x) AS ("
    " CASE WHEN x < 0 THEN error('cannot take square root of a negative number') ELSE sqrt(x) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_ln(x) AS ("
    " CASE WHEN x = 0 THEN error('cannot take logarithm of zero')"
    " WHEN x < 0 THEN error('cannot take logarithm of a negative number') ELSE ln(x) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_log10(x) AS ("
    " CASE WHEN x = 0 THEN error('cannot take logarithm of zero')"
    " WHEN x < 0 THEN error('cannot take logarithm of a negative number') ELSE log10(x) END)",
    # one Newton step makes perfect cubes exact
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_cbrt(x) AS ("
    " CASE WHEN x = 0 THEN 0.0::DOUBLE ELSE cbrt(x) - (cbrt(x) * cbrt(x) * cbrt(x) - x) / (3 * cbrt(x) * cbrt(x)) END)",
]

PRIORITY = 55
RULES = {"redshift": [redshift_math]}

FUNCTIONS = {
    "ABS": ("supported", "DuckDB"), "ACOS": ("supported", "DuckDB"), "ASIN": ("supported", "DuckDB"),
    "ATAN": ("supported", "DuckDB"), "ATAN2": ("supported", "DuckDB"), "COS": ("supported", "DuckDB"),
    "COT": ("supported", "DuckDB"), "SIN": ("supported", "DuckDB"), "TAN": ("supported", "DuckDB"),
    "CEIL": ("supported", "DuckDB"), "CEILING": ("supported", "DuckDB"), "FLOOR": ("supported", "DuckDB"),
    "DEGREES": ("supported", "DuckDB"), "RADIANS": ("supported", "DuckDB"), "PI": ("supported", "DuckDB"),
    "EXP": ("supported", "DuckDB"), "DEXP": ("supported", "exp"),
    "LN": ("supported", "an error for zero or negative numbers"),
    "LOG": ("supported", "base 10; an error for zero or negative numbers"),
    "DLOG1": ("supported", "as LN"), "DLOG10": ("supported", "as LOG"),
    "SQRT": ("supported", "an error for negative numbers"),
    "CBRT": ("supported", "exact for perfect cubes"),
    "POWER": ("supported", "DuckDB"), "MOD": ("supported", "DuckDB (sign of the dividend)"),
    "SIGN": ("supported", "DuckDB"), "RANDOM": ("supported", "DuckDB"),
    "ROUND": ("partial", "decimals half away from zero; DOUBLE ties also half away from zero"),
    "TRUNC": ("supported", "numbers: DuckDB; timestamps: see TRUNC (timestamp)"),
    "CHECKSUM": ("not supported", "raises NotSupportedError"),
}
