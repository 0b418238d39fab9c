"""Redshift's PostgreSQL template patterns: TO_CHAR, TO_DATE, TO_TIMESTAMP and TO_NUMBER.

The template is read at plan time (it must be a string literal) and compiled into a DuckDB
expression: no per-row Python, no per-row parsing of the template.

- `TO_CHAR(timestamp, template)`: PostgreSQL's datetime keywords, matched longest first and
  case-sensitively as PostgreSQL does (`MONTH`/`Month`/`month` and `DAY`/`Day`/`day` blank-padded to
  9, `MON`, `DY`, `YYYY` ... `Y`, `Y,YYY`, `IYYY`, `CC`, `Q`, `RM`, `W`, `WW`, `IW`, `DDD`, `IDDD`,
  `DD`, `D`, `ID`, `J`, `HH24`, `HH12`, `HH`, `MI`, `SS`, `SSSS`, `MS`, `US`, `AM`/`PM` and their
  dotted and lower-case forms, `BC`/`AD`, `TZ`, `OF`), the `FM` prefix, the `TH`/`th` suffix, quoted
  text and backslash escapes; anything else is copied.
- `TO_CHAR(number, template)`: `9`, `0`, `.`/`D`, `,`/`G`, `S`, `MI`, `PL`, `SG`, `PR`, `L` (`$`),
  `RN`/`rn`, `TH`/`th`, `FM`: digits right-aligned in their positions, a sign position before the
  number unless S/MI/SG/PR place it, `#` in every position when the number does not fit, rounding
  half away from zero.
- `TO_DATE(text, template [, is_strict])` and `TO_TIMESTAMP(text, template [, is_strict])`: the
  template becomes a regular expression with one group per field; out-of-range fields roll over
  (`20010631` is 2001-07-01) unless `is_strict` is true, which makes them an error in Redshift's
  words. TO_TIMESTAMP returns TIMESTAMPTZ.
- `TO_NUMBER(text, template)`: digits are read into the template's positions (extra integer
  digits and fraction digits beyond the template are dropped, as PostgreSQL does), with the sign
  from `-`, `S`, `MI` or `<...>`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlglot
from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import T, cast, kind, typed
from lakebox.errors import NotSupportedError, ProgrammingError

_X = "__lakebox_x"  # the placeholder column a compiled template refers to

# -- datetime keywords (PostgreSQL's DCH_keywords, in its matching order) ---------------------

_DCH = [
    "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D", "FX", "HH24",
    "HH12", "HH", "IDDD", "ID", "IW", "IYYY", "IYY", "IY", "I", "J", "MI", "MM", "MONTH", "MON", "MS", "Month",
    "Mon", "OF", "P.M.", "PM", "Q", "RM", "SSSSS", "SSSS", "SS", "TZ", "US", "WW", "W", "Y,YYY", "YYYY", "YYY",
    "YY", "Y", "a.d.", "a.m.", "ad", "am", "b.c.", "bc", "cc", "day", "ddd", "dd", "dy", "d", "fx", "hh24",
    "hh12", "hh", "iddd", "id", "iw", "iyyy", "iyy", "iy", "i", "j", "mi", "mm", "month", "mon", "ms", "of",
    "p.m.", "pm", "q", "rm", "sssss", "ssss", "ss", "tz", "us", "ww", "w", "y,yyy", "yyyy", "yyy", "yy", "y",
]
_DCH_SORTED = sorted(_DCH, key=len, reverse=True)

_ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _pad(sql: str, width: int, fill_mode: bool) -> str:
    return sql if fill_mode or width == 1 else f"lakebox_rs_zero_pad({sql}, {width})"


def _num(expr: str) -> str:
    return f"CAST({expr} AS VARCHAR)"


def _case(text_sql: str, keyword: str) -> str:
    """Upper, capitalized or lower case as the keyword is written (MONTH, Month, month)."""
    if keyword.isupper():
        return f"upper({text_sql})"
    if keyword.islower():
        return f"lower({text_sql})"
    return text_sql


def _datetime_field(keyword: str, fm: bool) -> tuple[str, str | None]:
    """(DuckDB SQL of the field over x, the number an ordinal suffix (TH) reads, or None)."""
    k = keyword.upper()
    x = _X
    numeric = {
        "YYYY": (f"year({x})", 4), "YYY": (f"year({x}) % 1000", 3), "YY": (f"year({x}) % 100", 2),
        "Y": (f"year({x}) % 10", 1), "IYYY": (f"isoyear({x})", 4), "IYY": (f"isoyear({x}) % 1000", 3),
        "IY": (f"isoyear({x}) % 100", 2), "I": (f"isoyear({x}) % 10", 1), "CC": (f"century({x})", 2),
        "Q": (f"quarter({x})", 1), "MM": (f"month({x})", 2), "W": (f"((day({x}) - 1) // 7 + 1)", 1),
        "WW": (f"((dayofyear({x}) - 1) // 7 + 1)", 2), "IW": (f"week({x})", 2), "DDD": (f"dayofyear({x})", 3),
        "IDDD": (f"((week({x}) - 1) * 7 + isodow({x}))", 3), "DD": (f"day({x})", 2),
        "D": (f"(dayofweek({x}) + 1)", 1), "ID": (f"isodow({x})", 1),
        "J": (f"(CAST({x} AS DATE) - DATE '1970-01-01' + 2440588)", 1),
        "HH24": (f"hour({x})", 2), "HH12": (f"((hour({x}) + 11) % 12 + 1)", 2),
        "HH": (f"((hour({x}) + 11) % 12 + 1)", 2), "MI": (f"minute({x})", 2), "SS": (f"second({x})", 2),
        "SSSS": (f"(hour({x}) * 3600 + minute({x}) * 60 + second({x}))", 1),
        "SSSSS": (f"(hour({x}) * 3600 + minute({x}) * 60 + second({x}))", 1),
        "MS": (f"((microsecond({x}) // 1000) % 1000)", 3), "US": (f"(microsecond({x}) % 1000000)", 6),
    }
    if k in numeric:
        expr, width = numeric[k]
        return _pad(_num(expr), width, fm and k not in ("MS", "US")), expr
    if k == "Y,YYY":
        return (f"{_num(f'year({x}) // 1000')} || ',' || lpad({_num(f'year({x}) % 1000')}, 3, '0')"), f"year({x})"
    if k in ("MONTH", "DAY"):
        name = f"monthname({x})" if k == "MONTH" else f"dayname({x})"
        text = _case(name, keyword)
        return (text if fm else f"rpad({text}, 9, ' ')"), None
    if k in ("MON", "DY"):
        name = f"left(monthname({x}), 3)" if k == "MON" else f"left(dayname({x}), 3)"
        return _case(name, keyword), None
    if k == "RM":
        roman = "[" + ", ".join(f"'{r if fm else r.ljust(4)}'" for r in _ROMAN_MONTHS) + "]"
        text = f"{roman}[month({x})]"
        return (f"lower({text})" if keyword.islower() else text), None
    if k in ("AM", "PM", "A.M.", "P.M."):
        dotted = "." in k
        am, pm = ("A.M.", "P.M.") if dotted else ("AM", "PM")
        if keyword.islower():
            am, pm = am.lower(), pm.lower()
        return f"CASE WHEN hour({x}) < 12 THEN '{am}' ELSE '{pm}' END", None
    if k in ("AD", "BC", "A.D.", "B.C."):
        dotted = "." in k
        ad, bc = ("A.D.", "B.C.") if dotted else ("AD", "BC")
        if keyword.islower():
            ad, bc = ad.lower(), bc.lower()
        return f"CASE WHEN year({x}) > 0 THEN '{ad}' ELSE '{bc}' END", None
    if k == "TZ":
        return ("'utc'" if keyword.islower() else "'UTC'"), None
    if k == "OF":
        return "'+00'", None
    if k == "FX":
        return "''", None
    raise NotSupportedError(f"TO_CHAR: template pattern {keyword} is not supported by lakebox")


def _ordinal(number_sql: str, upper: bool) -> str:
    suffixes = ("'TH'", "'ST'", "'ND'", "'RD'") if upper else ("'th'", "'st'", "'nd'", "'rd'")
    n = f"CAST({number_sql} AS BIGINT)"
    return (f"CASE WHEN {n} % 100 IN (11, 12, 13) THEN {suffixes[0]} WHEN {n} % 10 = 1 THEN {suffixes[1]} "
            f"WHEN {n} % 10 = 2 THEN {suffixes[2]} WHEN {n} % 10 = 3 THEN {suffixes[3]} ELSE {suffixes[0]} END")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compile_datetime(template: str) -> str:
    """DuckDB SQL (over the placeholder column) for TO_CHAR of a timestamp."""
    parts: list[str] = []
    literal: list[str] = []

    def flush():
        if literal:
            parts.append(_literal("".join(literal)))
            literal.clear()

    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == '"':
            j = i + 1
            while j < n and template[j] != '"':
                if template[j] == "\\" and j + 1 < n:
                    j += 1
                literal.append(template[j])
                j += 1
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            literal.append(template[i + 1])
            i += 2
            continue
        fm = False
        j = i
        while template.startswith(("FM", "fm"), j) or template.startswith(("TM", "tm"), j):
            fm = fm or template[j:j + 2].upper() == "FM"
            j += 2
        keyword = next((kw for kw in _DCH_SORTED if template.startswith(kw, j)), None)
        if keyword is None:
            if j > i:  # a modifier with nothing after it: PostgreSQL ignores it
                i = j
                continue
            literal.append(c)
            i += 1
            continue
        flush()
        sql, number = _datetime_field(keyword, fm)
        parts.append(f"({sql})")
        i = j + len(keyword)
        if template.startswith(("TH", "th"), i):
            if number is not None:
                parts.append(f"({_ordinal(number, template[i:i + 2] == 'TH')})")
            i += 2
        elif template.startswith(("SP", "sp"), i):
            i += 2
    flush()
    if not parts:
        return "''"
    return " || ".join(parts)


# -- numeric templates ------------------------------------------------------------------------

_NUM_KEYWORDS = ["FM", "fm", "PR", "pr", "MI", "mi", "PL", "pl", "SG", "sg", "RN", "rn", "TH", "th", "EEEE",
                 "eeee", "9", "0", ".", "D", "d", ",", "G", "g", "S", "s", "L", "l", "V", "v", "B", "b", "C", "c"]


def _num_tokens(template: str) -> list[tuple[str, str]]:
    """[(kind, text)]: kind is the upper-case keyword, or 'lit' for copied text."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == '"':
            j = template.find('"', i + 1)
            j = n if j == -1 else j
            tokens.append(("lit", template[i + 1:j]))
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            tokens.append(("lit", template[i + 1]))
            i += 2
            continue
        keyword = next((kw for kw in _NUM_KEYWORDS if template.startswith(kw, i)), None)
        if keyword is None:
            tokens.append(("lit", c))
            i += 1
            continue
        tokens.append((keyword.upper(), keyword))
        i += len(keyword)
    return tokens


def compile_number(template: str) -> tuple[str, int, bool]:
    """(DuckDB SQL over the lambda parameter `p` of number parts, fraction digits, whether a zero value prints
    a lone 0: in fill mode with no 0 among the fraction positions)."""
    tokens = _num_tokens(template)
    kinds = [k for k, _ in tokens]
    for unsupported in ("V", "EEEE", "B", "C"):
        if unsupported in kinds:
            raise NotSupportedError(f"TO_CHAR: numeric template pattern {unsupported} is not supported by lakebox")
    fm = "FM" in kinds
    if "RN" in kinds:
        lower = next(text for k, text in tokens if k == "RN") == "rn"
        roman = "lakebox_rs_roman(struct_extract(p, 'r'))"
        text = roman if fm else f"lpad({roman}, 15, ' ')"
        return (f"lower({text})" if lower else text), 0, fm
    point = next((i for i, k in enumerate(kinds) if k in (".", "D")), None)
    digit_indexes = [i for i, k in enumerate(kinds) if k in ("9", "0")]
    int_positions = [i for i in digit_indexes if point is None or i < point]
    frac_positions = [i for i in digit_indexes if point is not None and i > point]
    big_n, big_f = len(int_positions), len(frac_positions)
    zero_from = next((pos for pos, i in enumerate(int_positions, 1) if kinds[i] == "0"), big_n + 1)
    first_digit = digit_indexes[0] if digit_indexes else len(tokens)
    has_slot = not any(k in kinds for k in ("S", "MI", "SG", "PR"))
    leading_s = any(k == "S" and i < first_digit for i, k in enumerate(kinds))
    blank = "''" if fm else "' '"

    if "PR" in kinds:
        slot = f"CASE WHEN struct_extract(p, 'neg') THEN '<' ELSE {blank} END"
    elif leading_s:
        slot = "CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE '+' END"
    elif has_slot:
        slot = f"CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE {blank} END"
    else:
        slot = None

    def printed(pos: int) -> str:
        if pos >= zero_from:
            return "true"
        return f"length(struct_extract(p, 'ip')) > {big_n - pos}"

    normal: list[str] = []
    overflow: list[str] = []
    int_seen = 0
    frac_seen = 0
    for index, (k, text) in enumerate(tokens):
        if k in ("9", "0") and (point is None or index < point):
            int_seen += 1
            pos = int_seen
            j = big_n - pos
            digit = f"CASE WHEN length(struct_extract(p, 'ip')) > {j} THEN substring(struct_extract(p, 'ip'), length(struct_extract(p, 'ip')) - {j}, 1) ELSE '0' END"
            this_printed = printed(pos)
            if slot is not None:
                before = "false" if pos == 1 else printed(pos - 1)
                if this_printed == "true" and before == "true":
                    pass
                else:
                    normal.append(f"CASE WHEN ({this_printed}) AND NOT ({before}) THEN {slot} ELSE '' END")
                if pos == 1:
                    overflow.append(slot)
            normal.append(f"CASE WHEN {this_printed} THEN {digit} ELSE {blank} END")
            overflow.append("'#'")
        elif k in ("9", "0"):
            frac_seen += 1
            digit = f"substring(struct_extract(p, 'fp'), {frac_seen}, 1)"
            if fm and not any(kinds[i] == "0" for i in frac_positions[frac_seen - 1:]):
                normal.append(f"CASE WHEN rtrim(substring(struct_extract(p, 'fp'), {frac_seen}), '0') <> '' THEN {digit} ELSE '' END")
            else:
                normal.append(digit)
            overflow.append("'#'")
        elif k in (".", "D"):
            if slot is not None:
                if big_n == 0:
                    normal.append(slot)
                else:
                    normal.append(f"CASE WHEN NOT ({printed(big_n)}) THEN {slot} ELSE '' END")
            normal.append("'.'")
            overflow.append("'.'")
        elif k in (",", "G"):
            pos = int_seen
            if pos == 0:
                normal.append(blank)
            else:
                normal.append(f"CASE WHEN {printed(pos)} THEN ',' ELSE {blank} END")
            overflow.append("','")
        elif k == "S":
            if not (leading_s and index < first_digit):
                normal.append("CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE '+' END")
                overflow.append("CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE '+' END")
        elif k == "MI":
            normal.append(f"CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE {blank} END")
            overflow.append(f"CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE {blank} END")
        elif k == "PL":
            normal.append(f"CASE WHEN struct_extract(p, 'neg') THEN {blank} ELSE '+' END")
            overflow.append(f"CASE WHEN struct_extract(p, 'neg') THEN {blank} ELSE '+' END")
        elif k == "SG":
            normal.append("CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE '+' END")
            overflow.append("CASE WHEN struct_extract(p, 'neg') THEN '-' ELSE '+' END")
        elif k == "PR":
            normal.append(f"CASE WHEN struct_extract(p, 'neg') THEN '>' ELSE {blank} END")
            overflow.append(f"CASE WHEN struct_extract(p, 'neg') THEN '>' ELSE {blank} END")
        elif k == "L":
            normal.append("'$'")
            overflow.append("'$'")
        elif k == "TH":
            ordinal = _ordinal("struct_extract(p, 'r')", text == "TH")
            suffix = (f"CASE WHEN struct_extract(p, 'neg') OR struct_extract(p, 'fp') <> '' THEN '' "
                      f"ELSE {ordinal} END")
            normal.append(suffix)
        elif k == "FM":
            continue
        else:
            normal.append(_literal(text))
            overflow.append(_literal(text))
    if big_n == 0 and big_f == 0:
        raise ProgrammingError(f"TO_CHAR: template '{template}' has no digit positions (9 or 0)")
    body = " || ".join(normal) if normal else "''"
    over = " || ".join(overflow) if overflow else "''"
    force_zero = fm and not any(kinds[i] == "0" for i in frac_positions)
    return f"CASE WHEN length(struct_extract(p, 'ip')) > {big_n} THEN {over} ELSE {body} END", big_f, force_zero


# -- parsing templates (TO_DATE, TO_TIMESTAMP, TO_NUMBER) -------------------------------------

_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december"]
_DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

_PARSE_NUMERIC = {"YYYY": ("year", 4), "YYY": ("year", 3), "YY": ("year2", 2), "Y": ("year1", 1),
                  "IYYY": ("year", 4), "MM": ("month", 2), "DD": ("day", 2), "DDD": ("doy", 3),
                  "HH24": ("hour", 2), "HH12": ("hour12", 2), "HH": ("hour12", 2), "MI": ("minute", 2),
                  "SS": ("second", 2), "MS": ("ms", 3), "US": ("us", 6), "CC": ("cc", 2), "Q": ("q", 1),
                  "D": ("dow", 1), "ID": ("dow", 1), "IW": ("iw", 2), "WW": ("ww", 2), "W": ("w", 1),
                  "J": ("julian", 7), "SSSS": ("sssss", 5), "SSSSS": ("sssss", 5)}


def compile_parser(template: str, function: str) -> tuple[str, list[str]]:
    """(a regular expression with one group per field, the field of each group)."""
    pattern = [r"^\s*"]
    fields: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == '"':
            j = template.find('"', i + 1)
            j = n if j == -1 else j
            pattern.append(re.escape(template[i + 1:j]))
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            pattern.append(re.escape(template[i + 1]))
            i += 2
            continue
        j = i
        while template.startswith(("FM", "fm", "FX", "fx", "TM", "tm"), j):
            j += 2
        keyword = next((kw for kw in _DCH_SORTED if template.startswith(kw, j)), None)
        if keyword is None:
            if c.isspace():
                pattern.append(r"\s*")
            elif c.isalnum():
                pattern.append(re.escape(c))
            else:
                pattern.append(r"[^\w\s]?\s*")  # a separator matches any separator, or none
            i = j + 1 if j == i else j
            continue
        k = keyword.upper()
        if k in _PARSE_NUMERIC:
            field, width = _PARSE_NUMERIC[k]
            pattern.append(r"(\d{1,%d})" % width if k not in ("J",) else r"(\d+)")
            fields.append(field)
        elif k == "Y,YYY":
            pattern.append(r"(\d{1,3},\d{3})")
            fields.append("ycomma")
        elif k in ("MONTH", "MON"):
            pattern.append(r"(?i:(%s))" % "|".join(
                sorted((m if k == "MONTH" else m[:3] for m in _MONTH_NAMES), key=len, reverse=True)))
            fields.append("monthname")
        elif k in ("DAY", "DY"):
            pattern.append(r"(?i:%s)" % "|".join(
                sorted((d if k == "DAY" else d[:3] for d in _DAY_NAMES), key=len, reverse=True)))
        elif k == "RM":
            pattern.append(r"(?i:(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I))")
            fields.append("roman")
        elif k in ("AM", "PM", "A.M.", "P.M."):
            pattern.append(r"(?i:([ap]\.?m\.?))")
            fields.append("meridian")
        elif k in ("AD", "BC", "A.D.", "B.C."):
            pattern.append(r"(?i:([ab]\.?[dc]\.?))")
            fields.append("era")
        elif k in ("TZ", "OF"):
            raise NotSupportedError(f"{function}: time zone patterns (TZ, OF) are not supported as input")
        else:
            raise NotSupportedError(f"{function}: template pattern {keyword} is not supported by lakebox")
        i = j + len(keyword)
        if template.startswith(("TH", "th"), i):
            pattern.append(r"(?i:st|nd|rd|th)?")
            i += 2
    return "".join(pattern), fields


def _field(fields: list[str], name: str) -> str | None:
    if name not in fields:
        return None
    return f"struct_extract(m, 'g{fields.index(name)}')"


def _int_field(fields: list[str], name: str) -> str | None:
    ref = _field(fields, name)
    return None if ref is None else f"CAST({ref} AS INTEGER)"


def compile_datetime_parser(template: str, function: str, strict: bool, want_time: bool) -> tuple[str, str]:
    """(regex, DuckDB SQL over the lambda parameter `m` (struct of groups) -> TIMESTAMP)."""
    regex, fields = compile_parser(template, function)
    year = _int_field(fields, "year")
    if year is None and "year2" in fields:
        y2 = _int_field(fields, "year2")
        year = f"(CASE WHEN {y2} < 70 THEN 2000 + {y2} ELSE 1900 + {y2} END)"
    if year is None and "year1" in fields:
        year = f"(2000 + {_int_field(fields, 'year1')})"
    if year is None and "ycomma" in fields:
        year = f"CAST(replace({_field(fields, 'ycomma')}, ',', '') AS INTEGER)"
    if year is None and "cc" in fields:
        year = f"(({_int_field(fields, 'cc')} - 1) * 100 + 1)"
    if year is None:
        year = "1"
    era = _field(fields, "era")
    if era is not None:
        year = f"(CASE WHEN lower({era}) LIKE 'b%' THEN 1 - {year} ELSE {year} END)"
    month = _int_field(fields, "month")
    if month is None and "monthname" in fields:
        month = f"lakebox_rs_month_number({_field(fields, 'monthname')})"
    if month is None and "roman" in fields:
        month = f"(list_position({['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII']}, " \
                f"upper({_field(fields, 'roman')})))"
    day = _int_field(fields, "day")
    if month is None and day is None and "doy" in fields:
        month, day = "1", _int_field(fields, "doy")
    if "julian" in fields:
        base = f"(DATE '1970-01-01' + ({_int_field(fields, 'julian')} - 2440588))"
        date_sql = f"CAST({base} AS TIMESTAMP)"
        checks = []
    else:
        month = month or "1"
        day = day or "1"
        date_sql = (f"(make_timestamp({year}, 1, 1, 0, 0, 0) + to_months({month} - 1) + to_days({day} - 1))")
        checks = [(f"{month} NOT BETWEEN 1 AND 12 OR {day} < 1 OR {day} > "
                   f"day(last_day(make_date({year}, least(greatest({month}, 1), 12), 1)))",
                   f"'date/time field date value out of range: ' || {year} || '-' || {month} || '-' || {day}")]
    hour = _int_field(fields, "hour")
    if hour is None and "hour12" in fields:
        h12 = _int_field(fields, "hour12")
        meridian = _field(fields, "meridian")
        if meridian is not None:
            hour = f"(({h12} % 12) + CASE WHEN lower({meridian}) LIKE 'p%' THEN 12 ELSE 0 END)"
        else:
            hour = h12
    minute = _int_field(fields, "minute") or "0"
    second = _int_field(fields, "second") or "0"
    hour = hour or "0"
    micro = "0"
    if "us" in fields:
        micro = f"CAST(rpad({_field(fields, 'us')}, 6, '0') AS INTEGER)"
    elif "ms" in fields:
        micro = f"CAST(rpad({_field(fields, 'ms')}, 3, '0') AS INTEGER) * 1000"
    if "sssss" in fields:
        time_sql = f"to_seconds({_int_field(fields, 'sssss')})"
    else:
        time_sql = (f"to_hours({hour}) + to_minutes({minute}) + to_seconds({second}) + "
                    f"to_microseconds({micro})")
    if want_time:
        checks.append((f"{hour} > 23 OR {minute} > 59 OR {second} > 59",
                       f"'date/time field time value out of range: ' || {hour} || ':' || lpad({minute}::VARCHAR, 2, "
                       f"'0') || ':' || lpad({second}::VARCHAR, 2, '0') || '.0'"))
    result = f"{date_sql} + {time_sql}" if want_time else date_sql
    if strict and checks:
        conditions = " ".join(f"WHEN {cond} THEN error({message})" for cond, message in checks)
        result = f"CASE {conditions} ELSE {result} END"
    return regex, result


def compile_number_parser(template: str) -> tuple[str, int]:
    """(DuckDB SQL over the placeholder text -> DECIMAL text, fraction digits)."""
    tokens = _num_tokens(template)
    kinds = [k for k, _ in tokens]
    point = next((i for i, k in enumerate(kinds) if k in (".", "D")), None)
    digits = [i for i, k in enumerate(kinds) if k in ("9", "0")]
    big_n = len([i for i in digits if point is None or i < point])
    big_f = len([i for i in digits if point is not None and i > point])
    x = _X
    body = f"regexp_extract({x}, '^[^0-9.]*([0-9,]*)(\\.([0-9]*))?', ['i', 'dot', 'f'])"
    sql = (f"lakebox_rs_to_number_parts({body}, {big_n}, {big_f}, "
           f"regexp_matches({x}, '-|<') OR ({'true' if 'MI' in kinds or 'S' in kinds else 'false'} "
           f"AND regexp_matches({x}, '-\\s*$')))")
    return sql, big_f


# -- compiled templates as sqlglot trees -------------------------------------------------------

@lru_cache(maxsize=512)
def _parsed(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


def _instantiate(sql: str, value: exp.Expression) -> exp.Expression:
    tree = _parsed(sql).copy()
    for column in list(tree.find_all(exp.Column)):
        if column.name == _X and not column.table:
            column.replace(value.copy())
    if isinstance(tree, exp.Column) and tree.name == _X:
        return value.copy()
    return tree


def _template(function: str, node: exp.Expression | None) -> str:
    text = rc.string_value(node)
    if text is None:
        raise NotSupportedError(f"{function}: lakebox needs the template as a string literal")
    return text


def to_char(node: exp.TimeToStr) -> exp.Expression:
    template = _template("TO_CHAR", node.args.get("format"))
    value = node.this
    k = kind(value)
    if k in rc.NUMERIC:
        return to_char_number(value, template)
    if k in rc.TIMESTAMPS or k == T.DATE:
        ts = cast(value, "TIMESTAMP") if k == T.DATE else value
    elif k in rc.TIMESTAMPTZ:
        ts = cast(value, "TIMESTAMP")
    elif k in rc.STRINGS:
        ts = rc.as_timestamp(value)
    else:
        raise NotSupportedError(f"TO_CHAR: lakebox cannot tell whether {value.sql('redshift')} is a number or a "
                                "timestamp (its type is unknown); cast it")
    return typed(_instantiate(f"CASE WHEN {_X} IS NULL THEN NULL ELSE {compile_datetime(template)} END", ts),
                 "VARCHAR")


def to_char_number(value: exp.Expression, template: str) -> exp.Expression:
    body, fraction, force_zero = compile_number(template)
    k = kind(value)
    if k in rc.FLOATS:
        decimal_value = f"CAST({_X} AS DECIMAL(38, 10))"
    elif k in rc.DECIMALS:
        decimal_value = _X
    else:
        decimal_value = f"CAST({_X} AS DECIMAL(38, 0))"
    sql = (f"CASE WHEN {_X} IS NULL THEN NULL ELSE list_transform([lakebox_rs_number_parts({decimal_value}, "
           f"{fraction}, {str(force_zero).lower()})], lambda p: {body})[1] END")
    return typed(_instantiate(sql, value), "VARCHAR")


def _is_strict(node: exp.Expression | None) -> bool:
    if node is None:
        return False
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    raise NotSupportedError("TO_DATE/TO_TIMESTAMP: lakebox needs is_strict as TRUE or FALSE")


def to_date(node: exp.Expression, function: str, want_time: bool, strict_arg: exp.Expression | None) -> exp.Expression:
    template = _template(function, node.args.get("format"))
    value = node.this
    if kind(value) not in rc.STRINGS and kind(value) != T.UNKNOWN:
        value = cast(value, "VARCHAR")
    regex, body = compile_datetime_parser(template, function, _is_strict(strict_arg), want_time)
    groups = regex.count("(") - regex.count("(?") - regex.count("\\(")
    names = ", ".join(f"'g{i}'" for i in range(groups))
    fields = f"regexp_extract({_X}, {_literal(regex)}, [{names}])" if groups else "{'g0': NULL}"
    template_sql = _literal(template)
    sql = (f"CASE WHEN {_X} IS NULL THEN NULL WHEN NOT regexp_matches({_X}, {_literal(regex)}) THEN "
           f"error('invalid value \"' || {_X} || '\" for template ' || {template_sql}) ELSE "
           f"list_transform([{fields}], lambda m: {body})[1] END")
    result = _instantiate(sql, value)
    if want_time:
        return typed(exp.Cast(this=result, to=rc.datatype("TIMESTAMPTZ")), "TIMESTAMPTZ")
    return cast(result, "DATE")


def to_number(node: exp.ToNumber) -> exp.Expression:
    template = _template("TO_NUMBER", node.args.get("format"))
    sql, fraction = compile_number_parser(template)
    value = node.this
    if kind(value) not in rc.STRINGS and kind(value) != T.UNKNOWN:
        value = cast(value, "VARCHAR")
    return cast(_instantiate(sql, value), f"DECIMAL(38, {fraction})")


def _handler(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.TimeToStr):
        return to_char(node)
    if isinstance(node, exp.StrToDate):
        return to_date(node, "TO_DATE", False, _extra(node))
    if isinstance(node, exp.StrToTime):
        return to_date(node, "TO_TIMESTAMP", True, _extra(node))
    if isinstance(node, exp.ToNumber):
        return to_number(node)
    return None


def _extra(node: exp.Expression) -> exp.Expression | None:
    return node.meta.get("lakebox_is_strict")


_NODES = (exp.TimeToStr, exp.StrToDate, exp.StrToTime, exp.ToNumber)


def redshift_formats(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Compile Redshift's template patterns (one walk; innermost first)."""
    return rc.rewrite_innermost(expression, _NODES, _handler)


MACROS = [
    # the parts of a number rounded to `fraction` digits: sign, integer digits, fraction digits
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_number_parts(v, fraction, force_zero) AS ("
    " {'neg': round(v, fraction) < 0,"
    "  'ip': CASE WHEN trunc(abs(round(v, fraction))) = 0"
    "   THEN (CASE WHEN fraction = 0 OR (force_zero AND round(v, fraction) = 0) THEN '0' ELSE '' END)"
    "   ELSE CAST(CAST(trunc(abs(round(v, fraction))) AS HUGEINT) AS VARCHAR) END,"
    "  'fp': CASE WHEN fraction = 0 THEN '' ELSE lpad(CAST(CAST((abs(round(v, fraction))"
    "   - trunc(abs(round(v, fraction)))) * pow(10, fraction)::HUGEINT AS HUGEINT) AS VARCHAR), fraction, '0') END,"
    "  'r': round(v, 0)})",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_zero_pad(s, w) AS (CASE WHEN length(s) >= w THEN s ELSE lpad(s, w, '0') END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_roman_int(n) AS ("
    " CASE WHEN n < 1 OR n > 3999 THEN '###############' ELSE"
    " repeat('M', CAST(n // 1000 AS INTEGER))"
    " || ['', 'C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'][CAST((n % 1000) // 100 AS INTEGER) + 1]"
    " || ['', 'X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'][CAST((n % 100) // 10 AS INTEGER) + 1]"
    " || ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'][CAST(n % 10 AS INTEGER) + 1] END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_roman(v) AS (lakebox_rs_roman_int(CAST(v AS BIGINT)))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_month_number(name) AS ("
    " list_position(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],"
    " lower(left(name, 3))))",
    # TO_NUMBER: digits into the template's positions (leading integer digits, leading fraction digits)
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_to_number_parts(m, n, f, neg) AS ("
    " CASE WHEN replace(struct_extract(m, 'i'), ',', '') = '' AND coalesce(struct_extract(m, 'f'), '') = ''"
    "  THEN error('invalid input syntax for type numeric: \" \"')"
    " ELSE (CASE WHEN neg THEN '-' ELSE '' END) || coalesce(nullif(left(replace(struct_extract(m, 'i'), ',', ''), n),"
    " ''), '0') || '.' || coalesce(nullif(left(struct_extract(m, 'f'), f), ''), '0') END)",
]

PRIORITY = 90  # last: the compiled templates are DuckDB SQL that no other rule should touch
RULES = {"redshift": [redshift_formats]}

FUNCTIONS = {
    "TO_CHAR": ("supported", "PostgreSQL datetime and numeric templates compiled to DuckDB expressions; "
                             "template must be a literal; V, EEEE are not supported"),
    "TO_DATE": ("supported", "template compiled to a regular expression; rolls over unless is_strict"),
    "TO_TIMESTAMP": ("supported", "TIMESTAMPTZ; rolls over unless is_strict; TZ/OF input not supported"),
    "TO_NUMBER": ("supported", "digits into the template's positions; sign from -, S, MI or <>"),
}
