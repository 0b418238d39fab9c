"""PostgreSQL wire protocol (v3) messages: pure functions and dataclasses, no I/O.

Frontend messages (what clients send) are parsed into small dataclasses; backend messages
(what we send) are built as `bytes`. Every parser checks lengths and terminators and raises
`ProtocolViolation` (SQLSTATE 08P01) on anything malformed, so a bad client gets an error and
nothing else is disturbed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

PROTOCOL_VERSION = 196608  # 3.0
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102

#: PostgreSQL refuses startup packets longer than this (src/include/libpq/pqcomm.h).
MAX_STARTUP_PACKET = 10000
#: Largest regular message we accept (PostgreSQL's limit is 1 GB; ours bounds memory per client).
MAX_MESSAGE = 256 * 1024 * 1024

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")
_U32 = struct.Struct("!I")


class ProtocolViolation(Exception):
    """A client broke the protocol: the connection gets a FATAL error and is closed."""

    sqlstate = "08P01"


# --------------------------------------------------------------------------- frontend messages


@dataclass
class SSLRequest:
    pass


@dataclass
class GSSENCRequest:
    pass


@dataclass
class CancelRequest:
    process_id: int
    secret_key: int


@dataclass
class StartupMessage:
    protocol: int
    parameters: dict[str, str]


@dataclass
class PasswordMessage:
    """'p': a password, SASLInitialResponse or SASLResponse; which one depends on the auth state."""

    data: bytes


@dataclass
class Query:
    sql: str


@dataclass
class Parse:
    name: str
    sql: str
    param_types: list[int]


@dataclass
class Bind:
    portal: str
    statement: str
    param_formats: list[int]
    params: list[bytes | None]
    result_formats: list[int]


@dataclass
class Describe:
    kind: str  # 'S' statement | 'P' portal
    name: str


@dataclass
class Execute:
    portal: str
    max_rows: int


@dataclass
class Close:
    kind: str  # 'S' | 'P'
    name: str


@dataclass
class Sync:
    pass


@dataclass
class Flush:
    pass


@dataclass
class Terminate:
    pass


@dataclass
class CopyData:
    data: bytes


@dataclass
class CopyDone:
    pass


@dataclass
class CopyFail:
    message: str


@dataclass
class FunctionCall:
    oid: int


@dataclass
class SASLInitialResponse:
    mechanism: str
    data: bytes | None


FrontendMessage = (Query | Parse | Bind | Describe | Execute | Close | Sync | Flush | Terminate | CopyData
                   | CopyDone | CopyFail | FunctionCall | PasswordMessage)


class _Reader:
    """Reads fields of one message body; every overrun is a ProtocolViolation."""

    def __init__(self, data: bytes, what: str):
        self.data = data
        self.pos = 0
        self.what = what

    def _need(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise ProtocolViolation(f"invalid {self.what} message: truncated")

    def int16(self) -> int:
        self._need(2)
        (value,) = _I16.unpack_from(self.data, self.pos)
        self.pos += 2
        return value

    def int32(self) -> int:
        self._need(4)
        (value,) = _I32.unpack_from(self.data, self.pos)
        self.pos += 4
        return value

    def byte(self) -> str:
        self._need(1)
        value = chr(self.data[self.pos])
        self.pos += 1
        return value

    def bytes(self, n: int) -> bytes:
        self._need(n)
        value = self.data[self.pos:self.pos + n]
        self.pos += n
        return bytes(value)

    def cstring(self) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise ProtocolViolation(f"invalid {self.what} message: unterminated string")
        raw = self.data[self.pos:end]
        self.pos = end + 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolViolation(f"invalid {self.what} message: invalid UTF-8") from None

    def count(self) -> int:
        n = self.int16()
        if n < 0:
            raise ProtocolViolation(f"invalid {self.what} message: negative count")
        return n

    def end(self) -> None:
        if self.pos != len(self.data):
            raise ProtocolViolation(f"invalid {self.what} message: {len(self.data) - self.pos} unexpected trailing bytes")


def parse_startup(body: bytes) -> SSLRequest | GSSENCRequest | CancelRequest | StartupMessage:
    """The body (after the int32 length) of the first, untyped packet of a connection."""
    r = _Reader(body, "startup packet")
    code = r.int32()
    if code == SSL_REQUEST_CODE:
        r.end()
        return SSLRequest()
    if code == GSSENC_REQUEST_CODE:
        r.end()
        return GSSENCRequest()
    if code == CANCEL_REQUEST_CODE:
        pid, key = r.int32(), r.int32()
        r.end()
        return CancelRequest(pid, key)
    if code >> 16 != 3:
        raise ProtocolViolation(f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}: server supports 3.0")
    params: dict[str, str] = {}
    while True:
        name = r.cstring()
        if name == "":
            break
        params[name] = r.cstring()
    r.end()
    if "user" not in params:
        raise ProtocolViolation("no PostgreSQL user name specified in startup packet")
    return StartupMessage(code, params)


def parse_message(kind: bytes, body: bytes) -> FrontendMessage:
    """One typed frontend message (kind is the one-byte type, body excludes the length)."""
    if kind == b"Q":
        r = _Reader(body, "Query")
        sql = r.cstring()
        r.end()
        return Query(sql)
    if kind == b"P":
        r = _Reader(body, "Parse")
        name, sql = r.cstring(), r.cstring()
        types = [r.int32() & 0xFFFFFFFF for _ in range(r.count())]
        r.end()
        return Parse(name, sql, types)
    if kind == b"B":
        r = _Reader(body, "Bind")
        portal, statement = r.cstring(), r.cstring()
        formats = [r.int16() for _ in range(r.count())]
        params: list[bytes | None] = []
        for _ in range(r.count()):
            n = r.int32()
            if n < -1:
                raise ProtocolViolation("invalid Bind message: negative parameter length")
            params.append(None if n == -1 else r.bytes(n))
        results = [r.int16() for _ in range(r.count())]
        r.end()
        for f in formats + results:
            if f not in (0, 1):
                raise ProtocolViolation(f"unsupported format code: {f}")
        return Bind(portal, statement, formats, params, results)
    if kind in (b"D", b"C"):
        what = "Describe" if kind == b"D" else "Close"
        r = _Reader(body, what)
        target = r.byte()
        name = r.cstring()
        r.end()
        if target not in ("S", "P"):
            raise ProtocolViolation(f"invalid {what} message subtype {target!r}")
        return Describe(target, name) if kind == b"D" else Close(target, name)
    if kind == b"E":
        r = _Reader(body, "Execute")
        portal = r.cstring()
        max_rows = r.int32()
        r.end()
        return Execute(portal, max_rows)
    if kind in (b"S", b"H", b"X", b"c"):
        if body:
            raise ProtocolViolation(f"invalid message format: {kind.decode()} has a body")
        return {b"S": Sync, b"H": Flush, b"X": Terminate, b"c": CopyDone}[kind]()
    if kind == b"d":
        return CopyData(bytes(body))
    if kind == b"f":
        r = _Reader(body, "CopyFail")
        message = r.cstring()
        return CopyFail(message)
    if kind == b"p":
        return PasswordMessage(bytes(body))
    if kind == b"F":
        r = _Reader(body, "FunctionCall")
        return FunctionCall(r.int32())
    raise ProtocolViolation(f"invalid frontend message type {kind[0]}")


def parse_sasl_initial(data: bytes) -> SASLInitialResponse:
    r = _Reader(data, "SASLInitialResponse")
    mechanism = r.cstring()
    n = r.int32()
    payload = None if n == -1 else r.bytes(n)
    r.end()
    return SASLInitialResponse(mechanism, payload)


def parse_password(data: bytes) -> str:
    r = _Reader(data, "PasswordMessage")
    password = r.cstring()
    r.end()
    return password


# --------------------------------------------------------------------------- backend messages


def message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + _I32.pack(len(body) + 4) + body


def cstr(text: str) -> bytes:
    return text.encode("utf-8").replace(b"\0", b"") + b"\0"


def authentication_ok() -> bytes:
    return message(b"R", _I32.pack(0))


def authentication_cleartext() -> bytes:
    return message(b"R", _I32.pack(3))


def authentication_md5(salt: bytes) -> bytes:
    return message(b"R", _I32.pack(5) + salt)


def authentication_sasl(mechanisms: list[str]) -> bytes:
    return message(b"R", _I32.pack(10) + b"".join(cstr(m) for m in mechanisms) + b"\0")


def authentication_sasl_continue(data: bytes) -> bytes:
    return message(b"R", _I32.pack(11) + data)


def authentication_sasl_final(data: bytes) -> bytes:
    return message(b"R", _I32.pack(12) + data)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstr(name) + cstr(value))


def backend_key_data(process_id: int, secret_key: int) -> bytes:
    return message(b"K", _I32.pack(process_id) + _I32.pack(secret_key))


def ready_for_query(status: str) -> bytes:
    return message(b"Z", status.encode("ascii"))


def parse_complete() -> bytes:
    return b"1\0\0\0\x04"


def bind_complete() -> bytes:
    return b"2\0\0\0\x04"


def close_complete() -> bytes:
    return b"3\0\0\0\x04"


def no_data() -> bytes:
    return b"n\0\0\0\x04"


def empty_query_response() -> bytes:
    return b"I\0\0\0\x04"


def portal_suspended() -> bytes:
    return b"s\0\0\0\x04"


def command_complete(tag: str) -> bytes:
    return message(b"C", cstr(tag))


def parameter_description(oids: list[int]) -> bytes:
    return message(b"t", _I16.pack(len(oids)) + b"".join(_U32.pack(o & 0xFFFFFFFF) for o in oids))


@dataclass
class FieldDescription:
    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    format: int = 0
    table_oid: int = 0
    column_number: int = 0


def row_description(fields: list[FieldDescription]) -> bytes:
    parts = [_I16.pack(len(fields))]
    for f in fields:
        parts.append(cstr(f.name) + struct.pack("!IhIhih", f.table_oid, f.column_number, f.type_oid,
                                                f.type_size, f.type_modifier, f.format))
    return message(b"T", b"".join(parts))


def data_row(values: list[bytes | None]) -> bytes:
    """One DataRow from already-encoded values (small results only; see types.encode_rows)."""
    parts = [_I16.pack(len(values))]
    for v in values:
        if v is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(_I32.pack(len(v)) + v)
    return message(b"D", b"".join(parts))


@dataclass
class ErrorFields:
    severity: str
    code: str
    message: str
    detail: str | None = None
    hint: str | None = None
    position: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _notice_body(e: ErrorFields) -> bytes:
    parts = [b"S" + cstr(e.severity), b"V" + cstr(e.severity), b"C" + cstr(e.code), b"M" + cstr(e.message)]
    if e.detail:
        parts.append(b"D" + cstr(e.detail))
    if e.hint:
        parts.append(b"H" + cstr(e.hint))
    if e.position:
        parts.append(b"P" + cstr(str(e.position)))
    for key, value in e.extra.items():
        parts.append(key.encode("ascii") + cstr(value))
    return b"".join(parts) + b"\0"


def error_response(e: ErrorFields) -> bytes:
    return message(b"E", _notice_body(e))


def notice_response(e: ErrorFields) -> bytes:
    return message(b"N", _notice_body(e))


def copy_out_response(columns: int, binary: bool = False) -> bytes:
    fmt = 1 if binary else 0
    return message(b"H", bytes([fmt]) + _I16.pack(columns) + b"".join(_I16.pack(fmt) for _ in range(columns)))


def copy_data(data: bytes) -> bytes:
    return message(b"d", data)


def copy_done() -> bytes:
    return b"c\0\0\0\x04"
