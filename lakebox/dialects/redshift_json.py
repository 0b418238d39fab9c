"""Redshift's JSON text functions on DuckDB's JSON extension.

- `JSON_EXTRACT_PATH_TEXT(json, key [, key ...] [, null_if_invalid])`: the value at the path as text
  (strings unquoted, objects and arrays as JSON); '' when the path does not exist.
- `JSON_EXTRACT_ARRAY_ELEMENT_TEXT(json, pos [, null_if_invalid])`: zero-based; '' out of range.
- `JSON_ARRAY_LENGTH(json [, null_if_invalid])`: elements of the outer array.
- Invalid JSON is an error ("JSON parsing error"), or NULL when `null_if_invalid` is true. Validity is
  strict JSON: DuckDB's parser also accepts trailing commas, NaN and Infinity, which Redshift rejects.
- `IS_VALID_JSON` is true only for an object, `IS_VALID_JSON_ARRAY` only for an array.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects.redshift_common import T, call, cast, has_any, kind
from lakebox.errors import ProgrammingError


def _null_if_invalid(args: list[exp.Expression]) -> tuple[list[exp.Expression], exp.Expression]:
    if args and isinstance(args[-1], exp.Boolean):
        return args[:-1], args[-1]
    if args and kind(args[-1]) == T.BOOLEAN:
        return args[:-1], args[-1]
    return args, exp.Boolean(this=False)


def _pointer(keys: list[exp.Expression]) -> exp.Expression:
    """A JSON pointer ('/a/b') from path elements (escaping '~' and '/')."""
    if all(isinstance(k, exp.Literal) and k.is_string for k in keys):
        return exp.Literal.string("".join("/" + k.this.replace("~", "~0").replace("/", "~1") for k in keys))
    parts: exp.Expression = exp.Literal.string("")
    for key in keys:
        escaped = call("replace", call("replace", cast(key, "VARCHAR"), exp.Literal.string("~"),
                                       exp.Literal.string("~0")), exp.Literal.string("/"), exp.Literal.string("~1"))
        parts = exp.DPipe(this=exp.DPipe(this=parts, expression=exp.Literal.string("/")), expression=escaped,
                          safe=False)
    return parts


def _json_text(node: exp.Expression) -> exp.Expression:
    return node if kind(node) in (T.VARCHAR, T.TEXT, T.UNKNOWN, T.JSON) else cast(node, "VARCHAR")


def anonymous(node: exp.Anonymous) -> exp.Expression | None:
    name = node.name.upper()
    args = list(node.expressions)
    if name == "JSON_EXTRACT_PATH_TEXT":
        args, null_if_invalid = _null_if_invalid(args)
        if len(args) < 2:
            raise ProgrammingError("JSON_EXTRACT_PATH_TEXT needs a JSON string and at least one path element")
        if len(args) > 6:
            raise ProgrammingError("JSON_EXTRACT_PATH_TEXT: a path has at most five elements")
        return call("lakebox_rs_json_text_at", _json_text(args[0]), _pointer(args[1:]), null_if_invalid,
                    type="VARCHAR")
    if name == "JSON_EXTRACT_ARRAY_ELEMENT_TEXT":
        args, null_if_invalid = _null_if_invalid(args)
        if len(args) != 2:
            raise ProgrammingError("JSON_EXTRACT_ARRAY_ELEMENT_TEXT needs a JSON array and a position")
        return call("lakebox_rs_json_element_text", _json_text(args[0]), args[1], null_if_invalid, type="VARCHAR")
    if name == "JSON_ARRAY_LENGTH":
        args, null_if_invalid = _null_if_invalid(args)
        return cast(call("lakebox_rs_json_array_length", _json_text(args[0]), null_if_invalid), "INTEGER")
    if name == "IS_VALID_JSON":
        return call("lakebox_rs_json_is", _json_text(args[0]), exp.Literal.string("OBJECT"), type="BOOLEAN")
    if name == "IS_VALID_JSON_ARRAY":
        return call("lakebox_rs_json_is", _json_text(args[0]), exp.Literal.string("ARRAY"), type="BOOLEAN")
    if name == "CAN_JSON_PARSE":
        return call("lakebox_rs_json_strict", _json_text(args[0]), type="BOOLEAN")
    return None


_NAMES = {"JSON_EXTRACT_PATH_TEXT", "JSON_EXTRACT_ARRAY_ELEMENT_TEXT", "JSON_ARRAY_LENGTH", "IS_VALID_JSON",
          "IS_VALID_JSON_ARRAY", "CAN_JSON_PARSE"}


def redshift_json(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Rewrite Redshift's JSON functions (one walk; innermost first)."""
    if not has_any(expression, (exp.Anonymous,)):
        return expression
    for node in reversed(list(expression.find_all(exp.Anonymous))):
        if node.name.upper() in _NAMES:
            replacement = anonymous(node)
            if replacement is not None:
                node.replace(replacement)
    return expression


_STRINGS = r"""'"(?:[^"\\]|\\.)*"'"""

MACROS = [
    # strict JSON: DuckDB also accepts trailing commas, NaN and Infinity
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_json_strict(s) AS ("
    " coalesce(json_valid(s), false) AND NOT regexp_matches(regexp_replace(s, " + _STRINGS + ", '0', 'g'),"
    " ',\\s*[\\]}]|\\b(NaN|Infinity)\\b'))",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_json_checked(s, null_if_invalid) AS ("
    " CASE WHEN s IS NULL THEN NULL WHEN lakebox_rs_json_strict(s) THEN s"
    " WHEN null_if_invalid THEN NULL ELSE error('JSON parsing error') END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_json_text_at(s, path, null_if_invalid) AS ("
    " CASE WHEN lakebox_rs_json_checked(s, null_if_invalid) IS NULL THEN NULL"
    " WHEN json_extract(s, path) IS NULL THEN ''"
    " WHEN json_type(json_extract(s, path)) = 'NULL' THEN NULL"
    " ELSE json_extract_string(s, path) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_json_element_text(s, pos, null_if_invalid) AS ("
    " CASE WHEN lakebox_rs_json_checked(s, null_if_invalid) IS NULL OR pos IS NULL THEN NULL"
    " WHEN pos < 0 OR json_type(s) <> 'ARRAY' THEN ''"
    " ELSE lakebox_rs_json_text_at(s, '/' || CAST(pos AS VARCHAR), null_if_invalid) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_json_array_length(s, null_if_invalid) AS ("
    " CASE WHEN lakebox_rs_json_checked(s, null_if_invalid) IS NULL THEN NULL"
    " WHEN json_type(s) <> 'ARRAY' THEN (CASE WHEN null_if_invalid THEN NULL"
    "  ELSE error('JSON parsing error: not a JSON array') END)"
    " ELSE json_array_length(s) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_json_is(s, kind) AS ("
    " CASE WHEN s IS NULL THEN NULL WHEN lakebox_rs_json_strict(s) THEN json_type(s) = kind ELSE false END)",
]

PRIORITY = 50
RULES = {"redshift": [redshift_json]}

FUNCTIONS = {
    "JSON_EXTRACT_PATH_TEXT": ("supported", "'' for a missing path; null_if_invalid; numbers are re-printed by "
                                            "DuckDB's parser (1.50 reads back as 1.5)"),
    "JSON_EXTRACT_ARRAY_ELEMENT_TEXT": ("supported", "zero-based; '' out of range"),
    "JSON_ARRAY_LENGTH": ("supported", "INTEGER; invalid JSON is an error unless null_if_invalid"),
    "IS_VALID_JSON": ("supported", "strict JSON objects only"),
    "IS_VALID_JSON_ARRAY": ("supported", "strict JSON arrays only"),
    "CAN_JSON_PARSE": ("supported", "strict JSON"),
    "JSON_PARSE / SUPER": ("not supported", "the SUPER type is not modelled"),
}
