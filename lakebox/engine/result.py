"""What executing one statement produces, before an edge turns it into rows or bytes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class Result:
    """A statement's outcome: an Arrow table for queries, a row count and tag for the rest."""

    table: pa.Table | None = None
    rowcount: int = -1
    #: PostgreSQL-style command tag ("SELECT 3", "CREATE TABLE", "INSERT 0 5") for the wire server.
    tag: str = ""
    #: Glue/Hive type of each result column, when lakebox knows it better than Arrow does.
    column_types: list[str] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    #: A query's rows as a stream of record batches, instead of `table`, when the session was
    #: asked to stream (Session.stream_batch_rows). Drain or close it before the next statement.
    reader: pa.RecordBatchReader | None = None


def rows_result(names: list[str], columns: list[list], types: list[pa.DataType] | None = None) -> Result:
    """A small result built in Python (SHOW, DESCRIBE): never used on data-sized paths."""
    types = types or [pa.string()] * len(names)
    arrays = [pa.array(values, type=t) for values, t in zip(columns, types)]
    table = pa.Table.from_arrays(arrays, names=names)
    return Result(table=table, rowcount=table.num_rows, tag=f"SELECT {table.num_rows}")


def status_result(tag: str, rowcount: int = -1) -> Result:
    return Result(table=None, rowcount=rowcount, tag=tag)
