"""COPY ... TO STDOUT: whole columns to PostgreSQL's text or CSV copy format, one CopyData per row."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakebox.server import messages as m
from lakebox.server.types import _from_binary_array, _put_int32, text_array


def _text_field(arr: pa.Array, options: dict) -> pa.Array:
    values = text_array(arr).cast(pa.large_string())
    delimiter = options["delimiter"]
    if options["format"] == "csv":
        quote = options.get("quote") or '"'
        specials = "[" + "".join("\\" + c for c in {delimiter, quote, "\r", "\n"}) + "]"
        needs = pc.or_(pc.match_substring_regex(values, specials), pc.equal(values, options["null"]))
        q = pa.scalar(quote, pa.large_string())
        quoted = pc.binary_join_element_wise(q, pc.replace_substring(values, quote, quote + quote), q,
                                             pa.scalar("", pa.large_string()))
        values = pc.if_else(needs, quoted, values)
    else:
        values = pc.replace_substring(values, "\\", "\\\\")
        values = pc.replace_substring(values, "\n", "\\n")
        values = pc.replace_substring(values, "\r", "\\r")
        values = pc.replace_substring(values, "\t", "\\t")
        if delimiter != "\t":
            values = pc.replace_substring(values, delimiter, "\\" + delimiter)
    return pc.fill_null(values, options["null"])


def lines(batch: pa.RecordBatch, options: dict) -> pa.Array:
    fields = [_text_field(col, options) for col in batch.columns]
    if not fields:
        return pa.array(["\n"] * batch.num_rows, pa.large_string())
    delimiter = pa.scalar(options["delimiter"], pa.large_string())
    joined = pc.binary_join_element_wise(*fields, delimiter) if len(fields) > 1 else fields[0]
    return pc.binary_join_element_wise(joined, pa.scalar("\n", pa.large_string()), pa.scalar("", pa.large_string()))


def frame(kind: bytes, values: pa.Array) -> bytes:
    """One message of type `kind` per value, assembled with numpy."""
    enc = _from_binary_array(values)
    n = len(enc.lengths)
    lengths = np.maximum(enc.lengths, 0)
    sizes = lengths + 5
    starts = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(sizes[:-1], out=starts[1:])
    total = int(sizes.sum())
    out = np.empty(total, dtype=np.uint8)
    if not n:
        return b""
    out[starts] = kind[0]
    _put_int32(out, starts + 1, lengths + 4)
    first, last = enc.offsets[0], enc.offsets[-1]
    if last > first:
        index = np.repeat(starts + 5 - enc.offsets[:-1], lengths) + np.arange(first, last, dtype=np.int64)
        out[index] = enc.data[first:last]
    return out.tobytes()


def encode_copy_batch(batch: pa.RecordBatch, options: dict) -> bytes:
    return frame(b"d", lines(batch, options))


def header(names: list[str], options: dict) -> bytes:
    batch = pa.RecordBatch.from_arrays([pa.array([n]) for n in names], names=[f"c{i}" for i in range(len(names))])
    return m.copy_data(lines(batch, options).to_pylist()[0].encode("utf-8"))
