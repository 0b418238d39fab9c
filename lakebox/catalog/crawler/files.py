"""What a crawler sees of storage: one listing per target, exclusion globs, ranged reads.

Listing happens once per target (``os.scandir`` locally, one paginated ``find`` on S3) and
yields every data file with its size, so that nothing is asked of storage twice. Reads are
byte ranges: a Parquet footer is the last few KB, a text sample the first MB.
"""

from __future__ import annotations

import os
import posixpath
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lakebox.connectors.storage import Storage, is_hidden
from lakebox.errors import OperationalError, ProgrammingError

try:  # botocore comes with s3fs; its errors are not OSErrors
    from botocore.exceptions import BotoCoreError, ClientError

    IO_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover
    IO_ERRORS = (OSError,)


@dataclass
class FileInfo:
    """One data file found under a crawl target."""

    path: str  # resolved: an absolute local path, or s3://bucket/key for real S3
    rel: tuple[str, ...]  # path components below the target (the file name alone for a file target)
    size: int
    sample: Any = None  # classifiers.Sample once read
    skipped: str | None = None  # why the file was left out, when it was
    read: bool = False  # whether the crawler opened it (False: sampled out or already known)

    @property
    def folder(self) -> tuple[str, ...]:
        return self.rel[:-1]


@dataclass
class Listing:
    target: str  # as the user wrote it
    root: str  # resolved path of the target
    is_file: bool
    exists: bool
    files: list[FileInfo] = field(default_factory=list)
    excluded: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # folders that could not be listed


# ------------------------------------------------------------------------------------ globs


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Glue's exclude glob as a regex over a '/'-separated path relative to the include path:
    ``*`` matches within one path component, ``**`` across components, ``?`` one character,
    ``[...]`` a class (``[!...]`` negated), ``{a,b}`` alternatives (which may nest)."""
    return re.compile(_translate(pattern.strip().lstrip("/")) + r"\Z", re.DOTALL)


def _translate(pattern: str) -> str:
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):  # '**/' also matches no folder at all
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith(("[!", "[^"), i) else i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif c == "{":
            end, alternatives = _braces(pattern, i)
            if end < 0:
                out.append(re.escape(c))
            else:
                out.append("(?:" + "|".join(_translate(a) for a in alternatives) + ")")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _braces(pattern: str, start: int) -> tuple[int, list[str]]:
    """The index of the '}' closing the '{' at ``start`` and the top-level alternatives."""
    depth, current, parts = 0, [], []
    for i in range(start + 1, len(pattern)):
        c = pattern[i]
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                parts.append("".join(current))
                return i, parts
            depth -= 1
        elif c == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(c)
    return -1, []


class Exclusions:
    """Exclude globs; a file is excluded when its path or one of its folders matches."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = [p for p in (s.strip() for s in patterns) if p]
        self._regexes = [glob_regex(p) for p in self.patterns]
        self._folders: dict[tuple[str, ...], bool] = {}

    def __bool__(self) -> bool:
        return bool(self._regexes)

    def excludes(self, rel: Sequence[str]) -> bool:
        if not self._regexes:
            return False
        if self._matches("/".join(rel)):
            return True
        for depth in range(1, len(rel)):
            folder = tuple(rel[:depth])
            hit = self._folders.get(folder)
            if hit is None:
                hit = self._folders[folder] = self._matches("/".join(folder)) or self._matches("/".join(folder) + "/")
            if hit:
                return True
        return False

    def _matches(self, text: str) -> bool:
        return any(r.match(text) for r in self._regexes)


# ------------------------------------------------------------------------------------ listing


def list_target(storage: Storage, target: str, exclusions: Exclusions) -> Listing:
    """Every data file under ``target`` (hidden and marker files, and those under hidden
    folders, left out as Athena does), minus the excluded ones. One listing, no reads."""
    root = storage.resolve(target)
    try:
        if root.startswith("s3://"):
            listing = _list_s3(storage, target, root)
        else:
            listing = _list_local(target, root)
    except IO_ERRORS as exc:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise OperationalError(f"cannot list {target}: {detail}") from exc
    if exclusions:
        kept = [f for f in listing.files if not exclusions.excludes(f.rel)]
        listing.excluded = len(listing.files) - len(kept)
        listing.files = kept
    return listing


def _list_local(target: str, root: str) -> Listing:
    if os.path.isfile(root):
        return Listing(target, root, True, True, [FileInfo(root, (os.path.basename(root),), os.path.getsize(root))])
    if not os.path.isdir(root):
        return Listing(target, root, False, False)
    files: list[FileInfo] = []
    unreadable: list[tuple[str, str]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if is_hidden(entry.name):
                        continue
                    if entry.is_dir():
                        stack.append((entry.path, rel + (entry.name,)))
                    elif entry.is_file():
                        files.append(FileInfo(entry.path, rel + (entry.name,), entry.stat().st_size))
        except OSError as exc:
            if not rel:
                raise  # the target itself: the crawl cannot go on
            unreadable.append((folder, f"unreadable folder: {exc.strerror or exc}"))
    files.sort(key=lambda f: f.rel)
    return Listing(target, root, False, True, files, unreadable=unreadable)


def _list_s3(storage: Storage, target: str, root: str) -> Listing:
    fs = storage.s3fs
    path = root[len("s3://") :].rstrip("/")
    bucket, _, key = path.partition("/")
    if key:
        try:
            info = fs.info(path)
        except FileNotFoundError:
            return Listing(target, root, False, False)
        if info.get("type") != "directory":
            name = posixpath.basename(path)
            return Listing(target, root, True, True, [FileInfo("s3://" + path, (name,), int(info.get("size") or 0))])
    found = fs.find(path, withdirs=False, detail=True)
    prefix = path + "/"
    files = []
    for name, meta in found.items():
        if meta.get("type", "file") != "file" or name.endswith("/") or not name.startswith(prefix):
            continue
        rel = tuple(name[len(prefix) :].split("/"))
        if any(is_hidden(part) for part in rel):
            continue
        files.append(FileInfo("s3://" + name, rel, int(meta.get("size") or 0)))
    files.sort(key=lambda f: f.rel)
    return Listing(target, root, False, True, files)


def child(root: str, rel: Sequence[str]) -> str:
    """The resolved path of ``rel`` below the resolved ``root``."""
    if not rel:
        return root
    if root.startswith("s3://"):
        return root.rstrip("/") + "/" + "/".join(rel)
    return os.path.join(root, *rel)


def absolute_level(resolved: str) -> int:
    """Glue's absolute folder level of a location: 1 for the bucket (or the first folder
    below the filesystem root), 2 for the folder below it, and so on."""
    if resolved.startswith("s3://"):
        return len([p for p in resolved[len("s3://") :].split("/") if p])
    return len([p for p in resolved.split(os.sep) if p])


# ------------------------------------------------------------------------------------ reading


class Reader:
    """Ranged reads of resolved paths: builtin files locally, s3fs ranges on S3."""

    def __init__(self, storage: Storage):
        self.storage = storage
        #: Seconds spent waiting for local reads (approximate under threads): tells the crawler
        #: whether storage or parsing is the bottleneck.
        self.io_seconds = 0.0

    def remote(self, path: str) -> bool:
        return path.startswith("s3://")

    def read(self, path: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` (exclusive) of the file."""
        if end <= start:
            return b""
        if self.remote(path):
            return self.storage.s3fs.cat_file(path, start=start, end=end)
        started = time.perf_counter()
        try:
            with open(path, "rb", buffering=0) as f:
                if start:
                    f.seek(start)
                chunks = []
                wanted = end - start
                while wanted > 0:
                    chunk = f.read(wanted)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    wanted -= len(chunk)
                return b"".join(chunks)
        finally:
            self.io_seconds += time.perf_counter() - started

    def open(self, path: str) -> Any:
        """A seekable binary file object (for readers that need one, such as ORC)."""
        if self.remote(path):
            return self.storage.s3fs.open(path, "rb", block_size=1 << 20, cache_type="bytes")
        return open(path, "rb")


def check_target(target: str) -> str:
    target = (target or "").strip()
    if not target:
        raise ProgrammingError("a crawler target needs a path or an s3:// URI")
    return target
