#!/usr/bin/env python
"""TPC-H benchmark: lakebox (Athena dialect) against raw DuckDB on the same Parquet files.

    python bench/tpch.py                   # SF1, 5 timed runs per query (+1 warm-up)
    python bench/tpch.py --sf 0.01 --runs 1 --warmup 0   # CI-size smoke
    python bench/tpch.py --engine sqlglot  # no lakebox: run the Athena text transpiled by sqlglot

Data is generated with ``tpchgen-cli`` (Parquet, one folder per table) into
``bench/data/sf<SF>/<table>/<table>.1.parquet`` and reused when present.

The anchor is a fresh in-process ``duckdb.connect()`` with one view per table over
``read_parquet('<dir>/<table>/*.parquet')``; the queries are ``bench/queries/duckdb``.
lakebox gets ``CREATE EXTERNAL TABLE ... STORED AS PARQUET LOCATION 'file:///.../<table>/'``
in database ``tpch`` and runs ``bench/queries/athena`` (Trino/Athena idioms).

Each query is run ``--warmup`` times per engine, then ``--runs`` times alternating
the two engines (the order flips every round); the median wall time (execute +
fetch to Arrow) is reported.  Results of the two engines are compared (row count,
values; numbers with a tolerance, see :func:`values_equal`).  Exit code: 0 ok,
1 a result mismatch or an error, 3 a performance target missed with ``--fail-on-target``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import decimal
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

BENCH_DIR = Path(__file__).resolve().parent
QUERY_DIR = BENCH_DIR / "queries"
DEFAULT_DATA_DIR = BENCH_DIR / "data"
DATABASE = "tpch"

# Targets from the issue.
TARGET_TOTAL_RATIO = 1.05
TARGET_MEDIAN_PLAN_MS = 5.0

# Glue/Hive column types matching what tpchgen-cli writes (checked by check_schema):
# int64 -> bigint, int32 -> int, decimal128(15,2) -> decimal(15,2), date32 -> date,
# string/string_view -> string.
SCHEMA: dict[str, list[tuple[str, str]]] = {
    "region": [("r_regionkey", "bigint"), ("r_name", "string"), ("r_comment", "string")],
    "nation": [
        ("n_nationkey", "bigint"),
        ("n_name", "string"),
        ("n_regionkey", "bigint"),
        ("n_comment", "string"),
    ],
    "supplier": [
        ("s_suppkey", "bigint"),
        ("s_name", "string"),
        ("s_address", "string"),
        ("s_nationkey", "bigint"),
        ("s_phone", "string"),
        ("s_acctbal", "decimal(15,2)"),
        ("s_comment", "string"),
    ],
    "customer": [
        ("c_custkey", "bigint"),
        ("c_name", "string"),
        ("c_address", "string"),
        ("c_nationkey", "bigint"),
        ("c_phone", "string"),
        ("c_acctbal", "decimal(15,2)"),
        ("c_mktsegment", "string"),
        ("c_comment", "string"),
    ],
    "part": [
        ("p_partkey", "bigint"),
        ("p_name", "string"),
        ("p_mfgr", "string"),
        ("p_brand", "string"),
        ("p_type", "string"),
        ("p_size", "int"),
        ("p_container", "string"),
        ("p_retailprice", "decimal(15,2)"),
        ("p_comment", "string"),
    ],
    "partsupp": [
        ("ps_partkey", "bigint"),
        ("ps_suppkey", "bigint"),
        ("ps_availqty", "int"),
        ("ps_supplycost", "decimal(15,2)"),
        ("ps_comment", "string"),
    ],
    "orders": [
        ("o_orderkey", "bigint"),
        ("o_custkey", "bigint"),
        ("o_orderstatus", "string"),
        ("o_totalprice", "decimal(15,2)"),
        ("o_orderdate", "date"),
        ("o_orderpriority", "string"),
        ("o_clerk", "string"),
        ("o_shippriority", "int"),
        ("o_comment", "string"),
    ],
    "lineitem": [
        ("l_orderkey", "bigint"),
        ("l_partkey", "bigint"),
        ("l_suppkey", "bigint"),
        ("l_linenumber", "int"),
        ("l_quantity", "decimal(15,2)"),
        ("l_extendedprice", "decimal(15,2)"),
        ("l_discount", "decimal(15,2)"),
        ("l_tax", "decimal(15,2)"),
        ("l_returnflag", "string"),
        ("l_linestatus", "string"),
        ("l_shipdate", "date"),
        ("l_commitdate", "date"),
        ("l_receiptdate", "date"),
        ("l_shipinstruct", "string"),
        ("l_shipmode", "string"),
        ("l_comment", "string"),
    ],
}
TABLES = list(SCHEMA)
QUERY_NUMBERS = list(range(1, 23))


# --------------------------------------------------------------------------- data


def sf_label(sf: float) -> str:
    """1 -> 'sf1', 0.01 -> 'sf0.01', 10.0 -> 'sf10'."""
    return "sf" + (f"{sf:g}")


def find_tpchgen() -> str | None:
    """The tpchgen-cli executable: next to this interpreter first, then PATH."""
    here = Path(sys.executable).parent / "tpchgen-cli"
    if here.exists():
        return str(here)
    return shutil.which("tpchgen-cli")


def generate(sf: float, data_dir: Path = DEFAULT_DATA_DIR, *, quiet: bool = False) -> Path:
    """Generate TPC-H Parquet at scale ``sf`` into ``data_dir/sf<sf>`` (cached).

    Layout: ``<dir>/<table>/<table>.1.parquet``.  Generation goes to a temporary
    sibling folder that is renamed at the end, so an interrupted run never leaves
    a half-written data set behind that later runs would trust.
    """
    target = Path(data_dir) / sf_label(sf)
    if all((target / t).is_dir() and any((target / t).glob("*.parquet")) for t in TABLES):
        return target
    exe = find_tpchgen()
    if exe is None:
        raise RuntimeError("tpchgen-cli not found (pip install tpchgen-cli)")
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cmd = [exe, "parquet", "-s", f"{sf:g}", "--parts", "1", "--output-dir", str(tmp), "--quiet"]
    if not quiet:
        print(f"generating TPC-H {sf_label(sf)}: {' '.join(cmd)}", file=sys.stderr)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    # Older tpchgen-cli versions ignore --parts 1 and write <table>.parquet: move
    # each file into its own folder (one folder per table is what LOCATION wants).
    for t in TABLES:
        flat = tmp / f"{t}.parquet"
        if flat.exists():
            (tmp / t).mkdir(exist_ok=True)
            flat.rename(tmp / t / f"{t}.1.parquet")
    missing = [t for t in TABLES if not any((tmp / t).glob("*.parquet"))]
    if missing:
        raise RuntimeError(f"tpchgen-cli did not produce tables {missing} in {tmp}")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    if not quiet:
        print(f"generated in {time.perf_counter() - t0:.1f}s -> {target}", file=sys.stderr)
    return target


def check_schema(data: Path) -> list[str]:
    """Differences between SCHEMA and the Parquet files' schema (empty list = ok)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def glue(t: pa.DataType) -> str:
        if pa.types.is_int64(t):
            return "bigint"
        if pa.types.is_int32(t):
            return "int"
        if pa.types.is_decimal(t):
            return f"decimal({t.precision},{t.scale})"
        if pa.types.is_date32(t):
            return "date"
        if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
            return "string"
        if pa.types.is_floating(t):
            return "double"
        return str(t)

    problems = []
    for table, cols in SCHEMA.items():
        f = sorted((data / table).glob("*.parquet"))[0]
        s = pq.read_schema(f)
        actual = [(n, glue(t)) for n, t in zip(s.names, s.types)]
        if actual != cols:
            problems.append(f"{table}: declared {cols} but the files have {actual}")
    return problems


def ddl_statements(data: Path, database: str = DATABASE) -> list[str]:
    """Athena DDL: CREATE DATABASE + one CREATE EXTERNAL TABLE per TPC-H table."""
    stmts = [f"CREATE DATABASE IF NOT EXISTS {database}"]
    for table, cols in SCHEMA.items():
        coldefs = ",\n    ".join(f"{n} {t}" for n, t in cols)
        location = (Path(data).resolve() / table).as_uri() + "/"
        stmts.append(
            f"CREATE EXTERNAL TABLE IF NOT EXISTS {database}.{table} (\n    {coldefs}\n)\n"
            f"STORED AS PARQUET\nLOCATION '{location}'"
        )
    return stmts


# ------------------------------------------------------------------------ queries


def load_queries(dialect: str) -> dict[int, str]:
    """{n: sql} for bench/queries/<dialect>/qNN.sql (comment lines and ';' stripped)."""
    out = {}
    for n in QUERY_NUMBERS:
        text = (QUERY_DIR / dialect / f"q{n:02d}.sql").read_text()
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("--")]
        out[n] = "\n".join(lines).strip().rstrip(";").strip()
    return out


# ------------------------------------------------------------------------ engines


def _duck_arrow(con, sql: str):
    """Run ``sql`` on a raw DuckDB connection, result as Arrow, by the fastest path.

    ``con.sql(q).to_arrow_table()`` (duckdb >= 1.4 names it so; DuckDB warns that
    Arrow from a DB-API ``execute`` result makes an extra copy of the rows)."""
    rel = con.sql(sql)
    f = getattr(rel, "to_arrow_table", None) or rel.arrow
    return f()


class Engine:
    """Runs one SQL text; returns (arrow table, {'plan_ms', 'execute_ms'} or {})."""

    name = "?"

    def run(self, sql: str):
        raise NotImplementedError

    def close(self) -> None:
        pass


class DuckDBAnchor(Engine):
    """Raw DuckDB: a fresh in-process connection with one read_parquet view per table."""

    name = "duckdb"

    def __init__(self, data: Path, threads: int | None = None, schema: str | None = None):
        import duckdb

        self.con = duckdb.connect()
        if threads:
            self.con.sql(f"SET threads = {int(threads)}")
        prefix = ""
        if schema:
            self.con.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            prefix = schema + "."
        for t in TABLES:
            glob = (Path(data).resolve() / t).as_posix() + "/*.parquet"
            self.con.sql(
                f"CREATE OR REPLACE VIEW {prefix}{t} AS SELECT * FROM read_parquet('{glob}')"
            )

    @property
    def threads(self) -> int:
        return int(self.con.sql("SELECT current_setting('threads')").fetchall()[0][0])

    def run(self, sql: str):
        return _duck_arrow(self.con, sql), {}

    def close(self) -> None:
        self.con.close()


class SqlglotEngine(DuckDBAnchor):
    """Stand-in for lakebox before it exists: Athena text -> sqlglot -> DuckDB.

    A sanity check of the Athena query text only (it says nothing about lakebox)."""

    name = "sqlglot"

    def __init__(self, data: Path, threads: int | None = None):
        super().__init__(data, threads, schema=DATABASE)

    def run(self, sql: str):
        import sqlglot

        t0 = time.perf_counter()
        (duck_sql,) = sqlglot.transpile(sql, read="athena", write="duckdb")
        plan_ms = (time.perf_counter() - t0) * 1e3
        t1 = time.perf_counter()
        tbl = _duck_arrow(self.con, duck_sql)
        return tbl, {"plan_ms": plan_ms, "execute_ms": (time.perf_counter() - t1) * 1e3}


class LakeboxEngine(Engine):
    """lakebox.connect(home=..., dialect='athena') with the TPC-H tables registered."""

    name = "lakebox"

    def __init__(self, data: Path, home: Path | None = None, threads: int | None = None):
        import lakebox

        self._tmp = None
        if home is None:
            self._tmp = tempfile.mkdtemp(prefix="lakebox-bench-home-")
            home = Path(self._tmp)
        self.home = Path(home)
        self.conn = lakebox.connect(home=str(self.home), dialect="athena")
        self.cur = self.conn.cursor()
        for stmt in ddl_statements(data):
            self.cur.execute(stmt)
        self._threads_requested = threads
        if threads:
            self._set_threads(threads)

    def _duckdb(self):
        """The underlying duckdb connection, if lakebox exposes one (best effort)."""
        for obj in (self.conn, getattr(self.conn, "_session", None), getattr(self.conn, "_engine", None)):
            if obj is None:
                continue
            for attr in ("duckdb", "_duckdb", "_con", "con", "_duck", "raw", "_conn"):
                c = getattr(obj, attr, None)
                if c is not None and hasattr(c, "sql") and "duckdb" in type(c).__module__:
                    return c
        return None

    def _set_threads(self, n: int) -> None:
        c = self._duckdb()
        if c is not None:
            c.sql(f"SET threads = {int(n)}")

    @property
    def threads(self) -> int | None:
        c = self._duckdb()
        if c is None:
            return None
        return int(c.sql("SELECT current_setting('threads')").fetchall()[0][0])

    def run(self, sql: str):
        self.cur.execute(sql)
        timings = dict(getattr(self.cur, "timings", None) or {})
        return self.cur.fetch_arrow_table(), timings

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            if self._tmp:
                shutil.rmtree(self._tmp, ignore_errors=True)


ENGINES: dict[str, Callable[..., Engine]] = {"lakebox": LakeboxEngine, "sqlglot": SqlglotEngine}


# --------------------------------------------------------------------- comparison


def _norm(v: Any) -> Any:
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        return v.rstrip()  # CHAR(n) padding is not a difference
    return v


def rows_of(table) -> list[tuple]:
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [tuple(_norm(c[r]) for c in cols) for r in range(table.num_rows)]


def values_equal(a: Any, b: Any) -> bool:
    """Equality for result cells.

    Numbers: equal within a relative 1e-9 (floating-point summation order), and
    when either side is a DECIMAL of scale s, also when they agree after rounding
    to s decimals (Athena semantics such as avg(decimal(15,2)) -> decimal(15,2), or
    an explicit cast(... as decimal(15,2)), legitimately round where DuckDB returns
    a double).  Everything else: ==.
    """
    num = (int, float, decimal.Decimal)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) and not isinstance(b, bool):
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        if math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-9):
            return True
        scales = [
            -x.as_tuple().exponent
            for x in (a, b)
            if isinstance(x, decimal.Decimal) and isinstance(x.as_tuple().exponent, int)
        ]
        if scales:
            s = min(scales)
            return abs(fa - fb) <= 0.5 * 10.0 ** (-s) * (1 + 1e-9) + 1e-9 * max(abs(fa), abs(fb))
        return False
    return a == b


def _row_key(row: tuple) -> tuple:
    out = []
    for v in row:
        if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool):
            out.append((0, round(float(v), 2), ""))
        elif v is None:
            out.append((1, 0.0, ""))
        else:
            out.append((2, 0.0, str(v)))
    return tuple(out)


def compare(expected, actual) -> tuple[str, str]:
    """('ok' | 'order' | 'mismatch', detail). 'order' = same rows, different order."""
    e, a = rows_of(expected), rows_of(actual)
    if expected.num_columns != actual.num_columns:
        return "mismatch", (
            f"column count {actual.num_columns} != {expected.num_columns} "
            f"({actual.column_names} vs {expected.column_names})"
        )
    if len(e) != len(a):
        return "mismatch", f"row count {len(a)} != {len(e)}"

    def first_diff(x, y):
        for i, (rx, ry) in enumerate(zip(x, y)):
            for j, (vx, vy) in enumerate(zip(rx, ry)):
                if not values_equal(vx, vy):
                    return i, j, vx, vy
        return None

    d = first_diff(e, a)
    if d is None:
        return "ok", f"{len(e)} rows"
    d2 = first_diff(sorted(e, key=_row_key), sorted(a, key=_row_key))
    if d2 is None:
        return "order", f"{len(e)} rows, same rows in a different order (first at row {d[0]})"
    i, j, ve, va = d2
    return "mismatch", (
        f"row {i} column {j} ({expected.column_names[j]}): got {va!r}, expected {ve!r}"
    )


# ---------------------------------------------------------------------- benchmark


def _ms(f: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    r = f()
    return (time.perf_counter() - t0) * 1e3, r


def check_answers(
    engine: Engine, anchor: Engine, queries: list[int] | None = None
) -> dict[int, tuple[str, str]]:
    """Run every Athena query on ``engine`` and every DuckDB query on ``anchor``; compare."""
    athena, duck = load_queries("athena"), load_queries("duckdb")
    out = {}
    for n in queries or QUERY_NUMBERS:
        try:
            exp, _ = anchor.run(duck[n])
            got, _ = engine.run(athena[n])
            out[n] = compare(exp, got)
        except Exception as exc:  # noqa: BLE001 - reported per query
            out[n] = ("error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
    return out


def run_benchmark(
    data: Path,
    *,
    engine_name: str = "lakebox",
    runs: int = 5,
    warmup: int = 1,
    queries: list[int] | None = None,
    threads: int | None = None,
    log=print,
) -> dict:
    athena, duck = load_queries("athena"), load_queries("duckdb")
    anchor = DuckDBAnchor(data, threads=threads)
    engine = ENGINES[engine_name](data, threads=threads)
    info = {
        "anchor_threads": anchor.threads,
        "engine_threads": getattr(engine, "threads", None),
    }
    if info["engine_threads"] is None and threads is None:
        # lakebox does not expose its duckdb connection: both use DuckDB's default.
        info["engine_threads"] = "default"
    results = []
    try:
        for n in queries or QUERY_NUMBERS:
            rec: dict[str, Any] = {"q": n}
            try:
                # Warm-up (the first one also gives the answers to compare).
                exp, _ = anchor.run(duck[n])
                got, tm = engine.run(athena[n])
                # The first run plans from scratch; later runs reuse lakebox's cached plan.
                rec["cold_plan_ms"] = float(tm["plan_ms"]) if "plan_ms" in tm else None
                rec["check"], rec["detail"] = compare(exp, got)
                for _ in range(max(0, warmup - 1)):
                    anchor.run(duck[n])
                    engine.run(athena[n])
                d_ms, e_ms, plan, execm, front = [], [], [], [], []
                for i in range(runs):
                    order = ("a", "e") if i % 2 == 0 else ("e", "a")
                    for who in order:
                        if who == "a":
                            ms, _ = _ms(lambda: anchor.run(duck[n]))
                            d_ms.append(ms)
                        else:
                            ms, (_, tm) = _ms(lambda: engine.run(athena[n]))
                            e_ms.append(ms)
                            if "plan_ms" in tm:
                                plan.append(float(tm["plan_ms"]))
                            if "execute_ms" in tm:
                                execm.append(float(tm["execute_ms"]))
                                if "total_ms" in tm:
                                    front.append(float(tm["total_ms"]) - float(tm["execute_ms"]))
                if runs == 0:  # correctness only: time the warm-up
                    d_ms, _ = _ms(lambda: anchor.run(duck[n]))
                    e_ms, (_, tm) = _ms(lambda: engine.run(athena[n]))
                    d_ms, e_ms = [d_ms], [e_ms]
                    plan = [float(tm["plan_ms"])] if "plan_ms" in tm else []
                    execm = [float(tm["execute_ms"])] if "execute_ms" in tm else []
                    if "execute_ms" in tm and "total_ms" in tm:
                        front = [float(tm["total_ms"]) - float(tm["execute_ms"])]
                rec["duckdb_ms"] = statistics.median(d_ms)
                rec["engine_ms"] = statistics.median(e_ms)
                rec["ratio"] = rec["engine_ms"] / rec["duckdb_ms"] if rec["duckdb_ms"] else float("nan")
                rec["plan_ms"] = statistics.median(plan) if plan else None
                rec["execute_ms"] = statistics.median(execm) if execm else None
                # Everything in cur.execute but DuckDB's execution: parse, bind/plan, bookkeeping.
                rec["front_ms"] = statistics.median(front) if front else None
                rec["duckdb_runs"], rec["engine_runs"] = d_ms, e_ms
            except Exception as exc:  # noqa: BLE001 - reported per query
                rec["check"] = "error"
                rec["detail"] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            results.append(rec)
            log(format_row(rec), flush=True)
    finally:
        engine.close()
        anchor.close()
    return {"info": info, "results": results, "summary": summarize(results)}


def summarize(results: list[dict]) -> dict:
    timed = [r for r in results if "engine_ms" in r]
    sd = sum(r["duckdb_ms"] for r in timed)
    se = sum(r["engine_ms"] for r in timed)
    plans = [r["cold_plan_ms"] for r in timed if r.get("cold_plan_ms") is not None]
    warm = [r["plan_ms"] for r in timed if r.get("plan_ms") is not None]
    fronts = [r["front_ms"] for r in timed if r.get("front_ms") is not None]
    bad = [r["q"] for r in results if r.get("check") in ("mismatch", "error")]
    order = [r["q"] for r in results if r.get("check") == "order"]
    sdmin = sum(min(r["duckdb_runs"]) for r in timed)
    semin = sum(min(r["engine_runs"]) for r in timed)
    s = {
        "queries": len(results),
        "timed": len(timed),
        "sum_duckdb_ms": sd,
        "sum_engine_ms": se,
        "total_ratio": se / sd if sd else float("nan"),
        # Same with each query's fastest run: less sensitive to other load on the machine.
        "total_ratio_min": semin / sdmin if sdmin else float("nan"),
        "median_plan_ms": statistics.median(plans) if plans else None,
        "max_plan_ms": max(plans) if plans else None,
        "median_warm_plan_ms": statistics.median(warm) if warm else None,
        "median_front_ms": statistics.median(fronts) if fronts else None,
        "failed": bad,
        "order_only": order,
    }
    s["ratio_ok"] = s["total_ratio"] <= TARGET_TOTAL_RATIO
    s["plan_ok"] = s["median_plan_ms"] is not None and s["median_plan_ms"] < TARGET_MEDIAN_PLAN_MS
    return s


# ------------------------------------------------------------------------- output

HEADER = f"{'query':>5} {'duckdb ms':>10} {'lakebox ms':>11} {'ratio':>7} {'plan ms':>8} {'front ms':>9}  check"
# "plan ms" is the cold plan (first run of the query); "front ms" is per timed (warm) run.


def format_row(r: dict) -> str:
    if "engine_ms" not in r:
        return f"{'Q%02d' % r['q']:>5} {'-':>10} {'-':>11} {'-':>7} {'-':>8} {'-':>9}  {r['check'].upper()}: {r['detail']}"
    plan = f"{r['cold_plan_ms']:.2f}" if r.get("cold_plan_ms") is not None else "-"
    front = f"{r['front_ms']:.2f}" if r.get("front_ms") is not None else "-"
    check = r["check"] if r["check"] == "ok" else f"{r['check'].upper()}: {r['detail']}"
    return (
        f"{'Q%02d' % r['q']:>5} {r['duckdb_ms']:>10.1f} {r['engine_ms']:>11.1f} "
        f"{r['ratio']:>7.3f} {plan:>8} {front:>9}  {check}"
    )


def format_summary(s: dict) -> str:
    lines = [
        f"total  {s['sum_duckdb_ms']:>10.1f} {s['sum_engine_ms']:>11.1f} {s['total_ratio']:>7.3f}",
        "",
        f"total ratio (sum lakebox / sum duckdb): {s['total_ratio']:.3f}  "
        f"(target <= {TARGET_TOTAL_RATIO}: {'met' if s['ratio_ok'] else 'MISSED'})",
        f"total ratio over each query's fastest run (less sensitive to machine load): {s['total_ratio_min']:.3f}",
    ]
    if s["median_plan_ms"] is not None:
        lines.append(
            f"median cold plan ms (first run, nothing cached): {s['median_plan_ms']:.2f} "
            f"(max {s['max_plan_ms']:.2f})  (target < {TARGET_MEDIAN_PLAN_MS}: {'met' if s['plan_ok'] else 'MISSED'})"
        )
        if s.get("median_warm_plan_ms") is not None:
            lines.append(f"median warm plan ms (plan cache hit; scans rebuilt): {s['median_warm_plan_ms']:.2f}")
    else:
        lines.append("median plan ms: n/a (no cur.timings['plan_ms'])")
    if s.get("median_front_ms") is not None:
        lines.append(
            f"median front ms (total_ms - execute_ms: parse + plan + bookkeeping): {s['median_front_ms']:.2f}"
        )
    if s["failed"]:
        lines.append("")
        lines.append("!" * 72)
        lines.append(f"!!! RESULT MISMATCH / ERROR in {', '.join('Q%02d' % q for q in s['failed'])}")
        lines.append("!" * 72)
    if s["order_only"]:
        lines.append(
            "warning: same rows, different order in "
            + ", ".join("Q%02d" % q for q in s["order_only"])
        )
    return "\n".join(lines)


def markdown(report: dict, meta: dict) -> str:
    out = [
        "| query | duckdb ms | lakebox ms | ratio | lakebox cold plan ms | lakebox front ms (warm) | check |",
        "|------:|----------:|-----------:|------:|----------------:|-----------------:|:------|",
    ]
    for r in report["results"]:
        if "engine_ms" not in r:
            out.append(f"| Q{r['q']:02d} | - | - | - | - | - | {r['check']}: {r['detail']} |")
            continue
        plan = f"{r['cold_plan_ms']:.2f}" if r.get("cold_plan_ms") is not None else "-"
        front = f"{r['front_ms']:.2f}" if r.get("front_ms") is not None else "-"
        out.append(
            f"| Q{r['q']:02d} | {r['duckdb_ms']:.1f} | {r['engine_ms']:.1f} | "
            f"{r['ratio']:.3f} | {plan} | {front} | {r['check']} |"
        )
    s = report["summary"]
    plan = f"median **{s['median_plan_ms']:.2f}**" if s["median_plan_ms"] is not None else "-"
    front = f"median **{s['median_front_ms']:.2f}**" if s.get("median_front_ms") is not None else "-"
    out.append(
        f"| **total** | **{s['sum_duckdb_ms']:.1f}** | **{s['sum_engine_ms']:.1f}** | "
        f"**{s['total_ratio']:.3f}** | {plan} | {front} | |"
    )
    return "\n".join(out)


def machine_info() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb

    try:
        import sqlglot

        sqlglot_version = sqlglot.__version__
    except Exception:  # noqa: BLE001
        sqlglot_version = "?"
    try:
        root = BENCH_DIR.parent
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lakebox"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
        commit += " (+ uncommitted changes under lakebox/)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "sqlglot": sqlglot_version,
        "platform": platform.platform(),
    }


# ---------------------------------------------------------------------------- cli


def parse_queries(spec: str | None) -> list[int] | None:
    if not spec:
        return None
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip().lower().lstrip("q")
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi.lstrip("q")) + 1))
        elif part:
            out.append(int(part))
    bad = [q for q in out if q not in QUERY_NUMBERS]
    if bad:
        raise SystemExit(f"no such TPC-H query: {bad}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sf", type=float, default=1.0, help="scale factor (default 1; 0.01 for a smoke run)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where sf<N>/ lives (default bench/data)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per query and engine (median; default 5)")
    p.add_argument("--warmup", type=int, default=1, help="warm-up runs per query and engine (default 1)")
    p.add_argument("--queries", "-q", help="subset, e.g. 1,3,5-7 (default all 22)")
    p.add_argument("--threads", type=int, help="SET threads on both engines (default: DuckDB's default)")
    p.add_argument(
        "--engine",
        choices=sorted(ENGINES),
        default="lakebox",
        help="lakebox (default) or sqlglot (Athena text transpiled by sqlglot into the raw DuckDB; a query-text sanity check)",
    )
    p.add_argument("--json", type=Path, help="also write the full report as JSON here")
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    p.add_argument("--fail-on-target", action="store_true", help="exit 3 when a performance target is missed")
    a = p.parse_args(argv)

    data = generate(a.sf, a.data_dir)
    problems = check_schema(data)
    if problems:
        print("schema of the generated files differs from the DDL:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    meta = machine_info() | {"sf": a.sf, "runs": a.runs, "warmup": a.warmup, "engine": a.engine}
    print(
        f"TPC-H {sf_label(a.sf)}  engine={a.engine}  runs={a.runs} warmup={a.warmup}  "
        f"{meta['date']}  {meta['cores']} cores ({meta['cpu']})  duckdb {meta['duckdb']}  lakebox {meta['commit']}"
    )
    print(HEADER)
    report = run_benchmark(
        data,
        engine_name=a.engine,
        runs=a.runs,
        warmup=a.warmup,
        queries=parse_queries(a.queries),
        threads=a.threads,
    )
    print(format_summary(report["summary"]))
    print(f"threads: duckdb anchor {report['info']['anchor_threads']}, {a.engine} {report['info']['engine_threads']}")
    if a.markdown:
        print()
        print(markdown(report, meta))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"meta": meta, **report}, indent=2, default=str))
    s = report["summary"]
    if s["failed"]:
        return 1
    if a.fail_on_target and not (s["ratio_ok"] and s["plan_ok"]):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
