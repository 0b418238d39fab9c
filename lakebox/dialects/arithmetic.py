"""Arithmetic rules: the services' integer arithmetic on DuckDB.

Each rule is a pure function over a qualified, type-annotated sqlglot tree.
"""

from __future__ import annotations

from sqlglot import exp

INTEGER_TYPES = exp.DataType.INTEGER_TYPES


def is_integer(node: exp.Expression) -> bool:
    datatype = node.type
    return datatype is not None and datatype.this in INTEGER_TYPES


def integer_division(expression: exp.Expression, dialect: str) -> exp.Expression:
    """`int / int` truncates toward zero in Athena and Redshift; DuckDB's `/` is float division.

    DuckDB's `//` truncates toward zero and raises on a zero divisor, as both services do. Only
    operands whose types are known integers are rewritten: anything else keeps DuckDB's division.
    """
    for division in list(expression.find_all(exp.Div)):
        if is_integer(division.this) and is_integer(division.expression):
            division.replace(exp.IntDiv(this=division.this, expression=division.expression))
    return expression


PRIORITY = 10
RULES = {"both": [integer_division]}
