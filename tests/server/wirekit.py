"""Helpers for the wire-server tests: starting a server, connection strings, missing-client policy.

Tests that need an external client (psql, java + pgJDBC, node + pg) skip with a loud reason when
it is missing on a developer's machine, and fail in CI (CI is set), where .ci/run installs them.
"""

from __future__ import annotations

import os
import shutil
import sys
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
        return " ".join(f"{k}={v}" for k, v in parts.items())

    def url(self, driver: str = "postgresql") -> str:
        return f"{driver}://{self.user}:{self.password}@127.0.0.1:{self.port}/dev"


def start(home: Path, **overrides) -> ServerThread:
    config = ServerConfig(home=home, host="127.0.0.1", port=0, dialect="redshift", user=USER, password=PASSWORD)
    for key, value in overrides.items():
        setattr(config, key, value)
    return ServerThread(config).start()


