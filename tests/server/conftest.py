"""Fixtures for the wire-server tests: a small lake and a server on a free port."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from wire_lake import build_lake  # noqa: E402
from wirekit import Running, start  # noqa: E402


@pytest.fixture(scope="session")
def lake_home(tmp_path_factory) -> Path:
    return build_lake(tmp_path_factory.mktemp("wire-lake"))


@pytest.fixture(scope="module")
def server(lake_home):
    thread = start(lake_home)
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()
