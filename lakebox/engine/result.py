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


#: Field metadata naming a result column's DuckDB type where the Arrow type loses it. DuckDB
#: exports UUID and JSON values (also inside lists, structs and maps) as plain strings, and the
#: engine keeps them so -- the DB-API returns str for both, as Athena's and Redshift's drivers do --
#: but marks the column, so that an edge which can say more (the wire server: PostgreSQL's uuid
#: and json) knows what the strings are.
DUCKDB_TYPE_KEY = b"lakebox.duckdb_type"


def loses_type(t) -> bool:
    """Whether a DuckDB type is, or holds, a type that Arrow receives as a plain string."""
    if t.id == "uuid" or (t.id == "varchar" and str(t) == "JSON"):
        return True
    if t.id in ("list", "array", "struct", "map", "union"):
        return any(loses_type(child) for _, child in t.children if not isinstance(child, int))
    return False


def mark_duckdb_types(schema: pa.Schema, types) -> pa.Schema | None:
    """`schema` (DuckDB's Arrow export of a relation) with DUCKDB_TYPE_KEY on the fields whose
    DuckDB type (`types`: the relation's DuckDBPyTypes) Arrow does not carry; None if there are none."""
    if len(types) != len(schema) or not any(loses_type(t) for t in types):
        return None
    for i, t in enumerate(types):
        if loses_type(t):
            field = schema.field(i)
            schema = schema.set(i, field.with_metadata({**(field.metadata or {}), DUCKDB_TYPE_KEY: str(t).encode()}))
    return schema


def rows_result(names: list[str], columns: list[list], types: list[pa.DataType] | None = None) -> Result:
    """A small result built in Python (SHOW, DESCRIBE): never used on data-sized paths."""
    types = types or [pa.string()] * len(names)
    arrays = [pa.array(values, type=t) for values, t in zip(columns, types)]
    table = pa.Table.from_arrays(arrays, names=names)
    return Result(table=table, rowcount=table.num_rows, tag=f"SELECT {table.num_rows}")


def status_result(tag: str, rowcount: int = -1) -> Result:
    return Result(table=None, rowcount=rowcount, tag=tag)
