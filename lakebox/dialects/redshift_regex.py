"""Redshift regular expressions on DuckDB (RE2).

- Patterns are POSIX regular expressions (PostgreSQL's flavour: `[[:alpha:]]`, `\\d`, `\\w`, `\\s`,
  `\\y`) unless the `p` parameter asks for PCRE. They become RE2 patterns at plan time; what RE2
  cannot do (backreferences, lookaround, `\\m`/`\\M`) is refused with an error naming the function.
- POSIX matching is leftmost-longest, RE2's leftmost-first: alternatives made of plain text are
  reordered longest first, which gives the POSIX match (other overlapping alternatives can differ).
- `REGEXP_REPLACE` replaces every match (sqlglot's output replaces the first); `REGEXP_SUBSTR`
  returns '' when nothing matches and NULL for an occurrence out of range; `REGEXP_COUNT` and
  `REGEXP_INSTR` (start or end position, occurrence) are computed from RE2's matches; `position`
  below 1 searches from the first character, past the end finds nothing.
- `SIMILAR TO` patterns (`%`, `_`, `.` is literal) become anchored RE2 patterns.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.dialects import redshift_common as rc
from lakebox.dialects.redshift_common import call, typed
from lakebox.errors import NotSupportedError, ProgrammingError

_META = set(".^$*+?()[]{}|\\")


def _parameters(function: str, node: exp.Expression | None) -> str:
    if node is None:
        return ""
    text = rc.need_literal(function, "parameters", node)
    bad = set(text) - set("cipe")
    if bad:
        raise ProgrammingError(f"{function}: invalid parameter '{''.join(sorted(bad))}' (use c, i, e or p)")
    return text


def _literal_branch(branch: str) -> str | None:
    """The text a branch matches when it is plain text (escaped metacharacters allowed), else None."""
    out, i = [], 0
    while i < len(branch):
        c = branch[i]
        if c == "\\" and i + 1 < len(branch) and branch[i + 1] in _META:
            out.append(branch[i + 1])
            i += 2
            continue
        if c in _META:
            return None
        out.append(c)
        i += 1
    return "".join(out)


def _longest_first(alternatives: list[str]) -> list[str]:
    texts = [_literal_branch(a) for a in alternatives]
    if len(alternatives) < 2 or any(t is None for t in texts):
        return alternatives
    order = sorted(range(len(alternatives)), key=lambda k: -len(texts[k]))
    return [alternatives[k] for k in order]


def translate(pattern: str, function: str, pcre: bool = False) -> str:
    """A POSIX (or PCRE) pattern as an RE2 pattern with the same matches, or an error."""
    stack: list[list[list[str]]] = [[[]]]  # groups -> alternatives -> pieces
    i, n = 0, len(pattern)

    def emit(text: str) -> None:
        stack[-1][-1].append(text)

    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt.isdigit() and nxt != "0":
                raise NotSupportedError(f"{function}: backreferences (\\{nxt}) are not supported by lakebox's "
                                        "regular expression engine")
            if nxt in "mM":
                raise NotSupportedError(f"{function}: \\{nxt} (start or end of a word) is not supported by lakebox")
            if not pcre and nxt in "yY":
                emit("\\b" if nxt == "y" else "\\B")
            elif not pcre and nxt == "Z":
                emit("\\z")
            else:
                emit(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                if pattern[j] == "[" and j + 1 < n and pattern[j + 1] in ":.=":
                    close = pattern.find(pattern[j + 1] + "]", j + 2)
                    j = close + 2 if close != -1 else j + 1
                    continue
                j += 2 if pattern[j] == "\\" else 1
            emit(pattern[i:j + 1])
            i = j + 1
            continue
        if c == "(":
            if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                raise NotSupportedError(f"{function}: lookahead and lookbehind are not supported by lakebox's "
                                        "regular expression engine (RE2)")
            if pattern.startswith("(?>", i):
                raise NotSupportedError(f"{function}: atomic groups are not supported by lakebox")
            prefix = "(?:" if pattern.startswith("(?:", i) else "("
            stack.append([[prefix]])
            i += len(prefix)
            continue
        if c == ")" and len(stack) > 1:
            alternatives = ["".join(a) for a in stack.pop()]
            head = alternatives[0][:3] if alternatives[0].startswith("(?:") else alternatives[0][:1]
            alternatives[0] = alternatives[0][len(head):]
            emit(head + "|".join(_longest_first(alternatives)) + ")")
            i += 1
            continue
        if c == "|":
            stack[-1].append([])
            i += 1
            continue
        emit(c)
        i += 1
    if len(stack) != 1:
        raise ProgrammingError(f"{function}: invalid regular expression: parentheses () not balanced")
    return "|".join(_longest_first(["".join(a) for a in stack[0]]))


def capture_groups(pattern: str) -> int:
    count, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                i += 1
        elif c == "(" and not pattern.startswith("(?", i):
            count += 1
        i += 1
    return count


def _pattern(function: str, node: exp.Expression, parameters: str) -> exp.Expression:
    text = rc.string_value(node)
    if text is None:
        if isinstance(node, exp.Null):
            return node
        raise NotSupportedError(f"{function}: lakebox needs the pattern as a string literal")
    return exp.Literal.string(translate(text, function, "p" in parameters))


def _options(parameters: str, global_: bool = False) -> exp.Expression:
    flags = ("g" if global_ else "") + ("i" if "i" in parameters.replace("c", "") and
                                        parameters.rfind("i") > parameters.rfind("c") else "")
    return exp.Literal.string(flags or "c")


def _position(node: exp.Expression | None) -> exp.Expression:
    return node if node is not None else exp.Literal.number(1)


def _from(text: exp.Expression, position: exp.Expression) -> exp.Expression:
    if rc.literal_int(position) == 1:
        return text
    return call("substring", text, call("greatest", position, exp.Literal.number(1)))


def regexp_replace(node: exp.RegexpReplace) -> exp.Expression:
    parameters = _parameters("REGEXP_REPLACE", node.args.get("modifiers"))
    if "e" in parameters:
        raise ProgrammingError("REGEXP_REPLACE: invalid parameter 'e' (use c, i or p)")
    pattern = _pattern("REGEXP_REPLACE", node.expression, parameters)
    replacement = node.args.get("replacement")
    if replacement is None:
        replacement = exp.Literal.string("")
    elif rc.string_value(replacement) is not None:
        replacement = exp.Literal.string(rc.string_value(replacement).replace("\\&", "\\0"))
    position = _position(node.args.get("position"))
    text = node.this
    replaced = call("regexp_replace", _from(text, position), pattern, replacement, _options(parameters, True))
    if rc.literal_int(position) == 1:
        return typed(replaced, "VARCHAR")
    return call("lakebox_rs_regexp_replace_from", text, position, replaced, type="VARCHAR")


def regexp_substr(node: exp.RegexpExtract) -> exp.Expression:
    parameters = _parameters("REGEXP_SUBSTR", node.args.get("parameters"))
    pattern = _pattern("REGEXP_SUBSTR", node.expression, parameters)
    group = exp.Literal.number(1 if "e" in parameters and isinstance(pattern, exp.Literal)
                               and capture_groups(pattern.this) else 0)
    position = _position(node.args.get("position"))
    occurrence = node.args.get("occurrence")
    text = node.this
    searched = _from(text, position)
    if occurrence is None or rc.literal_int(occurrence) == 1 and rc.literal_int(position) == 1:
        found = call("regexp_extract", searched, pattern, group, _options(parameters))
        if occurrence is None:
            return typed(found, "VARCHAR") if rc.literal_int(position) == 1 else \
                call("lakebox_rs_regexp_substr_at", text, position, found, type="VARCHAR")
    all_matches = call("regexp_extract_all", searched, pattern, group, _options(parameters))
    return call("lakebox_rs_regexp_substr_nth", text, position, occurrence, all_matches, type="VARCHAR")


def regexp_count(node: exp.RegexpCount) -> exp.Expression:
    parameters = _parameters("REGEXP_COUNT", node.args.get("parameters"))
    pattern = _pattern("REGEXP_COUNT", node.expression, parameters)
    position = _position(node.args.get("position"))
    matches = call("regexp_extract_all", _from(node.this, position), pattern, exp.Literal.number(0),
                   _options(parameters))
    return rc.cast(call("lakebox_rs_regexp_count", node.this, position, matches), "INTEGER")


def regexp_instr(node: exp.RegexpInstr) -> exp.Expression:
    parameters = _parameters("REGEXP_INSTR", node.args.get("parameters"))
    if "e" in parameters:
        raise NotSupportedError("REGEXP_INSTR with the 'e' parameter (position of a subexpression) is not "
                                "supported by lakebox")
    pattern = _pattern("REGEXP_INSTR", node.expression, parameters)
    position = _position(node.args.get("position"))
    occurrence = node.args.get("occurrence") or exp.Literal.number(1)
    option = node.args.get("option") or exp.Literal.number(0)
    searched = _from(node.this, position)
    options = _options(parameters)
    return rc.cast(call("lakebox_rs_regexp_instr", node.this, position, occurrence, option,
                        call("regexp_extract_all", searched, pattern, exp.Literal.number(0), options),
                        call("string_split_regex", searched, pattern, options)), "INTEGER")


def regexp_like(node: exp.Expression) -> exp.Expression:
    function = "~*" if isinstance(node, exp.RegexpILike) else "~"
    pattern = _pattern(f"the {function} operator", node.expression, "")
    options = "i" if isinstance(node, exp.RegexpILike) else "c"
    return typed(call("regexp_matches", node.this, pattern, exp.Literal.string(options)), "BOOLEAN")


def similar_to_regex(pattern: str, escape: str = "\\") -> str:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\" + nxt if nxt in _META else nxt)
            i += 2
            continue
        if c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        elif c in ".^$\\":
            out.append("\\" + c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def similar_to(node: exp.SimilarTo) -> exp.Expression:
    text = rc.string_value(node.expression)
    if text is None:
        raise NotSupportedError("SIMILAR TO: lakebox needs the pattern as a string literal")
    return typed(call("regexp_full_match", node.this, exp.Literal.string(similar_to_regex(text))), "BOOLEAN")


def _handler(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.RegexpReplace):
        return regexp_replace(node)
    if isinstance(node, exp.RegexpExtract):
        return regexp_substr(node)
    if isinstance(node, exp.RegexpCount):
        return regexp_count(node)
    if isinstance(node, exp.RegexpInstr):
        return regexp_instr(node)
    if isinstance(node, (exp.RegexpLike, exp.RegexpILike)):
        return regexp_like(node)
    if isinstance(node, exp.SimilarTo):
        return similar_to(node)
    return None


_NODES = (exp.RegexpReplace, exp.RegexpExtract, exp.RegexpCount, exp.RegexpInstr, exp.RegexpLike, exp.RegexpILike,
          exp.SimilarTo)


def redshift_regex(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Rewrite Redshift's regular expression functions and operators (one walk; innermost first)."""
    return rc.rewrite_innermost(expression, _NODES, _handler)


MACROS = [
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_regexp_replace_from(s, pos, replaced) AS ("
    " CASE WHEN pos > length(s) THEN s ELSE substring(s, 1, greatest(pos, 1) - 1) || replaced END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_regexp_substr_at(s, pos, found) AS ("
    " CASE WHEN pos > length(s) THEN '' ELSE found END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_regexp_substr_nth(s, pos, occ, matches) AS ("
    " CASE WHEN s IS NULL THEN NULL WHEN occ < 1 OR occ > length(s) THEN NULL"
    " WHEN pos > length(s) THEN '' ELSE coalesce(matches[occ], '') END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_regexp_count(s, pos, matches) AS ("
    " CASE WHEN s IS NULL THEN NULL WHEN pos > length(s) THEN 0 ELSE len(matches) END)",
    "CREATE OR REPLACE TEMP MACRO lakebox_rs_regexp_instr(s, pos, occ, opt, matches, pieces) AS ("
    " CASE WHEN s IS NULL THEN NULL WHEN pos > length(s) OR occ < 1 OR len(matches) < occ THEN 0"
    " ELSE greatest(pos, 1) + coalesce(list_sum(list_transform(pieces[1:occ], lambda x: length(x))), 0)"
    "  + coalesce(list_sum(list_transform(matches[1:occ - 1], lambda x: length(x))), 0)"
    "  + CASE WHEN opt = 1 THEN length(matches[occ]) ELSE 0 END END)",
]

PRIORITY = 45
RULES = {"redshift": [redshift_regex]}

FUNCTIONS = {
    "REGEXP_REPLACE": ("supported", "every match; POSIX patterns translated to RE2; lookaround and "
                                    "backreferences raise"),
    "REGEXP_SUBSTR": ("supported", "'' when nothing matches; occurrence and 'e' subexpression"),
    "REGEXP_COUNT": ("supported", "non-overlapping matches"),
    "REGEXP_INSTR": ("partial", "start/end position and occurrence; the 'e' parameter raises"),
    "~ / ~* / !~ (POSIX)": ("supported", "RE2; leftmost-longest for plain-text alternatives only"),
    "SIMILAR TO": ("supported", "SQL patterns as anchored RE2 patterns (literal patterns only)"),
    "regular expressions (p flag, PCRE)": ("partial", "RE2 syntax; lookaround and backreferences raise"),
}
