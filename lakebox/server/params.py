"""Types of `$n` parameters the client left unspecified (OID 0), resolved as PostgreSQL resolves them.

asyncpg (and any client that binds in binary) encodes parameters by the types ParameterDescription
reports, so `WHERE id = $1` must say int8 when `id` is a bigint. PostgreSQL gives an unknown-typed
parameter the type its context coerces it to, and lakebox follows the same rules for the common
shapes (each checked against a real PostgreSQL 15 in tests/server/test_wire_parameters.py):

- a cast gives its type (`$1::int` int4); LIMIT, OFFSET and FETCH int8;
- a comparison, IN, BETWEEN or LIKE gives the other operand's type, with PostgreSQL's quirk that
  a varchar operand gives text (varchar borrows text's operators), and `= ANY($1)` its array;
- arithmetic gives the other operand's type (`$1 + 1` int4, `price * $1` numeric, `now() - $1`
  timestamptz, `ts + $1` interval);
- an INSERT or UPDATE target gives the column's type exactly (`varchar`), so does INSERT ... SELECT;
- AND, OR, NOT, WHERE, HAVING and CASE WHEN give bool; COALESCE, NULLIF, GREATEST, LEAST and CASE
  branches the type of the other arguments; a few string and math functions PostgreSQL's choice;
- what is left in a select list, VALUES, ORDER BY or GROUP BY, or compared with another unknown,
  is text.

Where PostgreSQL cannot decide, it refuses the statement: `$1 IS NULL` and `count($1)` and a
parameter that appears nowhere (`SELECT $2`) raise 42P18 "could not determine data type of
parameter $1"; `$1 + $2`, `-$1`, `sum($1)` and `date + $1` raise 42725. `parameter_types()` does
the same, and the server answers Parse with that error. Where
lakebox itself cannot tell (an expression whose type it does not know, a function it has no rule
for) it says text, not an error: PostgreSQL might well have decided.

Interval, time and timetz parameters are described with their own types: the wire layer decodes
their text and binary forms (types.decode_parameter) and the statement reads them through a CAST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sqlglot
from sqlglot import exp

from lakebox import errors
from lakebox.server import sqltext
from lakebox.server import types as pgt

BPCHAR, JSON_OID = 1042, 114
_UNKNOWN = 705  # type_of(): an unknown-typed operand (an unspecified parameter, a string literal, NULL)

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
_PATTERNS = tuple(c for c in (exp.Like, exp.ILike, getattr(exp, "SimilarTo", None), getattr(exp, "RegexpLike", None),
                              getattr(exp, "RegexpILike", None)) if c is not None)
_ARITHMETIC = tuple(c for c in (exp.Add, exp.Sub, exp.Mul, exp.Div, getattr(exp, "IntDiv", None), exp.Mod,
                                getattr(exp, "Pow", None)) if c is not None)
_NUMERIC = (pgt.INT2, pgt.INT4, pgt.INT8, pgt.NUMERIC, pgt.FLOAT4, pgt.FLOAT8)
_DATETIMES = (pgt.DATE, pgt.TIME, pgt.TIMESTAMP, pgt.TIMESTAMPTZ)
_OPERATOR_SYMBOLS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "IntDiv": "/", "Mod": "%", "Pow": "^"}


def _classes(*names: str) -> tuple:
    return tuple(c for c in (getattr(exp, n, None) for n in names) if isinstance(c, type))


#: Functions PostgreSQL resolves an unknown first argument of to text, and to float8.
_TEXT_FUNCTIONS = _classes("Upper", "Lower", "Length", "Trim", "Substring", "Initcap", "Replace", "Left", "Right",
                           "Pad", "Reverse", "MD5", "StrPosition", "Concat", "ConcatWs", "RegexpReplace",
                           "RegexpExtract", "Ascii", "Repeat", "SplitPart", "Translate")
_FLOAT_FUNCTIONS = _classes("Abs", "Round", "Ceil", "Floor", "Sqrt", "Exp", "Ln", "Log", "Cbrt", "Sign")
_COMMON_TYPE_FUNCTIONS = _classes("Coalesce", "Nullif", "Greatest", "Least")
_AMBIGUOUS_AGGREGATES = _classes("Sum", "Avg", "Stddev", "StddevPop", "StddevSamp", "Variance", "VariancePop")

_CAST_TYPES = {
    "BIGINT": pgt.INT8, "INT": pgt.INT4, "INTEGER": pgt.INT4, "SMALLINT": pgt.INT2, "TINYINT": pgt.INT2,
    "DOUBLE": pgt.FLOAT8, "DOUBLE PRECISION": pgt.FLOAT8, "FLOAT": pgt.FLOAT8, "REAL": pgt.FLOAT4,
    "DECIMAL": pgt.NUMERIC, "NUMERIC": pgt.NUMERIC, "BOOLEAN": pgt.BOOL, "DATE": pgt.DATE,
    "TIMESTAMP": pgt.TIMESTAMP, "TIMESTAMPTZ": pgt.TIMESTAMPTZ, "VARCHAR": pgt.VARCHAR, "TEXT": pgt.TEXT,
    "CHAR": BPCHAR, "VARBINARY": pgt.BYTEA, "BINARY": pgt.BYTEA, "BLOB": pgt.BYTEA, "UUID": pgt.UUID,
    "JSON": pgt.JSON, "JSONB": 3802, "TIME": pgt.TIME, "TIMETZ": pgt.TIMETZ, "INTERVAL": pgt.INTERVAL,
}

#: sqlglot's type of an annotated expression, as a PostgreSQL type OID.
_DATATYPE_OIDS = {
    "BIGINT": pgt.INT8, "INT": pgt.INT4, "SMALLINT": pgt.INT2, "TINYINT": pgt.INT2, "UBIGINT": pgt.NUMERIC,
    "UINT": pgt.INT8, "USMALLINT": pgt.INT4, "UTINYINT": pgt.INT2, "HUGEINT": pgt.NUMERIC, "INT128": pgt.NUMERIC,
    "DOUBLE": pgt.FLOAT8, "FLOAT": pgt.FLOAT4, "DECIMAL": pgt.NUMERIC, "BIGDECIMAL": pgt.NUMERIC,
    "VARCHAR": pgt.VARCHAR, "NVARCHAR": pgt.VARCHAR, "CHAR": BPCHAR, "NCHAR": BPCHAR, "TEXT": pgt.TEXT,
    "BOOLEAN": pgt.BOOL, "DATE": pgt.DATE, "TIMESTAMP": pgt.TIMESTAMP, "DATETIME": pgt.TIMESTAMP,
    "TIMESTAMPNTZ": pgt.TIMESTAMP, "TIMESTAMPTZ": pgt.TIMESTAMPTZ, "TIMESTAMPLTZ": pgt.TIMESTAMPTZ,
    "TIME": pgt.TIME, "TIMETZ": pgt.TIMETZ, "INTERVAL": pgt.INTERVAL, "BINARY": pgt.BYTEA,
    "VARBINARY": pgt.BYTEA, "BLOB": pgt.BYTEA, "UUID": pgt.UUID, "JSON": pgt.JSON, "JSONB": 3802, "MAP": pgt.JSON,
    "STRUCT": pgt.JSON,
}


class ParameterTypeError(errors.ProgrammingError):
    """PostgreSQL's refusal of a statement whose parameter types it cannot determine."""

    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.sqlstate = sqlstate


# --------------------------------------------------------------------------- entry points

def parameter_types(sql: str, pg, declared: list[int]) -> list[int]:
    """The parameters' types as PostgreSQL's Parse resolves them: `declared` where non-zero (the
    client's), else from context; raises ParameterTypeError (42P18, 42725) where PostgreSQL would."""
    return _resolve(sql, pg, list(declared), strict=True)


# --------------------------------------------------------------------------- resolution

@dataclass
class _Evidence:
    """What the occurrences of one parameter say about its type."""

    types: list[int] = field(default_factory=list)  # determined by context, in tree order
    output: bool = False  # left in a select list, VALUES, ORDER BY: text when nothing else decides
    opaque: bool = False  # in a context lakebox cannot type: text, not an error
    ambiguous: str | None = None  # PostgreSQL's 42725 message


def _resolve(sql: str, pg, declared: list[int], strict: bool) -> list[int]:
    count = len(declared)
    if not count:
        return []
    analysis = _Analysis.of(sql, pg, declared)
    evidence = analysis.evidence() if analysis is not None else None
    result = []
    for index in range(count):
        if declared[index]:
            result.append(declared[index])
            continue
        found = evidence.get(index, _Evidence()) if evidence is not None else _Evidence(opaque=True)
        if found.types:
            result.append(found.types[0])
        elif found.output or found.opaque or not strict:
            result.append(pgt.TEXT)
        elif found.ambiguous:  # PostgreSQL fails on the operator before it checks the types left over
            raise ParameterTypeError(found.ambiguous, "42725")
        else:
            result.append(None)
    missing = [i for i, t in enumerate(result) if t is None]
    if missing:
        raise ParameterTypeError(f"could not determine data type of parameter ${missing[0] + 1}", "42P18")
    return result


class _Analysis:
    """One statement's tree, its parameters (index -> nodes) and what lakebox knows of its columns."""

    def __init__(self, expression: exp.Expression, params: dict[int, list[exp.Expression]], declared: list[int],
                 columns: dict[str, str], catalog: bool, pg):
        self.expression = expression
        self.params = params
        self.declared = declared
        self.columns = columns  # column name -> Glue type, every table of the statement
        self.catalog = catalog
        self.pg = pg

    @classmethod
    def of(cls, sql: str, pg, declared: list[int]) -> _Analysis | None:
        catalog = pg.is_catalog_query(sql)
        expected = _parameter_tokens(sql)
        try:
            if catalog:
                from lakebox.server.pgcatalog import normalize_array_casts

                expression = sqlglot.parse_one(normalize_array_casts(sql), read="postgres")
            else:
                from lakebox.dialects.statements import sqlglot_dialect

                expression = sqlglot.parse_one(sql, read=sqlglot_dialect(pg.dialect))
        except Exception:  # noqa: BLE001 - not parsed here: the engine will say why
            return None
        if expression is None:
            return None
        params: dict[int, list[exp.Expression]] = {}
        for node in list(expression.walk(bfs=False)):  # in the text's order, near enough
            index = _parameter_index(node)
            if index is None:
                continue
            marker = exp.Placeholder()
            marker.meta["lb_param"] = index
            if node is expression:
                return None
            node.replace(marker)
            params.setdefault(index, []).append(marker)
        if sum(len(v) for v in params.values()) != expected:
            return None  # the dialect's parser read some `$n` differently: lakebox cannot tell
        analysis = cls(expression, params, declared, {}, catalog, pg)
        if not catalog:
            analysis.columns = analysis._annotate()
        return analysis

    # -- types of the statement's expressions --------------------------------------------------

    def _annotate(self) -> dict[str, str]:
        """Qualify and type the tree with sqlglot over the catalog's tables; the columns by name."""
        from sqlglot.optimizer.annotate_types import annotate_types
        from sqlglot.optimizer.qualify_columns import qualify_columns
        from sqlglot.optimizer.qualify_tables import qualify_tables
        from sqlglot.schema import MappingSchema

        columns: dict[str, str] = {}
        tables = _tables(self.expression, self.pg)
        schema = MappingSchema(dialect="hive", normalize=False)
        for node, table in tables:
            for column in table.all_columns:
                columns.setdefault(column.name.lower(), column.type)
            try:
                schema.add_table(exp.table_(table.name, db=table.database_name),
                                 {c.name: c.type for c in table.all_columns}, dialect="hive")
            except Exception:  # noqa: BLE001 - a type sqlglot cannot read: that table stays untyped
                continue
            node.set("catalog", None)
            node.set("db", exp.to_identifier(table.database_name))
            node.set("this", exp.to_identifier(table.name))
        query = self.expression
        if isinstance(query, exp.Insert):
            query = query.expression
        if not isinstance(query, exp.Query):
            return columns
        dialect = self.pg.dialect
        try:
            from lakebox.dialects.rules import annotators

            metadata = annotators(dialect)
        except Exception:  # noqa: BLE001
            metadata = None
        try:
            qualified = qualify_columns(qualify_tables(query, dialect=dialect), schema)
            if qualified is not query:
                query.replace(qualified)
            annotate_types(qualified, schema=schema, dialect=dialect, expression_metadata=metadata)
        except Exception:  # noqa: BLE001 - unresolvable names: columns are looked up by name instead
            try:
                annotate_types(query, dialect=dialect, expression_metadata=metadata)
            except Exception:  # noqa: BLE001
                pass
        return columns

    def type_of(self, node: exp.Expression | None) -> int | None:
        """A PostgreSQL type OID, _UNKNOWN for an unknown-typed operand, None when lakebox cannot tell."""
        while isinstance(node, exp.Paren):
            node = node.this
        if node is None:
            return None
        if _is_marker(node):
            declared = self.declared[node.meta["lb_param"]] if node.meta["lb_param"] < len(self.declared) else 0
            return declared or _UNKNOWN
        if isinstance(node, exp.Literal):
            return _UNKNOWN if node.is_string else _number_type(node.this)
        if isinstance(node, exp.Null):
            return _UNKNOWN
        if isinstance(node, exp.Boolean):
            return pgt.BOOL
        if isinstance(node, exp.Cast):
            return _cast_oid(node.to)
        if isinstance(node, exp.Neg):
            inner = self.type_of(node.this)
            return inner if inner in _NUMERIC or inner == pgt.INTERVAL else None
        if isinstance(node, exp.Column) and self.catalog:
            return _catalog_columns().get(node.name.lower())
        if isinstance(node, exp.Column):
            annotated = _datatype_oid(node.type)
            glue = self.columns.get(node.name.lower())
            if annotated is None and glue is not None:
                from lakebox.server.pgcatalog import _pg_type_for_glue

                return _pg_type_for_glue(glue)[0]
        if isinstance(node, _ARITHMETIC):
            left, right = self.type_of(node.this), self.type_of(node.expression)
            if left in _NUMERIC and right in _NUMERIC:
                return max(left, right, key=_NUMERIC.index)
        return _datatype_oid(node.type) if not self.catalog else None

    # -- the parameters' contexts --------------------------------------------------------------

    def evidence(self) -> dict[int, _Evidence]:
        found: dict[int, _Evidence] = {}
        for index, markers in self.params.items():
            evidence = found.setdefault(index, _Evidence())
            for marker in markers:
                outcome = self.context(marker)
                if isinstance(outcome, int):
                    evidence.types.append(outcome)
                elif outcome == "output":
                    evidence.output = True
                elif outcome == "opaque":
                    evidence.opaque = True
                elif isinstance(outcome, tuple):
                    evidence.ambiguous = evidence.ambiguous or outcome[1]
        return found

    def context(self, marker: exp.Expression):
        """The type one occurrence gets: an OID, "output", "opaque", "unresolved" or ("ambiguous", message)."""
        me = marker
        parent = me.parent
        while isinstance(parent, exp.Paren):
            me, parent = parent, parent.parent
        if parent is None:
            return "output"
        if isinstance(parent, exp.Cast):
            return _cast_oid(parent.to)
        if isinstance(parent, (exp.Limit, exp.Offset, exp.Fetch)):
            return pgt.INT8
        if isinstance(parent, (exp.And, exp.Or, exp.Not, exp.Xor, exp.Where, exp.Having)):
            return pgt.BOOL
        if isinstance(parent, exp.If):
            case = parent.parent
            if parent.this is me and isinstance(case, exp.Case) and case.this is not None:
                return self.compared_with(case.this)  # CASE x WHEN $1: compared with x
            if parent.this is me:
                return pgt.BOOL
            return self.common_type(me, self.branches(parent))
        if isinstance(parent, exp.Case):
            if parent.this is me:  # CASE $1 WHEN ...: compared with each WHEN value
                return self.common_type(me, [w.this for w in parent.args.get("ifs") or []], operator=True)
            return self.common_type(me, self.branches(parent))
        if isinstance(parent, exp.Is):
            return pgt.BOOL if isinstance(parent.expression, exp.Boolean) and parent.this is me else "unresolved"
        if isinstance(parent, exp.EQ) and isinstance(parent.parent, exp.Update) \
                and parent in (parent.parent.expressions or []) and parent.expression is me:
            return self.assignment(parent.this)
        if isinstance(parent, _COMPARISONS):
            other = parent.expression if parent.this is me else parent.this
            if isinstance(other, (exp.Any, exp.All)):
                return "opaque"
            return self.compared_with(other)
        if isinstance(parent, (exp.Any, exp.All)):  # x = ANY($1): an array of x's type
            comparison = parent.parent
            if isinstance(comparison, _COMPARISONS):
                other = comparison.this if comparison.expression is parent else comparison.expression
                element = self.compared_with(other)
                if isinstance(element, int):
                    array = _array_of(element)
                    return array if array else "opaque"
            return "opaque"
        if isinstance(parent, _PATTERNS) or isinstance(parent, exp.Escape):
            return pgt.TEXT
        if isinstance(parent, exp.DPipe):
            other = parent.expression if parent.this is me else parent.this
            other_type = self.type_of(other)
            if other_type is None or (other_type in pgt.ALL_TYPES and pgt.ALL_TYPES[other_type].element):
                return "opaque"
            return pgt.TEXT
        if isinstance(parent, _ARITHMETIC):
            return self.arithmetic(parent, me)
        if isinstance(parent, (exp.Neg, exp.BitwiseNot)):
            symbol = "-" if isinstance(parent, exp.Neg) else "~"
            return ("ambiguous", f"operator is not unique: {symbol} unknown")
        if isinstance(parent, exp.In):
            if parent.this is me:
                if parent.args.get("query") is not None:
                    return "opaque"
                return self.common_type(me, parent.expressions, operator=True)
            return self.compared_with(parent.this)
        if isinstance(parent, exp.Between):
            return self.common_type(me, [parent.this, parent.args.get("low"), parent.args.get("high")], operator=True)
        if isinstance(parent, exp.Tuple):
            return self.in_tuple(parent, me)
        if isinstance(parent, exp.Alias):
            me, parent = parent, parent.parent
        if isinstance(parent, exp.Select) and me in parent.expressions:
            return self.projection(parent, me)
        if isinstance(parent, (exp.Ordered, exp.Group)):
            return "output"
        if isinstance(parent, _COMMON_TYPE_FUNCTIONS):
            return self.common_type(me, [parent.this] + list(parent.expressions) + [parent.args.get("expression")])
        if isinstance(parent, exp.Count):
            return "unresolved"
        if isinstance(parent, _AMBIGUOUS_AGGREGATES) and parent.this is me:
            return ("ambiguous", f"function {parent.sql_name().lower()}(unknown) is not unique")
        if isinstance(parent, (exp.Max, exp.Min)) and parent.this is me:
            return pgt.TEXT
        if isinstance(parent, _TEXT_FUNCTIONS) and parent.this is me:
            return pgt.TEXT
        if isinstance(parent, _FLOAT_FUNCTIONS) and parent.this is me:
            return pgt.FLOAT8
        return "opaque"

    def compared_with(self, other: exp.Expression):
        """The type PostgreSQL gives an unknown compared with `other`."""
        other_type = self.type_of(other)
        if other_type is None:
            return "opaque"
        if other_type == _UNKNOWN:
            return pgt.TEXT  # unknown = unknown: both text
        return pgt.TEXT if other_type == pgt.VARCHAR else other_type  # varchar has text's operators

    def arithmetic(self, parent: exp.Expression, me: exp.Expression):
        left = parent.this is me
        other_type = self.type_of(parent.expression if left else parent.this)
        symbol = _OPERATOR_SYMBOLS.get(type(parent).__name__, "+")
        if other_type is None:
            return "opaque"
        if other_type == _UNKNOWN:
            return ("ambiguous", f"operator is not unique: unknown {symbol} unknown")
        if other_type in _NUMERIC or other_type == pgt.INTERVAL:
            return other_type
        if other_type in _DATETIMES:
            if isinstance(parent, exp.Sub):
                return other_type
            if isinstance(parent, exp.Add) and other_type in (pgt.TIMESTAMP, pgt.TIMESTAMPTZ):
                return pgt.INTERVAL  # timestamp + timestamp does not exist: the one candidate is interval
            name = _type_name(other_type)
            pair = f"unknown {symbol} {name}" if left else f"{name} {symbol} unknown"
            return ("ambiguous", f"operator is not unique: {pair}")
        return "opaque"

    def common_type(self, me: exp.Expression, others: list, operator: bool = False):
        """The type of an unknown among `others` (COALESCE, CASE branches, IN lists, BETWEEN)."""
        types = []
        for other in others:
            if other is None or other is me:
                continue
            other_type = self.type_of(other)
            if other_type is None:
                return "opaque"
            types.append(other_type)
        known = [t for t in types if t != _UNKNOWN]
        if not known:
            return pgt.TEXT
        chosen = known[0]
        if all(t in _NUMERIC for t in known):
            chosen = max(known, key=_NUMERIC.index)
        return pgt.TEXT if operator and chosen == pgt.VARCHAR else chosen

    def branches(self, node: exp.Expression) -> list:
        """The result expressions of a CASE (or of the If inside one) that `node` belongs to."""
        case = node if isinstance(node, exp.Case) else node.parent
        if isinstance(case, exp.Case):
            return [i.args.get("true") for i in case.args.get("ifs") or []] + [case.args.get("default")]
        return [node.args.get("true"), node.args.get("false")]  # Trino's if(c, a, b)

    def in_tuple(self, tuple_: exp.Tuple, me: exp.Expression):
        position = next((i for i, e in enumerate(tuple_.expressions) if e is me), -1)
        holder = tuple_.parent
        if isinstance(holder, exp.Values):
            insert = holder.parent
            while isinstance(insert, (exp.Subquery, exp.Paren)):
                insert = insert.parent
            if isinstance(insert, exp.Insert):
                return self.target_column(insert, position)
            return "output"
        if isinstance(holder, _COMPARISONS):
            other = holder.expression if holder.this is tuple_ else holder.this
            if isinstance(other, exp.Tuple) and 0 <= position < len(other.expressions):
                return self.compared_with(other.expressions[position])
        if isinstance(holder, exp.In) and holder.this is not tuple_:  # (a, b) IN (($1, $2))
            other = holder.this
            if isinstance(other, exp.Tuple):
                return self.compared_with(other.expressions[position]) \
                    if 0 <= position < len(other.expressions) else "opaque"
            return self.compared_with(other)
        return "opaque"

    def projection(self, select: exp.Select, me: exp.Expression):
        insert = select.parent
        while isinstance(insert, (exp.Subquery, exp.Paren)):
            insert = insert.parent
        if isinstance(insert, exp.Insert) and insert.expression is not None and select in (insert.expression,
                                                                                         insert.expression.this):
            position = next((i for i, e in enumerate(select.expressions) if e is me), -1)
            return self.target_column(insert, position)
        return "output"

    def target_column(self, insert: exp.Insert, position: int):
        target = insert.this
        if isinstance(target, exp.Schema) and target.expressions:
            names = [c.name.lower() for c in target.expressions]
            table = target.this
        else:
            table = target
            names = None
        found = _table_of(table, self.pg)
        if found is None:
            return "opaque"
        columns = found.all_columns
        if names is None:
            names = [c.name.lower() for c in columns]
        if not 0 <= position < len(names):
            return "opaque"
        glue = {c.name.lower(): c.type for c in columns}.get(names[position])
        if glue is None:
            return "opaque"
        from lakebox.server.pgcatalog import _pg_type_for_glue

        return _pg_type_for_glue(glue)[0]

    def assignment(self, column: exp.Expression):
        if isinstance(column, exp.Column) and column.name.lower() in self.columns:
            from lakebox.server.pgcatalog import _pg_type_for_glue

            return _pg_type_for_glue(self.columns[column.name.lower()])[0]
        return "opaque"


# --------------------------------------------------------------------------- helpers

def _parameter_tokens(sql: str) -> int:
    return len(sqltext.to_qmarks(sql)[1])


def _parameter_index(node: exp.Expression) -> int | None:
    """The 0-based index of a `$n` node, however the dialect's parser represents it."""
    text = None
    if isinstance(node, exp.Placeholder):
        text = str(node.name or node.this or "")
    elif isinstance(node, exp.Parameter):
        inner = node.this
        text = inner.name if isinstance(inner, exp.Expression) else str(inner or "")
    elif isinstance(node, exp.Column) and not node.table:
        text = node.name
        if not text.startswith("$") or node.this.quoted:
            return None
    if text is None:
        return None
    match = re.fullmatch(r"\$?(\d+)", text)
    return int(match.group(1)) - 1 if match else None


def _is_marker(node: exp.Expression) -> bool:
    return isinstance(node, exp.Placeholder) and "lb_param" in node.meta


def _number_type(text: str) -> int:
    """An integer literal is int4, int8 or numeric by its size; any other number is numeric."""
    if re.fullmatch(r"\d+", text):
        value = int(text)
        return pgt.INT4 if value <= 2 ** 31 - 1 else (pgt.INT8 if value <= 2 ** 63 - 1 else pgt.NUMERIC)
    return pgt.NUMERIC


def _type_name(oid: int) -> str:
    from lakebox.server.pgcatalog import format_type

    return format_type(oid, -1)


def _array_of(oid: int) -> int:
    t = pgt.ALL_TYPES.get(oid)
    return t.array_oid if t is not None and not t.element and t.array_oid else 0


def _datatype_oid(datatype) -> int | None:
    if not isinstance(datatype, exp.DataType):
        return None
    name = datatype.this.name if hasattr(datatype.this, "name") else str(datatype.this)
    if name == "ARRAY":
        element = _datatype_oid(datatype.expressions[0]) if datatype.expressions else None
        return _array_of(element) or None if element else None
    return _DATATYPE_OIDS.get(name)


def _cast_oid(to: exp.Expression) -> int:
    from lakebox.server.pgcatalog import ARRAY_CASTS

    if isinstance(to, exp.DataType) and to.this == exp.DataType.Type.USERDEFINED:
        kind = to.args.get("kind")
        name = (kind.name if isinstance(kind, exp.Expression) else str(kind)).lower().split(".")[-1]
        if name in ARRAY_CASTS:
            return ARRAY_CASTS[name][1]
        return {"oid": pgt.OID, "int2": pgt.INT2, "int4": pgt.INT4, "int8": pgt.INT8, "name": 19,
                "regclass": 2205, "regtype": 2206}.get(name, pgt.TEXT)
    if isinstance(to, exp.DataType):
        if to.this == exp.DataType.Type.ARRAY:
            return _datatype_oid(to) or pgt.TEXT
        name = to.this.value if hasattr(to.this, "value") else str(to.this)
        return _CAST_TYPES.get(str(name).upper()) or _DATATYPE_OIDS.get(str(name).upper()) or pgt.TEXT
    return pgt.TEXT


@lru_cache(maxsize=1)
def _catalog_columns() -> dict[str, int]:
    """The emulated catalog's columns by name, typed as PostgreSQL types them (oid, name, int2, ...)."""
    from lakebox.server.pgcatalog import _DUCK_TO_PG, INFO_TABLES, PG_TABLES

    columns: dict[str, int] = {}
    for table in list(PG_TABLES.values()) + list(INFO_TABLES.values()):
        for name, kind in table:
            columns.setdefault(name, _DUCK_TO_PG.get(kind, pgt.TEXT))
    columns["oid"] = pgt.OID
    return columns


def _table_of(node: exp.Expression, pg):
    from lakebox.engine.names import lookup_table, qualified_name

    if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier):
        return None
    try:
        return lookup_table(qualified_name(node, pg.engine), pg.engine)
    except errors.Error:
        return None


def _tables(expression: exp.Expression, pg) -> list:
    """(node, catalog table) for each table the statement names (CTEs and unknown names skipped)."""
    found = []
    cte_names = {c.alias_or_name.lower() for c in expression.find_all(exp.CTE)}
    for node in expression.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier) or (not node.db and node.name.lower() in cte_names):
            continue
        table = _table_of(node, pg)
        if table is not None:
            found.append((node, table))
    return found
