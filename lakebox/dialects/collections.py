"""Athena (Trino) arrays, maps, rows and UNNEST on DuckDB.

- `a[i]` raises Trino's errors when out of range (DuckDB answers NULL) and `m[k]` when the key is
  missing; `element_at` answers NULL instead (an index of 0 is an error). Every subscript is rebuilt
  here from its original 1-based index: sqlglot shifts literal indexes when it parses, and shifts
  again by type when it generates, which goes wrong once the tree carries the catalog's types
  (`a[i]` became `a[i + 1]`, `m[1]` became `m[0]`).
- `UNNEST` of a MAP yields key and value columns, of an array of ROWs one column per field, of
  several arrays their zip padded with NULLs, `WITH ORDINALITY` a 1-based position: all as a
  LATERAL subquery over DuckDB's select-list UNNEST.
- `reduce` applies its final lambda; `sequence` takes Trino's default step and checks; `slice`,
  `array_distinct` (first occurrences, in order, NULL kept), `array_max`/`array_min` (NULL if any
  element is NULL), `array_position` (0 when absent), `contains` (NULL rules), `array_remove`,
  `array_union`/`array_intersect`/`array_except` (order of first appearance), `arrays_overlap`,
  `repeat`, `reverse`, `cardinality` of a map, `zip`, `zip_with`, `all_match`/`any_match`/
  `none_match`, `map_filter`, `transform_keys`, `transform_values`, `multimap_from_entries`,
  `trim_array`, `ngrams` are rewrites or SQL macros.
"""

from __future__ import annotations

import itertools

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.simplify import simplify

from lakebox.dialects.misc import has_any
from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type


def call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _known(node: exp.Expression) -> exp.DataType | None:
    datatype = node.type
    if datatype is None or datatype.this == T.UNKNOWN:
        return None
    return datatype


_ARRAY_CLASSES = (exp.Array, exp.Split, exp.RegexpExtractAll, exp.RegexpSplit, exp.ArrayAgg, exp.Transform,
                  exp.ArrayFilter, exp.ArraySort, exp.ArraySlice, exp.GenerateSeries, exp.Flatten,
                  exp.ArrayConcat, exp.ArrayDistinct, exp.ArrayIntersect, exp.ArrayExcept,
                  exp.ArrayRemove, exp.MapKeys, exp.StringToArray)
_MAP_CLASSES = (exp.Map, exp.VarMap, exp.StrToMap, exp.MapFromEntries)
_ARRAY_FUNCTIONS = {"split", "regexp_extract_all", "regexp_split", "sequence", "array_distinct", "zip", "zip_with",
                    "map_keys", "map_values", "array_sort", "slice", "filter", "transform", "array_agg", "repeat",
                    "flatten", "array_union", "array_intersect", "array_except", "array_remove", "trim_array",
                    "ngrams", "map_entries", "trino_split2", "trino_split3", "combinations", "shuffle",
                    # what the rewrites produce
                    "list_zip", "list_transform", "list_filter", "list_reverse", "list_value", "trino_array_distinct",
                    "trino_slice", "trino_repeat", "trino_sequence2", "trino_sequence3", "trino_date_sequence2",
                    "trino_date_sequence3", "trino_timestamp_sequence", "trino_array_union", "trino_array_intersect",
                    "trino_array_except", "trino_array_remove", "trino_trim_array", "trino_ngrams"}
_MAP_FUNCTIONS = {"map", "map_agg", "histogram", "map_concat", "map_filter", "transform_keys", "transform_values",
                  "split_to_map", "split_to_multimap", "multimap_agg", "map_from_entries", "multimap_from_entries",
                  "trino_split_to_map", "trino_split_to_multimap", "map_zip_with", "trino_multimap_from_entries",
                  "trino_map_agg", "trino_histogram", "trino_multimap_agg", "trino_map_union"}


_LAMBDA_ARRAY_FUNCTIONS = (exp.Transform, exp.ArrayFilter, exp.ArrayAll, exp.ArrayAny)
_LAMBDA_ARRAY_NAMES = {"transform", "filter", "all_match", "any_match", "none_match"}
_LAMBDA_MAP_NAMES = {"map_filter", "transform_keys", "transform_values"}


def lambda_parameter_type(node: exp.Expression) -> exp.DataType | None:
    """The element type a lambda parameter stands for (x in transform(array, x -> ...))."""
    if not isinstance(node, (exp.Identifier, exp.Column)) or (isinstance(node, exp.Column) and node.table):
        return None
    name = node.name
    lam = node.parent
    while lam is not None and not (isinstance(lam, exp.Lambda) and name in [p.name for p in lam.expressions]):
        lam = lam.parent
    if lam is None:
        return None
    function = lam.parent
    position = [p.name for p in lam.expressions].index(name)
    source = None
    if isinstance(function, exp.RegexpReplace):
        return exp.DataType.build("ARRAY<VARCHAR>")  # the capturing groups
    if isinstance(function, _LAMBDA_ARRAY_FUNCTIONS):
        source = function.this
    elif isinstance(function, exp.Anonymous) and function.expressions:
        lowered = function.name.lower()
        if lowered in _LAMBDA_ARRAY_NAMES or lowered in _LAMBDA_MAP_NAMES:
            source = function.expressions[0]
    if source is None:
        return None
    datatype = _known(source)
    if datatype is None or not datatype.expressions:
        return None
    found = None
    if datatype.this == T.ARRAY and position == 0:
        found = datatype.expressions[0]
    elif datatype.this == T.MAP and len(datatype.expressions) == 2 and position < 2:
        found = datatype.expressions[position]
    return found if isinstance(found, exp.DataType) and found.this not in (T.UNKNOWN, T.NULL) else None


def container(node: exp.Expression) -> str | None:
    """'array' | 'map' | 'row' | None: what a subscript or a function is applied to."""
    datatype = _known(node) or lambda_parameter_type(node)
    if datatype is not None:
        return {T.ARRAY: "array", T.MAP: "map", T.STRUCT: "row"}.get(datatype.this, "other")
    if isinstance(node, exp.Paren):
        return container(node.this)
    if isinstance(node, _ARRAY_CLASSES):
        return "array"
    if isinstance(node, _MAP_CLASSES):
        return "map"
    if isinstance(node, (exp.Anonymous, exp.Func)):
        name = node.name.lower() if isinstance(node, exp.Anonymous) else node.sql_name().lower()
        if name in _ARRAY_FUNCTIONS:
            return "array"
        if name in _MAP_FUNCTIONS:
            return "map"
    return None


def element_type(node: exp.Expression) -> exp.DataType | None:
    datatype = _known(node)
    if datatype is not None and datatype.this == T.ARRAY and datatype.expressions:
        inner = datatype.expressions[0]
        return inner if inner.this != T.UNKNOWN else None
    if isinstance(node, exp.Array) and node.expressions:
        first = node.expressions[0]
        if isinstance(first, (exp.Struct, exp.Tuple)) or (
                isinstance(first, exp.Anonymous) and first.name.lower() == "row"):
            return exp.DataType.build("STRUCT")
        return _known(first)
    return None


# -- subscripts ----------------------------------------------------------------------------------

def _parse_time_type(node: exp.Expression) -> T:
    """The type sqlglot saw when it parsed (no schema): it decided the index offset from it."""
    copy = node.copy()
    annotate_types(copy, dialect="athena")
    return copy.type.this if copy.type is not None else T.UNKNOWN


def original_index(bracket: exp.Bracket) -> exp.Expression:
    """The 1-based index (or the key) as the user wrote it."""
    index = bracket.expressions[0]
    if bracket.args.get("offset") is not None:
        return index
    if _parse_time_type(bracket.this) in (T.UNKNOWN, T.ARRAY) and \
            _parse_time_type(index) in exp.DataType.INTEGER_TYPES:
        return simplify(exp.Add(this=index.copy(), expression=exp.Literal.number(1)))
    return index


def _subscript(node: exp.Bracket) -> exp.Expression:
    if len(node.expressions) != 1 or node.args.get("json_access"):
        return node
    index = original_index(node)
    kind = container(node.this)
    safe = bool(node.args.get("safe"))
    if kind is None:
        if isinstance(index, exp.Literal) and index.is_string:
            kind = "map"
        elif safe and isinstance(index, exp.Literal) and index.is_int and int(index.this) != 0:
            return exp.Bracket(this=node.this, expressions=[index], offset=1, safe=True)
        else:
            raise NotSupportedError(f"{'element_at' if safe else 'subscript []'}: lakebox cannot tell whether "
                                    f"{node.this.sql('athena')} is an array or a map; cast it to its type")
    if kind == "array":
        return call("trino_element_at" if safe else "trino_array_subscript", node.this, index)
    if kind == "map":
        if safe:
            return exp.Bracket(this=node.this, expressions=[index], offset=1, safe=True)
        return call("trino_map_subscript", node.this, index)
    if kind == "row":
        if isinstance(index, exp.Literal) and index.is_int:
            return call("struct_extract_at", node.this, index)
        raise ProgrammingError("a ROW subscript must be a constant integer")
    raise ProgrammingError(f"Cannot use subscript [] on {node.this.sql('athena')}: it is not an array, map or row")


# -- lambdas -------------------------------------------------------------------------------------

def _lambda_body(lam: exp.Expression, replacements: dict[str, exp.Expression]) -> exp.Expression:
    """The lambda's body with its parameters replaced by expressions."""
    if not isinstance(lam, exp.Lambda):
        raise ProgrammingError("expected a lambda expression")
    body = lam.this.copy()
    params = [p.name for p in lam.expressions]
    mapping = {p: replacements[p] for p in params if p in replacements}

    def is_reference(node: exp.Expression) -> bool:
        if isinstance(node, exp.Column):
            return not node.table and node.name in mapping
        if isinstance(node, exp.Identifier) and node.name in mapping:
            parent = node.parent
            if isinstance(parent, (exp.Column, exp.TableAlias, exp.Lambda)):
                return False
            if isinstance(parent, exp.Dot) and node.arg_key == "expression":
                return False
            if isinstance(parent, exp.PropertyEQ) and node.arg_key == "this":
                return False
            return True
        return False

    def swap(node: exp.Expression) -> exp.Expression:
        return mapping[node.name].copy() if is_reference(node) else node

    if is_reference(body):
        return mapping[body.name].copy()
    return body.transform(swap)


_names = itertools.count(1)


def _fresh(prefix: str) -> str:
    """A lambda parameter name no user lambda (nor another rewrite) can capture."""
    return f"__{prefix}{next(_names)}"


def _lambda(params: list[str], body: exp.Expression) -> exp.Lambda:
    return exp.Lambda(this=body, expressions=[exp.to_identifier(p) for p in params])


def _entry_field(var: str, field: str) -> exp.Expression:
    return exp.Dot(this=exp.column(var), expression=exp.to_identifier(field))


def _map_lambda(name: str, node: exp.Expression, args: list[exp.Expression]) -> exp.Expression:
    if len(args) != 2 or not isinstance(args[1], exp.Lambda) or len(args[1].expressions) != 2:
        raise ProgrammingError(f"{name} takes a map and a lambda (k, v) -> ...")
    lam = args[1]
    k, v = (p.name for p in lam.expressions)
    entry = _fresh("e")
    key, value = _entry_field(entry, "key"), _entry_field(entry, "value")
    body = _lambda_body(lam, {k: key, v: value})
    entries = call("map_entries", args[0])
    if name == "map_filter":
        return call("map_from_entries", call("list_filter", entries, _lambda([entry], body)))
    struct_key = body if name == "transform_keys" else key.copy()
    struct_value = body if name == "transform_values" else value.copy()
    struct = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("key"), expression=struct_key),
                                     exp.PropertyEQ(this=exp.to_identifier("value"), expression=struct_value)])
    return call("map_from_entries", call("list_transform", entries, _lambda([entry], struct)))


def _match(name: str, args: list[exp.Expression]) -> exp.Expression:
    if len(args) != 2 or not isinstance(args[1], exp.Lambda):
        raise ProgrammingError(f"{name} takes an array and a lambda x -> boolean")
    return call(f"trino_{name}", exp.Transform(this=args[0], expression=args[1]))


def _zip_with(args: list[exp.Expression]) -> exp.Expression:
    if len(args) != 3 or not isinstance(args[2], exp.Lambda) or len(args[2].expressions) != 2:
        raise ProgrammingError("zip_with takes two arrays and a lambda (x, y) -> ...")
    x, y = (p.name for p in args[2].expressions)
    pair = _fresh("p")
    body = _lambda_body(args[2], {x: call("struct_extract_at", exp.column(pair), exp.Literal.number(1)),
                                  y: call("struct_extract_at", exp.column(pair), exp.Literal.number(2))})
    return call("list_transform", call("list_zip", args[0], args[1]), _lambda([pair], body))


def _reduce(node: exp.Reduce) -> exp.Expression:
    merge = node.args.get("merge")
    finish = node.args.get("finish")
    reduced = exp.Anonymous(this="list_reduce", expressions=[node.this, merge, node.args.get("initial")])
    if finish is None:
        return reduced
    if not isinstance(finish, exp.Lambda) or len(finish.expressions) != 1:
        raise ProgrammingError("reduce: the output function must be a lambda s -> ...")
    param = finish.expressions[0].name
    # [reduced] -> transform with the final lambda -> the single element: no parameter substitution needed
    return call("list_extract", call("list_transform", exp.Array(expressions=[reduced]), _lambda([param], finish.this)),
                exp.Literal.number(1))


def _sequence(node: exp.Expression, args: list[exp.Expression]) -> exp.Expression:
    start = args[0]
    start_type = _known(start)
    kind = start_type.this if start_type is not None else None
    if isinstance(start, exp.Literal) and not start.is_string:
        kind = T.BIGINT
    if kind in exp.DataType.INTEGER_TYPES:
        if len(args) == 2:
            return call("trino_sequence2", *args)
        return call("trino_sequence3", *args)
    if kind == T.DATE:
        if len(args) == 2:
            return call("trino_date_sequence2", *args)
        return call("trino_date_sequence3", *args)
    if kind in (T.TIMESTAMP, T.DATETIME, T.TIMESTAMPTZ):
        if len(args) != 3:
            raise ProgrammingError("sequence of timestamps needs a step interval")
        return call("trino_timestamp_sequence", *args)
    raise NotSupportedError("sequence: lakebox cannot tell the type of the start value; cast it to bigint, date or "
                            "timestamp")


def _anonymous(node: exp.Anonymous) -> exp.Expression:
    name = node.name.lower()
    args = list(node.expressions)
    if name in ("map_filter", "transform_keys", "transform_values"):
        return _map_lambda(name, node, args)
    if name in ("all_match", "any_match", "none_match"):
        return _match(name, args)
    if name == "array_union" and len(args) == 2:
        return call("trino_array_union", *args)
    if name == "arrays_overlap" and len(args) == 2:
        return call("trino_arrays_overlap", *args)
    if name == "zip" and len(args) >= 2:
        return call("list_zip", *args)
    if name == "zip_with":
        return _zip_with(args)
    if name == "sequence" and len(args) in (2, 3):
        return _sequence(node, args)
    if name == "multimap_from_entries" and len(args) == 1:
        return call("trino_multimap_from_entries", *args)
    if name == "trim_array" and len(args) == 2:
        return call("trino_trim_array", *args)
    if name == "ngrams" and len(args) == 2:
        return call("trino_ngrams", *args)
    if name in ("combinations", "shuffle", "contains_sequence", "map_zip_with", "array_histogram",
                "euclidean_distance", "dot_product"):
        raise NotSupportedError(f"{name} is not supported by lakebox")
    return node


# -- UNNEST --------------------------------------------------------------------------------------

def _unnest_columns(arg: exp.Expression, names: int | None) -> tuple[str, int]:
    """('plain' | 'map' | 'rows', number of output columns) for one UNNEST argument."""
    kind = container(arg)
    if kind == "map":
        return "map", 2
    element = element_type(arg)
    if element is not None and element.this == T.STRUCT:
        fields = len(element.expressions) or (names or 1)
        return "rows", fields
    if element is None and kind in ("array", None) and names is not None and names > 1:
        return "rows", names  # Trino expands rows only; more names than one means row fields
    return "plain", 1


def _unnest(node: exp.Unnest) -> exp.Expression | None:
    args = list(node.expressions)
    alias = node.args.get("alias")
    ordinality = node.args.get("offset")
    columns = list(alias.columns) if alias is not None else []
    names = len(columns) if columns else None
    kinds = [_unnest_columns(a, names if len(args) == 1 else None) for a in args]
    if len(args) == 1 and kinds[0][0] == "plain":
        return None  # DuckDB's UNNEST table function already agrees, WITH ORDINALITY included
    inner: list[exp.Expression] = []
    outer: list[exp.Expression] = []
    lengths: list[exp.Expression] = []
    for position, (arg, (kind, _count)) in enumerate(zip(args, kinds), start=1):
        element = f"__e{position}"
        source = call("map_entries", arg) if kind == "map" else arg
        size = call("cardinality", arg.copy()) if kind == "map" else call("len", arg.copy())
        lengths.append(exp.cast(size, "BIGINT"))
        inner.append(exp.alias_(call("UNNEST", source), element))
        if kind == "map":
            outer += [_entry_field(element, "key"), _entry_field(element, "value")]
        elif kind == "rows":
            outer.append(call("UNNEST", exp.column(element)))
        else:
            outer.append(exp.column(element))
    if ordinality:
        longest = lengths[0] if len(lengths) == 1 else call("greatest", *lengths)  # a NULL array is empty
        inner.append(exp.alias_(call("UNNEST", call("range", exp.Literal.number(1),
                                                    exp.Add(this=longest, expression=exp.Literal.number(1)))),
                                "__n"))
        outer.append(exp.column("__n"))
    zipped = exp.Select(expressions=inner)
    select = exp.Select(expressions=outer).from_(exp.Subquery(this=zipped, alias=exp.TableAlias(
        this=exp.to_identifier("__u"))))
    names_out = [c.copy() for c in columns]
    if isinstance(ordinality, exp.Identifier):
        names_out.append(ordinality.copy())
    table_alias = exp.TableAlias(this=(alias.this.copy() if alias is not None and alias.this else
                                       exp.to_identifier("_unnest")), columns=names_out)
    subquery = exp.Subquery(this=select)
    if isinstance(node.parent, exp.Join):
        return exp.Lateral(this=subquery, alias=table_alias)
    subquery.set("alias", table_alias)
    return subquery


# -- types sqlglot does not know ---------------------------------------------------------------------

def _build(text: str) -> exp.DataType:
    return exp.DataType.build(text)


_STRING_ARRAY = (exp.Split, exp.RegexpExtractAll, exp.RegexpSplit)

# Athena functions sqlglot leaves anonymous, by the type Trino gives them (arguments' types as needed)
_ANONYMOUS_TYPES = {
    "split_to_multimap": lambda args: _build("MAP<VARCHAR, ARRAY<VARCHAR>>"),
    "map_agg": lambda args: _map_of(args[0].type, args[1].type) if len(args) == 2 else None,
    "multimap_agg": lambda args: _map_of(args[0].type, _array_of(args[1].type)) if len(args) == 2 else None,
    "histogram": lambda args: _map_of(args[0].type, _build("BIGINT")) if args else None,
    "map_union": lambda args: args[0].type if args else None,
    "map_filter": lambda args: args[0].type if args else None,
    "array_union": lambda args: args[0].type if args else None,
    "multimap_from_entries": lambda args: None,
    "url_extract_protocol": lambda args: _build("VARCHAR"), "url_extract_host": lambda args: _build("VARCHAR"),
    "url_extract_path": lambda args: _build("VARCHAR"), "url_extract_query": lambda args: _build("VARCHAR"),
    "url_extract_fragment": lambda args: _build("VARCHAR"), "url_extract_parameter": lambda args: _build("VARCHAR"),
    "url_extract_port": lambda args: _build("BIGINT"), "url_encode": lambda args: _build("VARCHAR"),
    "url_decode": lambda args: _build("VARCHAR"),
    "json_size": lambda args: _build("BIGINT"),
    "json_array_length": lambda args: _build("BIGINT"), "is_json_scalar": lambda args: _build("BOOLEAN"),
    "hamming_distance": lambda args: _build("BIGINT"), "codepoint": lambda args: _build("INT"),
    "luhn_check": lambda args: _build("BOOLEAN"), "regexp_position": lambda args: _build("INT"),
}


def _known_type(datatype) -> bool:
    return isinstance(datatype, exp.DataType) and datatype.this not in (T.UNKNOWN, T.NULL)


def _map_of(key, value) -> exp.DataType | None:
    if not (_known_type(key) and _known_type(value)):
        return None
    return exp.DataType(this=T.MAP, expressions=[key.copy(), value.copy()], nested=True)


def _array_of(element) -> exp.DataType | None:
    if not _known_type(element):
        return None
    return exp.DataType(this=T.ARRAY, expressions=[element.copy()], nested=True)


def _annotate_string_array(annotator, node: exp.Expression) -> exp.Expression:
    annotator._set_type(node, _build("ARRAY<VARCHAR>"))
    return node


def _annotate_string_map(annotator, node: exp.Expression) -> exp.Expression:
    annotator._set_type(node, _build("MAP<VARCHAR, VARCHAR>"))
    return node


def _annotate_anonymous(annotator, node: exp.Anonymous) -> exp.Expression:
    typer = _ANONYMOUS_TYPES.get(node.name.lower())
    datatype = typer(list(node.expressions)) if typer is not None else None
    annotator._set_type(node, datatype if datatype is not None else T.UNKNOWN)
    return node


ANNOTATORS = {"athena": {**{cls: {"annotator": _annotate_string_array} for cls in _STRING_ARRAY},
                         exp.StrToMap: {"annotator": _annotate_string_map},
                         exp.Anonymous: {"annotator": _annotate_anonymous}}}


# -- macros --------------------------------------------------------------------------------------

_DISTINCT = "list_filter({a}, lambda __x, __i: list_position({a}, __x) = __i)"
MACROS = [
    "CREATE OR REPLACE TEMP MACRO trino_array_subscript(a, i) AS ("
    " CASE WHEN i = 0 THEN error('SQL array indices start at 1')"
    " WHEN i < 0 THEN error('Array subscript is negative: ' || i)"
    " WHEN i > len(a) THEN error('Array subscript must be less than or equal to array length: ' || i || ' > '"
    "  || len(a)) ELSE a[i] END)",
    "CREATE OR REPLACE TEMP MACRO trino_element_at(a, i) AS ("
    " CASE WHEN i = 0 THEN error('SQL array indices start at 1') ELSE a[i] END)",
    "CREATE OR REPLACE TEMP MACRO trino_map_subscript(m, k) AS ("
    " CASE WHEN NOT map_contains(m, k) THEN error('Key not present in map: ' || k) ELSE m[k] END)",
    "CREATE OR REPLACE TEMP MACRO trino_contains(a, e) AS ("
    " CASE WHEN a IS NULL OR e IS NULL THEN NULL WHEN list_contains(a, e) THEN true"
    " WHEN list_position(a, NULL) IS NOT NULL THEN NULL ELSE false END)",
    "CREATE OR REPLACE TEMP MACRO trino_array_position(a, e) AS ("
    " CASE WHEN a IS NULL OR e IS NULL THEN NULL ELSE CAST(coalesce(list_position(a, e), 0) AS BIGINT) END)",
    "CREATE OR REPLACE TEMP MACRO trino_array_max(a) AS ("
    " CASE WHEN list_position(a, NULL) IS NOT NULL THEN NULL ELSE list_max(a) END)",
    "CREATE OR REPLACE TEMP MACRO trino_array_min(a) AS ("
    " CASE WHEN list_position(a, NULL) IS NOT NULL THEN NULL ELSE list_min(a) END)",
    f"CREATE OR REPLACE TEMP MACRO trino_array_distinct(a) AS {_DISTINCT.format(a='a')}",
    "CREATE OR REPLACE TEMP MACRO trino_array_remove(a, e) AS ("
    " CASE WHEN e IS NULL THEN NULL ELSE list_filter(a, lambda __x: __x IS NULL OR __x <> e) END)",
    "CREATE OR REPLACE TEMP MACRO trino_array_union(a, b) AS trino_array_distinct(list_concat(a, b))",
    "CREATE OR REPLACE TEMP MACRO trino_array_intersect(a, b) AS"
    " trino_array_distinct(list_filter(a, lambda __x: list_position(b, __x) IS NOT NULL))",
    "CREATE OR REPLACE TEMP MACRO trino_array_except(a, b) AS"
    " trino_array_distinct(list_filter(a, lambda __x: list_position(b, __x) IS NULL))",
    "CREATE OR REPLACE TEMP MACRO trino_arrays_overlap(a, b) AS ("
    " CASE WHEN a IS NULL OR b IS NULL THEN NULL"
    " WHEN len(list_filter(a, lambda __x: __x IS NOT NULL AND list_contains(b, __x))) > 0 THEN true"
    " WHEN list_position(a, NULL) IS NOT NULL OR list_position(b, NULL) IS NOT NULL THEN NULL ELSE false END)",
    "CREATE OR REPLACE TEMP MACRO trino_slice(a, s, n) AS ("
    " CASE WHEN s = 0 THEN error('SQL array indices start at 1')"
    " WHEN n < 0 THEN error('length must be greater than or equal to 0')"
    " WHEN s > 0 THEN list_slice(a, s, s + n - 1)"
    " WHEN len(a) + s + 1 < 1 THEN list_slice(a, 1, 0)"
    " ELSE list_slice(a, len(a) + s + 1, len(a) + s + n) END)",
    "CREATE OR REPLACE TEMP MACRO trino_repeat(e, n) AS ("
    " CASE WHEN n < 0 THEN error('count argument of repeat function must be greater than or equal to 0')"
    " WHEN n > 10000 THEN error('count argument of repeat function must be less than or equal to 10000')"
    " ELSE list_transform(range(n), lambda __i: e) END)",
    "CREATE OR REPLACE TEMP MACRO trino_trim_array(a, n) AS ("
    " CASE WHEN n < 0 OR n > len(a) THEN error('size must not be negative or greater than the array length: ' || n)"
    " ELSE list_slice(a, 1, len(a) - n) END)",
    "CREATE OR REPLACE TEMP MACRO trino_ngrams(a, n) AS ("
    " CASE WHEN n <= 0 THEN error('N must be positive')"
    " WHEN len(a) <= n THEN [a]"
    " ELSE list_transform(range(1, len(a) - n + 2), lambda __i: list_slice(a, __i, __i + n - 1)) END)",
    "CREATE OR REPLACE TEMP MACRO trino_all_match(b) AS ("
    " CASE WHEN list_contains(b, false) THEN false WHEN list_position(b, NULL) IS NOT NULL THEN NULL"
    " WHEN b IS NULL THEN NULL ELSE true END)",
    "CREATE OR REPLACE TEMP MACRO trino_any_match(b) AS ("
    " CASE WHEN list_contains(b, true) THEN true WHEN list_position(b, NULL) IS NOT NULL THEN NULL"
    " WHEN b IS NULL THEN NULL ELSE false END)",
    "CREATE OR REPLACE TEMP MACRO trino_none_match(b) AS ("
    " CASE WHEN list_contains(b, true) THEN false WHEN list_position(b, NULL) IS NOT NULL THEN NULL"
    " WHEN b IS NULL THEN NULL ELSE true END)",
    "CREATE OR REPLACE TEMP MACRO trino_multimap_from_entries(e) AS map_from_entries(list_transform("
    " list_distinct(list_transform(e, lambda __x: struct_extract_at(__x, 1))),"
    " lambda __k: {'key': __k, 'value': list_transform(list_filter(e, lambda __x: struct_extract_at(__x, 1) = __k),"
    "  lambda __x: struct_extract_at(__x, 2))}))",
    # sequence: Trino's default step, argument checks and its 10000-entry limit
    "CREATE OR REPLACE TEMP MACRO trino_sequence3(a, b, s) AS ("
    " CASE WHEN s = 0 THEN error('step must not be zero')"
    " WHEN (s > 0 AND a > b) OR (s < 0 AND a < b) THEN error('sequence stop value should be greater than or equal"
    " to start value if step is greater than zero otherwise stop should be less than or equal to start')"
    " WHEN (b - a) // s + 1 > 10000 THEN error('result of sequence function must not have more than 10000 entries')"
    " ELSE generate_series(a, b, s) END)",
    "CREATE OR REPLACE TEMP MACRO trino_sequence2(a, b) AS"
    " trino_sequence3(a, b, CASE WHEN a <= b THEN 1 ELSE -1 END)",
    "CREATE OR REPLACE TEMP MACRO trino_date_sequence2(a, b) AS ("
    " CASE WHEN abs(b - a) + 1 > 10000 THEN error('result of sequence function must not have more than 10000"
    " entries') ELSE CAST(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP),"
    " CASE WHEN a <= b THEN INTERVAL 1 DAY ELSE INTERVAL (-1) DAY END) AS DATE[]) END)",
    "CREATE OR REPLACE TEMP MACRO trino_months(s) AS (datepart('year', s) * 12 + datepart('month', s))",
    "CREATE OR REPLACE TEMP MACRO trino_date_sequence3(a, b, s) AS ("
    " CASE WHEN trino_months(s) <> 0 AND (datepart('day', s) <> 0 OR to_microseconds(0) <> s - to_months("
    "  trino_months(s)))"
    "  THEN error('sequence step must be a year-to-month or a day-to-second interval')"
    " WHEN trino_months(s) = 0 AND (datepart('day', s) = 0 OR s <> to_days(datepart('day', s)))"
    "  THEN error('sequence step must be a day interval if start and end values are dates')"
    " WHEN (a < b AND CAST(a AS TIMESTAMP) + s <= CAST(a AS TIMESTAMP))"
    "  OR (a > b AND CAST(a AS TIMESTAMP) + s >= CAST(a AS TIMESTAMP))"
    " THEN error('sequence stop value should be greater than or equal to start value if step is greater than zero"
    " otherwise stop should be less than or equal to start')"
    " WHEN trino_months(s) <> 0 THEN list_filter(list_transform(range(0,"
    "  ((year(b) - year(a)) * 12 + month(b) - month(a)) // trino_months(s) + 2),"
    "  lambda __k: CAST(a + __k * s AS DATE)), lambda __d: (__d <= b AND a <= b) OR (__d >= b AND a > b))"
    " ELSE CAST(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), s) AS DATE[]) END)",
    "CREATE OR REPLACE TEMP MACRO trino_timestamp_sequence(a, b, s) AS ("
    " CASE WHEN (a < b AND a + s <= a) OR (a > b AND a + s >= a)"
    " THEN error('sequence stop value should be greater than or equal to start value if step is greater than zero"
    " otherwise stop should be less than or equal to start')"
    " WHEN trino_months(s) <> 0 THEN list_filter(list_transform(range(0,"
    "  ((year(b) - year(a)) * 12 + month(b) - month(a)) // trino_months(s) + 2),"
    "  lambda __k: a + __k * s), lambda __d: (__d <= b AND a <= b) OR (__d >= b AND a > b))"
    " ELSE generate_series(a, b, s) END)",
]


# -- the rule ------------------------------------------------------------------------------------

def _array_function(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.ArrayContains):
        return call("trino_contains", node.this, node.expression)
    if isinstance(node, exp.ArraySize):
        kind = container(node.this)
        if kind == "map":
            return exp.cast(call("cardinality", node.this), "BIGINT")
        if kind == "array":
            return exp.cast(call("len", node.this), "BIGINT")
        raise NotSupportedError("cardinality: lakebox cannot tell whether the argument is an array or a map")
    if isinstance(node, exp.ArraySlice):
        args = [node.this, node.args.get("start"), node.args.get("end")]
        if any(a is None for a in args):
            return node
        return call("trino_slice", *args)
    if isinstance(node, exp.ArrayDistinct):
        return call("trino_array_distinct", node.this)
    if isinstance(node, exp.ArrayMax):
        return call("trino_array_max", node.this)
    if isinstance(node, exp.ArrayMin):
        return call("trino_array_min", node.this)
    if isinstance(node, exp.ArrayPosition):
        return call("trino_array_position", node.this, node.expression)
    if isinstance(node, exp.ArrayRemove):
        return call("trino_array_remove", node.this, node.expression)
    if isinstance(node, exp.ArrayIntersect):
        return call("trino_array_intersect", *node.expressions)
    if isinstance(node, exp.ArrayExcept):
        return call("trino_array_except", node.this, node.expression)
    if isinstance(node, exp.Repeat):
        return call("trino_repeat", node.this, node.args.get("times"))
    if isinstance(node, exp.Reverse):
        kind = container(node.this)
        if kind == "array":
            return call("list_reverse", node.this)
        return node
    if isinstance(node, exp.ArraySort):
        if node.expression is not None:
            raise NotSupportedError("array_sort with a comparator lambda is not supported by lakebox")
        return node
    if isinstance(node, exp.Reduce):
        return _reduce(node)
    if isinstance(node, exp.GenerateSeries):
        args = [node.args.get("start"), node.args.get("end")] + (
            [node.args["step"]] if node.args.get("step") is not None else [])
        return _sequence(node, args)
    return node


_CLASSES = (exp.Bracket, exp.Unnest, exp.Anonymous, exp.ArrayContains, exp.ArraySize, exp.ArraySlice,
            exp.ArrayDistinct, exp.ArrayMax, exp.ArrayMin, exp.ArrayPosition, exp.ArrayRemove, exp.ArrayIntersect,
            exp.ArrayExcept, exp.Repeat, exp.Reverse, exp.ArraySort, exp.Reduce,
            exp.GenerateSeries)


def athena_collections(expression: exp.Expression, dialect: str) -> exp.Expression:
    """One bottom-up walk over subscripts, UNNEST and the array and map functions."""
    if not has_any(expression, _CLASSES):
        return expression
    for node in reversed(list(expression.find_all(*_CLASSES))):
        new: exp.Expression | None = node
        if isinstance(node, exp.Bracket):
            new = _subscript(node)
        elif isinstance(node, exp.Unnest):
            if isinstance(node.parent, (exp.From, exp.Join)):
                new = _unnest(node) or node
        elif isinstance(node, exp.Anonymous):
            new = _anonymous(node)
        else:
            new = _array_function(node)
        if new is not node:
            if new.type is None:
                new.type = node.type
            node.replace(new)
    return expression


# First of all families: a subscript's original index is recovered from the tree as sqlglot parsed it,
# before any family rewrites what the index or the subscripted value is made of.
PRIORITY = 1
RULES = {"athena": [athena_collections]}

FUNCTIONS = {
    "[] (array subscript)": ("supported", "errors out of range in Trino's words"),
    "[] (map subscript)": ("supported", "error when the key is missing"),
    "element_at": ("supported", "NULL out of range or missing key; negative index from the end; 0 is an error"),
    "UNNEST": ("supported", "maps to key/value columns, arrays of rows to one column per field, several arrays "
                            "zipped, WITH ORDINALITY 1-based"),
    "cardinality": ("supported", "arrays and maps"),
    "contains": ("supported", "NULL when not found but the array holds a NULL"),
    "array_join": ("supported", "NULLs skipped or replaced"),
    "array_distinct": ("supported", "first occurrences in order; one NULL kept"),
    "array_max": ("supported", "NULL if any element is NULL"),
    "array_min": ("supported", "NULL if any element is NULL"),
    "array_position": ("supported", "0 when absent"),
    "array_remove": ("supported", ""),
    "array_sort": ("partial", "NULLs last; the comparator-lambda form raises an error"),
    "array_union": ("supported", "order of first appearance"),
    "array_intersect": ("supported", "order of the first array"),
    "array_except": ("supported", "order of the first array"),
    "arrays_overlap": ("supported", "NULL rules"),
    "flatten": ("supported", ""),
    "sequence": ("supported", "integers, dates and timestamps; Trino's default step, checks and 10000-entry limit"),
    "slice": ("supported", "negative start from the end"),
    "repeat": ("supported", "an array of count copies"),
    "reverse": ("supported", ""),
    "transform": ("supported", ""),
    "filter": ("supported", ""),
    "reduce": ("supported", "the output lambda is applied"),
    "zip": ("supported", "padded with NULLs"),
    "zip_with": ("supported", ""),
    "all_match": ("supported", "NULL rules"),
    "any_match": ("supported", "NULL rules"),
    "none_match": ("supported", "NULL rules"),
    "trim_array": ("supported", ""),
    "ngrams": ("supported", ""),
    "map": ("supported", ""),
    "map_keys": ("supported", ""),
    "map_values": ("supported", ""),
    "map_entries": ("supported", ""),
    "map_concat": ("supported", "the last map wins"),
    "map_from_entries": ("supported", ""),
    "multimap_from_entries": ("supported", "SQL macro"),
    "map_filter": ("supported", ""),
    "transform_keys": ("supported", ""),
    "transform_values": ("supported", ""),
    "combinations": ("not supported", "raises an error"),
    "shuffle": ("not supported", "raises an error"),
    "contains_sequence": ("not supported", "raises an error"),
    "map_zip_with": ("not supported", "raises an error"),
}
