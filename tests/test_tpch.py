"""TPC-H at scale factor 0.1, written in each service's idioms, through lakebox, equal to DuckDB's answers.

bench/queries/athena uses what Athena users write (`date_add`, `year()`, `substr`, `interval`);
bench/queries/redshift what Redshift users write (`DATEADD`, `ADD_MONTHS`, `DATE_PART`, `TOP n`, `::`
casts), run against a Spectrum external schema. bench/queries/duckdb, run on a raw in-process DuckDB
over the same Parquet files, gives the expected answers. Equality is at the precision lakebox reports
(bench/tpch.py `compare`: a DECIMAL of scale s agrees with DuckDB's value rounded to s). The data is
generated once per session with tpchgen-cli (a few seconds). Timing lives in bench/tpch.py, not here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.1
IDIOMS = {
    "athena": ("date_add(", "extract(year", "substr(", "interval '"),
    "redshift": ("dateadd(", "add_months(", "date_part(", "select top ", "::date", "extract(", "substring("),
}


def _load_bench():
    name = "lakebox_bench_tpch"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "tpch.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


tpch = _load_bench()


@pytest.fixture(scope="session")
def tpch_sf01(tmp_path_factory):
    """TPC-H SF 0.1 as Parquet (one folder per table), generated once per session."""
    if tpch.find_tpchgen() is None:
        pytest.skip("tpchgen-cli is not installed (pip install tpchgen-cli, or lakebox[bench])")
    data = tpch.generate(SCALE, tmp_path_factory.mktemp("tpch-sf01"), quiet=True)
    assert tpch.check_schema(data) == []
    return data


@pytest.fixture(scope="module")
def duckdb_answers(tpch_sf01):
    anchor = tpch.DuckDBAnchor(tpch_sf01)
    try:
        return {n: anchor.run(sql)[0] for n, sql in tpch.load_queries("duckdb").items()}
    finally:
        anchor.close()


@pytest.fixture(scope="module", params=sorted(IDIOMS))
def engine(request, tpch_sf01, tmp_path_factory):
    """lakebox with the TPC-H tables in the Glue database tpch; Redshift reaches it as an external schema."""
    dialect = request.param
    engine = tpch.LakeboxEngine(tpch_sf01, home=tmp_path_factory.mktemp(f"{dialect}-home"))
    if dialect == "redshift":
        engine.conn.dialect = "redshift"
        engine.cur.execute("CREATE EXTERNAL SCHEMA tpch FROM DATA CATALOG DATABASE 'tpch' "
                           "IAM_ROLE 'arn:aws:iam::123456789012:role/spectrum'")
    yield dialect, engine
    engine.close()


@pytest.mark.parametrize("dialect", sorted(IDIOMS))
def test_queries_are_written_in_the_dialects_idioms(dialect):
    queries = tpch.load_queries(dialect)
    assert sorted(queries) == list(range(1, 23))
    text = " ".join(queries.values()).lower()
    for idiom in IDIOMS[dialect]:
        assert idiom in text, idiom


@pytest.mark.parametrize("n", tpch.QUERY_NUMBERS, ids=[f"q{n:02d}" for n in tpch.QUERY_NUMBERS])
def test_tpch_sf01_matches_duckdb(n, engine, duckdb_answers):
    dialect, lakebox_engine = engine
    got, timings = lakebox_engine.run(tpch.load_queries(dialect)[n])
    assert duckdb_answers[n].num_rows > 0, f"Q{n:02d}: the DuckDB answer is empty, the comparison would be vacuous"
    status, detail = tpch.compare(duckdb_answers[n], got)
    assert status in ("ok", "order"), f"{dialect} Q{n:02d}: {detail}"
    assert set(timings) >= {"plan_ms", "execute_ms"}
