"""Glue crawlers: tables, schemas and partitions inferred from files on disk and in S3.

``Crawlers(catalog, storage)`` is the API in Glue's (boto3's) terms; ``crawl`` is the one-call
form. The modules follow a crawl's journey: ``files`` (listing, exclusions, ranged reads) ->
``classifiers`` (format and schema of one file) -> ``inference`` (types, widening, CSV header)
-> ``layout`` (dataset folders -> tables and partitions) -> ``crawler`` (definitions, policies,
one catalog transaction per run, metrics).
"""

from lakebox.catalog.crawler.crawler import (CRAWL_EVERYTHING, CRAWL_NEW_FOLDERS_ONLY, DELETE_FROM_DATABASE,
                                             DEPRECATE_IN_DATABASE, LOG, UPDATE_IN_DATABASE, CrawlerNotRunning,
                                             CrawlerRunning, CrawlResult, Crawlers)

__all__ = [
    "CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE", "LOG",
    "UPDATE_IN_DATABASE", "CrawlResult", "CrawlerNotRunning", "CrawlerRunning", "Crawlers",
]
