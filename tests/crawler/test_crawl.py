"""End to end: generated lakes (local folders and S3 through moto) crawled into the catalog,
then queried through the engine to check that every crawled table returns what was written."""

from __future__ import annotations

import pytest

from lakebox import errors
from lakebox.catalog import model


def crawl(conn, lake, database="lake", **options):
    return conn.crawlers.crawl(lake.uri(options.pop("rel", "")), database, **options)


def table(conn, name, database="lake"):
    return conn.catalog.get_table(database, name)


def test_formats_and_partitions_are_queryable(conn, lake, helpers):
    # Hive-partitioned Parquet
    lake.parquet("orders/dt=2024-01-01/part-0.parquet", {"id": [1, 2], "amount": [1.5, 2.5]})
    lake.parquet("orders/dt=2024-01-02/part-0.parquet", {"id": [3], "amount": [3.5]})
    # CSV with a header
    lake.text("people/people.csv", "name,age,active\nann,31,true\nbob,42,false\n")
    # CSV without a header (every value a string, so the first row is data)
    lake.text("cities/cities.csv", "paris,france\nrome,italy\n")
    # JSON lines, nested, in unnamed partitions
    for year in ("2023", "2024"):
        lake.json_lines(f"events/{year}/events.json",
                        [{"id": 1, "kind": "click", "meta": {"x": 1, "tags": ["a", "b"]}},
                         {"id": 2, "kind": "view", "meta": {"x": 2, "tags": []}}])
    result = crawl(conn, lake)
    assert sorted(result.tables_created) == ["cities", "events", "orders", "people"]
    assert result.partitions_added == 4
    assert result.files_read == 6 and not result.files_skipped

    orders = table(conn, "orders")
    assert [(k.name, k.type) for k in orders.partition_keys] == [("dt", "string")]
    assert helpers.columns(conn, "lake", "orders") == [("id", "bigint"), ("amount", "double")]
    assert orders.storage_descriptor.serde_info.serialization_library == model.PARQUET_SERDE
    assert orders.location == lake.uri("orders") + "/"
    assert helpers.rows(conn, "SELECT id, amount, dt FROM lake.orders ORDER BY id") == [
        (1, 1.5, "2024-01-01"), (2, 2.5, "2024-01-01"), (3, 3.5, "2024-01-02")]
    partitions = conn.catalog.get_partitions("lake", "orders")
    assert [p.values for p in partitions] == [["2024-01-01"], ["2024-01-02"]]
    assert partitions[0].location == lake.uri("orders/dt=2024-01-01") + "/"

    people = table(conn, "people")
    assert helpers.columns(conn, "lake", "people") == [("name", "string"), ("age", "bigint"), ("active", "boolean")]
    assert people.parameters["skip.header.line.count"] == "1"
    assert people.storage_descriptor.serde_info.serialization_library == model.LAZY_SIMPLE_SERDE
    assert people.storage_descriptor.serde_info.parameters["field.delim"] == ","
    assert helpers.rows(conn, "SELECT * FROM lake.people ORDER BY age") == [("ann", 31, True), ("bob", 42, False)]

    assert helpers.columns(conn, "lake", "cities") == [("col0", "string"), ("col1", "string")]
    assert "skip.header.line.count" not in table(conn, "cities").parameters
    assert helpers.rows(conn, "SELECT col0, col1 FROM lake.cities ORDER BY 1") == [("paris", "france"),
                                                                                    ("rome", "italy")]

    events = table(conn, "events")
    assert [k.name for k in events.partition_keys] == ["partition_0"]
    assert helpers.columns(conn, "lake", "events") == [
        ("id", "bigint"), ("kind", "string"), ("meta", "struct<x:bigint,tags:array<string>>")]
    assert events.storage_descriptor.serde_info.serialization_library == model.JSON_SERDE
    assert helpers.rows(conn, "SELECT partition_0, id, meta.x, cardinality(meta.tags) FROM lake.events "
                              "ORDER BY 1, 2") == [("2023", 1, 1, 2), ("2023", 2, 2, 0), ("2024", 1, 1, 2),
                                                   ("2024", 2, 2, 0)]


def test_table_parameters_as_glue_writes_them(conn, local_lake):
    local_lake.text("t/a.csv", "a|b\n1|x\n2|y\n3|z\n")
    local_lake.text("t/b.csv", "a|b\n4|w\n")
    result = crawl(conn, local_lake, rel="t")
    params = table(conn, "t").parameters
    size = sum(len(t) for t in ("a|b\n1|x\n2|y\n3|z\n", "a|b\n4|w\n"))
    assert params["classification"] == "csv"
    assert params["compressionType"] == "none"
    assert params["typeOfData"] == "file"
    assert params["delimiter"] == "|"
    assert params["skip.header.line.count"] == "1"
    assert params["areColumnsQuoted"] == "false"
    assert params["recordCount"] == "4"
    assert params["objectCount"] == "2"
    assert params["sizeKey"] == str(size)
    assert params["averageRecordSize"] == str(size // 4)
    assert params["UPDATED_BY_CRAWLER"] == result.crawler
    assert params["CrawlerSchemaSerializerVersion"] == "1.0"


@pytest.mark.parametrize("delimiter", [",", "|", "\t", ";", "\x01"])
def test_delimiters(conn, local_lake, helpers, delimiter):
    d = delimiter
    local_lake.text("t/data.txt", f"id{d}name{d}score\n1{d}ann{d}1.5\n2{d}bob{d}2.5\n")
    crawl(conn, local_lake, rel="t")
    t = table(conn, "t")
    assert t.parameters["delimiter"] == d
    assert helpers.columns(conn, "lake", "t") == [("id", "bigint"), ("name", "string"), ("score", "double")]
    assert helpers.rows(conn, "SELECT * FROM lake.t ORDER BY id") == [(1, "ann", 1.5), (2, "bob", 2.5)]


def test_quoted_csv_uses_opencsvserde(conn, local_lake, helpers):
    local_lake.text("q/q.csv", 'id,name,comment\n1,"Smith, Ann","said ""hi"""\n2,"Bob","plain"\n')
    crawl(conn, local_lake, rel="q")
    t = table(conn, "q")
    serde = t.storage_descriptor.serde_info
    assert serde.serialization_library == model.OPEN_CSV_SERDE
    assert serde.parameters["separatorChar"] == "," and serde.parameters["quoteChar"] == '"'
    assert t.parameters["areColumnsQuoted"] == "true"
    assert helpers.rows(conn, "SELECT id, name, comment FROM lake.q ORDER BY id") == [
        (1, "Smith, Ann", 'said "hi"'), (2, "Bob", "plain")]


def test_gzip_text(conn, lake, helpers):
    lake.text("logs/a.csv.gz", "id,msg\n1,a\n2,b\n", compress=True)
    lake.json_lines("jl/a.json.gz", [{"k": 1}, {"k": 2}], compress=True)
    crawl(conn, lake)
    assert table(conn, "logs").parameters["compressionType"] == "gzip"
    assert helpers.rows(conn, "SELECT * FROM lake.logs ORDER BY id") == [(1, "a"), (2, "b")]
    assert table(conn, "jl").parameters["compressionType"] == "gzip"
    assert helpers.rows(conn, "SELECT k FROM lake.jl ORDER BY k") == [(1,), (2,)]


def test_orc_and_avro(conn, local_lake, helpers):
    local_lake.orc("o/a.orc", {"id": [1, 2], "name": ["x", "y"]})
    schema = {"type": "record", "name": "r", "fields": [
        {"name": "id", "type": "long"}, {"name": "name", "type": ["null", "string"]},
        {"name": "tags", "type": {"type": "array", "items": "string"}}]}
    local_lake.avro("av/a.avro", schema, [{"id": 1, "name": "x", "tags": ["t"]}, {"id": 2, "name": None, "tags": []}])
    crawl(conn, local_lake)
    assert helpers.columns(conn, "lake", "o") == [("id", "bigint"), ("name", "string")]
    assert table(conn, "o").storage_descriptor.serde_info.serialization_library == model.ORC_SERDE
    assert helpers.rows(conn, "SELECT * FROM lake.o ORDER BY id") == [(1, "x"), (2, "y")]
    av = table(conn, "av")
    assert av.parameters["classification"] == "avro" and av.parameters["recordCount"] == "2"
    assert helpers.columns(conn, "lake", "av") == [("id", "bigint"), ("name", "string"), ("tags", "array<string>")]
    assert "avro.schema.literal" in av.storage_descriptor.serde_info.parameters
    # The engine has no Avro reader: a query says so clearly instead of returning wrong rows.
    with pytest.raises(errors.NotSupportedError, match="AvroSerDe"):
        helpers.rows(conn, "SELECT * FROM lake.av")


def test_schema_evolution_across_partitions(conn, lake, helpers):
    lake.parquet("sales/month=01/a.parquet", {"id": [1], "amount": [10]})
    lake.parquet("sales/month=02/a.parquet", {"id": [2], "amount": [20.5]})  # bigint -> double
    lake.parquet("sales/month=03/a.parquet", {"id": [3], "amount": [30.0], "channel": ["web"]})  # new column
    result = crawl(conn, lake, rel="sales")
    assert result.tables_created == ["sales"]
    assert helpers.columns(conn, "lake", "sales") == [("id", "bigint"), ("amount", "double"), ("channel", "string")]
    assert helpers.rows(conn, "SELECT month, id, amount, channel FROM lake.sales ORDER BY id") == [
        ("01", 1, 10.0, None), ("02", 2, 20.5, None), ("03", 3, 30.0, "web")]
    # each partition keeps the schema of its own files
    first = conn.catalog.get_partition("lake", "sales", ["01"])
    assert [(c.name, c.type) for c in first.storage_descriptor.columns] == [("id", "bigint"), ("amount", "bigint")]


def test_json_schema_evolution_and_struct_merge(conn, local_lake, helpers):
    local_lake.json_lines("ev/day=1/a.json", [{"id": 1, "user": {"name": "ann"}}])
    local_lake.json_lines("ev/day=2/a.json", [{"id": 2.5, "user": {"name": "bob", "age": 3}, "flag": True}])
    crawl(conn, local_lake, rel="ev")
    assert helpers.columns(conn, "lake", "ev") == [
        ("id", "double"), ("user", "struct<name:string,age:bigint>"), ("flag", "boolean")]
    assert helpers.rows(conn, "SELECT day, id, \"user\".name, \"user\".age, flag FROM lake.ev ORDER BY day") == [
        ("1", 1.0, "ann", None, None), ("2", 2.5, "bob", 3, True)]


def test_nested_partitions_named_and_unnamed(conn, lake, helpers):
    for y in ("2023", "2024"):
        for m in ("01", "02"):
            lake.parquet(f"hive/year={y}/month={m}/f.parquet", {"v": [int(y + m)]})
            lake.parquet(f"plain/{y}/{m}/f.parquet", {"v": [int(y + m)]})
    # Under one include path the two similar datasets would be one table (Glue's rule):
    # each is its own target.
    conn.crawlers.crawl([lake.uri("hive"), lake.uri("plain")], "lake")
    assert [k.name for k in table(conn, "hive").partition_keys] == ["year", "month"]
    assert [k.name for k in table(conn, "plain").partition_keys] == ["partition_0", "partition_1"]
    assert helpers.rows(conn, "SELECT year, month, v FROM lake.hive WHERE month = '02' ORDER BY 1") == [
        ("2023", "02", 202302), ("2024", "02", 202402)]
    assert helpers.rows(conn, "SELECT count(*) FROM lake.plain WHERE partition_0 = '2024'") == [(2,)]


def test_incompatible_siblings_become_separate_tables(conn, local_lake, helpers):
    # Glue's example: two partitions whose schemas share nothing become two tables.
    local_lake.json_lines("table1/year=2017/data1.json", [{"a": 1, "b": 2}])
    local_lake.json_lines("table1/year=2018/data2.json", [{"c": 3, "d": 4}])
    # Different formats side by side are never one table.
    local_lake.text("mixed/p1/a.csv", "x,y\n1,2\n3,4\n")
    local_lake.parquet("mixed/p2/a.parquet", {"x": [1], "y": [2]})
    result = crawl(conn, local_lake)
    assert sorted(result.tables_created) == ["p1", "p2", "year_2017", "year_2018"]
    assert helpers.columns(conn, "lake", "year_2017") == [("a", "bigint"), ("b", "bigint")]
    assert helpers.rows(conn, "SELECT * FROM lake.year_2018") == [(3, 4)]


def test_combine_compatible_schemas(conn, local_lake, helpers):
    local_lake.json_lines("table1/year=2017/data1.json", [{"a": 1, "b": 2}])
    local_lake.json_lines("table1/year=2018/data2.json", [{"c": 3, "d": 4}])
    result = crawl(conn, local_lake, rel="table1", combine_compatible_schemas=True)
    assert result.tables_created == ["table1"]
    assert helpers.columns(conn, "lake", "table1") == [("a", "bigint"), ("b", "bigint"), ("c", "bigint"),
                                                       ("d", "bigint")]
    assert helpers.rows(conn, "SELECT year, a, d FROM lake.table1 ORDER BY year") == [("2017", 1, None),
                                                                                      ("2018", None, 4)]


def test_similar_siblings_under_the_include_path_are_partitions(conn, local_lake):
    # Glue's example: similar data in table1/ and table2/ under one include path is one table
    # with two partition keys.
    for t, parts in (("table1", ("partition1", "partition2", "partition3")), ("table2", ("partition4", "partition5"))):
        for p in parts:
            local_lake.text(f"folder1/{t}/{p}/file.txt", "id,v\n1,2\n3,4\n")
    result = crawl(conn, local_lake, rel="folder1")
    assert result.tables_created == ["folder1"]
    assert [k.name for k in table(conn, "folder1").partition_keys] == ["partition_0", "partition_1"]
    assert [p.values for p in conn.catalog.get_partitions("lake", "folder1")][:2] == [
        ["table1", "partition1"], ["table1", "partition2"]]


def test_table_level(conn, local_lake):
    for t in ("t1", "t2"):
        for p in ("a", "b"):
            local_lake.text(f"folder1/{t}/{p}/file.txt", "id,v\n1,2\n3,4\n")
    level = len([p for p in local_lake.uri("folder1").split("/") if p]) + 1  # the t1/t2 folders
    result = crawl(conn, local_lake, rel="folder1", table_level=level)
    assert sorted(result.tables_created) == ["t1", "t2"]
    assert [k.name for k in table(conn, "t1").partition_keys] == ["partition_0"]


def test_table_level_forces_a_table_over_dissimilar_folders(conn, local_lake, helpers):
    local_lake.json_lines("data/x/a.json", [{"a": 1}])
    local_lake.json_lines("data/y/b.json", [{"b": 2}])
    level = len([p for p in local_lake.uri("data").split("/") if p])
    result = crawl(conn, local_lake, rel="data", table_level=level)
    assert result.tables_created == ["data"]
    assert helpers.rows(conn, "SELECT partition_0, a, b FROM lake.data ORDER BY 1") == [("x", 1, None),
                                                                                        ("y", None, 2)]


def test_exclusions(conn, lake, helpers):
    lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    lake.parquet("t/dt=2/a.parquet", {"v": [2]})
    lake.parquet("t/dt=3/a.parquet", {"v": [3]})
    lake.text("t/docs/notes.txt", "not,data\n")
    lake.text("t/docs/more/notes.txt", "not,data\n")
    lake.parquet("t/tmp/x.parquet", {"v": [9]})
    patterns = ["**.txt", "dt=[3]/**", "{tmp,scratch}/**"]
    result = crawl(conn, lake, rel="t", exclusions=patterns)
    assert result.tables_created == ["t"]
    assert result.files_excluded == 4 and not result.files_skipped
    assert helpers.rows(conn, "SELECT dt, v FROM lake.t ORDER BY v") == [("1", 1), ("2", 2)]
    stored = conn.crawlers.get_crawler(Name=result.crawler)["Crawler"]["Targets"]["S3Targets"][0]
    assert stored["Exclusions"] == patterns


def test_stray_file_beside_partition_folders(conn, lake, helpers):
    lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    lake.parquet("t/dt=2/a.parquet", {"v": [2]})
    stray = lake.parquet("t/stray.parquet", {"v": [99]})
    result = crawl(conn, lake, rel="t")
    assert result.tables_created == ["t"]
    reasons = dict(result.files_skipped)
    assert "not part of any partition" in reasons[stray]
    assert helpers.rows(conn, "SELECT v FROM lake.t ORDER BY v") == [(1,), (2,)]


def test_bad_files_are_skipped_and_reported(conn, lake, helpers):
    lake.parquet("t/dt=1/good.parquet", {"v": [1]})
    lake.parquet("t/dt=2/good.parquet", {"v": [2]})
    # Bad files in folders of their own: such a folder is no partition, the crawl goes on.
    empty = lake.write("t/dt=3/empty.parquet", b"")
    truncated = lake.write("t/dt=4/truncated.parquet", b"PAR1" + b"\x00" * 40)
    garbage = lake.write("t/dt=4/blob.bin", bytes(range(256)) * 4)
    single = lake.text("t/dt=5/one-column.txt", "just\nwords\nhere\n")
    result = crawl(conn, lake, rel="t")
    reasons = dict(result.files_skipped)
    assert reasons[empty] == "empty file"
    assert reasons[truncated].startswith("corrupt Parquet file")
    assert reasons[garbage].startswith("unknown format")
    assert reasons[single].startswith("unknown format")
    assert result.tables_created == ["t"] and result.files_read == 6 and result.partitions_added == 2
    assert helpers.rows(conn, "SELECT dt, v FROM lake.t ORDER BY v") == [("1", 1), ("2", 2)]
    assert "skipped" in result.summary() and truncated in result.summary()


def test_a_bad_file_inside_a_partition_fails_the_query_as_in_athena(conn, local_lake, helpers):
    local_lake.parquet("t/dt=1/good.parquet", {"v": [1]})
    bad = local_lake.write("t/dt=1/empty.parquet", b"")
    result = crawl(conn, local_lake, rel="t")
    assert dict(result.files_skipped)[bad] == "empty file"
    with pytest.raises(errors.Error, match="empty.parquet"):
        helpers.rows(conn, "SELECT v FROM lake.t")


def test_recrawl_adds_new_partitions_once(conn, lake, helpers):
    lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    first = crawl(conn, lake, rel="t")
    assert first.tables_created == ["t"] and first.partitions_added == 1
    again = crawl(conn, lake, rel="t")
    assert not again.changed
    lake.parquet("t/dt=2/a.parquet", {"v": [2]})
    third = crawl(conn, lake, rel="t")
    assert third.partitions_added == 1 and not third.tables_created
    fourth = crawl(conn, lake, rel="t")
    assert fourth.partitions_added == 0 and not fourth.changed
    assert len(conn.catalog.get_tables("lake")) == 1
    assert helpers.rows(conn, "SELECT dt, v FROM lake.t ORDER BY v") == [("1", 1), ("2", 2)]


def test_update_in_database_applies_schema_changes(conn, local_lake, helpers):
    local_lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    crawl(conn, local_lake, rel="t")
    local_lake.parquet("t/dt=2/a.parquet", {"v": [2], "w": ["new"]})
    result = crawl(conn, local_lake, rel="t")
    assert result.tables_updated == ["t"] and result.partitions_added == 1
    assert helpers.columns(conn, "lake", "t") == [("v", "bigint"), ("w", "string")]
    assert len(conn.catalog.get_table_versions("lake", "t")) == 2
    assert helpers.rows(conn, "SELECT dt, v, w FROM lake.t ORDER BY v") == [("1", 1, None), ("2", 2, "new")]


def test_log_keeps_the_schema_but_adds_partitions(conn, local_lake, helpers):
    local_lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    crawl(conn, local_lake, rel="t", update_behavior="LOG")
    local_lake.parquet("t/dt=2/a.parquet", {"v": [2], "w": ["new"]})
    result = crawl(conn, local_lake, rel="t", update_behavior="LOG")
    assert not result.tables_updated and result.partitions_added == 1
    assert any("not applied" in line and "added columns w" in line for line in result.log)
    assert helpers.columns(conn, "lake", "t") == [("v", "bigint")]
    assert helpers.rows(conn, "SELECT dt, v FROM lake.t ORDER BY v") == [("1", 1), ("2", 2)]


def test_merge_new_columns(conn, local_lake, helpers):
    local_lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    name = crawl(conn, local_lake, rel="t").crawler
    # A user's edit of a column type survives; new columns are added.
    t = table(conn, "t")
    t.storage_descriptor.columns[0].type = "double"
    conn.catalog.update_table(t)
    conn.crawlers.update_crawler(Name=name, Configuration={
        "Version": 1.0, "CrawlerOutput": {"Tables": {"AddOrUpdateBehavior": "MergeNewColumns"}}})
    local_lake.parquet("t/dt=2/a.parquet", {"v": [2], "w": ["x"]})
    result = conn.crawlers.run(name)
    assert result.tables_updated == ["t"]
    assert helpers.columns(conn, "lake", "t") == [("v", "double"), ("w", "string")]


def test_delete_behaviors(conn, local_lake, helpers):
    local_lake.parquet("a/dt=1/x.parquet", {"v": [1]})
    local_lake.parquet("a/dt=2/x.parquet", {"v": [2]})
    local_lake.text("b/x.csv", "k,v\n1,2\n3,4\n")
    crawl(conn, local_lake, name="c")
    # partition and table data disappear
    local_lake.remove("a/dt=2")
    local_lake.remove("b")
    logged = crawl(conn, local_lake, name="c", delete_behavior="LOG")
    assert not logged.tables_deleted and not logged.partitions_deleted
    assert any("no data any more" in line for line in logged.log)
    deprecated = crawl(conn, local_lake, name="c", delete_behavior="DEPRECATE_IN_DATABASE")
    assert deprecated.tables_deprecated == ["b"]
    assert table(conn, "b").parameters["DEPRECATED_BY_CRAWLER"] == "c"
    assert len(conn.catalog.get_partitions("lake", "a")) == 2  # deprecation keeps partitions
    deleted = crawl(conn, local_lake, name="c", delete_behavior="DELETE_FROM_DATABASE")
    assert deleted.tables_deleted == ["b"] and deleted.partitions_deleted == 1
    assert [t.name for t in conn.catalog.get_tables("lake")] == ["a"]
    assert helpers.rows(conn, "SELECT dt, v FROM lake.a") == [("1", 1)]


def test_deprecated_table_comes_back(conn, local_lake):
    local_lake.parquet("a/dt=1/x.parquet", {"v": [1]})
    local_lake.text("b/x.csv", "k,v\n1,2\n3,4\n")
    crawl(conn, local_lake, name="c")
    local_lake.remove("b/x.csv")
    crawl(conn, local_lake, name="c")
    assert "DEPRECATED_BY_CRAWLER" in table(conn, "b").parameters
    local_lake.text("b/x.csv", "k,v\n1,2\n3,4\n")
    result = crawl(conn, local_lake, name="c")
    assert result.tables_updated == ["b"]
    assert "DEPRECATED_BY_CRAWLER" not in table(conn, "b").parameters


def test_crawl_new_folders_only_reads_only_new_folders(conn, lake, helpers):
    lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    lake.parquet("t/dt=1/b.parquet", {"v": [10]})
    lake.parquet("u/dt=1/a.parquet", {"x": [5]})
    first = crawl(conn, lake, name="inc", recrawl_behavior="CRAWL_NEW_FOLDERS_ONLY")
    assert sorted(first.tables_created) == ["t", "u"] and first.files_read == 3
    lake.parquet("t/dt=2/a.parquet", {"v": [2]})
    lake.parquet("t/dt=1/c.parquet", {"v": [100]})  # a new file in a known folder: not read
    lake.json_lines("w/a.json", [{"z": 1}])  # a new dataset: a new table
    second = crawl(conn, lake, name="inc", recrawl_behavior="CRAWL_NEW_FOLDERS_ONLY")
    assert second.files_read == 2 and second.files_already_crawled == 4
    assert second.partitions_added == 1 and second.tables_created == ["w"]
    third = crawl(conn, lake, name="inc", recrawl_behavior="CRAWL_NEW_FOLDERS_ONLY")
    assert third.files_read == 0 and not third.changed
    assert helpers.rows(conn, "SELECT dt, v FROM lake.t ORDER BY v") == [("1", 1), ("2", 2), ("1", 10), ("1", 100)]
    assert helpers.rows(conn, "SELECT z FROM lake.w") == [(1,)]


def test_sample_size_reads_some_files_per_folder(conn, local_lake):
    for i in range(5):
        local_lake.parquet(f"t/dt=1/f{i}.parquet", {"v": list(range(10))})
    result = crawl(conn, local_lake, rel="t", sample_size=2)
    assert result.files_read == 2 and result.files_not_sampled == 3
    params = table(conn, "t").parameters
    assert params["objectCount"] == "5" and params["recordCount"] == "50"


def test_crash_mid_crawl_leaves_the_catalog_intact(conn, local_lake, monkeypatch, helpers):
    local_lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    local_lake.text("s/a.csv", "k,v\n1,2\n3,4\n")
    name = crawl(conn, local_lake).crawler
    before = [(t.name, t.version_id) for t in conn.catalog.get_tables("lake")]
    local_lake.parquet("t/dt=2/a.parquet", {"v": [2], "w": ["x"]})
    local_lake.parquet("u/dt=1/a.parquet", {"x": [1]})
    calls = []
    original = type(conn.catalog).batch_create_partition

    def failing(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(conn.catalog), "batch_create_partition", failing)
    with pytest.raises(errors.OperationalError, match="disk on fire"):
        conn.crawlers.run(name)
    monkeypatch.undo()
    assert calls  # the crash came after some writes
    assert [(t.name, t.version_id) for t in conn.catalog.get_tables("lake")] == before
    assert [p.values for p in conn.catalog.get_partitions("lake", "t")] == [["1"]]
    last = conn.crawlers.get_crawler(Name=name)["Crawler"]["LastCrawl"]
    assert last["Status"] == "FAILED" and "disk on fire" in last["ErrorMessage"]
    assert conn.crawlers.get_crawler(Name=name)["Crawler"]["State"] == "READY"
    # and the next run goes through
    result = conn.crawlers.run(name)
    assert result.tables_created == ["u"] and result.partitions_added == 2


def test_name_collision_with_an_existing_table(conn, local_lake, helpers):
    conn.cursor().execute("CREATE DATABASE lake")
    conn.cursor().execute("CREATE EXTERNAL TABLE lake.t (x int) STORED AS PARQUET LOCATION '/elsewhere/t/'")
    local_lake.parquet("t/a.parquet", {"v": [1]})
    result = crawl(conn, local_lake, rel="t")
    assert len(result.tables_created) == 1 and result.tables_created[0].startswith("t_")
    assert helpers.rows(conn, f"SELECT v FROM lake.{result.tables_created[0]}") == [(1,)]


def test_table_prefix_and_single_file_target(conn, local_lake, helpers):
    local_lake.text("one/data.csv", "a,b\n1,2\n3,4\n")
    result = conn.crawlers.crawl(local_lake.uri("one/data.csv"), "lake", table_prefix="raw_")
    assert result.tables_created == ["raw_data_csv"]
    assert table(conn, "raw_data_csv").location == local_lake.uri("one/data.csv")
    assert helpers.rows(conn, "SELECT a, b FROM lake.raw_data_csv ORDER BY a") == [(1, 2), (3, 4)]


def test_header_rule(conn, local_lake):
    # A header above rows whose columns are all strings is not detected (Glue's rule).
    local_lake.text("s/a.csv", "name,city\nann,paris\nbob,rome\n")
    # A first row with a number is data, not a header.
    local_lake.text("n/a.csv", "1,x\n2,y\n")
    conn.crawlers.crawl([local_lake.uri("s"), local_lake.uri("n")], "lake")
    assert [c.name for c in table(conn, "s").columns] == ["col0", "col1"]
    assert [c.name for c in table(conn, "n").columns] == ["col0", "col1"]
    assert [c.type for c in table(conn, "n").columns] == ["bigint", "string"]


def test_redshift_spectrum_reads_crawled_tables(conn, local_lake):
    local_lake.parquet("t/dt=1/a.parquet", {"v": [1, 2]})
    crawl(conn, local_lake, rel="t")
    cur = conn.cursor()
    conn.dialect = "redshift"
    cur.execute("CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'lake' "
                "IAM_ROLE 'arn:aws:iam::123456789012:role/x'")
    assert cur.execute("SELECT sum(v) FROM spectrum.t").fetchall() == [(3,)]


def test_s3_standin_folder_without_an_endpoint(conn, helpers):
    # Without AWS_ENDPOINT_URL, s3://bucket/key lives in <home>/s3/bucket/key.
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = conn.home / "s3" / "bucket" / "lake" / "t" / "dt=1"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"v": [7]}), folder / "a.parquet")
    result = conn.crawlers.crawl("s3://bucket/lake/t/", "lake")
    assert result.tables_created == ["t"]
    assert table(conn, "t").location == "s3://bucket/lake/t/"
    assert conn.catalog.get_partitions("lake", "t")[0].location == "s3://bucket/lake/t/dt=1/"
    assert helpers.rows(conn, "SELECT dt, v FROM lake.t") == [("1", 7)]


def test_unreadable_folders_are_reported(conn, local_lake, monkeypatch):
    import os

    local_lake.parquet("t/dt=1/a.parquet", {"v": [1]})
    local_lake.parquet("t/dt=2/a.parquet", {"v": [2]})
    blocked = local_lake.uri("t/dt=2")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = crawl(conn, local_lake, rel="t")
    assert result.files_skipped == [(blocked, "unreadable folder: Permission denied")]
    assert [p.values for p in conn.catalog.get_partitions("lake", "t")] == [["1"]]
