"""Splitting SQL scripts into statements with sqlglot's tokenizer.

A naive split on ';' breaks on semicolons inside strings, quoted identifiers, comments and
Redshift's $$-quoted bodies; the dialect's own tokenizer knows all of those, so statements end
exactly at its SEMICOLON tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import tokens as sqlglot_tokens
from sqlglot.dialects.athena import Athena
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from lakebox.errors import ParseError


@dataclass(frozen=True)
class Statement:
    """One statement of a script: its text (no trailing ';') and where it starts."""

    text: str
    line: int  # 1-based line of the statement's first token in the script
    column: int  # 1-based column of that token
    offset: int  # character offset of that token


def split_statements(text: str, dialect: str) -> list[str]:
    """The statements of `text` in order, without their terminating semicolons.

    Empty statements (';;', comment-only text) are dropped; comments inside a statement stay.
    Raises lakebox.errors.ParseError for text the tokenizer rejects (an unterminated string).
    """
    return [statement.text for statement in iter_statements(text, dialect)]


def iter_statements(text: str, dialect: str) -> list[Statement]:
    """Like split_statements, but keeps each statement's position for error messages."""
    statements: list[Statement] = []
    current: list[Token] = []
    for token in tokenize(text, dialect):
        if token.token_type == TokenType.SEMICOLON:
            _append(statements, text, current)
            current = []
        else:
            current.append(token)
    _append(statements, text, current)
    return statements


def is_complete(text: str, dialect: str) -> bool:
    """True when `text` holds at least one statement and ends with a terminating ';'.

    The REPL uses this to decide whether Enter runs the buffer or starts a new line; text with
    an unterminated string or comment is never complete.
    """
    try:
        found = tokenize(text, dialect)
    except ParseError:
        return False
    return bool(found) and found[-1].token_type == TokenType.SEMICOLON


def tokenize(text: str, dialect: str) -> list[Token]:
    """Tokens of a whole script for `dialect`; TokenError becomes a ParseError with a line."""
    tokenizer = _tokenizer(dialect)
    try:
        if isinstance(tokenizer, Athena.Tokenizer):
            # sqlglot's Athena tokenizer picks Hive or Trino rules once, from the *first*
            # statement, which mis-tokenizes scripts that mix DDL (Hive: backticks, \' escapes)
            # and queries (Trino: "quoted" identifiers, '' escapes). The base tokenizer running
            # with Athena's combined settings accepts both, which is all splitting needs.
            return sqlglot_tokens.Tokenizer.tokenize(tokenizer, text)
        return tokenizer.tokenize(text)
    except TokenError as exc:
        raise _parse_error(text, tokenizer.tokens) from exc


def _tokenizer(dialect: str) -> sqlglot_tokens.Tokenizer:
    try:
        return Dialect.get_or_raise(dialect).tokenizer()
    except ValueError as exc:
        raise ParseError(f"unknown dialect {dialect!r}") from exc


def _append(statements: list[Statement], text: str, found: list[Token]) -> None:
    if not found:
        return
    # Slice the original text (rather than re-joining tokens) so the engine sees the user's
    # exact spelling; comments before the first token belong to no statement and are dropped.
    start, end = found[0].start, found[-1].end + 1
    statements.append(Statement(text[start:end], _line_of(text, start), _column_of(text, start), start))


def _parse_error(text: str, tokens_so_far: list[Token]) -> ParseError:
    # The tokenizer fails on what follows its last good token (an unterminated string or
    # comment); point at the first non-blank character after that token.
    position = tokens_so_far[-1].end + 1 if tokens_so_far else 0
    while position < len(text) and text[position].isspace():
        position += 1
    snippet = text[position : position + 20].split("\n")[0]
    message = f"unterminated string, quoted identifier or comment starting {snippet!r}"
    return ParseError(message, _line_of(text, position), _column_of(text, position))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _column_of(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1) + 1
