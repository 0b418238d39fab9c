"""The wire server's sandbox: a client reaches data only through the catalog.

DuckDB can read any file or URL (`read_csv`, `read_parquet`, `glob`, ...), write files
(`COPY ... TO`), attach databases, install and load extensions and change its own settings.
None of that may reach a network client: such statements are refused with SQLSTATE 42501
before they get near the engine. The check is over the parsed statement, so the names are
found wherever they hide (subqueries, CTEs, lateral joins, casts).
"""

from __future__ import annotations

import re

import duckdb
from sqlglot import exp

from lakebox import errors


class InsufficientPrivilege(errors.ProgrammingError):
    sqlstate = "42501"


#: Statements (first keyword) that reach past the catalog into the engine or the file system.
REFUSED_STATEMENTS = {"ATTACH", "DETACH", "INSTALL", "LOAD", "PRAGMA", "EXPORT", "IMPORT", "CHECKPOINT",
                      "FORCE", "CALL", "UPDATE EXTENSIONS", "COPY", "SUMMARIZE", "VACUUM", "PIVOT"}

#: Table and scalar functions that touch files, the network, the engine's own state or run SQL text.
_REFUSED_FUNCTION = re.compile(
    r"^(read_\w+|parquet_\w+|\w+_scan|scan_\w+|glob|sniff_csv|query|query_table|http_\w+|iceberg_\w+|delta_\w+|"
    r"st_read\w*|duckdb_\w+|pragma_\w+|getenv|load_extension|install_extension|which_secret|"
    r"current_setting_duckdb|test_all_types|checkpoint|force_checkpoint|json_execute_serialized_sql|"
    r"sqlite_\w+|postgres_\w+|mysql_\w+|excel_\w+|ducklake_\w+|arrow_scan\w*|pandas_scan|repeat_row|"
    r"read_blob|read_text|write_\w+)$",
    re.IGNORECASE,
)

#: Table functions that compute rows from their arguments and touch nothing else.
SAFE_TABLE_FUNCTIONS = {"unnest", "explode", "generate_series", "exploding_generate_series", "range",
                        "generate_subscripts", "explode_outer", "posexplode"}

_DUCKDB_SETTINGS: set[str] | None = None


def duckdb_setting_names() -> set[str]:
    global _DUCKDB_SETTINGS
    if _DUCKDB_SETTINGS is None:
        with duckdb.connect() as con:
            _DUCKDB_SETTINGS = {row[0].lower() for row in con.sql("SELECT name FROM duckdb_settings()").fetchall()}
    return _DUCKDB_SETTINGS


def refuse(what: str) -> InsufficientPrivilege:
    return InsufficientPrivilege(f"permission denied: {what} is not available to lakebox server clients "
                                 "(data is reached only through the catalog)")


def check_statement_keyword(first_words: list[str]) -> None:
    if not first_words:
        return
    head = first_words[0]
    if head in REFUSED_STATEMENTS or " ".join(first_words[:2]) in REFUSED_STATEMENTS:
        raise refuse(head)


_REFUSED_NODES = tuple(getattr(exp, n) for n in ("ReadCSV", "ReadParquet", "Copy", "Pragma", "Attach", "Detach", "Install")
                       if hasattr(exp, n))


def function_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    if isinstance(node, exp.Func):
        return node.sql_name()
    return None


def check_expression(expression: exp.Expression) -> None:
    """Refuse table functions and file/network functions anywhere in a parsed statement."""
    for node in expression.walk():
        if isinstance(node, _REFUSED_NODES):
            raise refuse(node.key.upper())
        name = function_name(node)
        if name and _REFUSED_FUNCTION.match(name):
            raise refuse(f"function {name.lower()}()")
        if isinstance(node, exp.Table):
            target = node.this
            if isinstance(target, exp.Literal) or (isinstance(target, exp.Identifier) and target.quoted
                                                   and re.search(r"[/\\:.]", target.name)):
                raise refuse(f"reading '{target.name}' directly")
            if target is not None and not isinstance(target, (exp.Identifier, exp.Var)) \
                    and function_name(target) is not None \
                    and function_name(target).lower() not in SAFE_TABLE_FUNCTIONS:
                raise refuse(f"table function {function_name(target).lower()}()")


def check_sql(sql: str, dialect: str) -> None:
    """Refuse what reaches outside the catalog, by a scan of the statement's text.

    String literals are blanked first and quoted identifiers unquoted, so `read_csv(`,
    `"read_csv"(` and `READ_CSV (` are all found wherever they are (subqueries, CTEs, joins);
    a string literal or a path-like quoted name where a table belongs is a file read. Table
    functions not named here never get past the engine's binder, which resolves every table
    through the catalog."""
    text = _strip_strings(sql)
    unquoted = re.sub(r'"((?:[^"]|"")*)"', lambda m: m.group(1).replace('""', '"'), text)
    for match in re.finditer(r"([A-Za-z_][A-Za-z0-9_$]*)\s*\(", unquoted):
        if _REFUSED_FUNCTION.match(match.group(1)):
            raise refuse(f"function {match.group(1).lower()}()")
    if re.search(r"\b(FROM|JOIN)\s+(\(\s*)*''", text, re.IGNORECASE):
        raise refuse("reading a file by name")
    for match in re.finditer(r'\b(?:FROM|JOIN)\s+"((?:[^"]|"")*)"', sql, re.IGNORECASE):
        if re.search(r"[/\\:]|\.(csv|parquet|json|tsv|txt|orc|avro|gz|zst)$", match.group(1), re.IGNORECASE):
            raise refuse(f"reading '{match.group(1)}' directly")


def _strip_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)
