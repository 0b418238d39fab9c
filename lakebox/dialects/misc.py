"""Athena (Trino) URL and binary functions on DuckDB.

The URL functions follow java.net.URI as Trino calls it: a URL that does not parse is NULL; a
missing protocol, host, path, query or fragment is an empty string (Trino's `nullToEmpty`), a
missing port NULL; path, query and fragment come back percent-decoded; `url_extract_parameter`
splits the raw query on `&` and `=` and decodes the value as a form (`+` is a blank).
`url_encode` is Guava's form-parameter escaper (alphanumerics and `-_.*` kept, blank as `+`),
`url_decode` Java's URLDecoder.
"""

from __future__ import annotations

from sqlglot import exp

from lakebox.errors import NotSupportedError

# java.net.URI refuses these characters anywhere, and a '%' not followed by two hex digits.
_INVALID = r"""[\x00-\x20"<>\\^`{|}\x7f\[\]]|%([^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$)|#.*#"""
# RFC 3986 appendix B: scheme, authority, path, query, fragment
_PARTS = r"^(([A-Za-z][A-Za-z0-9+.-]*):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$"
_SERVER = r"^(([^@]*)@)?([^:@]*)(:([0-9]*))?$"
_HOSTNAME = (r"^(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\.?"
             r"|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _part(group: int) -> str:
    return f"regexp_extract(u, {_q(_PARTS)}, {group})"


_VALID = f"NOT regexp_matches(u, {_q(_INVALID)})"
_OPAQUE = f"({_part(2)} <> '' AND NOT starts_with({_part(5)} || {_part(3)}, '/'))"
_AUTHORITY = _part(4)
_SERVER_OK = (f"(regexp_full_match({_AUTHORITY}, {_q(_SERVER)}) AND "
              f"regexp_full_match(regexp_extract({_AUTHORITY}, {_q(_SERVER)}, 3), {_q(_HOSTNAME)}))")

MACROS = [
    f"CREATE OR REPLACE TEMP MACRO trino_url_valid(u) AS ({_VALID})",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_protocol(u) AS ("
    f" CASE WHEN trino_url_valid(u) THEN {_part(2)} END)",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_host(u) AS ("
    f" CASE WHEN trino_url_valid(u) THEN CASE WHEN {_SERVER_OK}"
    f"  THEN regexp_extract({_AUTHORITY}, {_q(_SERVER)}, 3) ELSE '' END END)",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_port(u) AS ("
    f" CASE WHEN trino_url_valid(u) AND {_SERVER_OK} AND regexp_extract({_AUTHORITY}, {_q(_SERVER)}, 5) <> ''"
    f"  THEN CAST(regexp_extract({_AUTHORITY}, {_q(_SERVER)}, 5) AS BIGINT) END)",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_path(u) AS ("
    f" CASE WHEN trino_url_valid(u) THEN CASE WHEN {_OPAQUE} THEN '' ELSE url_decode({_part(5)}) END END)",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_query(u) AS ("
    f" CASE WHEN trino_url_valid(u) THEN CASE WHEN {_OPAQUE} THEN '' ELSE url_decode({_part(7)}) END END)",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_fragment(u) AS ("
    f" CASE WHEN trino_url_valid(u) THEN url_decode({_part(9)}) END)",
    # java.net.URLDecoder: '+' is a blank; a malformed escape is an error
    "CREATE OR REPLACE TEMP MACRO trino_url_decode(s) AS ("
    " CASE WHEN regexp_matches(s, '%([^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$)')"
    "  THEN error('URLDecoder: Illegal hex characters in escape (%) pattern')"
    " ELSE url_decode(replace(s, '+', ' ')) END)",
    # the first parameter named n in the raw query; its value decoded as a form field
    "CREATE OR REPLACE TEMP MACRO trino_url_query_arg(q, n) AS"
    " list_filter(string_split(q, '&'), lambda __a: split_part(__a, '=', 1) = n)[1]",
    "CREATE OR REPLACE TEMP MACRO trino_url_arg_value(a) AS ("
    " CASE WHEN a IS NULL THEN NULL WHEN contains(a, '=') THEN trino_url_decode(substring(a, strpos(a, '=') + 1))"
    " ELSE '' END)",
    "CREATE OR REPLACE TEMP MACRO trino_url_extract_parameter(u, n) AS ("
    f" CASE WHEN trino_url_valid(u) AND NOT {_OPAQUE} AND {_part(6)} <> ''"
    f"  THEN trino_url_arg_value(trino_url_query_arg({_part(7)}, n)) END)",
    # Guava's urlFormParameterEscaper: alphanumerics and -_.* stay, a blank becomes '+'
    "CREATE OR REPLACE TEMP MACRO trino_url_encode(s) AS"
    " replace(replace(replace(url_encode(s), '%20', '+'), '%2A', '*'), '~', '%7E')",
]

_KINDS = "lakebox_athena_kinds"


def has_any(expression: exp.Expression, classes: tuple[type, ...]) -> bool:
    """Does the query hold a node of one of `classes`? One walk per query, shared by the Athena families
    of strings, regex, JSON, collections, aggregates and URLs: the set of node classes is taken once (the
    rules only add nodes that the later families do not rewrite, or rewrite them themselves)."""
    kinds = expression.meta.get(_KINDS)
    if kinds is None:
        kinds = frozenset(type(node) for node in expression.walk())
        expression.meta[_KINDS] = kinds
    return any(issubclass(kind, classes) for kind in kinds)


_URL_FUNCTIONS = {"url_extract_protocol": 1, "url_extract_host": 1, "url_extract_port": 1, "url_extract_path": 1,
                  "url_extract_query": 1, "url_extract_fragment": 1, "url_extract_parameter": 2,
                  "url_encode": 1, "url_decode": 1}


def athena_misc(expression: exp.Expression, dialect: str) -> exp.Expression:
    """URL functions as SQL macros."""
    if not has_any(expression, (exp.Anonymous,)):
        return expression
    for node in reversed(list(expression.find_all(exp.Anonymous))):
        name = node.name.lower()
        args = list(node.expressions)
        if name in _URL_FUNCTIONS:
            if len(args) != _URL_FUNCTIONS[name]:
                raise NotSupportedError(f"{name} takes {_URL_FUNCTIONS[name]} argument(s)")
            new = exp.Anonymous(this=f"trino_{name}", expressions=args)
            new.type = node.type
            node.replace(new)
    return expression


PRIORITY = 40  # leaf functions before aggregates (45), which copies subtrees
RULES = {"athena": [athena_misc]}

FUNCTIONS = {
    "url_extract_protocol": ("supported", "java.net.URI rules: NULL for an unparsable URL, '' when absent"),
    "url_extract_host": ("partial", "'' when absent or not a server name; IPv6 literals make the URL unparsable"),
    "url_extract_port": ("supported", "NULL when absent"),
    "url_extract_path": ("supported", "percent-decoded"),
    "url_extract_query": ("supported", "percent-decoded"),
    "url_extract_fragment": ("supported", "percent-decoded"),
    "url_extract_parameter": ("supported", "the first parameter of that name, form-decoded"),
    "url_encode": ("supported", "blank as +; alphanumerics and -_.* kept"),
    "url_decode": ("supported", "+ as blank"),
    "to_hex": ("supported", ""), "from_hex": ("supported", ""), "to_base64": ("supported", ""),
    "from_base64": ("supported", ""), "md5": ("supported", "varbinary"), "sha256": ("supported", "varbinary"),
    "uuid": ("supported", ""),
}
