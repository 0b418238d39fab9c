"""Plans of recently run queries, reused while the catalog has not changed.

Parsing, binding, qualification and the rewrite rules depend only on the statement text, its
parameters, the session's dialect and defaults, and the catalog. A plan keeps the resulting DuckDB
SQL with a marker per external table; the scans themselves (partitions, files) are built anew on
every run, so data that arrives between two runs is always seen.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from lakebox.engine.binder import Plan


class PlanCache:
    def __init__(self, size: int = 256):
        self._size = size
        self._plans: OrderedDict[Hashable, tuple[Hashable, Plan]] = OrderedDict()

    def get(self, key: Hashable, stamp: Hashable) -> Plan | None:
        entry = self._plans.get(key)
        if entry is None:
            return None
        if entry[0] != stamp:
            del self._plans[key]
            return None
        self._plans.move_to_end(key)
        return entry[1]

    def put(self, key: Hashable, stamp: Hashable, plan: Plan) -> None:
        self._plans[key] = (stamp, plan)
        self._plans.move_to_end(key)
        while len(self._plans) > self._size:
            self._plans.popitem(last=False)

    def clear(self) -> None:
        self._plans.clear()


def plan_key(sql: str, params, *state) -> Hashable | None:
    """The cache key of a statement, or None when its parameters cannot be part of one."""
    if params is None:
        return (sql, None, *state)
    try:
        values = tuple((type(value), value) for value in params)
        hash(values)
    except TypeError:
        return None
    return (sql, values, *state)
