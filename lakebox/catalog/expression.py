"""Glue's GetPartitions `Expression` filter: a tiny SQL-like predicate over partition keys.

    year = '2024' AND month IN ('01', '02')
    dt BETWEEN '2024-01-01' AND '2024-01-31' OR NOT (region LIKE 'eu-%')

Partition values are stored as strings, but Glue compares them by the partition key's
declared type: for an `int` key '10' > '9', for a `string` key it is not. We do the same.
Evaluation follows SQL three-valued logic; Hive's `__HIVE_DEFAULT_PARTITION__` value is
NULL, so it only matches `IS NULL` (and comparisons with it are unknown, never true).

The parser is a hand-written tokenizer plus recursive descent; nothing is ever eval'd.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lakebox.catalog.model import Column
from lakebox.errors import EntityNotFound, ParseError, suggest

#: The value Hive (and so Glue/Athena) stores for a NULL partition value.
NULL_PARTITION_VALUE = "__HIVE_DEFAULT_PARTITION__"

_NUMERIC_TYPES = {"tinyint", "smallint", "int", "integer", "bigint", "float", "double", "real", "decimal", "numeric"}

# Key kinds: how a partition key's string values are compared.
NUMBER, DATE, STRING = "number", "date", "string"


def key_kind(type_name: str) -> str:
    """NUMBER, DATE or STRING for a Glue/Hive type string such as 'decimal(10,2)'."""
    base = type_name.strip().lower().split("(", 1)[0].strip()
    if base in _NUMERIC_TYPES:
        return NUMBER
    if base == "date":
        return DATE
    return STRING


def typed_value(kind: str, text: str | None) -> Any:
    """A partition value as the comparable Python value for its key kind; None means NULL.

    A value that does not parse as its key's type (e.g. 'abc' under an int key) is treated
    as NULL: it can satisfy no comparison, just as a failed cast would.
    """
    if text is None or text == NULL_PARTITION_VALUE:
        return None
    if kind == NUMBER:
        return _to_number(text)
    if kind == DATE:
        return _to_date(text)
    return text


def _to_number(text: str) -> Decimal | None:
    # Decimal, not float: exact for bigint and decimal keys, and '1.0' = '1' still holds.
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _to_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def partition_sort_key(partition_keys: Sequence[Column]) -> Callable[[Sequence[str]], tuple]:
    """A sort key ordering partition values by their keys' types, NULLs and unparsable values last."""
    kinds = [key_kind(c.type) for c in partition_keys]

    def sort_key(values: Sequence[str]) -> tuple:
        parts = []
        for i, raw in enumerate(values):
            kind = kinds[i] if i < len(kinds) else STRING
            value = typed_value(kind, raw)
            # The leading rank keeps differently typed elements from ever being compared.
            if value is not None:
                parts.append((0, value, raw))
            elif raw != NULL_PARTITION_VALUE:
                parts.append((1, raw, raw))
            else:
                parts.append((2, "", raw))
        return tuple(parts)

    return sort_key


# --------------------------------------------------------------------------- tokenizer

_KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "LIKE", "IS", "NULL"}
_COMPARISONS = ("<=", ">=", "<>", "!=", "=", "<", ">")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Token:
    kind: str  # 'ident', 'keyword', 'string', 'number', 'op', '(', ')', ',', 'end'
    text: str  # identifiers lower case, keywords upper case, strings unquoted
    pos: int  # 0-based offset into the expression

    def describe(self) -> str:
        if self.kind == "end":
            return "end of expression"
        if self.kind == "string":
            return f"string '{self.text}'"
        return f"'{self.text}'"


def _error(text: str, pos: int, message: str) -> ParseError:
    """A ParseError saying what is wrong and pointing at the (1-based) character position."""
    err = ParseError(f"Invalid partition expression: {message} at position {pos + 1}\n  {text}\n  {' ' * pos}^")
    err.line, err.column = 1, pos + 1
    return err


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "'\"`":
            # 'x' and "x" are string literals (as in Hive); `x` is a quoted key name.
            value, end = _read_quoted(text, i)
            tokens.append(Token("ident", value.lower(), i) if ch == "`" else Token("string", value, i))
            i = end
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif m := _NUMBER_RE.match(text, i):
            tokens.append(Token("number", m.group(), i))
            i = m.end()
        elif m := _IDENT_RE.match(text, i):
            word = m.group()
            if word.upper() in _KEYWORDS:
                tokens.append(Token("keyword", word.upper(), i))
            else:
                tokens.append(Token("ident", word.lower(), i))
            i = m.end()
        else:
            op = next((op for op in _COMPARISONS if text.startswith(op, i)), None)
            if op is None:
                raise _error(text, i, f"unexpected character {ch!r}")
            tokens.append(Token("op", "<>" if op == "!=" else op, i))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The body of a quoted string or identifier starting at `start` (a doubled quote escapes
    itself, as in SQL) and the offset just past its closing quote."""
    quote = text[start]
    out = []
    i = start + 1
    while i < len(text):
        if text[i] == quote:
            if text.startswith(quote * 2, i):
                out.append(quote)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    what = "identifier" if quote == "`" else "string"
    raise _error(text, start, f"unterminated {what}")


# --------------------------------------------------------------------------- AST
#
# Every node's evaluate() returns True, False or None (SQL's UNKNOWN); only True matches.


@dataclass(frozen=True)
class Comparison:
    index: int  # position of the key in the partition values
    kind: str
    op: str  # '=', '<>', '<', '<=', '>', '>='
    literal: Any

    def evaluate(self, values: Sequence[str]) -> bool | None:
        value = typed_value(self.kind, values[self.index])
        if value is None:
            return None
        return _COMPARE[self.op](value, self.literal)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}

# `literal op key` is `key flipped-op literal`.
_FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class Between:
    index: int
    kind: str
    low: Any
    high: Any

    def evaluate(self, values: Sequence[str]) -> bool | None:
        value = typed_value(self.kind, values[self.index])
        if value is None:
            return None
        return self.low <= value <= self.high


@dataclass(frozen=True)
class InList:
    index: int
    kind: str
    items: tuple[Any, ...]

    def evaluate(self, values: Sequence[str]) -> bool | None:
        value = typed_value(self.kind, values[self.index])
        if value is None:
            return None
        return value in self.items


@dataclass(frozen=True)
class Like:
    index: int
    pattern: re.Pattern[str]

    def evaluate(self, values: Sequence[str]) -> bool | None:
        # LIKE matches the value as written, whatever the key's type.
        raw = values[self.index]
        if raw == NULL_PARTITION_VALUE:
            return None
        return self.pattern.fullmatch(raw) is not None


@dataclass(frozen=True)
class IsNull:
    index: int

    def evaluate(self, values: Sequence[str]) -> bool | None:
        return values[self.index] == NULL_PARTITION_VALUE


@dataclass(frozen=True)
class Not:
    operand: Any

    def evaluate(self, values: Sequence[str]) -> bool | None:
        result = self.operand.evaluate(values)
        return None if result is None else not result


@dataclass(frozen=True)
class And:
    left: Any
    right: Any

    def evaluate(self, values: Sequence[str]) -> bool | None:
        left, right = self.left.evaluate(values), self.right.evaluate(values)
        if left is False or right is False:
            return False
        if left is None or right is None:
            return None
        return True


@dataclass(frozen=True)
class Or:
    left: Any
    right: Any

    def evaluate(self, values: Sequence[str]) -> bool | None:
        left, right = self.left.evaluate(values), self.right.evaluate(values)
        if left is True or right is True:
            return True
        if left is None or right is None:
            return None
        return False


def like_to_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE: '%' is any run of characters, '_' any one character; case-sensitive."""
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


# --------------------------------------------------------------------------- parser


class PartitionFilter:
    """A parsed expression; call it (or .matches) with a partition's values."""

    def __init__(self, text: str, node: Any):
        self.text = text
        self.node = node

    def matches(self, values: Sequence[str]) -> bool:
        return self.node.evaluate(values) is True

    __call__ = matches

    def __repr__(self) -> str:
        return f"PartitionFilter({self.text!r})"


def parse_partition_expression(text: str, partition_keys: Sequence[Column]) -> PartitionFilter:
    """Parse a Glue GetPartitions expression against a table's partition keys.

    Raises ParseError (a ProgrammingError) for malformed text, with the character position,
    and EntityNotFound (also a ProgrammingError) for a key the table does not have.
    """
    return PartitionFilter(text, _Parser(text, partition_keys).parse())


class _Parser:
    """Recursive descent over:

        expr      := and_expr (OR and_expr)*
        and_expr  := not_expr (AND not_expr)*
        not_expr  := NOT not_expr | '(' expr ')' | predicate
        predicate := key op literal | literal op key
                   | key [NOT] BETWEEN literal AND literal
                   | key [NOT] IN '(' literal (',' literal)* ')'
                   | key [NOT] LIKE string
                   | key IS [NOT] NULL
    """

    def __init__(self, text: str, partition_keys: Sequence[Column]):
        self.text = text
        self.keys = list(partition_keys)
        self.key_index = {c.name.lower(): i for i, c in enumerate(self.keys)}
        self.tokens = tokenize(text)
        self.i = 0

    # -- token helpers

    @property
    def current(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.current
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.kind == "keyword" and self.current.text in words

    def expect(self, kind: str, text: str | None = None, what: str | None = None) -> Token:
        token = self.current
        if token.kind != kind or (text is not None and token.text != text):
            raise self.error(f"expected {what or repr(text or kind)}, found {token.describe()}", token)
        return self.advance()

    def error(self, message: str, token: Token | None = None) -> ParseError:
        return _error(self.text, (token or self.current).pos, message)

    # -- grammar

    def parse(self) -> Any:
        if self.current.kind == "end":
            raise self.error("the expression is empty")
        node = self.parse_or()
        if self.current.kind != "end":
            raise self.error(f"unexpected {self.current.describe()}")
        return node

    def parse_or(self) -> Any:
        node = self.parse_and()
        while self.at_keyword("OR"):
            self.advance()
            node = Or(node, self.parse_and())
        return node

    def parse_and(self) -> Any:
        node = self.parse_not()
        while self.at_keyword("AND"):
            self.advance()
            node = And(node, self.parse_not())
        return node

    def parse_not(self) -> Any:
        if self.at_keyword("NOT"):
            self.advance()
            return Not(self.parse_not())
        if self.current.kind == "(":
            self.advance()
            node = self.parse_or()
            self.expect(")", what="')'")
            return node
        return self.parse_predicate()

    def parse_predicate(self) -> Any:
        if self.current.kind in ("string", "number") and self.peek().kind == "op":
            return self.parse_reversed_comparison()
        key = self.current
        index = self.parse_key()
        kind = key_kind(self.keys[index].type)

        if self.current.kind == "op":
            op = self.advance().text
            return Comparison(index, kind, op, self.parse_literal(key, kind))
        if self.at_keyword("IS"):
            self.advance()
            negated = self.at_keyword("NOT")
            if negated:
                self.advance()
            self.expect("keyword", "NULL", what="NULL")
            return _negate(IsNull(index), negated)

        negated = self.at_keyword("NOT")
        if negated:
            self.advance()
        if self.at_keyword("BETWEEN"):
            self.advance()
            low = self.parse_literal(key, kind)
            self.expect("keyword", "AND", what="AND")
            high = self.parse_literal(key, kind)
            return _negate(Between(index, kind, low, high), negated)
        if self.at_keyword("IN"):
            self.advance()
            return _negate(InList(index, kind, self.parse_in_list(key, kind)), negated)
        if self.at_keyword("LIKE"):
            self.advance()
            pattern = self.expect("string", what="a string pattern after LIKE")
            return _negate(Like(index, like_to_regex(pattern.text)), negated)
        expected = "BETWEEN, IN or LIKE" if negated else "a comparison operator, BETWEEN, IN, LIKE or IS"
        raise self.error(f"expected {expected} after '{key.text}', found {self.current.describe()}")

    def parse_reversed_comparison(self) -> Any:
        literal_token = self.advance()
        op = self.advance().text
        key = self.current
        index = self.parse_key()
        kind = key_kind(self.keys[index].type)
        literal = self.convert_literal(literal_token, key, kind)
        return Comparison(index, kind, _FLIPPED[op], literal)

    def parse_in_list(self, key: Token, kind: str) -> tuple[Any, ...]:
        self.expect("(", what="'(' after IN")
        items = [self.parse_literal(key, kind)]
        while self.current.kind == ",":
            self.advance()
            items.append(self.parse_literal(key, kind))
        self.expect(")", what="',' or ')' in the IN list")
        return tuple(items)

    def parse_key(self) -> int:
        token = self.current
        if token.kind != "ident":
            raise self.error(f"expected a partition key name, found {token.describe()}")
        if token.text not in self.key_index:
            known = ", ".join(c.name for c in self.keys) or "none"
            raise EntityNotFound(
                f"Unknown partition key '{token.text}' at position {token.pos + 1}"
                f"{suggest(token.text, self.key_index)} (partition keys: {known})"
            )
        self.advance()
        return self.key_index[token.text]

    def parse_literal(self, key: Token, kind: str) -> Any:
        token = self.current
        if token.kind == "keyword" and token.text == "NULL":
            raise self.error(f"comparing with NULL is never true; use '{key.text} IS NULL'")
        if token.kind not in ("string", "number"):
            raise self.error(f"expected a string or number, found {token.describe()}")
        self.advance()
        return self.convert_literal(token, key, kind)

    def convert_literal(self, token: Token, key: Token, kind: str) -> Any:
        """The literal as a value comparable with the key's typed values."""
        if kind == STRING:
            return token.text  # a number compared with a string key compares as written
        value = typed_value(kind, token.text)
        if value is None:
            type_name = self.keys[self.key_index[key.text]].type
            raise self.error(f"{token.describe()} is not a valid {type_name} value for key '{key.text}'", token)
        return value


def _negate(node: Any, negated: bool) -> Any:
    return Not(node) if negated else node
