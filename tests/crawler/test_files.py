"""Exclusion globs (Glue's syntax) and the one listing per target."""

from __future__ import annotations

import os

import pytest

from lakebox.catalog.crawler.files import Exclusions, absolute_level, glob_regex, list_target
from lakebox.connectors.storage import Storage


@pytest.mark.parametrize("pattern, path, matches", [
    ("*.csv", "a.csv", True),
    ("*.csv", "dir/a.csv", False),  # '*' stays within one folder
    ("**.csv", "dir/sub/a.csv", True),
    ("**/*.csv", "a.csv", True),
    ("**/*.csv", "x/y/a.csv", True),
    ("*.*", "a.b", True),
    ("*.*", "ab", False),
    ("*.{csv,avro}", "a.avro", True),
    ("*.{csv,avro}", "a.json", False),
    ("foo.?", "foo.c", True),
    ("foo.?", "foo.cc", False),
    ("myfolder/*", "myfolder/a", True),
    ("myfolder/*", "myfolder/a/b", False),
    ("myfolder/*/*", "myfolder/a/b", True),
    ("myfolder/**", "myfolder/a/b/c", True),
    ("year=20[12][0-9]/**", "year=2019/x", True),
    ("year=20[12][0-9]/**", "year=2030/x", False),
    ("[!a]*", "b.txt", True),
    ("[!a]*", "a.txt", False),
    ("{a,b{1,2}}/*", "b2/x", True),
    ("{a,b{1,2}}/*", "b3/x", False),
    ("/abs/*.csv", "abs/x.csv", True),
    ("a+b(c).csv", "a+b(c).csv", True),
])
def test_glob(pattern, path, matches):
    assert bool(glob_regex(pattern).match(path)) is matches


def test_exclusions_cover_folders():
    ex = Exclusions(["departments", "logs/**", " ", "*.tmp"])
    assert ex.excludes(("departments", "a", "b.csv"))
    assert ex.excludes(("logs", "x.csv"))
    assert ex.excludes(("x.tmp",))
    assert not ex.excludes(("sub", "x.tmp"))
    assert not ex.excludes(("data", "x.csv"))
    assert not Exclusions([])


def test_listing_skips_hidden_and_markers(tmp_path):
    root = tmp_path / "t"
    for rel in ("dt=1/a.parquet", "dt=1/_SUCCESS", "dt=1/.a.parquet.crc", "_temporary/0/x.parquet",
                "dt=2_$folder$", "dt=2/b.csv", ".hidden/c.csv", "z/tmp/y.csv"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 3)
    listing = list_target(Storage(tmp_path / "home", {}), str(root), Exclusions(["z/**"]))
    assert [f.rel for f in listing.files] == [("dt=1", "a.parquet"), ("dt=2", "b.csv")]
    assert listing.excluded == 1 and all(f.size == 3 for f in listing.files)


def test_listing_a_file_or_nothing(tmp_path):
    storage = Storage(tmp_path / "home", {})
    (tmp_path / "f.csv").write_text("a,b\n")
    listing = list_target(storage, str(tmp_path / "f.csv"), Exclusions([]))
    assert listing.is_file and [f.rel for f in listing.files] == [("f.csv",)]
    missing = list_target(storage, str(tmp_path / "nope"), Exclusions([]))
    assert not missing.exists and missing.files == []


def test_s3_standin_listing(tmp_path):
    storage = Storage(tmp_path / "home", {})
    path = tmp_path / "home" / "s3" / "bucket" / "prefix" / "k=1" / "a.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"a": 1}\n')
    listing = list_target(storage, "s3://bucket/prefix/", Exclusions([]))
    assert [f.rel for f in listing.files] == [("k=1", "a.json")]
    assert storage.to_uri(listing.files[0].path) == "s3://bucket/prefix/k=1/a.json"


def test_absolute_level():
    assert absolute_level("s3://bucket") == 1
    assert absolute_level("s3://bucket/a/b/") == 3
    assert absolute_level(os.sep + os.path.join("data", "lake")) == 2
