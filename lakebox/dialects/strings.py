"""Athena (Trino) string functions on DuckDB.

What DuckDB answers differently, and what this family rewrites:

- `substr(s, 0)` is empty and a negative start before the beginning gives an empty string (DuckDB
  clamps both to the first character);
- `strpos(s, sub, instance)` finds the n-th instance, counting from the end when negative;
- `split(s, d, limit)` keeps the rest of the string in the last element; `split_part` past the last
  field is NULL (DuckDB: empty string) and an index below 1 is an error;
- `lpad`/`rpad` refuse a negative size and an empty pad string with Trino's words;
- `trim`/`ltrim`/`rtrim` remove every Java whitespace character, not only blanks;
- `hamming_distance`, `codepoint`, `luhn_check`, `split_to_map`, `split_to_multimap`, `normalize`
  (NFC) and Java-format-string `format` are SQL macros or plan-time rewrites;
- `array || element` appends (DuckDB refuses to concatenate a list and a scalar).

`concat` and `||` already propagate NULL in DuckDB (sqlglot emits `||`), `replace`, `reverse`,
`upper`/`lower`, `length`, `chr`, `starts_with`, `translate`, `concat_ws` and `levenshtein_distance`
already agree; the conformance cases prove it.
"""

from __future__ import annotations

import re

from sqlglot import exp

from lakebox.dialects.misc import has_any
from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type

# Java's Character.isWhitespace: what Trino's trim functions remove.
JAVA_WHITESPACE = ("\t\n\x0b\f\r\x1c\x1d\x1e\x1f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                   "\u2008\u2009\u200a\u2028\u2029\u205f\u3000")


def call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def swap(old: exp.Expression, new: exp.Expression) -> exp.Expression:
    """Replace `old` by `new` in the tree, keeping the annotated type for the rules that run later."""
    if new.type is None or new.type.this == T.UNKNOWN:
        new.type = old.type
    old.replace(new)
    return new


def type_of(node: exp.Expression) -> exp.DataType | None:
    datatype = node.type
    if datatype is None or datatype.this == T.UNKNOWN:
        return None
    return datatype


def is_array(node: exp.Expression) -> bool:
    datatype = type_of(node)
    return datatype is not None and datatype.this == T.ARRAY


# -- the macros ----------------------------------------------------------------------------------

_WS = "'" + JAVA_WHITESPACE.replace("'", "''") + "'"

MACROS = [
    # substr(s, start[, length]): 0 or a start before the beginning gives '' (DuckDB clamps both).
    "CREATE OR REPLACE TEMP MACRO trino_substr2(s, st) AS"
    " substring(s, CASE WHEN st = 0 OR st < -length(s) THEN length(s) + 1 ELSE st END)",
    "CREATE OR REPLACE TEMP MACRO trino_substr3(s, st, n) AS"
    " substring(s, CASE WHEN st = 0 OR st < -length(s) THEN length(s) + 1 ELSE st END,"
    " CASE WHEN n < 0 THEN 0 ELSE n END)",
    # strpos(s, sub, instance): the n-th (overlapping) instance; a negative instance counts from the end.
    "CREATE OR REPLACE TEMP MACRO trino_strpos(s, sub, n) AS ("
    " CASE WHEN s IS NULL OR sub IS NULL OR n IS NULL THEN NULL"
    " WHEN n = 0 THEN error('''instance'' must be a positive or negative number.')"
    " WHEN sub = '' THEN 1"
    " ELSE coalesce(list_filter(range(1, length(s) - length(sub) + 2),"
    "  lambda __i: substring(s, __i, length(sub)) = sub)[n], 0) END)",
    # split(s, d, limit): at most `limit` parts, the last holding the rest of the string.
    "CREATE OR REPLACE TEMP MACRO trino_split2(s, d) AS ("
    " CASE WHEN d = '' THEN error('The delimiter may not be the empty string') ELSE string_split(s, d) END)",
    "CREATE OR REPLACE TEMP MACRO trino_split3(s, d, lim) AS ("
    " CASE WHEN lim <= 0 THEN error('Limit must be positive')"
    " WHEN d = '' THEN error('The delimiter may not be the empty string')"
    " WHEN len(string_split(s, d)) <= lim THEN string_split(s, d)"
    " ELSE list_append(string_split(s, d)[1:lim - 1], array_to_string(string_split(s, d)[lim:], d)) END)",
    # split_part(s, d, __i): NULL past the last field, error below 1, characters for an empty delimiter.
    "CREATE OR REPLACE TEMP MACRO trino_split_part(s, d, __i) AS ("
    " CASE WHEN __i <= 0 THEN error('Index must be greater than zero')"
    " WHEN d = '' THEN CASE WHEN __i <= length(s) THEN substring(s, __i, 1) END"
    " WHEN __i <= len(string_split(s, d)) THEN string_split(s, d)[__i] END)",
    # lpad/rpad: Trino's argument checks; DuckDB already truncates a longer string.
    "CREATE OR REPLACE TEMP MACRO trino_lpad(s, n, p) AS ("
    " CASE WHEN n < 0 OR n > 2147483647 THEN error('Target length must be in the range [0..2147483647]')"
    " WHEN p = '' THEN error('Padding string must not be empty') ELSE lpad(s, n, p) END)",
    "CREATE OR REPLACE TEMP MACRO trino_rpad(s, n, p) AS ("
    " CASE WHEN n < 0 OR n > 2147483647 THEN error('Target length must be in the range [0..2147483647]')"
    " WHEN p = '' THEN error('Padding string must not be empty') ELSE rpad(s, n, p) END)",
    f"CREATE OR REPLACE TEMP MACRO trino_trim(s) AS trim(s, {_WS})",
    f"CREATE OR REPLACE TEMP MACRO trino_ltrim(s) AS ltrim(s, {_WS})",
    f"CREATE OR REPLACE TEMP MACRO trino_rtrim(s) AS rtrim(s, {_WS})",
    # java.util.Formatter's padding: to a width, never truncating
    "CREATE OR REPLACE TEMP MACRO trino_justify_left(s, w) AS"
    " (CASE WHEN length(s) >= w THEN s ELSE rpad(s, CAST(w AS INTEGER), ' ') END)",
    "CREATE OR REPLACE TEMP MACRO trino_justify_right(s, w) AS"
    " (CASE WHEN length(s) >= w THEN s ELSE lpad(s, CAST(w AS INTEGER), ' ') END)",
    "CREATE OR REPLACE TEMP MACRO trino_zero_pad(s, w) AS"
    " (CASE WHEN length(s) >= w THEN s ELSE lpad(s, CAST(w AS INTEGER), '0') END)",
    "CREATE OR REPLACE TEMP MACRO trino_hamming_distance(a, b) AS ("
    " CASE WHEN length(a) <> length(b)"
    " THEN error('The input strings to hamming_distance function must have the same length')"
    " ELSE CAST(hamming(a, b) AS BIGINT) END)",
    "CREATE OR REPLACE TEMP MACRO trino_codepoint(s) AS ("
    " CASE WHEN length(s) <> 1 THEN error('Input string must be a single character string')"
    " ELSE CAST(unicode(s) AS INTEGER) END)",
    # luhn_check: Trino answers NULL... only for NULL; a non-digit is an error, an empty string false.
    "CREATE OR REPLACE TEMP MACRO trino_luhn_check(s) AS ("
    " CASE WHEN NOT regexp_full_match(s, '[0-9]*') THEN error('Input contains non-digit character')"
    " WHEN s = '' THEN false"
    " ELSE list_sum(list_transform(string_split(reverse(s), ''), lambda __c, __i:"
    "  CASE WHEN __i % 2 = 0 THEN (CAST(__c AS INTEGER) * 2) // 10 + (CAST(__c AS INTEGER) * 2) % 10"
    "  ELSE CAST(__c AS INTEGER) END)) % 10 = 0 END)",
    # split_to_map: duplicate keys are an error.
    "CREATE OR REPLACE TEMP MACRO trino_split_to_map(s, e, kv) AS ("
    " CASE WHEN e = '' THEN error('entryDelimiter is empty')"
    " WHEN kv = '' THEN error('keyValueDelimiter is empty')"
    " WHEN e = kv THEN error('entryDelimiter and keyValueDelimiter must not be the same')"
    " WHEN s = '' THEN MAP {}"
    " WHEN list_bool_or(list_transform(string_split(s, e), lambda __x: len(string_split(__x, kv)) <> 2))"
    "  THEN error('Key-value delimiter must appear exactly once in each entry. Bad input: '''"
    "   || list_filter(string_split(s, e), lambda __x: len(string_split(__x, kv)) <> 2)[1] || '''')"
    " WHEN len(list_distinct(list_transform(string_split(s, e), lambda __x: string_split(__x, kv)[1])))"
    "   <> len(string_split(s, e))"
    "  THEN error('Duplicate keys (' || list_filter(list_transform(string_split(s, e),"
    "   lambda __x: string_split(__x, kv)[1]), lambda __k, __i: list_position(list_transform(string_split(s, e),"
    "   lambda __x: string_split(__x, kv)[1]), __k) <> __i)[1] || ') are not allowed')"
    " ELSE map_from_entries(list_transform(string_split(s, e),"
    "  lambda __x: {'key': string_split(__x, kv)[1], 'value': string_split(__x, kv)[2]})) END)",
    "CREATE OR REPLACE TEMP MACRO trino_split_to_multimap(s, e, kv) AS ("
    " CASE WHEN e = '' THEN error('entryDelimiter is empty')"
    " WHEN kv = '' THEN error('keyValueDelimiter is empty')"
    " WHEN e = kv THEN error('entryDelimiter and keyValueDelimiter must not be the same')"
    " WHEN s = '' THEN MAP {}"
    " WHEN list_bool_or(list_transform(string_split(s, e), lambda __x: len(string_split(__x, kv)) <> 2))"
    "  THEN error('Key-value delimiter must appear exactly once in each entry. Bad input: '''"
    "   || list_filter(string_split(s, e), lambda __x: len(string_split(__x, kv)) <> 2)[1] || '''')"
    " ELSE map_from_entries(list_transform("
    "  list_distinct(list_transform(string_split(s, e), lambda __x: string_split(__x, kv)[1])),"
    "  lambda __k: {'key': __k, 'value': list_transform(list_filter(string_split(s, e),"
    "   lambda __x: string_split(__x, kv)[1] = __k), lambda __x: string_split(__x, kv)[2])})) END)",
]


# -- format(): Java format strings compiled at plan time ----------------------------------------

_SPEC = re.compile(r"%(?:(\d+)\$|(<))?([-#+ 0,(]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")
_INTEGER_TYPES = exp.DataType.INTEGER_TYPES
_JAVA_CLASS = {"int": "java.lang.Long", "dec": "java.math.BigDecimal", "double": "java.lang.Double",
               "real": "java.lang.Float", "str": "java.lang.String", "bool": "java.lang.Boolean",
               "date": "java.time.LocalDate", "ts": "java.time.LocalDateTime", "null": None}


def _kind(node: exp.Expression) -> str | None:
    """The Java class family Trino's format() hands each argument to java.util.Formatter as."""
    if isinstance(node, exp.Null):
        return "null"
    if isinstance(node, exp.Literal) and node.is_number:
        text = node.this.lower()
        if "e" in text:
            return "double"
        return "dec" if "." in text else "int"
    if isinstance(node, exp.Literal) and node.is_string:
        return "str"
    meta = node.meta.get("lakebox_type")
    if meta:
        return {"int": "int", "dec": "dec", "double": "double", "real": "real"}.get(meta[0])
    datatype = type_of(node)
    if datatype is None:
        return None
    kind = datatype.this
    if kind in _INTEGER_TYPES:
        return "int"
    if kind in (T.DECIMAL, T.BIGDECIMAL):
        return "dec"
    if kind == T.DOUBLE:
        return "double"
    if kind == T.FLOAT:
        return "real"
    if kind in exp.DataType.TEXT_TYPES:
        return "str"
    if kind == T.BOOLEAN:
        return "bool"
    if kind == T.DATE:
        return "date"
    if kind in (T.TIMESTAMP, T.DATETIME, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMP_NS):
        return "ts"
    if kind == T.NULL:
        return "null"
    return None


def _sql(text: str) -> exp.Expression:
    import sqlglot
    return sqlglot.parse_one(text, read="duckdb")


def _lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _int(value) -> exp.Expression:
    """An INTEGER for DuckDB's lpad/rpad/left, which take no BIGINT."""
    return exp.cast(value if isinstance(value, exp.Expression) else exp.Literal.number(value), "INTEGER")


def _bad_conversion(fmt: str, conversion: str, kind: str) -> ProgrammingError:
    return ProgrammingError(f"Invalid format string: {fmt} (IllegalFormatConversion: {conversion} != "
                            f"{_JAVA_CLASS.get(kind) or 'null'})")


def _justify(value: exp.Expression, width: str | None, left: bool) -> exp.Expression:
    """Java pads to the width with blanks, on the right for the '-' flag; never truncates."""
    if not width:
        return value
    return call("trino_justify_left" if left else "trino_justify_right", value, exp.Literal.number(width))


def _null_safe(text: exp.Expression, width: str | None, left: bool) -> exp.Expression:
    """Java formats a null argument as the text `null` (for every conversion but %b)."""
    return exp.Coalesce(this=text, expressions=[_justify(_lit("null"), width, left)])


def _java_string(arg: exp.Expression, kind: str, fmt: str) -> exp.Expression:
    """String.valueOf(arg) as Java prints the object Trino passes."""
    if kind in ("str", "null"):
        return arg
    if kind == "bool":
        return exp.Case(ifs=[exp.If(this=arg, true=_lit("true")),
                             exp.If(this=exp.Not(this=arg.copy()), true=_lit("false"))])
    if kind in ("int", "date"):
        return exp.cast(arg, "VARCHAR")
    if kind == "dec":
        # BigDecimal.toString; its scientific form for tiny magnitudes is refused at run time.
        return exp.Case(ifs=[exp.If(this=exp.and_(
            exp.NEQ(this=arg.copy(), expression=exp.Literal.number(0)),
            exp.LT(this=exp.Abs(this=arg.copy()), expression=_sql("0.000001"))),
            true=call("error", _lit(f"format: {fmt}: lakebox cannot print a decimal below 1E-6 the way Java does")))],
            default=exp.cast(arg, "VARCHAR"))
    if kind in ("double", "real"):
        value = exp.cast(arg, "DOUBLE")
        text = exp.cast(value.copy(), "VARCHAR")
        special = exp.Case(ifs=[
            exp.If(this=call("isnan", value.copy()), true=_lit("NaN")),
            exp.If(this=exp.EQ(this=value.copy(), expression=_sql("'Infinity'::DOUBLE")), true=_lit("Infinity")),
            exp.If(this=exp.EQ(this=value.copy(), expression=_sql("'-Infinity'::DOUBLE")), true=_lit("-Infinity")),
            exp.If(this=exp.EQ(this=value.copy(), expression=exp.Literal.number(0)), true=text.copy()),
            exp.If(this=exp.or_(exp.LT(this=exp.Abs(this=value.copy()), expression=_sql("0.001")),
                                exp.GTE(this=exp.Abs(this=value.copy()), expression=_sql("10000000.0"))),
                   true=call("error", _lit(f"format: {fmt}: lakebox prints a double with %s only between "
                                           "1E-3 and 1E7, where Java does not switch to scientific notation")))],
            default=text)
        return special
    raise NotSupportedError(f"format: lakebox cannot format an argument of this type with {fmt}")


def _grouped(digits: exp.Expression) -> exp.Expression:
    return call("format", _lit("{:,}"), exp.cast(digits, "HUGEINT"))


def _signed_number(arg: exp.Expression, body: exp.Expression, flags: str, width: str | None) -> exp.Expression:
    """Java's sign (or parentheses), zero padding after the sign, then the width; `body` is the magnitude."""
    negative = exp.LT(this=arg.copy(), expression=exp.Literal.number(0))
    positive_sign = "+" if "+" in flags else (" " if " " in flags else "")
    negative_prefix, suffix_text = ("(", ")") if "(" in flags else ("-", "")
    prefix = exp.Case(ifs=[exp.If(this=negative.copy(), true=_lit(negative_prefix))], default=_lit(positive_sign))
    suffix = exp.Case(ifs=[exp.If(this=negative.copy(), true=_lit(suffix_text))], default=_lit("")) \
        if suffix_text else None
    if "0" in flags and width:
        room = exp.Sub(this=exp.Literal.number(width), expression=exp.Length(this=prefix.copy()))
        if suffix is not None:
            room = exp.Sub(this=room, expression=exp.Length(this=suffix.copy()))
        body = call("trino_zero_pad", body, room)
    text: exp.Expression = exp.DPipe(this=prefix, expression=body)
    if suffix is not None:
        text = exp.DPipe(this=text, expression=suffix)
    return text if "0" in flags else _justify(text, width, "-" in flags)


def _format_spec(fmt: str, match: re.Match, arg: exp.Expression | None, kind: str | None) -> exp.Expression:
    flags, width, precision, conversion = match.group(3), match.group(4), match.group(5), match.group(6)
    left = "-" in flags
    if conversion == "%":
        return _justify(_lit("%"), width, left)
    if conversion == "n":
        return _lit("\n")
    if arg is None:
        raise ProgrammingError(f"Invalid format string: {fmt} (MissingFormatArgument: Format specifier "
                               f"'{match.group(0)}')")
    if kind is None:
        raise NotSupportedError(f"format: lakebox cannot tell the type of the argument for {match.group(0)}; "
                                "cast it to a type")
    if conversion in "sS":
        if set(flags) - {"-"}:
            raise NotSupportedError(f"format: the flags of {match.group(0)} are not supported")
        text = _java_string(arg, kind, fmt)
        if precision is not None:
            text = call("left", text, _int(precision))
        if conversion == "S":
            text = exp.Upper(this=text)
        return _null_safe(_justify(text, width, left), width, left)
    if conversion in "bB":
        if kind == "bool":
            text = exp.Case(ifs=[exp.If(this=arg.copy(), true=_lit("true"))], default=_lit("false"))
        elif kind == "null":
            text = _lit("false")
        else:
            text = exp.Case(ifs=[exp.If(this=exp.Is(this=arg.copy(), expression=exp.Null()), true=_lit("false"))],
                            default=_lit("true"))
        if conversion == "B":
            text = exp.Upper(this=text)
        return _justify(text, width, left)
    if conversion == "d":
        if kind not in ("int", "null"):
            raise _bad_conversion(fmt, conversion, kind)
        if kind == "null":
            return _justify(_lit("null"), width, left)
        magnitude = exp.Abs(this=exp.cast(arg.copy(), "HUGEINT"))
        body = _grouped(magnitude) if "," in flags else exp.cast(magnitude, "VARCHAR")
        return _null_safe(_signed_number(arg, body, flags, width), width, left)
    if conversion in "xXo":
        if kind not in ("int", "null"):
            raise _bad_conversion(fmt, conversion, kind)
        if kind == "null":
            return _justify(_lit("null"), width, left)
        if set(flags) - {"-", "#", "0"}:
            raise NotSupportedError(f"format: the flags of {match.group(0)} are not supported")
        if conversion == "o":
            raise NotSupportedError("format: %o is not supported")
        text = exp.Lower(this=call("hex", exp.cast(arg.copy(), "BIGINT")))
        prefix = "0x" if "#" in flags else ""
        if "0" in flags and width:
            text = call("trino_zero_pad", text, exp.Literal.number(int(width) - len(prefix)))
        if prefix:
            text = exp.DPipe(this=_lit(prefix), expression=text)
        if conversion == "X":
            text = exp.Upper(this=text)
        return _null_safe(text if "0" in flags else _justify(text, width, left), width, left)
    if conversion == "f":
        if kind not in ("dec", "double", "real", "null"):
            raise _bad_conversion(fmt, conversion, kind)
        if kind == "null":
            return _justify(_lit("null"), width, left)
        digits = int(precision) if precision is not None else 6
        if digits > 30:
            raise NotSupportedError(f"format: {match.group(0)}: at most 30 digits after the point are supported")
        if kind == "dec":
            exact = exp.Abs(this=arg.copy())
        else:
            # Java rounds the shortest decimal representation of the double half up.
            exact = exp.Abs(this=exp.cast(exp.cast(exp.cast(arg.copy(), "DOUBLE"), "VARCHAR"), "DECIMAL(38,18)"))
        rounded = exp.cast(exact, f"DECIMAL(38,{digits})")
        text = exp.cast(rounded, "VARCHAR")
        if "," in flags:
            whole = _grouped(call("split_part", text.copy(), _lit("."), exp.Literal.number(1)))
            text = whole if digits == 0 else exp.DPipe(
                this=exp.DPipe(this=whole, expression=_lit(".")),
                expression=call("split_part", text, _lit("."), exp.Literal.number(2)))
        body = _signed_number(arg, text, flags, width)
        if kind in ("double", "real"):
            value = exp.cast(arg.copy(), "DOUBLE")
            body = exp.Case(ifs=[
                exp.If(this=call("isnan", value.copy()), true=_justify(_lit("NaN"), width, left)),
                exp.If(this=call("isinf", value.copy()), true=_justify(exp.Case(
                    ifs=[exp.If(this=exp.GT(this=value.copy(), expression=exp.Literal.number(0)),
                                true=_lit("+Infinity" if "+" in flags else "Infinity"))],
                    default=_lit("(Infinity)" if "(" in flags else "-Infinity")), width, left))],
                default=body)
        return _null_safe(body, width, left)
    raise NotSupportedError(f"format: the conversion %{conversion} is not supported (supported: %s %S %d %f %x %X "
                            "%b %n %% with widths, precision and the - 0 , + ( # flags)")


def java_format(node: exp.Format) -> exp.Expression:
    template = node.this
    args = list(node.expressions)
    if not (isinstance(template, exp.Literal) and template.is_string):
        raise NotSupportedError("format: the format string must be a literal for lakebox to compile it")
    fmt = template.this
    parts: list[exp.Expression] = []
    position = 0
    ordinary = 0
    last: int | None = None
    for match in _SPEC.finditer(fmt):
        if match.start() > position:
            literal_text = fmt[position:match.start()]
            if "%" in literal_text:
                raise ProgrammingError(f"Invalid format string: {fmt} (UnknownFormatConversion: Conversion = "
                                       f"'{literal_text[literal_text.index('%') + 1:][:1]}')")
            parts.append(_lit(literal_text))
        position = match.end()
        conversion = match.group(6)
        index = None
        if conversion not in "%n":
            if match.group(1):
                index = int(match.group(1)) - 1
            elif match.group(2):
                if last is None:
                    raise ProgrammingError(f"Invalid format string: {fmt} (MissingFormatArgument: Format specifier "
                                           f"'{match.group(0)}')")
                index = last
            else:
                index = ordinary
                ordinary += 1
            last = index
        arg = args[index] if index is not None and index < len(args) else None
        parts.append(_format_spec(fmt, match, arg.copy() if arg is not None else None,
                                  _kind(arg) if arg is not None else None))
    if position < len(fmt):
        rest = fmt[position:]
        if "%" in rest:
            raise ProgrammingError(f"Invalid format string: {fmt} (UnknownFormatConversion: Conversion = "
                                   f"'{rest[rest.index('%') + 1:][:1] or '%'}')")
        parts.append(_lit(rest))
    if not parts:
        return _lit("")
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part)
    result = exp.Paren(this=result)
    # Trino's format() returns NULL only when the format string is NULL; a NULL argument prints `null`.
    return result


# -- the rule ------------------------------------------------------------------------------------

_TRIM_MACROS = {"LEADING": "trino_ltrim", "TRAILING": "trino_rtrim"}


def _substring(node: exp.Substring) -> exp.Expression:
    args = [node.this, node.args.get("start")]
    if node.args.get("length") is not None:
        args.append(node.args["length"])
    if args[1] is None:
        return node
    return call(f"trino_substr{len(args)}", *args)


def _trim(node: exp.Trim) -> exp.Expression:
    if node.args.get("expression") is not None or node.args.get("collation") is not None:
        return node  # trim(chars FROM s): DuckDB's trim(s, chars) already removes any of the characters
    position = (node.args.get("position") or "").upper()
    return call(_TRIM_MACROS.get(position, "trino_trim"), node.this)


def _concat(node: exp.Expression) -> exp.Expression:
    """`array || element` and `element || array` (DuckDB only concatenates two lists)."""
    left, right = node.this, node.expression
    if is_array(left) and not is_array(right) and type_of(right) is not None:
        return call("list_append", left, right)
    if is_array(right) and not is_array(left) and type_of(left) is not None:
        return call("list_prepend", left, right)
    return node


def _anonymous(node: exp.Anonymous) -> exp.Expression:
    name = node.name.lower()
    args = node.expressions
    if name == "hamming_distance" and len(args) == 2:
        return call("trino_hamming_distance", *args)
    if name == "codepoint" and len(args) == 1:
        return call("trino_codepoint", *args)
    if name == "luhn_check" and len(args) == 1:
        return call("trino_luhn_check", *args)
    if name == "split_to_multimap" and len(args) == 3:
        return call("trino_split_to_multimap", *args)
    if name in ("soundex", "word_stem"):
        raise NotSupportedError(f"{name} is not supported by lakebox")
    return node


def _from_utf8(node: exp.Decode) -> exp.Expression:
    """from_utf8(binary[, replace]): an empty replacement drops invalid sequences (DuckDB's 'ignore');
    Trino's U+FFFD or another replacement character cannot be reproduced: invalid UTF-8 is then an error."""
    replace = node.args.get("replace")
    if replace is None:
        return node
    if isinstance(replace, exp.Literal) and replace.is_string and replace.this == "":
        return call("decode", node.this, _lit("ignore"))
    raise NotSupportedError("from_utf8 with a replacement character is not supported by lakebox (only '', which "
                            "drops invalid sequences)")


_CLASSES = (exp.Decode, exp.Substring, exp.StrPosition, exp.Split, exp.SplitPart, exp.Pad, exp.Trim, exp.Format, exp.Normalize,
            exp.StrToMap, exp.DPipe, exp.Soundex, exp.Anonymous)


def athena_strings(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One bottom-up walk over the string functions that DuckDB answers differently."""
    if not has_any(expression, _CLASSES):
        return expression
    for node in reversed(list(expression.find_all(*_CLASSES))):
        new = node
        if isinstance(node, exp.Substring):
            new = _substring(node)
        elif isinstance(node, exp.StrPosition):
            if node.args.get("occurrence") is not None:
                new = call("trino_strpos", node.this, node.args["substr"], node.args["occurrence"])
            elif node.args.get("position") is not None:
                raise NotSupportedError("strpos with a start position is not an Athena function")
        elif isinstance(node, exp.Split):
            args = [node.this, node.expression] + ([node.args["limit"]] if node.args.get("limit") else [])
            new = call(f"trino_split{len(args)}", *args)
        elif isinstance(node, exp.SplitPart):
            new = call("trino_split_part", node.this, node.args["delimiter"], node.args["part_index"])
        elif isinstance(node, exp.Pad):
            fill = node.args.get("fill_pattern")
            if fill is None:
                raise ProgrammingError(f"{'lpad' if node.args.get('is_left') else 'rpad'} needs three arguments "
                                       "in Athena: (string, size, padstring)")
            new = call("trino_lpad" if node.args.get("is_left") else "trino_rpad", node.this, node.expression, fill)
        elif isinstance(node, exp.Trim):
            new = _trim(node)
        elif isinstance(node, exp.Format):
            new = java_format(node)
        elif isinstance(node, exp.Normalize):
            form = node.args.get("form")
            form = form if isinstance(form, exp.Expression) else None
            if form is not None and form.name.upper() != "NFC":
                raise NotSupportedError(f"normalize(string, {form.name.upper()}) is not supported by lakebox: only NFC")
            new = call("nfc_normalize", node.this)
        elif isinstance(node, exp.StrToMap):
            new = call("trino_split_to_map", node.this, node.args.get("pair_delim") or _lit(","),
                       node.args.get("key_value_delim") or _lit(":"))
        elif isinstance(node, exp.DPipe):
            new = _concat(node)
        elif isinstance(node, exp.Decode):
            new = _from_utf8(node)
        elif isinstance(node, exp.Soundex):
            raise NotSupportedError("soundex is not supported by lakebox")
        elif isinstance(node, exp.Anonymous):
            new = _anonymous(node)
        if new is not node:
            swap(node, new)
    return expression


PRIORITY = 40  # leaf functions before aggregates (45), which copies subtrees
RULES = {"athena": [athena_strings]}

FUNCTIONS = {
    "concat": ("supported", "NULL if any argument is NULL; arrays concatenate too"),
    "||": ("supported", "NULL propagating; array || element appends"),
    "concat_ws": ("supported", "NULL arguments skipped"),
    "substr": ("supported", "start 0 and starts before the beginning give an empty string"),
    "substring": ("supported", "alias of substr"),
    "strpos": ("supported", "the instance argument counts from the end when negative (SQL macro)"),
    "position": ("supported", ""),
    "split": ("supported", "the limit form keeps the rest of the string in the last element"),
    "split_part": ("supported", "NULL past the last field; index below 1 is an error"),
    "split_to_map": ("supported", "SQL macro; duplicate keys are an error"),
    "split_to_multimap": ("supported", "SQL macro"),
    "lpad": ("supported", "negative size and empty pad string are errors"),
    "rpad": ("supported", "negative size and empty pad string are errors"),
    "trim": ("supported", "removes Java whitespace (tabs, newlines, Unicode spaces), or the given characters"),
    "ltrim": ("supported", "as trim"),
    "rtrim": ("supported", "as trim"),
    "length": ("supported", ""),
    "lower": ("supported", ""),
    "upper": ("supported", ""),
    "reverse": ("supported", "strings and arrays"),
    "replace": ("supported", ""),
    "translate": ("supported", ""),
    "chr": ("supported", ""),
    "codepoint": ("supported", "error unless a single character"),
    "starts_with": ("supported", ""),
    "ends_with": ("supported", ""),
    "levenshtein_distance": ("supported", "DuckDB levenshtein"),
    "hamming_distance": ("supported", "error for strings of different lengths"),
    "luhn_check": ("supported", "SQL macro"),
    "normalize": ("partial", "NFC only; NFD, NFKC and NFKD raise an error"),
    "to_utf8": ("supported", ""),
    "from_utf8": ("partial", "invalid UTF-8 raises an error (Trino substitutes U+FFFD); the '' replacement drops "
                             "invalid sequences; other replacement characters raise an error"),
    "format": ("partial", "compiled at plan time from a literal Java format string: %s %S %d %f %x %X %b %n %% "
                          "with width, precision, argument index and the - 0 , + ( # flags; %e %g %t %c %o and "
                          "%s of a double outside [1E-3, 1E7) raise an error"),
    "soundex": ("not supported", "raises an error"),
    "word_stem": ("not supported", "raises an error"),
}
