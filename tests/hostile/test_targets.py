"""Targets that are not what they claim: missing files, directories, random bytes, URLs without a
host, unsupported schemes, international host names (through a loopback proxy, never DNS)."""

from __future__ import annotations

import os

import pytest

from sponsorcheck.errors import ExitStatus

from . import servers
from .conftest import assert_handled, assert_refused, child_env, run_cli, run_cli_many

PAGE = (
    b'<html><body><section id="sponsors"><h2>Sponsors</h2>'
    b'<a href="https://www.amazon.com/"><img src="amazon.png" alt="Amazon"></a></section></body></html>'
)


def test_a_missing_file(check, tmp_path):
    run = check(str(tmp_path / "festival.html"), label="target: missing file")
    assert_refused(run, ExitStatus.TARGET_ERROR, 2, "no such file", "give a URL with http://")


def test_a_directory(check, tmp_path):
    run = check(str(tmp_path), label="target: a directory")
    assert_refused(run, ExitStatus.TARGET_ERROR, 2, "is a directory", "give a URL with http://")


def test_random_bytes(check, tmp_path):
    path = tmp_path / "random.html"
    path.write_bytes(os.urandom(300_000))
    run = check(str(path), label="target: 300 KB of random bytes")
    assert_refused(run, ExitStatus.TARGET_ERROR, 3, "does not look like a web page", "check the URL or the file")


def test_an_empty_file(check, tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"\n \n")
    run = check(str(path), label="target: empty file")
    assert_refused(run, ExitStatus.TARGET_ERROR, 2, "empty", "save the page again")


def test_random_bytes_on_stdin(check):
    run = check("-", stdin=os.urandom(100_000), label="target: random bytes on stdin")
    assert_refused(run, ExitStatus.TARGET_ERROR, 3, "does not look like a web page")


def test_nothing_on_stdin(check):
    run = check("-", stdin=b"", label="target: empty stdin")
    assert_refused(run, ExitStatus.TARGET_ERROR, 2, "no HTML on standard input")


def test_a_bad_target_does_not_stop_the_good_ones(watchlist_path, tmp_path):
    good = tmp_path / "good.html"
    good.write_bytes(PAGE)
    run = run_cli(
        "check", str(tmp_path / "missing.html"), str(good), "--format", "json", "-w", watchlist_path,
        label="target: missing file before a good one",
    )  # fmt: skip
    assert_refused(run, ExitStatus.CONFLICT, 2, "missing.html", "no such file")
    verdicts = [r["verdict"] for r in run.json()["results"]]
    assert verdicts == ["error", "conflict"]


BAD_URLS = {
    "http://": "has no host name",
    "https:///sponsors": "has no host name",
    "http://:8080/": "has no host name",
    "http://[::1/": "not a valid URL",
    "ftp://festival.example/sponsors.html": "only http:// and https://",
    "file:///etc/passwd": "only http:// and https://",
    "gopher://festival.example/": "only http:// and https://",
    "http://b\u00fc" + "x" * 70 + ".example/": "not a valid international domain name",
}


@pytest.fixture(scope="module")
def url_runs(watchlist_path):
    """Every BAD_URLS target checked once, two children at a time."""
    jobs = {
        url: (("check", url, "--format", "json", "--watchlist", watchlist_path), {"label": f"target: {url[:40]}"})
        for url in BAD_URLS
    }
    return run_cli_many(jobs)


@pytest.mark.parametrize("url", list(BAD_URLS))
def test_urls_that_cannot_work_are_usage_errors(url_runs, url):
    run = url_runs[url]
    assert_refused(run, ExitStatus.USAGE, 2, BAD_URLS[url])
    assert run.stdout == ""  # refused before any work


def test_an_international_host_name_is_fetched_as_punycode(watchlist_path):
    # The page is served by a loopback proxy, so the name is encoded by the client and never resolved.
    with servers.RecordingProxy(PAGE) as proxy:
        env = child_env(HTTP_PROXY=f"http://127.0.0.1:{proxy.port}", NO_PROXY="")
        run = run_cli(
            "check", "http://bücher-festival.example/sponsoren", "--format", "json", "-w", watchlist_path,
            env=env, label="target: international host name",
        )  # fmt: skip
    report = assert_handled(run, ExitStatus.CONFLICT, 3)
    assert proxy.request_lines == ["GET http://xn--bcher-festival-gsb.example/sponsoren HTTP/1.1"]
    assert report["results"][0]["target"] == "http://bücher-festival.example/sponsoren"


# --- `sponsorcheck names --file`: a sponsor list from people's hands ---------------------------------


def _names(watchlist_path: str, file: str, label: str, stdin: bytes | None = None):
    return run_cli("names", "--file", file, "--format", "json", "-w", watchlist_path, stdin=stdin, label=label)


def test_names_file_that_is_a_directory(watchlist_path, tmp_path):
    run = _names(watchlist_path, str(tmp_path), "names: a directory")
    assert_refused(run, ExitStatus.USAGE, 2, "is a directory", "one name per line")


def test_names_file_of_random_bytes(watchlist_path, tmp_path):
    path = tmp_path / "names.txt"
    path.write_bytes(b"\xff\xfe\xfa" + os.urandom(3000))
    run = _names(watchlist_path, str(path), "names: random bytes")
    assert_refused(run, ExitStatus.USAGE, 2, "not UTF-8 text", "save it as UTF-8")


def test_names_file_of_50000_names_is_refused_before_matching(watchlist_path, tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("\n".join(f"Company {i} Holdings" for i in range(50_000)), encoding="utf-8")
    run = _names(watchlist_path, str(path), "names: 50,000 names")
    assert_refused(run, ExitStatus.USAGE, 2, "more than 5,000 names", "split it")


def test_names_file_larger_than_the_cap(watchlist_path, tmp_path):
    path = tmp_path / "names.txt"
    path.write_bytes(b"Amazon\n" * 1_000_000)
    run = _names(watchlist_path, str(path), "names: 7 MB file")
    assert_refused(run, ExitStatus.USAGE, 2, "larger than 5 MB")


def test_a_megabyte_name_is_still_matched(watchlist_path):
    run = _names(watchlist_path, "-", "names: one 1 MB name", stdin=b"Amazon Web Services " + b"x" * 1_000_000)
    report = assert_handled(run, ExitStatus.CONFLICT, 3)
    assert report["results"][0]["findings"][0]["entity"] == "amazon"
