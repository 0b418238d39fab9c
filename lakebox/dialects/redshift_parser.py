"""The sqlglot dialect lakebox parses Redshift SQL with.

sqlglot's Redshift dialect converts PostgreSQL template patterns (`TO_CHAR(ts, 'Mon DD')`) into
strftime codes as it parses, and that conversion loses information (`D` and `d`, `Day` and `DD`,
fill mode, ...). This dialect keeps every template exactly as written, so that
`redshift_formats` can translate it faithfully, and records each function's name as the user
spelled it (`meta["lakebox_name"]`), which tells `ADD_MONTHS` from `DATEADD(month, ...)`,
`DATE_PART` from `EXTRACT`, and names output columns the way Redshift does.

A few functions must be built differently from sqlglot's Redshift parser. The parser classes may
be compiled (sqlglot's `c` extra, built with mypyc), and compiled classes cannot be subclassed, so
instead of overriding the parser's function tables this dialect renames those calls' tokens
before parsing (the parser then keeps them as plain calls with their arguments as written) and
builds their nodes from the parsed arguments afterwards.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.redshift import Redshift
from sqlglot.tokens import TokenType

NAME = "lakebox_name"
_DISGUISE = "__lakebox_call__"


def _strict(node: exp.Expression, args: list) -> exp.Expression:
    if len(args) > 2:
        node.meta["lakebox_is_strict"] = args[2]
    return node


def _json_extract_path_text(args: list) -> exp.Expression:
    # kept as written: sqlglot turns the path into a JSONPath and drops null_if_invalid
    return exp.Anonymous(this="JSON_EXTRACT_PATH_TEXT", expressions=args)


def _to_date(args: list) -> exp.Expression:
    # the template stays verbatim and the optional is_strict argument is kept (sqlglot drops it)
    return _strict(exp.StrToDate(this=args[0], format=args[1] if len(args) > 1 else None), args)


def _to_timestamp(args: list) -> exp.Expression:
    if len(args) > 1:
        return _strict(exp.StrToTime(this=args[0], format=args[1]), args)
    return exp.UnixToTime(this=args[0])


def _date_part(args: list) -> exp.Expression:
    # as PostgreSQL's DATE_PART(part, value) parses: EXTRACT with the part as a keyword
    part = args[0] if args else None
    if isinstance(part, (exp.Column, exp.Literal)):
        part = exp.var(part.name.upper())
    return exp.Extract(this=part, expression=args[1] if len(args) > 1 else None)


# Built by us from the arguments; the value says whether the node records its name upper-cased
# (as sqlglot's function parsers did) or as written (as sqlglot does for known functions).
_BUILDERS = {
    "JSON_EXTRACT_PATH_TEXT": (_json_extract_path_text, False),
    "TO_DATE": (_to_date, False),
    "TO_TIMESTAMP": (_to_timestamp, False),
    "DATE_PART": (_date_part, True),
    "PGDATE_PART": (_date_part, True),
}


def _disguise_calls(tokens: list) -> None:
    """Rename the calls `_BUILDERS` builds, so that the parser keeps them as anonymous calls."""
    for index in range(len(tokens) - 1):
        token = tokens[index]
        if token.text.upper() in _BUILDERS and tokens[index + 1].token_type == TokenType.L_PAREN \
                and (index == 0 or tokens[index - 1].token_type != TokenType.DOT):
            token.text = _DISGUISE + token.text


def _build_disguised(expression: exp.Expression) -> exp.Expression:
    for node in list(expression.find_all(exp.Anonymous)):
        name = node.name
        if not name.startswith(_DISGUISE):
            continue
        written = name[len(_DISGUISE):]
        build, upper = _BUILDERS[written.upper()]
        built = build(list(node.expressions))
        built.meta[NAME] = written.upper() if upper else written
        if node is expression:
            return built
        node.replace(built)
    return expression


class LakeboxRedshift(Redshift):
    ORIGINAL_NAME_META_KEY = NAME
    # No conversion: TO_CHAR/TO_DATE/TO_TIMESTAMP keep their PostgreSQL templates verbatim.
    TIME_MAPPING: dict[str, str] = {}

    def parse(self, sql: str, **opts) -> list[exp.Expression | None]:
        return self.parse_tokens(self.tokenize(sql), sql, **opts)

    def parse_tokens(self, tokens: list, sql: str, **opts) -> list[exp.Expression | None]:
        _disguise_calls(tokens)
        return [None if e is None else _build_disguised(e) for e in self.parser(**opts).parse(tokens, sql)]
