"""Format strings: Athena's MySQL-style `date_format`/`date_parse` and Joda-pattern
`format_datetime`/`parse_datetime`, rewritten into DuckDB's `strftime`/`strptime`.

Each pattern is translated at planning time (the pattern must be a literal). A pattern letter or
specifier DuckDB cannot reproduce is either built from other SQL (Joda's `k`, `K`, `e`, `C`,
unpadded counts ...) or refused with an error naming the function and the letter; the specifiers
Trino itself rejects (`%D %U %u %V %w %X`) are errors in Trino's words.

sqlglot has already rewritten a `date_format`/`date_parse` literal into strftime codes when it
parsed the statement (its Presto TIME_MAPPING: `%i` -> `%M`, `%M` -> `%B`, `%u` -> `%W`, `%W` ->
`%A`, `%x` -> `%G` ...); this module reads those codes back with that mapping in mind.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type

# -- MySQL-style (after sqlglot's mapping) ------------------------------------------------------

# converted code -> (DuckDB strftime code, DuckDB strptime code or None when parsing cannot use it)
_MYSQL = {
    "%a": ("%a", "%a"), "%b": ("%b", "%b"), "%-m": ("%-m", "%m"), "%d": ("%d", "%d"), "%-d": ("%-d", "%d"),
    "%f": ("%f", "%n"), "%H": ("%H", "%H"), "%I": ("%I", "%I"), "%M": ("%M", "%M"), "%j": ("%j", "%j"),
    "%-H": ("%-H", "%H"), "%-I": ("%-I", "%I"), "%B": ("%B", "%B"), "%m": ("%m", "%m"), "%p": ("%p", "%p"),
    "%S": ("%S", "%S"), "%A": ("%A", "%A"), "%G": ("%G", None), "%Y": ("%Y", "%Y"), "%y": ("%y", "%y"),
    "%v": ("%V", None), "%%": ("%%", "%%"),
}
# codes standing for the specifiers Trino refuses, and the specifier the user wrote
_MYSQL_REFUSED = {"%D": "D", "%U": "U", "%W": "u", "%V": "V", "%w": "w", "%X": "X"}
_YEAR_CODES = {"%Y", "%y", "%G"}


def _mysql_codes(pattern: str) -> list[str]:
    """Split a (converted) pattern into codes ('%x' or '%-x') and literal characters."""
    tokens, i = [], 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern):
            if pattern[i + 1] == "-" and i + 2 < len(pattern):
                tokens.append(pattern[i:i + 3])
                i += 3
            else:
                tokens.append(pattern[i:i + 2])
                i += 2
        else:
            tokens.append(pattern[i])
            i += 1
    return tokens


def mysql_to_duckdb(pattern: str, function: str, parsing: bool) -> tuple[str, bool]:
    """(DuckDB pattern, has a year) for a date_format/date_parse pattern in sqlglot's converted form."""
    out, has_year = [], False
    for token in _mysql_codes(pattern):
        if token in _MYSQL_REFUSED:
            raise ProgrammingError(f"%{_MYSQL_REFUSED[token]} not supported in date format string")
        if token in _MYSQL:
            code = _MYSQL[token][1 if parsing else 0]
            if code is None:
                raise NotSupportedError(f"{function}: the specifier for {token} cannot be parsed by lakebox")
            out.append(code)
            has_year |= token in _YEAR_CODES
        elif token.startswith("%") and len(token) > 1:
            out.append(_literal(token[-1]))  # Trino prints an unknown specifier's letter as it is
        elif token == "%":
            out.append("%%")
        else:
            out.append(token)
    return "".join(out), has_year


def _literal(text: str) -> str:
    return text.replace("%", "%%")


# -- Joda -------------------------------------------------------------------------------------

JODA_LETTERS = set("GCYxweEyDMdaKhHkmsSzZ")


def joda_tokens(pattern: str) -> list[tuple[str, int | str]]:
    """[(letter, count) | ("'", literal text)] as Joda's DateTimeFormat reads a pattern."""
    tokens: list[tuple[str, int | str]] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c.isascii() and c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            if c not in JODA_LETTERS:
                raise ProgrammingError(f"Illegal pattern component: {pattern[i:j]}")
            tokens.append((c, j - i))
            i = j
        elif c == "'":
            if pattern[i + 1:i + 2] == "'":
                tokens.append(("'", "'"))
                i += 2
                continue
            j, text = i + 1, []
            while j < len(pattern):
                if pattern[j] == "'":
                    if pattern[j + 1:j + 2] == "'":
                        text.append("'")
                        j += 2
                        continue
                    break
                text.append(pattern[j])
                j += 1
            tokens.append(("'", "".join(text)))
            i = j + 1
        else:
            tokens.append(("'", c))
            i += 1
    return tokens


def _padded(value: exp.Expression, count: int) -> exp.Expression:
    text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
    return text if count <= 1 else exp.Anonymous(this="lpad", expressions=[text, exp.Literal.number(count),
                                                                            exp.Literal.string("0")])


def _part(name: str, value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=[value.copy()])


class _Pieces:
    """strftime pattern text and SQL pieces, concatenated in order."""

    def __init__(self, value: exp.Expression):
        self.value = value
        self.items: list[exp.Expression] = []
        self.pattern: list[str] = []

    def code(self, text: str) -> None:
        self.pattern.append(text)

    def text(self, text: str) -> None:
        self.pattern.append(_literal(text))

    def expression(self, node: exp.Expression) -> None:
        self._flush()
        self.items.append(node)

    def _flush(self) -> None:
        if self.pattern:
            self.items.append(exp.Anonymous(this="strftime", expressions=[
                self.value.copy(), exp.Literal.string("".join(self.pattern))]))
            self.pattern = []

    def build(self) -> exp.Expression:
        self._flush()
        if not self.items:
            return exp.Literal.string("")
        result = self.items[0]
        for item in self.items[1:]:
            result = exp.DPipe(this=result, expression=item)
        return result


def _offset_text(value: exp.Expression, colon: bool) -> exp.Expression:
    from lakebox.dialects.datetime import ZONE_META, _offset_seconds
    if ZONE_META not in value.meta:
        return exp.Literal.string("+00:00" if colon else "+0000")
    offset = exp.Anonymous(this="lakebox_iso_offset", expressions=[_offset_seconds(value)])
    text = exp.Anonymous(this="replace", expressions=[offset, exp.Literal.string("Z"),
                                                        exp.Literal.string("+00:00")])
    if not colon:
        text = exp.Anonymous(this="replace", expressions=[text, exp.Literal.string(":"), exp.Literal.string("")])
    return text


def joda_format(value: exp.Expression, pattern: str) -> exp.Expression:
    """format_datetime(value, pattern) as DuckDB SQL."""
    from lakebox.dialects.datetime import ZONE_META
    pieces = _Pieces(value)
    for letter, count in joda_tokens(pattern):
        if letter == "'":
            pieces.text(str(count))
            continue
        n = int(count)
        if letter == "G":
            pieces.text("AD")
        elif letter == "C":
            pieces.expression(_padded(exp.IntDiv(this=_part("year", value), expression=exp.Literal.number(100)), n))
        elif letter in "yY":
            if n == 2:
                pieces.code("%y")
            elif n <= 4:
                pieces.code("%Y")
            else:
                pieces.expression(_padded(_part("year", value), n))
        elif letter == "x":
            if n == 2:
                year = exp.Cast(this=_part("isoyear", value), to=exp.DataType.build("VARCHAR"))
                pieces.expression(exp.Anonymous(this="right", expressions=[year, exp.Literal.number(2)]))
            else:
                pieces.code("%G")
        elif letter == "w":
            pieces.code("%V") if n == 2 else pieces.expression(_padded(_part("week", value), n))
        elif letter == "e":
            pieces.expression(_padded(_part("isodow", value), n))
        elif letter == "E":
            pieces.code("%A" if n >= 4 else "%a")
        elif letter == "D":
            pieces.code("%-j") if n == 1 else pieces.code("%j") if n == 3 else pieces.expression(
                _padded(_part("dayofyear", value), n))
        elif letter == "M":
            pieces.code({1: "%-m", 2: "%m", 3: "%b"}.get(n, "%B"))
        elif letter == "d":
            pieces.code("%-d") if n == 1 else pieces.code("%d") if n == 2 else pieces.expression(
                _padded(_part("day", value), n))
        elif letter == "a":
            pieces.code("%p")
        elif letter in "hHms":
            code = {"h": "I", "H": "H", "m": "M", "s": "S"}[letter]
            if n <= 2:
                pieces.code(f"%-{code}" if n == 1 else f"%{code}")
            else:
                function = {"h": None, "H": "hour", "m": "minute", "s": "second"}[letter]
                if function is None:
                    raise NotSupportedError(f"format_datetime: pattern letter '{letter * n}' is not supported")
                pieces.expression(_padded(_part(function, value), n))
        elif letter == "K":
            pieces.expression(_padded(exp.Mod(this=_part("hour", value), expression=exp.Literal.number(12)), n))
        elif letter == "k":
            hour = _part("hour", value)
            pieces.expression(_padded(exp.Case(ifs=[exp.If(this=exp.EQ(this=hour, expression=exp.Literal.number(0)),
                                                            true=exp.Literal.number(24))], default=hour.copy()), n))
        elif letter == "S":
            if n == 3:
                pieces.code("%g")
            elif n == 6:
                pieces.code("%f")
            elif n == 9:
                pieces.code("%n")
            elif n < 9:
                pieces.expression(exp.Anonymous(this="left", expressions=[
                    exp.Anonymous(this="strftime", expressions=[value.copy(), exp.Literal.string("%n")]),
                    exp.Literal.number(n)]))
            else:
                raise NotSupportedError(f"format_datetime: pattern letter '{'S' * n}' is not supported")
        elif letter == "z":
            if ZONE_META in value.meta:
                raise NotSupportedError("format_datetime: the zone name ('z') of a value with a time zone is "
                                        "not supported")
            pieces.text("Coordinated Universal Time" if n >= 4 else "UTC")
        elif letter == "Z":
            if n >= 3:
                if ZONE_META in value.meta:
                    raise NotSupportedError("format_datetime: the zone id ('ZZZ') of a value with a time zone "
                                            "is not supported")
                pieces.text("UTC")
            else:
                pieces.expression(_offset_text(value, colon=n == 2))
    return pieces.build()


_JODA_PARSE = {("M", 3): "%b", ("E", 4): "%A"}


def joda_parse_pattern(pattern: str, function: str = "parse_datetime") -> tuple[str, bool, bool]:
    """(DuckDB strptime pattern, has a year, has an offset) for a Joda pattern."""
    out, has_year, has_offset = [], False, False
    for letter, count in joda_tokens(pattern):
        if letter == "'":
            out.append(_literal(str(count)))
            continue
        n = int(count)
        if letter in "yY":
            out.append("%y" if n == 2 else "%Y")
            has_year = True
        elif letter == "M":
            out.append("%m" if n <= 2 else "%b" if n == 3 else "%B")
        elif letter == "d":
            out.append("%d")
        elif letter == "D":
            out.append("%j")
        elif letter in "Hhms":
            out.append({"H": "%H", "h": "%I", "m": "%M", "s": "%S"}[letter])
        elif letter == "S":
            out.append("%n")
        elif letter == "a":
            out.append("%p")
        elif letter == "E":
            out.append("%A" if n >= 4 else "%a")
        elif letter == "Z" and n <= 2:
            out.append("%z")
            has_offset = True
        else:
            raise NotSupportedError(f"{function}: pattern letter '{letter * n}' cannot be parsed by lakebox")
    return "".join(out), has_year, has_offset


# -- the rewrites -------------------------------------------------------------------------------

def _pattern(node: exp.Expression, function: str) -> str:
    pattern = node.args.get("format")
    if pattern is None and isinstance(node, exp.Anonymous) and len(node.expressions) == 2:
        pattern = node.expressions[1]
    if not isinstance(pattern, exp.Literal) or not pattern.is_string:
        raise NotSupportedError(f"{function}: the format must be a string literal")
    return pattern.this


def _checked_parse(text: exp.Expression, pattern: str, has_year: bool, function: str) -> exp.Expression:
    from lakebox.dialects.arithmetic import inside_try
    quiet = inside_try(text)  # before the new nodes below adopt `text`
    """strptime that fails in Trino's words, with Trino's 1970 default year and millisecond precision."""
    parsed = exp.Anonymous(this="try_strptime", expressions=[text, exp.Literal.string(pattern)])
    if not has_year:
        parsed = exp.Add(this=parsed, expression=exp.Interval(this=exp.Literal.string("70"),
                                                               unit=exp.Var(this="YEAR")))
    parsed = exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string("millisecond"), parsed])
    if quiet:
        return parsed
    failure = exp.Anonymous(this="error", expressions=[
        exp.DPipe(this=exp.DPipe(this=exp.Literal.string('Invalid format: "'), expression=text.copy()),
                  expression=exp.Literal.string('" is malformed'))])
    return exp.Case(ifs=[exp.If(this=exp.Is(this=text.copy(), expression=exp.Null()), true=exp.Null())],
                    default=exp.Coalesce(this=parsed, expressions=[failure]))


def _date_format(node: exp.TimeToStr) -> exp.Expression:
    pattern, _ = mysql_to_duckdb(_pattern(node, "date_format"), "date_format", parsing=False)
    return exp.Anonymous(this="strftime", expressions=[node.this, exp.Literal.string(pattern)])


def _date_parse(node: exp.StrToTime) -> exp.Expression:
    pattern, has_year = mysql_to_duckdb(_pattern(node, "date_parse"), "date_parse", parsing=True)
    return _checked_parse(node.this, pattern, has_year, "date_parse")


def _format_datetime(node: exp.Anonymous) -> exp.Expression:
    if len(node.expressions) != 2:
        raise ProgrammingError("format_datetime takes a timestamp and a format")
    return joda_format(node.expressions[0], _pattern(node, "format_datetime"))


def _parse_datetime(node: exp.Expression) -> exp.Expression:
    pattern, has_year, has_offset = joda_parse_pattern(_pattern(node, "parse_datetime"))
    parsed = _checked_parse(node.this, pattern, has_year, "parse_datetime")
    return exp.Cast(this=parsed, to=exp.DataType.build("TIMESTAMPTZ"))


def _rewrite(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.TimeToStr):
        return _date_format(node)
    if isinstance(node, exp.StrToTime):
        return _date_parse(node)
    if isinstance(node, exp.ParseDatetime):
        return _parse_datetime(node)
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "format_datetime":
            return _format_datetime(node)
        if name == "parse_datetime":
            return _parse_datetime(exp.ParseDatetime(this=node.expressions[0], format=node.expressions[1]))
    return None


_FORMAT_CLASSES = frozenset({exp.TimeToStr, exp.StrToTime, exp.ParseDatetime})


def athena_formats(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One walk: every date_format/date_parse/format_datetime/parse_datetime to strftime/strptime."""
    from lakebox.dialects.arithmetic import query_profile
    kinds, names, _ = query_profile(expression)
    if not kinds & _FORMAT_CLASSES and not names & {"format_datetime", "parse_datetime"}:
        return expression
    for node in reversed(list(expression.walk())):
        parent, key, index = node.parent, node.arg_key, node.index
        replacement = _rewrite(node)
        if replacement is not None and parent is not None:
            parent.set(key, replacement, index)
    return expression


PRIORITY = 6  # after datetime (5): format_datetime reads the zone a zoned value carries
RULES = {"athena": [athena_formats]}

FUNCTIONS = {
    "date_format": ("supported", "MySQL specifiers translated to strftime; %D %U %u %V %w %X are errors as "
                    "in Trino; literal formats only"),
    "date_parse": ("partial", "as date_format; %v and %x cannot be parsed; missing fields default to "
                   "1970-01-01; millisecond precision"),
    "format_datetime": ("supported", "Joda patterns (letters G C Y x w e E y D M d a K h H k m s S z Z and "
                        "quoted text); zone names of values with a time zone are refused"),
    "parse_datetime": ("partial", "Joda letters y Y M d D H h m s S a E Z and quoted text; others (x w e K k "
                       "C G z) are refused; the result is the instant, in UTC"),
}
