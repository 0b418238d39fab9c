"""Redshift aggregates and window functions on DuckDB.

- `AVG` of an integer is a BIGINT, truncated toward zero (DuckDB: DOUBLE); `AVG` of a DECIMAL(p,s)
  is a DECIMAL(38,s), computed exactly and rounded half away from zero (DuckDB: DOUBLE).
- `SUM` of a SMALLINT/INTEGER is a BIGINT, of a BIGINT a DECIMAL(38,0) (DuckDB: HUGEINT).
- An aggregate window function (and FIRST_VALUE/LAST_VALUE/NTH_VALUE) with ORDER BY but no frame
  clause is an error, in Redshift's words.
- `LISTAGG([DISTINCT] x [, delimiter]) [WITHIN GROUP (ORDER BY ...)]`: NULLs and empty strings are
  skipped, values become text, every LISTAGG of a query must share one ORDER BY, and a result past
  65535 bytes is an error; also as a window function.
- `MEDIAN` of integers or decimals keeps Redshift's DECIMAL; `RATIO_TO_REPORT`; `APPROXIMATE
  COUNT(DISTINCT x)` is DuckDB's HyperLogLog (exact on small inputs, an estimate on large ones, as in
  Redshift).
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import call, cast, kind, typed
from lakebox.errors import ProgrammingError

FRAME_ERROR = "Aggregate window functions with an ORDER BY clause require a frame clause"
_FRAMED = (exp.Sum, exp.Avg, exp.Count, exp.Min, exp.Max, exp.Stddev, exp.StddevSamp, exp.StddevPop,
           exp.Variance, exp.VariancePop, exp.FirstValue, exp.LastValue, exp.NthValue)


def _wrapper(node: exp.Expression) -> exp.Expression:
    """The aggregate with its FILTER and OVER clauses (what a rewrite must keep around it)."""
    outer = node
    while isinstance(outer.parent, (exp.Filter, exp.Window, exp.IgnoreNulls, exp.RespectNulls)) \
            and outer.parent.this is outer:
        outer = outer.parent
    return outer


def _around(wrapper: exp.Expression, node: exp.Expression, replacement: exp.Expression) -> exp.Expression:
    """`wrapper` (the aggregate with its FILTER/OVER) with the aggregate replaced."""
    if wrapper is node:
        return replacement
    copy = wrapper.copy()
    inner = copy
    while inner.this is not None and type(inner.this) is not type(node):
        inner = inner.this
    inner.set("this", replacement)
    return copy


def _argument(node: exp.Expression) -> tuple[exp.Expression | None, bool]:
    argument = node.this
    if isinstance(argument, exp.Distinct):
        return (argument.expressions[0] if argument.expressions else None), True
    return argument, False


def _distinct(value: exp.Expression, distinct: bool) -> exp.Expression:
    return exp.Distinct(expressions=[value.copy()]) if distinct else value.copy()


def avg(node: exp.Avg) -> exp.Expression | None:
    value, distinct = _argument(node)
    if value is None:
        return None
    k = kind(value)
    wrapper = _wrapper(node)
    if k in rc.INTEGERS:
        total = _around(wrapper, node, exp.Sum(this=_distinct(value, distinct)))
        count = _around(wrapper, node, exp.Count(this=_distinct(value, distinct)))
        return cast(exp.IntDiv(this=total, expression=count), "BIGINT"), wrapper
    if k in rc.DECIMALS:
        scale = _scale(value)
        total = _around(wrapper, node, exp.Sum(this=_distinct(value, distinct)))
        count = _around(wrapper, node, exp.Count(this=_distinct(value, distinct)))
        factor = exp.Literal.number(10 ** scale)
        unit = cast(exp.Literal.number(f"{1 / 10 ** scale:.{scale}f}" if scale else "1"), f"DECIMAL({scale + 1}, {scale})")
        return cast(call("lakebox_rs_avg_decimal", total, count, factor, unit), f"DECIMAL(38, {scale})"), wrapper
    return None


def _scale(node: exp.Expression) -> int:
    datatype = node.type
    params = datatype.expressions if datatype is not None else []
    if len(params) > 1:
        return int(params[1].name)
    return 0


def total(node: exp.Sum) -> exp.Expression | None:
    value, _ = _argument(node)
    if value is None:
        return None
    k = kind(value)
    wrapper = _wrapper(node)
    if k in (rc.T.SMALLINT, rc.T.INT, rc.T.TINYINT):
        return cast(wrapper.copy(), "BIGINT"), wrapper
    if k == rc.T.BIGINT:
        return cast(wrapper.copy(), "DECIMAL(38, 0)"), wrapper
    return None


def check_frame(window: exp.Window) -> None:
    if isinstance(window.this, _FRAMED) or isinstance(window.this, (exp.IgnoreNulls, exp.RespectNulls)) and \
            isinstance(window.this.this, _FRAMED):
        if window.args.get("order") is not None and window.args.get("spec") is None:
            raise ProgrammingError(FRAME_ERROR)


def _listagg_parts(node: exp.Expression) -> tuple[exp.Expression, exp.Expression | None, bool]:
    """(value, separator, distinct) of a parsed LISTAGG (sqlglot puts DISTINCT's separator inside)."""
    value = node.this
    separator = node.args.get("separator")
    distinct = False
    if isinstance(value, exp.Distinct):
        distinct = True
        items = value.expressions
        value = items[0]
        if len(items) > 1 and separator is None:
            separator = items[1]
    return value, separator, distinct


def listagg(node: exp.GroupConcat, order: exp.Order | None) -> exp.Expression:
    value, separator, distinct = _listagg_parts(node)
    separator = separator.copy() if separator is not None else exp.Literal.string("")
    text = value.copy() if kind(value) in rc.STRINGS else cast(value.copy(), "VARCHAR")
    ordered = [o.copy() for o in order.expressions] if order is not None else []
    if distinct:
        # DuckDB orders a DISTINCT aggregate only by its argument: collect the distinct values (in
        # their own type, so that numbers sort as numbers), then join them as text.
        keep = exp.Where(this=exp.Not(this=exp.Is(this=call("nullif", text, exp.Literal.string("")),
                                                     expression=exp.Null())))
        values: exp.Expression = exp.Distinct(expressions=[value.copy()])
        if ordered:
            values = exp.Order(this=values, expressions=ordered)
        collected = exp.Filter(this=exp.ArrayAgg(this=values), expression=keep)
        return call("lakebox_rs_listagg_join", collected, separator)
    text = call("nullif", text, exp.Literal.string(""))  # NULLs and empty strings are skipped
    if ordered:
        text = exp.Order(this=text, expressions=ordered)
    return exp.GroupConcat(this=text, separator=separator)


def listaggs(select: exp.Select) -> None:
    orders = []
    for within in select.find_all(exp.WithinGroup):
        if isinstance(within.this, exp.GroupConcat) and within.find_ancestor(exp.Select) is select:
            orders.append(within.expression.sql())
    if len(set(orders)) > 1:
        raise ProgrammingError("Invalid operation: LISTAGG functions in one query must use the same "
                               "WITHIN GROUP (ORDER BY ...)")


def _replace_listagg(node: exp.Expression, aggregate: exp.Expression) -> None:
    """Put the rewritten LISTAGG in place (inside its OVER clause, if any), under the 64K limit check."""
    window = node.parent if isinstance(node.parent, exp.Window) else None
    if window is None:
        node.replace(call("lakebox_rs_listagg_limit", aggregate, type="VARCHAR"))
        return
    copy = window.copy()
    copy.set("this", aggregate)
    window.replace(call("lakebox_rs_listagg_limit", copy, type="VARCHAR"))


_AGGREGATE_NODES = (exp.Avg, exp.Sum, exp.Window, exp.WithinGroup, exp.GroupConcat, exp.Anonymous)


def redshift_aggregates(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Rewrite Redshift's aggregates and check its window rules (one walk; innermost first)."""
    if not rc.has_any(expression, _AGGREGATE_NODES):
        return expression
    nodes = list(expression.find_all(*_AGGREGATE_NODES, exp.Select))
    if not nodes:
        return expression
    if any(isinstance(node, exp.WithinGroup) for node in nodes):
        for node in nodes:
            if isinstance(node, exp.Select) and node.find(exp.WithinGroup):
                listaggs(node)
    for node in reversed(nodes):
        if isinstance(node, exp.Window):
            check_frame(node)
            continue
        if isinstance(node, exp.Select):
            continue
        if isinstance(node, exp.WithinGroup):
            if isinstance(node.this, exp.GroupConcat):
                _replace_listagg(node, listagg(node.this, node.expression))
            continue
        if isinstance(node, exp.GroupConcat):
            if not isinstance(node.parent, exp.WithinGroup):
                _replace_listagg(node, listagg(node, None))
            continue
        if isinstance(node, exp.Anonymous):
            if node.name.upper() == "RATIO_TO_REPORT" and isinstance(node.parent, exp.Window):
                window = node.parent
                value = node.expressions[0]
                denominator = window.copy()
                denominator.set("this", exp.Sum(this=value.copy()))
                window.replace(typed(exp.Div(this=cast(value.copy(), "DOUBLE"), expression=denominator), "DOUBLE"))
            continue
        result = avg(node) if isinstance(node, exp.Avg) else total(node)
        if result is not None:
            replacement, wrapper = result
            wrapper.replace(replacement)
    return expression


MACROS = [
    # exact decimal average, rounded half away from zero at the argument's scale
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_avg_decimal(total, n, factor, unit) AS ("
    " CAST(((2 * CAST(total * factor AS HUGEINT) + sign(total) * n) // (2 * n)) AS DECIMAL(38, 0)) * unit)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_listagg_join(l, sep) AS ("
    " CASE WHEN len(l) = 0 THEN NULL ELSE array_to_string(l, sep) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_listagg_limit(r) AS ("
    " CASE WHEN strlen(r) > 65535 THEN error('Invalid operation: Result size exceeds LISTAGG limit') ELSE r END)",
]

PRIORITY = 35
RULES = {"redshift": [redshift_aggregates]}

FUNCTIONS = {
    "AVG": ("supported", "integers: BIGINT truncated; DECIMAL(p,s): DECIMAL(38,s) exact, rounded half away from "
                         "zero; also as a window function"),
    "SUM": ("supported", "SMALLINT/INTEGER: BIGINT; BIGINT: DECIMAL(38,0); DECIMAL(p,s): DECIMAL(38,s)"),
    "COUNT": ("supported", "BIGINT"),
    "MIN": ("supported", "DuckDB"),
    "MAX": ("supported", "DuckDB"),
    "LISTAGG": ("partial", "DISTINCT, delimiter, WITHIN GROUP, one shared ORDER BY, 64K limit; DISTINCT compares "
                           "trailing blanks"),
    "APPROXIMATE COUNT(DISTINCT)": ("supported", "HyperLogLog in both; exact for small inputs"),
    "MEDIAN": ("supported", "DuckDB"),
    "PERCENTILE_CONT": ("supported", "DuckDB quantile_cont"),
    "STDDEV / VARIANCE": ("partial", "DOUBLE results"),
    "BOOL_AND / BOOL_OR": ("supported", "DuckDB"),
    "window frame rule": ("supported", "aggregate window with ORDER BY and no frame is an error"),
    "ROW_NUMBER / RANK / DENSE_RANK / NTILE / PERCENT_RANK / CUME_DIST": ("supported", "DuckDB"),
    "LAG / LEAD / FIRST_VALUE / LAST_VALUE / NTH_VALUE": ("supported", "DuckDB; frame clause required with ORDER BY"),
    "RATIO_TO_REPORT": ("supported", "value / SUM(value) over the partition"),
    "ORDER BY NULL ordering": ("supported", "NULLs sort as the largest value (sqlglot)"),
    "TOP n": ("supported", "LIMIT (sqlglot)"),
}
