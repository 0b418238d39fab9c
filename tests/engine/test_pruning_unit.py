"""Unit tests: which predicates can prune a table's partitions."""

import sqlglot

from lakebox.engine.pruning import pruning_predicates


def predicates(sql, alias="t", keys=("dt", "h")):
    tree = sqlglot.parse_one(sql, read="athena")
    node = next(n for n in tree.find_all(sqlglot.exp.Table) if n.alias_or_name == alias)
    return [p.sql() for p in pruning_predicates(node, alias, set(keys))]


def test_conjuncts_on_keys_only():
    assert predicates("SELECT * FROM x AS t WHERE t.dt = '1' AND t.v > 3 AND (t.h = 1 OR t.h = 2)") == [
        "t.dt = '1'", "t.h = 1 OR t.h = 2"]


def test_mixed_or_and_subqueries_are_not_used():
    assert predicates("SELECT * FROM x AS t WHERE t.dt = '1' OR t.v > 3") == []
    assert predicates("SELECT * FROM x AS t WHERE t.dt = (SELECT max(dt) FROM y)") == []
    assert predicates("SELECT * FROM x AS t WHERE t.dt = CAST(rand() AS VARCHAR)") == []


def test_outer_joins():
    # the null-supplying side of a LEFT JOIN is not pruned by WHERE, but is by its ON clause
    sql = "SELECT * FROM a AS a LEFT JOIN x AS t ON a.k = t.k AND t.dt = '1' WHERE t.h = 2"
    assert predicates(sql) == ["t.dt = '1'"]
    assert predicates("SELECT * FROM x AS t FULL JOIN a AS a ON a.k = t.k WHERE t.dt = '1'") == []
    assert predicates("SELECT * FROM x AS t LEFT JOIN a AS a ON a.k = t.k WHERE t.dt = '1'") == ["t.dt = '1'"]
