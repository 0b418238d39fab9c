"""Athena (Trino) aggregate and window functions on DuckDB.

- `count_if` is a bigint (DuckDB: HUGEINT); `every` is `bool_and`;
- `max_by`/`min_by` return the value at the extreme row even when that value is NULL (DuckDB's
  `arg_max` skips NULL values);
- `approx_distinct` counts exactly: Trino's HyperLogLog is exact-or-close on small inputs, an exact
  count is within its error on large ones;
- `approx_percentile` is exact where Trino's T-digest keeps every value (up to 79 values: the
  element at rank floor(p * n), which is the upper of two middle values) and DuckDB's own T-digest
  beyond; an integer input gives an integer;
- `map_agg`, `multimap_agg`, `map_union`, `histogram` (bigint counts) are SQL macros; map_agg keeps
  the first value of a duplicated key and skips NULL keys;
- `listagg` separates with '' by default (DuckDB: ','), and has no window form in Trino;
- `skewness` is Trino's population skewness (DuckDB's is the sample-adjusted one).

`sum`/`avg` result types belong to the arithmetic family; `greatest`/`least` NULL propagation comes
from sqlglot already.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects.misc import has_any
from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type
EXACT_PERCENTILE_LIMIT = 79  # airlift's T-digest (compression 100) merges no centroid up to here


def call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _window_of(node: exp.Expression) -> exp.Window | None:
    parent = node.parent
    return parent if isinstance(parent, exp.Window) and parent.this is node else None


def _over(aggregate: exp.Expression, window: exp.Window | None) -> exp.Expression:
    if window is None:
        return aggregate
    copy = window.copy()
    copy.set("this", aggregate)
    return copy


def _kind(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Literal) and node.is_number:
        return "int" if "." not in node.this and "e" not in node.this.lower() else "dec"
    datatype = node.type
    if datatype is None or datatype.this == T.UNKNOWN:
        return None
    if datatype.this in exp.DataType.INTEGER_TYPES:
        return "int"
    if datatype.this in (T.DECIMAL, T.BIGDECIMAL):
        return "dec"
    if datatype.this == T.FLOAT:
        return "real"
    if datatype.this == T.DOUBLE:
        return "double"
    return "other"


def _percentile(node: exp.Expression, args: list[exp.Expression], window: exp.Window | None) -> exp.Expression:
    if len(args) == 3:
        raise NotSupportedError("approx_percentile with weights is not supported by lakebox")
    if len(args) != 2:
        raise ProgrammingError("approx_percentile takes a value and a percentage (or an array of percentages)")
    value, percentage = args
    kind = _kind(value)
    if kind is None:
        raise NotSupportedError("approx_percentile: lakebox cannot tell the type of the value; cast it to bigint or "
                                "double")
    if kind == "other":
        raise ProgrammingError("approx_percentile takes a number")
    if kind == "dec":
        value = exp.cast(value, "DOUBLE")  # Trino coerces decimal to double
    elif kind == "int":
        value = exp.cast(value, "BIGINT")

    def percentile_check(p: exp.Expression) -> None:
        p = p.this if isinstance(p, exp.Cast) else p
        if isinstance(p, exp.Literal) and p.is_number and not 0 <= float(p.this) <= 1:
            raise ProgrammingError("Percentile must be between 0 and 1")

    smallest = _over(exp.Anonymous(this="min", expressions=[value.copy(),
                                                              exp.Literal.number(EXACT_PERCENTILE_LIMIT)]), window)
    count = _over(exp.Count(this=value.copy()), window)

    def at(p: exp.Expression) -> exp.Expression:
        rank = call("least", exp.cast(call("floor", exp.Mul(this=p, expression=count.copy())), "BIGINT"),
                    exp.Sub(this=count.copy(), expression=exp.Literal.number(1)))
        return call("list_extract", smallest.copy(), exp.Add(this=rank, expression=exp.Literal.number(1)))

    if isinstance(percentage, exp.Array):
        for p in percentage.expressions:
            percentile_check(p)
        exact = call("list_transform", percentage.copy(), exp.Lambda(
            this=at(exp.column("__percentage")), expressions=[exp.to_identifier("__percentage")]))
    else:
        percentile_check(percentage)
        exact = at(percentage.copy())
    approximate = _over(exp.Anonymous(this="approx_quantile", expressions=[value.copy(), percentage.copy()]), window)
    return exp.Case(ifs=[exp.If(this=exp.LTE(this=count.copy(), expression=exp.Literal.number(EXACT_PERCENTILE_LIMIT)),
                                true=exact)], default=approximate)


def _approx_distinct(node: exp.ApproxDistinct, window: exp.Window | None) -> exp.Expression:
    accuracy = node.args.get("accuracy")
    if isinstance(accuracy, exp.Cast):  # the arithmetic family types decimal literals with a cast
        accuracy = accuracy.this
    if isinstance(accuracy, exp.Literal) and accuracy.is_number:
        if not 0.0040625 <= float(accuracy.this) <= 0.26:
            raise ProgrammingError("approx_distinct: Max standard error must be in [0.0040625, 0.26000]: "
                                   f"{accuracy.this}")
    return _over(exp.Count(this=exp.Distinct(expressions=[node.this])), window)


def _listagg(node: exp.GroupConcat, window: exp.Window | None) -> exp.Expression:
    if window is not None:
        raise ProgrammingError("listagg does not support window frames")
    if node.args.get("on_overflow") is not None:
        overflow = node.args["on_overflow"]
        if "truncat" in type(overflow).__name__.lower() or "TRUNCATE" in overflow.sql().upper():
            raise NotSupportedError("listagg ... ON OVERFLOW TRUNCATE is not supported by lakebox")
    if node.args.get("separator") is None:
        node.set("separator", exp.Literal.string(""))
    return node


def _anonymous(node: exp.Anonymous, window: exp.Window | None) -> exp.Expression:
    name = node.name.lower()
    args = list(node.expressions)
    if name == "every" and len(args) == 1:
        return _over(exp.LogicalAnd(this=args[0]), window)
    if name == "approx_percentile":
        return _percentile(node, args, window)
    if name == "map_agg" and len(args) == 2:
        return _over(call("trino_map_agg", *args), window) if window is None else _no_window(name)
    if name == "multimap_agg" and len(args) == 2:
        return call("trino_multimap_agg", *args) if window is None else _no_window(name)
    if name == "map_union" and len(args) == 1:
        return call("trino_map_union", *args) if window is None else _no_window(name)
    if name == "histogram" and len(args) == 1:
        return call("trino_histogram", *args) if window is None else _no_window(name)
    if name in ("checksum", "approx_most_frequent", "approx_set", "numeric_histogram", "qdigest_agg", "tdigest_agg",
                "merge", "reduce_agg"):
        raise NotSupportedError(f"{name} is not supported by lakebox")
    return node


def _no_window(name: str) -> exp.Expression:
    raise NotSupportedError(f"{name} as a window function is not supported by lakebox")


_MAP_DEDUPE = ("list_filter({e}, lambda __x, __i: list_position(list_transform({e}, lambda __y: __y.key), __x.key)"
               " = __i)")
MACROS = [
    "CREATE OR REPLACE TEMP MACRO trino_map_agg(k, v) AS map_from_entries("
    + _MAP_DEDUPE.format(e="list({'key': k, 'value': v}) FILTER (WHERE k IS NOT NULL)") + ")",
    "CREATE OR REPLACE TEMP MACRO trino_multimap_agg(k, v) AS map_from_entries(list_transform("
    " list_distinct(list(k) FILTER (WHERE k IS NOT NULL)), lambda __k: {'key': __k, 'value': list_transform("
    "  list_filter(list({'key': k, 'value': v}), lambda __e: __e.key = __k), lambda __e: __e.value)}))",
    "CREATE OR REPLACE TEMP MACRO trino_map_union(m) AS map_from_entries("
    + _MAP_DEDUPE.format(e="flatten(list(map_entries(m)))") + ")",
    # max_by(x, y, n): the x of the n largest y, largest first, NULL x included, NULL y skipped
    "CREATE OR REPLACE TEMP MACRO trino_max_by_n(x, y, n) AS"
    " list_transform(max({'k': y, 'v': x}, n) FILTER (WHERE y IS NOT NULL), lambda __e: __e.v)",
    "CREATE OR REPLACE TEMP MACRO trino_min_by_n(x, y, n) AS"
    " list_transform(min({'k': y, 'v': x}, n) FILTER (WHERE y IS NOT NULL), lambda __e: __e.v)",
    "CREATE OR REPLACE TEMP MACRO trino_histogram(x) AS map_from_entries(list_transform(map_entries(histogram(x)),"
    " lambda __e: {'key': __e.key, 'value': CAST(__e.value AS BIGINT)}))",
]


_CLASSES = (exp.CountIf, exp.ArgMax, exp.ArgMin, exp.ApproxDistinct, exp.ApproxQuantile, exp.GroupConcat,
            exp.Skewness, exp.Anonymous)


def athena_aggregates(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One bottom-up walk over the aggregates DuckDB computes or types differently."""
    if not has_any(expression, _CLASSES):
        return expression
    for node in reversed(list(expression.find_all(*_CLASSES))):
        window = _window_of(node)
        target = window or node
        new: exp.Expression = target
        if isinstance(node, exp.CountIf):
            new = _over(exp.Count(this=exp.Case(ifs=[exp.If(this=node.this, true=exp.Literal.number(1))])), window)
        elif isinstance(node, (exp.ArgMax, exp.ArgMin)):
            name = "max" if isinstance(node, exp.ArgMax) else "min"
            if node.args.get("count") is None:
                new = _over(call(f"arg_{name}_null", node.this, node.expression), window)
            elif window is None:
                new = call(f"trino_{name}_by_n", node.this, node.expression, node.args["count"])
            else:
                raise NotSupportedError(f"{name}_by(x, y, n) as a window function is not supported by lakebox")
        elif isinstance(node, exp.ApproxDistinct):
            new = _approx_distinct(node, window)
        elif isinstance(node, exp.ApproxQuantile):
            args = [node.this, node.args.get("quantile")]
            if node.args.get("weight") is not None:
                args.insert(1, node.args["weight"])
            new = _percentile(node, [a for a in args if a is not None], window)
        elif isinstance(node, exp.GroupConcat):
            _listagg(node, window)
        elif isinstance(node, exp.Skewness):
            n = _over(exp.Count(this=node.this.copy()), window)
            adjust = exp.Div(this=exp.Paren(this=exp.Sub(this=n.copy(), expression=exp.Literal.number(2))),
                             expression=call("sqrt", exp.cast(exp.Mul(this=n.copy(), expression=exp.Paren(this=exp.Sub(
                                 this=n.copy(), expression=exp.Literal.number(1)))), "DOUBLE")))
            new = exp.Mul(this=exp.Paren(this=target.copy()), expression=exp.Paren(this=adjust))
        elif isinstance(node, exp.Anonymous):
            replaced = _anonymous(node, window)
            if replaced is not node:
                new = replaced
        if new is not target:
            new.type = node.type
            target.replace(new)
    return expression


PRIORITY = 45  # after the leaf-function families (strings, regex, json, misc: 40)
RULES = {"athena": [athena_aggregates]}

FUNCTIONS = {
    "count_if": ("supported", "bigint"),
    "bool_and": ("supported", ""),
    "bool_or": ("supported", ""),
    "every": ("supported", "alias of bool_and"),
    "arbitrary": ("supported", "any non-NULL value"),
    "any_value": ("supported", ""),
    "max_by": ("supported", "the value at the maximum, NULL included; the n form returns an array"),
    "min_by": ("supported", "as max_by"),
    "max": ("supported", "also max(x, n)"),
    "min": ("supported", "also min(x, n)"),
    "array_agg": ("supported", "NULLs kept; ORDER BY inside"),
    "listagg": ("partial", "WITHIN GROUP (ORDER BY ...), empty default separator; ON OVERFLOW TRUNCATE raises "
                           "an error"),
    "approx_distinct": ("supported", "exact count of distinct values (within Trino's error)"),
    "approx_percentile": ("partial", "exact as Trino's T-digest up to 79 values; DuckDB's T-digest beyond; the "
                                     "weighted form raises an error"),
    "histogram": ("supported", "bigint counts"),
    "map_agg": ("supported", "NULL keys skipped; a duplicated key keeps one value"),
    "multimap_agg": ("supported", ""),
    "map_union": ("supported", ""),
    "geometric_mean": ("supported", ""),
    "stddev": ("supported", ""), "stddev_samp": ("supported", ""), "stddev_pop": ("supported", ""),
    "variance": ("supported", ""), "var_samp": ("supported", ""), "var_pop": ("supported", ""),
    "corr": ("supported", ""), "covar_pop": ("supported", ""), "covar_samp": ("supported", ""),
    "regr_slope": ("supported", ""), "regr_intercept": ("supported", ""),
    "kurtosis": ("supported", ""),
    "skewness": ("supported", "population skewness as Trino computes it"),
    "bitwise_and_agg": ("supported", ""), "bitwise_or_agg": ("supported", ""),
    "checksum": ("not supported", "raises an error"),
    "approx_most_frequent": ("not supported", "raises an error"),
    "numeric_histogram": ("not supported", "raises an error"),
    "row_number": ("supported", ""), "rank": ("supported", ""), "dense_rank": ("supported", ""),
    "percent_rank": ("supported", ""), "cume_dist": ("supported", ""), "ntile": ("supported", ""),
    "lag": ("supported", ""), "lead": ("supported", ""), "first_value": ("supported", ""),
    "last_value": ("supported", ""), "nth_value": ("supported", ""),
    "window frames": ("supported", "ROWS and RANGE frames; Trino's default RANGE UNBOUNDED PRECEDING"),
}
