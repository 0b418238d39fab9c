"""Rendering Arrow results as an aligned table, CSV or JSON Lines.

Results can be millions of rows, so every format works a column at a time with pyarrow.compute
(cast to text, pad, join) and only falls back to per-value Python for types Arrow cannot cast to
text (nested types, binary, intervals). Text for a value is the same in every format: booleans are
`true`/`false`, temporal values drop trailing zero fractions (`2024-01-02 03:04:05.5`), floats
spell `NaN`/`Infinity` like Athena and Redshift do.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import math
from collections.abc import Callable
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.compute as pc

FORMATS = ("table", "csv", "json")

#: Rows written per batch: keeps memory flat for huge results without per-row Python loops.
BATCH_ROWS = 65_536

#: How the table format shows NULL (distinguishable from an empty string).
NULL_TEXT = "NULL"

Column = pa.ChunkedArray


# --------------------------------------------------------------------------- public entry points


def write_result(table: pa.Table, fmt: str, out: TextIO, max_rows: int | None = None) -> None:
    """Write `table` to `out` in `fmt` ('table', 'csv' or 'json').

    `max_rows` caps the table format only (the footer then says so); csv and json always
    write every row, since they are meant for other programs.
    """
    if fmt == "table":
        write_table(table, out, max_rows=max_rows)
    elif fmt == "csv":
        write_csv(table, out)
    elif fmt == "json":
        write_json_lines(table, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def format_table(table: pa.Table, max_rows: int | None = None, footer: bool = True) -> str:
    """The psql-like aligned rendering of `table`, header to footer, as one string."""
    out = io.StringIO()
    write_table(table, out, max_rows=max_rows, footer=footer)
    return out.getvalue()


def write_table(table: pa.Table, out: TextIO, max_rows: int | None = None, footer: bool = True) -> None:
    """Aligned columns with a header rule and a '(N rows)' footer, like psql.

    Numbers are right-aligned, everything else left-aligned; values holding newlines span
    several lines with psql's '+' continuation mark, tabs and CRs are shown escaped (`\\t`).
    """
    total = table.num_rows
    shown = table if max_rows is None or max_rows <= 0 or total <= max_rows else table.slice(0, max_rows)
    if table.num_columns:
        _write_table_body(shown, out)
    if footer:
        out.write(table_footer(total, shown.num_rows) + "\n")


def table_footer(total: int, shown: int) -> str:
    noun = "row" if total == 1 else "rows"
    if shown < total:
        return f"({total} {noun}, first {shown} shown)"
    return f"({total} {noun})"


def write_csv(table: pa.Table, out: TextIO) -> None:
    """RFC 4180 CSV (CRLF line ends, quotes only where needed) with a header row; NULL is empty."""
    writer = csv.writer(out)
    writer.writerow(table.column_names)
    columns = [pc.fill_null(value_text(table.column(i)), "") for i in range(table.num_columns)]
    for start in range(0, table.num_rows, BATCH_ROWS):
        batch = [column.slice(start, BATCH_ROWS).to_pylist() for column in columns]
        writer.writerows(zip(*batch))


def write_json_lines(table: pa.Table, out: TextIO) -> None:
    """One JSON object per row (JSON Lines).

    Numbers (including decimals, exactly) are JSON numbers, text and temporal values are JSON
    strings, nested values are arrays/objects, NULL is null. Objects are assembled from
    per-column JSON text, which also keeps duplicate column names that a dict would merge.
    """
    if table.num_columns == 0:
        out.write("{}\n" * table.num_rows)
        return
    members = [
        pc.binary_join_element_wise(_json_string(name) + ": ", json_text(table.column(i)), "")
        for i, name in enumerate(table.column_names)
    ]
    rows = pc.binary_join_element_wise(*members, ", ")
    _write_lines(pc.binary_join_element_wise("{", rows, "}", ""), out)


# --------------------------------------------------------------------------- text of values


def value_text(column: Column) -> Column:
    """Display text of every value (nulls stay null), computed per column."""
    column = _decoded(column)
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        return pc.cast(column, pa.string())
    if pa.types.is_floating(kind):
        return _float_text(pc.cast(column, pa.string()))
    if pa.types.is_timestamp(kind) or pa.types.is_time(kind) or pa.types.is_date(kind):
        return _trim_fraction(pc.cast(column, pa.string()))
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), pa.string())])
    return _per_value(column, lambda value: _python_text(value, kind))


def json_text(column: Column) -> Column:
    """JSON text of every value ('null' for NULL), computed per column where Arrow can."""
    column = _decoded(column)
    kind = column.type
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        text = pc.cast(column, pa.string())
    elif pa.types.is_floating(kind):
        # JSON has no NaN/Infinity literals; quote them the way the table shows them.
        text = _float_text(pc.cast(column, pa.string()), quote='"')
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = _json_strings(column)
    elif pa.types.is_timestamp(kind) or pa.types.is_time(kind) or pa.types.is_date(kind):
        text = pc.binary_join_element_wise('"', _trim_fraction(pc.cast(column, pa.string())), '"', "")
    elif pa.types.is_null(kind):
        text = pa.chunked_array([pa.nulls(len(column), pa.string())])
    else:
        text = _per_value(column, lambda value: _python_json(value, kind))
    return pc.fill_null(text, "null")


def _decoded(column: Column | pa.Array) -> Column:
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], type=column.type)
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, column.type.value_type)
    return column


def _float_text(text: Column, quote: str = "") -> Column:
    # Arrow spells these 'nan'/'inf'; Athena and Redshift show NaN and Infinity.
    for arrow, shown in (("nan", "NaN"), ("-inf", "-Infinity"), ("inf", "Infinity")):
        text = pc.replace_substring_regex(text, f"^{arrow}$", f"{quote}{shown}{quote}")
    return text


def _trim_fraction(text: Column) -> Column:
    # Arrow writes every fraction digit of the unit ('05.120000'); keep only significant ones,
    # and none for whole seconds, as psql does. The optional 'Z' is Arrow's UTC suffix.
    text = pc.replace_substring_regex(text, r"(\.[0-9]*[1-9])0+(Z?)$", r"\1\2")
    return pc.replace_substring_regex(text, r"\.0+(Z?)$", r"\1")


def _json_strings(column: Column) -> Column:
    # Escaping '\' and '"' covers almost all real text at Arrow speed; columns holding control
    # characters need \uXXXX escapes and take the per-value path.
    has_control = pc.any(pc.match_substring_regex(column, _JSON_ESCAPED)).as_py()
    if has_control:
        return _per_value(column, _json_string)
    escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
    return pc.binary_join_element_wise('"', escaped, '"', "")


# Control characters, plus the Unicode line separators that str.splitlines() and some JSON Lines
# readers break lines on (valid raw in JSON strings, but then one row would not be one line).
_JSON_ESCAPED = r"[\x00-\x1f\x{85}\x{2028}\x{2029}]"  # RE2 syntax
_LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_LINE_SEPARATORS)


def _per_value(column: Column, convert: Callable[[Any], str]) -> Column:
    values = [None if value is None else convert(value) for value in column.to_pylist()]
    return pa.chunked_array([pa.array(values, pa.string())])


def _python_text(value: Any, kind: pa.DataType) -> str:
    """Display text of one Python value of Arrow type `kind`, Athena-style for nested types."""
    if value is None:
        return NULL_TEXT
    if _is_list(kind):
        return "[" + ", ".join(_python_text(item, kind.value_type) for item in value) + "]"
    if pa.types.is_map(kind):
        pairs = (f"{_python_text(k, kind.key_type)}={_python_text(v, kind.item_type)}" for k, v in value)
        return "{" + ", ".join(pairs) + "}"
    if pa.types.is_struct(kind):
        fields = (f"{field.name}={_python_text(value.get(field.name), field.type)}" for field in kind)
        return "{" + ", ".join(fields) + "}"
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_word(value) or repr(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex(" ")  # Athena shows varbinary as spaced hex bytes
    if isinstance(value, datetime.datetime):
        return _trim_time(value.isoformat(sep=" "))
    if isinstance(value, datetime.time):
        return _trim_time(value.isoformat())
    if isinstance(value, pa.MonthDayNano):
        return _interval_text(value)
    return str(value)


def _python_json(value: Any, kind: pa.DataType) -> str:
    """JSON text of one Python value of Arrow type `kind`."""
    if value is None:
        return "null"
    if _is_list(kind):
        return "[" + ", ".join(_python_json(item, kind.value_type) for item in value) + "]"
    if pa.types.is_map(kind):
        # JSON keys must be strings: use the key's display text.
        pairs = (
            f"{_json_string(_python_text(k, kind.key_type))}: {_python_json(v, kind.item_type)}"
            for k, v in value
        )
        return "{" + ", ".join(pairs) + "}"
    if pa.types.is_struct(kind):
        fields = (
            f"{_json_string(field.name)}: {_python_json(value.get(field.name), field.type)}"
            for field in kind
        )
        return "{" + ", ".join(fields) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        word = _float_word(value)
        return f'"{word}"' if word else repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)  # exact, and always a valid JSON number for finite decimals
    return _json_string(_scalar_text(value))


def _is_list(kind: pa.DataType) -> bool:
    return pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)


def _float_word(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return None


def _trim_time(text: str) -> str:
    if "." in text:
        head, _, fraction = text.partition(".")
        digits = fraction.rstrip("0")
        return f"{head}.{digits}" if digits else head
    return text


def _interval_text(value: pa.MonthDayNano) -> str:
    months, days, nanos = value.months, value.days, value.nanoseconds
    parts = []
    if months:
        parts.append(f"{months} mon" + ("s" if abs(months) != 1 else ""))
    if days:
        parts.append(f"{days} day" + ("s" if abs(days) != 1 else ""))
    if nanos or not parts:
        sign = "-" if nanos < 0 else ""
        seconds, nano = divmod(abs(nanos), 1_000_000_000)
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        clock = _trim_time(f"{hours:02d}:{minute:02d}:{second:02d}.{nano:09d}")
        parts.append(sign + clock)
    return " ".join(parts)


# --------------------------------------------------------------------------- table layout


def _write_table_body(table: pa.Table, out: TextIO) -> None:
    names = [_escape_controls_text(name) for name in table.column_names]
    cells = [
        pc.fill_null(_escape_controls(value_text(table.column(i))), NULL_TEXT) for i in range(table.num_columns)
    ]
    right = [_is_numeric(table.column(i).type) for i in range(table.num_columns)]
    multi_line = any(_has_newline(column) for column in cells)
    lengths = [_max_line_length(column) if multi_line else _max_length(column) for column in cells]
    widths = [max(len(name), length) for name, length in zip(names, lengths)]

    # Headers are centred over their column, as psql does.
    header = " | ".join(_center(name, width) for name, width in zip(names, widths))
    out.write(" " + header.rstrip() + "\n")
    out.write("-" + "-+-".join("-" * width for width in widths) + "-\n")
    if table.num_rows == 0:
        return
    if multi_line:
        _write_multi_line_rows(cells, widths, right, out)
        return
    last = len(cells) - 1
    padded = [
        _pad(column, width, align_right, is_last=i == last)
        for i, (column, width, align_right) in enumerate(zip(cells, widths, right))
    ]
    lines = pc.binary_join_element_wise(*padded, " | ") if len(padded) > 1 else padded[0]
    _write_lines(pc.binary_join_element_wise(" ", lines, ""), out)


def _write_multi_line_rows(cells: list[Column], widths: list[int], right: list[bool], out: TextIO) -> None:
    """psql's layout for values spanning lines (SHOW CREATE TABLE, view SQL): a row takes as
    many lines as its tallest value, and '+' marks a value that continues on the next line.

    Row by row in Python, so only used when some value really holds a newline.
    """
    for row in zip(*(column.to_pylist() for column in cells)):
        parts = [value.split("\n") for value in row]
        for index in range(max(len(lines) for lines in parts)):
            pieces = []
            for lines, width, align_right in zip(parts, widths, right):
                text = lines[index] if index < len(lines) else ""
                marker = "+" if index < len(lines) - 1 else " "
                pieces.append(" " + (text.rjust(width) if align_right else text.ljust(width)) + marker)
            out.write("|".join(pieces).rstrip() + "\n")


def _pad(column: Column, width: int, align_right: bool, is_last: bool) -> Column:
    if align_right:
        return pc.utf8_lpad(column, width=width, padding=" ")
    if is_last:
        return column  # no trailing blanks after the last column
    return pc.utf8_rpad(column, width=width, padding=" ")


def _center(text: str, width: int) -> str:
    # psql puts the odd blank on the right; str.center's choice depends on the text's length.
    left = (width - len(text)) // 2
    return " " * left + text + " " * (width - len(text) - left)


def _max_length(column: Column) -> int:
    longest = pc.max(pc.utf8_length(column)).as_py()
    return longest or 0


def _max_line_length(column: Column) -> int:
    lines = pc.list_flatten(pc.split_pattern(column, "\n"))
    return _max_length(lines)


def _has_newline(column: Column) -> bool:
    return bool(pc.any(pc.match_substring(column, "\n")).as_py())


def _is_numeric(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)


# Tabs and carriage returns would break the alignment; newlines become multi-line cells.
_CONTROL_ESCAPES = (("\r", "\\r"), ("\t", "\\t"))


def _escape_controls(column: Column) -> Column:
    # Only text can hold control characters; skip the replace passes when none are present.
    if not pc.any(pc.match_substring_regex(column, r"[\r\t]")).as_py():
        return column
    for raw, escaped in _CONTROL_ESCAPES:
        column = pc.replace_substring(column, raw, escaped)
    return column


def _escape_controls_text(text: str) -> str:
    for raw, escaped in (("\n", "\\n"), *_CONTROL_ESCAPES):  # a header stays on one line
        text = text.replace(raw, escaped)
    return text


def _write_lines(lines: Column, out: TextIO) -> None:
    for start in range(0, len(lines), BATCH_ROWS):
        batch = lines.slice(start, BATCH_ROWS).to_pylist()
        out.write("\n".join(batch) + "\n")
