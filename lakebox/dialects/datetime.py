"""Date and time rules: Athena's (Trino's) date/time functions on DuckDB.

What DuckDB (and sqlglot's transpilation) gets wrong, and what each rule does:

- `date_add(unit, n, DATE)`, `DATE +/- INTERVAL` and `date_trunc(unit, DATE)` are DATEs in Trino
  (DuckDB: TIMESTAMP); a time unit on a DATE is Trino's "'hour' is not a valid DATE field" error.
- `date_diff(unit, a, b)` counts complete units (Joda): DuckDB's `date_sub`, not its `date_diff`.
- `extract(DOW ...)` is ISO (Monday 1 .. Sunday 7); Trino's extract fields DAY_OF_WEEK, DOY, YOW ...
- `millisecond(ts)` is the millisecond of the second (DuckDB: of the minute, seconds included).
- `from_unixtime(x, zone)`, `from_unixtime(x, h, m)`, `at_timezone`, `AT TIME ZONE`, `with_timezone`:
  Trino's TIMESTAMP WITH TIME ZONE keeps each value's zone; DuckDB's keeps an instant. lakebox
  represents such a value by its wall-clock time in the zone (so hour(), date_format(), CAST AS DATE
  ... answer as Trino does) and remembers the instant for `to_unixtime`, `to_iso8601` and
  `timezone_hour`/`timezone_minute`.
- Functions DuckDB lacks: `to_iso8601`, `current_timezone`, `yow`, `human_readable_seconds`,
  `to_milliseconds`, `parse_duration`, `from_unixtime_nanos`, `timezone_hour`/`timezone_minute`.

Each rule is a pure function over a qualified, type-annotated sqlglot tree.
"""

from __future__ import annotations

import re

from sqlglot import exp

from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type

DATE_UNITS = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}
TIME_UNITS = {"MILLISECOND", "SECOND", "MINUTE", "HOUR"}
_TIMESTAMP_TYPES = {T.TIMESTAMP, T.TIMESTAMPTZ, T.TIMESTAMPLTZ, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMP_NS,
                    T.DATETIME}
_TZ_TYPES = {T.TIMESTAMPTZ, T.TIMESTAMPLTZ}

# Trino's EXTRACT fields -> DuckDB's
_EXTRACT_FIELDS = {"DOW": "ISODOW", "DAY_OF_WEEK": "ISODOW", "DOY": "DOY", "DAY_OF_YEAR": "DOY",
                   "YOW": "ISOYEAR", "YEAR_OF_WEEK": "ISOYEAR", "DAY_OF_MONTH": "DAY", "WEEK": "WEEK",
                   "YEAR": "YEAR", "QUARTER": "QUARTER", "MONTH": "MONTH", "DAY": "DAY", "HOUR": "HOUR",
                   "MINUTE": "MINUTE", "SECOND": "SECOND"}

ZONE_META = "lakebox_instant"  # on a rewritten node: the instant (a TIMESTAMPTZ expression) it shows in a zone


def _kind(node: exp.Expression):
    datatype = node.type
    return None if datatype is None else datatype.this


def _unit(node: exp.Expression, function: str) -> str:
    unit = node.args.get("unit")
    if unit is None:
        return "DAY"
    if isinstance(unit, (exp.Var, exp.Literal, exp.Identifier)):
        return unit.name.upper()
    raise NotSupportedError(f"{function}: the unit must be a literal such as 'day'")


def _argument_kind(node: exp.Expression, function: str):
    """DATE or a timestamp type, or the clear error Trino-typed rewriting needs."""
    kind = _kind(node)
    if kind == T.DATE or kind in _TIMESTAMP_TYPES:
        return kind
    if ZONE_META in node.meta:
        return T.TIMESTAMPTZ
    if kind in (None, T.UNKNOWN, T.NULL):
        if isinstance(node, exp.Null):
            return None
        raise NotSupportedError(f"{function}: the type of {node.sql('trino')} is unknown here; "
                                "CAST it to DATE or TIMESTAMP")
    raise ProgrammingError(f"{function}: unexpected argument type {node.type.sql('trino').lower()}")


def _not_a_date_field(unit: str) -> ProgrammingError:
    return ProgrammingError(f"'{unit.lower()}' is not a valid DATE field")


def _as_date(node: exp.Expression) -> exp.Expression:
    cast = exp.Cast(this=node, to=exp.DataType.build("DATE"))
    cast.type = exp.DataType.build("DATE")
    return cast


def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _zoned(local: exp.Expression, instant: exp.Expression) -> exp.Expression:
    local.meta[ZONE_META] = instant
    local.type = exp.DataType.build("TIMESTAMP")
    return local


def _instant(node: exp.Expression) -> exp.Expression:
    """The instant of a timestamp value (Trino's timestamps without a zone are in the session zone, UTC)."""
    if ZONE_META in node.meta:
        return node.meta[ZONE_META].copy()
    if _kind(node) in _TZ_TYPES:
        return node
    return exp.Cast(this=node, to=exp.DataType.build("TIMESTAMPTZ"))


def _offset_seconds(node: exp.Expression) -> exp.Expression:
    """Seconds east of UTC of a zoned value: its wall clock minus its instant."""
    if ZONE_META not in node.meta:
        return exp.Literal.number(0)
    local = exp.Cast(this=node.copy(), to=exp.DataType.build("TIMESTAMP"))
    utc = exp.Cast(this=node.meta[ZONE_META].copy(), to=exp.DataType.build("TIMESTAMP"))
    return exp.Cast(this=_fn("epoch", exp.Sub(this=local, expression=utc)), to=exp.DataType.build("BIGINT"))


# -- the rewrites, one per node kind ---------------------------------------------------------------

def _date_add(node: exp.DateAdd) -> exp.Expression:
    unit = _unit(node, "date_add")
    kind = _argument_kind(node.this, "date_add")
    if kind == T.DATE:
        if unit in TIME_UNITS:
            raise _not_a_date_field(unit)
        return _as_date(node)
    if ZONE_META in node.this.meta:  # keep the zone: shift the wall clock and the instant alike
        instant = node.this.meta[ZONE_META]
        shifted = node.copy()
        shifted.set("this", instant.copy())
        return _zoned(node, shifted)
    return node


def _interval_unit(interval: exp.Interval) -> str | None:
    unit = interval.args.get("unit")
    if unit is None:
        return None
    name = unit.name.upper() if not isinstance(unit, exp.IntervalSpan) else unit.expression.name.upper()
    return name.rstrip("S") if name.endswith("S") and name[:-1] in DATE_UNITS | TIME_UNITS else name


def _date_plus_interval(node: exp.Add | exp.Sub) -> exp.Expression:
    left, right = node.this, node.expression
    kinds = (_kind(left), _kind(right))
    if T.DATE in kinds and any(k in exp.DataType.INTEGER_TYPES for k in kinds):
        operator = "+" if isinstance(node, exp.Add) else "-"
        names = ["date" if k == T.DATE else "integer" for k in kinds]
        raise ProgrammingError(f"Cannot apply operator: {names[0]} {operator} {names[1]}")
    if isinstance(right, exp.Interval):
        value, interval = left, right
    elif isinstance(left, exp.Interval) and isinstance(node, exp.Add):
        value, interval = right, left
    else:
        return node
    kind = _kind(value)
    if kind != T.DATE:
        if kind in (None, T.UNKNOWN) and ZONE_META not in value.meta and not isinstance(value, exp.Interval):
            raise NotSupportedError(f"+ INTERVAL: the type of {value.sql('trino')} is unknown here; "
                                    "CAST it to DATE or TIMESTAMP")
        return node
    unit = _interval_unit(interval)
    if unit in TIME_UNITS or unit is None:
        raise ProgrammingError("Cannot add hour, minutes or seconds to a date")
    return _as_date(node)


def _date_trunc(node: exp.Expression) -> exp.Expression:
    unit = _unit(node, "date_trunc")
    kind = _argument_kind(node.this, "date_trunc")
    if kind == T.DATE:
        if unit in TIME_UNITS:
            raise _not_a_date_field(unit)
        return _as_date(exp.TimestampTrunc(this=node.this, unit=exp.Var(this=unit)))
    return node


def _date_diff(node: exp.DateDiff) -> exp.Expression:
    """Complete units between the two values, as Joda counts them: DuckDB's date_sub."""
    unit = _unit(node, "date_diff")
    start, end = node.this, node.expression
    kinds = {_argument_kind(start, "date_diff"), _argument_kind(end, "date_diff")}
    if kinds == {T.DATE} and unit in TIME_UNITS:
        raise _not_a_date_field(unit)
    if any(ZONE_META in v.meta for v in (start, end)):
        start, end = _instant(start), _instant(end)
    # sqlglot's DateDiff: this = the later operand (Trino's third argument), expression = the earlier
    return _fn("date_sub", exp.Literal.string(unit.lower()), end, start)


def _extract(node: exp.Extract) -> exp.Expression:
    field = node.this.name.upper()
    if field in ("TIMEZONE_HOUR", "TIMEZONE_MINUTE"):
        return _timezone_field(field.lower(), node.expression)
    target = _EXTRACT_FIELDS.get(field)
    if target is None:
        raise ProgrammingError(f"Invalid EXTRACT field: {field}")
    if target == field:
        return node
    return exp.Extract(this=exp.Var(this=target), expression=node.expression)


def _timezone_field(name: str, value: exp.Expression) -> exp.Expression:
    offset = _offset_seconds(value)
    if name == "timezone_hour":
        return exp.Cast(this=exp.Paren(this=exp.IntDiv(this=offset, expression=exp.Literal.number(3600))),
                        to=exp.DataType.build("BIGINT"))
    minutes = exp.IntDiv(this=offset, expression=exp.Literal.number(60))
    return exp.Cast(this=exp.Paren(this=exp.Mod(this=exp.Paren(this=minutes), expression=exp.Literal.number(60))),
                    to=exp.DataType.build("BIGINT"))


def _unix_instant(seconds: exp.Expression) -> exp.Expression:
    """Trino keeps milliseconds, Math.round(x * 1000) since the epoch (DuckDB's to_timestamp keeps microseconds)."""
    if _kind(seconds) in exp.DataType.INTEGER_TYPES:
        return _fn("to_timestamp", seconds)
    scaled = exp.Mul(this=exp.Paren(this=seconds), expression=exp.Literal.number(1000))
    # Java's Math.round: floor(x + 0.5)
    millis = exp.Cast(this=_fn("floor", exp.Add(this=scaled, expression=exp.Literal.number("0.5"))),
                      to=exp.DataType.build("BIGINT"))
    return exp.Cast(this=_fn("epoch_ms", millis), to=exp.DataType.build("TIMESTAMPTZ"))


def _from_unixtime(node: exp.UnixToTime) -> exp.Expression:
    instant = _unix_instant(node.this)
    zone = node.args.get("zone")
    hours, minutes = node.args.get("hours"), node.args.get("minutes")
    if node.args.get("scale") is not None:
        return node
    if zone is not None:
        return _zoned(_fn("timezone", zone, instant), instant.copy())
    if hours is not None:
        shift = exp.Add(this=exp.Mul(this=exp.Paren(this=hours), expression=exp.Literal.number(60)),
                        expression=exp.Paren(this=minutes or exp.Literal.number(0)))
        local = exp.Add(this=exp.Cast(this=instant, to=exp.DataType.build("TIMESTAMP")),
                        expression=_fn("to_minutes", exp.Cast(this=shift, to=exp.DataType.build("BIGINT"))))
        return _zoned(local, instant.copy())
    instant.type = exp.DataType.build("TIMESTAMPTZ")
    return instant


def _at_timezone(value: exp.Expression, zone: exp.Expression) -> exp.Expression:
    instant = _instant(value)
    return _zoned(_fn("timezone", zone, instant), instant.copy())


def _with_timezone(value: exp.Expression, zone: exp.Expression) -> exp.Expression:
    local = exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
    return _zoned(local, _fn("timezone", zone.copy(), local.copy()))


_ISO_DATE = "%Y-%m-%d"
_ISO_FRACTIONS = {0: "", 3: ".%g", 6: ".%f", 9: ".%n"}


def _precision(node: exp.Expression) -> int:
    """Trino's precision of a timestamp: a literal's digits, else Athena's milliseconds."""
    datatype = node.type
    if datatype is not None and datatype.expressions:
        try:
            return int(datatype.expressions[0].this.this)
        except (AttributeError, ValueError):
            return 3
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        text = node.this.this
        if "." in text.split(" ")[-1] or ("." in text and ":" in text):
            return min(9, len(text.rsplit(".", 1)[1].split(" ")[0].split("+")[0]))
        return 0
    return 3


def _to_iso8601(value: exp.Expression) -> exp.Expression:
    kind = _argument_kind(value, "to_iso8601")
    if kind == T.DATE:
        return _fn("strftime", value, exp.Literal.string(_ISO_DATE))
    digits = _precision(value)
    digits = 3 if digits in (1, 2) else 6 if digits in (4, 5) else 9 if digits in (7, 8) else digits
    pattern = f"{_ISO_DATE}T%H:%M:%S{_ISO_FRACTIONS.get(digits, '.%g')}"
    if kind in _TZ_TYPES and ZONE_META not in value.meta:
        return exp.DPipe(this=_fn("strftime", value, exp.Literal.string(pattern)), expression=exp.Literal.string("Z"))
    if ZONE_META in value.meta:
        local = exp.Cast(this=value.copy(), to=exp.DataType.build("TIMESTAMP"))
        return exp.DPipe(this=_fn("strftime", local, exp.Literal.string(pattern)),
                         expression=_fn("lakebox_iso_offset", _offset_seconds(value)))
    return _fn("strftime", value, exp.Literal.string(pattern))


def _to_unixtime(node: exp.TimeToUnix) -> exp.Expression:
    value = node.this
    if ZONE_META in value.meta:
        return _fn("epoch", _instant(value))
    return node


_NAMED = {
    "current_timezone": lambda args: exp.Literal.string("UTC"),
    "millisecond": lambda args: exp.Cast(this=exp.Paren(this=exp.Mod(this=_fn("millisecond", args[0]),
                                                                       expression=exp.Literal.number(1000))),
                                         to=exp.DataType.build("BIGINT")),
    "yow": lambda args: exp.Extract(this=exp.Var(this="ISOYEAR"), expression=args[0]),
    "human_readable_seconds": lambda args: _fn("lakebox_human_readable_seconds", args[0]),
    "to_milliseconds": lambda args: exp.Cast(this=_fn("round", exp.Mul(this=_fn("epoch", args[0]),
                                                                        expression=exp.Literal.number(1000))),
                                             to=exp.DataType.build("BIGINT")),
    "parse_duration": lambda args: _fn("lakebox_parse_duration", args[0]),  # try(): see _anonymous
    "from_unixtime_nanos": lambda args: _fn("make_timestamp_ns", exp.Cast(this=args[0],
                                                                         to=exp.DataType.build("BIGINT"))),
    "timezone_hour": lambda args: _timezone_field("timezone_hour", args[0]),
    "timezone_minute": lambda args: _timezone_field("timezone_minute", args[0]),
    "to_iso8601": lambda args: _to_iso8601(args[0]),
    "at_timezone": lambda args: _at_timezone(args[0], args[1]),
    "with_timezone": lambda args: _with_timezone(args[0], args[1]),
}
_ARITY = {"current_timezone": 0, "at_timezone": 2, "with_timezone": 2}


def _anonymous(node: exp.Anonymous) -> exp.Expression | None:
    name = node.name.lower()
    build = _NAMED.get(name)
    if build is None:
        return None
    args = node.expressions
    if len(args) != _ARITY.get(name, 1):
        raise ProgrammingError(f"{name}: wrong number of arguments ({len(args)})")
    replacement = build(args)
    if name == "parse_duration":
        from lakebox.dialects.arithmetic import macro_call
        replacement = macro_call("lakebox_parse_duration", node, args)
    return replacement


_ZONED_LITERAL = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)\s*(\S.*?)\s*$")
_UTC_NAMES = {"UTC", "Z", "+00:00", "GMT", "ETC/UTC", "UCT", "ZULU", "UNIVERSAL"}


def _zoned_literal(node: exp.Cast) -> exp.Expression | None:
    """TIMESTAMP '2022-11-01 09:08:07.321 Europe/Berlin': Trino keeps the wall clock and the zone."""
    match = _ZONED_LITERAL.match(node.this.this)
    if not match or match.group(2).upper() in _UTC_NAMES:
        return None
    local_text, zone = match.groups()
    instant_text = f"{local_text}{zone}" if zone[0] in "+-" else f"{local_text} {zone}"
    instant = exp.Cast(this=exp.Literal.string(instant_text), to=exp.DataType.build("TIMESTAMPTZ"))
    local = exp.Cast(this=exp.Literal.string(local_text), to=exp.DataType.build("TIMESTAMP"))
    return _zoned(local, instant)


_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.NullSafeEQ, exp.NullSafeNEQ)


def _compare_instants(node: exp.Expression) -> exp.Expression | None:
    """Trino compares timestamps with a time zone by their instants, not by their wall clocks."""
    operands = [node.this, node.expression] if not isinstance(node, exp.Between) else \
        [node.this, node.args.get("low"), node.args.get("high")]
    if not any(o is not None and ZONE_META in o.meta for o in operands):
        return None
    for key, operand in zip(("this", "expression") if not isinstance(node, exp.Between) else ("this", "low", "high"),
                            operands):
        if operand is not None and (ZONE_META in operand.meta or _kind(operand) in _TIMESTAMP_TYPES):
            node.set(key, _instant(operand))
    return node


def _ordered(node: exp.Ordered) -> exp.Expression | None:
    if ZONE_META in node.this.meta:
        node.set("this", _instant(node.this))
        return node
    return None


def _cast_literal(node: exp.Cast) -> exp.Expression | None:
    if isinstance(node.this, exp.Literal) and node.this.is_string and node.to.this in _TZ_TYPES:
        return _zoned_literal(node)
    return None


# node class -> rewrite (a dict lookup per node: the walk visits every node of the query)
_HANDLERS = {
    **{kind: _compare_instants for kind in (*_COMPARISONS, exp.Between)},
    exp.Ordered: _ordered,
    exp.Cast: _cast_literal,
    exp.DateAdd: _date_add,
    exp.Add: _date_plus_interval,
    exp.Sub: _date_plus_interval,
    exp.TimestampTrunc: _date_trunc,
    exp.DateTrunc: _date_trunc,
    exp.DateDiff: _date_diff,
    exp.Extract: _extract,
    exp.UnixToTime: _from_unixtime,
    exp.TimeToUnix: _to_unixtime,
    exp.AtTimeZone: lambda node: _at_timezone(node.this, node.args["zone"]),
    exp.CurrentTimezone: lambda node: exp.Literal.string("UTC"),
    exp.Anonymous: _anonymous,
}


def _rewrite(node: exp.Expression) -> exp.Expression | None:
    handler = _HANDLERS.get(type(node))
    return None if handler is None else handler(node)


_DATETIME_CLASSES = frozenset({exp.DateAdd, exp.TimestampTrunc, exp.DateTrunc, exp.DateDiff, exp.Extract,
                               exp.UnixToTime, exp.TimeToUnix, exp.AtTimeZone, exp.CurrentTimezone, exp.Interval,
                               exp.Add, exp.Sub})  # DATE + integer is an error


def athena_datetime(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One bottom-up walk over the tree, rewriting Trino's date/time functions for DuckDB."""
    from lakebox.dialects.arithmetic import query_profile
    kinds, names, targets = query_profile(expression)  # the first of Part A's families: it takes the profile
    if not kinds & _DATETIME_CLASSES and not names & set(_NAMED) and not targets & _TZ_TYPES \
            and T.DATE not in targets:
        return expression
    for node in reversed(list(expression.walk())):
        parent, key, index = node.parent, node.arg_key, node.index  # before a replacement wraps the node
        replacement = _rewrite(node)
        if replacement is None or replacement is node:
            continue
        if parent is None:
            raise ProgrammingError("a date/time function cannot be the whole statement")
        parent.set(key, replacement, index)
    return expression


def _duration_macro() -> str:
    factors = {"ns": "0.001", "us": "1", "ms": "1000", "s": "1000000", "m": "60000000", "h": "3600000000",
               "d": "86400000000"}
    cases = " ".join(f"WHEN '{unit}' THEN {factor}" for unit, factor in factors.items())
    return ("CREATE OR REPLACE TEMP MACRO lakebox_parse_duration(s) AS ("
            "CASE WHEN s IS NULL THEN NULL "
            "WHEN NOT regexp_full_match(s, '\\s*[0-9]+(\\.[0-9]+)?\\s*(ns|us|ms|s|m|h|d)\\s*') "
            "THEN error('duration is not a valid data duration string: ' || s) "
            "ELSE to_microseconds(CAST(round(CAST(regexp_extract(s, '([0-9]+(\\.[0-9]+)?)', 1) AS DOUBLE) * "
            f"(CASE regexp_extract(s, '(ns|us|ms|s|m|h|d)\\s*$', 1) {cases} END)) AS BIGINT)) END)")


MACROS = [  # with_or_null_twins below: parse_duration inside try()
    # ±HH:MM (Z for UTC) from an offset in seconds, as ISO 8601 writes it
    "CREATE OR REPLACE TEMP MACRO lakebox_iso_offset(secs) AS ("
    "CASE WHEN secs = 0 THEN 'Z' ELSE (CASE WHEN secs < 0 THEN '-' ELSE '+' END) || "
    "lpad(CAST(abs(secs) // 3600 AS VARCHAR), 2, '0') || ':' || "
    "lpad(CAST((abs(secs) % 3600) // 60 AS VARCHAR), 2, '0') END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_duration_part(n, unit) AS ("
    "CASE WHEN n = 0 THEN NULL WHEN n = 1 THEN '1 ' || unit ELSE CAST(n AS VARCHAR) || ' ' || unit || 's' END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_human_readable_seconds_of(s) AS ("
    "CASE WHEN s = 0 THEN '0 seconds' ELSE concat_ws(', ', "
    "lakebox_duration_part(s // 604800, 'week'), lakebox_duration_part((s % 604800) // 86400, 'day'), "
    "lakebox_duration_part((s % 86400) // 3600, 'hour'), lakebox_duration_part((s % 3600) // 60, 'minute'), "
    "lakebox_duration_part(s % 60, 'second')) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_human_readable_seconds(x) AS ("
    "lakebox_human_readable_seconds_of(CAST(round(CAST(x AS DOUBLE)) AS BIGINT)))",
    _duration_macro(),
]
MACROS.append(__import__("lakebox.dialects.arithmetic", fromlist=["or_null_twin"]).or_null_twin(_duration_macro()))

PRIORITY = 5  # before arithmetic: typeof() reads the zone this family records
RULES = {"athena": [athena_datetime]}

FUNCTIONS = {
    "date_add": ("supported", "a DATE stays a DATE; month arithmetic clamps to the month's end as Joda does"),
    "date_diff": ("supported", "complete units (DuckDB's date_sub)"),
    "date_trunc": ("supported", "a DATE stays a DATE"),
    "DATE + INTERVAL": ("supported", "a DATE stays a DATE; time units on a DATE are an error"),
    "extract": ("supported", "Trino's fields, DOW/DAY_OF_WEEK ISO (Monday 1)"),
    "day_of_week": ("supported", "ISO, Monday 1 .. Sunday 7"), "dow": ("supported", "ISO"),
    "day": ("supported", ""), "day_of_month": ("supported", ""), "day_of_year": ("supported", ""),
    "doy": ("supported", ""), "hour": ("supported", ""), "minute": ("supported", ""), "second": ("supported", ""),
    "millisecond": ("supported", "millisecond of the second"), "month": ("supported", ""),
    "quarter": ("supported", ""), "week": ("supported", "ISO week"), "week_of_year": ("supported", "ISO week"),
    "year": ("supported", ""), "year_of_week": ("supported", "ISO week-year"), "yow": ("supported", ""),
    "last_day_of_month": ("supported", ""), "date": ("supported", ""),
    "current_date": ("supported", "UTC"), "current_timestamp": ("supported", "UTC"), "now": ("supported", "UTC"),
    "localtimestamp": ("supported", "UTC"), "current_timezone": ("supported", "always UTC: sessions run in UTC"),
    "from_unixtime": ("partial", "with a zone or an offset the value is the wall-clock time in that zone "
                      "(fields, formatting, to_unixtime and to_iso8601 are Trino's); results arrive without "
                      "the zone, and comparing values of different zones is not supported"),
    "from_unixtime_nanos": ("partial", "a timestamp(9) in UTC, without a zone"),
    "to_unixtime": ("supported", ""),
    "at_timezone": ("partial", "as from_unixtime with a zone"),
    "AT TIME ZONE": ("partial", "as from_unixtime with a zone"),
    "with_timezone": ("partial", "as from_unixtime with a zone"),
    "timezone_hour": ("supported", ""), "timezone_minute": ("supported", ""),
    "to_iso8601": ("supported", "precision as Trino's: a literal's digits, milliseconds for columns"),
    "from_iso8601_date": ("partial", "calendar dates (YYYY-MM-DD); week and ordinal dates are not supported"),
    "from_iso8601_timestamp": ("partial", "the instant is kept and shown in UTC; a non-UTC offset in the "
                               "string is not kept as the value's zone"),
    "human_readable_seconds": ("supported", "SQL macro"),
    "to_milliseconds": ("supported", ""),
    "parse_duration": ("supported", "SQL macro"),
}
