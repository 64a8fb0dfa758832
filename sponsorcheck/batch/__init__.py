"""Batch mode: a whole tour from a spreadsheet, checked politely and fast, without losing a row.

The data flow, one module each: `table` (the input spreadsheet and the URL of each row) →
`scheduler` (which request politeness allows next, per host) with `robots` (robots.txt rules) →
`runner` (fetch workers and analysers; results in input order) → `journal` (every finished row,
for --resume) → `output` (the report file, written atomically).

The names below are the package's public interface; the CLI and the tests import them from here.
"""

from sponsorcheck.batch.journal import JOURNAL_FORMAT, JOURNAL_SUFFIX, Journal
from sponsorcheck.batch.output import (
    OUTPUT_SUFFIXES,
    check_writable,
    output_format,
    render_report,
    verdict_counts,
    write_atomic,
    write_report,
)
from sponsorcheck.batch.robots import MAX_CRAWL_DELAY, ROBOTS_DEADLINE, RobotsRules, fetch_robots
from sponsorcheck.batch.runner import (
    DEFAULT_ANALYSERS,
    DEFAULT_HOST_DELAY,
    DEFAULT_PER_HOST,
    DEFAULT_WORKERS,
    BatchObserver,
    BatchOptions,
    BatchOutcome,
    batch_session,
    run_batch,
    tune_allocator,
)
from sponsorcheck.batch.table import (
    MAX_INPUT_BYTES,
    URL_COLUMN_NAMES,
    InputRow,
    Table,
    decode_input,
    dedup_key,
    find_url_column,
    origin_of,
    read_table,
    sniff_delimiter,
    target_url,
)

__all__ = [
    "DEFAULT_ANALYSERS",
    "DEFAULT_HOST_DELAY",
    "DEFAULT_PER_HOST",
    "DEFAULT_WORKERS",
    "JOURNAL_FORMAT",
    "JOURNAL_SUFFIX",
    "MAX_CRAWL_DELAY",
    "MAX_INPUT_BYTES",
    "OUTPUT_SUFFIXES",
    "ROBOTS_DEADLINE",
    "URL_COLUMN_NAMES",
    "BatchObserver",
    "BatchOptions",
    "BatchOutcome",
    "InputRow",
    "Journal",
    "RobotsRules",
    "Table",
    "batch_session",
    "check_writable",
    "decode_input",
    "dedup_key",
    "fetch_robots",
    "find_url_column",
    "origin_of",
    "output_format",
    "read_table",
    "render_report",
    "run_batch",
    "sniff_delimiter",
    "target_url",
    "tune_allocator",
    "verdict_counts",
    "write_atomic",
    "write_report",
]
