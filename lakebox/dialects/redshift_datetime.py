"""Redshift dates and times on DuckDB.

What differs from what sqlglot emits (each from the Amazon Redshift SQL reference):

- `DATEADD` returns TIMESTAMP (TIME for a TIME); `DATEADD(month, ...)` clamps to the month's end
  but `DATEADD(year, 1, '2016-02-29')` is 2017-03-01; `ADD_MONTHS` maps a month's last day to the
  target month's last day.
- `DATEDIFF` counts date part boundaries crossed (weeks: Mondays; DuckDB counts whole weeks).
- `DATE_PART` is DOUBLE and returns the whole seconds field for `second`/`ms`/`us`; `EXTRACT` is
  INTEGER and returns only the named field (`ms` of 43.101 is 101); `dow` is 0..6 from Sunday;
  a decade is counted from year 1 (2000 is in decade 201).
- `DATE_TRUNC` to a century or millennium starts at year ...01; `TRUNC(timestamp)` is a DATE.
- `MONTHS_BETWEEN` (31-day months, whole when both are the same day or both month-ends),
  `NEXT_DAY`, `LAST_DAY`, `CONVERT_TIMEZONE` (abbreviations and POSIX offsets are fixed offsets,
  names follow daylight saving time), `GETDATE` (whole seconds), `SYSDATE`, `TIMEOFDAY`,
  `DATE_CMP` and friends, `DATE_PART_YEAR`.
- `date - date` is an INTEGER; `date + integer` is a DATE (DuckDB agrees).
"""

from __future__ import annotations

import re

from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import T, call, cast, kind, typed
from lakebox.errors import NotSupportedError, ProgrammingError

# -- DATEADD / ADD_MONTHS --------------------------------------------------------------------

_ADD_UNITS = {"week": ("to_days", 7), "day": ("to_days", 1), "hour": ("to_hours", 1), "minute": ("to_minutes", 1),
              "second": ("to_seconds", 1), "millisecond": ("to_milliseconds", 1),
              "microsecond": ("to_microseconds", 1), "month": ("to_months", 1), "quarter": ("to_months", 3)}
_YEAR_UNITS = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}


def _times(n: exp.Expression, factor: int) -> exp.Expression:
    n = cast(n, "BIGINT") if kind(n) not in rc.INTEGERS else n
    return n if factor == 1 else exp.Mul(this=exp.Paren(this=n), expression=exp.Literal.number(factor))


def dateadd(node: exp.Expression) -> exp.Expression:
    part = rc.datepart(node.args.get("unit"), "DATEADD")
    n, value = node.expression, node.this
    if kind(value) in rc.TIMES:
        if part not in ("hour", "minute", "second", "millisecond", "microsecond"):
            raise ProgrammingError(f'DATEADD: date part "{part}" is not valid for a time')
        function, factor = _ADD_UNITS[part]
        return typed(exp.Add(this=value, expression=call(function, _times(n, factor))), kind(value).value)
    ts = rc.as_timestamp(value)
    if part in _YEAR_UNITS:
        return call("lakebox_rs_add_years", ts, _times(n, _YEAR_UNITS[part]), type="TIMESTAMP")
    if part not in _ADD_UNITS:
        raise ProgrammingError(f'DATEADD: date part "{part}" is not supported')
    function, factor = _ADD_UNITS[part]
    return typed(exp.Add(this=ts, expression=call(function, _times(n, factor))), "TIMESTAMP")


def add_months(node: exp.Expression) -> exp.Expression:
    return call("lakebox_rs_add_months", rc.as_timestamp(node.this), _times(node.expression, 1), type="TIMESTAMP")


# -- DATEDIFF --------------------------------------------------------------------------------

def datediff(node: exp.Expression) -> exp.Expression:
    part = rc.datepart(node.args.get("unit"), "DATEDIFF")
    start, end = node.expression, node.this  # sqlglot: this = end (3rd argument), expression = start
    if kind(start) in rc.TIMES or kind(end) in rc.TIMES:
        if part not in ("hour", "minute", "second", "millisecond", "microsecond"):
            raise ProgrammingError(f'DATEDIFF: date part "{part}" is not valid for a time')
        start = cast(start, "TIME") if kind(start) not in rc.TIMES else start
        end = cast(end, "TIME") if kind(end) not in rc.TIMES else end
        return typed(call("date_diff", exp.Literal.string(part), start, end), "BIGINT")
    start, end = rc.as_timestamp(start), rc.as_timestamp(end)
    if part in ("week", "decade", "century", "millennium"):
        return call(f"lakebox_rs_datediff_{part}", start, end, type="BIGINT")
    if part in ("epoch", "dow", "doy") or part.startswith("timezone"):
        raise ProgrammingError(f'DATEDIFF: date part "{part}" is not supported')
    return typed(call("date_diff", exp.Literal.string(part), start, end), "BIGINT")


# -- DATE_PART / EXTRACT ---------------------------------------------------------------------

# DATE_PART: the whole seconds field for second/millisecond/microsecond (PostgreSQL's date_part).
_DATE_PART = {
    "second": "microsecond({x}) / 1000000.0", "millisecond": "microsecond({x}) / 1000.0",
    "microsecond": "microsecond({x})",
}
# EXTRACT: only the named field.
_EXTRACT = {
    "second": "second({x})", "millisecond": "(microsecond({x}) // 1000) % 1000",
    "microsecond": "microsecond({x}) % 1000",
}
_COMMON = {
    "millennium": "millennium({x})", "century": "century({x})", "decade": "(year({x}) // 10 + 1)",
    "year": "year({x})", "quarter": "quarter({x})", "month": "month({x})", "week": "week({x})",
    "dow": "dayofweek({x})", "doy": "dayofyear({x})", "day": "day({x})", "hour": "hour({x})",
    "minute": "minute({x})",
}


def _part_macro(part: str, extract: bool) -> str:
    return f"lakebox_rs_{'extract' if extract else 'date_part'}_{part}"


def date_part(node: exp.Extract) -> exp.Expression:
    extract = rc.written_name(node) not in ("DATE_PART", "PGDATE_PART")
    function = "EXTRACT" if extract else "DATE_PART"
    part = rc.datepart(node.this, function)
    value = node.expression
    k = kind(value)
    if part.startswith("timezone"):
        raise NotSupportedError(f"{function}({part}) needs a TIMESTAMPTZ or TIMETZ value, which lakebox does "
                                "not extract from")
    if k in rc.TIMES:
        if part not in ("hour", "minute", "second", "millisecond", "microsecond", "epoch"):
            raise ProgrammingError(f'{function}: date part "{part}" is not valid for a time')
    elif k not in rc.TIMESTAMPTZ:
        value = rc.as_timestamp(value)
    if part == "epoch":
        result = call("epoch", value)
        return typed(call("floor", result), "BIGINT") if extract and k not in rc.TIMESTAMPTZ else \
            cast(result, "DOUBLE")
    result = call(_part_macro(part, extract), value)
    if extract and k not in rc.TIMESTAMPTZ:
        return cast(result, "INTEGER")
    return cast(result, "DOUBLE")


# -- DATE_TRUNC / TRUNC ----------------------------------------------------------------------

def date_trunc(node: exp.Expression) -> exp.Expression:
    part = rc.datepart(node.args.get("unit"), "DATE_TRUNC")
    value = node.this if not isinstance(node, exp.DateTrunc) or node.this is not None else node.expression
    ts = value if kind(value) in rc.TIMESTAMPTZ else rc.as_timestamp(value)
    result_type = "TIMESTAMPTZ" if kind(value) in rc.TIMESTAMPTZ else "TIMESTAMP"
    if part in ("century", "millennium"):
        return call(f"lakebox_rs_trunc_{part}", ts, type=result_type)
    if part in ("epoch", "dow", "doy") or part.startswith("timezone"):
        raise ProgrammingError(f'DATE_TRUNC: date part "{part}" is not supported')
    return typed(call("date_trunc", exp.Literal.string(part), ts), result_type)


def trunc(node: exp.Trunc) -> exp.Expression | None:
    k = kind(node.this)
    if k in rc.TIMESTAMPS or k in rc.TIMESTAMPTZ or k == T.DATE:
        if node.args.get("decimals") is not None:
            raise ProgrammingError("TRUNC(timestamp) takes one argument")
        return cast(node.this, "DATE")
    return None


# -- the rest --------------------------------------------------------------------------------

def months_between(node: exp.Expression) -> exp.Expression:
    return call("lakebox_rs_months_between", rc.as_timestamp(node.this), rc.as_timestamp(node.expression),
                type="DOUBLE")


def next_day(node: exp.Expression) -> exp.Expression:
    return call("lakebox_rs_next_day", rc.as_date(node.this), node.expression, type="DATE")


def last_day(node: exp.Expression) -> exp.Expression:
    return call("last_day", rc.as_date(node.this), type="DATE")


# Time zone abbreviations as fixed offsets from UTC (hours), after PostgreSQL's default set.
ZONE_ABBREVIATIONS = {
    "UTC": 0, "UT": 0, "UCT": 0, "GMT": 0, "Z": 0, "ZULU": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1,
    "MET": 1, "WAT": 1, "CEST": 2, "MEST": 2, "EET": 2, "CAT": 2, "SAST": 2, "IST": 2, "EEST": 3, "MSK": 3,
    "EAT": 3, "IDT": 3, "PKT": 5, "ICT": 7, "WIB": 7, "AWST": 8, "SGT": 8, "HKT": 8, "PHT": 8, "JST": 9,
    "KST": 9, "ACST": 9.5, "AEST": 10, "ACDT": 10.5, "AEDT": 11, "NZST": 12, "NZDT": 13, "NST": -3.5,
    "NDT": -2.5, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}
_POSIX = re.compile(r"^(?P<name>.*?)\s*(?P<sign>[+-]?)(?P<hours>\d{1,2})(?::(?P<minutes>\d{2}))?$")


def zone(text: str) -> tuple[str, float | None]:
    """('fixed', hours east of UTC) for abbreviations and POSIX offsets, ('named', None) otherwise."""
    name = text.strip()
    if name.upper() in ZONE_ABBREVIATIONS:
        return "fixed", ZONE_ABBREVIATIONS[name.upper()]
    match = _POSIX.match(name)
    if match and match.group("name") and not re.search(r"\d[A-Za-z]", name):
        hours = int(match.group("hours")) + int(match.group("minutes") or 0) / 60
        return "fixed", hours if match.group("sign") == "-" else -hours  # POSIX: positive is west
    return "named", None


def _interval_hours(hours: float) -> exp.Expression:
    return call("to_microseconds", exp.Literal.number(int(round(hours * 3600 * 1_000_000))))


def convert_timezone(node: exp.ConvertTimezone) -> exp.Expression:
    source = node.args.get("source_tz")
    target = node.args.get("target_tz")
    source_text = rc.need_literal("CONVERT_TIMEZONE", "source time zone", source) if source is not None else "UTC"
    target_text = rc.need_literal("CONVERT_TIMEZONE", "target time zone", target)
    value = node.args.get("timestamp")
    ts = rc.as_timestamp(value)
    how, hours = zone(source_text)
    if how == "fixed":
        instant = call("timezone", exp.Literal.string("UTC"),
                       exp.Sub(this=ts, expression=_interval_hours(hours)) if hours else ts)
    else:
        instant = call("timezone", exp.Literal.string(source_text), ts)
    how, hours = zone(target_text)
    if how == "fixed":
        local = call("timezone", exp.Literal.string("UTC"), instant)
        result = exp.Add(this=local, expression=_interval_hours(hours)) if hours else local
    else:
        result = call("timezone", exp.Literal.string(target_text), instant)
    return typed(result, "TIMESTAMP")


def current_timestamp(node: exp.CurrentTimestamp) -> exp.Expression:
    now = call("get_current_timestamp")
    if node.args.get("sysdate"):
        return cast(now, "TIMESTAMP")
    if rc.written_name(node) == "GETDATE":
        return cast(call("date_trunc", exp.Literal.string("second"), cast(now, "TIMESTAMP")), "TIMESTAMP")
    return typed(now, "TIMESTAMPTZ")


_COMPARE = {"DATE_CMP": ("DATE", "DATE"), "TIMESTAMP_CMP": ("TIMESTAMP", "TIMESTAMP"),
            "DATE_CMP_TIMESTAMP": ("DATE", "TIMESTAMP"), "TIMESTAMP_CMP_DATE": ("TIMESTAMP", "DATE")}


def anonymous(node: exp.Anonymous) -> exp.Expression | None:
    name = node.name.upper()
    args = node.expressions
    if name in _COMPARE:
        left, right = (rc.as_date(a) if t == "DATE" else rc.as_timestamp(a) for a, t in zip(args, _COMPARE[name]))
        return call("lakebox_rs_cmp", left, right, type="INTEGER")
    if name == "DATE_PART_YEAR":
        return cast(call("year", rc.as_date(args[0])), "INTEGER")
    if name == "TIMEOFDAY":
        return call("strftime", call("get_current_timestamp"), exp.Literal.string("%a %b %d %H:%M:%S.%f %Y UTC"),
                    type="VARCHAR")
    return None


_ISO = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")


def datetime_literal(node: exp.Cast) -> exp.Expression | None:
    """`TIMESTAMP '20200430 04:05:06'`, `'Jan 5 2008'::date`: Redshift's input forms, read at plan time."""
    text = rc.string_value(node.this)
    target = node.to.this
    if text is None or target not in (T.DATE, T.TIMESTAMP) or _ISO.match(text):
        return None
    parsed = rc.parse_datetime_text(text)
    if parsed is None:
        rc.raise_invalid("date" if target == T.DATE else "timestamp", text)
    return rc.date_literal(parsed.date()) if target == T.DATE else rc.timestamp_literal(parsed)


def _datetime_handler(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.Cast):
        return datetime_literal(node)
    if isinstance(node, exp.TsOrDsAdd):
        return add_months(node) if rc.written_name(node) == "ADD_MONTHS" else dateadd(node)
    if isinstance(node, exp.TsOrDsDiff):
        return datediff(node)
    if isinstance(node, exp.Extract):
        return date_part(node)
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)):
        return date_trunc(node)
    if isinstance(node, exp.Trunc):
        return trunc(node)
    if isinstance(node, exp.MonthsBetween):
        return months_between(node)
    if isinstance(node, exp.NextDay):
        return next_day(node)
    if isinstance(node, exp.LastDay):
        return last_day(node)
    if isinstance(node, exp.ConvertTimezone):
        return convert_timezone(node)
    if isinstance(node, exp.CurrentTimestamp):
        return current_timestamp(node)
    if isinstance(node, exp.Anonymous):
        return anonymous(node)
    return None


_NODES = (exp.Cast, exp.TsOrDsAdd, exp.TsOrDsDiff, exp.Extract, exp.TimestampTrunc, exp.DateTrunc, exp.Trunc,
          exp.MonthsBetween, exp.NextDay, exp.LastDay, exp.ConvertTimezone, exp.CurrentTimestamp, exp.Anonymous,
          exp.Sub)


def redshift_datetime(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Rewrite Redshift's date and time functions (one walk; innermost calls first)."""
    if not rc.has_any(expression, _NODES):
        return expression
    for node in reversed(list(expression.find_all(*_NODES))):
        if isinstance(node, exp.Sub):
            if kind(node.this) == T.DATE and kind(node.expression) == T.DATE:
                replacement = cast(exp.Paren(this=node.copy()), "INTEGER")
                node.replace(replacement)
            continue
        replacement = _datetime_handler(node)
        if replacement is not None and replacement is not node:
            node.replace(replacement)
    return expression


MACROS = rc.MACROS + [
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_add_years(ts, n) AS"
    " (date_trunc('month', ts) + to_years(CAST(n AS INTEGER)) + (ts - date_trunc('month', ts)))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_add_months(ts, n) AS ("
    " CASE WHEN CAST(ts AS DATE) = last_day(CAST(ts AS DATE))"
    " THEN CAST(last_day(CAST(ts AS DATE) + to_months(CAST(n AS INTEGER))) AS TIMESTAMP) + (ts - date_trunc('day', ts))"
    " ELSE ts + to_months(CAST(n AS INTEGER)) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_datediff_week(a, b) AS"
    " ((CAST(date_trunc('week', b) AS DATE) - CAST(date_trunc('week', a) AS DATE)) // 7)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_datediff_decade(a, b) AS (year(b) // 10 - year(a) // 10)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_datediff_century(a, b) AS (century(b) - century(a))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_datediff_millennium(a, b) AS (millennium(b) - millennium(a))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_trunc_century(ts) AS"
    " (make_timestamp((century(ts) - 1) * 100 + 1, 1, 1, 0, 0, 0))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_trunc_millennium(ts) AS"
    " (make_timestamp((millennium(ts) - 1) * 1000 + 1, 1, 1, 0, 0, 0))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_months_between(a, b) AS ("
    " (year(a) * 12 + month(a)) - (year(b) * 12 + month(b))"
    " + CASE WHEN day(a) = day(b) OR (CAST(a AS DATE) = last_day(a) AND CAST(b AS DATE) = last_day(b)) THEN 0.0"
    " ELSE ((day(a) - day(b)) + epoch(a - date_trunc('day', a)) / 86400.0"
    " - epoch(b - date_trunc('day', b)) / 86400.0) / 31.0 END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_weekday(name) AS ("
    " CASE WHEN lower(trim(name)) IN ('su', 'sun', 'sunday') THEN 0"
    " WHEN lower(trim(name)) IN ('m', 'mo', 'mon', 'monday') THEN 1"
    " WHEN lower(trim(name)) IN ('tu', 'tue', 'tues', 'tuesday') THEN 2"
    " WHEN lower(trim(name)) IN ('w', 'we', 'wed', 'wednesday') THEN 3"
    " WHEN lower(trim(name)) IN ('th', 'thu', 'thur', 'thurs', 'thursday') THEN 4"
    " WHEN lower(trim(name)) IN ('f', 'fr', 'fri', 'friday') THEN 5"
    " WHEN lower(trim(name)) IN ('sa', 'sat', 'saturday') THEN 6"
    " WHEN name IS NULL THEN NULL"
    " ELSE error('Invalid day name: \"' || name || '\"') END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_next_day(d, name) AS"
    " (d + CAST(((lakebox_rs_weekday(name) - dayofweek(d) + 6) % 7) + 1 AS INTEGER))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_cmp(a, b) AS"
    " (CASE WHEN a < b THEN -1 WHEN a > b THEN 1 WHEN a = b THEN 0 END)",
] + [
    f"CREATE OR REPLACE TEMP MACRO {_part_macro(part, extract)}(x) AS ({sql.format(x='x')})"
    for extract, table in ((False, {**_COMMON, **_DATE_PART}), (True, {**_COMMON, **_EXTRACT}))
    for part, sql in table.items()
]

PRIORITY = 30
RULES = {"redshift": [redshift_datetime]}

FUNCTIONS = {
    "DATEADD": ("supported", "TIMESTAMP result; month clamps, year rolls Feb 29 forward; TIME wraps"),
    "ADD_MONTHS": ("supported", "month-end maps to month-end"),
    "DATEDIFF": ("supported", "date part boundaries crossed; weeks start on Monday"),
    "DATE_PART": ("supported", "DOUBLE; dow 0..6 from Sunday; whole seconds field for second/ms/us"),
    "PGDATE_PART": ("supported", "as DATE_PART"),
    "EXTRACT": ("partial", "INTEGER, only the named field; timezone parts are not supported"),
    "DATE_TRUNC": ("supported", "TIMESTAMP; week starts Monday; century/millennium start at year ...01"),
    "TRUNC (timestamp)": ("supported", "DATE"),
    "MONTHS_BETWEEN": ("supported", "31-day months; whole for same day or both month-ends"),
    "NEXT_DAY": ("supported", "day names and Redshift's abbreviations"),
    "LAST_DAY": ("supported", "DATE"),
    "CONVERT_TIMEZONE": ("partial", "literal zones only; abbreviations and POSIX offsets are fixed offsets, "
                                    "names follow DST (ICU)"),
    "GETDATE": ("supported", "TIMESTAMP to the second"),
    "SYSDATE": ("supported", "TIMESTAMP with microseconds"),
    "CURRENT_DATE": ("supported", "DuckDB"),
    "TIMEOFDAY": ("supported", "text like Redshift's"),
    "DATE_CMP": ("supported", "-1, 0 or 1"),
    "TIMESTAMP_CMP": ("supported", "-1, 0 or 1"),
    "DATE_CMP_TIMESTAMP": ("supported", "-1, 0 or 1"),
    "TIMESTAMP_CMP_DATE": ("supported", "-1, 0 or 1"),
    "DATE_PART_YEAR": ("supported", "INTEGER"),
    "date + integer": ("supported", "DATE (DuckDB)"),
    "date - date": ("supported", "INTEGER days"),
}
