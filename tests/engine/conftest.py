import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lakebox


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def conn(home):
    connection = lakebox.connect(home)
    yield connection
    connection.close()


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """A small lake: partitioned Parquet sales, a CSV with a header, JSON lines."""
    root = tmp_path / "lake"
    for dt, rows in {"2024-01-01": [(1, "ann", 10.5), (2, "bob", 20.0)],
                     "2024-01-02": [(3, "ann", 5.25)],
                     "2024-01-03": [(4, "cid", 7.0), (5, None, 1.0)]}.items():
        folder = root / "sales" / f"dt={dt}"
        folder.mkdir(parents=True)
        table = pa.table({"id": pa.array([r[0] for r in rows], pa.int64()),
                          "customer": pa.array([r[1] for r in rows], pa.string()),
                          "amount": pa.array([r[2] for r in rows], pa.float64())})
        pq.write_table(table, folder / "part-0.parquet")
    (root / "sales" / "_SUCCESS").write_text("")
    csv = root / "customers"
    csv.mkdir(parents=True)
    (csv / "customers.csv").write_text("name,city,since\nann,Oslo,2019\nbob,Lima,2020\ncid,Pune,x\n")
    js = root / "events"
    js.mkdir(parents=True)
    (js / "e.json").write_text("\n".join(json.dumps(r) for r in [
        {"id": 1, "kind": "click", "props": {"x": 1}}, {"id": 2, "kind": "view"}]) + "\n")
    return root


def rows(cursor):
    return cursor.fetchall()
