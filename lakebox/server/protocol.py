"""The per-connection protocol state machine, sans I/O (in the manner of h11).

Bytes go in with `receive_data`; `next_event()` hands back one frontend message at a time
(or `NEED_DATA`); what the server answers goes through the `send_*` helpers into an outgoing
buffer that the transport drains with `data_to_send()`. The machine knows the phases of a
connection (startup -> authentication -> ready -> closed), frames messages, and implements the
protocol's own rules: after an error in the extended query protocol every message up to the
next Sync is discarded, and ReadyForQuery carries the transaction status it is told.
"""

from __future__ import annotations

import struct

from lakebox.server import messages as m

NEED_DATA = object()

STARTUP = "startup"
AUTHENTICATING = "authenticating"
READY = "ready"
CLOSED = "closed"

_EXTENDED = (m.Parse, m.Bind, m.Describe, m.Execute, m.Close, m.Flush)


class ServerProtocol:
    def __init__(self) -> None:
        self.phase = STARTUP
        self._buffer = bytearray()
        self._out: list[bytes] = []
        self._skipping = False  # discarding until Sync after an extended-protocol error
        self._last: object = None
        self.startup_parameters: dict[str, str] = {}

    # -- input --------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        if self.phase == CLOSED:
            return
        self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def next_event(self):
        """The next complete message, or NEED_DATA. Raises ProtocolViolation on malformed input."""
        while True:
            event = self._next_raw()
            if event is NEED_DATA:
                return event
            if self._skipping:
                if isinstance(event, m.Sync):
                    self._skipping = False
                elif not isinstance(event, m.Terminate):
                    continue
            self._last = event
            return event

    def _next_raw(self):
        if self.phase == CLOSED:
            return NEED_DATA
        buf = self._buffer
        if self.phase == STARTUP:
            if len(buf) < 4:
                return NEED_DATA
            (length,) = struct.unpack_from("!i", buf, 0)
            if length < 8 or length > m.MAX_STARTUP_PACKET:
                self.phase = CLOSED
                raise m.ProtocolViolation(f"invalid length of startup packet: {length}")
            if len(buf) < length:
                return NEED_DATA
            body = bytes(buf[4:length])
            del buf[:length]
            try:
                event = m.parse_startup(body)
            except m.ProtocolViolation:
                self.phase = CLOSED
                raise
            if isinstance(event, (m.SSLRequest, m.GSSENCRequest)) and buf:
                # Bytes after an SSLRequest but before our answer would be read as if encrypted.
                self.phase = CLOSED
                raise m.ProtocolViolation("received unencrypted data after SSL request")
            if isinstance(event, m.StartupMessage):
                self.startup_parameters = event.parameters
                self.phase = AUTHENTICATING
            elif isinstance(event, m.CancelRequest):
                self.phase = CLOSED
            return event
        if len(buf) < 5:
            return NEED_DATA
        kind = bytes(buf[0:1])
        (length,) = struct.unpack_from("!i", buf, 1)
        if length < 4 or length > m.MAX_MESSAGE:
            self.phase = CLOSED
            raise m.ProtocolViolation(f"invalid message length {length} for message type {kind!r}")
        if len(buf) < 1 + length:
            return NEED_DATA
        body = bytes(buf[5:1 + length])
        del buf[:1 + length]
        if self.phase == AUTHENTICATING and kind != b"p":
            self.phase = CLOSED
            raise m.ProtocolViolation(f"expected password response, got message type {kind!r}")
        try:
            event = m.parse_message(kind, body)
        except m.ProtocolViolation:
            self.phase = CLOSED
            raise
        if isinstance(event, m.Terminate):
            self.phase = CLOSED
        return event

    # -- phase changes ------------------------------------------------------------------------

    def authenticated(self) -> None:
        self.phase = READY

    def close(self) -> None:
        self.phase = CLOSED
        self._buffer.clear()

    @property
    def skipping(self) -> bool:
        return self._skipping

    # -- output -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self._out.append(data)

    def data_to_send(self) -> bytes:
        data = b"".join(self._out)
        self._out.clear()
        return data

    @property
    def pending_output(self) -> int:
        return sum(len(d) for d in self._out)

    def send_error(self, error: m.ErrorFields) -> None:
        """An ErrorResponse; inside the extended protocol it also starts skipping to Sync."""
        self.send(m.error_response(error))
        if self.phase == READY and isinstance(self._last, _EXTENDED):
            self._skipping = True

    def send_ready(self, status: str) -> None:
        assert status in ("I", "T", "E")
        self.send(m.ready_for_query(status))
