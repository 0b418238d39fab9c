"""Partition pruning: which catalog partitions can hold rows a query keeps.

Only predicates that mention nothing but one table's partition keys are used, and they are
evaluated by DuckDB itself over the partition values (typed as the keys are), so pruning has
exactly the query's semantics: IN lists, ranges, ORs, functions and NULLs included.
"""

from __future__ import annotations

import itertools

import pyarrow as pa
from sqlglot import exp

from lakebox.catalog.model import Partition, Table
from lakebox.dialects.types import duckdb_type

_names = itertools.count()
_VOLATILE = (exp.Rand,)


def _conjuncts(expression: exp.Expression | None) -> list[exp.Expression]:
    if expression is None:
        return []
    return list(expression.flatten()) if isinstance(expression, exp.And) else [expression]


def _only_keys(predicate: exp.Expression, alias: str, keys: set[str]) -> bool:
    if predicate.find(exp.Select, exp.Subquery, exp.Placeholder, *_VOLATILE):
        return False
    columns = list(predicate.find_all(exp.Column))
    return bool(columns) and all(c.table == alias and c.name in keys for c in columns)


def _null_supplied(node: exp.Table, select: exp.Select) -> bool:
    """Is the table on the side of an outer join that can be padded with NULLs?"""
    joins = select.args.get("joins") or []
    if any(j.side in ("RIGHT", "FULL") for j in joins):
        return True
    parent = node.parent
    return isinstance(parent, exp.Join) and parent.side == "LEFT"


def pruning_predicates(node: exp.Table, alias: str, keys: set[str]) -> list[exp.Expression]:
    """The predicates around a (qualified) table reference that constrain only its partition keys."""
    select = node.find_ancestor(exp.Select)
    if select is None:
        return []
    predicates: list[exp.Expression] = []
    parent = node.parent
    if isinstance(parent, exp.Join) and parent.side in ("", None, "LEFT") and parent.kind not in ("ANTI", "SEMI"):
        predicates += [p for p in _conjuncts(parent.args.get("on")) if _only_keys(p, alias, keys)]
    where = select.args.get("where")
    if where is not None and not _null_supplied(node, select):
        predicates += [p for p in _conjuncts(where.this) if _only_keys(p, alias, keys)]
    return predicates


def prune(con, table: Table, partitions: list[Partition], predicates: list[str], alias: str) -> list[Partition]:
    """The partitions whose values satisfy every predicate (DuckDB SQL over the alias's keys)."""
    if not predicates or not partitions:
        return partitions
    keys = table.partition_keys
    columns = {"__idx": pa.array(range(len(partitions)), pa.int64())}
    for position, key in enumerate(keys):
        values = [p.values[position] for p in partitions]
        columns[f"v{position}"] = pa.array([None if v == "__HIVE_DEFAULT_PARTITION__" else v for v in values],
                                           pa.string())
    name = f"__lakebox_prune_{next(_names)}"
    typed = ", ".join(f'CAST(v{i} AS {duckdb_type(k.type)}) AS "{k.name}"' for i, k in enumerate(keys))
    condition = " AND ".join(f"({p})" for p in predicates)
    sql = f'SELECT __idx FROM (SELECT __idx, {typed} FROM {name}) AS "{alias}" WHERE {condition}'
    con.register(name, pa.table(columns))
    try:
        kept = con.sql(sql).fetchall()
    finally:
        con.unregister(name)
    return [partitions[row[0]] for row in sorted(kept)]
