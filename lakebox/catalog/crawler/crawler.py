"""Crawler definitions, runs and their metrics.

A run lists each target once, reads the files it needs (in parallel, bounded by the
classifiers), plans tables with ``layout``, and then applies the difference to the catalog in
one transaction, following the crawler's policies:

* ``SchemaChangePolicy.UpdateBehavior``: ``UPDATE_IN_DATABASE`` replaces a table whose schema
  or format changed (a new table version); ``LOG`` only reports it.
* ``SchemaChangePolicy.DeleteBehavior``: for tables this crawler made whose data is gone,
  ``DEPRECATE_IN_DATABASE`` marks them (``DEPRECATED_BY_CRAWLER``), ``DELETE_FROM_DATABASE``
  drops them (and drops vanished partitions), ``LOG`` only reports.
* ``RecrawlPolicy.RecrawlBehavior``: ``CRAWL_EVERYTHING`` reads every file again;
  ``CRAWL_NEW_FOLDERS_ONLY`` reads only folders that are not partitions or tables yet.
* ``Configuration`` (Glue's JSON): ``Grouping.TableGroupingPolicy = CombineCompatibleSchemas``,
  ``Grouping.TableLevelConfiguration = N``, ``CrawlerOutput.Tables.AddOrUpdateBehavior =
  MergeNewColumns``, ``CrawlerOutput.Partitions.AddOrUpdateBehavior = InheritFromTable``.

New tables and partitions are always added. A failure anywhere before the commit leaves the
catalog as it was; the run is then recorded as FAILED.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lakebox import errors
from lakebox.catalog import model
from lakebox.catalog.crawler import inference, layout
from lakebox.catalog.crawler.classifiers import FooterCache, Sample, Skip, classify
from lakebox.catalog.crawler.files import Exclusions, FileInfo, Listing, Reader, absolute_level, list_target
from lakebox.catalog.model import Column, Database, Partition, SerDeInfo, StorageDescriptor, Table, now
from lakebox.connectors.storage import Storage

UPDATE_IN_DATABASE, LOG = "UPDATE_IN_DATABASE", "LOG"
DEPRECATE_IN_DATABASE, DELETE_FROM_DATABASE = "DEPRECATE_IN_DATABASE", "DELETE_FROM_DATABASE"
CRAWL_EVERYTHING, CRAWL_NEW_FOLDERS_ONLY = "CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY"
UPDATE_BEHAVIORS = (UPDATE_IN_DATABASE, LOG)
DELETE_BEHAVIORS = (DEPRECATE_IN_DATABASE, DELETE_FROM_DATABASE, LOG)
RECRAWL_BEHAVIORS = (CRAWL_EVERYTHING, CRAWL_NEW_FOLDERS_ONLY)

AVRO_INPUT = "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat"
AVRO_OUTPUT = "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat"
AVRO_SERDE = "org.apache.hadoop.hive.serde2.avro.AvroSerDe"

#: Table parameters that mark a crawler's work.
UPDATED_BY = "UPDATED_BY_CRAWLER"
DEPRECATED_BY = "DEPRECATED_BY_CRAWLER"
#: Parameters that only describe data volume: a change in them alone is not a schema change.
_STATS = ("recordCount", "averageRecordSize", "objectCount", "sizeKey")

#: How many past runs a crawler keeps for its metrics.
RUN_HISTORY = 20
#: Reader threads: S3 is latency-bound, local reads are cheap and contend for the GIL.
REMOTE_WORKERS = 32
LOCAL_WORKERS = 8
LOCAL_BATCH = 64
#: Average wait per local read above which reading moves to threads (page-cache hits take ~10 µs).
IO_BOUND_SECONDS = 150e-6

Progress = Callable[[int, int], None]


class CrawlerRunning(errors.OperationalError):
    """Glue's CrawlerRunningException."""


class CrawlerNotRunning(errors.OperationalError):
    """Glue's CrawlerNotRunningException."""


# ==================================================================================== definitions


@dataclass
class Target:
    path: str
    exclusions: list[str] = field(default_factory=list)
    sample_size: int | None = None


@dataclass
class Settings:
    """A crawler definition, parsed and validated."""

    name: str
    database: str
    targets: list[Target]
    table_prefix: str = ""
    update_behavior: str = UPDATE_IN_DATABASE
    delete_behavior: str = DEPRECATE_IN_DATABASE
    recrawl_behavior: str = CRAWL_EVERYTHING
    combine: bool = False
    table_level: int | None = None
    merge_new_columns: bool = False
    inherit_from_table: bool = False


def normalize_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """Check a Glue-shaped crawler definition and fill in Glue's defaults."""
    d = copy.deepcopy(definition)
    name = d.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise errors.ProgrammingError("a crawler needs a Name")
    if not isinstance(d.get("DatabaseName"), str) or not d["DatabaseName"].strip():
        raise errors.ProgrammingError(f"crawler '{name}' needs a DatabaseName")
    d["DatabaseName"] = d["DatabaseName"].strip().lower()
    targets = d.get("Targets") or {}
    if not isinstance(targets, dict):
        raise errors.ProgrammingError("Targets must be a dict such as {'S3Targets': [{'Path': 's3://bucket/prefix/'}]}")
    unsupported = [k for k, v in targets.items() if k != "S3Targets" and v]
    if unsupported:
        raise errors.NotSupportedError(f"crawler targets {', '.join(unsupported)} are not supported (only S3Targets, "
                                       "which also take local paths)")
    s3 = []
    for t in targets.get("S3Targets") or []:
        if isinstance(t, str):
            t = {"Path": t}
        path = (t.get("Path") or "").strip() if isinstance(t, dict) else ""
        if not path:
            raise errors.ProgrammingError("every S3 target needs a Path")
        entry: dict[str, Any] = {"Path": path, "Exclusions": [str(e) for e in t.get("Exclusions") or []]}
        if t.get("SampleSize") is not None:
            size = t["SampleSize"]
            if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 249:
                raise errors.ProgrammingError(f"SampleSize must be an integer from 1 to 249, not {size!r}")
            entry["SampleSize"] = size
        for key in ("ConnectionName", "EventQueueArn", "DlqEventQueueArn"):
            if t.get(key):
                entry[key] = t[key]
        s3.append(entry)
    if not s3:
        raise errors.ProgrammingError(f"crawler '{name}' needs at least one target path")
    d["Targets"] = {"S3Targets": s3}
    if d.get("Classifiers"):
        raise errors.NotSupportedError("custom classifiers are not supported; the built-in ones are used")
    d["Classifiers"] = []
    policy = {"UpdateBehavior": UPDATE_IN_DATABASE, "DeleteBehavior": DEPRECATE_IN_DATABASE}
    policy.update({k: v for k, v in (d.get("SchemaChangePolicy") or {}).items() if v is not None})
    _choice("UpdateBehavior", policy["UpdateBehavior"], UPDATE_BEHAVIORS)
    _choice("DeleteBehavior", policy["DeleteBehavior"], DELETE_BEHAVIORS)
    d["SchemaChangePolicy"] = policy
    recrawl = {"RecrawlBehavior": CRAWL_EVERYTHING}
    recrawl.update({k: v for k, v in (d.get("RecrawlPolicy") or {}).items() if v is not None})
    if recrawl["RecrawlBehavior"] == "CRAWL_EVENT_MODE":
        raise errors.NotSupportedError("RecrawlBehavior CRAWL_EVENT_MODE needs S3 event queues; it is not supported")
    _choice("RecrawlBehavior", recrawl["RecrawlBehavior"], RECRAWL_BEHAVIORS)
    if recrawl["RecrawlBehavior"] == CRAWL_NEW_FOLDERS_ONLY and (policy["UpdateBehavior"] != LOG
                                                                 or policy["DeleteBehavior"] != LOG):
        raise errors.ProgrammingError(
            "a crawler with RecrawlBehavior CRAWL_NEW_FOLDERS_ONLY needs SchemaChangePolicy "
            "UpdateBehavior LOG and DeleteBehavior LOG (as in Glue)")
    d["RecrawlPolicy"] = recrawl
    d["Configuration"] = json.dumps(_configuration(d.get("Configuration")), sort_keys=True) \
        if d.get("Configuration") else None
    d["TablePrefix"] = (d.get("TablePrefix") or "").lower()
    return d


def _choice(what: str, value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise errors.ProgrammingError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _configuration(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise errors.ProgrammingError(f"crawler Configuration is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise errors.ProgrammingError("crawler Configuration must be a JSON object")
    grouping = value.get("Grouping") or {}
    policy = grouping.get("TableGroupingPolicy")
    if policy not in (None, "CombineCompatibleSchemas"):
        raise errors.ProgrammingError(f"Grouping.TableGroupingPolicy must be CombineCompatibleSchemas, not {policy!r}")
    level = grouping.get("TableLevelConfiguration")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool) or level < 1):
        raise errors.ProgrammingError(f"Grouping.TableLevelConfiguration must be a positive integer, not {level!r}")
    output = value.get("CrawlerOutput") or {}
    tables = (output.get("Tables") or {}).get("AddOrUpdateBehavior")
    if tables not in (None, "MergeNewColumns"):
        raise errors.ProgrammingError(f"CrawlerOutput.Tables.AddOrUpdateBehavior must be MergeNewColumns, "
                                      f"not {tables!r}")
    partitions = (output.get("Partitions") or {}).get("AddOrUpdateBehavior")
    if partitions not in (None, "InheritFromTable"):
        raise errors.ProgrammingError(f"CrawlerOutput.Partitions.AddOrUpdateBehavior must be InheritFromTable, "
                                      f"not {partitions!r}")
    return value


def settings_of(definition: dict[str, Any]) -> Settings:
    config = json.loads(definition["Configuration"]) if definition.get("Configuration") else {}
    grouping = config.get("Grouping") or {}
    output = config.get("CrawlerOutput") or {}
    return Settings(
        name=definition["Name"],
        database=definition["DatabaseName"],
        targets=[Target(t["Path"], list(t.get("Exclusions") or []), t.get("SampleSize"))
                 for t in definition["Targets"]["S3Targets"]],
        table_prefix=definition.get("TablePrefix") or "",
        update_behavior=definition["SchemaChangePolicy"]["UpdateBehavior"],
        delete_behavior=definition["SchemaChangePolicy"]["DeleteBehavior"],
        recrawl_behavior=definition["RecrawlPolicy"]["RecrawlBehavior"],
        combine=grouping.get("TableGroupingPolicy") == "CombineCompatibleSchemas",
        table_level=grouping.get("TableLevelConfiguration"),
        merge_new_columns=(output.get("Tables") or {}).get("AddOrUpdateBehavior") == "MergeNewColumns",
        inherit_from_table=(output.get("Partitions") or {}).get("AddOrUpdateBehavior") == "InheritFromTable",
    )


# ==================================================================================== results


@dataclass
class CrawlResult:
    """What one run did."""

    crawler: str
    database: str
    status: str = "RUNNING"
    error: str | None = None
    start_time: datetime = field(default_factory=now)
    duration: float = 0.0
    tables_created: list[str] = field(default_factory=list)
    tables_updated: list[str] = field(default_factory=list)
    tables_deleted: list[str] = field(default_factory=list)
    tables_deprecated: list[str] = field(default_factory=list)
    partitions_added: int = 0
    partitions_updated: int = 0
    partitions_deleted: int = 0
    files_listed: int = 0
    files_read: int = 0
    files_excluded: int = 0
    files_not_sampled: int = 0
    files_already_crawled: int = 0
    files_skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    log: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.tables_created or self.tables_updated or self.tables_deleted or self.tables_deprecated
                    or self.partitions_added or self.partitions_updated or self.partitions_deleted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "Crawler": self.crawler, "Database": self.database, "Status": self.status, "ErrorMessage": self.error,
            "StartTime": self.start_time.isoformat(), "DurationSeconds": round(self.duration, 6),
            "TablesCreated": self.tables_created, "TablesUpdated": self.tables_updated,
            "TablesDeleted": self.tables_deleted, "TablesDeprecated": self.tables_deprecated,
            "PartitionsAdded": self.partitions_added, "PartitionsUpdated": self.partitions_updated,
            "PartitionsDeleted": self.partitions_deleted, "FilesListed": self.files_listed,
            "FilesRead": self.files_read, "FilesExcluded": self.files_excluded,
            "FilesNotSampled": self.files_not_sampled, "FilesAlreadyCrawled": self.files_already_crawled,
            "FilesSkipped": [{"Path": p, "Reason": r} for p, r in self.files_skipped], "Log": self.log,
        }

    def summary(self) -> str:
        """A few lines for people: what changed, what was read, what was skipped and why."""
        def names(items: list[str]) -> str:
            return f" ({', '.join(items)})" if items else ""

        lines = [f"crawler {self.crawler}: {self.status.lower()} in {self.duration:.2f} s, database {self.database}"]
        if self.error:
            lines.append(f"  error: {self.error}")
        lines.append(f"  tables created: {len(self.tables_created)}{names(self.tables_created)}")
        lines.append(f"  tables updated: {len(self.tables_updated)}{names(self.tables_updated)}")
        lines.append(f"  tables deleted: {len(self.tables_deleted)}{names(self.tables_deleted)}")
        if self.tables_deprecated:
            lines.append(f"  tables deprecated: {len(self.tables_deprecated)}{names(self.tables_deprecated)}")
        lines.append(f"  partitions added: {self.partitions_added}, updated: {self.partitions_updated}, "
                     f"deleted: {self.partitions_deleted}")
        counts = [f"{self.files_listed} listed", f"{self.files_read} read", f"{len(self.files_skipped)} skipped"]
        if self.files_excluded:
            counts.append(f"{self.files_excluded} excluded")
        if self.files_not_sampled:
            counts.append(f"{self.files_not_sampled} not sampled")
        if self.files_already_crawled:
            counts.append(f"{self.files_already_crawled} already crawled")
        lines.append("  files: " + ", ".join(counts))
        lines += [f"  skipped {path}: {reason}" for path, reason in self.files_skipped]
        lines += [f"  note: {message}" for message in self.log]
        return "\n".join(lines)


# ==================================================================================== the run


@dataclass
class _Found:
    """A planned table, with the catalog objects built for it."""

    plan: layout.TablePlan
    table: Table
    partitions: list[Partition]
    location: str  # resolved, for matching
    root: str


class Run:
    """One crawl of a crawler definition over storage into a catalog."""

    def __init__(self, catalog: Any, storage: Storage, settings: Settings, progress: Progress | None = None):
        self.catalog = catalog
        self.storage = storage
        self.settings = settings
        self.progress = progress
        self.reader = Reader(storage)
        self.result = CrawlResult(settings.name, settings.database)
        self._roots: list[str] = []
        self._shapes: dict[tuple, tuple] = {}
        self._known: list[str] = []  # resolved locations of tables the catalog has

    # -- orchestration

    def execute(self) -> CrawlResult:
        started = time.perf_counter()
        s = self.settings
        listings = [list_target(self.storage, t.path, Exclusions(t.exclusions)) for t in s.targets]
        existing = self._existing_tables()
        self._known = list(existing)
        to_read: list[FileInfo] = []
        new_partitions: dict[str, dict[tuple[str, ...], list[FileInfo]]] = {}  # incremental: table -> folder -> files
        for target, listing in zip(s.targets, listings):
            self._roots.append(listing.root)
            self.result.files_listed += len(listing.files)
            self.result.files_excluded += listing.excluded
            self.result.files_skipped += [(self._uri(path), reason) for path, reason in listing.unreadable]
            extra: list[FileInfo] = []
            if s.recrawl_behavior == CRAWL_NEW_FOLDERS_ONLY:
                listing.files, extra = self._new_folders_only(listing, existing, new_partitions)
            to_read += self._sampled(listing.files + extra, target.sample_size)
        self._read(to_read)
        for f in to_read:
            if f.skipped is not None:
                self.result.files_skipped.append((self._uri(f.path), f.skipped))
        found: list[_Found] = []
        for listing in listings:
            found += self._plan(listing)
        self._apply(found, existing, new_partitions, listings)
        self.result.duration = time.perf_counter() - started
        self.result.status = "SUCCEEDED"
        return self.result

    # -- what exists

    def _existing_tables(self) -> dict[str, Table]:
        """This database's external tables by resolved location (none if it does not exist yet)."""
        try:
            tables = self.catalog.get_tables(self.settings.database)
        except errors.EntityNotFound:
            return {}
        by_location = {}
        for table in tables:
            if table.is_view or not table.location:
                continue
            try:
                by_location[_norm(self.storage.resolve(table.location))] = table
            except errors.Error:
                continue
        return by_location

    def _new_folders_only(self, listing: Listing, existing: dict[str, Table],
                          new_partitions: dict[str, dict[tuple[str, ...], list[FileInfo]]]
                          ) -> tuple[list[FileInfo], list[FileInfo]]:
        """CRAWL_NEW_FOLDERS_ONLY: drop files of known tables and partitions; files in new
        partition folders of known tables are read and become their partitions."""
        known = {tuple(_relative(loc, listing.root)): (loc, t) for loc, t in existing.items()
                 if _under(loc, listing.root)}
        if not known:
            return listing.files, []
        partitions: dict[str, set[str]] = {}
        kept = []
        for f in listing.files:
            owner = None
            for i in range(len(f.rel), -1, -1):  # the deepest table folder holding the file
                owner = known.get(f.rel[:i])
                if owner is not None:
                    below = list(f.rel[i:])
                    break
            if owner is None:
                kept.append(f)
                continue
            loc, table = owner
            depth = len(table.partition_keys)
            if depth == 0 or len(below) <= depth:
                self.result.files_already_crawled += 1
                continue
            if loc not in partitions:
                partitions[loc] = set()
                for p in self.catalog.get_partitions(table.database_name, table.name):
                    try:
                        partitions[loc].add(_norm(self.storage.resolve(p.location)))
                    except errors.Error:
                        continue
            folder = _join(loc, below[:depth])
            if _norm(folder) in partitions[loc]:
                self.result.files_already_crawled += 1
                continue
            new_partitions.setdefault(loc, {}).setdefault(tuple(below[:depth]), []).append(f)
        extra = [f for folders in new_partitions.values() for files in folders.values() for f in files
                 if _under(f.path, listing.root)]
        return kept, extra

    # -- reading

    def _sampled(self, files: list[FileInfo], sample_size: int | None) -> list[FileInfo]:
        if sample_size is None:
            return list(files)
        chosen, per_folder = [], {}
        for f in files:
            n = per_folder.get(f.folder, 0)
            if n < sample_size:
                chosen.append(f)
            else:
                self.result.files_not_sampled += 1
            per_folder[f.folder] = n + 1
        return chosen

    def _read(self, files: list[FileInfo]) -> None:
        """Classify ``files``. S3 reads are latency-bound and go to a pool of threads at once;
        local ones run in batches on this thread -- threads only add GIL contention while the
        data comes from the page cache -- until storage proves slow (the average read waits
        longer than ``IO_BOUND_SECONDS``), and then the rest go to a pool too."""
        total = len(files)
        if not total:
            return
        footers = FooterCache()
        reader = self.reader

        def batch(group: list[FileInfo]) -> int:
            for f in group:
                f.read = True
                try:
                    f.sample = classify(reader, f, footers)
                except Skip as exc:
                    f.skipped = str(exc)
            return len(group)

        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if self.progress:
                self.progress(done, total)

        remote = [f for f in files if reader.remote(f.path)]
        local = [f for f in files if not reader.remote(f.path)]
        if self.progress:
            self.progress(0, total)
        pools: list[ThreadPoolExecutor] = []
        futures = []
        try:
            if remote:
                pools.append(ThreadPoolExecutor(min(REMOTE_WORKERS, len(remote)), "lakebox-crawl-s3"))
                futures += [pools[-1].submit(batch, [f]) for f in remote]
            position = 0
            while position < len(local):
                group = local[position : position + LOCAL_BATCH]
                position += len(group)
                waited = reader.io_seconds
                advance(batch(group))
                waited = reader.io_seconds - waited
                if position < len(local) and waited / len(group) > IO_BOUND_SECONDS:
                    rest = local[position:]
                    pools.append(ThreadPoolExecutor(LOCAL_WORKERS, "lakebox-crawl"))
                    futures += [pools[-1].submit(batch, rest[i : i + LOCAL_BATCH // 4])
                                for i in range(0, len(rest), LOCAL_BATCH // 4)]
                    break
            for future in as_completed(futures):
                advance(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        finally:
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)
        self.result.files_read = sum(1 for f in files if f.read)

    # -- planning

    def _plan(self, listing: Listing) -> list[_Found]:
        s = self.settings
        if not listing.exists:
            return []
        root = listing.root
        known = [tuple(_relative(loc, root)) for loc in self._known if _under(loc, root)]
        planner = layout.Planner(_basename(root), absolute_level(root), table_level=s.table_level,
                                 combine=s.combine, known=known)
        plan = planner.plan(listing.files, listing.is_file)
        for f, reason in plan.strays:
            self.result.files_skipped.append((self._uri(f.path), reason))
        return [self._build(t, root, listing.is_file) for t in plan.tables]

    def _build(self, plan: layout.TablePlan, root: str, target_is_file: bool) -> _Found:
        s = self.settings
        location = root if target_is_file else _join(root, plan.folder)
        uri = self._uri(location) + ("" if plan.is_file else "/")
        sample: Sample = plan.sample  # type: ignore[assignment]
        input_format, output_format, serde = _formats(sample, plan.columns)
        params = _parameters(sample, plan.files, s.name)
        columns = [Column(n, inference.render(t)) for n, t in plan.columns]
        sd = StorageDescriptor(columns=columns, location=uri, input_format=input_format, output_format=output_format,
                               serde_info=serde, compressed=sample.compression not in ("none", None),
                               parameters={k: v for k, v in params.items() if k not in (UPDATED_BY,)})
        table = Table(s.table_prefix + plan.name, s.database, storage_descriptor=sd,
                      partition_keys=[Column(k, "string") for k in plan.keys], table_type=model.EXTERNAL_TABLE,
                      parameters={"EXTERNAL": "TRUE", **params})
        partitions = [self._partition(table, p, root) for p in plan.partitions] if plan.keys else []
        return _Found(plan, table, partitions, _norm(location), root)

    def _partition(self, table: Table, plan: layout.PartitionPlan, root: str) -> Partition:
        sample = next((f.sample for f in plan.files if f.sample is not None), None)
        sd = table.storage_descriptor
        params = _parameters(sample, plan.files, None) if sample is not None else {}
        if sample is not None and not self.settings.inherit_from_table:
            # Partitions of one dataset mostly share a schema: build its objects once (the
            # catalog copies what it stores).
            keys = tuple(k.name for k in table.partition_keys)
            key = (sample.signature, tuple(plan.columns), keys)
            shape = self._shapes.get(key)
            if shape is None:
                columns = [Column(n, inference.render(t)) for n, t in plan.columns if n not in keys]
                shape = self._shapes[key] = (*_formats(sample, plan.columns), columns)
            input_format, output_format, serde, columns = shape
        else:
            input_format, output_format, serde, columns = sd.input_format, sd.output_format, sd.serde_info, sd.columns
        psd = StorageDescriptor(columns=columns, location=self._uri(_join(root, plan.folder)) + "/",
                                input_format=input_format, output_format=output_format,
                                serde_info=serde, compressed=sd.compressed, parameters=dict(params))
        return Partition(list(plan.values), table.database_name, table.name, storage_descriptor=psd,
                         parameters=params)

    # -- applying

    def _apply(self, found: list[_Found], existing: dict[str, Table],
               new_partitions: dict[str, dict[tuple[str, ...], list[FileInfo]]], listings: list[Listing]) -> None:
        s = self.settings
        catalog = self.catalog
        with catalog.transaction():
            try:
                catalog.get_database(s.database)
            except errors.EntityNotFound:
                catalog.create_database(Database(s.database, description=f"Created by crawler {s.name}"))
                self.result.log.append(f"database {s.database} created")
            existing = self._existing_tables()  # again, under the write lock
            names = {t.name for t in catalog.get_tables(s.database)}
            matched: set[str] = set()
            for item in found:
                current = existing.get(item.location)
                if current is not None and current.table_type == model.EXTERNAL_TABLE:
                    matched.add(item.location)
                    self._update(item, current)
                    continue
                if item.table.name in names:
                    suffix = layout.location_hash(item.location)
                    self._rename(item, f"{item.table.name}_{suffix}")
                catalog.create_table(item.table)
                names.add(item.table.name)
                if item.partitions:
                    self.result.partitions_added += catalog.batch_create_partition(
                        s.database, item.table.name, item.partitions, if_not_exists=True)
                self.result.tables_created.append(item.table.name)
            for loc, folders in new_partitions.items():
                if loc in existing:
                    self._add_new_folders(existing[loc], loc, folders)
            if s.recrawl_behavior == CRAWL_EVERYTHING:
                self._vanished(existing, matched, listings)

    def _rename(self, item: _Found, name: str) -> None:
        item.table.name = name
        for p in item.partitions:
            p.table_name = name

    def _update(self, item: _Found, current: Table) -> None:
        s = self.settings
        catalog = self.catalog
        new = item.table
        self._rename(item, current.name)
        qualified = f"{current.database_name}.{current.name}"
        update = s.update_behavior == UPDATE_IN_DATABASE
        if s.merge_new_columns:  # overrides the SchemaChangePolicy for S3 tables, as in Glue
            merged = self._merge_new_columns(current, new)
            if merged is None:
                return
            new, update = merged, True
        changes = _differences(current, new)
        keys_changed = _keys(current) != _keys(new)
        recreated = False
        if changes and not update:
            self.result.log.append(f"schema change of {qualified} not applied (UpdateBehavior LOG): "
                                   + "; ".join(changes))
            if keys_changed:
                return  # the folders no longer fit the table's partition keys
        elif changes or DEPRECATED_BY in current.parameters or (update and _stats(current) != _stats(new)):
            new.create_time = current.create_time
            if keys_changed:
                catalog.delete_table(current.database_name, current.name)
                catalog.create_table(new)
                recreated = True
            else:
                catalog.update_table(new)
            self.result.tables_updated.append(current.name)
            if changes:
                self.result.log.append(f"{qualified} updated: " + "; ".join(changes))
        if not _keys(new):
            return
        existing = {} if recreated else {tuple(p.values): p for p in catalog.get_partitions(current.database_name,
                                                                                         current.name)}
        fresh = [p for p in item.partitions if tuple(p.values) not in existing]
        if fresh:
            self.result.partitions_added += catalog.batch_create_partition(
                current.database_name, current.name, fresh, if_not_exists=True)
        if update:
            for p in item.partitions:
                old = existing.get(tuple(p.values))
                if old is not None and _partition_changed(old, p):
                    catalog.update_partition(current.database_name, current.name, old.values, p)
                    self.result.partitions_updated += 1
        seen = {tuple(p.values) for p in item.partitions}
        gone = [list(v) for v in existing if v not in seen]
        if gone:
            if s.delete_behavior == DELETE_FROM_DATABASE:
                self.result.partitions_deleted += catalog.batch_delete_partition(
                    current.database_name, current.name, gone, if_exists=True)
            else:
                self.result.log.append(f"{len(gone)} partition(s) of {qualified} have no data any more "
                                       f"(DeleteBehavior {s.delete_behavior}): kept")

    def _merge_new_columns(self, current: Table, new: Table) -> Table | None:
        """MergeNewColumns: keep the catalog's columns and formats, add columns never seen."""
        fundamental = [k for k in ("classification", "compressionType", "delimiter")
                       if current.parameters.get(k) != new.parameters.get(k)]
        qualified = f"{current.database_name}.{current.name}"
        if fundamental:
            if DEPRECATED_BY not in current.parameters:
                marked = current.copy()
                marked.parameters[DEPRECATED_BY] = self.settings.name
                self.catalog.update_table(marked)
                self.result.tables_deprecated.append(current.name)
            self.result.log.append(f"{qualified} deprecated: {', '.join(fundamental)} changed, which MergeNewColumns "
                                   "cannot apply")
            return None
        merged = current.copy()
        have = {c.name for c in merged.columns}
        merged.storage_descriptor.columns += [copy.deepcopy(c) for c in new.columns if c.name not in have]
        merged.parameters.update({k: new.parameters[k] for k in _STATS if k in new.parameters})
        merged.parameters.pop(DEPRECATED_BY, None)
        merged.partition_keys = current.partition_keys
        return merged

    def _add_new_folders(self, table: Table, loc: str, folders: dict[tuple[str, ...], list[FileInfo]]) -> None:
        """CRAWL_NEW_FOLDERS_ONLY: new partition folders of a known table become partitions."""
        partitions = []
        for below, files in sorted(folders.items()):
            good = [f for f in files if f.sample is not None]
            if not good:
                continue
            values = []
            for key, folder in zip(table.partition_keys, below):
                k, sep, v = folder.partition("=")
                values.append(_unquote(v) if sep and k.lower() == key.name else folder)
            schema = inference.merge_all(f.sample.columns for f in good)
            plan = layout.PartitionPlan(tuple(values), below, files, schema)
            partitions.append(self._partition(table, plan, loc))
        if partitions:
            self.result.partitions_added += self.catalog.batch_create_partition(
                table.database_name, table.name, partitions, if_not_exists=True)

    def _vanished(self, existing: dict[str, Table], matched: set[str], listings: list[Listing]) -> None:
        """Tables this crawler made under its targets that no data backs any more."""
        s = self.settings
        for loc, table in sorted(existing.items()):
            if loc in matched or table.parameters.get(UPDATED_BY) != s.name:
                continue
            if not any(_under(loc, root) for root in self._roots):
                continue
            if s.delete_behavior == DELETE_FROM_DATABASE:
                self.catalog.delete_table(table.database_name, table.name)
                self.result.tables_deleted.append(table.name)
            elif s.delete_behavior == DEPRECATE_IN_DATABASE:
                if DEPRECATED_BY not in table.parameters:
                    marked = table.copy()
                    marked.parameters[DEPRECATED_BY] = s.name
                    self.catalog.update_table(marked)
                    self.result.tables_deprecated.append(table.name)
            else:
                self.result.log.append(f"table {table.database_name}.{table.name} has no data any more "
                                       "(DeleteBehavior LOG): kept")

    # -- helpers

    def _uri(self, resolved: str) -> str:
        return self.storage.to_uri(resolved)


# ==================================================================================== table shapes


def _formats(sample: Sample, columns: inference.Schema) -> tuple[str, str, SerDeInfo]:
    kind = sample.classification
    if kind == "parquet":
        return model.PARQUET_INPUT, model.PARQUET_OUTPUT, SerDeInfo(model.PARQUET_SERDE, {"serialization.format": "1"})
    if kind == "orc":
        return model.ORC_INPUT, model.ORC_OUTPUT, SerDeInfo(model.ORC_SERDE, {})
    if kind == "avro":
        return AVRO_INPUT, AVRO_OUTPUT, SerDeInfo(AVRO_SERDE, {"avro.schema.literal": sample.avro_schema or ""})
    if kind == "json":
        return model.TEXT_INPUT, model.TEXT_OUTPUT, SerDeInfo(model.JSON_SERDE,
                                                              {"paths": ",".join(n for n, _ in columns)})
    if sample.quoted:
        params = {"separatorChar": sample.delimiter or ",", "quoteChar": '"', "escapeChar": sample.escape or "\\"}
        return model.TEXT_INPUT, model.TEXT_OUTPUT, SerDeInfo(model.OPEN_CSV_SERDE, params)
    delimiter = sample.delimiter or ","
    return model.TEXT_INPUT, model.TEXT_OUTPUT, SerDeInfo(model.LAZY_SIMPLE_SERDE, {"field.delim": delimiter,
                                                                                    "serialization.format": delimiter})


def _parameters(sample: Sample, files: Sequence[FileInfo], crawler: str | None) -> dict[str, str]:
    """Glue's table (and partition) parameters for data like ``sample`` in ``files``."""
    size = sum(f.size for f in files)
    read = [f for f in files if f.sample is not None]
    records = sum(f.sample.records for f in read)
    read_size = sum(f.size for f in read)
    if read_size and len(read) < len(files):
        records += round(records / read_size * (size - read_size))  # files not sampled, by their size
    params = {
        "classification": sample.classification,
        "compressionType": sample.compression or "none",
        "typeOfData": "file",
        "recordCount": str(records),
        "averageRecordSize": str(size // records if records else 0),
        "objectCount": str(len(files)),
        "sizeKey": str(size),
    }
    if crawler is not None:
        params.update({UPDATED_BY: crawler, "CrawlerSchemaSerializerVersion": "1.0",
                       "CrawlerSchemaDeserializerVersion": "1.0"})
    if sample.classification == "csv":
        params["delimiter"] = sample.delimiter or ","
        params["areColumnsQuoted"] = "true" if sample.quoted else "false"
        params["columnsOrdered"] = "true"
        if sample.header:
            params["skip.header.line.count"] = "1"
    if sample.classification == "avro" and sample.avro_schema:
        params["avro.schema.literal"] = sample.avro_schema
    return params


def _keys(table: Table) -> list[str]:
    return [k.name for k in table.partition_keys]


def _stats(table: Table) -> dict[str, str | None]:
    return {k: table.parameters.get(k) for k in _STATS}


def _differences(current: Table, new: Table) -> list[str]:
    """Human-readable schema/format differences (data volume alone is not one)."""
    changes = []
    old_cols = {c.name: c.type for c in current.columns}
    new_cols = {c.name: c.type for c in new.columns}
    added = [n for n in new_cols if n not in old_cols]
    removed = [n for n in old_cols if n not in new_cols]
    retyped = [f"{n} {old_cols[n]} -> {new_cols[n]}" for n in new_cols if n in old_cols and old_cols[n] != new_cols[n]]
    if added:
        changes.append("added columns " + ", ".join(added))
    if removed:
        changes.append("removed columns " + ", ".join(removed))
    if retyped:
        changes.append("changed " + ", ".join(retyped))
    if not (added or removed or retyped) and list(old_cols) != list(new_cols):
        changes.append("column order changed")
    if [(k.name, k.type) for k in current.partition_keys] != [(k.name, k.type) for k in new.partition_keys]:
        changes.append("partition keys (" + ", ".join(k.name for k in current.partition_keys) + ") -> ("
                       + ", ".join(k.name for k in new.partition_keys) + ")")
    a, b = current.storage_descriptor, new.storage_descriptor
    if (a.input_format, a.output_format, a.serde_info.serialization_library) != \
            (b.input_format, b.output_format, b.serde_info.serialization_library):
        changes.append(f"format {current.parameters.get('classification')} -> {new.parameters.get('classification')}")
    elif a.serde_info.parameters != b.serde_info.parameters:
        changes.append("SerDe parameters changed")
    for key in ("classification", "compressionType", "delimiter", "skip.header.line.count"):
        if current.parameters.get(key) != new.parameters.get(key) and key != "classification":
            changes.append(f"{key} {current.parameters.get(key)} -> {new.parameters.get(key)}")
    if _norm_loc(a.location) != _norm_loc(b.location):
        changes.append("location changed")
    return changes


def _partition_changed(old: Partition, new: Partition) -> bool:
    a, b = old.storage_descriptor, new.storage_descriptor
    return ([(c.name, c.type) for c in a.columns] != [(c.name, c.type) for c in b.columns]
            or (a.input_format, a.serde_info.serialization_library, a.serde_info.parameters)
            != (b.input_format, b.serde_info.serialization_library, b.serde_info.parameters)
            or _norm_loc(a.location) != _norm_loc(b.location)
            or {k: old.parameters.get(k) for k in _STATS} != {k: new.parameters.get(k) for k in _STATS})


# ==================================================================================== paths


def _norm(path: str) -> str:
    return path.rstrip("/") if path.startswith("s3://") else os.path.normpath(path)


def _norm_loc(location: str | None) -> str:
    return (location or "").rstrip("/")


def _under(path: str, root: str) -> bool:
    path, root = _norm(path), _norm(root)
    if path == root:
        return True
    sep = "/" if root.startswith("s3://") else os.sep
    return path.startswith(root.rstrip(sep) + sep)


def _relative(path: str, root: str) -> list[str]:
    sep = "/" if root.startswith("s3://") else os.sep
    rest = _norm(path)[len(_norm(root)) :].strip(sep)
    return rest.split(sep) if rest else []


def _join(root: str, parts: Iterable[str]) -> str:
    parts = list(parts)
    if not parts:
        return root
    if root.startswith("s3://"):
        return root.rstrip("/") + "/" + "/".join(parts)
    return os.path.join(root, *parts)


def _basename(resolved: str) -> str:
    if resolved.startswith("s3://"):
        return resolved[len("s3://") :].rstrip("/").split("/")[-1]
    return os.path.basename(os.path.normpath(resolved)) or "root"


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


# ==================================================================================== the facade


class Crawlers:
    """Glue's crawler API (boto3's names and shapes) over a lakebox catalog and storage.

    ``create_crawler(Name=..., DatabaseName=..., Targets={'S3Targets': [{'Path': ...}]})``,
    ``start_crawler(Name=...)`` (runs to completion before returning), ``get_crawler``,
    ``get_crawlers``, ``update_crawler``, ``delete_crawler``, ``get_crawler_metrics``,
    ``list_crawlers``, ``list_crawls``; plus ``run`` and ``crawl`` for Python callers that want
    the run's result back.
    """

    _running: set[str] = set()
    _running_lock = threading.Lock()

    def __init__(self, catalog: Any, storage: Storage):
        self.catalog = catalog
        self.storage = storage

    # -- definitions

    def create_crawler(self, *, Name: str, DatabaseName: str, Targets: dict[str, Any], Role: str | None = None,
                       Description: str | None = None, Schedule: str | None = None,
                       Classifiers: list[str] | None = None, TablePrefix: str | None = None,
                       SchemaChangePolicy: dict[str, str] | None = None, RecrawlPolicy: dict[str, str] | None = None,
                       LineageConfiguration: dict | None = None, LakeFormationConfiguration: dict | None = None,
                       Configuration: str | dict | None = None, CrawlerSecurityConfiguration: str | None = None,
                       Tags: dict[str, str] | None = None) -> dict[str, Any]:
        definition = normalize_definition({
            "Name": Name, "Role": Role, "DatabaseName": DatabaseName, "Description": Description,
            "Targets": Targets, "Schedule": Schedule, "Classifiers": Classifiers, "TablePrefix": TablePrefix,
            "SchemaChangePolicy": SchemaChangePolicy, "RecrawlPolicy": RecrawlPolicy,
            "LineageConfiguration": LineageConfiguration, "LakeFormationConfiguration": LakeFormationConfiguration,
            "Configuration": Configuration, "CrawlerSecurityConfiguration": CrawlerSecurityConfiguration,
            "Tags": Tags,
        })
        stamp = now().isoformat()
        definition.update({"State": "READY", "CreationTime": stamp, "LastUpdated": stamp, "Version": 1,
                           "CrawlElapsedTime": 0, "LastCrawl": None, "Runs": []})
        with self.catalog.transaction():
            if any(c["name"] == Name.lower() for c in self.catalog.get_crawlers()):
                raise errors.AlreadyExists(f"Crawler '{Name.lower()}' already exists")
            self.catalog.put_crawler(Name, definition)
        return {}

    def update_crawler(self, *, Name: str, **changes: Any) -> dict[str, Any]:
        allowed = {"Role", "DatabaseName", "Description", "Targets", "Schedule", "Classifiers", "TablePrefix",
                   "SchemaChangePolicy", "RecrawlPolicy", "LineageConfiguration", "LakeFormationConfiguration",
                   "Configuration", "CrawlerSecurityConfiguration"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise errors.ProgrammingError(f"update_crawler got unknown fields: {', '.join(unknown)}")
        with self.catalog.transaction():
            stored = self.catalog.get_crawler(Name)
            self._check_idle(stored)
            definition = {**stored, **{k: v for k, v in changes.items() if v is not None}}
            definition = normalize_definition(definition)
            definition["LastUpdated"] = now().isoformat()
            definition["Version"] = int(stored.get("Version") or 1) + 1
            self.catalog.put_crawler(Name, definition)
        return {}

    def get_crawler(self, *, Name: str) -> dict[str, Any]:
        return {"Crawler": _public(self.catalog.get_crawler(Name))}

    def get_crawlers(self, *, MaxResults: int | None = None, NextToken: str | None = None) -> dict[str, Any]:
        crawlers = [_public(c) for c in self.catalog.get_crawlers()]
        return {"Crawlers": crawlers[:MaxResults] if MaxResults else crawlers}

    def list_crawlers(self, *, MaxResults: int | None = None, NextToken: str | None = None,
                      Tags: dict | None = None) -> dict[str, Any]:
        names = [c["Name"] for c in self.catalog.get_crawlers()]
        return {"CrawlerNames": names[:MaxResults] if MaxResults else names}

    def delete_crawler(self, *, Name: str) -> dict[str, Any]:
        """Remove the definition; the tables it made stay, as in Glue."""
        with self.catalog.transaction():
            self._check_idle(self.catalog.get_crawler(Name))
            self.catalog.delete_crawler(Name)
        return {}

    # -- runs

    def start_crawler(self, *, Name: str) -> dict[str, Any]:
        """Run the crawler now. Unlike Glue's, the call returns when the run has finished;
        a failed run raises (and is recorded in LastCrawl)."""
        self.run(Name)
        return {}

    def stop_crawler(self, *, Name: str) -> dict[str, Any]:
        self.catalog.get_crawler(Name)
        raise CrawlerNotRunning(f"Crawler '{Name.lower()}' is not running")

    def run(self, name: str, progress: Progress | None = None) -> CrawlResult:
        """Run a crawler and return what it did; a failure is recorded, then raised."""
        key = name.lower()
        definition = self.catalog.get_crawler(name)
        with Crawlers._running_lock:
            if (self.catalog.path, key) in Crawlers._running:
                raise CrawlerRunning(f"Crawler '{key}' is already running")
            Crawlers._running.add((self.catalog.path, key))
        try:
            self._set_state(key, "RUNNING")
            settings = settings_of(definition)
            run = Run(self.catalog, self.storage, settings, progress)
            started = time.perf_counter()
            try:
                result = run.execute()
            except BaseException as exc:
                run.result.status = "FAILED"
                run.result.error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                run.result.duration = time.perf_counter() - started
                self._record(key, run.result)
                if isinstance(exc, errors.Error) or not isinstance(exc, Exception):
                    raise
                raise errors.OperationalError(f"crawler '{key}' failed: {type(exc).__name__}: {exc}") from exc
            self._record(key, result)
            return result
        finally:
            with Crawlers._running_lock:
                Crawlers._running.discard((self.catalog.path, key))

    def crawl(self, path: str | Sequence[str], database: str, *, name: str | None = None,
              exclusions: Sequence[str] = (), table_level: int | None = None, sample_size: int | None = None,
              combine_compatible_schemas: bool = False, table_prefix: str | None = None,
              update_behavior: str | None = None, delete_behavior: str | None = None,
              recrawl_behavior: str | None = None, progress: Progress | None = None) -> CrawlResult:
        """Create (or update) a crawler over ``path`` and run it: one call from files to tables.

        Without ``name`` the crawler is named after the path and database, so crawling the
        same path again is a re-crawl of the same crawler.
        """
        paths = [path] if isinstance(path, str) else list(path)
        if not paths:
            raise errors.ProgrammingError("crawl needs a path")
        name = name or default_name(paths[0], database)
        grouping: dict[str, Any] = {}
        if combine_compatible_schemas:
            grouping["TableGroupingPolicy"] = "CombineCompatibleSchemas"
        if table_level is not None:
            grouping["TableLevelConfiguration"] = table_level
        target_list = [{"Path": p, "Exclusions": list(exclusions), **({"SampleSize": sample_size} if sample_size
                                                                        else {})} for p in paths]
        fields: dict[str, Any] = {
            "DatabaseName": database,
            "Targets": {"S3Targets": target_list},
            "Configuration": json.dumps({"Version": 1.0, "Grouping": grouping}) if grouping else None,
            "TablePrefix": table_prefix,
        }
        policy = {k: v for k, v in (("UpdateBehavior", update_behavior), ("DeleteBehavior", delete_behavior)) if v}
        if recrawl_behavior == CRAWL_NEW_FOLDERS_ONLY:
            policy = {"UpdateBehavior": LOG, "DeleteBehavior": LOG, **policy}
        if policy:
            fields["SchemaChangePolicy"] = policy
        if recrawl_behavior:
            fields["RecrawlPolicy"] = {"RecrawlBehavior": recrawl_behavior}
        exists = any(c["name"] == name.lower() for c in self.catalog.get_crawlers())
        if exists:
            stored = self.catalog.get_crawler(name)
            fields["Configuration"] = fields["Configuration"] or None
            if not grouping:
                stored = {**stored, "Configuration": None}
            if "SchemaChangePolicy" not in fields:
                fields["SchemaChangePolicy"] = {"UpdateBehavior": UPDATE_IN_DATABASE,
                                                "DeleteBehavior": DEPRECATE_IN_DATABASE}
            if "RecrawlPolicy" not in fields:
                fields["RecrawlPolicy"] = {"RecrawlBehavior": CRAWL_EVERYTHING}
            definition = normalize_definition({**stored, **{k: v for k, v in fields.items() if v is not None},
                                               "Configuration": fields["Configuration"]})
            definition["LastUpdated"] = now().isoformat()
            self.catalog.put_crawler(name, definition)
        else:
            self.create_crawler(Name=name, **{k: v for k, v in fields.items() if v is not None})
        return self.run(name, progress)

    def get_crawler_metrics(self, *, CrawlerNameList: Sequence[str] | None = None, MaxResults: int | None = None,
                            NextToken: str | None = None) -> dict[str, Any]:
        """Glue's CrawlerMetrics per crawler (its last run), plus lakebox's detail of that run
        under ``LastRun``."""
        if CrawlerNameList:
            definitions = [self.catalog.get_crawler(n) for n in CrawlerNameList]
        else:
            definitions = self.catalog.get_crawlers()
        metrics = []
        for d in definitions:
            runs = d.get("Runs") or []
            last = runs[-1] if runs else None
            durations = [r["DurationSeconds"] for r in runs]
            metrics.append({
                "CrawlerName": d["Name"],
                "TimeLeftSeconds": 0.0,
                "StillEstimating": False,
                "LastRuntimeSeconds": last["DurationSeconds"] if last else 0.0,
                "MedianRuntimeSeconds": statistics.median(durations) if durations else 0.0,
                "TablesCreated": len(last["TablesCreated"]) if last else 0,
                "TablesUpdated": len(last["TablesUpdated"]) if last else 0,
                "TablesDeleted": len(last["TablesDeleted"]) if last else 0,
                "LastRun": last,
            })
        return {"CrawlerMetricsList": metrics[:MaxResults] if MaxResults else metrics}

    def list_crawls(self, *, CrawlerName: str, MaxResults: int | None = None, Filters: Any = None,
                    NextToken: str | None = None) -> dict[str, Any]:
        """Past runs, newest first, in the shape of Glue's ListCrawls."""
        runs = list(reversed(self.catalog.get_crawler(CrawlerName).get("Runs") or []))
        crawls = [{
            "CrawlId": r.get("CrawlId"), "State": "COMPLETED" if r["Status"] == "SUCCEEDED" else "FAILED",
            "StartTime": datetime.fromisoformat(r["StartTime"]), "DPUHour": 0.0,
            "EndTime": datetime.fromisoformat(r["EndTime"]) if r.get("EndTime") else None,
            "Summary": json.dumps({k: r[k] for k in ("TablesCreated", "TablesUpdated", "TablesDeleted",
                                                      "PartitionsAdded")}),
            "ErrorMessage": r.get("ErrorMessage"),
        } for r in runs]
        return {"Crawls": crawls[:MaxResults] if MaxResults else crawls}

    # -- bookkeeping

    def _check_idle(self, stored: dict[str, Any]) -> None:
        with Crawlers._running_lock:
            if (self.catalog.path, stored["name"]) in Crawlers._running:
                raise CrawlerRunning(f"Crawler '{stored['name']}' is running")

    def _set_state(self, key: str, state: str) -> None:
        with self.catalog.transaction():
            definition = self.catalog.get_crawler(key)
            definition["State"] = state
            self.catalog.put_crawler(key, definition)

    def _record(self, key: str, result: CrawlResult) -> None:
        with self.catalog.transaction():
            definition = self.catalog.get_crawler(key)
            run = result.to_dict()
            run["EndTime"] = now().isoformat()
            run["CrawlId"] = f"{key}-{len(definition.get('Runs') or []) + 1}-{int(time.time() * 1000)}"
            definition["Runs"] = ((definition.get("Runs") or []) + [run])[-RUN_HISTORY:]
            definition["State"] = "READY"
            definition["CrawlElapsedTime"] = 0
            definition["LastCrawl"] = {
                "Status": result.status, "ErrorMessage": result.error, "LogGroup": None, "LogStream": None,
                "MessagePrefix": run["CrawlId"], "StartTime": result.start_time.isoformat(),
            }
            self.catalog.put_crawler(key, definition)


def default_name(path: str, database: str) -> str:
    base = _basename(path.rstrip("/")) or "root"
    return f"{layout.sanitize(database)}-{layout.sanitize(base)}-{layout.location_hash(path.rstrip('/'))[:6]}"


def _public(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as Glue's GetCrawler returns it (datetimes as datetimes)."""
    d = {k: copy.deepcopy(v) for k, v in stored.items() if k not in ("name", "Runs")}
    for key in ("CreationTime", "LastUpdated"):
        if d.get(key):
            d[key] = datetime.fromisoformat(d[key])
    if d.get("LastCrawl") and d["LastCrawl"].get("StartTime"):
        d["LastCrawl"]["StartTime"] = datetime.fromisoformat(d["LastCrawl"]["StartTime"])
    return {k: v for k, v in d.items() if v is not None}
