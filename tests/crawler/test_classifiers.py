"""One file at a time: format, schema, compression, records, and what was read to learn them."""

from __future__ import annotations

import bz2
import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakebox.catalog.crawler import classifiers as cl
from lakebox.catalog.crawler import inference as inf
from lakebox.catalog.crawler.files import FileInfo, Reader
from lakebox.connectors.storage import Storage


class RecordingReader(Reader):
    """A Reader that remembers which byte ranges were asked for."""

    def __init__(self, home: Path):
        super().__init__(Storage(home, {}))
        self.ranges: list[tuple[int, int]] = []

    def read(self, path, start, end):
        self.ranges.append((start, end))
        return super().read(path, start, end)


@pytest.fixture
def reader(tmp_path):
    return RecordingReader(tmp_path / "home")


def sample(reader, tmp_path, name: str, data: bytes, footers=None) -> cl.Sample:
    path = tmp_path / name
    path.write_bytes(data)
    return cl.classify(reader, FileInfo(str(path), (name,), len(data)), footers)


def skip_reason(reader, tmp_path, name: str, data: bytes) -> str:
    with pytest.raises(cl.Skip) as info:
        sample(reader, tmp_path, name, data)
    return str(info.value)


def parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **kwargs)
    return sink.getvalue()


def test_parquet_is_read_from_its_footer_only(reader, tmp_path):
    n = 20_000
    table = pa.table({"id": pa.array(range(n), pa.int64()), "name": [f"name-{i}" for i in range(n)],
                      "nested": pa.array([{"a": i, "b": [str(i)]} for i in range(n)])})
    data = parquet_bytes(table, compression="none")
    assert len(data) > 2 * cl.TAIL_BYTES
    s = sample(reader, tmp_path, "big.parquet", data)
    assert s.classification == "parquet" and s.records == n
    assert inf.render_schema(s.columns) == [("id", "bigint"), ("name", "string"),
                                            ("nested", "struct<a:bigint,b:array<string>>")]
    assert reader.ranges == [(len(data) - cl.TAIL_BYTES, len(data))]  # one read of the last 64 KB


def test_parquet_without_extension_still_found(reader, tmp_path):
    data = parquet_bytes(pa.table({"x": [1.5]}))
    s = sample(reader, tmp_path, "part-00000", data)
    assert s.classification == "parquet" and inf.render_schema(s.columns) == [("x", "double")]


def test_footer_cache_matches_a_full_parse(reader, tmp_path):
    footers = cl.FooterCache()
    a = sample(reader, tmp_path, "a.parquet", parquet_bytes(pa.table({"id": [1, 2], "s": ["x", None]})), footers)
    b = sample(reader, tmp_path, "b.parquet", parquet_bytes(pa.table({"id": [3, 4, 5], "s": ["y", "z", "w"]})),
               footers)
    assert footers._schemas  # the first footer's schema bytes were remembered
    c = sample(reader, tmp_path, "c.parquet", parquet_bytes(pa.table({"id": [1.5], "s": ["q"]})), footers)
    assert (a.records, b.records, c.records) == (2, 3, 1)
    assert a.columns == b.columns == [("id", "bigint"), ("s", "string")]
    assert c.columns == [("id", "double"), ("s", "string")]  # a different schema is parsed, not guessed


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"PAR1" + b"\x00" * 20, "corrupt Parquet file"),
    (b"PAR1" + b"\x00" * 20 + (1000).to_bytes(4, "little") + b"PAR1", "corrupt Parquet file"),
    (b"PAR1" + b"\xff" * 20 + (20).to_bytes(4, "little") + b"PAR1", "corrupt Parquet file"),
    (b"PAR1" + b"\x00" * 20 + (8).to_bytes(4, "little") + b"PARE", "encrypted Parquet file"),
    (bytes(range(256)) * 8, "unknown format"),
    (b"just one column\nand another line\n", "unknown format"),
    (b"a,b\n", "unknown format"),  # one row
    (b"Obj\x01\x02garbage", "corrupt Avro file"),
    (b"ORC" + b"\x00" * 50, "corrupt ORC file"),
    (b'{"a": 1}\n{"a": 2\n{"a": 3}\n', "malformed JSON at line 2"),
    (b'[{"a": 1}, {"a": 2}]', "a JSON array document"),
    (b'{\n  "a": 1,\n  "b": 2\n}\n', "a multi-line JSON document"),
    (b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "zstd"),
])
def test_bad_files_are_skipped_with_a_reason(reader, tmp_path, data, reason):
    name = "f.parquet" if data.startswith(b"PAR1") else "f.dat"
    assert reason in skip_reason(reader, tmp_path, name, data)


def test_unreadable_file(reader, tmp_path):
    with pytest.raises(cl.Skip, match="unreadable"):
        cl.classify(reader, FileInfo(str(tmp_path / "missing.csv"), ("missing.csv",), 10))


@pytest.mark.parametrize("delimiter", cl.DELIMITERS)
def test_csv_delimiters(reader, tmp_path, delimiter):
    d = delimiter
    s = sample(reader, tmp_path, "t.txt", f"a{d}b{d}c\n1{d}x{d}true\n2{d}y{d}false\n".encode())
    assert s.classification == "csv" and s.delimiter == d and s.header and not s.quoted
    assert inf.render_schema(s.columns) == [("a", "bigint"), ("b", "string"), ("c", "boolean")]
    assert s.records == 2


def test_csv_prefers_the_delimiter_that_splits_most(reader, tmp_path):
    s = sample(reader, tmp_path, "t.txt", b"a|b,c|d\n1|2,3|4\n5|6,7|8\n")
    assert s.delimiter == "|" and len(s.columns) == 3


def test_inconsistent_rows_are_not_csv(reader, tmp_path):
    assert skip_reason(reader, tmp_path, "t.txt", b"a,b,c\n1,2\n3,4,5,6\n").startswith("unknown format")


def test_quoted_csv(reader, tmp_path):
    s = sample(reader, tmp_path, "q.csv", b'id,text\n1,"a, b"\n2,"multi\nline"\n3,plain\n')
    assert s.quoted and s.escape == '"' and s.header and s.records == 3
    assert inf.render_schema(s.columns) == [("id", "bigint"), ("text", "string")]
    s = sample(reader, tmp_path, "e.csv", b'id,text\n1,"say \\"hi\\""\n2,"x"\n')
    assert s.quoted and s.escape == "\\"


def test_csv_sample_is_bounded(reader, tmp_path):
    line = b"123,some text here,4.5\n"
    body = b"id,text,value\n" + line * (3 * (1 << 20) // len(line))
    s = sample(reader, tmp_path, "big.csv", body)
    assert reader.ranges == [(0, cl.SAMPLE_BYTES)]  # the first MB and nothing more
    assert s.header and inf.render_schema(s.columns) == [("id", "bigint"), ("text", "string"), ("value", "double")]
    expected = body.count(b"\n") - 1
    assert abs(s.records - expected) / expected < 0.01  # estimated from the sample


def test_csv_types_from_the_first_1000_records_only(reader, tmp_path):
    body = b"id,v\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(1000)) + b"x,oops\n"
    s = sample(reader, tmp_path, "t.csv", body)
    assert inf.render_schema(s.columns) == [("id", "bigint"), ("v", "bigint")]
    assert s.records == 1001


def test_gzip_and_bzip2_text(reader, tmp_path):
    text = b"a,b\n1,x\n2,y\n"
    s = sample(reader, tmp_path, "t.csv.gz", gzip.compress(text))
    assert s.classification == "csv" and s.compression == "gzip" and s.records == 2
    s = sample(reader, tmp_path, "t.csv.bz2", bz2.compress(text))
    assert s.classification == "csv" and s.compression == "bzip2"
    s = sample(reader, tmp_path, "t.json.gz", gzip.compress(b'{"k": 1}\n') + gzip.compress(b'{"k": 2}\n'))
    assert s.classification == "json" and s.compression == "gzip" and s.records == 2


def test_json_lines(reader, tmp_path):
    rows = [{"id": 1, "tags": ["a"], "user": {"name": "x"}}, {"id": 2.5, "user": {"age": 3}, "ok": False}, {}]
    s = sample(reader, tmp_path, "t.json", "\n".join(json.dumps(r) for r in rows).encode() + b"\n\n")
    assert s.classification == "json" and s.records == 3
    assert inf.render_schema(s.columns) == [("id", "double"), ("tags", "array<string>"),
                                            ("user", "struct<name:string,age:bigint>"), ("ok", "boolean")]


def test_json_sample_is_bounded(reader, tmp_path):
    line = json.dumps({"id": 1, "text": "x" * 80}).encode() + b"\n"
    body = line * (2 * (1 << 20) // len(line))
    s = sample(reader, tmp_path, "big.json", body)
    assert reader.ranges == [(0, cl.SAMPLE_BYTES)]
    assert abs(s.records - body.count(b"\n")) / body.count(b"\n") < 0.01


def test_utf8_bom_is_ignored(reader, tmp_path):
    s = sample(reader, tmp_path, "t.csv", "\ufeffid,name\n1,é\n2,ü\n".encode("utf-8"))
    assert [n for n, _ in s.columns] == ["id", "name"]
