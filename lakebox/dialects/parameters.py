"""Parameter markers (`?`, `%s`) numbered in the order they are written.

sqlglot keeps no position for a placeholder, and a tree's order is not the text's
(`CAST(CAST(? AS VARCHAR) AS INT) + ?` walks the outer `?` first; Trino's `OFFSET ? LIMIT ?` is
generated LIMIT first). So before parsing, each marker token becomes a uniquely named identifier
carrying its position, and after parsing each such name becomes a placeholder again, with its
position in `meta[INDEX]`; parameters are bound in that order.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.tokens import TokenType

INDEX = "lakebox_parameter"
_PREFIX = "__lakebox_parameter_"
_NAME = re.compile(rf"{_PREFIX}(\d+)")


def mark(tokens: list) -> int:
    """Rename the marker tokens in place (a `%s` pair becomes one token); returns how many."""
    count = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.token_type == TokenType.PLACEHOLDER and token.text == "?":
            _rename(token, count)
            count += 1
        elif token.token_type == TokenType.MOD and index + 1 < len(tokens) and tokens[index + 1].text == "s" \
                and tokens[index + 1].start == token.end + 1:
            _rename(token, count)
            del tokens[index + 1]
            count += 1
        index += 1
    return count


def _rename(token, number: int) -> None:
    token.token_type = TokenType.VAR
    token.text = f"{_PREFIX}{number}"


def restore(expression: exp.Expression) -> exp.Expression:
    """Turn the marked names back into placeholders that know their position."""
    for node in list(expression.find_all(exp.Column, exp.Identifier, exp.Var)):
        if isinstance(node, exp.Identifier) and isinstance(node.parent, exp.Column):
            continue  # the column itself is replaced
        match = _NAME.fullmatch(node.name)
        if match is None or (isinstance(node, exp.Column) and node.table):
            continue
        placeholder = exp.Placeholder()
        placeholder.meta[INDEX] = int(match.group(1))
        if node is expression:
            return placeholder
        node.replace(placeholder)
    return expression


def unmark_text(text: str) -> str:
    """A parser message about marked tokens, as the user wrote them."""
    return _NAME.sub("?", text)
