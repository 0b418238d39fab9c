from __future__ import annotations

import os
import pathlib

import duckdb
import pytest

from lakebox.connectors.storage import Storage
from lakebox.errors import NotSupportedError, OperationalError, ProgrammingError


@pytest.fixture
def local(tmp_path: pathlib.Path) -> Storage:
    return Storage(tmp_path / "home", env={})


def _touch(path: pathlib.Path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# -- locations -----------------------------------------------------------------------------


def test_s3_maps_to_stand_in_folder(local: Storage) -> None:
    s3 = local.home / "s3"
    assert local.resolve("s3://bucket/a/b.csv") == str(s3 / "bucket/a/b.csv")
    assert local.resolve("s3a://bucket/a/") == str(s3 / "bucket/a")
    assert local.resolve("s3n://bucket") == str(s3 / "bucket")
    assert not local.real_s3


def test_file_uris_and_absolute_paths(local: Storage, tmp_path: pathlib.Path) -> None:
    assert local.resolve(f"file://{tmp_path}/x/") == f"{tmp_path}/x"
    assert local.resolve(f"file:{tmp_path}/x") == f"{tmp_path}/x"  # Hadoop spelling
    assert local.resolve("file:///data/a%20b") == "/data/a b"
    assert local.resolve(str(tmp_path / "y")) == str(tmp_path / "y")
    assert local.resolve(tmp_path / "y") == str(tmp_path / "y")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["relative/path", "./x", "x.csv", ""])
def test_relative_locations_are_rejected(local: Storage, bad: str) -> None:
    with pytest.raises(ProgrammingError, match="absolute or a URI"):
        local.resolve(bad)


def test_bad_locations(local: Storage) -> None:
    with pytest.raises(NotSupportedError, match="gs"):
        local.resolve("gs://bucket/x")
    with pytest.raises(ProgrammingError, match="no bucket"):
        local.resolve("s3:///x")
    with pytest.raises(ProgrammingError, match="escapes"):
        local.resolve("s3://bucket/../../etc")


def test_join_keeps_the_scheme() -> None:
    assert Storage.join("s3://b/t/", "dt=1", "f.parquet") == "s3://b/t/dt=1/f.parquet"
    assert Storage.join("s3a://b", "/k/") == "s3a://b/k"
    assert Storage.join("file:///", "data") == "file:///data"
    assert Storage.join("/", "data", "x") == "/data/x"
    assert Storage.join("/data/t") == "/data/t"


def test_to_uri_round_trips(local: Storage, tmp_path: pathlib.Path) -> None:
    assert local.to_uri(local.resolve("s3://b/t/f.csv")) == "s3://b/t/f.csv"
    assert local.to_uri(str(tmp_path / "f.csv")) == str(tmp_path / "f.csv")


def test_mode_selection(tmp_path: pathlib.Path) -> None:
    assert Storage(tmp_path, env={"LAKEBOX_S3": "real"}).real_s3
    assert Storage(tmp_path, env={"AWS_ENDPOINT_URL": "http://x"}).real_s3
    assert Storage(tmp_path, env={"AWS_ENDPOINT_URL_S3": "http://x"}).endpoint_url == "http://x"
    assert not Storage(tmp_path, env={"AWS_ENDPOINT_URL": "http://x", "LAKEBOX_S3": "local"}).real_s3
    assert Storage(tmp_path, env={"LAKEBOX_S3": "real"}).resolve("s3a://b/k/") == "s3://b/k"


# -- listing -------------------------------------------------------------------------------


def test_list_files_skips_hidden_and_markers(local: Storage) -> None:
    root = local.home / "s3/bucket/tbl"
    for name in [
        "dt=1/a.parquet",
        "dt=1/b.parquet",
        "dt=2/c.parquet",
        "top.csv",
        "_SUCCESS",
        ".part-0.crc",
        "dt=1/_committed_123",
        "dt=1_$folder$",
        "_temporary/0/x.parquet",
        ".hive-staging/y.parquet",
    ]:
        _touch(root / name)
    files = local.list_files("s3://bucket/tbl/")
    assert files == [str(root / n) for n in ["dt=1/a.parquet", "dt=1/b.parquet", "dt=2/c.parquet", "top.csv"]]
    assert local.list_dirs("s3://bucket/tbl") == ["dt=1", "dt=2"]


def test_list_files_of_a_file_and_missing(local: Storage) -> None:
    _touch(local.home / "s3/b/t/f.csv")
    assert local.list_files("s3://b/t/f.csv") == [local.resolve("s3://b/t/f.csv")]
    assert local.list_files("s3://b/nothing/here") == []
    assert local.list_files("s3://nobucket") == []
    assert local.list_dirs("s3://b/nothing") == []
    assert local.list_dirs("s3://b/t/f.csv") == []


def test_hidden_home_does_not_hide_files(tmp_path: pathlib.Path) -> None:
    # Only names below the location count: a workspace under a dot-folder still works.
    storage = Storage(tmp_path / ".lakebox", env={})
    _touch(storage.home / "s3/b/_t/f.csv")
    assert storage.list_files("s3://b/_t") == [str(storage.home / "s3/b/_t/f.csv")]


def test_exists_is_dir_size_open(local: Storage) -> None:
    _touch(local.home / "s3/b/t/f.csv", b"hello")
    assert local.exists("s3://b/t") and local.is_dir("s3://b/t")
    assert local.exists("s3://b/t/f.csv") and not local.is_dir("s3://b/t/f.csv")
    assert not local.exists("s3://b/u")
    assert local.size("s3://b/t/f.csv") == 5
    assert local.size(local.resolve("s3://b/t/f.csv")) == 5
    with local.open("s3://b/t/f.csv") as f:
        assert f.read() == b"hello"


def test_writes(local: Storage, tmp_path: pathlib.Path) -> None:
    local.write_bytes("s3://b/new/dt=1/f.csv", b"1,2\n")  # parents created, as on S3
    assert (local.home / "s3/b/new/dt=1/f.csv").read_bytes() == b"1,2\n"
    assert os.listdir(local.home / "s3/b/new/dt=1") == ["f.csv"]  # no temp file left behind
    with local.open("s3://b/new/dt=2/g.csv", "wb") as f:
        f.write(b"x")
    local.makedirs(f"file://{tmp_path}/made/deep")
    assert (tmp_path / "made/deep").is_dir()
    local.rm("s3://b/new/dt=1")
    assert local.list_dirs("s3://b/new") == ["dt=2"]
    local.rm("s3://b/new/does-not-exist")  # no error, as on S3
    local.rm("s3://b/new/dt=2/g.csv")
    assert local.list_files("s3://b/new") == []


def test_io_errors_name_the_location(local: Storage) -> None:
    with pytest.raises(OperationalError, match="s3://b/missing.csv"):
        local.size("s3://b/missing.csv")
    with pytest.raises(OperationalError, match="s3://b/missing.csv"):
        local.open("s3://b/missing.csv")


def test_register_is_a_no_op_locally(local: Storage) -> None:
    con = duckdb.connect()
    local.register(con)
    assert "s3" not in con.list_filesystems()


# -- real S3 (moto) ------------------------------------------------------------------------


@pytest.fixture
def remote(moto_s3: str, tmp_path: pathlib.Path) -> Storage:
    storage = Storage(tmp_path / "home")  # picks the endpoint up from os.environ
    assert storage.real_s3 and storage.endpoint_url == moto_s3
    storage.s3fs.mkdir("bkt")
    return storage


def test_real_s3_listing_and_markers(remote: Storage) -> None:
    fs = remote.s3fs
    keys = ["dt=1/a.csv", "dt=2/b.csv", "_SUCCESS", "dt=1/.x.crc", "_temporary/0/c.csv", "dt=3_$folder$"]
    for key in keys:
        fs.pipe_file(f"bkt/t/{key}", b"1\n")
    fs.pipe_file("bkt/t/empty/", b"")  # a zero-byte folder marker made by the S3 console
    assert remote.resolve("s3a://bkt/t/") == "s3://bkt/t"
    assert remote.list_files("s3://bkt/t") == ["s3://bkt/t/dt=1/a.csv", "s3://bkt/t/dt=2/b.csv"]
    assert remote.list_files("s3://bkt/t/dt=1/a.csv") == ["s3://bkt/t/dt=1/a.csv"]
    assert remote.list_files("s3://bkt/missing") == []
    assert "dt=1" in remote.list_dirs("s3://bkt/t") and "_temporary" not in remote.list_dirs("s3://bkt/t")
    assert remote.exists("s3://bkt/t/dt=1") and remote.is_dir("s3://bkt/t/dt=1")
    assert not remote.exists("s3://bkt/nope")
    assert remote.size("s3://bkt/t/dt=1/a.csv") == 2


def test_real_s3_writes(remote: Storage) -> None:
    remote.makedirs("s3://bkt/w")  # nothing to do on S3
    remote.write_bytes("s3://bkt/w/x.bin", b"abc")
    with remote.open("s3://bkt/w/x.bin") as f:
        assert f.read() == b"abc"
    assert remote.list_files("s3://bkt/w") == ["s3://bkt/w/x.bin"]  # no stale listing cache
    remote.rm("s3://bkt/w")
    assert remote.list_files("s3://bkt/w") == []
    remote.rm("s3://bkt/w")  # already gone: fine


def test_real_s3_errors_are_operational(remote: Storage) -> None:
    with pytest.raises(OperationalError, match="s3://nobucket/x"):
        remote.size("s3://nobucket/x")


def test_duckdb_reads_s3_through_register_without_httpfs(remote: Storage, tmp_path: pathlib.Path) -> None:
    local_file = tmp_path / "a.parquet"
    con = duckdb.connect()
    # Prove no extension is fetched or loaded: forbid it outright.
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"COPY (SELECT range AS id, 'v' || range AS s FROM range(5)) TO '{local_file}' (FORMAT parquet)")
    remote.s3fs.put(str(local_file), "bkt/t/a.parquet")
    remote.register(con)
    remote.register(con)  # idempotent
    files = remote.list_files("s3://bkt/t")
    query = f"SELECT sum(id), max(s), any_value(filename) FROM read_parquet({files!r}, filename = true)"
    rows = con.execute(query).fetchall()
    assert rows == [(10, "v4", "s3://bkt/t/a.parquet")]
    # Writing through the registered filesystem works too (CTAS/UNLOAD output).
    con.execute("COPY (SELECT 42 AS x) TO 's3://bkt/out/x.parquet' (FORMAT parquet)")
    assert con.execute("SELECT x FROM read_parquet('s3://bkt/out/x.parquet')").fetchall() == [(42,)]
    loaded = con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()
    assert ("httpfs",) not in loaded
