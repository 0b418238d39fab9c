"""Small helpers the Redshift rule families share: types, macro calls, date parts, literal values.

Not a rule family (no RULES): the families import from here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from sqlglot import exp

from lakebox.dialects.redshift_parser import NAME
from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type
INTEGERS = {T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.UTINYINT, T.USMALLINT, T.UINT, T.UBIGINT, T.INT128, T.MEDIUMINT}
STRINGS = {T.VARCHAR, T.CHAR, T.TEXT, T.NCHAR, T.NVARCHAR, T.NAME, T.BPCHAR}
DECIMALS = {T.DECIMAL, T.BIGDECIMAL}
FLOATS = {T.FLOAT, T.DOUBLE}
NUMERIC = INTEGERS | DECIMALS | FLOATS
TIMESTAMPS = {T.TIMESTAMP, T.DATETIME, T.TIMESTAMPNTZ, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMP_NS}
TIMESTAMPTZ = {T.TIMESTAMPTZ, T.TIMESTAMPLTZ}
TIMES = {T.TIME, T.TIMETZ}
TEMPORAL = TIMESTAMPS | TIMESTAMPTZ | {T.DATE}


def kind(node: exp.Expression) -> T:
    """The annotated type of a node (T.UNKNOWN when sqlglot could not tell)."""
    if isinstance(node, exp.Literal):
        return T.VARCHAR if node.is_string else (T.DECIMAL if "." in node.this else T.INT)
    if isinstance(node, exp.Null):
        return T.NULL
    datatype = node.type
    return datatype.this if datatype is not None else T.UNKNOWN


@lru_cache(maxsize=512)
def _parsed_type(text: str) -> exp.DataType:
    return exp.DataType.build(text)


def datatype(text: str) -> exp.DataType:
    """exp.DataType.build, cached: parsing a type name costs more than a whole rule."""
    return _parsed_type(text).copy()


def typed(node: exp.Expression, datatype_: str | exp.DataType) -> exp.Expression:
    node.type = datatype(datatype_) if isinstance(datatype_, str) else datatype_
    return node


def call(name: str, *args: exp.Expression, type: str | None = None) -> exp.Expression:
    """A call of a DuckDB function or one of our macros, optionally typed for the rules that follow."""
    node = exp.Anonymous(this=name, expressions=[a for a in args if a is not None])
    return typed(node, type) if type else node


def cast(node: exp.Expression, to: str) -> exp.Expression:
    return typed(exp.Cast(this=node, to=datatype(to)), to)


def written_name(node: exp.Expression) -> str:
    """The function's name as the user wrote it (upper case)."""
    name = node.meta.get(NAME) if node.meta else None
    if name:
        return str(name).upper()
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    return node.sql_name()


def string_value(node: exp.Expression | None) -> str | None:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    return None


def literal_int(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Neg):
        inner = literal_int(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and re.fullmatch(r"\d+", node.this):
        return int(node.this)
    return None


def need_literal(function: str, what: str, node: exp.Expression | None) -> str:
    value = string_value(node)
    if value is None:
        raise NotSupportedError(f"{function}: lakebox needs the {what} as a string literal")
    return value


# -- date parts ------------------------------------------------------------------------------

# Redshift's date part names and abbreviations (r_Dateparts_for_datetime_functions), plus the
# canonical names sqlglot's parser already mapped some of them to.
_DATEPARTS = {
    "millennium": ("millennium", "millennia", "mil", "mils"),
    "century": ("century", "centuries", "c", "cent", "cents"),
    "decade": ("decade", "decades", "dec", "decs"),
    "epoch": ("epoch",),
    "year": ("year", "years", "y", "yr", "yrs"),
    "quarter": ("quarter", "quarters", "qtr", "qtrs"),
    "month": ("month", "months", "mon", "mons"),
    "week": ("week", "weeks", "w"),
    "dow": ("dayofweek", "dow", "dw", "weekday"),
    "doy": ("dayofyear", "doy", "dy", "yearday"),
    "day": ("day", "days", "d"),
    "hour": ("hour", "hours", "h", "hr", "hrs"),
    "minute": ("minute", "minutes", "m", "min", "mins"),
    "second": ("second", "seconds", "s", "sec", "secs"),
    "millisecond": ("millisecond", "milliseconds", "ms", "msec", "msecs", "msecond", "mseconds",
                    "millisec", "millisecs", "millisecon"),
    "microsecond": ("microsecond", "microseconds", "microsec", "microsecs", "usecond", "useconds",
                    "us", "usec", "usecs"),
    "timezone": ("timezone",),
    "timezone_hour": ("timezone_hour",),
    "timezone_minute": ("timezone_minute",),
}
DATEPARTS = {alias: name for name, aliases in _DATEPARTS.items() for alias in aliases}


def datepart(node: exp.Expression | str | None, function: str) -> str:
    """The canonical Redshift date part named by an identifier, string or sqlglot unit."""
    if node is None:
        raise ProgrammingError(f"{function}: a date part is required")
    text = node if isinstance(node, str) else (node.name if isinstance(node, (exp.Var, exp.Literal, exp.Column,
                                                                               exp.Identifier)) else node.sql())
    part = DATEPARTS.get(text.strip().lower())
    if part is None:
        raise ProgrammingError(f'{function}: date part "{text.lower()}" is not recognized')
    return part


# -- literal datetimes -----------------------------------------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"))}
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
_ZONE = r"(?:\s*(?:[A-Za-z][\w/+-]*|[+-]\d{1,2}(?::?\d{2})?))?\s*$"
_FORMATS = [
    (re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + _ZONE), ("y", "m", "d")),
    (re.compile(r"^\s*(\d{4})(\d{2})(\d{2})" + _TIME + _ZONE), ("y", "m", "d")),
    (re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + _ZONE), ("m", "d", "y")),
    (re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + _ZONE), ("m", "d", "y")),
    (re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME + _ZONE), ("y", "m", "d")),
]
_NAMED = [
    (re.compile(r"^\s*([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,\s*|\s+)(\d{4})" + _TIME + _ZONE), ("mon", "d", "y")),
    (re.compile(r"^\s*(\d{1,2})[\s-]+([A-Za-z]{3})[a-z]*\.?[\s-]+(\d{4})" + _TIME + _ZONE), ("d", "mon", "y")),
]


def parse_datetime_text(text: str) -> dt.datetime | None:
    """A timestamp from the text forms Redshift's input conversion accepts (None: not one of them).

    Redshift ignores a time zone written after a timestamp without time zone."""
    for pattern, order in _FORMATS + _NAMED:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groups()
        fields = dict(zip(order, groups[:3]))
        month = _MONTHS.get(fields["mon"].lower()) if "mon" in fields else int(fields["m"])
        if month is None:
            return None
        hour, minute, second, fraction = groups[3:7]
        try:
            return dt.datetime(int(fields["y"]), month, int(fields["d"]), int(hour or 0), int(minute or 0),
                               int(second or 0), int((fraction or "0").ljust(6, "0")))
        except ValueError:
            return None
    return None


def timestamp_literal(value: dt.datetime) -> exp.Expression:
    return cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")


def date_literal(value: dt.date) -> exp.Expression:
    return cast(exp.Literal.string(value.isoformat()), "DATE")


def as_timestamp(node: exp.Expression) -> exp.Expression:
    """`node` converted the way Redshift converts a value to TIMESTAMP implicitly."""
    k = kind(node)
    if k in TIMESTAMPS:
        return node
    if k == T.DATE or k in TIMESTAMPTZ:
        return cast(node, "TIMESTAMP")
    text = string_value(node)
    if text is not None:
        parsed = parse_datetime_text(text)
        if parsed is not None:
            return timestamp_literal(parsed)
        raise_invalid("timestamp", text)
    if k in STRINGS:
        return call("lakebox_rs_text_to_timestamp", node, type="TIMESTAMP")
    if k in (T.UNKNOWN, T.NULL):
        return cast(node, "TIMESTAMP")
    raise ProgrammingError(f"cannot convert a value of type {k.value.lower()} to a timestamp")


def as_date(node: exp.Expression) -> exp.Expression:
    k = kind(node)
    if k == T.DATE:
        return node
    if k in TIMESTAMPS or k in TIMESTAMPTZ:
        return cast(node, "DATE")
    text = string_value(node)
    if text is not None:
        parsed = parse_datetime_text(text)
        if parsed is not None:
            return date_literal(parsed.date())
        raise_invalid("date", text)
    if k in STRINGS:
        return cast(call("lakebox_rs_text_to_timestamp", node, type="TIMESTAMP"), "DATE")
    return cast(node, "DATE")


def raise_invalid(type_name: str, text: str):
    from lakebox.errors import DataError
    raise DataError(f'invalid input syntax for type {type_name}: "{text}"')


MACROS = [
    # Text to TIMESTAMP the way Redshift's input conversion reads it: ISO forms, then compact and
    # US forms; anything else is an error in Redshift's words.
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_text_to_timestamp(s) AS ("
    " CASE WHEN s IS NULL THEN NULL::TIMESTAMP ELSE coalesce(try_cast(s AS TIMESTAMP),"
    "  try_strptime(trim(s), ['%Y%m%d %H:%M:%S.%f', '%Y%m%d %H:%M:%S', '%Y%m%d', '%m/%d/%Y %H:%M:%S',"
    "   '%m/%d/%Y', '%b %d %Y %H:%M:%S', '%b %d %Y', '%d %b %Y %H:%M:%S', '%d %b %Y', '%B %d, %Y']),"
    "  error('invalid input syntax for type timestamp: \"' || s || '\"')) END)",
]


_KINDS = "lakebox_rs_kinds"


def rewrite_innermost(expression: exp.Expression, classes: tuple[type, ...], handler) -> exp.Expression:
    """Replace each node of `classes` by `handler(node)` (None: left as it is), innermost first, so that an
    outer call reads its rewritten arguments; no walk at all when the query has none of them."""
    if not has_any(expression, classes):
        return expression
    for node in reversed(list(expression.find_all(*classes))):
        replacement = handler(node)
        if replacement is not None:
            node.replace(replacement)
    return expression


def has_any(expression: exp.Expression, classes: tuple[type, ...]) -> bool:
    """Does the query contain a node of one of `classes`? One walk per query, shared by the families:
    the set of node classes is taken once (the rules only add nodes the later families do not rewrite)."""
    kinds = expression.meta.get(_KINDS)
    if kinds is None:
        kinds = frozenset(type(node) for node in expression.walk())
        expression.meta[_KINDS] = kinds
    return any(issubclass(k, classes) for k in kinds)
