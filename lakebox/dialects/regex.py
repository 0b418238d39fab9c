"""Athena (Trino) regular expressions on DuckDB's RE2.

Trino's regular expressions use Java's pattern syntax; DuckDB's use RE2's. A literal pattern is
translated at plan time: named groups `(?<name>...)` become `(?P<name>...)`, `\\uhhhh` becomes
`\\x{hhhh}`, Java's `\\s` (which includes the vertical tab) and `\\v` (vertical whitespace) and the
POSIX classes `\\p{Lower}`, `\\p{Alpha}` ... become RE2 classes. Java features RE2 has no equivalent
for (lookahead and lookbehind, backreferences, atomic groups, possessive quantifiers, class
intersections and nested classes, `\\G`, `\\Z`, `\\R`, `\\X`, the flags d, u, x and U) raise a
NotSupportedError naming the function instead of answering differently.

- `regexp_extract` returns NULL when nothing matches (DuckDB: empty string); a group that may not
  take part in a match (inside an alternative or an optional repetition) raises an error, because
  RE2 reports it as an empty string where Java reports NULL.
- `regexp_replace` replacements refer to groups as `$1` and `${name}`, and `\\$` is a dollar; they
  are translated to RE2's `\\1`.
- `regexp_count`, `regexp_position` are SQL macros over RE2's match lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from lakebox.dialects.misc import has_any
from lakebox.errors import NotSupportedError, ProgrammingError

T = exp.DataType.Type

_POSIX = {  # Java's \p{...} POSIX classes (US-ASCII) as RE2 class bodies
    "Lower": "a-z", "Upper": "A-Z", "ASCII": r"\x00-\x7F", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "Punct": r"!-/:-@\[-`{-~", "Graph": r"!-~", "Print": r" -~", "Blank": r" \t",
    "Cntrl": r"\x00-\x1F\x7F", "XDigit": "0-9a-fA-F", "Space": r" \t\n\x0B\f\r",
}
_JAVA_SPACE = r"\t\n\x0B\f\r "
_JAVA_VERTICAL = r"\n\x0B\f\r\x{85}\x{2028}\x{2029}"
_RE2_FLAGS = set("ims")


def _refuse(function: str, feature: str) -> NotSupportedError:
    return NotSupportedError(f"{function}: the Java regular expression feature {feature} has no RE2 equivalent "
                             "in lakebox")


@dataclass
class Pattern:
    """A Java pattern translated to RE2, with what the rules need to know about its groups."""
    re2: str
    groups: int = 0
    names: dict[str, int] = field(default_factory=dict)
    optional: set[int] = field(default_factory=set)  # groups that may not take part in a match
    # a `$` outside multi-line mode: Java (Trino's joni) also matches it before a final line break, RE2 not
    end_anchor: bool = False


class _Frame:
    def __init__(self, group: int | None):
        self.group = group  # capturing group number, or None
        self.alternation = False
        self.members: list[int] = []  # capturing groups directly or indirectly inside this frame


def translate(pattern: str, function: str, boolean: bool = False) -> Pattern:
    """Translate a Java regular expression into RE2, refusing what RE2 cannot express.

    `boolean`: only whether the pattern matches counts (regexp_like), so a `$` may consume the final
    line break it is allowed to precede.
    """
    out: list[str] = []
    result = Pattern(re2="")
    stack: list[_Frame] = [_Frame(None)]
    i, n = 0, len(pattern)
    in_class = False
    class_start = 0
    multiline = False

    def quantifier_allows_zero(at: int) -> tuple[bool, int]:
        """Whether the quantifier at `at` (if any) allows zero repetitions, and where it ends."""
        if at >= n:
            return False, at
        c = pattern[at]
        if c in "*?":
            return True, at + 1
        if c == "+":
            return False, at + 1
        if c == "{":
            end = pattern.find("}", at)
            if end > 0 and pattern[at + 1:end].replace(",", "").isdigit():
                low = pattern[at + 1:end].split(",")[0]
                return (low == "" or int(low) == 0), end + 1
        return False, at

    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise ProgrammingError(f"{function}: invalid regular expression: trailing backslash")
            d = pattern[i + 1]
            if d == "Q":
                end = pattern.find("\\E", i + 2)
                end = n if end < 0 else end
                literal = pattern[i + 2:end]
                out.append("".join("\\" + ch if not ch.isalnum() and ord(ch) < 128 else ch for ch in literal))
                i = end + 2
                continue
            if d.isdigit() and d != "0":
                raise _refuse(function, f"backreference \\{d}")
            if d == "k" and not in_class:
                raise _refuse(function, "named backreference \\k<...>")
            if d in "GZRXhHVcN0":
                raise _refuse(function, f"\\{d}")
            if d == "u":
                hexdigits = pattern[i + 2:i + 6]
                out.append(f"\\x{{{hexdigits}}}")
                i += 6
                continue
            if d == "e":
                out.append(r"\x1B")
                i += 2
                continue
            if d == "s":
                out.append(_JAVA_SPACE if in_class else f"[{_JAVA_SPACE}]")
                i += 2
                continue
            if d == "S" and not in_class:
                out.append(f"[^{_JAVA_SPACE}]")
                i += 2
                continue
            if d == "v":
                out.append(_JAVA_VERTICAL if in_class else f"[{_JAVA_VERTICAL}]")
                i += 2
                continue
            if d in "pP" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise ProgrammingError(f"{function}: invalid regular expression: unclosed \\{d}{{")
                name = pattern[i + 3:end]
                if name in _POSIX:
                    body = _POSIX[name]
                    if in_class:
                        if d == "P":
                            raise _refuse(function, f"\\P{{{name}}} inside a character class")
                        out.append(body)
                    else:
                        out.append(f"[{'^' if d == 'P' else ''}{body}]")
                elif name.startswith(("In", "java", "Is", "block=", "blk=", "script=", "sc=", "general_category=",
                                      "gc=")):
                    raise _refuse(function, f"\\{d}{{{name}}}")
                else:
                    out.append(pattern[i:end + 1])
                i = end + 1
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" and not (i == class_start + 1 or (i == class_start + 2 and pattern[class_start + 1] == "^")):
                raise _refuse(function, "nested character classes")
            if c == "&" and pattern[i:i + 2] == "&&":
                raise _refuse(function, "character class intersection &&")
            if c == "]" and i > class_start + 1 and not (i == class_start + 2 and pattern[class_start + 1] == "^"):
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            class_start = i
            out.append(c)
            i += 1
            continue
        if c == "(":
            if pattern.startswith("(?", i):
                rest = pattern[i + 2:]
                if rest.startswith(("=", "!", "<=", "<!")):
                    raise _refuse(function, "lookahead/lookbehind")
                if rest.startswith(">"):
                    raise _refuse(function, "atomic groups (?>...)")
                if rest.startswith("<"):
                    end = pattern.find(">", i)
                    name = pattern[i + 3:end]
                    result.groups += 1
                    result.names[name] = result.groups
                    frame = _Frame(result.groups)
                    stack.append(frame)
                    out.append(f"(?P<{name}>")
                    i = end + 1
                    continue
                if rest.startswith(":"):
                    stack.append(_Frame(None))
                    out.append("(?:")
                    i += 3
                    continue
                # inline flags: (?flags) or (?flags:...)
                j = i + 2
                while j < n and (pattern[j].isalpha() or pattern[j] == "-"):
                    j += 1
                flags = pattern[i + 2:j]
                multiline = multiline or "m" in flags.split("-")[0]
                unsupported = set(flags.replace("-", "")) - _RE2_FLAGS
                if unsupported:
                    raise _refuse(function, f"the inline flag(s) {''.join(sorted(unsupported))}")
                if j < n and pattern[j] == ")":
                    out.append(pattern[i:j + 1])
                    i = j + 1
                    continue
                if j < n and pattern[j] == ":":
                    stack.append(_Frame(None))
                    out.append(pattern[i:j + 1])
                    i = j + 1
                    continue
                raise ProgrammingError(f"{function}: invalid regular expression near {pattern[i:i + 6]!r}")
            result.groups += 1
            stack.append(_Frame(result.groups))
            out.append("(")
            i += 1
            continue
        if c == ")":
            if len(stack) == 1:
                raise ProgrammingError(f"{function}: invalid regular expression: unmatched closing ')'")
            frame = stack.pop()
            if frame.alternation:
                result.optional.update(frame.members)
            parent = stack[-1]
            if frame.group is not None:
                parent.members.append(frame.group)
            parent.members.extend(frame.members)
            out.append(")")
            i += 1
            zero, end = quantifier_allows_zero(i)
            if end > i:
                if zero:
                    result.optional.update(frame.members)
                    if frame.group is not None:
                        result.optional.add(frame.group)
                if end < n and pattern[end] == "+":
                    raise _refuse(function, "possessive quantifiers")
                out.append(pattern[i:end])
                i = end
            continue
        if c == "$":
            result.end_anchor = True
            out.append(r"(?:\n?\z)" if boolean else "$")
            i += 1
            continue
        if c == "|":
            stack[-1].alternation = True
            out.append(c)
            i += 1
            continue
        if c in "*+?" or (c == "{" and quantifier_allows_zero(i)[1] > i):
            _, end = quantifier_allows_zero(i)
            if end < n and pattern[end] == "+":
                raise _refuse(function, "possessive quantifiers")
            out.append(pattern[i:end])
            i = end
            continue
        out.append(c)
        i += 1
    if in_class:
        raise ProgrammingError(f"{function}: invalid regular expression: unclosed character class")
    if len(stack) != 1:
        raise ProgrammingError(f"{function}: invalid regular expression: missing closing ')'")
    if stack[0].alternation:
        result.optional.update(stack[0].members)
    if multiline:
        result.end_anchor = False  # RE2's multi-line `$` matches before every line break, as Java's does
        out = ["$" if part == r"(?:\n?\z)" else part for part in out]
    result.re2 = "".join(out)
    return result


def translate_replacement(replacement: str, pattern: Pattern, function: str) -> str:
    """Java's `$1`, `${name}` and backslash escapes -> RE2's `\\1` and escaped backslashes."""
    out: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\":
            if i + 1 >= n:
                raise ProgrammingError(f"{function}: character to be escaped is missing")
            literal = replacement[i + 1]
            out.append("\\\\" if literal == "\\" else literal)
            i += 2
            continue
        if c == "$":
            if i + 1 >= n:
                raise ProgrammingError(f"{function}: Illegal group reference: group index is missing")
            if replacement[i + 1] == "{":
                end = replacement.find("}", i)
                name = replacement[i + 2:end] if end > 0 else ""
                if name not in pattern.names:
                    raise ProgrammingError(f"{function}: No group with name {{{name}}}")
                group = pattern.names[name]
                i = end + 1
            elif replacement[i + 1].isdigit():
                j = i + 1
                group = int(replacement[j])
                j += 1
                # Java reads more digits while the number stays a valid group
                while j < n and replacement[j].isdigit() and group * 10 + int(replacement[j]) <= pattern.groups:
                    group = group * 10 + int(replacement[j])
                    j += 1
                if group > pattern.groups:
                    raise ProgrammingError(f"{function}: Illegal group reference: group {group} does not exist "
                                           f"(the pattern has {pattern.groups})")
                i = j
            else:
                raise ProgrammingError(f"{function}: Illegal group reference")
            if group > 9:
                raise NotSupportedError(f"{function}: lakebox supports references to groups 0 to 9 only")
            out.append(f"\\{group}")
            continue
        out.append(c)
        i += 1
    return "".join(out)


# -- macros --------------------------------------------------------------------------------------

MACROS = [
    # regexp_position(s, p, start, n): where RE2's n-th successive match starts, -1 when there is none.
    "CREATE OR REPLACE TEMP MACRO trino_regexp_position(s, p, st, n) AS ("
    " CASE WHEN s IS NULL OR p IS NULL OR st IS NULL OR n IS NULL THEN NULL"
    " WHEN st < 1 THEN error('start position cannot be smaller than 1')"
    " WHEN n < 1 THEN error('occurrence cannot be smaller than 1')"
    " WHEN len(regexp_extract_all(substring(s, st), p)) < n THEN -1"
    " ELSE CAST(st + list_sum(list_transform(regexp_split_to_array(substring(s, st), p)[1:n], lambda __x: length(__x)))"
    "  + coalesce(list_sum(list_transform(regexp_extract_all(substring(s, st), p)[1:n - 1],"
    "   lambda __x: length(__x))), 0) AS INTEGER) END)",
]


# -- the rule ------------------------------------------------------------------------------------

_NAMES = {exp.RegexpLike: "regexp_like", exp.RegexpExtract: "regexp_extract",
          exp.RegexpExtractAll: "regexp_extract_all", exp.RegexpReplace: "regexp_replace",
          exp.RegexpSplit: "regexp_split", exp.RegexpCount: "regexp_count"}


def _literal(node: exp.Expression | None) -> str | None:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    return None


def _pattern(node: exp.Expression, function: str, boolean: bool = False) -> Pattern | None:
    """Translate the pattern argument in place when it is a literal; None when it is not."""
    pattern_node = node.expression
    text = _literal(pattern_node)
    if text is None:
        return None
    translated = translate(text, function, boolean)
    if translated.re2 != text:
        pattern_node.replace(exp.Literal.string(translated.re2))
    return translated


def _guard_end_anchor(pattern: Pattern | None, subject: exp.Expression, result: exp.Expression,
                      function: str) -> exp.Expression:
    """Where Java's `$` would also match before a final line break, refuse at run time instead of answering
    differently: only a subject that ends with a line break is affected."""
    if pattern is None or not pattern.end_anchor:
        return result
    ends = exp.Anonymous(this="ends_with", expressions=[subject.copy(), exp.Anonymous(
        this="chr", expressions=[exp.Literal.number(10)])])
    refuse = exp.Anonymous(this="error", expressions=[exp.Literal.string(
        f"{function}: lakebox cannot match $ before a final line break as Java does; use \\z or (?m)")])
    return exp.Case(ifs=[exp.If(this=ends, true=refuse)], default=result)


def _group_number(node: exp.Expression) -> int | None:
    group = node.args.get("group")
    if group is None:
        return 0
    if isinstance(group, exp.Literal) and group.is_int:
        return int(group.this)
    return None


def _check_group(function: str, pattern: Pattern | None, group: int | None) -> None:
    if pattern is None:
        if group != 0:
            raise NotSupportedError(f"{function}: with a pattern that is not a literal, lakebox cannot tell whether "
                                    "a group takes part in a match; use a literal pattern")
        return
    if group is None:
        raise NotSupportedError(f"{function}: the group number must be a literal")
    if group < 0:
        raise ProgrammingError(f"{function}: Group cannot be negative")
    if group > pattern.groups:
        raise ProgrammingError(f"{function}: Pattern has {pattern.groups} groups. Cannot access group {group}")
    if group in pattern.optional:
        raise NotSupportedError(f"{function}: group {group} may not take part in a match, where Trino answers NULL "
                                "and RE2 an empty string; lakebox refuses rather than answer differently")


def _extract(node: exp.RegexpExtract) -> exp.Expression:
    function = "regexp_extract"
    pattern = _pattern(node, function)
    _check_group(function, pattern, _group_number(node))
    args = [node.this, node.expression] + ([node.args["group"]] if node.args.get("group") is not None else [])
    extract = exp.Anonymous(this="regexp_extract", expressions=[a.copy() for a in args])
    matches = exp.Anonymous(this="regexp_matches", expressions=[node.this.copy(), node.expression.copy()])
    return _guard_end_anchor(pattern, node.this, exp.Case(ifs=[exp.If(this=matches, true=extract)]), function)


def _extract_all(node: exp.RegexpExtractAll) -> exp.Expression:
    function = "regexp_extract_all"
    pattern = _pattern(node, function)
    _check_group(function, pattern, _group_number(node))
    args = [node.this, node.expression] + ([node.args["group"]] if node.args.get("group") is not None else [])
    subject = node.this.copy()
    return _guard_end_anchor(pattern, subject, exp.Anonymous(this="regexp_extract_all", expressions=args), function)


def _replace(node: exp.RegexpReplace) -> exp.Expression:
    function = "regexp_replace"
    replacement = node.args.get("replacement")
    if isinstance(replacement, exp.Lambda):
        raise NotSupportedError("regexp_replace with a lambda is not supported by lakebox")
    pattern = _pattern(node, function)
    text = _literal(replacement) if replacement is not None else ""
    if replacement is not None and text is None:
        raise NotSupportedError("regexp_replace: the replacement must be a literal for lakebox to translate its "
                                "$-group references")
    if pattern is None and "$" in text:
        raise NotSupportedError("regexp_replace: group references need a literal pattern")
    translated = translate_replacement(text, pattern or Pattern(re2=""), function)
    subject = node.this.copy()
    return _guard_end_anchor(pattern, subject, exp.Anonymous(this="regexp_replace", expressions=[
        node.this, node.expression, exp.Literal.string(translated), exp.Literal.string("g")]), function)


def _count(node: exp.RegexpCount) -> exp.Expression:
    pattern = _pattern(node, "regexp_count")
    subject = node.this.copy()
    count = exp.Length(this=exp.Anonymous(this="regexp_extract_all", expressions=[node.this, node.expression]))
    return _guard_end_anchor(pattern, subject, count, "regexp_count")


def _position(node: exp.Anonymous) -> exp.Expression:
    args = list(node.expressions)
    if not 2 <= len(args) <= 4:
        raise ProgrammingError("regexp_position takes 2 to 4 arguments")
    text = _literal(args[1])
    pattern = None
    if text is not None:
        pattern = translate(text, "regexp_position")
        args[1] = exp.Literal.string(pattern.re2)
    while len(args) < 4:
        args.append(exp.Literal.number(1))
    subject = args[0].copy()
    return _guard_end_anchor(pattern, subject, exp.Anonymous(this="trino_regexp_position", expressions=args),
                             "regexp_position")


_CLASSES = (exp.RegexpLike, exp.RegexpExtract, exp.RegexpExtractAll, exp.RegexpReplace, exp.RegexpSplit,
            exp.RegexpCount, exp.Anonymous)


def athena_regex(expression: exp.Expression, dialect: str) -> exp.Expression:
    """Translate Java patterns and replacements to RE2; Trino's NULLs where DuckDB answers ''."""
    if not has_any(expression, _CLASSES):
        return expression
    for node in reversed(list(expression.find_all(*_CLASSES))):
        new = node
        if isinstance(node, exp.RegexpExtract):
            new = _extract(node)
        elif isinstance(node, exp.RegexpExtractAll):
            new = _extract_all(node)
        elif isinstance(node, exp.RegexpReplace):
            new = _replace(node)
        elif isinstance(node, exp.RegexpCount):
            new = _count(node)
        elif isinstance(node, exp.RegexpLike):
            _pattern(node, "regexp_like", boolean=True)
        elif isinstance(node, exp.RegexpSplit):
            pattern = _pattern(node, "regexp_split")
            if pattern is not None and pattern.end_anchor:
                new = _guard_end_anchor(pattern, node.this, node.copy(), "regexp_split")
        elif isinstance(node, exp.Anonymous) and node.name.lower() == "regexp_position":
            new = _position(node)
        if new is not node:
            new.type = node.type
            node.replace(new)
    return expression


PRIORITY = 40  # leaf functions before aggregates (45), which copies subtrees
RULES = {"athena": [athena_regex]}

FUNCTIONS = {
    "regexp_like": ("partial", "Java patterns translated to RE2 (`$` also before a final line break, as in Java); "
                               "lookaround, backreferences, atomic groups and possessive quantifiers raise an error"),
    "regexp_extract": ("partial", "NULL when nothing matches; a group that may not take part in a match raises an "
                                  "error (RE2 cannot tell it from an empty group), and so does a `$` pattern on a "
                                  "string that ends with a line break"),
    "regexp_extract_all": ("partial", "as regexp_extract"),
    "regexp_replace": ("partial", "$1 and ${name} group references (groups 0-9), backslash escapes; the lambda form "
                                  "raises an error"),
    "regexp_split": ("supported", "trailing empty strings kept"),
    "regexp_count": ("supported", "SQL rewrite"),
    "regexp_position": ("supported", "SQL macro over RE2's successive matches"),
}
