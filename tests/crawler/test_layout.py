"""Grouping rules on synthetic files: which folders are tables, which are partitions."""

from __future__ import annotations

from lakebox.catalog.crawler.classifiers import Sample
from lakebox.catalog.crawler.files import FileInfo
from lakebox.catalog.crawler.layout import Planner, sanitize


def f(path: str, columns=("a", "b"), kind="parquet", **sample) -> FileInfo:
    info = FileInfo("/lake/" + path, tuple(path.split("/")), 100)
    info.sample = Sample(kind, [(c, "bigint") for c in columns], 10, **sample)
    return info


def plan(files, **options):
    return Planner("lake", 1, **options).plan(files, False)


def summary(layout):
    return {t.name: ("/".join(t.folder), t.keys, [p.values for p in t.partitions]) for t in layout.tables}


def test_hive_partitions():
    layout = plan([f("sales/year=2019/month=Jan/day=1/x"), f("sales/year=2019/month=Jan/day=2/x"),
                   f("sales/year=2019/month=Feb/day=1/x"), f("sales/year=2019/month=Feb/day=2/x")])
    # The include path is the table root; sales/ is a partition level of it (Glue's rule).
    assert summary(layout) == {"lake": ("", ["partition_0", "year", "month", "day"], [
        ("sales", "2019", "Feb", "1"), ("sales", "2019", "Feb", "2"), ("sales", "2019", "Jan", "1"),
        ("sales", "2019", "Jan", "2")])}


def test_dissimilar_datasets_are_tables_named_after_their_folders():
    layout = plan([f("orders/dt=1/x", ("id", "amount")), f("orders/dt=2/x", ("id", "amount")),
                   f("users/u.csv", ("name", "email"), kind="csv", delimiter=",", header=True)])
    assert summary(layout) == {"orders": ("orders", ["dt"], [("1",), ("2",)]), "users": ("users", [], [])}


def test_majority_of_similar_schemas_groups():
    layout = plan([f("t/p=1/x", ("a", "b")), f("t/p=2/x", ("a", "b", "c")), f("t/p=3/x", ("z",))])
    assert summary(layout) == {"lake": ("", ["partition_0", "p"], [("t", "1"), ("t", "2"), ("t", "3")])}
    merged = layout.tables[0].columns
    assert [n for n, _ in merged] == ["a", "b", "c", "z"]


def test_no_majority_splits():
    layout = plan([f("t/p=1/x", ("a", "b")), f("t/p=2/x", ("c", "d"))])
    assert sorted(summary(layout)) == ["p_1", "p_2"]


def test_combine_compatible_schemas_ignores_similarity_but_not_format():
    files = [f("t/p=1/x", ("a", "b")), f("t/p=2/x", ("c", "d"))]
    assert list(summary(plan(files, combine=True))) == ["lake"]
    files.append(f("t/p=3/x", ("a",), kind="json"))
    assert sorted(summary(plan(files, combine=True))) == ["p_1", "p_2", "p_3"]


def test_different_depths_are_not_partitions_of_one_table():
    layout = plan([f("t/a/x/f"), f("t/b/f")])
    assert sorted(summary(layout)) == ["a", "b"]


def test_mixed_key_names_at_one_level_are_unnamed():
    layout = plan([f("dt=1/f"), f("dt=2/f"), f("other/f")])
    assert summary(layout)["lake"][1] == ["partition_0"]
    assert [p.values for p in layout.tables[0].partitions] == [("dt=1",), ("dt=2",), ("other",)]


def test_escaped_hive_values_and_duplicate_keys():
    layout = plan([f("k=a%2Fb/k=1/f"), f("k=c/k=2/f")])
    assert layout.tables[0].keys == ["k", "partition_1"]
    assert [p.values for p in layout.tables[0].partitions] == [("a/b", "k=1"), ("c", "k=2")]


def test_a_partition_key_shadows_a_data_column():
    layout = plan([f("dt=1/f", ("dt", "v")), f("dt=2/f", ("dt", "v"))])
    assert layout.tables[0].keys == ["dt"] and [n for n, _ in layout.tables[0].columns] == ["v"]


def test_stray_files_beside_partitions():
    layout = plan([f("t/p=1/x"), f("t/p=2/x"), f("t/stray")])
    assert list(summary(layout)) == ["lake"]
    assert [(s.rel, reason.split(":")[0]) for s, reason in layout.strays] == [
        (("t", "stray"), "beside the partition folders of 't'")]


def test_files_of_different_formats_in_one_folder_are_tables_of_their_own():
    layout = plan([f("t/a.parquet"), f("t/b.json", kind="json")])
    assert sorted(summary(layout)) == ["a_parquet", "b_json"]
    assert all(t.is_file for t in layout.tables)


def test_table_level():
    files = [f("t1/a/f"), f("t1/b/f"), f("t2/c/f"), f("t2/d/f")]
    assert list(summary(plan(files))) == ["lake"]
    layout = Planner("lake", 1, table_level=2).plan(files, False)
    assert summary(layout) == {"t1": ("t1", ["partition_0"], [("a",), ("b",)]),
                               "t2": ("t2", ["partition_0"], [("c",), ("d",)])}


def test_known_tables_stay_tables():
    files = [f("a/p=1/x"), f("a/p=2/x")]
    assert list(summary(Planner("lake", 1).plan(files, False))) == ["lake"]
    assert list(summary(Planner("lake", 1, known=[("a",)]).plan(files, False))) == ["a"]


def test_duplicate_names_get_a_location_hash():
    layout = plan([f("x/data/f", ("a",)), f("x/other/f", ("a",), kind="json"),
                   f("y/data/f", ("b",)), f("y/more/f", ("b",), kind="json")])
    names = sorted(t.name for t in layout.tables)
    assert names[2:] == ["more", "other"]
    assert names[0].startswith("data_") and names[1].startswith("data_") and names[0] != names[1]


def test_sanitize():
    assert sanitize("Year=2017") == "year_2017"
    assert sanitize("my-data.csv") == "my_data_csv"
    assert sanitize("") == "_"
