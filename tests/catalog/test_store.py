"""The SQLite-backed Glue catalog: round-trips, names, errors, atomicity, sharing, versions."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lakebox.catalog.model import (
    MANAGED_TABLE,
    PARQUET_INPUT,
    PARQUET_OUTPUT,
    PARQUET_SERDE,
    VIRTUAL_VIEW,
    Column,
    Database,
    Partition,
    SerDeInfo,
    StorageDescriptor,
    Table,
)
from lakebox.catalog.store import SCHEMA_VERSION, Catalog, _from_json, _to_json, table_name_pattern
from lakebox.errors import (
    AlreadyExists,
    CatalogError,
    EntityNotFound,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ParseError,
    ProgrammingError,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog():
    with Catalog(":memory:") as cat:
        yield cat


@pytest.fixture
def path(tmp_path):
    return tmp_path / "catalog" / "glue.sqlite"  # parent directory is created on open


def full_table(name: str = "orders", database: str = "sales") -> Table:
    """A table with every field set to something non-default."""
    return Table(
        name=name,
        database_name=database,
        storage_descriptor=StorageDescriptor(
            columns=[
                Column("id", "bigint", "the id", {"k": "v"}),
                Column("tags", "array<struct<a:int,b:string>>"),
                Column("amount", "decimal(10,2)", None, {}),
            ],
            location="s3://bucket/sales/orders/",
            input_format=PARQUET_INPUT,
            output_format=PARQUET_OUTPUT,
            serde_info=SerDeInfo(PARQUET_SERDE, {"serialization.format": "1"}, "serde-name"),
            compressed=True,
            parameters={"sd": "param", "unicode": "naïve ☃"},
        ),
        partition_keys=[Column("year", "int", "yr"), Column("region", "string")],
        table_type=MANAGED_TABLE,
        parameters={"classification": "parquet", "EXTERNAL": "TRUE"},
        description="all orders",
        view_original_text="/* orig */",
        view_expanded_text="/* expanded */",
        owner="alice",
        create_time=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc),
        update_time=datetime(2024, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=-5))),
        version_id=0,
    )


def part(values, database="sales", table="orders", location=None) -> Partition:
    return Partition(list(values), database, table, StorageDescriptor(location=location))


@pytest.fixture
def sales(catalog):
    """A catalog with database 'sales' and partitioned table 'orders'."""
    catalog.create_database(Database("sales"))
    catalog.create_table(full_table())
    return catalog


# --------------------------------------------------------------------------- serialization


def test_json_round_trips_every_field():
    table = full_table()
    again = _from_json(Table, _to_json(table))
    assert again == table
    assert again.storage_descriptor.serde_info.parameters == {"serialization.format": "1"}
    assert again.create_time.tzinfo is not None and again.update_time.utcoffset() == timedelta(hours=-5)
    assert isinstance(again.storage_descriptor.columns[0], Column)


@pytest.mark.parametrize(
    "obj",
    [
        Database("d", "desc", "s3://x/", {"a": "b"}, datetime(2020, 5, 6, 7, 8, 9)),  # naive datetime
        Database("d"),
        Partition(["2024", "eu"], "db", "t", StorageDescriptor(location="s3://x/"), {"p": "q"}, datetime(2021, 1, 1)),
        Table("t", "d"),
    ],
)
def test_json_round_trips(obj):
    assert _from_json(type(obj), _to_json(obj)) == obj


def test_json_ignores_unknown_fields():
    text = _to_json(Database("d")).replace('"name"', '"future_field": 1, "name"')
    assert _from_json(Database, text) == Database("d")


def test_store_round_trips_table(sales):
    assert sales.get_table("sales", "orders") == full_table()


def test_store_does_not_mutate_arguments(catalog):
    db = Database("Sales")
    catalog.create_database(db)
    assert db.create_time is None
    table = Table("T", "sales", version_id=7)
    stored = catalog.create_table(table)
    assert table.create_time is None and table.version_id == 7
    assert stored.version_id == 0 and stored.create_time is not None


def test_create_sets_times(catalog):
    before = datetime.now(timezone.utc)
    db = catalog.create_database(Database("d"))
    table = catalog.create_table(Table("t", "d"))
    assert db.create_time >= before
    assert catalog.get_database("d").create_time == db.create_time
    assert table.create_time >= before and table.update_time == table.create_time


# --------------------------------------------------------------------------- databases


def test_databases_crud(catalog):
    catalog.create_database(Database("b", description="bee"))
    catalog.create_database(Database("a"))
    assert [d.name for d in catalog.get_databases()] == ["a", "b"]
    assert catalog.get_database("b").description == "bee"

    catalog.update_database("b", Database("b", description="new", parameters={"x": "y"}))
    updated = catalog.get_database("b")
    assert (updated.description, updated.parameters) == ("new", {"x": "y"})
    assert updated.create_time is not None  # kept from the original

    catalog.delete_database("a")
    assert [d.name for d in catalog.get_databases()] == ["b"]


def test_update_database_cannot_rename(catalog):
    catalog.create_database(Database("a"))
    with pytest.raises(ProgrammingError, match="Cannot rename database 'a' to 'b'"):
        catalog.update_database("a", Database("b"))


def test_database_errors(catalog):
    catalog.create_database(Database("sales"))
    with pytest.raises(AlreadyExists, match=r"^Database 'sales' already exists$"):
        catalog.create_database(Database("SALES"))
    with pytest.raises(EntityNotFound) as info:
        catalog.get_database("slaes")
    assert str(info.value) == "Database 'slaes' not found (did you mean 'sales'?)"
    with pytest.raises(EntityNotFound, match=r"^Database 'zzz' not found$"):
        catalog.delete_database("zzz")
    with pytest.raises(EntityNotFound, match="did you mean 'sales'"):
        catalog.update_database("sale", Database("sale"))


def test_error_classes_are_dbapi():
    assert issubclass(EntityNotFound, ProgrammingError)
    assert issubclass(AlreadyExists, CatalogError)


def test_delete_non_empty_database(sales):
    with pytest.raises(CatalogError, match="Database 'sales' is not empty"):
        sales.delete_database("sales")
    assert sales.table_exists("sales", "orders")


def test_delete_database_cascade(sales):
    sales.batch_create_partition("sales", "orders", [part(["2024", "eu"])])
    sales.update_table(full_table())
    sales.create_database(Database("other"))
    sales.create_table(Table("keep", "other"))

    sales.delete_database("SALES", cascade=True)

    assert [d.name for d in sales.get_databases()] == ["other"]
    # Re-creating the names finds nothing left over.
    sales.create_database(Database("sales"))
    sales.create_table(full_table())
    assert sales.get_partitions("sales", "orders") == []
    assert [t.version_id for t in sales.get_table_versions("sales", "orders")] == [0]
    assert sales.table_exists("other", "keep")


# --------------------------------------------------------------------------- tables


def test_names_are_case_insensitive(catalog):
    catalog.create_database(Database("Sales"))
    catalog.create_table(Table("Orders", "SALES", partition_keys=[Column("Year", "int")]))
    assert catalog.get_database("sAlEs").name == "sales"
    table = catalog.get_table("SALES", "ORDERS")
    assert (table.name, table.database_name, table.partition_keys[0].name) == ("orders", "sales", "year")
    assert catalog.table_exists("Sales", "oRdErs")
    assert [t.name for t in catalog.get_tables("SALES", "ORD*")] == ["orders"]
    catalog.batch_create_partition("SALES", "Orders", [Partition(["2024"], "x", "y")])
    assert catalog.get_partition("sales", "ORDERS", ["2024"]).table_name == "orders"
    assert len(catalog.get_partitions("Sales", "Orders", "YEAR = 2024")) == 1
    catalog.delete_table("SALES", "ORDERS")
    assert not catalog.table_exists("sales", "orders")


def test_table_errors(sales):
    with pytest.raises(AlreadyExists, match=r"^Table 'sales.orders' already exists$"):
        sales.create_table(Table("ORDERS", "sales"))
    with pytest.raises(EntityNotFound) as info:
        sales.get_table("sales", "ordrs")
    assert str(info.value) == "Table 'sales.ordrs' not found (did you mean 'orders'?)"
    with pytest.raises(EntityNotFound, match=r"^Database 'slaes' not found \(did you mean 'sales'\?\)$"):
        sales.get_table("slaes", "orders")
    with pytest.raises(EntityNotFound, match="Database 'nope' not found"):
        sales.create_table(Table("t", "nope"))
    with pytest.raises(EntityNotFound, match="Table 'sales.nope' not found"):
        sales.update_table(Table("nope", "sales"))
    with pytest.raises(EntityNotFound, match="Table 'sales.nope' not found"):
        sales.delete_table("sales", "nope")
    with pytest.raises(EntityNotFound, match="Database 'nope' not found"):
        sales.get_tables("nope")
    assert not sales.table_exists("nope", "orders")


def test_get_tables_sorted_and_filtered(catalog):
    catalog.create_database(Database("d"))
    for name in ["orders", "customers", "order_items", "x1y", "xay", "view1"]:
        kind = VIRTUAL_VIEW if name.startswith("view") else MANAGED_TABLE
        catalog.create_table(Table(name, "d", table_type=kind))

    def names(expression=None):
        return [t.name for t in catalog.get_tables("d", expression)]

    assert names() == ["customers", "order_items", "orders", "view1", "x1y", "xay"]
    assert names("*") == names()
    assert names("order*") == ["order_items", "orders"]
    assert names("ORDERS|customers") == ["customers", "orders"]
    assert names("*s") == ["customers", "order_items", "orders"]
    assert names("x.y") == []  # only * and | are special
    assert names("orders|view*") == ["orders", "view1"]
    assert catalog.get_tables("d", "view1")[0].is_view


def test_table_name_pattern():
    assert table_name_pattern("a*|b").fullmatch("AXYZ")
    assert not table_name_pattern("a").fullmatch("ab")


def test_table_versions(sales):
    original = sales.get_table("sales", "orders")
    assert original.version_id == 0

    changed = original.copy()
    changed.description = "v1"
    v1 = sales.update_table(changed)
    changed.description = "v2"
    changed.storage_descriptor.columns.append(Column("extra", "string"))
    v2 = sales.update_table(changed)

    assert (v1.version_id, v2.version_id) == (1, 2)
    assert v2.create_time == original.create_time
    assert v2.update_time > original.update_time
    current = sales.get_table("sales", "orders")
    assert current == v2 and current.description == "v2"

    versions = sales.get_table_versions("SALES", "Orders")
    assert [(t.version_id, t.description) for t in versions] == [(2, "v2"), (1, "v1"), (0, "all orders")]
    assert [c.name for c in versions[-1].columns] == ["id", "tags", "amount"]
    assert versions[-1] == original

    with pytest.raises(EntityNotFound, match="did you mean 'orders'"):
        sales.get_table_versions("sales", "order")


def test_delete_table_removes_partitions_and_versions(sales):
    sales.batch_create_partition("sales", "orders", [part(["2024", "eu"])])
    sales.update_table(full_table())
    sales.delete_table("sales", "orders")
    assert not sales.table_exists("sales", "orders")
    sales.create_table(full_table())
    assert sales.get_partitions("sales", "orders") == []
    assert len(sales.get_table_versions("sales", "orders")) == 1


# --------------------------------------------------------------------------- partitions


def test_partitions_crud(sales):
    added = sales.batch_create_partition(
        "sales",
        "orders",
        [part([2024, "eu"], location="s3://b/2024/eu/"), part(["2023", "us"], table="ignored")],
    )
    assert added == 2
    got = sales.get_partition("sales", "orders", [2024, "eu"])
    assert got.values == ["2024", "eu"] and got.location == "s3://b/2024/eu/"
    assert (got.database_name, got.table_name) == ("sales", "orders")
    assert got.create_time is not None

    # Round trip of every partition field.
    full = Partition(
        ["2022", "ap"],
        "sales",
        "orders",
        StorageDescriptor([Column("c", "int")], "s3://x/", PARQUET_INPUT, PARQUET_OUTPUT, SerDeInfo(PARQUET_SERDE)),
        {"k": "v"},
        datetime(2022, 2, 2, tzinfo=timezone.utc),
    )
    sales.batch_create_partition("sales", "orders", [full])
    assert sales.get_partition("sales", "orders", ["2022", "ap"]) == full

    # update_partition: same values, new location; create_time kept.
    moved = sales.update_partition("sales", "orders", ["2024", "eu"], part(["2024", "eu"], location="s3://new/"))
    assert moved.create_time == got.create_time
    assert sales.get_partition("sales", "orders", ["2024", "eu"]).location == "s3://new/"

    # update_partition may change the values (a move), but not onto an existing partition.
    sales.update_partition("sales", "orders", ["2024", "eu"], part(["2025", "eu"]))
    with pytest.raises(EntityNotFound):
        sales.get_partition("sales", "orders", ["2024", "eu"])
    with pytest.raises(AlreadyExists, match="Partition year=2023/region=us of table 'sales.orders' already exists"):
        sales.update_partition("sales", "orders", ["2025", "eu"], part(["2023", "us"]))
    assert sales.get_partition("sales", "orders", ["2025", "eu"])

    assert sales.batch_delete_partition("sales", "orders", [["2025", "eu"], ["2023", "us"]]) == 2
    assert [p.values for p in sales.get_partitions("sales", "orders")] == [["2022", "ap"]]


def test_partition_values_are_case_sensitive(sales):
    sales.batch_create_partition("sales", "orders", [part(["1", "EU"]), part(["1", "eu"])])
    assert [p.values for p in sales.get_partitions("sales", "orders")] == [["1", "EU"], ["1", "eu"]]


def test_partitions_sorted_by_typed_values(sales):
    values = [["10", "b"], ["9", "b"], ["9", "a"], ["100", "a"], ["-1", "z"]]
    sales.batch_create_partition("sales", "orders", [part(v) for v in values])
    assert [p.values for p in sales.get_partitions("sales", "orders")] == [
        ["-1", "z"],
        ["9", "a"],
        ["9", "b"],
        ["10", "b"],
        ["100", "a"],
    ]


def test_get_partitions_with_expression(sales):
    values = [[str(y), r] for y in (9, 10, 2023, 2024) for r in ("eu", "us", "ap")]
    sales.batch_create_partition("sales", "orders", [part(v) for v in values])

    def got(expression):
        return [p.values for p in sales.get_partitions("sales", "orders", expression)]

    assert got("year > '9' AND region = 'eu'") == [["10", "eu"], ["2023", "eu"], ["2024", "eu"]]
    assert got("year IN (9, 2024) AND region <> 'us'") == [["9", "ap"], ["9", "eu"], ["2024", "ap"], ["2024", "eu"]]
    assert got("Year BETWEEN 10 AND 2023 AND NOT (region LIKE '%u%')") == [["10", "ap"], ["2023", "ap"]]
    assert len(got(None)) == len(got("  ")) == 12
    with pytest.raises(ParseError, match="position"):
        got("year >")
    with pytest.raises(EntityNotFound, match="did you mean 'region'"):
        got("regoin = 'eu'")


def test_partition_errors(sales):
    sales.batch_create_partition("sales", "orders", [part(["2024", "eu"])])
    with pytest.raises(EntityNotFound) as info:
        sales.get_partition("sales", "orders", ["2024", "ue"])
    assert str(info.value) == (
        "Partition year=2024/region=ue of table 'sales.orders' not found (did you mean 'year=2024/region=eu'?)"
    )
    with pytest.raises(ProgrammingError, match="expected 2 value"):
        sales.batch_create_partition("sales", "orders", [part(["2024"])])
    with pytest.raises(ProgrammingError, match="expected 2 value"):
        sales.get_partition("sales", "orders", ["2024", "eu", "x"])
    with pytest.raises(EntityNotFound, match="Table 'sales.ordres' not found"):
        sales.batch_create_partition("sales", "ordres", [part(["2024", "eu"])])
    with pytest.raises(EntityNotFound):
        sales.update_partition("sales", "orders", ["1999", "eu"], part(["1999", "eu"]))


def test_batch_create_partition_is_all_or_nothing(sales):
    sales.batch_create_partition("sales", "orders", [part(["2024", "eu"])])
    batch = [part(["2024", "us"]), part(["2024", "eu"]), part(["2024", "ap"])]
    with pytest.raises(AlreadyExists, match="Partition year=2024/region=eu of table 'sales.orders' already exists"):
        sales.batch_create_partition("sales", "orders", batch)
    assert [p.values for p in sales.get_partitions("sales", "orders")] == [["2024", "eu"]]

    # A bad value count late in the batch also adds nothing.
    with pytest.raises(ProgrammingError):
        sales.batch_create_partition("sales", "orders", [part(["2020", "us"]), part(["2021"])])
    assert len(sales.get_partitions("sales", "orders")) == 1

    # Duplicates inside one batch count too.
    with pytest.raises(AlreadyExists):
        sales.batch_create_partition("sales", "orders", [part(["1", "a"]), part(["1", "a"])])
    assert len(sales.get_partitions("sales", "orders")) == 1

    assert sales.batch_create_partition("sales", "orders", batch + [part(["2024", "us"])], if_not_exists=True) == 2
    assert len(sales.get_partitions("sales", "orders")) == 3


def test_batch_delete_partition_is_all_or_nothing(sales):
    sales.batch_create_partition("sales", "orders", [part(["1", "a"]), part(["2", "b"])])
    with pytest.raises(EntityNotFound, match="Partition year=3/region=c"):
        sales.batch_delete_partition("sales", "orders", [["1", "a"], ["3", "c"]])
    assert len(sales.get_partitions("sales", "orders")) == 2
    assert sales.batch_delete_partition("sales", "orders", [["1", "a"], ["3", "c"]], if_exists=True) == 1
    assert [p.values for p in sales.get_partitions("sales", "orders")] == [["2", "b"]]


def test_unpartitioned_table_rejects_partitions(catalog):
    catalog.create_database(Database("d"))
    catalog.create_table(Table("t", "d"))
    with pytest.raises(ProgrammingError, match=r"partition keys of 'd.t' \(none\)"):
        catalog.batch_create_partition("d", "t", [Partition(["x"], "d", "t")])
    assert catalog.batch_create_partition("d", "t", []) == 0


# --------------------------------------------------------------------------- transactions


def test_transaction_rolls_back_everything(catalog):
    with pytest.raises(RuntimeError):
        with catalog.transaction() as cat:
            assert cat is catalog
            catalog.create_database(Database("d"))
            catalog.create_table(Table("t", "d", partition_keys=[Column("p", "string")]))
            catalog.batch_create_partition("d", "t", [Partition(["x"], "d", "t")])
            catalog.put_crawler("c", {"x": 1})
            catalog.create_external_schema("s", "d")
            assert catalog.table_exists("d", "t")  # visible inside the transaction
            raise RuntimeError("boom")
    assert catalog.get_databases() == []
    assert catalog.get_crawlers() == [] and catalog.get_external_schemas() == []
    with pytest.raises(EntityNotFound):
        catalog.get_table("d", "t")


def test_transaction_commits_at_outermost_block(path):
    with Catalog(path) as writer, Catalog(path) as reader:
        with writer.transaction():
            writer.create_database(Database("a"))
            with writer.transaction():
                writer.create_database(Database("b"))
            # The nested block has finished but nothing is committed yet.
            assert reader.get_databases() == []
        assert [d.name for d in reader.get_databases()] == ["a", "b"]


def test_failed_nested_call_is_undone_alone(sales):
    with sales.transaction():
        sales.batch_create_partition("sales", "orders", [part(["1", "a"])])
        with pytest.raises(AlreadyExists):
            # Inserts ["2", "b"] before hitting the duplicate: that insert must not survive.
            sales.batch_create_partition("sales", "orders", [part(["2", "b"]), part(["1", "a"])])
        with pytest.raises(ValueError):
            with sales.transaction():
                sales.create_database(Database("gone"))
                raise ValueError
        sales.create_database(Database("kept"))
    assert [p.values for p in sales.get_partitions("sales", "orders")] == [["1", "a"]]
    assert [d.name for d in sales.get_databases()] == ["kept", "sales"]


def test_failed_call_leaves_no_trace(sales):
    with pytest.raises(AlreadyExists):
        sales.create_table(full_table())
    assert len(sales.get_table_versions("sales", "orders")) == 1


# --------------------------------------------------------------------------- sharing a file


def test_two_catalogs_share_a_file(path):
    with Catalog(path) as one, Catalog(path) as two:
        one.create_database(Database("d"))
        assert two.get_database("d").name == "d"
        two.create_table(Table("t", "d", partition_keys=[Column("p", "int")]))
        assert one.table_exists("d", "t")
        one.batch_create_partition("d", "t", [Partition(["1"], "d", "t")])
        assert [p.values for p in two.get_partitions("d", "t")] == [["1"]]
        changed = two.get_table("d", "t")
        changed.description = "by two"
        two.update_table(changed)
        assert one.get_table("d", "t").description == "by two"
        one.delete_database("d", cascade=True)
        assert two.get_databases() == []
    # And the data persists across reopening.
    with Catalog(path) as again:
        assert again.get_databases() == []


def test_file_settings(path):
    with Catalog(path):
        pass
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        expected = {"databases", "tables", "table_versions", "partitions", "redshift_external_schemas", "crawlers"}
        assert expected <= tables
    finally:
        conn.close()


def test_newer_schema_version_is_refused(path):
    with Catalog(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(OperationalError, match="newer"):
        Catalog(path)


def test_not_a_database_file(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OperationalError):
        Catalog(bad)


def test_concurrent_writers_in_threads(path):
    with Catalog(path) as cat:
        cat.create_database(Database("d"))
        cat.create_table(Table("t", "d", partition_keys=[Column("w", "int"), Column("i", "int")]))
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            with Catalog(path) as own:
                for i in range(20):
                    own.batch_create_partition("d", "t", [Partition([str(worker), str(i)], "d", "t")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Catalog(path) as cat:
        assert len(cat.get_partitions("d", "t")) == 80


def test_one_catalog_shared_by_threads(catalog):
    catalog.create_database(Database("d"))
    catalog.create_table(Table("t", "d", partition_keys=[Column("i", "int")]))

    def work(worker: int) -> None:
        for i in range(25):
            with catalog.transaction():
                catalog.batch_create_partition("d", "t", [Partition([str(worker * 100 + i)], "d", "t")])
                catalog.get_partitions("d", "t")

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(catalog.get_partitions("d", "t")) == 100


def test_concurrent_writers_in_processes(path):
    with Catalog(path) as cat:
        cat.create_database(Database("d"))
        cat.create_table(Table("t", "d", partition_keys=[Column("w", "int"), Column("i", "int")]))
    script = textwrap.dedent(
        """
        import sys
        from lakebox.catalog.model import Partition
        from lakebox.catalog.store import Catalog
        path, worker = sys.argv[1], sys.argv[2]
        with Catalog(path) as cat:
            for i in range(15):
                with cat.transaction():
                    cat.batch_create_partition("d", "t", [Partition([worker, str(i)], "d", "t")])
                    cat.get_partitions("d", "t")
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(path), str(w)], cwd=ROOT, stderr=subprocess.PIPE)
        for w in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    with Catalog(path) as cat:
        assert len(cat.get_partitions("d", "t")) == 45


def test_closed_catalog(path):
    cat = Catalog(path)
    cat.close()
    cat.close()  # idempotent
    with pytest.raises(InterfaceError, match="closed"):
        cat.get_databases()


def test_sqlite_errors_become_dbapi_errors(catalog):
    with pytest.raises(IntegrityError):
        with catalog.transaction():
            # Simulate a bug slipping past the existence checks.
            catalog._conn.execute("INSERT INTO databases VALUES ('x', '{}')")
            catalog._conn.execute("INSERT INTO databases VALUES ('x', '{}')")
    assert catalog.get_databases() == []


# --------------------------------------------------------------------------- external schemas


def test_external_schemas(catalog):
    created = catalog.create_external_schema("Spectrum", "Sales", "arn:aws:iam::123:role/r")
    assert created["schema_name"] == "spectrum" and created["database_name"] == "sales"
    assert isinstance(created["created"], datetime)
    assert catalog.get_external_schema("SPECTRUM") == created
    assert catalog.get_external_schema("nope") is None

    with pytest.raises(AlreadyExists, match="Schema 'spectrum' already exists"):
        catalog.create_external_schema("spectrum", "other")
    assert catalog.create_external_schema("spectrum", "other", if_not_exists=True) == created

    catalog.create_external_schema("another", "db2")
    assert [s["schema_name"] for s in catalog.get_external_schemas()] == ["another", "spectrum"]
    assert catalog.get_external_schemas()[0]["iam_role"] is None

    with pytest.raises(EntityNotFound, match=r"Schema 'spectrun' not found \(did you mean 'spectrum'\?\)"):
        catalog.drop_external_schema("spectrun")
    assert catalog.drop_external_schema("spectrun", if_exists=True) is False
    assert catalog.drop_external_schema("SPECTRUM") is True
    assert [s["schema_name"] for s in catalog.get_external_schemas()] == ["another"]


# --------------------------------------------------------------------------- crawlers


def test_crawlers(catalog):
    catalog.put_crawler("Nightly", {"targets": ["s3://b/x/"], "schedule": None, "nested": {"a": [1, 2]}})
    catalog.put_crawler("hourly", {"targets": []})
    assert catalog.get_crawler("NIGHTLY") == {
        "targets": ["s3://b/x/"],
        "schedule": None,
        "nested": {"a": [1, 2]},
        "name": "nightly",
    }
    catalog.put_crawler("nightly", {"targets": ["s3://c/"]})  # replaces
    assert catalog.get_crawler("nightly") == {"targets": ["s3://c/"], "name": "nightly"}
    assert [c["name"] for c in catalog.get_crawlers()] == ["hourly", "nightly"]

    with pytest.raises(EntityNotFound, match=r"Crawler 'nightli' not found \(did you mean 'nightly'\?\)"):
        catalog.get_crawler("nightli")
    catalog.delete_crawler("HOURLY")
    with pytest.raises(EntityNotFound, match="Crawler 'hourly' not found"):
        catalog.delete_crawler("hourly")
    assert [c["name"] for c in catalog.get_crawlers()] == ["nightly"]
