"""Branches of mixed decimal types take their common super type, as in Trino and PostgreSQL.

sqlglot's type annotator keeps the first of two parameterized types when it unifies the branches
of a UNION, a VALUES column, CASE or COALESCE ("we assume type1 does not coerce into type2"), so
`VALUES 1.5, 2.25` would be typed decimal(2,1). Both services type such a column with the super
type of its decimals: the most integer digits and the largest scale (decimal(3,2) here).

`unify` makes that explicit in the tree: each branch whose decimal type differs from the super
type is CAST to it. The caller annotates the tree again when anything changed, so that every
expression above the branches reads the super type. It runs after annotation and before the
dialect's rules (it is not a rule family, since it needs a second annotation pass).
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects.arithmetic import MAX_PRECISION, decimal_type_node

T = exp.DataType.Type

# Conditional expressions whose value is one of their branches: (class, the args holding branches).
_CONDITIONALS: dict[type, tuple[str, ...]] = {
    exp.Case: ("ifs", "default"),
    exp.If: ("true", "false"),
    exp.Coalesce: ("this", "expressions"),
    exp.Greatest: ("this", "expressions"),
    exp.Least: ("this", "expressions"),
}


def decimal_params(datatype) -> tuple[int, int] | None:
    """(precision, scale) of a decimal(p, s) type, else None."""
    if not isinstance(datatype, exp.DataType) or datatype.this != T.DECIMAL or len(datatype.expressions) != 2:
        return None
    precision, scale = (int(p.this.this) if isinstance(p, exp.DataTypeParam) else int(p.this)
                        for p in datatype.expressions)
    return precision, scale


def decimal_supertype(types: list) -> tuple[int, int] | None:
    """The super type of decimal types; None unless all are decimal(p, s) and they differ."""
    decimals = set()
    for datatype in types:
        params = decimal_params(datatype)
        if params is None:
            return None
        decimals.add(params)
    if len(decimals) < 2:
        return None
    scale = max(s for _, s in decimals)
    digits = max(p - s for p, s in decimals)
    return min(MAX_PRECISION, digits + scale), scale


def _cast_to(node: exp.Expression, supertype: tuple[int, int]) -> bool:
    """CAST `node` to the super type unless it has it already; True when the tree changed."""
    if decimal_params(node.type) == supertype:
        return False
    if isinstance(node, exp.Alias):
        return _cast_to(node.this, supertype)
    cast = exp.Cast(this=node.copy(), to=decimal_type_node(*supertype))
    if isinstance(node, exp.Column) and isinstance(node.parent, (exp.Select,)):
        cast = exp.alias_(cast, node.output_name)  # a projection keeps its name
    node.replace(cast)
    return True


def _unify(branches: list[exp.Expression]) -> bool:
    branches = [b for b in branches if not isinstance(b, exp.Null)]  # a NULL fits any type
    supertype = decimal_supertype([b.type for b in branches])
    if supertype is None:
        return False
    changed = False
    for branch in branches:
        changed = _cast_to(branch, supertype) or changed
    return changed


def leaf_selects(operation: exp.SetOperation) -> list[exp.Select] | None:
    """The SELECTs a chain of set operations combines, left to right (None: a branch is not a SELECT)."""
    leaves = []
    for side in (operation.this, operation.expression):
        side = side.unnest()
        if isinstance(side, exp.SetOperation):
            inner = leaf_selects(side)
            if inner is None:
                return None
            leaves += inner
        elif isinstance(side, exp.Select):
            leaves.append(side)
        else:
            return None
    return leaves


def _branches_of(node: exp.Expression, args: tuple[str, ...]) -> list[exp.Expression]:
    branches = []
    for arg in args:
        value = node.args.get(arg)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, exp.If) and isinstance(node, exp.Case):
                item = item.args.get("true")
            if item is not None:
                branches.append(item)
    return branches


def unify(expression: exp.Expression) -> bool:
    """CAST mixed decimal branches to their super type; True when the tree changed (annotate it again)."""
    changed = False
    for node in list(expression.find_all(exp.Values, exp.SetOperation, *_CONDITIONALS)):
        if isinstance(node, exp.Values):
            rows = [row.expressions for row in node.expressions if isinstance(row, exp.Tuple)]
            if len(rows) == len(node.expressions) and rows:
                for column in range(min(len(r) for r in rows)):
                    changed = _unify([row[column] for row in rows]) or changed
        elif isinstance(node, exp.SetOperation):
            if isinstance(node.parent, exp.SetOperation) or node.args.get("by_name"):
                continue  # the outermost operation unifies all its leaves at once
            leaves = leaf_selects(node)
            if leaves and len({len(s.expressions) for s in leaves}) == 1:
                for column in range(len(leaves[0].expressions)):
                    changed = _unify([select.expressions[column] for select in leaves]) or changed
        else:
            changed = _unify(_branches_of(node, _CONDITIONALS[type(node)])) or changed
    return changed
