"""Athena's (Trino's) char(n) and varchar(n) on DuckDB, which has one VARCHAR and no lengths.

From Trino's type reference (https://trino.io/docs/current/language/types.html#char) and its casts
(io.trino.operator.scalar.CharacterStringCasts):

- a char(n) value always has n characters: casting 'dog' to char(7) adds 4 trailing blanks, and a value
  comes back padded; a longer string is cut to n characters. lakebox keeps char values padded (casts here,
  table columns in the binder's scans), so that output, length() (n for a char(n)), concatenation and
  a later cast to varchar (which keeps the blanks) are Trino's;
- comparing a char with a char or a varchar pads the shorter value: trailing blanks do not count
  (`CAST('ab' AS char(5)) = 'ab'` is true), which lakebox gets by comparing the values without them;
- a cast to varchar(n) cuts the string to n characters (DuckDB ignores the length);
- `typeof` names char(n) and varchar(n) (the arithmetic family answers it from these types).

A CHAR with no length is char(1), except for a literal written with its type (`char 'abc'`), which has
its own length; sqlglot parses `CAST('abc' AS char)` the same way, so that one also keeps 'abc'.
"""

from __future__ import annotations

from sqlglot import exp

T = exp.DataType.Type

_CHARS = {T.CHAR, T.NCHAR}
_STRINGS = {T.VARCHAR, T.CHAR, T.TEXT, T.NVARCHAR, T.NCHAR}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _length(datatype: exp.DataType) -> int | None:
    params = datatype.expressions
    if len(params) == 1 and params[0].name.isdigit():
        return int(params[0].name)
    return None


def _kind(node: exp.Expression) -> T:
    if isinstance(node, exp.Literal):
        return T.VARCHAR if node.is_string else T.UNKNOWN
    return node.type.this if node.type is not None else T.UNKNOWN


def _typed(node: exp.Expression, text: str) -> exp.Expression:
    node.type = exp.DataType.build(text)
    return node


def _as_varchar(node: exp.Expression) -> exp.Expression:
    if _kind(node) in _STRINGS:
        return node
    return _typed(exp.Cast(this=node, to=exp.DataType.build("VARCHAR")), "VARCHAR")


def _cast(node: exp.Cast) -> exp.Expression | None:
    target = node.to.this
    if target in _CHARS:
        length = _length(node.to)
        if length is None:
            literal = node.this
            length = len(literal.this) if isinstance(literal, exp.Literal) and literal.is_string else 1
        padded = exp.Anonymous(this="rpad", expressions=[_as_varchar(node.this), exp.Literal.number(length),
                                                         exp.Literal.string(" ")])
        return _typed(padded, f"CHAR({length})")
    if target == T.VARCHAR and _length(node.to) is not None and not isinstance(node, exp.TryCast):
        length = _length(node.to)
        cut = exp.Anonymous(this="left", expressions=[_as_varchar(node.this), exp.Literal.number(length)])
        return _typed(cut, f"VARCHAR({length})")
    return None


def _unpadded(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal) and node.is_string:
        stripped = node.this.rstrip(" ")
        return node if stripped == node.this else exp.Literal.string(stripped)
    if isinstance(node, exp.Null) or _kind(node) not in _STRINGS:
        return node
    return _typed(exp.Anonymous(this="rtrim", expressions=[node, exp.Literal.string(" ")]), "VARCHAR")


def _comparison(node: exp.Expression) -> None:
    """A comparison with a char operand ignores trailing blanks on every string operand."""
    if isinstance(node, _COMPARISONS):
        operands = [node.this, node.expression]
        if any(_kind(o) in _CHARS for o in operands) and all(_kind(o) in _STRINGS for o in operands):
            node.set("this", _unpadded(node.this))
            node.set("expression", _unpadded(node.expression))
    elif isinstance(node, exp.In):
        values = node.expressions
        operands = [node.this, *values]
        if values and any(_kind(o) in _CHARS for o in operands) and \
                all(_kind(o) in _STRINGS or isinstance(o, exp.Null) for o in operands):
            node.set("this", _unpadded(node.this))
            node.set("expressions", [_unpadded(v) for v in values])
    elif isinstance(node, exp.Between):
        operands = [node.args[k] for k in ("this", "low", "high")]
        if any(_kind(o) in _CHARS for o in operands) and all(_kind(o) in _STRINGS for o in operands):
            for key in ("this", "low", "high"):
                node.set(key, _unpadded(node.args[key]))


def athena_char_types(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One walk, innermost first: casts to char(n) / varchar(n), then the comparisons that read them."""
    from lakebox.dialects.arithmetic import query_profile
    kinds, _, targets = query_profile(expression)
    if not (targets & {T.CHAR, T.NCHAR, T.VARCHAR}) and not _has_char_columns(expression):
        return expression
    for node in reversed(list(expression.walk())):
        if type(node) in (exp.Cast, exp.TryCast):
            replacement = _cast(node)
            if replacement is not None:
                node.replace(replacement)
        elif isinstance(node, (*_COMPARISONS, exp.In, exp.Between)):
            _comparison(node)
    return expression


def _has_char_columns(expression: exp.Expression) -> bool:
    return any(column.type is not None and column.type.this in _CHARS for column in expression.find_all(exp.Column))


PRIORITY = 15  # after arithmetic (10), whose typeof reads the char(n) / varchar(n) types; before casts (20)
RULES = {"athena": [athena_char_types]}

FUNCTIONS = {
    "char(n)": ("supported", "values padded with blanks to n (casts and table columns); longer strings cut; "
                             "length() is n; trailing blanks do not count in comparisons with char values"),
    "CAST (to varchar(n))": ("supported", "cut to n characters"),
}
