"""Glue GetPartitions expressions: parsing, typed comparison, errors, and a property test
against an independently written evaluator (through Catalog.get_partitions)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakebox.catalog.expression import (
    NULL_PARTITION_VALUE,
    key_kind,
    parse_partition_expression,
    partition_sort_key,
)
from lakebox.catalog.model import Column, Database, Partition, Table
from lakebox.catalog.store import Catalog
from lakebox.errors import EntityNotFound, ParseError, ProgrammingError

KEYS = [
    Column("year", "int"),
    Column("region", "string"),
    Column("dt", "date"),
    Column("price", "decimal(10,2)"),
]


def matches(expression: str, values: list[str], keys: list[Column] = KEYS) -> bool:
    return parse_partition_expression(expression, keys).matches(values)


ROW = ["2024", "eu-west-1", "2024-03-15", "9.50"]


# --------------------------------------------------------------------------- typing


@pytest.mark.parametrize(
    "type_name, kind",
    [
        ("int", "number"),
        ("INTEGER", "number"),
        ("bigint", "number"),
        ("smallint", "number"),
        ("tinyint", "number"),
        ("double", "number"),
        ("float", "number"),
        ("decimal(10,2)", "number"),
        ("date", "date"),
        ("string", "string"),
        ("varchar(10)", "string"),
        ("timestamp", "string"),
    ],
)
def test_key_kind(type_name, kind):
    assert key_kind(type_name) == kind


def test_int_keys_compare_numerically():
    keys = [Column("n", "int")]
    assert matches("n > '9'", ["10"], keys)
    assert matches("n > 9", ["10"], keys)
    assert not matches("n < 9", ["10"], keys)
    assert matches("n = 7", ["007"], keys)
    assert matches("n BETWEEN 9 AND 11", ["10"], keys)


def test_string_keys_compare_as_strings():
    keys = [Column("s", "string")]
    assert not matches("s > '9'", ["10"], keys)
    assert matches("s < '9'", ["10"], keys)
    # A number literal against a string key compares as written.
    assert not matches("s = 7", ["007"], keys)
    assert matches("s = 7", ["7"], keys)


def test_decimal_and_double_keys():
    assert matches("price = 9.5", ROW)
    assert matches("price > '9.49'", ROW)
    keys = [Column("d", "double")]
    assert matches("d < 1e3", ["999.9"], keys)
    assert matches("d >= -2", ["-1.5"], keys)


def test_date_keys_compare_as_dates():
    assert matches("dt > '2024-02-29'", ROW)
    assert matches("dt BETWEEN '2024-03-01' AND '2024-03-31'", ROW)
    assert not matches("dt < '2024-03-15'", ROW)


def test_unparsable_value_under_typed_key_is_null():
    keys = [Column("n", "int")]
    assert not matches("n = 1", ["abc"], keys)
    assert not matches("NOT n = 1", ["abc"], keys)


# --------------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("year = 2024", True),
        ("year <> 2024", False),
        ("year != 2023", True),
        ("year < 2025", True),
        ("year <= 2024", True),
        ("year > 2024", False),
        ("year >= 2024", True),
        ("2025 > year", True),  # literal on the left
        ("'2024' = year", True),
        ("year IN (2022, 2024)", True),
        ("year IN ('2022')", False),
        ("year NOT IN (2022, 2023)", True),
        ("year BETWEEN 2020 AND 2024", True),
        ("year NOT BETWEEN 2020 AND 2024", False),
        ("region LIKE 'eu-%'", True),
        ("region LIKE 'eu-west-_'", True),
        ("region LIKE 'eu-west-'", False),
        ("region LIKE 'EU%'", False),  # LIKE is case-sensitive, like SQL
        ("region NOT LIKE 'us%'", True),
        ("region LIKE '%.%'", False),  # regex metacharacters are literal
        ("region IS NULL", False),
        ("region IS NOT NULL", True),
        ("YEAR = 2024 and REGION = 'eu-west-1'", True),  # keys and keywords case-insensitive
        ("`year` = 2024", True),
        ("region = \"eu-west-1\"", True),
        ("year = 2023 OR region = 'eu-west-1'", True),
        ("NOT year = 2023", True),
        ("NOT NOT year = 2023", False),
        # AND binds tighter than OR; parentheses override.
        ("year = 2024 OR year = 2023 AND region = 'x'", True),
        ("(year = 2024 OR year = 2023) AND region = 'x'", False),
        ("NOT (year = 2024 AND region = 'x')", True),
        ("((year = 2024))", True),
    ],
)
def test_operators(expression, expected):
    assert matches(expression, ROW) is expected


def test_quotes_escape_by_doubling():
    keys = [Column("s", "string")]
    assert matches("s = 'it''s'", ["it's"], keys)


def test_null_partition_value_uses_three_valued_logic():
    keys = [Column("s", "string"), Column("n", "int")]
    row = [NULL_PARTITION_VALUE, "1"]
    assert matches("s IS NULL", row, keys)
    assert not matches("s IS NOT NULL", row, keys)
    assert not matches("s = 'a'", row, keys)
    assert not matches("NOT s = 'a'", row, keys)  # NOT UNKNOWN is UNKNOWN
    assert not matches("s LIKE '%'", row, keys)
    assert matches("s = 'a' OR n = 1", row, keys)  # UNKNOWN OR TRUE is TRUE
    assert not matches("s = 'a' AND n = 1", row, keys)


def test_filter_is_callable():
    keep = parse_partition_expression("year = 2024", KEYS)
    assert keep(ROW) and callable(keep)


def test_sort_key_is_typed():
    keys = [Column("n", "int"), Column("s", "string")]
    rows = [["10", "b"], ["9", "b"], [NULL_PARTITION_VALUE, "a"], ["9", "a"], ["x", "a"]]
    assert sorted(rows, key=partition_sort_key(keys)) == [
        ["9", "a"],
        ["9", "b"],
        ["10", "b"],
        ["x", "a"],
        [NULL_PARTITION_VALUE, "a"],
    ]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "expression, fragment, position",
    [
        ("", "empty", 1),
        ("year >", "expected a string or number, found end of expression", 7),
        ("year = 1 AND", "expected a partition key name", 13),
        ("(year = 1", "expected ')'", 10),
        ("year = 1)", "unexpected ')'", 9),
        ("year 1", "expected a comparison operator", 6),
        ("year # 1", "unexpected character '#'", 6),
        ("region = 'eu", "unterminated string", 10),
        ("year IN ()", "expected a string or number", 10),
        ("year IN (1 2)", "expected ',' or ')'", 12),
        ("year BETWEEN 1 OR 2", "expected AND", 16),
        ("region LIKE 5", "string pattern after LIKE", 13),
        ("year IS 5", "expected NULL", 9),
        ("year = NULL", "IS NULL", 8),
        ("year = 'abc'", "not a valid int value", 8),
        ("dt = '2024-13-01'", "not a valid date value", 6),
        ("year = 1 year = 2", "unexpected 'year'", 10),
        ("= 1", "expected a partition key name", 1),
    ],
)
def test_malformed_expressions(expression, fragment, position):
    with pytest.raises(ParseError) as info:
        parse_partition_expression(expression, KEYS)
    message = str(info.value)
    assert isinstance(info.value, ProgrammingError)
    assert fragment in message
    assert f"at position {position}" in message
    assert info.value.column == position


def test_unknown_key_names_it_and_suggests():
    with pytest.raises(EntityNotFound) as info:
        parse_partition_expression("yeer = 2024", KEYS)
    assert isinstance(info.value, ProgrammingError)
    assert "Unknown partition key 'yeer'" in str(info.value)
    assert "did you mean 'year'?" in str(info.value)


def test_no_eval_of_python():
    with pytest.raises(ProgrammingError):
        parse_partition_expression("__import__('os').system('true')", KEYS)


# --------------------------------------------------------------------------- property

# Random partitions of a table with an int key `n` and a string key `s`, random expressions
# built as small ASTs, rendered to text for get_partitions and evaluated here independently.

NULL = NULL_PARTITION_VALUE
_S_CHARS = "ab'%_"

int_values = st.integers(-20, 120).flatmap(
    lambda i: st.sampled_from([str(i), f"{i:03d}" if i >= 0 else str(i)])
) | st.just(NULL)
str_values = st.text(_S_CHARS, max_size=3) | st.just(NULL)
int_literals = st.integers(-25, 125)
str_literals = st.text(_S_CHARS, max_size=3)
ops = st.sampled_from(["=", "<>", "!=", "<", "<=", ">", ">="])


def _leaf() -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.just("cmp"), st.just("n"), ops, int_literals),
        st.tuples(st.just("cmp"), st.just("s"), ops, str_literals),
        st.tuples(st.just("between"), st.just("n"), int_literals, int_literals),
        st.tuples(st.just("between"), st.just("s"), str_literals, str_literals),
        st.tuples(st.just("in"), st.just("n"), st.lists(int_literals, min_size=1, max_size=3)),
        st.tuples(st.just("in"), st.just("s"), st.lists(str_literals, min_size=1, max_size=3)),
        st.tuples(st.just("like"), st.sampled_from(["n", "s"]), st.text(_S_CHARS + "1", max_size=3)),
        st.tuples(st.just("isnull"), st.sampled_from(["n", "s"]), st.booleans()),
    )


expressions = st.recursive(
    _leaf(),
    lambda sub: st.one_of(
        st.tuples(st.just("not"), sub),
        st.tuples(st.sampled_from(["and", "or"]), sub, sub),
    ),
    max_leaves=6,
)


def _lit(value) -> str:
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def render(node) -> str:
    tag = node[0]
    if tag == "cmp":
        return f"{node[1]} {node[2]} {_lit(node[3])}"
    if tag == "between":
        return f"{node[1]} BETWEEN {_lit(node[2])} AND {_lit(node[3])}"
    if tag == "in":
        return f"{node[1]} IN ({', '.join(_lit(v) for v in node[2])})"
    if tag == "like":
        return f"{node[1]} LIKE {_lit(node[2])}"
    if tag == "isnull":
        return f"{node[1]} IS {'NOT ' if node[2] else ''}NULL"
    if tag == "not":
        return f"NOT ({render(node[1])})"
    return f"({render(node[1])}) {tag.upper()} ({render(node[2])})"


def _like(value: str, pattern: str) -> bool:
    """Plain recursive LIKE matcher (deliberately not regex based)."""
    if not pattern:
        return not value
    head, rest = pattern[0], pattern[1:]
    if head == "%":
        return any(_like(value[i:], rest) for i in range(len(value) + 1))
    if not value:
        return False
    return (head == "_" or head == value[0]) and _like(value[1:], rest)


def evaluate(node, row: dict[str, str]):
    """Kleene three-valued evaluation: True, False or None (unknown)."""
    tag = node[0]
    if tag in ("not", "and", "or"):
        parts = [evaluate(child, row) for child in node[1:]]
        if tag == "not":
            return None if parts[0] is None else not parts[0]
        if tag == "and":
            return False if False in parts else (None if None in parts else True)
        return True if True in parts else (None if None in parts else False)

    key = node[1]
    raw = row[key]
    if tag == "isnull":
        return (raw == NULL) != node[2]
    if raw == NULL:
        return None
    if tag == "like":
        return _like(raw, node[2])
    value = int(raw) if key == "n" else raw
    if tag == "cmp":
        op, lit = node[2], node[3]
        return {
            "=": value == lit,
            "<>": value != lit,
            "!=": value != lit,
            "<": value < lit,
            "<=": value <= lit,
            ">": value > lit,
            ">=": value >= lit,
        }[op]
    if tag == "between":
        return node[2] <= value <= node[3]
    return value in node[2]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(int_values, str_values), max_size=15, unique=True),
    node=expressions,
)
def test_get_partitions_matches_independent_evaluator(rows, node):
    with Catalog(":memory:") as catalog:
        catalog.create_database(Database("db"))
        catalog.create_table(Table("t", "db", partition_keys=[Column("n", "int"), Column("s", "string")]))
        catalog.batch_create_partition("db", "t", [Partition(list(r), "db", "t") for r in rows])
        got = {tuple(p.values) for p in catalog.get_partitions("db", "t", render(node))}
    expected = {r for r in rows if evaluate(node, {"n": r[0], "s": r[1]}) is True}
    assert got == expected, render(node)
