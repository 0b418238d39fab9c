"""Where table data lives: local paths, ``file://`` URIs and ``s3://`` locations.

``s3://bucket/key`` maps to the workspace folder ``<home>/s3/bucket/key`` unless real S3 is
configured (``LAKEBOX_S3=real``, or ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` set), in
which case it goes through s3fs to AWS or that endpoint. ``LAKEBOX_S3=local`` forces the
stand-in folder even when an endpoint variable is set.

Every method accepts a location in any of the accepted forms, including the strings
``resolve()`` returns, so callers can pass resolved paths straight back in.
"""

from __future__ import annotations

import os
import pathlib
import posixpath
import tempfile
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from lakebox.errors import NotSupportedError, OperationalError, ProgrammingError

_S3_SCHEMES = ("s3", "s3a", "s3n")

# Exceptions that mean "the storage could not do it" rather than "lakebox has a bug".
_IO_ERRORS: tuple[type[BaseException], ...] = (OSError,)
try:  # botocore comes with s3fs; its credential/endpoint errors are not OSErrors.
    from botocore.exceptions import BotoCoreError, ClientError

    _IO_ERRORS = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - s3fs is a hard dependency
    pass


def is_hidden(name: str) -> bool:
    """Hive/Spark/Athena skip these: ``_SUCCESS``, ``_temporary/``, ``.crc``, ``x_$folder$``."""
    return name.startswith(("_", ".")) or name.endswith("$folder$")


@dataclass(frozen=True)
class _Target:
    """A location split into the filesystem that holds it and the path on that filesystem."""

    remote: bool  # True: real S3 through s3fs; False: the local filesystem
    path: str  # absolute local path, or 'bucket/key' for S3


class Storage:
    """Local, stand-in and real S3 storage behind one small interface."""

    def __init__(self, home: pathlib.Path, env: Mapping[str, str] | None = None):
        self.home = pathlib.Path(os.path.abspath(home))
        self.env = dict(os.environ if env is None else env)
        mode = self.env.get("LAKEBOX_S3", "").strip().lower()
        endpoint = self.env.get("AWS_ENDPOINT_URL_S3") or self.env.get("AWS_ENDPOINT_URL")
        self.real_s3 = mode == "real" or (mode != "local" and bool(endpoint))
        self.endpoint_url = endpoint or None
        self._s3: Any = None  # s3fs.S3FileSystem, created on first use (import is slow)
        self._local: Any = None

    # -- filesystems -------------------------------------------------------------------

    @property
    def s3fs(self) -> Any:
        """The s3fs filesystem for real-S3 mode (created lazily)."""
        if self._s3 is None:
            import s3fs

            env = self.env
            region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
            self._s3 = s3fs.S3FileSystem(
                endpoint_url=self.endpoint_url,
                key=env.get("AWS_ACCESS_KEY_ID") or None,
                secret=env.get("AWS_SECRET_ACCESS_KEY") or None,
                token=env.get("AWS_SESSION_TOKEN") or None,
                profile=env.get("AWS_PROFILE") or None,
                # us-east-1 is botocore's default for S3 anyway, and s3fs's mkdir would turn
                # an explicit one into a LocationConstraint that S3 rejects.
                client_kwargs={"region_name": region} if region and region != "us-east-1" else None,
                # Partitions appear while a session runs (INSERT, other writers):
                # a cached listing would hide them.
                use_listings_cache=False,
                skip_instance_cache=True,
            )
        return self._s3

    def _fs(self, target: _Target) -> Any:
        if target.remote:
            return self.s3fs
        if self._local is None:
            from fsspec.implementations.local import LocalFileSystem

            # auto_mkdir gives local writes S3's semantics: no parent folders needed.
            self._local = LocalFileSystem(auto_mkdir=True)
        return self._local

    # -- locations ---------------------------------------------------------------------

    def _target(self, location: str | os.PathLike[str]) -> _Target:
        loc = os.fspath(location)
        scheme, sep, rest = loc.partition("://")
        if not sep:
            if loc.startswith("file:/"):  # Hadoop's 'file:/abs/path' spelling
                return _Target(False, _local_path(loc[len("file:") :]))
            if not os.path.isabs(loc):
                raise ProgrammingError(f"location must be absolute or a URI: {loc!r}")
            return _Target(False, _local_path(loc))
        scheme = scheme.lower()
        if scheme == "file":
            parsed = urllib.parse.urlsplit(loc)
            if parsed.netloc not in ("", "localhost"):
                raise NotSupportedError(f"file URI with a host is not supported: {loc!r}")
            return _Target(False, _local_path(urllib.parse.unquote(parsed.path)))
        if scheme not in _S3_SCHEMES:
            raise NotSupportedError(f"unsupported location scheme {scheme!r}: {loc!r}")
        bucket, _, key = rest.partition("/")
        key = key.strip("/")
        if not bucket:
            raise ProgrammingError(f"S3 location has no bucket: {loc!r}")
        if self.real_s3:
            return _Target(True, f"{bucket}/{key}" if key else bucket)
        if bucket in (".", "..") or ".." in key.split("/"):
            raise ProgrammingError(f"S3 location escapes its bucket: {loc!r}")
        return _Target(False, _local_path(posixpath.join(str(self.home / "s3"), bucket, key)))

    def _name(self, target: _Target) -> str:
        return f"s3://{target.path}" if target.remote else target.path

    def resolve(self, location: str) -> str:
        """The path DuckDB reads: a local absolute path, or ``s3://bucket/key`` for real S3."""
        return self._name(self._target(location))

    def to_uri(self, path: str) -> str:
        """Back from a resolved path to the user's view: stand-in paths become ``s3://``."""
        target = self._target(path)
        if target.remote:
            return self._name(target)
        s3_root = str(self.home / "s3") + os.sep
        if target.path.startswith(s3_root):
            return "s3://" + target.path[len(s3_root) :].replace(os.sep, "/")
        return target.path

    @staticmethod
    def join(location: str, *parts: str) -> str:
        """A child location in the same scheme: ``join('s3://b/t', 'dt=1')`` -> ``s3://b/t/dt=1``."""
        pieces = [p.strip("/") for p in parts if p.strip("/")]
        base = location.rstrip("/")
        if not base or base.endswith(":"):  # the root: '/' or 'file:///'
            return location + "/".join(pieces)
        return "/".join([base, *pieces])

    # -- reading -----------------------------------------------------------------------

    def list_files(self, location: str) -> list[str]:
        """Data files under a folder (recursively), or the location itself if it is a file.

        Resolved and sorted. Hidden and marker files (``_*``, ``.*``, ``*$folder$``, keys
        ending in ``/``) are skipped, also below hidden folders. A missing location is empty,
        as in Athena.
        """
        target = self._target(location)
        fs = self._fs(target)
        with _io_errors("list", location):
            try:
                info = fs.info(target.path)
            except FileNotFoundError:
                return []
            if info.get("type") != "directory":
                return [self._name(target)]
            found = fs.find(target.path, withdirs=False, detail=True)
        root = target.path.rstrip("/") + "/"
        files = []
        for path, meta in found.items():
            if meta.get("type", "file") != "file" or path.endswith("/") or not path.startswith(root):
                continue
            if any(is_hidden(part) for part in path[len(root) :].split("/")):
                continue
            files.append(self._name(_Target(target.remote, path)))
        return sorted(files)

    def list_dirs(self, location: str) -> list[str]:
        """Names (not paths) of the immediate, non-hidden sub-folders, sorted."""
        target = self._target(location)
        fs = self._fs(target)
        with _io_errors("list", location):
            try:
                entries = fs.ls(target.path, detail=True)
            except (FileNotFoundError, NotADirectoryError):
                return []
        names = {posixpath.basename(e["name"].rstrip("/")) for e in entries if e.get("type") == "directory"}
        return sorted(n for n in names if n and not is_hidden(n))

    def exists(self, location: str) -> bool:
        target = self._target(location)
        with _io_errors("check", location):
            return bool(self._fs(target).exists(target.path))

    def is_dir(self, location: str) -> bool:
        target = self._target(location)
        with _io_errors("check", location):
            return bool(self._fs(target).isdir(target.path))

    def size(self, path: str) -> int:
        target = self._target(path)
        with _io_errors("stat", path):
            return int(self._fs(target).size(target.path))

    def open(self, path: str, mode: str = "rb") -> IO[Any]:
        target = self._target(path)
        with _io_errors("open", path):
            return self._fs(target).open(target.path, mode)

    # -- writing -----------------------------------------------------------------------

    def makedirs(self, location: str) -> None:
        """Create a folder. S3 has no folders, so in real-S3 mode this does nothing."""
        target = self._target(location)
        if target.remote:
            return
        with _io_errors("create", location):
            os.makedirs(target.path, exist_ok=True)

    def write_bytes(self, location: str, data: bytes) -> None:
        """Write a whole object; locally via a hidden temp file and rename, so never half-written."""
        target = self._target(location)
        with _io_errors("write", location):
            if target.remote:
                self.s3fs.pipe_file(target.path, data)
                return
            folder = os.path.dirname(target.path)
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".lakebox-", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, target.path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise

    def rm(self, location: str, recursive: bool = True) -> None:
        """Delete a file or folder. Deleting something missing is not an error (as on S3)."""
        target = self._target(location)
        fs = self._fs(target)
        with _io_errors("delete", location):
            if not fs.exists(target.path):
                return
            fs.rm(target.path, recursive=recursive)

    # -- DuckDB ------------------------------------------------------------------------

    def register(self, con: Any) -> None:
        """Let DuckDB read ``s3://`` paths in real-S3 mode, through s3fs (no httpfs needed).

        DuckDB routes every path whose prefix matches a registered fsspec protocol to that
        filesystem, so no extension is installed or loaded. Local mode needs nothing.
        """
        if not self.real_s3:
            return
        if "s3" in con.list_filesystems():
            con.unregister_filesystem("s3")  # another Storage's credentials or endpoint
        con.register_filesystem(self.s3fs)


def _local_path(path: str) -> str:
    """Normalise a local absolute path (no trailing slash, no '..')."""
    if not os.path.isabs(path):
        raise ProgrammingError(f"location must be absolute or a URI: {path!r}")
    return os.path.normpath(path)


@contextmanager
def _io_errors(verb: str, location: str) -> Iterator[None]:
    """Turn storage failures into OperationalError naming the location."""
    try:
        yield
    except _IO_ERRORS as exc:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise OperationalError(f"cannot {verb} {location}: {detail}") from exc
