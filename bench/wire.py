"""Wire-server benchmark: a 1,000,000-row, four-column result fetched by psycopg from lakebox and
from a real PostgreSQL serving the same rows, in the same run; and SELECT 1 round-trip latency.

Both servers run as their own processes on this machine (lakebox via `lakebox serve`, PostgreSQL
from Debian's initdb/pg_ctl, or LAKEBOX_PG_DSN); the client is psycopg 3 in this process, reading
text (its default) and, as a second measurement, binary. Prints a table and, with --markdown, the
section for bench/RESULTS.md.

    .venv/bin/python bench/wire.py [--rows 1000000] [--runs 5] [--pings 2000] [--markdown]
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import platform
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "bench", "bench-pw"
QUERY = "SELECT id, name, amount, day FROM bench.rows"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_rows(n: int) -> pa.Table:
    ids = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(42)
    names = pa.array(np.char.add("customer-", (ids % 100_003).astype(str)))
    amounts = np.round(rng.random(n) * 10_000, 2)
    days = pa.array((ids % 3650).astype(np.int32) + 18262, pa.int32()).cast(pa.date32())  # from 2020-01-01
    return pa.table({"id": ids, "name": names, "amount": amounts, "day": days})


# --------------------------------------------------------------------------- lakebox


def start_lakebox(rows: pa.Table, workdir: Path):
    home = workdir / "lakebox-home"
    data = home / "s3" / "bench" / "rows"
    data.mkdir(parents=True)
    pq.write_table(rows, data / "part-0.parquet")
    sys.path.insert(0, str(ROOT))
    import lakebox

    conn = lakebox.connect(home=home, dialect="athena")
    cur = conn.cursor()
    cur.execute("CREATE DATABASE bench")
    cur.execute("CREATE EXTERNAL TABLE bench.rows (id bigint, name string, amount double, day date) "
                "STORED AS PARQUET LOCATION 's3://bench/rows/'")
    conn.close()
    port = free_port()
    env = dict(os.environ, LAKEBOX_PASSWORD=PASSWORD, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "lakebox.cli.main", "serve", "--home", str(home), "--port",
                                str(port), "--user", USER, "--dialect", "redshift"], env=env,
                               stderr=subprocess.PIPE, text=True)
    dsn = f"host=127.0.0.1 port={port} user={USER} password={PASSWORD} dbname=bench"
    wait_for(dsn, process)
    return process, dsn


def wait_for(dsn: str, process=None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(dsn, connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read()}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# --------------------------------------------------------------------------- PostgreSQL


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class Postgres:
    def __init__(self):
        self.directory = None
        self.pg_ctl = _binary("pg_ctl")

    def start(self) -> str:
        initdb = _binary("initdb")
        if not initdb or not self.pg_ctl:
            raise RuntimeError("PostgreSQL not found: apt-get install postgresql (or set LAKEBOX_PG_DSN)")
        self.directory = tempfile.mkdtemp(prefix="lakebox-bench-pg-")
        if os.geteuid() == 0:
            pwd.getpwnam("postgres")
            shutil.chown(self.directory, "postgres")
        data = os.path.join(self.directory, "data")
        port = free_port()
        subprocess.run(_as_postgres([initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                     "--locale=C", "--no-sync"]), check=True, capture_output=True, timeout=120)
        options = (f"-p {port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c timezone=UTC -c shared_buffers=256MB")
        subprocess.run(_as_postgres([self.pg_ctl, "-D", data, "-o", options, "-l",
                                     os.path.join(self.directory, "log"), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, timeout=120)
        return f"host=127.0.0.1 port={port} user=postgres dbname=postgres"

    def stop(self) -> None:
        if self.directory:
            subprocess.run(_as_postgres([self.pg_ctl, "-D", os.path.join(self.directory, "data"), "-m", "fast",
                                         "-w", "stop"]), capture_output=True, timeout=60)
            shutil.rmtree(self.directory, ignore_errors=True)


def load_postgres(dsn: str, rows: pa.Table) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bench CASCADE")
        conn.execute("CREATE SCHEMA bench")
        conn.execute("CREATE TABLE bench.rows (id bigint, name text, amount double precision, day date)")
        with conn.cursor() as cur, cur.copy("COPY bench.rows FROM STDIN") as copy:
            batch = []
            for i, (a, b, c, d) in enumerate(zip(*(col.to_pylist() for col in rows.columns))):
                batch.append(f"{a}\t{b}\t{c!r}\t{d.isoformat()}\n")
                if len(batch) == 50_000:
                    copy.write("".join(batch))
                    batch = []
            copy.write("".join(batch))
        conn.execute("VACUUM ANALYZE bench.rows")


# --------------------------------------------------------------------------- measurements


def fetch_seconds(dsn: str, binary: bool) -> tuple[float, int]:
    with psycopg.connect(dsn) as conn:
        with conn.cursor(binary=binary) as cur:
            started = time.perf_counter()
            cur.execute(QUERY)
            rows = cur.fetchall()
            elapsed = time.perf_counter() - started
    return elapsed, len(rows)


def ping_micros(dsn: str, count: int) -> float:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(50):
            conn.execute("SELECT 1").fetchone()
        times = []
        for _ in range(count):
            started = time.perf_counter()
            conn.execute("SELECT 1").fetchone()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pings", type=int, default=2000)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    rows = make_rows(args.rows)
    workdir = Path(tempfile.mkdtemp(prefix="lakebox-wire-bench-"))
    cluster = None
    lakebox_process = None
    try:
        pg_dsn = os.environ.get("LAKEBOX_PG_DSN")
        if not pg_dsn:
            cluster = Postgres()
            pg_dsn = cluster.start()
        load_postgres(pg_dsn, rows)
        lakebox_process, lb_dsn = start_lakebox(rows, workdir)
        results = {}
        for label, binary in (("text", False), ("binary", True)):
            for target, dsn in (("postgres", pg_dsn), ("lakebox", lb_dsn)):
                fetch_seconds(dsn, binary)  # warm-up
            times = {"postgres": [], "lakebox": []}
            for _ in range(args.runs):  # alternate, so both see the same machine state
                for target, dsn in (("postgres", pg_dsn), ("lakebox", lb_dsn)):
                    seconds, count = fetch_seconds(dsn, binary)
                    assert count == args.rows, (target, count)
                    times[target].append(seconds)
            results[label] = times
        pings = {target: ping_micros(dsn, args.pings) for target, dsn in (("postgres", pg_dsn), ("lakebox", lb_dsn))}
        with psycopg.connect(pg_dsn) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
    finally:
        if lakebox_process is not None:
            lakebox_process.terminate()
            lakebox_process.wait(timeout=30)
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    lines = []
    for label, times in results.items():
        pg, lb = statistics.median(times["postgres"]), statistics.median(times["lakebox"])
        pg_min, lb_min = min(times["postgres"]), min(times["lakebox"])
        lines.append((label, pg, lb, lb / pg, pg_min, lb_min, lb_min / pg_min))
    print(f"{args.rows:,} rows x 4 columns (bigint, text, double precision, date), psycopg {psycopg.__version__}, "
          f"{args.runs} runs each, PostgreSQL {pg_version}")
    print(f"{'format':<8} {'postgres s':>11} {'lakebox s':>10} {'ratio':>6}   (min: pg / lakebox / ratio)")
    for label, pg, lb, ratio, pg_min, lb_min, ratio_min in lines:
        print(f"{label:<8} {pg:>11.3f} {lb:>10.3f} {ratio:>6.3f}   ({pg_min:.3f} / {lb_min:.3f} / {ratio_min:.3f})")
    print(f"SELECT 1 round trip, median of {args.pings}: postgres {pings['postgres']:.0f} us, "
          f"lakebox {pings['lakebox']:.0f} us ({pings['lakebox'] / pings['postgres']:.2f}x)")
    if args.markdown:
        print()
        print(markdown(args, lines, pings, pg_version))
    return 0


def markdown(args, lines, pings, pg_version) -> str:
    commit = os.environ.get("LAKEBOX_BENCH_COMMIT") or subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "unknown"
    out = [
        "## Wire server: 1,000,000 rows through psycopg, lakebox vs PostgreSQL",
        "",
        f"* **Date:** {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"* **Machine:** {os.cpu_count()} cores, Linux; Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}, psycopg {psycopg.__version__}, PostgreSQL {pg_version} (Debian, fsync off, "
        "shared_buffers 256MB, table in cache after a warm-up)",
        f"* **lakebox:** commit {commit}, `lakebox serve` (Redshift dialect) over a Parquet external table",
        f"* **Command:** `.venv/bin/python bench/wire.py --rows {args.rows} --runs {args.runs} --markdown`",
        f"* **Query:** `{QUERY}`: {args.rows:,} rows of (bigint, text, double precision, date); the client "
        "runs `cursor.execute` + `fetchall()` in its own process, both servers in theirs; timings are medians of "
        f"{args.runs} alternating runs after a warm-up (minimums in brackets).",
        "",
        "| result format | PostgreSQL s | lakebox s | ratio (target <= 1.0) |",
        "|:--|--:|--:|--:|",
    ]
    for label, pg, lb, ratio, pg_min, lb_min, ratio_min in lines:
        out.append(f"| {label} | {pg:.3f} ({pg_min:.3f}) | {lb:.3f} ({lb_min:.3f}) | {ratio:.3f} ({ratio_min:.3f}) |")
    out += ["", f"`SELECT 1` round trip (median of {args.pings} `conn.execute('SELECT 1').fetchone()` calls, psycopg's "
                f"extended protocol, autocommit): PostgreSQL "
                f"{pings['postgres']:.0f} µs, lakebox {pings['lakebox']:.0f} µs "
                f"({pings['lakebox'] / pings['postgres']:.1f}x).", ""]
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
