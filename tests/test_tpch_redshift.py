"""TPC-H at scale factor 0.1 in Redshift's idioms, through lakebox, equal to DuckDB's answers.

The 22 queries in bench/queries/redshift use what Redshift users write: `DATEADD`, `ADD_MONTHS`,
`DATE_PART`, `EXTRACT`, `TOP n`, `::` casts, `SUBSTRING`/`LEFT`, `INTERVAL '1 year'`. lakebox runs them
in the Redshift dialect against a Spectrum external schema over the same Parquet files that a raw
DuckDB reads for bench/queries/duckdb; the answers must agree at the precision lakebox reports
(bench/tpch.py `compare`: a DECIMAL of scale s agrees with DuckDB's DOUBLE after rounding to s, which
is what Redshift's DECIMAL(38,s) AVG reports).
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.1


def _load_bench():
    name = "lakebox_bench_tpch"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "tpch.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


tpch = _load_bench()


def _redshift_queries() -> dict[int, str]:
    return tpch.load_queries("redshift")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    if tpch.find_tpchgen() is None:
        pytest.skip("tpchgen-cli is not installed (pip install tpchgen-cli, or lakebox[bench])")
    generated = tpch.generate(SCALE, tmp_path_factory.mktemp("tpch-sf01-redshift"), quiet=True)
    assert tpch.check_schema(generated) == []
    return generated


@pytest.fixture(scope="module")
def duckdb_answers(data):
    anchor = tpch.DuckDBAnchor(data)
    try:
        return {n: anchor.run(sql)[0] for n, sql in tpch.load_queries("duckdb").items()}
    finally:
        anchor.close()


@pytest.fixture(scope="module")
def redshift(data, tmp_path_factory):
    """lakebox with the TPC-H tables in the Glue catalog (database tpch), queried from Redshift through
    an external schema of the same name."""
    engine = tpch.LakeboxEngine(data, home=tmp_path_factory.mktemp("redshift-home"))
    engine.conn.dialect = "redshift"
    engine.cur.execute("CREATE EXTERNAL SCHEMA tpch FROM DATA CATALOG DATABASE 'tpch' "
                       "IAM_ROLE 'arn:aws:iam::123456789012:role/spectrum'")
    yield engine
    engine.close()


def test_all_22_redshift_queries_present():
    assert sorted(_redshift_queries()) == list(range(1, 23))


def test_queries_use_redshift_idioms():
    text = " ".join(_redshift_queries().values()).lower()
    for idiom in ("dateadd(", "add_months(", "date_part(", "select top ", "::date", "extract(", "substring("):
        assert idiom in text, idiom
    assert " limit " not in text


_plan_ms: dict[int, float] = {}


@pytest.mark.parametrize("n", tpch.QUERY_NUMBERS, ids=[f"q{n:02d}" for n in tpch.QUERY_NUMBERS])
def test_redshift_tpch_sf01_matches_duckdb(n, redshift, duckdb_answers):
    got, timings = redshift.run(_redshift_queries()[n])
    assert duckdb_answers[n].num_rows > 0, f"Q{n:02d}: the DuckDB answer is empty, the comparison would be vacuous"
    status, detail = tpch.compare(duckdb_answers[n], got)
    assert status in ("ok", "order"), f"Q{n:02d}: {detail}"
    _plan_ms[n] = timings["plan_ms"]


def test_redshift_planning_stays_cheap(redshift):
    queries = _redshift_queries()
    for n in (1, 6, 14):
        redshift.run(queries[n])
    slowest = max(_plan_ms.values(), default=0.0)
    assert slowest < 1000, f"a Redshift TPC-H query took {slowest:.0f} ms to plan"
    if _plan_ms:
        print(f"\nTPC-H SF {SCALE} Redshift: median plan {statistics.median(_plan_ms.values()):.1f} ms")
