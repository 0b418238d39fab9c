"""The crawler API in Glue's (boto3's) names and shapes, persisted in the catalog."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import lakebox
from lakebox import errors
from lakebox.catalog.crawler import CrawlerNotRunning, CrawlerRunning


def s3_targets(*paths, **extra):
    return {"S3Targets": [{"Path": p, **extra} for p in paths]}


@pytest.fixture
def data(local_lake):
    local_lake.parquet("sales/dt=1/a.parquet", {"v": [1]})
    local_lake.parquet("sales/dt=2/a.parquet", {"v": [2]})
    return local_lake


def test_create_get_update_delete(conn, data):
    crawlers = conn.crawlers
    assert crawlers.create_crawler(Name="Sales", Role="arn:aws:iam::1:role/glue", DatabaseName="Lake",
                                   Targets=s3_targets(data.uri("sales"), Exclusions=["**.tmp"], SampleSize=5),
                                   TablePrefix="Raw_", Description="nightly") == {}
    crawler = crawlers.get_crawler(Name="sales")["Crawler"]
    assert crawler["Name"] == "Sales" and crawler["DatabaseName"] == "lake" and crawler["State"] == "READY"
    assert crawler["Targets"] == {"S3Targets": [{"Path": data.uri("sales"), "Exclusions": ["**.tmp"],
                                                 "SampleSize": 5}]}
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "UPDATE_IN_DATABASE",
                                             "DeleteBehavior": "DEPRECATE_IN_DATABASE"}
    assert crawler["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_EVERYTHING"}
    assert crawler["TablePrefix"] == "raw_" and crawler["Version"] == 1
    assert isinstance(crawler["CreationTime"], datetime) and "LastCrawl" not in crawler
    with pytest.raises(errors.AlreadyExists):
        crawlers.create_crawler(Name="sales", DatabaseName="x", Targets=s3_targets("/tmp"))

    crawlers.update_crawler(Name="sales", SchemaChangePolicy={"UpdateBehavior": "LOG"},
                            Configuration=json.dumps({"Version": 1.0, "Grouping": {"TableLevelConfiguration": 3}}))
    crawler = crawlers.get_crawler(Name="sales")["Crawler"]
    assert crawler["SchemaChangePolicy"]["UpdateBehavior"] == "LOG" and crawler["Version"] == 2
    assert json.loads(crawler["Configuration"])["Grouping"]["TableLevelConfiguration"] == 3

    assert crawlers.list_crawlers() == {"CrawlerNames": ["Sales"]}
    assert [c["Name"] for c in crawlers.get_crawlers()["Crawlers"]] == ["Sales"]
    crawlers.delete_crawler(Name="sales")
    with pytest.raises(errors.EntityNotFound, match="Crawler 'sales' not found"):
        crawlers.get_crawler(Name="sales")


def test_definitions_persist_in_the_catalog(tmp_path, data):
    home = tmp_path / "shared-home"
    with lakebox.connect(home) as first:
        first.crawlers.create_crawler(Name="c", DatabaseName="lake", Targets=s3_targets(data.uri("sales")))
    with lakebox.connect(home) as second:
        second.crawlers.start_crawler(Name="c")
        assert [t.name for t in second.catalog.get_tables("lake")] == ["sales"]
    with lakebox.connect(home) as third:
        metrics = third.crawlers.get_crawler_metrics(CrawlerNameList=["c"])["CrawlerMetricsList"]
        assert metrics[0]["TablesCreated"] == 1


def test_start_crawler_and_metrics(conn, data):
    crawlers = conn.crawlers
    crawlers.create_crawler(Name="c", DatabaseName="lake", Targets=s3_targets(data.uri("sales")))
    assert crawlers.start_crawler(Name="c") == {}
    crawler = crawlers.get_crawler(Name="c")["Crawler"]
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED" and crawler["State"] == "READY"
    data.parquet("sales/dt=3/a.parquet", {"v": [3]})
    crawlers.start_crawler(Name="c")
    (metrics,) = crawlers.get_crawler_metrics()["CrawlerMetricsList"]
    assert metrics["CrawlerName"] == "c"
    assert (metrics["TablesCreated"], metrics["TablesUpdated"], metrics["TablesDeleted"]) == (0, 1, 0)
    assert metrics["LastRuntimeSeconds"] > 0 and metrics["MedianRuntimeSeconds"] > 0
    assert metrics["StillEstimating"] is False and metrics["TimeLeftSeconds"] == 0
    last = metrics["LastRun"]
    assert last["PartitionsAdded"] == 1 and last["FilesRead"] == 3 and last["FilesSkipped"] == []
    assert last["DurationSeconds"] == metrics["LastRuntimeSeconds"]
    crawls = crawlers.list_crawls(CrawlerName="c")["Crawls"]
    assert [c["State"] for c in crawls] == ["COMPLETED", "COMPLETED"]
    assert json.loads(crawls[0]["Summary"])["PartitionsAdded"] == 1  # newest first
    with pytest.raises(CrawlerNotRunning):
        crawlers.stop_crawler(Name="c")


def test_failed_runs_are_recorded(conn, tmp_path):
    (tmp_path / "locked").mkdir()
    conn.crawlers.create_crawler(Name="c", DatabaseName="lake", Targets=s3_targets("ftp://nowhere/x"))
    with pytest.raises(errors.NotSupportedError):
        conn.crawlers.start_crawler(Name="c")
    crawler = conn.crawlers.get_crawler(Name="c")["Crawler"]
    assert crawler["LastCrawl"]["Status"] == "FAILED" and "ftp" in crawler["LastCrawl"]["ErrorMessage"]
    assert conn.crawlers.list_crawls(CrawlerName="c")["Crawls"][0]["State"] == "FAILED"


@pytest.mark.parametrize("fields, error, message", [
    ({"Name": ""}, errors.ProgrammingError, "needs a Name"),
    ({"DatabaseName": " "}, errors.ProgrammingError, "needs a DatabaseName"),
    ({"Targets": {"S3Targets": []}}, errors.ProgrammingError, "at least one target"),
    ({"Targets": {"JdbcTargets": [{"ConnectionName": "x"}]}}, errors.NotSupportedError, "JdbcTargets"),
    ({"Targets": s3_targets("/tmp/x", SampleSize=250)}, errors.ProgrammingError, "SampleSize"),
    ({"SchemaChangePolicy": {"UpdateBehavior": "MERGE"}}, errors.ProgrammingError, "UpdateBehavior"),
    ({"SchemaChangePolicy": {"DeleteBehavior": "DROP"}}, errors.ProgrammingError, "DeleteBehavior"),
    ({"RecrawlPolicy": {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"}}, errors.ProgrammingError, "LOG"),
    ({"RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVENT_MODE"}}, errors.NotSupportedError, "event"),
    ({"Configuration": "{not json"}, errors.ProgrammingError, "not valid JSON"),
    ({"Configuration": {"Grouping": {"TableLevelConfiguration": 0}}}, errors.ProgrammingError, "positive"),
    ({"Configuration": {"Grouping": {"TableGroupingPolicy": "X"}}}, errors.ProgrammingError, "Combine"),
    ({"Configuration": {"CrawlerOutput": {"Tables": {"AddOrUpdateBehavior": "X"}}}}, errors.ProgrammingError,
     "MergeNewColumns"),
    ({"Classifiers": ["my-grok"]}, errors.NotSupportedError, "custom classifiers"),
])
def test_invalid_definitions(conn, fields, error, message):
    definition = {"Name": "c", "DatabaseName": "lake", "Targets": s3_targets("/tmp/x"), **fields}
    with pytest.raises(error, match=message):
        conn.crawlers.create_crawler(**definition)
    assert conn.crawlers.list_crawlers() == {"CrawlerNames": []}


def test_unknown_crawler_suggests_a_name(conn, data):
    conn.crawlers.create_crawler(Name="nightly", DatabaseName="lake", Targets=s3_targets(data.uri("sales")))
    with pytest.raises(errors.EntityNotFound, match="did you mean 'nightly'"):
        conn.crawlers.start_crawler(Name="nightley")
    with pytest.raises(errors.ProgrammingError, match="unknown fields"):
        conn.crawlers.update_crawler(Name="nightly", Colour="red")


def test_a_running_crawler_cannot_start_again(conn, data):
    conn.crawlers.create_crawler(Name="c", DatabaseName="lake", Targets=s3_targets(data.uri("sales")))
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if len(seen) == 1:
            with pytest.raises(CrawlerRunning):
                conn.crawlers.start_crawler(Name="c")
            with pytest.raises(CrawlerRunning):
                conn.crawlers.delete_crawler(Name="c")
            assert conn.crawlers.get_crawler(Name="c")["Crawler"]["State"] == "RUNNING"

    conn.crawlers.run("c", progress=progress)
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert conn.crawlers.get_crawler(Name="c")["Crawler"]["State"] == "READY"


def test_delete_crawler_keeps_its_tables(conn, data):
    conn.crawlers.create_crawler(Name="c", DatabaseName="lake", Targets=s3_targets(data.uri("sales")))
    conn.crawlers.start_crawler(Name="c")
    conn.crawlers.delete_crawler(Name="c")
    assert [t.name for t in conn.catalog.get_tables("lake")] == ["sales"]


def test_s3_reads_run_in_parallel(conn, s3_lake, monkeypatch):
    import threading
    import time

    from lakebox.catalog.crawler import files

    for i in range(16):
        s3_lake.parquet(f"t/dt={i}/a.parquet", {"v": [i]})
    active, peak = [0], [0]
    lock = threading.Lock()
    original = files.Reader.read

    def slow_read(self, path, start, end):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        try:
            return original(self, path, start, end)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(files.Reader, "read", slow_read)
    result = conn.crawlers.crawl(s3_lake.uri("t"), "lake")
    assert result.partitions_added == 16 and peak[0] > 4  # footers were read concurrently
