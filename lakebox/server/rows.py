"""A statement's result rows, whole or streamed, handed out in bounded batches.

A Rows wraps either a table (catalog queries, SHOW) or the engine's RecordBatchReader (queries,
when the session streams); the transport takes batches of at most N rows, so a portal can stop
after Execute's row limit and a huge result never sits in memory as a whole. Column names are
lower-cased for engine streams as the engine does for tables, and batches are cast to the row shape a Describe
announced when one was given.
"""

from __future__ import annotations

import contextlib

import duckdb
import pyarrow as pa

from lakebox import errors
from lakebox.server import types as pgt


class Rows:
    def __init__(self, table: pa.Table | None = None, reader: pa.RecordBatchReader | None = None,
                 translate=None, first: list[pa.RecordBatch] | None = None, lower: bool = False):
        if table is not None:
            self._source = iter(table.to_batches())
            schema = table.schema
        else:
            self._source = iter(reader)
            schema = reader.schema
        self._reader = reader
        self._translate = translate
        self._queue: list[pa.RecordBatch] = list(first or [])
        self.names = [n.lower() for n in schema.names] if lower else list(schema.names)
        #: columns the engine marked as UUID/JSON strings, restored to arrow.uuid/arrow.json
        self._restore = pgt.duckdb_types(schema)
        self.schema = pa.schema([pa.field(n, pgt.restored_type(f.type, self._restore[i]) if i in self._restore
                                          else f.type) for i, (n, f) in enumerate(zip(self.names, schema))])
        self._queue = [self._restored(b) for b in self._queue]
        self.target: pa.Schema | None = None
        self.streaming = reader is not None
        self.exhausted = False
        self.count = 0

    # -- shape --------------------------------------------------------------------------------------

    def conform_to(self, schema: pa.Schema | None) -> None:
        """Cast batches to `schema` (the row shape Describe announced), where types differ."""
        if schema is not None and len(schema) == len(self.schema) and schema.types != self.schema.types:
            self.target = pa.schema([pa.field(n, t) for n, t in zip(self.names, schema.types)])

    @property
    def out_schema(self) -> pa.Schema:
        return self.target or self.schema

    # -- reading (blocking for streams: call from the session's thread) -----------------------------

    def _pull(self) -> pa.RecordBatch | None:
        if self._queue:
            return self._queue.pop(0)
        if self.exhausted:
            return None
        try:
            while True:
                batch = next(self._source, None)
                if batch is None:
                    self.exhausted = True
                    return None
                if batch.num_rows:
                    return self._restored(batch)
        except duckdb.Error as error:
            self.exhausted = True
            raise (self._translate(error) if self._translate else errors.OperationalError(str(error))) from None

    def _restored(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if not self._restore:
            return batch
        columns = [pgt.restore_column(c, self._restore[i]) if i in self._restore else c
                   for i, c in enumerate(batch.columns)]
        return pa.RecordBatch.from_arrays(columns, schema=self.schema)

    def next(self, max_rows: int) -> pa.RecordBatch | None:
        """The next batch of at most max_rows rows, or None at the end."""
        batch = self._pull()
        if batch is None:
            return None
        if max_rows > 0 and batch.num_rows > max_rows:
            self._queue.insert(0, batch.slice(max_rows))
            batch = batch.slice(0, max_rows)
        batch = pa.RecordBatch.from_arrays(batch.columns, schema=self.schema)
        if self.target is not None:
            try:
                batch = batch.cast(self.target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        self.count += batch.num_rows
        return batch

    def has_more(self) -> bool:
        if self._queue:
            return True
        batch = self._pull()
        if batch is None:
            return False
        self._queue.insert(0, batch)
        return True

    def prefetch(self, rows: int) -> None:
        """Read ahead until `rows` rows are queued or the stream ends (a small result then needs
        no more trips to the session's thread)."""
        queued = sum(b.num_rows for b in self._queue)
        while queued < rows and not self.exhausted:
            held, self._queue = self._queue, []
            batch = self._pull()
            self._queue = held
            if batch is None:
                break
            self._queue.append(batch)
            queued += batch.num_rows
        if self.exhausted:
            self.streaming = False

    def materialize(self) -> None:
        """Read the rest into memory, freeing the engine's connection for another statement."""
        if self.streaming and not self.exhausted:
            queued, self._queue = self._queue, []
            rest = []
            while (batch := self._pull()) is not None:
                rest.append(batch)
            self._queue = queued + rest
        self.streaming = False

    def close(self) -> None:
        self.exhausted = True
        self._queue.clear()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                self._reader.close()
