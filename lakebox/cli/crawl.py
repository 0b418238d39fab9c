"""`lakebox crawl`: run a Glue crawler over folders or s3:// prefixes and say what changed."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from lakebox.errors import ProgrammingError

RECRAWL = {"everything": "CRAWL_EVERYTHING", "new-folders": "CRAWL_NEW_FOLDERS_ONLY"}


def add_parser(commands, add_workspace_options) -> None:
    crawl = commands.add_parser(
        "crawl",
        help="infer tables, schemas and partitions from data files (a Glue crawler)",
        description="Crawl folders or s3:// prefixes like an AWS Glue crawler and write the tables, schemas "
        "and partitions found into the catalog. Crawling the same path again is a re-crawl: new partitions "
        "are added once, changed schemas are handled by the policies.",
    )
    crawl.add_argument("targets", nargs="+", metavar="PATH", help="folder, file, file:// or s3:// URI (several allowed)")
    crawl.add_argument("-d", "--database", required=True, metavar="DB", help="database the tables go into "
                       "(created if missing)")
    crawl.add_argument("--name", metavar="NAME", help="crawler name (default: derived from the database and path)")
    crawl.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="exclude pattern relative to the path (*, **, ?, [], {a,b}); repeatable")
    crawl.add_argument("--table-level", type=_positive_int, metavar="N",
                       help="absolute folder level tables are created at (1 = bucket / first folder)")
    crawl.add_argument("--sample-size", type=_sample_size, metavar="N", help="files read per folder (1-249)")
    crawl.add_argument("--combine-compatible-schemas", action="store_true",
                       help="one table per path for compatible data, however different the schemas")
    crawl.add_argument("--table-prefix", metavar="P", help="prefix for the names of new tables")
    crawl.add_argument("--update-behavior", type=str.upper, choices=("UPDATE_IN_DATABASE", "LOG"),
                       help="what to do with changed schemas (default UPDATE_IN_DATABASE)")
    crawl.add_argument("--delete-behavior", type=str.upper,
                       choices=("DEPRECATE_IN_DATABASE", "DELETE_FROM_DATABASE", "LOG"),
                       help="what to do with tables whose data is gone (default DEPRECATE_IN_DATABASE)")
    crawl.add_argument("--recrawl", choices=tuple(RECRAWL), default=None,
                       help="everything (default) or new-folders (only folders not crawled before)")
    crawl.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_workspace_options(crawl, dialect=False)
    crawl.set_defaults(handler=run_crawl_command)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _sample_size(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 249:
        raise argparse.ArgumentTypeError("must be from 1 to 249")
    return value


def target_location(text: str) -> str:
    """A CLI path as a location: URIs as given, local paths made absolute and checked."""
    if "://" in text or text.startswith("file:/"):
        return text
    path = Path(text).expanduser()
    if not path.exists():
        raise ProgrammingError(f"no such file or folder: {text}")
    return str(path.resolve())


class ProgressBar:
    """A one-line bar on a terminal; silent elsewhere."""

    def __init__(self, out: TextIO, enabled: bool):
        self.out = out
        self.enabled = enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = width * done // total
        self.out.write(f"\rreading files [{'#' * filled}{'-' * (width - filled)}] {done}/{total}")
        self.out.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.out.write("\r" + " " * 70 + "\r")
            self.out.flush()


def run_crawl_command(args: argparse.Namespace) -> int:
    from lakebox.cli.main import connect, home_of

    targets = [target_location(t) for t in args.targets]
    conn = connect(home_of(args), "athena")
    bar = ProgressBar(sys.stderr, not args.no_progress and sys.stderr.isatty() and not os.environ.get("CI"))
    try:
        result = conn.crawlers.crawl(
            targets, args.database, name=args.name, exclusions=args.exclude, table_level=args.table_level,
            sample_size=args.sample_size, combine_compatible_schemas=args.combine_compatible_schemas,
            table_prefix=args.table_prefix, update_behavior=args.update_behavior,
            delete_behavior=args.delete_behavior, recrawl_behavior=RECRAWL.get(args.recrawl or ""),
            progress=bar)
    finally:
        bar.close()
        conn.close()
    sys.stdout.write(result.summary() + "\n")
    return 0
