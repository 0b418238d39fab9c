"""Athena (Trino) JSON functions on DuckDB's JSON extension.

- `json_extract_scalar` returns NULL for objects and arrays (DuckDB returns their text) and for
  text that is not JSON (DuckDB raises); `json_extract` returns JSON and NULL for invalid JSON.
- Trino's legacy JSON paths (`$.a.b`, `$.a[0]`, `$["a b"]`, `$[key]`) are rebuilt as DuckDB paths at
  plan time; a wildcard is Trino's "Invalid JSON path" error.
- `json_parse` (and the `JSON '...'` literal) validates and sorts object keys as Trino's Jackson
  mapper does (to a nesting depth of three; deeper objects raise an error rather than come back
  unsorted); `json_format` returns the text.
- `CAST(x AS JSON)` makes a JSON value of `x` (a varchar becomes a JSON string, DuckDB would parse
  it; map keys are sorted; an anonymous ROW becomes an array); `CAST(json AS VARCHAR)` unquotes a
  JSON string, is NULL for JSON null and an error for arrays and objects.
- `json_array_length`, `json_array_contains`, `json_array_get`, `json_size`, `is_json_scalar` are
  SQL macros with Trino's NULL rules.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects.misc import has_any
from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type
SORT_DEPTH = 3


def call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _type(node: exp.Expression):
    datatype = node.type
    if datatype is None or datatype.this == T.UNKNOWN:
        return None
    return datatype.this


# -- paths ---------------------------------------------------------------------------------------

def _invalid(path: str) -> ProgrammingError:
    return ProgrammingError(f"Invalid JSON path: '{path}'")


def trino_path_tokens(path: str) -> list[tuple[str, str]]:
    """Trino's JsonPathTokenizer: ('key', name) and ('index', digits) tokens after the leading `$`."""
    if not path.startswith("$"):
        raise _invalid(path)
    tokens: list[tuple[str, str]] = []
    i, n = 1, len(path)
    while i < n:
        c = path[i]
        if c == ".":
            j = i + 1
            while j < n and (path[j] == "_" or path[j] == ":" or path[j].isalnum()):
                j += 1
            if j == i + 1:
                raise _invalid(path)
            tokens.append(("key", path[i + 1:j]))
            i = j
        elif c == "[":
            if i + 1 < n and path[i + 1] == '"':
                j = i + 2
                token = []
                while j < n and path[j] != '"':
                    if path[j] == "\\":
                        if j + 1 >= n or path[j + 1] not in '"\\':
                            raise _invalid(path)
                        j += 1
                    token.append(path[j])
                    j += 1
                if j >= n or j + 1 >= n or path[j + 1] != "]":
                    raise _invalid(path)
                tokens.append(("key", "".join(token)))
                i = j + 2
            else:
                j = i + 1
                while j < n and (path[j] == "_" or path[j].isalnum()):
                    j += 1
                if j == i + 1 or j >= n or path[j] != "]":
                    raise _invalid(path)
                token = path[i + 1:j]
                tokens.append(("index" if token.isdigit() else "key", token))
                i = j + 1
        else:
            raise _invalid(path)
    return tokens


def duckdb_path(path: str) -> str:
    out = ["$"]
    for kind, token in trino_path_tokens(path):
        if kind == "index":
            out.append(f"[{int(token)}]")
        else:
            if '"' in token or "\\" in token:
                raise NotSupportedError(f"JSON path {path!r}: lakebox cannot address keys containing quotes or "
                                        "backslashes")
            out.append(f'."{token}"')
    return "".join(out)


def _path_argument(node: exp.Expression | None) -> exp.Expression:
    """The DuckDB path for a literal Trino path (sqlglot may already have parsed it into a JSONPath)."""
    if isinstance(node, exp.JSONPath):
        out = ["$"]
        for part in node.expressions:
            if isinstance(part, exp.JSONPathRoot):
                continue
            if isinstance(part, exp.JSONPathKey) and isinstance(part.this, str):
                if '"' in part.this or "\\" in part.this:
                    raise NotSupportedError("JSON path: lakebox cannot address keys containing quotes or backslashes")
                out.append(f'."{part.this}"')
            elif isinstance(part, exp.JSONPathSubscript) and isinstance(part.this, int):
                out.append(f"[{part.this}]")
            elif isinstance(part, exp.JSONPathSubscript):
                raise _invalid("".join(out[1:]) and "$" + "".join(out[1:]) + "[*]" or "$[*]")
            else:
                raise _invalid("$" + "".join(out[1:]) + ".*")
        return exp.Literal.string("".join(out))
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Literal.string(duckdb_path(node.this))
    if node is None:
        return exp.Literal.string("$")
    return node  # a computed path: DuckDB reads it with its own (compatible for simple paths) syntax


# -- macros --------------------------------------------------------------------------------------

def _sort_macros() -> list[str]:
    """trino_json_sorted{d}(j): JSON text with object keys sorted, as Jackson's ORDER_MAP_ENTRIES_BY_KEYS."""
    macros = [
        "CREATE OR REPLACE TEMP MACRO trino_json_sorted0(j) AS ("
        " CASE WHEN contains(CAST(json_structure(j) AS VARCHAR), '{')"
        f" THEN error('json_parse: lakebox sorts object keys only to a nesting depth of {SORT_DEPTH}')"
        " ELSE CAST(json(j) AS VARCHAR) END)"]
    for depth in range(1, SORT_DEPTH + 1):
        inner = f"trino_json_sorted{depth - 1}"
        macros.append(
            f"CREATE OR REPLACE TEMP MACRO trino_json_sorted{depth}(j) AS ("
            " CASE json_type(j)"
            " WHEN 'OBJECT' THEN '{' || array_to_string(list_transform(list_sort(json_keys(j)),"
            f"  lambda __k{depth}: to_json(__k{depth}) || ':' || {inner}(json_extract(j, '/' ||"
            f" replace(replace(__k{depth},"
            " '~', '~0'),"
            "  '/', '~1')))), ',') || '}'"
            f" WHEN 'ARRAY' THEN '[' || array_to_string(list_transform(json_extract(j, '$[*]'),"
            f" lambda __e{depth}: {inner}(__e{depth})),"
            "  ',') || ']'"
            " ELSE CAST(json(j) AS VARCHAR) END)")
    return macros


MACROS = _sort_macros() + [
    "CREATE OR REPLACE TEMP MACRO trino_json_extract_scalar(j, p) AS ("
    " CASE WHEN json_valid(j) AND json_type(j, p) NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(j, p) END)",
    "CREATE OR REPLACE TEMP MACRO trino_json_extract(j, p) AS (CASE WHEN json_valid(j) THEN json_extract(j, p) END)",
    "CREATE OR REPLACE TEMP MACRO trino_json_parse(s) AS ("
    " CASE WHEN s IS NULL THEN NULL"
    " WHEN NOT json_valid(s) THEN error('Cannot convert ''' || s || ''' to JSON')"
    f" ELSE json(trino_json_sorted{SORT_DEPTH}(s)) END)",
    # map keys sorted, nested values as they are
    "CREATE OR REPLACE TEMP MACRO trino_json_sort_keys(j) AS ("
    " CASE json_type(j)"
    " WHEN 'OBJECT' THEN json('{' || array_to_string(list_transform(list_sort(json_keys(j)),"
    "  lambda __k: to_json(__k) || ':' || CAST(json_extract(j, '/' || replace(replace(__k, '~', '~0'), '/', '~1'))"
    "  AS VARCHAR)), ',') || '}')"
    " ELSE j END)",
    "CREATE OR REPLACE TEMP MACRO trino_json_to_varchar(j) AS ("
    " CASE json_type(j) WHEN 'NULL' THEN NULL"
    " WHEN 'VARCHAR' THEN json_extract_string(j, '$')"
    " WHEN 'OBJECT' THEN error('Cannot cast JSON to VARCHAR: ' || CAST(j AS VARCHAR))"
    " WHEN 'ARRAY' THEN error('Cannot cast JSON to VARCHAR: ' || CAST(j AS VARCHAR))"
    " ELSE CAST(j AS VARCHAR) END)",
    "CREATE OR REPLACE TEMP MACRO trino_json_array_length(j) AS ("
    " CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY' THEN CAST(json_array_length(j) AS BIGINT) END)",
    "CREATE OR REPLACE TEMP MACRO trino_json_size(j, p) AS ("
    " CASE WHEN NOT json_valid(j) THEN NULL"
    " WHEN json_type(j, p) = 'ARRAY' THEN CAST(json_array_length(j, p) AS BIGINT)"
    " WHEN json_type(j, p) = 'OBJECT' THEN CAST(len(json_keys(j, p)) AS BIGINT)"
    " WHEN json_type(j, p) IS NOT NULL THEN CAST(0 AS BIGINT) END)",
    "CREATE OR REPLACE TEMP MACRO trino_is_json_scalar(j) AS ("
    " CASE WHEN j IS NULL THEN NULL"
    " WHEN NOT json_valid(j) THEN error('Invalid JSON value: ' || CAST(j AS VARCHAR))"
    " ELSE json_type(j) NOT IN ('OBJECT', 'ARRAY') END)",
    # json_array_get: zero-based, negative from the end; a string element comes back unquoted (Trino's
    # documented broken semantics)
    "CREATE OR REPLACE TEMP MACRO trino_json_array_get(j, i) AS ("
    " CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY' THEN"
    "  CASE WHEN json_type(json_extract(j, '$[' || i || ']')) = 'VARCHAR'"
    "  THEN json_extract_string(j, '$[' || i || ']') ELSE CAST(json_extract(j, '$[' || i || ']') AS VARCHAR) END END)",
]

_CONTAINS_TYPES = {"bool": "('BOOLEAN')", "int": "('BIGINT', 'UBIGINT')", "double": "('BIGINT', 'UBIGINT', 'DOUBLE')",
                   "str": "('VARCHAR')"}
_CONTAINS_CAST = {"bool": "BOOLEAN", "int": "HUGEINT", "double": "DOUBLE", "str": "VARCHAR"}
for _kind, _types in _CONTAINS_TYPES.items():
    MACROS.append(
        f"CREATE OR REPLACE TEMP MACRO trino_json_array_contains_{_kind}(j, v) AS ("
        " CASE WHEN v IS NULL OR NOT json_valid(j) OR json_type(j) <> 'ARRAY' THEN NULL"
        f" ELSE list_contains(list_transform(list_filter(json_extract(j, '$[*]'),"
        f"  lambda __e: json_type(__e) IN {_types}),"
        f"  lambda __e: CAST(json_extract_string(__e, '$') AS {_CONTAINS_CAST[_kind]})), v) END)")


# -- types -----------------------------------------------------------------------------------------

def _annotate_as(text: str):
    def annotate(annotator, node: exp.Expression) -> exp.Expression:
        annotator._set_type(node, exp.DataType.build(text))
        return node
    return annotate


ANNOTATORS = {"athena": {exp.JSONExtract: {"annotator": _annotate_as("JSON")},
                         exp.JSONExtractScalar: {"annotator": _annotate_as("VARCHAR")}}}


# -- the rule ------------------------------------------------------------------------------------

def _value_kind(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Literal):
        if node.is_string:
            return "str"
        return "double" if "." in node.this or "e" in node.this.lower() else "int"
    if isinstance(node, exp.Boolean):
        return "bool"
    kind = _type(node)
    if kind is None:
        return None
    if kind in exp.DataType.INTEGER_TYPES:
        return "int"
    if kind in (T.DOUBLE, T.FLOAT, T.DECIMAL):
        return "double"
    if kind in exp.DataType.TEXT_TYPES:
        return "str"
    if kind == T.BOOLEAN:
        return "bool"
    return None


def _json_type(node: exp.Expression) -> exp.Expression:
    node.type = exp.DataType.build("JSON")
    return node


def _cast(node: exp.Cast) -> exp.Expression:
    target = node.to
    source = node.this
    if target.this == T.JSON:
        kind = _type(source)
        if kind == T.JSON:
            return source
        if isinstance(source, (exp.Tuple, exp.Struct)) and not any(
                isinstance(e, (exp.PropertyEQ, exp.Alias)) for e in source.expressions):
            parts = [call("to_json", e) for e in source.expressions]
            text: exp.Expression = exp.Literal.string("[")
            for index, part in enumerate(parts):
                text = exp.DPipe(this=text, expression=exp.DPipe(
                    this=exp.Literal.string("," if index else ""), expression=exp.cast(part, "VARCHAR")))
            return _json_type(call("json", exp.DPipe(this=text, expression=exp.Literal.string("]"))))
        if kind == T.MAP:
            return _json_type(call("trino_json_sort_keys", call("to_json", source)))
        if kind is None and not isinstance(source, (exp.Literal, exp.Array, exp.Null, exp.Boolean)):
            raise NotSupportedError("CAST(... AS JSON): lakebox cannot tell the type of the value; cast it to a "
                                    "type first")
        return _json_type(call("to_json", source))
    if _type(source) == T.JSON and target.this in exp.DataType.TEXT_TYPES:
        return call("trino_json_to_varchar", source)
    return node


def _anonymous(node: exp.Anonymous) -> exp.Expression:
    name = node.name.lower()
    args = node.expressions
    if name == "json_array_contains" and len(args) == 2:
        kind = _value_kind(args[1])
        if kind is None:
            raise NotSupportedError("json_array_contains: lakebox cannot tell the type of the value")
        return call(f"trino_json_array_contains_{kind}", *args)
    if name == "json_array_get" and len(args) == 2:
        return call("trino_json_array_get", *args)  # text: Trino's result may be invalid JSON
    if name == "json_array_length" and len(args) == 1:
        return call("trino_json_array_length", *args)
    if name == "json_size" and len(args) == 2:
        return call("trino_json_size", args[0], _path_argument(args[1]))
    if name == "is_json_scalar" and len(args) == 1:
        return call("trino_is_json_scalar", *args)
    if name in ("json_query", "json_value", "json_exists", "json_table"):
        raise NotSupportedError(f"{name} (SQL/JSON path language) is not supported by lakebox; use json_extract or "
                                "json_extract_scalar")
    return node


_CLASSES = (exp.JSONExtractScalar, exp.JSONExtract, exp.ParseJSON, exp.JSONArrayContains, exp.Cast, exp.Anonymous,
            exp.JSONExists, exp.JSONValue)


def athena_json(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One bottom-up walk over JSON functions and casts to or from JSON."""
    if not has_any(expression, _CLASSES):
        return expression
    for node in reversed(list(expression.find_all(*_CLASSES))):
        new = node
        if isinstance(node, exp.JSONExtractScalar):
            new = call("trino_json_extract_scalar", node.this, _path_argument(node.expression))
            new.type = exp.DataType.build("VARCHAR")
        elif isinstance(node, exp.JSONExtract):
            if node.args.get("json_query"):
                raise NotSupportedError("json_query (SQL/JSON path language) is not supported by lakebox; use "
                                        "json_extract")
            if node.expressions:
                raise NotSupportedError("json_extract takes one path in Athena")
            new = _json_type(call("trino_json_extract", node.this, _path_argument(node.expression)))
        elif isinstance(node, exp.ParseJSON):
            new = _json_type(call("trino_json_parse", node.this))
        elif isinstance(node, exp.JSONArrayContains):
            new = _anonymous(exp.Anonymous(this="json_array_contains", expressions=[node.this, node.expression]))
        elif isinstance(node, exp.Cast) and not isinstance(node, exp.TryCast):
            new = _cast(node)
        elif isinstance(node, exp.Anonymous):
            new = _anonymous(node)
        elif isinstance(node, (exp.JSONExists, exp.JSONValue)):
            raise NotSupportedError("json_exists/json_value (SQL/JSON path language) are not supported by lakebox; use "
                                    "json_extract or json_extract_scalar")
        if new is not node:
            if new.type is None:
                new.type = node.type
            node.replace(new)
    return expression


PRIORITY = 40  # leaf functions before aggregates (45), which copies subtrees
RULES = {"athena": [athena_json]}

FUNCTIONS = {
    "json_extract_scalar": ("partial", "NULL for objects, arrays and invalid JSON; a non-integer number comes back "
                                       "in its shortest form (1.50 -> '1.5') where Trino keeps the input text"),
    "json_extract": ("supported", "returns JSON; NULL for invalid JSON; Trino's legacy path syntax"),
    "json_parse": ("partial", "validates and sorts object keys (to a nesting depth of 3; deeper objects raise an "
                              "error); doubles print in DuckDB's form"),
    "json_format": ("supported", ""),
    "json_array_length": ("supported", "NULL unless a JSON array"),
    "json_array_contains": ("supported", "compares elements of the value's JSON type"),
    "json_array_get": ("supported", "zero-based, negative from the end; strings unquoted as Trino documents"),
    "json_size": ("supported", "members of an object or array, 0 for a scalar"),
    "is_json_scalar": ("supported", "error for invalid JSON"),
    "CAST(... AS JSON)": ("supported", "varchar becomes a JSON string; map keys sorted; anonymous rows become arrays"),
    "CAST(json AS ...)": ("partial", "VARCHAR unquotes strings and is NULL for JSON null; arrays, maps and rows with "
                                     "named fields from objects; a row from a JSON array raises an error"),
    "json_query": ("not supported", "raises an error"),
    "json_value": ("not supported", "raises an error"),
    "json_exists": ("not supported", "raises an error"),
}
