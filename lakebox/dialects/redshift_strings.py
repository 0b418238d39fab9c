"""Redshift strings and conditional expressions on DuckDB.

What differs from what sqlglot emits (each from the Amazon Redshift SQL reference):

- `CONCAT(a, b)` is NULL when either is NULL (sqlglot emits DuckDB's NULL-skipping CONCAT).
- `SUBSTRING(s, start, n)` with start < 1: the window starts before the string and only its overlap
  is returned (PostgreSQL); a negative length is an error (DuckDB counts a negative start from the end).
- Trailing blanks are insignificant when strings are compared (`=`, `<>`, `<`, `IN`, `BETWEEN`, joins,
  GROUP BY, DISTINCT, COUNT(DISTINCT));
  `LEN`/`LENGTH` of a CHAR does not count them; `OCTET_LENGTH` counts bytes.
- `LIKE` and `ILIKE` escape with a backslash unless `ESCAPE` says otherwise (DuckDB has no default).
- `DECODE` matches NULL with NULL; `STRTOL` parses like C's strtol (blanks, sign, `0x`, stops at the
  first character that is not a digit of the base); `REPLICATE`, `INITCAP` (words split at any
  non-alphanumeric character), `SPLIT_PART` (a part below 1 is an error), `QUOTE_IDENT`,
  `QUOTE_LITERAL`, `OCTETINDEX`, `BPCHARCMP`, `SHA1`/`FUNC_SHA1`, `SHA2`.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.decimal_supertypes import leaf_selects
from lakebox.dialects.redshift_common import T, call, cast, kind, typed
from lakebox.errors import NotSupportedError

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_TEXT = rc.STRINGS


def _is_text(node: exp.Expression) -> bool:
    return kind(node) in _TEXT


def _char_width(node: exp.Expression) -> int | None:
    """n for a CHAR(n) value (None for other text)."""
    if kind(node) not in (T.CHAR, T.NCHAR, T.BPCHAR):
        return None
    params = node.type.expressions if node.type is not None else []
    return int(params[0].name) if len(params) == 1 and params[0].name.isdigit() else None


def _blank_free(node: exp.Expression) -> exp.Expression:
    """`node` without trailing blanks: literals at plan time, everything else with RTRIM."""
    if isinstance(node, exp.Literal) and node.is_string:
        stripped = node.this.rstrip(" ")
        return node if stripped == node.this else exp.Literal.string(stripped)
    if isinstance(node, exp.Null):
        return node
    return typed(call("rtrim", node, exp.Literal.string(" ")), "VARCHAR")


def comparison(node: exp.Expression) -> None:
    """Compare strings the way Redshift does: trailing blanks do not count."""
    if isinstance(node, _COMPARISONS):
        if _is_text(node.this) and _is_text(node.expression):
            node.set("this", _blank_free(node.this))
            node.set("expression", _blank_free(node.expression))
    elif isinstance(node, exp.In):
        values = node.expressions
        if values and _is_text(node.this) and all(_is_text(v) or isinstance(v, exp.Null) for v in values):
            node.set("this", _blank_free(node.this))
            node.set("expressions", [_blank_free(v) for v in values])
    elif isinstance(node, exp.Between):
        if all(_is_text(node.args[k]) for k in ("this", "low", "high")):
            for key in ("this", "low", "high"):
                node.set(key, _blank_free(node.args[key]))


def _replace_outside_aggregates(root: exp.Expression, target: exp.Expression, make) -> exp.Expression:
    """`root` with every occurrence of `target` (not inside an aggregate) replaced by make()."""
    if root == target:
        return make()
    for node in list(root.find_all(type(target))):
        if node == target and not _inside_aggregate(node, root):
            node.replace(make())
    return root


def _inside_aggregate(node: exp.Expression, stop: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None and parent is not stop:
        if isinstance(parent, (exp.AggFunc, exp.Subquery, exp.Select)):
            return True
        parent = parent.parent
    return False


def grouping(select: exp.Select) -> None:
    """GROUP BY and DISTINCT treat strings that differ only in trailing blanks as one value."""
    keys: list[exp.Expression] = []
    group = select.args.get("group")
    if group is not None:
        keys += [g for g in group.expressions if _is_text(g) and not isinstance(g, exp.Literal)]
    if select.args.get("distinct") is not None:
        for projection in select.expressions:
            value = projection.this if isinstance(projection, exp.Alias) else projection
            if _is_text(value) and not isinstance(value, exp.Literal) and value not in keys:
                keys.append(value)
    for key in keys:
        original = key.copy()
        width = _char_width(key)

        def grouped(original=original):
            return typed(call("rtrim", original.copy(), exp.Literal.string(" ")), "VARCHAR")

        def make(original=original, width=width):
            if width is None:
                return grouped(original)
            # a CHAR(n) key groups without its blanks and comes back padded to n, as Redshift shows it
            return typed(call("rpad", grouped(original), exp.Literal.number(width), exp.Literal.string(" ")),
                         original.type.copy())

        if group is not None:
            group.set("expressions", [grouped() if g == original else g for g in group.expressions])
        projections = []
        for projection in select.expressions:
            if isinstance(projection, exp.Alias):
                projection.set("this", _replace_outside_aggregates(projection.this, original, make))
                projections.append(projection)
            elif projection == original:
                projections.append(exp.alias_(make(), projection.alias_or_name))
            else:
                projections.append(_replace_outside_aggregates(projection, original, make))
        select.set("expressions", projections)
        for clause in ("having", "order"):
            part = select.args.get(clause)
            if part is not None:
                _replace_outside_aggregates(part, original, make)


def concat(node: exp.Concat) -> exp.Expression:
    parts = node.expressions
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part, safe=False)
    return typed(result, "VARCHAR")


def substring(node: exp.Substring) -> exp.Expression | None:
    start = node.args.get("start")
    length = node.args.get("length")
    text = node.this
    if kind(text) not in _TEXT and kind(text) != T.UNKNOWN:
        text = cast(text, "VARCHAR")  # non-character data is treated like a string
    start_value = rc.literal_int(start)
    length_value = rc.literal_int(length) if length is not None else None
    if start_value is not None and start_value >= 1 and (length is None or (length_value or 0) >= 0 and
                                                         length_value is not None):
        node.set("this", text)
        return None  # DuckDB agrees for positive starts and non-negative literal lengths
    if length is None:
        return call("lakebox_rs_substr_from", text, start, type="VARCHAR")
    return call("lakebox_rs_substr", text, start, length, type="VARCHAR")


def length(node: exp.Length) -> exp.Expression | None:
    if kind(node.this) in (T.CHAR, T.BPCHAR, T.NCHAR):
        return cast(call("length", call("rtrim", node.this, exp.Literal.string(" "))), "INTEGER")
    return cast(call("length", node.this), "INTEGER")


def like(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node.parent, exp.Escape):
        return None
    pattern = rc.string_value(node.expression)
    if pattern is not None and "\\" not in pattern:
        return None  # no backslash: the same pattern with or without the escape (and DuckDB optimizes it)
    return exp.Escape(this=node.copy(), expression=exp.Literal.string("\\"))


def decode(node: exp.DecodeCase) -> exp.Expression:
    value, *rest = node.expressions
    case = exp.Case()
    pairs, default = (rest, None) if len(rest) % 2 == 0 else (rest[:-1], rest[-1])
    for search, result in zip(pairs[0::2], pairs[1::2]):
        if isinstance(search, exp.Null):
            condition = exp.Is(this=value.copy(), expression=exp.Null())
        else:
            condition = exp.NullSafeEQ(this=value.copy(), expression=search)
        case.append("ifs", exp.If(this=condition, true=result))
    if default is not None:
        case.set("default", default)
    case.type = node.type
    return case


def split_part(node: exp.SplitPart) -> exp.Expression | None:
    part = node.args.get("part_index")
    value = rc.literal_int(part)
    if value is not None and value >= 1:
        return None
    return call("lakebox_rs_split_part", node.this, node.args.get("delimiter"), part, type="VARCHAR")


def sha2(node: exp.SHA2) -> exp.Expression:
    bits = rc.literal_int(node.args.get("length"))
    if bits in (None, 0, 256):
        return call("sha256", node.this, type="VARCHAR")
    if bits in (224, 384, 512):
        raise NotSupportedError(f"SHA2 with {bits} bits is not available in lakebox (SHA2(s, 256) is)")
    return exp.Literal.string("")  # an invalid number of bits gives an empty string


_ANONYMOUS = {
    "REPLICATE": ("lakebox_rs_repeat", "VARCHAR"),
    "QUOTE_IDENT": ("lakebox_rs_quote_ident", "VARCHAR"),
    "QUOTE_LITERAL": ("lakebox_rs_quote_literal", "VARCHAR"),
    "OCTETINDEX": ("lakebox_rs_octetindex", "INTEGER"),
    "OCTET_LENGTH": ("strlen", "INTEGER"),
    "FUNC_SHA1": ("sha1", "VARCHAR"),
    "SHA1": ("sha1", "VARCHAR"),
    "SHA": ("sha1", "VARCHAR"),
}
_NOT_AVAILABLE = ("SOUNDEX", "DIFFERENCE", "CRC32", "FNV_HASH", "MURMUR3_32_HASH")


def anonymous(node: exp.Anonymous) -> exp.Expression | None:
    name = node.name.upper()
    if name in _ANONYMOUS:
        function, result = _ANONYMOUS[name]
        replacement = call(function, *node.expressions, type=result)
        return cast(replacement, "INTEGER") if result == "INTEGER" else replacement
    if name == "BPCHARCMP":
        a, b = node.expressions
        return call("lakebox_rs_cmp", _blank_free(a), _blank_free(b), type="INTEGER")
    if name in _NOT_AVAILABLE:
        raise NotSupportedError(f"{name} is not available in lakebox")
    return None


# Functions whose arguments Redshift converts to text implicitly (a number, date or timestamp becomes
# its text): node class -> the argument keys that are strings.
_TEXT_ARGS = {
    exp.Repeat: ("this",), exp.SplitPart: ("this", "delimiter"), exp.Left: ("this",), exp.Right: ("this",),
    exp.Pad: ("this", "fill_pattern"), exp.Upper: ("this",), exp.Lower: ("this",),
    exp.Replace: ("this", "expression", "replacement"), exp.Trim: ("this", "expression"), exp.Reverse: ("this",),
    exp.StrPosition: ("this", "substr"), exp.Initcap: ("this",), exp.Translate: ("this", "from_", "to"),
    exp.MD5: ("this",), exp.SHA: ("this",), exp.SHA2: ("this",), exp.Length: ("this",), exp.Ascii: ("this",),
    exp.Concat: (), exp.RegexpReplace: ("this",), exp.RegexpExtract: ("this",), exp.RegexpCount: ("this",),
    exp.RegexpInstr: ("this",), exp.RegexpLike: ("this",), exp.RegexpILike: ("this",),
}
_CONVERTED = rc.NUMERIC | rc.TEMPORAL | rc.TIMES | {T.BOOLEAN}


def text_arguments(node: exp.Expression) -> None:
    keys = _TEXT_ARGS.get(type(node), ())
    if isinstance(node, exp.Concat):
        node.set("expressions", [cast(a, "VARCHAR") if kind(a) in _CONVERTED else a for a in node.expressions])
    for key in keys:
        value = node.args.get(key)
        if isinstance(value, exp.Expression) and kind(value) in _CONVERTED:
            node.set(key, cast(value, "VARCHAR"))


def _handler(node: exp.Expression) -> exp.Expression | None:
    text_arguments(node)
    if isinstance(node, exp.Concat):
        return concat(node)
    if isinstance(node, exp.Substring):
        return substring(node)
    if isinstance(node, exp.Length):
        return length(node)
    if isinstance(node, (exp.Like, exp.ILike)):
        return like(node)
    if isinstance(node, exp.DecodeCase):
        return decode(node)
    if isinstance(node, exp.FromBase):
        return call("lakebox_rs_strtol", node.this, node.expression, type="BIGINT")
    if isinstance(node, exp.Initcap):
        return call("lakebox_rs_initcap", node.this, type="VARCHAR")
    if isinstance(node, exp.SplitPart):
        return split_part(node)
    if isinstance(node, exp.SHA2):
        return sha2(node)
    if isinstance(node, exp.SHA):
        return call("sha1", node.this, type="VARCHAR")
    if isinstance(node, exp.Soundex):
        raise NotSupportedError("SOUNDEX is not available in lakebox")
    if isinstance(node, exp.Anonymous):
        return anonymous(node)
    return None


_NODES = (*_TEXT_ARGS, exp.Substring, exp.Length, exp.Like, exp.ILike, exp.DecodeCase, exp.FromBase, exp.Initcap,
          exp.SplitPart, exp.SHA2, exp.SHA, exp.Soundex, exp.Anonymous, *_COMPARISONS, exp.In, exp.Between)


def redshift_strings(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Rewrite Redshift's string functions and comparisons (one walk; innermost first)."""
    if not rc.has_any(expression, (*_NODES, exp.Group, exp.Distinct)):
        return expression
    for node in reversed(list(expression.find_all(*_NODES, exp.Select, exp.Count))):
        if isinstance(node, exp.Count):
            distinct = node.this
            if isinstance(distinct, exp.Distinct) and len(distinct.expressions) == 1 and \
                    _is_text(distinct.expressions[0]):
                distinct.set("expressions", [_blank_free(distinct.expressions[0])])
            continue
        if isinstance(node, exp.Select):
            if node.args.get("group") is not None or node.args.get("distinct") is not None:
                grouping(node)
            continue
        if isinstance(node, (*_COMPARISONS, exp.In, exp.Between)):
            comparison(node)
            continue
        replacement = _handler(node)
        if replacement is not None and replacement is not node:
            node.replace(replacement)
    return expression


MACROS = [
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_repeat(s, n) AS (repeat(CAST(s AS VARCHAR), n))",
    # SUBSTRING with PostgreSQL's window: [start, start + n) clipped to the string.
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_substr(s, st, n) AS ("
    " CASE WHEN n < 0 THEN error('negative substring length not allowed')"
    " ELSE substring(s, greatest(st, 1), greatest(st + n - greatest(st, 1), 0)) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_substr_from(s, st) AS (substring(s, greatest(st, 1)))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_split_part(s, d, n) AS ("
    " CASE WHEN n < 1 THEN error('Invalid operation: field position must be greater than zero')"
    " ELSE split_part(s, d, n) END)",
    # STRTOL: C strtol on a 64-bit integer.
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_strtol_body(t, base) AS ("
    " CASE WHEN base = 16 AND lower(t) LIKE '0x%' THEN substring(t, 3) ELSE t END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_strtol_values(t, base) AS ("
    " list_transform(string_split(lower(t), ''), lambda c: strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_strtol_digits(v, base) AS ("
    " v[1:coalesce(nullif(list_position(list_transform(v, lambda d: d < 0 OR d >= base), true), 0) - 1, len(v))])",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_strtol_number(t, base) AS ("
    " list_reduce(list_prepend(0::HUGEINT, list_transform(lakebox_rs_strtol_digits("
    "  lakebox_rs_strtol_values(lakebox_rs_strtol_body(t, base), base), base), lambda d: d::HUGEINT)),"
    "  lambda acc, d: acc * base + d))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_strtol(s, base) AS ("
    " CASE WHEN s IS NULL OR base IS NULL THEN NULL::BIGINT"
    " WHEN base < 2 OR base > 36 THEN error('Invalid base for STRTOL: ' || base)"
    " ELSE CAST((CASE WHEN ltrim(s, ' ' || chr(9) || chr(10) || chr(13)) LIKE '-%' THEN -1 ELSE 1 END)"
    "  * lakebox_rs_strtol_number(regexp_replace(ltrim(s, ' ' || chr(9) || chr(10) || chr(13)), '^[+-]', ''),"
    "  base) AS BIGINT) END)",
    # INITCAP: a letter after any non-alphanumeric character starts a word.
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_initcap(s) AS ("
    " array_to_string(list_transform(string_split(s, ''), lambda c, i: CASE WHEN i = 1 OR NOT"
    "  regexp_full_match(substring(s, i - 1, 1), '[[:alnum:]]') THEN upper(c) ELSE lower(c) END), ''))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_quote_ident(s) AS ("
    " CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s"
    " ELSE '\"' || replace(s, '\"', '\"\"') || '\"' END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_quote_literal(s) AS ('''' || replace(s, '''', '''''') || '''')",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_octetindex(sub, s) AS ("
    " CASE WHEN strpos(s, sub) = 0 THEN 0 ELSE strlen(substring(s, 1, strpos(s, sub) - 1)) + 1 END)",
]


def _set_column(select: exp.Select, index: int, make) -> None:
    projection = select.expressions[index]
    if isinstance(projection, exp.Alias):
        projection.set("this", make(projection.this))
    else:
        select.expressions[index].replace(exp.alias_(make(projection.copy()), projection.alias_or_name))


def char_set_operations(expression: exp.Expression, dialect: str) -> exp.Expression:
    """UNION, INTERSECT and EXCEPT over CHAR columns: every branch's value becomes the result's type.

    CHAR(n) branches (and string literals, which take the CHAR type) are padded to the widest n, so
    that 'ab' from a CHAR(3) meets 'ab' from a CHAR(5) as in Redshift; a CHAR column set against a
    VARCHAR one becomes VARCHAR and loses its trailing blanks (r_Character_types)."""
    if not rc.has_any(expression, (exp.SetOperation,)):
        return expression
    for operation in list(expression.find_all(exp.SetOperation)):
        if isinstance(operation.parent, exp.SetOperation) or operation.args.get("by_name"):
            continue  # the outermost operation sees every branch
        leaves = leaf_selects(operation)
        if not leaves or len({len(s.expressions) for s in leaves}) != 1:
            continue
        for index in range(len(leaves[0].expressions)):
            values = [s.expressions[index].unalias() for s in leaves]
            widths = [_char_width(v) for v in values]
            if not any(widths):
                continue
            literal = [isinstance(v, (exp.Literal, exp.Null)) for v in values]
            if all(w is not None or lit for w, lit in zip(widths, literal)):
                width = max(w for w in widths if w)
                for select, value in zip(leaves, values):
                    if not isinstance(value, exp.Null):
                        _set_column(select, index, lambda v, width=width: typed(
                            call("rpad", v, exp.Literal.number(width), exp.Literal.string(" ")), f"CHAR({width})"))
            else:
                for select, w in zip(leaves, widths):
                    if w is not None:
                        _set_column(select, index, lambda v: typed(call("rtrim", v, exp.Literal.string(" ")),
                                                                   "VARCHAR"))
    return expression


PRIORITY = 40
RULES = {"redshift": [char_set_operations, redshift_strings]}

FUNCTIONS = {
    "CONCAT": ("supported", "NULL when either argument is NULL"),
    "||": ("supported", "NULL when either operand is NULL"),
    "SUBSTRING": ("supported", "PostgreSQL semantics for start < 1; negative length is an error"),
    "SUBSTR": ("supported", "as SUBSTRING"),
    "LEN": ("supported", "characters; CHAR values without trailing blanks"),
    "LENGTH": ("supported", "as LEN"),
    "CHAR_LENGTH": ("supported", "as LEN"),
    "CHARACTER_LENGTH": ("supported", "as LEN"),
    "TEXTLEN": ("supported", "as LEN"),
    "OCTET_LENGTH": ("supported", "bytes"),
    "CHARINDEX": ("supported", "DuckDB strpos"),
    "STRPOS": ("supported", "DuckDB strpos"),
    "POSITION": ("supported", "DuckDB strpos"),
    "OCTETINDEX": ("supported", "byte position"),
    "BTRIM": ("supported", "DuckDB trim with characters"),
    "TRIM": ("supported", "DuckDB"),
    "LTRIM": ("supported", "DuckDB"),
    "RTRIM": ("supported", "DuckDB"),
    "REPLICATE": ("supported", "DuckDB repeat"),
    "REPEAT": ("supported", "DuckDB"),
    "STRTOL": ("supported", "C strtol rules, BIGINT"),
    "INITCAP": ("supported", "words start after any non-alphanumeric character"),
    "SPLIT_PART": ("supported", "a part below 1 is an error"),
    "LEFT": ("supported", "DuckDB"),
    "RIGHT": ("supported", "DuckDB"),
    "LPAD": ("supported", "DuckDB"),
    "RPAD": ("supported", "DuckDB"),
    "LOWER": ("supported", "DuckDB"),
    "UPPER": ("supported", "DuckDB"),
    "REPLACE": ("supported", "DuckDB"),
    "REVERSE": ("supported", "DuckDB"),
    "TRANSLATE": ("supported", "DuckDB"),
    "CHR": ("supported", "DuckDB"),
    "ASCII": ("supported", "DuckDB"),
    "QUOTE_IDENT": ("supported", "quotes unless a lower-case identifier"),
    "QUOTE_LITERAL": ("supported", "single quotes doubled"),
    "MD5": ("supported", "DuckDB"),
    "SHA1": ("supported", "DuckDB sha1"),
    "FUNC_SHA1": ("supported", "DuckDB sha1"),
    "SHA2": ("partial", "256 bits only"),
    "BPCHARCMP": ("supported", "trailing blanks ignored"),
    "SOUNDEX": ("not supported", "raises NotSupportedError"),
    "DIFFERENCE": ("not supported", "raises NotSupportedError"),
    "CRC32": ("not supported", "raises NotSupportedError"),
    "LIKE": ("supported", "backslash is the default escape character"),
    "ILIKE": ("supported", "backslash is the default escape character"),
    "string comparison": ("partial", "trailing blanks ignored in =, <>, <, >, IN, BETWEEN, joins, GROUP BY, "
                                     "DISTINCT and COUNT(DISTINCT), and for CHAR values in UNION / INTERSECT / EXCEPT; "
                                     "VARCHAR values that differ only in trailing blanks stay apart in UNION / "
                                     "INTERSECT / EXCEPT"),
    "NVL": ("supported", "COALESCE"),
    "NVL2": ("supported", "CASE"),
    "COALESCE": ("supported", "DuckDB"),
    "NULLIF": ("supported", "DuckDB"),
    "DECODE": ("supported", "CASE where NULL matches NULL"),
    "GREATEST": ("supported", "NULLs ignored, as in Redshift"),
    "LEAST": ("supported", "NULLs ignored, as in Redshift"),
    "CASE": ("supported", "DuckDB"),
}
