"""The registry of semantic rewrite rules and DuckDB macros, one family per module.

A family module in `lakebox.dialects` takes part by defining, at module level:

- `RULES`: a dict from dialect ("athena" | "redshift" | "both") to a list of rules, each a pure
  function `rule(expression, dialect) -> expression` over a qualified, type-annotated sqlglot tree;
- optionally `MACROS`: DuckDB `CREATE MACRO` statements the rules' output calls (created once per
  session connection, as TEMP macros, so nothing is written into the user's warehouse);
- optionally `PRIORITY` (default 50): families run in ascending priority, then by module name;
- optionally `ANNOTATORS`: a dict from dialect to sqlglot type annotators (`{exp.Literal: {"annotator":
  fn}}`) that replace sqlglot's own for that dialect, so that the rules read the service's types.

Families are discovered, not listed, so that adding one touches nothing else.

Rules must be deterministic functions of the tree: a planned statement is cached and reused while
the catalog is unchanged, so a rule may never fold in the current time, a random value or a file's
contents (leave those to DuckDB at run time).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
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
