"""Generated lakes for crawler tests: the same builder writes to a local folder or to S3
(moto's server through s3fs), so every scenario can run on both."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

import lakebox


class Lake:
    """Writes files below ``root`` (a local folder or ``s3://bucket/prefix``)."""

    def __init__(self, root: str, fs: Any = None):
        self.root = root.rstrip("/")
        self.fs = fs  # s3fs for S3, None for local

    def uri(self, rel: str = "") -> str:
        return f"{self.root}/{rel}".rstrip("/") if rel else self.root

    def write(self, rel: str, data: bytes) -> str:
        path = self.uri(rel)
        if self.fs is not None:
            self.fs.pipe_file(path, data)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        return path

    def remove(self, rel: str) -> None:
        path = self.uri(rel)
        if self.fs is not None:
            self.fs.rm(path, recursive=True)
        else:
            import shutil

            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)

    def text(self, rel: str, text: str, compress: bool = False) -> str:
        data = text.encode("utf-8")
        return self.write(rel, gzip.compress(data) if compress else data)

    def parquet(self, rel: str, columns: dict[str, Any] | pa.Table) -> str:
        table = columns if isinstance(columns, pa.Table) else pa.table(columns)
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return self.write(rel, sink.getvalue())

    def orc(self, rel: str, columns: dict[str, Any]) -> str:
        sink = io.BytesIO()
        orc.write_table(pa.table(columns), sink)
        return self.write(rel, sink.getvalue())

    def json_lines(self, rel: str, rows: list[dict[str, Any]], compress: bool = False) -> str:
        return self.text(rel, "".join(json.dumps(r) + "\n" for r in rows), compress)

    def avro(self, rel: str, schema: dict[str, Any], records: list[dict[str, Any]]) -> str:
        return self.write(rel, avro_bytes(schema, records))


# ----------------------------------------------------------------- a minimal Avro writer


def _long(n: int) -> bytes:
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n & ~0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _bytes(b: bytes) -> bytes:
    return _long(len(b)) + b


def _value(schema: Any, value: Any) -> bytes:
    import struct

    if isinstance(schema, list):  # union
        for i, branch in enumerate(schema):
            if (branch == "null") == (value is None):
                return _long(i) + _value(branch, value)
        raise ValueError("no union branch")
    if isinstance(schema, dict):
        if schema["type"] == "record":
            return b"".join(_value(f["type"], value.get(f["name"])) for f in schema["fields"])
        if schema["type"] == "array":
            return (_long(len(value)) + b"".join(_value(schema["items"], v) for v in value) + _long(0)) if value \
                else _long(0)
        return _value(schema["type"], value)
    return {
        "null": lambda v: b"",
        "boolean": lambda v: b"\x01" if v else b"\x00",
        "int": _long,
        "long": _long,
        "double": lambda v: struct.pack("<d", v),
        "float": lambda v: struct.pack("<f", v),
        "string": lambda v: _bytes(v.encode("utf-8")),
        "bytes": _bytes,
    }[schema](value)


def avro_bytes(schema: dict[str, Any], records: list[dict[str, Any]]) -> bytes:
    sync = b"0123456789abcdef"
    meta = {"avro.schema": json.dumps(schema).encode(), "avro.codec": b"null"}
    header = b"Obj\x01" + _long(len(meta)) + b"".join(_bytes(k.encode()) + _bytes(v) for k, v in meta.items())
    header += _long(0) + sync
    block = b"".join(_value(schema, r) for r in records)
    return header + _long(len(records)) + _long(len(block)) + block + sync


# ----------------------------------------------------------------- fixtures


@pytest.fixture
def local_lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"))


@pytest.fixture
def s3_lake(moto_s3: str) -> Iterator[Lake]:
    import s3fs

    fs = s3fs.S3FileSystem(endpoint_url=moto_s3, key="testing", secret="testing", use_listings_cache=False,
                           skip_instance_cache=True)
    fs.mkdir("crawl-bucket")
    yield Lake("s3://crawl-bucket/lake", fs)


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest) -> Lake:
    """The same scenario on a local folder and on S3 (moto, via s3fs and AWS_ENDPOINT_URL)."""
    return request.getfixturevalue("local_lake" if request.param == "local" else "s3_lake")


@pytest.fixture
def conn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[lakebox.Connection]:
    # The S3 environment must be in place before the connection reads it.
    for name in ("lake", "s3_lake"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    connection = lakebox.connect(tmp_path / "home")
    yield connection
    connection.close()


def rows(conn: lakebox.Connection, sql: str) -> list[tuple]:
    return conn.cursor().execute(sql).fetchall()


def columns(conn: lakebox.Connection, database: str, table: str) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in conn.catalog.get_table(database, table).columns]


@pytest.fixture
def helpers():
    class H:
        rows = staticmethod(rows)
        columns = staticmethod(columns)

    return H
