"""The sqlglot dialect lakebox parses Redshift SQL with.

sqlglot's Redshift dialect converts PostgreSQL template patterns (`TO_CHAR(ts, 'Mon DD')`) into
strftime codes as it parses, and that conversion loses information (`D` and `d`, `Day` and `DD`,
fill mode, ...). This subclass keeps every template exactly as written, so that
`redshift_formats` can translate it faithfully, and records each function's name as the user
spelled it (`meta["lakebox_name"]`), which tells `ADD_MONTHS` from `DATEADD(month, ...)`,
`DATE_PART` from `EXTRACT`, and names output columns the way Redshift does.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.redshift import Redshift

NAME = "lakebox_name"


def _named(name, parse):
    """A FUNCTION_PARSERS entry that records the function's written name, as known functions get."""
    def parser(self):
        node = parse(self)
        if node is not None:
            node.meta[NAME] = name
        return node
    return parser


def _strict(node, args):
    if len(args) > 2:
        node.meta["lakebox_is_strict"] = args[2]
    return node


class LakeboxRedshift(Redshift):
    ORIGINAL_NAME_META_KEY = NAME
    # No conversion: TO_CHAR/TO_DATE/TO_TIMESTAMP keep their PostgreSQL templates verbatim.
    TIME_MAPPING: dict[str, str] = {}

    class Parser(Redshift.Parser):
        FUNCTIONS = {
            **Redshift.Parser.FUNCTIONS,
            # kept as written: sqlglot turns the path into a JSONPath and drops null_if_invalid
            "JSON_EXTRACT_PATH_TEXT": lambda args: exp.Anonymous(this="JSON_EXTRACT_PATH_TEXT", expressions=args),
            # the optional is_strict argument is kept (sqlglot drops it)
            "TO_DATE": lambda args: _strict(exp.StrToDate(this=args[0], format=args[1] if len(args) > 1 else None),
                                            args),
            "TO_TIMESTAMP": lambda args: _strict(exp.StrToTime(this=args[0], format=args[1]), args)
            if len(args) > 1 else exp.UnixToTime(this=args[0]),
        }
        FUNCTION_PARSERS = {
            **Redshift.Parser.FUNCTION_PARSERS,
            "DATE_PART": _named("DATE_PART", Redshift.Parser.FUNCTION_PARSERS["DATE_PART"]),
            "PGDATE_PART": _named("PGDATE_PART", Redshift.Parser.FUNCTION_PARSERS["DATE_PART"]),
        }
