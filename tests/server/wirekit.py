"""Helpers for the wire-server tests: starting a server, connection strings, missing-client policy.

Tests that need an external client (psql, java + pgJDBC, node + pg) skip with a loud reason when
it is missing on a developer's machine, and fail in CI (CI is set), where .ci/run installs them.
"""

from __future__ import annotations

import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from lakebox.server.server import ServerConfig, ServerThread

USER = "lakebox"
PASSWORD = "s3cret-pw"


def need(condition: bool, what: str) -> None:
    """Skip (loudly) when an external client is missing; in CI, fail instead."""
    if condition:
        return
    message = f"MISSING CLIENT: {what} -- install it (see .ci/run) to run this test"
    if os.environ.get("CI"):
        pytest.fail(message)
    warnings.warn(message)
    pytest.skip(message)


def need_module(name: str):
    try:
        return __import__(name)
    except ImportError:
        need(False, f"Python package {name} (pip install -e '.[test]')")


def need_binary(name: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"the {name} command")
    return path


@dataclass
class Running:
    thread: ServerThread
    home: Path
    user: str = USER
    password: str = PASSWORD

    @property
    def port(self) -> int:
        return self.thread.port

    @property
    def server(self):
        return self.thread.server

    def dsn(self, **extra) -> str:
        parts = {"host": "127.0.0.1", "port": self.port, "user": self.user, "password": self.password,
                 "dbname": "dev", **extra}
        def quote(value) -> str:
            text = str(value)
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'" if (" " in text or not text) else text

        return " ".join(f"{k}={quote(v)}" for k, v in parts.items())

    def url(self, driver: str = "postgresql") -> str:
        return f"{driver}://{self.user}:{self.password}@127.0.0.1:{self.port}/dev"


def start(home: Path, **overrides) -> ServerThread:
    config = ServerConfig(home=home, host="127.0.0.1", port=0, dialect="redshift", user=USER, password=PASSWORD)
    for key, value in overrides.items():
        setattr(config, key, value)
    return ServerThread(config).start()




# --------------------------------------------------------------------------- a raw protocol client

import socket  # noqa: E402
import struct  # noqa: E402


class RawClient:
    """Speaks the protocol by hand, to test what drivers never send (and exactly what comes back)."""

    def __init__(self, port: int, user: str = USER, database: str = "dev", startup: bool = True, **params):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buffer = bytearray()
        self.position = 0
        if startup:
            self.startup(user=user, database=database, **params)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def startup(self, until: str = "Z", **params) -> list:
        body = struct.pack("!i", 196608) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
        self.send(struct.pack("!i", len(body) + 5) + body + b"\0")
        return self.until(until)

    @staticmethod
    def message(kind: bytes, body: bytes = b"") -> bytes:
        return kind + struct.pack("!i", len(body) + 4) + body

    def read_message(self) -> tuple[str, bytes] | None:
        while True:
            if len(self.buffer) - self.position >= 5:
                length = struct.unpack_from("!i", self.buffer, self.position + 1)[0]
                end = self.position + 1 + length
                if len(self.buffer) >= end:
                    kind = chr(self.buffer[self.position])
                    body = bytes(self.buffer[self.position + 5:end])
                    self.position = end
                    if self.position > 1 << 20:  # drop what has been read, now and then
                        del self.buffer[:self.position]
                        self.position = 0
                    return kind, body
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return None
            self.buffer += chunk

    def until(self, kind: str = "Z") -> list[tuple[str, bytes]]:
        out = []
        while True:
            message = self.read_message()
            if message is None:
                return out
            out.append(message)
            if message[0] == kind:
                return out

    def query(self, sql: str) -> list[tuple[str, bytes]]:
        self.send(self.message(b"Q", sql.encode() + b"\0"))
        return self.until("Z")

    def close(self) -> None:
        try:
            self.send(self.message(b"X"))
        except OSError:
            pass
        self.sock.close()


def error_fields(body: bytes) -> dict[str, str]:
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode()
    return fields


def kinds(messages) -> str:
    return "".join(k for k, _ in messages)
