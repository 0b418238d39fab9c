#!/usr/bin/env python
"""Crawler benchmark: a Glue-style crawl of a partitioned Parquet lake against reading every
Parquet footer once, sequentially, with pyarrow -- both in the same process and run.

    python bench/crawl.py                       # 1,000 partitions x 10 files, 5 rounds
    python bench/crawl.py --partitions 100 --files 5 --rounds 1   # smoke
    python bench/crawl.py --s3                  # the same lake in moto's S3 server (needs moto[server])

The lake (``bench/data/crawl-<P>x<F>/sales/dt=.../part-N.parquet``, 20 rows and 6 columns per
file, written once and reused) is crawled into a fresh workspace each round with
``Crawlers.crawl`` -- listing, reading every footer, grouping, and committing one table with
all its partitions to the catalog. The anchor is ``pyarrow.parquet.read_metadata(path)`` for
every file in a loop, over a file list made beforehand (listing is *not* timed for the anchor).
Rounds alternate the two (the order flips each round) and the medians are compared.

Target: ratio (crawl / anchor) below 1.0.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

TARGET_RATIO = 1.0


def make_lake(root: Path, partitions: int, files: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    lake = root / f"crawl-{partitions}x{files}"
    marker = lake / "_COMPLETE"
    if marker.exists():
        return lake / "sales"
    shutil.rmtree(lake, ignore_errors=True)
    rows = 20
    for p in range(partitions):
        folder = lake / "sales" / f"dt=2024-{p // 28 % 12 + 1:02d}-{p % 28 + 1:02d}-{p:04d}"
        folder.mkdir(parents=True)
        for f in range(files):
            base = (p * files + f) * rows
            table = pa.table({
                "order_id": pa.array(range(base, base + rows), pa.int64()),
                "customer": [f"c{(base + i) % 97}" for i in range(rows)],
                "amount": [((base + i) % 1000) / 10 for i in range(rows)],
                "quantity": pa.array([(base + i) % 7 for i in range(rows)], pa.int32()),
                "paid": [(base + i) % 2 == 0 for i in range(rows)],
                "note": [None if i % 3 else "n" for i in range(rows)],
            })
            pq.write_table(table, folder / f"part-{f:05d}.parquet")
    marker.write_text("")
    return lake / "sales"


def list_files(lake: Path) -> list[str]:
    out = []
    for folder, dirs, names in os.walk(lake):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        out += [os.path.join(folder, n) for n in names if not n.startswith(("_", "."))]
    return sorted(out)


def anchor(files: list[str]) -> float:
    import pyarrow.parquet as pq

    started = time.perf_counter()
    for path in files:
        pq.read_metadata(path)
    return time.perf_counter() - started


def crawl_once(location: str, expected_partitions: int, env: dict[str, str] | None = None) -> tuple[float, object]:
    import lakebox

    home = tempfile.mkdtemp(prefix="lakebox-crawl-bench-")
    try:
        conn = lakebox.connect(home)
        crawlers = conn.crawlers
        if env is not None:
            from lakebox.catalog.crawler import Crawlers
            from lakebox.connectors.storage import Storage

            crawlers = Crawlers(conn.catalog, Storage(Path(home), env))
        started = time.perf_counter()
        result = crawlers.crawl(location, "bench")
        elapsed = time.perf_counter() - started
        tables = conn.catalog.get_tables("bench")
        partitions = conn.catalog.get_partitions("bench", tables[0].name)
        assert len(tables) == 1 and len(partitions) == expected_partitions, (len(tables), len(partitions))
        conn.close()
        return elapsed, result
    finally:
        shutil.rmtree(home, ignore_errors=True)


def anchor_s3(fs, keys: list[str]) -> float:
    """The S3 anchor: pyarrow reads each footer through s3fs, one file after the other."""
    import pyarrow.parquet as pq

    started = time.perf_counter()
    for key in keys:
        with fs.open(key, "rb") as f:
            pq.read_metadata(f)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--files", type=int, default=10, help="files per partition")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--s3", action="store_true", help="crawl the lake through moto's S3 server instead")
    args = parser.parse_args(argv)

    lake = make_lake(args.data, args.partitions, args.files)
    files = list_files(lake)
    n = len(files)
    print(f"lake: {lake} ({n} files in {args.partitions} partitions)")
    print(f"machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python "
          f"{platform.python_version()}")

    env = None
    fs = None
    server = None
    location = str(lake)
    if args.s3:
        server, env, fs, location = _upload_to_moto(lake)
        keys = sorted(k for k in fs.find("bench-lake/sales") if not os.path.basename(k).startswith("_"))

    crawl_times, anchor_times = [], []
    last = None
    try:
        # One warm-up of each (page cache, imports, connection pools).
        anchor(files) if not args.s3 else anchor_s3(fs, keys)
        crawl_once(location, args.partitions, env)
        for round_ in range(args.rounds):
            order = ("anchor", "crawl") if round_ % 2 == 0 else ("crawl", "anchor")
            for which in order:
                if which == "anchor":
                    anchor_times.append(anchor(files) if not args.s3 else anchor_s3(fs, keys))
                else:
                    elapsed, last = crawl_once(location, args.partitions, env)
                    crawl_times.append(elapsed)
            print(f"round {round_ + 1}: anchor {anchor_times[-1]:.3f} s, crawl {crawl_times[-1]:.3f} s")
    finally:
        if server is not None:
            server.stop()

    a, c = statistics.median(anchor_times), statistics.median(crawl_times)
    ratio = c / a
    print()
    print(f"sequential pyarrow footer read ({n} files): median {a:.3f} s (min {min(anchor_times):.3f})")
    print(f"crawl (list + read + infer + commit {args.partitions} partitions): median {c:.3f} s "
          f"(min {min(crawl_times):.3f})")
    print(f"ratio crawl / anchor: {ratio:.3f} (target < {TARGET_RATIO}: {'met' if ratio < TARGET_RATIO else 'MISSED'})")
    if last is not None:
        print(f"last crawl: {last.files_read} files read, {last.partitions_added} partitions, "
              f"{len(last.files_skipped)} skipped")
    return 0 if ratio < TARGET_RATIO else 3


def _upload_to_moto(lake: Path):
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true"}
    os.environ.update(env)
    import s3fs

    fs = s3fs.S3FileSystem(endpoint_url=endpoint, key="bench", secret="bench", use_listings_cache=False,
                           skip_instance_cache=True)
    fs.mkdir("bench-lake")
    fs.put(str(lake), "bench-lake/", recursive=True)
    return server, env, fs, "s3://bench-lake/sales"


if __name__ == "__main__":
    raise SystemExit(main())
