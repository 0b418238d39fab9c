"""`lakebox crawl` in a subprocess: summary, re-crawls, options, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

LAKEBOX = [sys.executable, "-m", "lakebox.cli.main"]


def lakebox(*args: str, cwd: Path | None = None):
    return subprocess.run([*LAKEBOX, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    for dt in ("2024-01-01", "2024-01-02"):
        folder = root / "orders" / f"dt={dt}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"id": [1, 2], "amount": [1.5, 2.5]}), folder / "part-0.parquet")
    (root / "users").mkdir()
    (root / "users" / "users.csv").write_text("name,age\nann,31\nbob,42\n")
    (root / "logs").mkdir()
    (root / "logs" / "broken.json").write_text('{"a": 1}\n{"a": \n{"a": 3}\n')
    return root


def test_crawl_then_query(tmp_path, lake):
    home = tmp_path / "home"
    result = lakebox("crawl", str(lake), "--database", "lake", "--home", str(home), "--exclude", "logs/**")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "tables created: 2 (orders, users)" in out
    assert "partitions added: 2" in out
    assert "1 excluded" in out
    query = lakebox("sql", "--home", str(home), "--format", "csv", "-e",
                    "SELECT count(*) AS n, sum(amount) AS s FROM lake.orders; SELECT name FROM lake.users ORDER BY 1")
    assert query.returncode == 0, query.stderr
    assert [line for line in query.stdout.replace("\r", "").splitlines() if line] == ["n,s", "4,8", "name", "ann",
                                                                                       "bob"]

    # the same command again is a re-crawl: nothing new
    again = lakebox("crawl", str(lake), "--database", "lake", "--home", str(home), "--exclude", "logs/**")
    assert again.returncode == 0 and "tables created: 0" in again.stdout and "partitions added: 0" in again.stdout

    # a new partition is added once
    folder = lake / "orders" / "dt=2024-01-03"
    folder.mkdir()
    pq.write_table(pa.table({"id": [3], "amount": [3.5]}), folder / "part-0.parquet")
    third = lakebox("crawl", str(lake), "-d", "lake", "--home", str(home), "--exclude", "logs/**")
    assert "partitions added: 1" in third.stdout


def test_skipped_files_are_named(tmp_path, lake):
    result = lakebox("crawl", str(lake), "-d", "lake", "--home", str(tmp_path / "home"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert f"skipped {lake / 'logs' / 'broken.json'}: malformed JSON at line 2" in result.stdout
    assert "tables created: 2 (orders, users)" in result.stdout


def test_relative_path_name_and_table_level(tmp_path, lake):
    home = tmp_path / "home"
    level = len(lake.parts)  # the lake folder itself
    result = lakebox("crawl", "lake", "-d", "db", "--name", "nightly", "--home", str(home), "--table-level",
                     str(level), "--update-behavior", "log", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("crawler nightly: succeeded")


@pytest.mark.parametrize("args, message", [
    (["/no/such/folder", "-d", "x"], "error: no such file or folder: /no/such/folder"),
    (["ftp://host/x", "-d", "x"], "error: unsupported location scheme 'ftp'"),
])
def test_errors_are_one_line(tmp_path, args, message):
    result = lakebox("crawl", *args, "--home", str(tmp_path / "home"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr


def test_usage_errors(tmp_path, lake):
    result = lakebox("crawl", str(lake), "--home", str(tmp_path / "home"))
    assert result.returncode == 2 and "--database" in result.stderr
    result = lakebox("crawl", str(lake), "-d", "x", "--sample-size", "300")
    assert result.returncode == 2 and "1 to 249" in result.stderr
