"""From classified files to tables and partitions: Glue's grouping rules.

The files under a crawl target form a folder tree. Walking it bottom-up, a folder whose
data all lives in sub-folders of the same depth, with compatible data (same format,
compression and text layout) and -- unless the crawler combines compatible schemas -- mostly
similar schemas, becomes one dataset whose sub-folders are partitions. Where siblings do not
fit together, each becomes a table of its own, named after its folder. The dataset at the top
of a chain of merges is a table: one per dataset folder, never one per file or partition.

Hive ``key=value`` folders name their partition key; other folders give ``partition_0``,
``partition_1``, ... by level. Partition keys are strings. Files lying beside partition folders
belong to no partition (Athena would never read them) and are reported, not guessed at.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

from lakebox.catalog.crawler import inference
from lakebox.catalog.crawler.files import FileInfo
from lakebox.catalog.crawler.inference import Schema


@dataclass
class PartitionPlan:
    values: tuple[str, ...]
    folder: tuple[str, ...]  # below the crawl target
    files: list[FileInfo]
    columns: Schema


@dataclass
class TablePlan:
    name: str
    folder: tuple[str, ...]  # the table's folder below the target (the file itself when is_file)
    is_file: bool
    keys: list[str]
    partitions: list[PartitionPlan]
    files: list[FileInfo]
    columns: Schema
    sample: object  # a representative classifiers.Sample: format details come from it


@dataclass
class Layout:
    tables: list[TablePlan] = field(default_factory=list)
    strays: list[tuple[FileInfo, str]] = field(default_factory=list)


@dataclass
class _Node:
    name: str
    rel: tuple[str, ...]
    dirs: dict[str, _Node] = field(default_factory=dict)
    files: list[FileInfo] = field(default_factory=list)


@dataclass
class _Unit:
    """A dataset below ``node``: partitions at ``depth`` folder levels under it."""

    node: _Node
    depth: int
    parts: list[tuple[tuple[str, ...], list[FileInfo], Schema]]  # (folders below node, files, schema)
    signature: tuple
    schema: Schema
    sample: object

    @property
    def files(self) -> list[FileInfo]:
        return [f for _, files, _ in self.parts for f in files]


def sanitize(name: str) -> str:
    """A Glue table or key name for a folder or file name: lower case, [a-z0-9_] only."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return cleaned or "_"


def location_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


class Planner:
    """Plans the tables under one crawl target.

    ``known`` are the folders (below the target) of tables the catalog already has: they stay
    tables on a re-crawl, so a folder above one is never merged into a bigger table -- data
    that comes and goes beside a table does not change where the table is.
    """

    def __init__(self, root_name: str, root_level: int, *, table_level: int | None = None, combine: bool = False,
                 known: Sequence[tuple[str, ...]] = ()):
        self.root_name = root_name
        self.root_level = root_level
        self.table_level = table_level
        self.combine = combine
        self.layout = Layout()
        self._blocked = {k[:i] for k in known for i in range(len(k))}

    # -- entry

    def plan(self, files: Sequence[FileInfo], target_is_file: bool) -> Layout:
        """Tables for ``files`` (each with its sample, or skipped, or not read)."""
        if target_is_file:
            for f in files:
                if f.sample is not None:
                    self._emit_file(f)
            return self.layout
        root = _Node(self.root_name, ())
        for f in files:
            if f.skipped is not None:
                continue
            node = root
            for part in f.folder:
                node = node.dirs.setdefault(part, _Node(part, node.rel + (part,)))
            node.files.append(f)
        unit = self._analyze(root, self.root_level)
        if unit is not None:
            self._emit(unit)
        self._unique_names()
        return self.layout

    # -- the bottom-up walk

    def _analyze(self, node: _Node, level: int) -> _Unit | None:
        children: list[tuple[str, _Unit]] = []
        split = False
        for name in sorted(node.dirs):
            child = node.dirs[name]
            if not _has_data(child):
                continue
            unit = self._analyze(child, level + 1)
            if unit is None:
                split = True
            else:
                children.append((name, unit))
        loose = [f for f in node.files if f.sample is not None]
        unread = [f for f in node.files if f.sample is None]
        if not children and not split:
            return self._leaf(node, loose, unread, level)
        forced = self.table_level is not None and level == self.table_level
        above = self.table_level is not None and level < self.table_level
        blocked = node.rel in self._blocked
        if not above and not split and not blocked and self._fit(children, forced):
            for f in loose:
                self.layout.strays.append((f, f"beside the partition folders of '{_show(node.rel)}': "
                                              "not part of any partition"))
            parts = [((name,) + below, files, schema) for name, unit in children for below, files, schema in unit.parts]
            first = children[0][1]
            schema = _merge([u.schema for _, u in children])
            return _Unit(node, first.depth + 1, parts, first.signature, schema, first.sample)
        for _, unit in children:
            self._emit(unit)
        for f in loose:
            self._emit_file(f)
        return None

    def _leaf(self, node: _Node, loose: list[FileInfo], unread: list[FileInfo], level: int) -> _Unit | None:
        if not loose:
            return None
        signatures = {f.sample.signature for f in loose}
        schemas = [f.sample.columns for f in loose]
        forced = self.table_level is not None and level <= self.table_level
        if node.rel not in self._blocked and len(signatures) == 1 and (self.combine or forced or _similar(schemas)):
            schema = _merge(schemas)
            return _Unit(node, 0, [((), loose + unread, schema)], loose[0].sample.signature, schema, loose[0].sample)
        for f in loose:
            self._emit_file(f)
        return None

    def _fit(self, children: list[tuple[str, _Unit]], forced: bool) -> bool:
        units = [u for _, u in children]
        if len({u.depth for u in units}) != 1 or len({u.signature for u in units}) != 1:
            return False
        return self.combine or forced or _similar([u.schema for u in units])

    # -- output

    def _emit(self, unit: _Unit) -> None:
        node = unit.node
        name = sanitize(node.name if node.rel else self.root_name)
        keys, values = _keys(unit.depth, [below for below, _, _ in unit.parts])
        partitions = [PartitionPlan(vals, node.rel + below, files, schema)
                      for vals, (below, files, schema) in zip(values, unit.parts)] if unit.depth else []
        columns = [(n, t) for n, t in unit.schema if n not in set(keys)]
        self.layout.tables.append(TablePlan(name, node.rel, False, keys, partitions, unit.files, columns,
                                            unit.sample))

    def _emit_file(self, f: FileInfo) -> None:
        self.layout.tables.append(TablePlan(sanitize(f.rel[-1]), f.rel, True, [], [], [f], list(f.sample.columns),
                                            f.sample))

    def _unique_names(self) -> None:
        seen: dict[str, int] = {}
        for table in self.layout.tables:
            seen[table.name] = seen.get(table.name, 0) + 1
        for table in self.layout.tables:
            if seen[table.name] > 1:
                table.name = f"{table.name}_{location_hash('/'.join(table.folder))}"


def _has_data(node: _Node) -> bool:
    return bool(node.files) or any(_has_data(d) for d in node.dirs.values())


def _keys(depth: int, paths: list[tuple[str, ...]]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Partition key names and each partition's values from its folder names."""
    keys: list[str] = []
    columns: list[list[str]] = []
    for level in range(depth):
        names = [p[level] for p in paths]
        hive_keys = {n.partition("=")[0].lower() for n in names if "=" in n}
        key = sanitize(next(iter(hive_keys))) if len(hive_keys) == 1 and all("=" in n for n in names) else None
        if key is None or key in keys:
            keys.append(f"partition_{level}")
            columns.append(list(names))
        else:
            keys.append(key)
            columns.append([urllib.parse.unquote(n.partition("=")[2]) for n in names])
    values = [tuple(col[i] for col in columns) for i in range(len(paths))]
    return keys, values


def _distinct(schemas: Sequence[Schema]) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for schema in schemas:
        key = tuple(schema)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _merge(schemas: Sequence[Schema]) -> Schema:
    return inference.merge_all(list(s) for s in _distinct(schemas))


def _similar(schemas: Sequence[Schema]) -> bool:
    counts = _distinct(schemas)
    if len(counts) == 1:
        return True
    return inference.similar_majority(list(counts), list(counts.values()))


def _show(rel: tuple[str, ...]) -> str:
    return "/".join(rel) or "."
