"""Glue's built-in classifiers: what format a file is in, and its schema.

``classify`` runs the classifiers in Glue's order -- Avro, ORC, Parquet, JSON, delimited text --
and the first confident one wins; each is a small function that returns a ``Sample`` or None.
Reading is bounded as Glue's is: binary formats are identified by their magic bytes and read
from their header or footer only (a Parquet file costs one read of its last 64 KB), text
formats from their first MB and at most 1,000 records. Files that are empty, corrupt,
unreadable or in no known format raise ``Skip`` with the reason.
"""

from __future__ import annotations

import bz2
import csv
import io
import json
import re
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field

from lakebox.catalog.crawler import inference
from lakebox.catalog.crawler.files import IO_ERRORS, FileInfo, Reader
from lakebox.catalog.crawler.inference import Schema

#: Glue reads at most the first MB of a text file, and at most this many records of it.
SAMPLE_BYTES = 1 << 20
SAMPLE_RECORDS = 1000
#: One read from the end of a Parquet file almost always holds its whole footer.
TAIL_BYTES = 64 << 10

#: Delimiters the CSV classifier tries, in Glue's order.
DELIMITERS = (",", "|", "\t", ";", "\x01")

_PARQUET_EXTENSIONS = (".parquet", ".parq", ".pqt")


class Skip(Exception):
    """The file is left out of the crawl; the message says why."""


@dataclass
class Sample:
    """What a classifier learnt from one file."""

    classification: str  # avro | orc | parquet | json | csv
    columns: Schema
    records: int  # exact for binary formats and fully-read text files, else an estimate
    compression: str = "none"
    # delimited text only
    delimiter: str | None = None
    header: bool = False
    quoted: bool = False
    escape: str | None = None
    # avro only: the writer's schema, for AvroSerDe's avro.schema.literal
    avro_schema: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def signature(self) -> tuple:
        """Data compatibility (Glue): same format, compression and text layout."""
        return (self.classification, self.compression, self.delimiter, self.header, self.quoted, self.escape)


class FooterCache:
    """Parquet schemas by the exact bytes that encode them.

    A footer starts with the format version and the schema (Thrift fields 1 and 2), then the
    row count (field 3). Files written by one job share those leading bytes byte for byte, so
    after parsing one footer fully, the next ones with the same prefix need only their row
    count decoded. Anything unexpected falls back to pyarrow's parser.
    """

    def __init__(self) -> None:
        self._schemas: dict[bytes, Schema] = {}
        self._lock = threading.Lock()

    def lookup(self, footer: bytes) -> tuple[Schema, int] | None:
        for prefix, schema in list(self._schemas.items()):
            if footer.startswith(prefix):
                rows = _row_count_after(footer, len(prefix))
                if rows is not None:
                    return schema, rows
        return None

    def store(self, footer: bytes, schema: Schema) -> None:
        end = _schema_end(footer)
        if end is not None:
            with self._lock:
                if len(self._schemas) < 64:
                    self._schemas[footer[:end]] = schema


# -------------------------------------------------------------------------------- entry point


def classify(reader: Reader, info: FileInfo, footers: FooterCache | None = None) -> Sample:
    """The sample of one file; raises Skip when it cannot be classified."""
    size = info.size
    if size == 0:
        raise Skip("empty file")
    try:
        name = info.rel[-1].lower() if info.rel else ""
        if size > TAIL_BYTES and name.endswith(_PARQUET_EXTENSIONS):
            # Footer first: a Parquet file is then read once, from its end.
            tail = reader.read(info.path, size - TAIL_BYTES, size)
            if tail[-4:] in (b"PAR1", b"PARE"):
                return classify_parquet(reader, info, tail, footers)
        head = reader.read(info.path, 0, min(size, SAMPLE_BYTES))
        complete = len(head) >= size
        for binary in (classify_avro, classify_orc):
            sample = binary(reader, info, head, complete)
            if sample is not None:
                return sample
        if head[:4] == b"PAR1":
            tail = head if complete else reader.read(info.path, max(0, size - TAIL_BYTES), size)
            return classify_parquet(reader, info, tail, footers)
        text, compression, consumed, complete = _decompress(head, complete)
        for textual in (classify_json, classify_csv):
            sample = textual(text, complete)
            if sample is not None:
                sample.compression = compression
                if not complete:
                    sample.records = _estimate(sample.records, consumed, size)
                return sample
    except Skip:
        raise
    except IO_ERRORS as exc:
        raise Skip(f"unreadable: {getattr(exc, 'strerror', None) or exc}") from exc
    raise Skip("unknown format (no classifier recognised it)")


def _estimate(records: int, consumed: int, size: int) -> int:
    if consumed <= 0:
        return records
    return max(records, round(records * size / consumed))


# -------------------------------------------------------------------------------- Avro


def classify_avro(reader: Reader, info: FileInfo, head: bytes, complete: bool) -> Sample | None:
    """Avro object container files: the schema is in the header's metadata."""
    if head[:4] != b"Obj\x01":
        return None
    try:
        meta, pos = _avro_metadata(head, 4)
        schema_text = meta["avro.schema"].decode("utf-8")
        schema = json.loads(schema_text)
    except (IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise Skip(f"corrupt Avro file: unreadable header ({exc.__class__.__name__})") from exc
    record = inference.avro_type(schema)
    if not (isinstance(record, tuple) and record[0] == "struct"):
        raise Skip("Avro file whose schema is not a record")
    codec = meta.get("avro.codec", b"null").decode("utf-8", "replace")
    records, scanned = _avro_count(head, pos + 16)
    if not complete:
        records = _estimate(records, scanned, info.size)
    return Sample("avro", list(record[1]), records, compression="none" if codec == "null" else codec,
                  avro_schema=schema_text)


def _zigzag(buf: bytes, pos: int) -> tuple[int, int]:
    value, pos = _varint(buf, pos)
    return (value >> 1) ^ -(value & 1), pos


def _avro_metadata(buf: bytes, pos: int) -> tuple[dict[str, bytes], int]:
    meta: dict[str, bytes] = {}
    while True:
        count, pos = _zigzag(buf, pos)
        if count == 0:
            return meta, pos
        if count < 0:
            count = -count
            _, pos = _zigzag(buf, pos)  # the block's size in bytes
        for _ in range(count):
            n, pos = _zigzag(buf, pos)
            key = buf[pos : pos + n].decode("utf-8")
            pos += n
            n, pos = _zigzag(buf, pos)
            if pos + n > len(buf):
                raise IndexError("metadata runs past the data read")
            meta[key] = buf[pos : pos + n]
            pos += n


def _avro_count(buf: bytes, pos: int) -> tuple[int, int]:
    """Records in the data blocks that lie wholly within ``buf``, and the bytes they span."""
    records = 0
    try:
        while pos < len(buf):
            count, p = _zigzag(buf, pos)
            size, p = _zigzag(buf, p)
            end = p + size + 16
            if count < 0 or size < 0 or end > len(buf):
                break
            records += count
            pos = end
    except IndexError:
        pass
    return records, pos


# -------------------------------------------------------------------------------- ORC


def classify_orc(reader: Reader, info: FileInfo, head: bytes, complete: bool) -> Sample | None:
    """ORC files: the schema and row count are in the file's tail."""
    if head[:3] != b"ORC":
        return None
    import pyarrow as pa
    import pyarrow.orc as orc

    try:
        if complete:
            source = pa.BufferReader(head)
            orc_file = orc.ORCFile(source)
        else:
            with reader.open(info.path) as f:
                orc_file = orc.ORCFile(f)
        schema = inference.arrow_schema(orc_file.schema)
        rows = orc_file.nrows
        compression = str(orc_file.compression).lower()
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise Skip(f"corrupt ORC file: {_first_line(exc)}") from exc
    if not schema:
        raise Skip("ORC file without columns")
    return Sample("orc", schema, rows, extra={"orc.compress": compression.upper()})


# -------------------------------------------------------------------------------- Parquet


def classify_parquet(reader: Reader, info: FileInfo, tail: bytes, footers: FooterCache | None) -> Sample:
    """Parquet files: the footer (``<metadata><length>PAR1`` at the end) holds the schema."""
    size = info.size
    if tail[-4:] == b"PARE":
        raise Skip("encrypted Parquet file (footer encryption is not supported)")
    if len(tail) < 12 or tail[-4:] != b"PAR1":
        raise Skip("corrupt Parquet file: no PAR1 footer (truncated?)")
    length = int.from_bytes(tail[-8:-4], "little")
    if length <= 0 or length + 12 > size:
        raise Skip(f"corrupt Parquet file: footer length {length} does not fit a {size}-byte file")
    if length + 8 > len(tail):
        tail = reader.read(info.path, size - length - 8, size)
    footer = tail[-(length + 8) : -8]
    if footers is not None:
        hit = footers.lookup(footer)
        if hit is not None:
            return Sample("parquet", hit[0], hit[1])
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(pa.BufferReader(b"PAR1" + footer + tail[-8:]))
        schema = inference.arrow_schema(metadata.schema.to_arrow_schema())
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise Skip(f"corrupt Parquet file: {_first_line(exc)}") from exc
    if not schema:
        raise Skip("Parquet file without columns")
    if footers is not None:
        footers.store(footer, schema)
    return Sample("parquet", schema, metadata.num_rows)


# Thrift compact protocol, just enough to find where a footer's schema ends.

def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _skip(buf: bytes, pos: int, kind: int) -> int:
    if kind in (1, 2):  # booleans live in the field header
        return pos
    if kind == 3:
        return pos + 1
    if kind in (4, 5, 6):
        return _varint(buf, pos)[1]
    if kind == 7:
        return pos + 8
    if kind == 8:
        n, pos = _varint(buf, pos)
        return pos + n
    if kind in (9, 10):
        header = buf[pos]
        pos += 1
        count, item = header >> 4, header & 0x0F
        if count == 15:
            count, pos = _varint(buf, pos)
        for _ in range(count):
            pos = pos + 1 if item in (1, 2) else _skip(buf, pos, item)
        return pos
    if kind == 11:
        count, pos = _varint(buf, pos)
        if count:
            types = buf[pos]
            pos += 1
            key, value = types >> 4, types & 0x0F
            for _ in range(count):
                pos = pos + 1 if key in (1, 2) else _skip(buf, pos, key)
                pos = pos + 1 if value in (1, 2) else _skip(buf, pos, value)
        return pos
    if kind == 12:
        while True:
            header = buf[pos]
            pos += 1
            if header == 0:
                return pos
            if header >> 4 == 0:
                pos = _varint(buf, pos)[1]
            pos = _skip(buf, pos, header & 0x0F)
    raise ValueError(f"unknown thrift type {kind}")


def _schema_end(footer: bytes) -> int | None:
    """Where FileMetaData's field 3 (num_rows) starts, when fields 1 and 2 come first."""
    try:
        pos, field_id = 0, 0
        for expected in (1, 2):
            header = footer[pos]
            pos += 1
            field_id += header >> 4
            if header >> 4 == 0 or field_id != expected:
                return None
            pos = _skip(footer, pos, header & 0x0F)
        return pos if footer[pos] == 0x16 else None  # field 3 (delta 1), type i64
    except (IndexError, ValueError):
        return None


def _row_count_after(footer: bytes, pos: int) -> int | None:
    try:
        if footer[pos] != 0x16:
            return None
        value, _ = _varint(footer, pos + 1)
    except IndexError:
        return None
    return (value >> 1) ^ -(value & 1)


# -------------------------------------------------------------------------------- text


def _decompress(head: bytes, complete: bool) -> tuple[str, str, int, bool]:
    """(text, compressionType, compressed bytes behind the text, whether the text is the whole
    file). gzip and bzip2 are decompressed up to the sample size."""
    compression, data, consumed = "none", head, len(head)
    if head[:2] == b"\x1f\x8b":
        compression = "gzip"
        data, consumed, done = _inflate(head, lambda: zlib.decompressobj(zlib.MAX_WBITS | 16))
        complete = complete and done
    elif head[:3] == b"BZh" and head[4:10] == b"1AY&SY":
        compression = "bzip2"
        data, consumed, done = _inflate(head, bz2.BZ2Decompressor)
        complete = complete and done
    elif head[:4] == b"\x28\xb5\x2f\xfd":
        raise Skip("zstd-compressed file: the crawler cannot sample it (no zstd decoder)")
    elif head[:4] in (b"\x04\x22\x4d\x18",) or head[:10] == b"\xff\x06\x00\x00sNaPpY":
        raise Skip("lz4/snappy-compressed file: the crawler cannot sample it")
    if b"\x00" in data[:SAMPLE_BYTES]:
        raise Skip("unknown format (binary data)")
    if len(data) > SAMPLE_BYTES:
        data, complete = data[:SAMPLE_BYTES], False
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not complete:
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut >= 0 else ""
    return text, compression, consumed, complete


def _inflate(raw: bytes, factory) -> tuple[bytes, int, bool]:
    out, pos, done = [], 0, False
    total = 0
    while pos < len(raw) and total < SAMPLE_BYTES:
        d = factory()
        try:
            if isinstance(d, bz2.BZ2Decompressor):
                chunk = d.decompress(raw[pos:], max_length=SAMPLE_BYTES - total)
                left = len(d.unused_data) if d.eof else 0
            else:
                chunk = d.decompress(raw[pos:], SAMPLE_BYTES - total)
                left = len(d.unused_data) + len(d.unconsumed_tail) if d.eof else len(d.unconsumed_tail)
        except (OSError, zlib.error, EOFError, ValueError) as exc:
            if not out and not total:
                raise Skip(f"corrupt compressed file: {exc}") from exc
            break
        out.append(chunk)
        total += len(chunk)
        if not d.eof:
            pos = len(raw) - left
            break
        pos = len(raw) - left
        done = pos >= len(raw)
    return b"".join(out), pos, done


def classify_json(text: str, complete: bool) -> Sample | None:
    """JSON lines: one object per line (what Athena's JsonSerDe reads)."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        if complete and stripped.startswith("["):
            try:
                json.loads(stripped)
            except ValueError:
                return None
            raise Skip("a JSON array document, not JSON lines (one object per line)")
        return None
    schema: Schema = []
    records = 0
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            if records == 0:
                if complete:
                    try:
                        json.loads(text)
                    except ValueError:
                        return None
                    raise Skip("a multi-line JSON document, not JSON lines (one object per line)")
                return None
            raise Skip(f"malformed JSON at line {number}") from None
        if not isinstance(value, dict):
            if records == 0:
                return None
            raise Skip(f"line {number} is not a JSON object")
        records += 1
        schema = inference.merge_schemas(schema, inference.json_object_schema(value))
        if records >= SAMPLE_RECORDS:
            break
    if records == 0:
        return None
    if records >= SAMPLE_RECORDS:
        records = sum(1 for line in lines if line.strip())  # the rest of the sample, unparsed
    if not schema:
        raise Skip("JSON objects without keys")
    return Sample("json", [(n, t if t is not None else inference.STRING) for n, t in schema], records)


def classify_csv(text: str, complete: bool) -> Sample | None:
    """Delimited text: Glue's delimiters, at least two columns and two rows."""
    if not text.strip():
        return None
    first_line = text.split("\n", 1)[0]
    best = None
    for delimiter in DELIMITERS:
        if delimiter not in first_line:
            continue
        rows = _csv_rows(text, delimiter, complete)
        if rows is None or len(rows) < 2:
            continue
        widths = Counter(len(r) for r in rows)
        width = max(len(r) for r in rows)
        if len(widths) != 1 or width < 2:
            continue
        if best is None or width > best[1]:
            best = (delimiter, width, rows)
    if best is None:
        return None
    delimiter, _, rows = best
    header, schema = inference.csv_schema(rows)
    if len(schema) < 2:
        return None
    quote = re.compile(r'(?:^|' + re.escape(delimiter) + r')"', re.MULTILINE)
    quoted = bool(quote.search(text))
    escape = None
    if quoted:
        escape = "\\" if '\\"' in text else '"'
    records = len(rows) if len(rows) < SAMPLE_RECORDS and complete else _count_records(text, delimiter, quoted)
    records -= 1 if header else 0
    return Sample("csv", schema, records, delimiter=delimiter, header=header, quoted=quoted, escape=escape)


def _csv_rows(text: str, delimiter: str, complete: bool) -> list[list[str]] | None:
    rows = []
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            rows.append(row)
            if len(rows) > SAMPLE_RECORDS:
                break
    except csv.Error:
        return None
    if not complete and rows and len(rows) <= SAMPLE_RECORDS:
        rows.pop()  # the last line of a cut sample may be cut too
    return rows[:SAMPLE_RECORDS]


def _count_records(text: str, delimiter: str, quoted: bool) -> int:
    if not quoted:
        return sum(1 for line in text.splitlines() if line.strip())
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', strict=False)
    return sum(1 for row in reader if row and not (len(row) == 1 and not row[0].strip()))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
