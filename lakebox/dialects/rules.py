"""The registry of semantic rewrite rules and DuckDB macros, one family per module.

A family module in `lakebox.dialects` takes part by defining, at module level:

- `RULES`: a dict from dialect ("athena" | "redshift" | "both") to a list of rules, each a pure
  function `rule(expression, dialect) -> expression` over a qualified, type-annotated sqlglot tree;
- optionally `MACROS`: DuckDB `CREATE MACRO` statements the rules' output calls (created once per
  session connection, as TEMP macros, so nothing is written into the user's warehouse);
- optionally `PRIORITY` (default 50): families run in ascending priority, then by module name;
- optionally `ANNOTATORS`: a dict from dialect to sqlglot type annotators (`{exp.Literal: {"annotator":
  fn}}`) that replace sqlglot's own for that dialect, so that the rules read the service's types.

Families are discovered, not listed, so that adding one touches nothing else. Any module may also
declare what it supports, `FUNCTIONS` and `STATEMENTS` (see `declarations`), which the compatibility
table (scripts/compatibility.py) and the wire server's pg_proc read.

Rules must be deterministic functions of the tree: a planned statement is cached and reused while
the catalog is unchanged, so a rule may never fold in the current time, a random value or a file's
contents (leave those to DuckDB at run time).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

import lakebox.dialects as package

Rule = Callable[[exp.Expression, str], exp.Expression]


@lru_cache(maxsize=1)
def _families() -> tuple:
    modules = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if hasattr(module, "RULES"):
            modules.append(module)
    return tuple(sorted(modules, key=lambda m: (getattr(m, "PRIORITY", 50), m.__name__)))


@lru_cache(maxsize=4)
def rules_for(dialect: str) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for module in _families():
        rules += module.RULES.get("both", []) + module.RULES.get(dialect, [])
    return tuple(rules)


def apply_rules(expression: exp.Expression, dialect: str) -> exp.Expression:
    for rule in rules_for(dialect):
        expression = rule(expression, dialect)
    return expression


@lru_cache(maxsize=1)
def macros() -> tuple[str, ...]:
    statements: list[str] = []
    for module in _families():
        statements += getattr(module, "MACROS", [])
    return tuple(statements)


@lru_cache(maxsize=4)
def annotators(dialect: str) -> dict | None:
    """sqlglot's type annotators for `dialect`, with the families' `ANNOTATORS` on top (None: no change)."""
    extra: dict = {}
    for module in _families():
        found = getattr(module, "ANNOTATORS", {})
        extra.update(found.get("both", {}))
        extra.update(found.get(dialect, {}))
    if not extra:
        return None
    from sqlglot.dialects.dialect import Dialect
    return {**Dialect.get_or_raise(dialect).EXPRESSION_METADATA, **extra}


DIALECTS = ("athena", "redshift")
STATUSES = ("supported", "partial", "not supported")


@dataclass(frozen=True)
class Declaration:
    """What a module says of one function or statement family: its status, how, and where."""

    name: str
    status: str
    how: str
    family: str  # the declaring module
    source: str = ""  # a documentation URL, when given


@lru_cache(maxsize=2)
def declarations(kind: str) -> dict[str, dict[str, Declaration]]:
    """{dialect: {lower-case name: Declaration}} from every module's `kind` ("FUNCTIONS" | "STATEMENTS").

    A declaration is `{"name": (status, how[, url])}`; a module whose name starts with `redshift_`
    speaks for Redshift, the others for Athena, unless it declares `{"athena": {...}, "redshift": {...}}`.
    When two modules declare one name, the weaker status wins."""
    found: dict[str, dict[str, Declaration]] = {d: {} for d in DIALECTS}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        declared = getattr(module, kind, None)
        if not isinstance(declared, dict):
            continue
        if declared and all(key in DIALECTS and isinstance(v, dict) for key, v in declared.items()):
            per_dialect = declared
        else:
            per_dialect = {"redshift" if info.name.startswith("redshift") else "athena": declared}
        for dialect, entries in per_dialect.items():
            for name, declaration in entries.items():
                status, how, *rest = declaration
                if status not in STATUSES:
                    raise ValueError(f"{info.name}.{kind}[{name!r}]: status {status!r} is not one of {STATUSES}")
                known = found[dialect].get(name.lower())
                if known is None or STATUSES.index(status) > STATUSES.index(known.status):
                    found[dialect][name.lower()] = Declaration(name, status, how, info.name, rest[0] if rest else "")
    return found
