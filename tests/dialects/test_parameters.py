"""Parameter markers are numbered as written, whatever shape the tree takes."""

from __future__ import annotations

import pytest
from sqlglot import exp

import lakebox
from lakebox.dialects import parameters
from lakebox.dialects.statements import parse_statement


def order(sql: str, dialect: str = "athena") -> list[int]:
    """The markers' numbers in the tree's own (breadth-first) order."""
    return [p.meta[parameters.INDEX] for p in parse_statement(sql, dialect).find_all(exp.Placeholder)]


def test_markers_know_their_written_position():
    # breadth first, the outer '?' comes before the nested one; Trino's OFFSET is generated after LIMIT
    assert order("SELECT CAST(CAST(? AS VARCHAR) AS INT) + ?") == [1, 0]
    assert sorted(order("SELECT x FROM t WHERE a IN (?, ?) AND b = ? OFFSET ? LIMIT ?")) == [0, 1, 2, 3, 4]
    statement = parse_statement("SELECT x FROM t OFFSET ? LIMIT ?", "athena")
    assert statement.args["offset"].find(exp.Placeholder).meta[parameters.INDEX] == 0
    assert statement.args["limit"].find(exp.Placeholder).meta[parameters.INDEX] == 1


def test_pyformat_markers_in_redshift():
    assert sorted(order("SELECT %s::int + %s, 5 % 2 AS m", "redshift")) == [0, 1]


def test_marker_names_never_reach_an_error_message():
    with pytest.raises(lakebox.ProgrammingError) as caught:
        parse_statement("SELECT ? FROM WHERE", "athena")
    assert "__lakebox" not in str(caught.value) and "'WHERE'" in str(caught.value)


@pytest.mark.parametrize("dialect, sql, args, expected", [
    ("athena", "SELECT CAST(CAST(? AS VARCHAR) AS INTEGER) + ? AS x, ? AS y", ["5", 1, "z"], [(6, "z")]),
    ("athena", "SELECT x FROM (VALUES 1, 2, 3, 4, 5) AS t(x) ORDER BY x OFFSET ? LIMIT ?", [1, 2], [(2,), (3,)]),
    ("athena", "SELECT x FROM (VALUES 3, 1, 2) AS t(x) ORDER BY ?, x", [2], [(1,), (2,), (3,)]),
    ("redshift", "SELECT %s::int + %s AS a", ["4", 2], [(6,)]),
])
def test_executed_in_written_order(dialect, sql, args, expected):
    with lakebox.connect(dialect=dialect) as conn:
        cursor = conn.cursor()
        cursor.execute(sql, args)
        assert cursor.fetchall() == expected
