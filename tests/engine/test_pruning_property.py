"""Property: partition pruning never changes a result.

Random rows are written once partitioned (Hive folders by two keys) and once as a single file; a
random predicate mixing partition keys and data columns must select the same rows from both.
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lakebox

REGIONS = ["eu", "us", "ap"]
DAYS = [1, 2, 3, 4]

rows_strategy = st.lists(
    st.tuples(st.sampled_from(REGIONS), st.sampled_from(DAYS), st.integers(-5, 5) | st.none()),
    min_size=0, max_size=30)

partition_atom = st.one_of(
    st.sampled_from(REGIONS + ["xx"]).map(lambda r: f"region = '{r}'"),
    st.sampled_from(REGIONS).map(lambda r: f"region <> '{r}'"),
    st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3).map(
        lambda rs: "region IN (" + ", ".join(f"'{r}'" for r in rs) + ")"),
    st.tuples(st.sampled_from(["<", "<=", ">", ">=", "=", "<>"]), st.integers(0, 5)).map(
        lambda t: f"day {t[0]} {t[1]}"),
    st.tuples(st.integers(0, 4), st.integers(0, 5)).map(lambda t: f"day BETWEEN {t[0]} AND {t[1]}"),
    st.just("day % 2 = 0"),
    st.just("upper(region) = 'EU'"),
)
data_atom = st.one_of(
    st.tuples(st.sampled_from(["<", ">", "="]), st.integers(-5, 5)).map(lambda t: f"v {t[0]} {t[1]}"),
    st.just("v IS NULL"),
)


def combine(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: f"({t[0]} AND {t[1]})"),
        st.tuples(children, children).map(lambda t: f"({t[0]} OR {t[1]})"),
        children.map(lambda c: f"(NOT {c})"),
    )


predicates = st.recursive(st.one_of(partition_atom, data_atom), combine, max_leaves=5)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("prop")
    connection = lakebox.connect(root / "home")
    yield connection, root
    connection.close()


def write(root: Path, rows) -> None:
    import shutil
    for name in ("parted", "flat"):
        shutil.rmtree(root / name, ignore_errors=True)
    flat = root / "flat"
    flat.mkdir()
    schema = pa.schema([("region", pa.string()), ("day", pa.int32()), ("v", pa.int64())])
    pq.write_table(pa.Table.from_pylist([dict(zip(("region", "day", "v"), r)) for r in rows], schema=schema),
                   flat / "all.parquet")
    for region in REGIONS:
        for day in DAYS:
            folder = root / "parted" / f"region={region}" / f"day={day}"
            folder.mkdir(parents=True)
            values = [r[2] for r in rows if r[0] == region and r[1] == day]
            if values or day % 2:  # some partitions are empty folders, some hold an empty file
                pq.write_table(pa.table({"v": pa.array(values, pa.int64())}), folder / "part.parquet")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, predicate=predicates)
def test_pruned_result_equals_unpartitioned(workspace, rows, predicate):
    connection, root = workspace
    cur = connection.cursor()
    write(root, rows)
    cur.execute("DROP TABLE IF EXISTS parted")
    cur.execute("DROP TABLE IF EXISTS flat")
    cur.execute(f"CREATE EXTERNAL TABLE parted (v bigint) PARTITIONED BY (region string, day int) "
                f"STORED AS PARQUET LOCATION '{root}/parted/'")
    cur.execute("MSCK REPAIR TABLE parted")
    cur.execute(f"CREATE EXTERNAL TABLE flat (region string, day int, v bigint) "
                f"STORED AS PARQUET LOCATION '{root}/flat/'")
    query = "SELECT region, day, v FROM {} WHERE " + predicate + " ORDER BY 1, 2, 3"
    expected = cur.execute(query.format("flat")).fetchall()
    assert cur.execute(query.format("parted")).fetchall() == expected
    joined = ("SELECT p.region, p.day, p.v FROM {} p JOIN (SELECT 1 AS one) o ON o.one = 1 WHERE "
              + predicate.replace("region", "p.region").replace("day", "p.day").replace("v ", "p.v ")
              + " ORDER BY 1, 2, 3")
    assert cur.execute(joined.format("parted")).fetchall() == expected
