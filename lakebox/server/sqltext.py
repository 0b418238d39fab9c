"""Lexical helpers over SQL text: split statements, find `$n` parameters, read leading keywords.

A small scanner that knows PostgreSQL's quoting (strings with '' and E'' escapes, quoted
identifiers, dollar quotes, line and block comments) so that ';' and '$1' inside any of them
are left alone.
"""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_PARAM = re.compile(r"\$(\d+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _scan(sql: str):
    """Yield (kind, start, end) for code, string, identifier, comment, param and semicolon spans."""
    i, n = 0, len(sql)
    code_start = 0
    while i < n:
        c = sql[i]
        if c == "'" or ((c in "eE") and i + 1 < n and sql[i + 1] == "'" and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_"))):
            escapes = c in "eE"
            if code_start < i:
                yield "code", code_start, i
            start = i
            i += 2 if escapes else 1
            while i < n:
                if escapes and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == "'":
                    if i + 1 < n and sql[i + 1] == "'":
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            yield "string", start, i
            code_start = i
            continue
        if c == '"':
            if code_start < i:
                yield "code", code_start, i
            start = i
            i += 1
            while i < n:
                if sql[i] == '"':
                    if i + 1 < n and sql[i + 1] == '"':
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            yield "identifier", start, i
            code_start = i
            continue
        if c == "-" and sql.startswith("--", i):
            if code_start < i:
                yield "code", code_start, i
            end = sql.find("\n", i)
            end = n if end < 0 else end + 1
            yield "comment", i, end
            i = code_start = end
            continue
        if c == "/" and sql.startswith("/*", i):
            if code_start < i:
                yield "code", code_start, i
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            yield "comment", i, j
            i = code_start = j
            continue
        if c == "$":
            param = _PARAM.match(sql, i)
            if param and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                if code_start < i:
                    yield "code", code_start, i
                yield "param", i, param.end()
                i = code_start = param.end()
                continue
            tag = _DOLLAR_TAG.match(sql, i)
            if tag and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                end = sql.find(tag.group(0), tag.end())
                end = n if end < 0 else end + len(tag.group(0))
                if code_start < i:
                    yield "code", code_start, i
                yield "string", i, end
                i = code_start = end
                continue
        if c == ";":
            if code_start < i:
                yield "code", code_start, i
            yield "semicolon", i, i + 1
            i = code_start = i + 1
            continue
        i += 1
    if code_start < n:
        yield "code", code_start, n


def split(sql: str) -> list[str]:
    """The statements of a simple Query message (comment-only pieces dropped)."""
    statements, start, meaningful = [], 0, False
    for kind, s, e in _scan(sql):
        if kind == "semicolon":
            if meaningful:
                statements.append(sql[start:s].strip())
            start, meaningful = e, False
        elif kind != "comment" and sql[s:e].strip():
            meaningful = True
    if meaningful:
        statements.append(sql[start:].strip())
    return statements


def to_qmarks(sql: str, casts: dict[int, str] | None = None) -> tuple[str, list[int]]:
    """'... $2 ... $1' -> ('... ? ... ?', [1, 0]): qmark text and the parameter index of each mark.

    A mark followed by '::' gets a space ('$1::int' -> '? ::int': sqlglot reads '?::' as one
    operator). `casts` (parameter index -> SQL type) puts those parameters' marks in a CAST."""
    out, order = [], []
    for kind, s, e in _scan(sql):
        if kind == "param":
            index = int(sql[s + 1:e]) - 1
            mark = f"CAST(? AS {casts[index]})" if casts and index in casts else "?"
            out.append(mark + " " if sql.startswith(":", e) else mark)
            order.append(index)
        else:
            out.append(sql[s:e])
    return "".join(out), order


def code_only(sql: str) -> str:
    """The statement with strings, quoted identifiers and comments blanked out."""
    return "".join(sql[s:e] if kind in ("code", "param", "semicolon") else " " for kind, s, e in _scan(sql))


def without_trailing(sql: str) -> str:
    """The statement without what may follow its last token: white space, comments, semicolons."""
    end = 0
    for kind, s, e in _scan(sql):
        if kind in ("comment", "semicolon"):
            continue
        text = sql[s:e]
        if text.strip():
            end = s + len(text.rstrip())
    return sql[:end]


def parameter_count(sql: str) -> int:
    highest = 0
    for kind, s, e in _scan(sql):
        if kind == "param":
            highest = max(highest, int(sql[s + 1:e]))
    return highest


def strip_comments(sql: str) -> str:
    return "".join(sql[s:e] if kind != "comment" else " " for kind, s, e in _scan(sql)).strip()


def leading_words(sql: str, count: int = 3) -> list[str]:
    """The first `count` keywords of a statement, upper case (comments skipped)."""
    text = strip_comments(sql)
    words = []
    pos = 0
    while len(words) < count:
        match = _WORD.search(text, pos)
        if match is None or text[pos:match.start()].strip(" \t\r\n(") != "":
            break
        words.append(match.group(0).upper())
        pos = match.end()
    return words
