"""The page cache: a real SQLite file in requests-cache's format, expiry, offline, and the CLI."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
import requests
import requests_cache
from typer.testing import CliRunner

from sponsorcheck.cache import CacheError, PageCache, default_cache_path, resolve_cache_path, user_cache_file
from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus, FetchError
from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
from sponsorcheck.models import Page

from .small_watchlist import ACME_WATCHLIST as WATCHLIST

PAGE = "<html><body><h2>Sponsors</h2><img alt='Café Zürich' src='/l/cafe.png'></body></html>"
HTML = "text/html; charset=utf-8"
runner = CliRunner()


@pytest.fixture
def cli(tmp_path):
    """Invoke the CLI with a small watchlist written for the test."""
    wl = tmp_path / "watchlist.yaml"
    wl.write_text(WATCHLIST, encoding="utf-8")

    def invoke(*args: str):
        extra = ["-w", str(wl)] if args[0] in ("check", "batch") else []
        return runner.invoke(app, [*args, *extra])

    return invoke


def fetcher_with(cache, offline=False):
    return Fetcher(make_session(), FetchPolicy(deadline=5, retries=0), cache, offline)


def test_put_then_get_keeps_text_final_url_and_type(tmp_path):
    cache = PageCache(tmp_path / "c.sqlite")
    cache.put("http://fest.example/old", Page("t", "http://fest.example/new", PAGE, "text/html", 200))
    page = cache.get("http://fest.example/old")
    assert page is not None and page.from_cache
    assert page.url == "http://fest.example/new"
    assert page.text == PAGE
    assert cache.get("http://fest.example/other") is None


def test_file_is_a_requests_cache_database(tmp_path):
    PageCache(tmp_path / "c.sqlite").put("http://fest.example/", Page("t", "http://fest.example/", PAGE))
    backend = requests_cache.SQLiteCache(tmp_path / "c.sqlite")
    key = requests_cache.create_key(requests.Request("GET", "http://fest.example/"))
    assert backend.responses[key].content.decode() == PAGE


@pytest.mark.parametrize(
    "url",
    [
        "http://fest.example/",
        "https://Fest.Example/sponsors?b=2&a=1#partners",
        "https://bücher.example/über uns?q=ü",
        "http://127.0.0.1:8080/%7Euser/page.html",
    ],
)
def test_cache_keys_are_the_keys_requests_cache_makes(tmp_path, url):
    # The key is built without a requests Session (1 ms a call); the file must stay readable by requests-cache.
    PageCache(tmp_path / "c.sqlite").put(url, Page("t", url, PAGE))
    backend = requests_cache.SQLiteCache(tmp_path / "c.sqlite")
    assert backend.responses[requests_cache.create_key(requests.Request("GET", url))].content.decode() == PAGE


def test_pages_put_while_writing_behind_are_found_at_once_and_in_the_file_when_it_ends(tmp_path):
    cache = PageCache(tmp_path / "c.sqlite")
    urls = [f"http://fest{i % 7}.example/page{i}" for i in range(150)]  # more than one write transaction
    with cache.writing_behind():
        for i, url in enumerate(urls):
            cache.put(url, Page("t", url, f"{PAGE}<!-- {i} -->", HTML, 200))
            assert cache.contains_key(url)
            found = cache.get(url)
            assert found is not None and found.from_cache and found.text.endswith(f"<!-- {i} -->")
    # Another connection (a later run) finds every page.
    later = PageCache(tmp_path / "c.sqlite")
    assert [later.get(u).text for u in urls] == [f"{PAGE}<!-- {i} -->" for i in range(len(urls))]  # type: ignore[union-attr]
    con = sqlite3.connect(tmp_path / "c.sqlite")
    assert con.execute("SELECT COUNT(*) FROM responses").fetchone() == (len(urls),)
    con.close()


def test_a_failed_write_behind_is_a_cache_error_on_the_next_put(tmp_path):
    cache = PageCache(tmp_path / "c.sqlite")
    with cache.writing_behind():
        cache.put("http://fest.example/a", Page("t", "http://fest.example/a", PAGE))
        # The file stops being writable behind the writer's back: its table is gone.
        con = sqlite3.connect(tmp_path / "c.sqlite", timeout=10)
        con.execute("DROP TABLE responses")
        con.commit()
        con.close()
        with pytest.raises(CacheError, match="cannot write the cache"):
            for i in range(500):  # the writer notices on its next transaction
                cache.put(f"http://fest.example/{i}", Page("t", f"http://fest.example/{i}", PAGE))
                time.sleep(0.005)


def test_entries_older_than_max_age_are_not_returned(tmp_path):
    PageCache(tmp_path / "c.sqlite").put("http://fest.example/", Page("t", "http://fest.example/", PAGE))
    assert PageCache(tmp_path / "c.sqlite", max_age=3600).get("http://fest.example/") is not None
    assert PageCache(tmp_path / "c.sqlite", max_age=0).get("http://fest.example/") is None


def test_fetcher_reads_through_the_cache(tmp_path, httpserver):
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    cache = PageCache(tmp_path / "c.sqlite")
    first = fetcher_with(cache).fetch(httpserver.url_for("/"))
    second = fetcher_with(PageCache(tmp_path / "c.sqlite")).fetch(httpserver.url_for("/"))
    assert not first.from_cache and second.from_cache
    assert second.text == first.text
    assert len(httpserver.log) == 1


def test_failed_fetches_are_not_cached(tmp_path, httpserver):
    httpserver.expect_request("/").respond_with_data("no", status=404)
    cache = PageCache(tmp_path / "c.sqlite")
    with pytest.raises(FetchError):
        fetcher_with(cache).fetch(httpserver.url_for("/"))
    assert cache.get(httpserver.url_for("/")) is None


def test_offline_answers_only_from_the_cache(tmp_path, httpserver):
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type=HTML)
    cache = PageCache(tmp_path / "c.sqlite")
    fetcher_with(cache).fetch(httpserver.url_for("/a"))
    httpserver.clear_log()
    offline = fetcher_with(cache, offline=True)
    assert offline.fetch(httpserver.url_for("/a")).from_cache
    with pytest.raises(FetchError, match="--offline") as info:
        offline.fetch(httpserver.url_for("/b"))
    assert info.value.kind == "offline"
    assert len(httpserver.log) == 0


def test_damaged_file_is_a_readable_error(tmp_path):
    (tmp_path / "c.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match="cache"):
        PageCache(tmp_path / "c.sqlite").get("http://fest.example/")


def test_default_path_is_under_the_user_cache_dir(monkeypatch):
    monkeypatch.delenv("SPONSORCHECK_CACHE")
    path = default_cache_path()
    assert path.name == "pages.sqlite" and "sponsorcheck" in str(path)


def test_check_uses_the_cache_and_no_cache_bypasses_it(tmp_path, httpserver, cli):
    # The page has an ETag: a second check asks "changed since?" and uses its copy on 304.
    httpserver.expect_request("/").respond_with_handler(_versioned({"etag": '"v1"'}, lambda: PAGE))
    url = httpserver.url_for("/")
    path = str(tmp_path / "c.sqlite")
    for _ in range(2):
        result = cli("check", url, "-f", "json", "--cache-path", path)
        assert json.loads(result.stdout)["results"][0]["verdict"] != "error", result.output
    assert [r.headers.get("If-None-Match") for r, _ in httpserver.log] == [None, '"v1"']
    cli("check", url, "--no-cache", "--cache-path", path)
    assert httpserver.log[-1][0].headers.get("If-None-Match") is None


def _versioned(validators, body):
    """A handler serving body() with the given validators, answering 304 to a matching conditional GET."""
    from werkzeug import Response

    def handle(request):
        etag, modified = validators.get("etag"), validators.get("last_modified")
        if (etag and request.headers.get("If-None-Match") == etag) or (
            modified and not etag and request.headers.get("If-Modified-Since") == modified
        ):
            return Response(status=304)
        headers = {k: v for k, v in (("ETag", etag), ("Last-Modified", modified)) if v}
        return Response(body(), content_type=HTML, headers=headers)

    return handle


SPONSORED = "<html><body><h2>Sponsors</h2><img alt='Acme Corp' src='/l/acme.png'></body></html>"


def test_check_sees_a_sponsor_added_since_the_cached_copy(tmp_path, httpserver, cli):
    # The reported stale answer: after the page gained a sponsor, check answered "clear" from a
    # cached copy for up to 24 hours and said nothing. It revalidates: a changed page is fetched again.
    page = {"body": PAGE, "etag": '"v1"'}
    validators = {}

    def handle(request):
        validators["etag"] = page["etag"]
        return _versioned(validators, lambda: page["body"])(request)

    httpserver.expect_request("/").respond_with_handler(handle)
    url = httpserver.url_for("/")
    first = json.loads(cli("check", url, "-f", "json").stdout)["results"][0]
    assert first["verdict"] == "clear" and first["from_cache"] is False and first["fetched_at"]
    page.update(body=SPONSORED, etag='"v2"')
    second = cli("check", url, "-f", "json")
    doc = json.loads(second.stdout)["results"][0]
    assert doc["verdict"] == "conflict" and doc["from_cache"] is False
    assert second.exit_code == ExitStatus.CONFLICT


def test_an_unchanged_page_says_it_came_from_the_cache_and_how_old(tmp_path, httpserver, cli):
    modified = "Tue, 01 Dec 2026 10:00:00 GMT"
    httpserver.expect_request("/").respond_with_handler(_versioned({"last_modified": modified}, lambda: PAGE))
    url = httpserver.url_for("/")
    first = json.loads(cli("check", url, "-f", "json").stdout)["results"][0]
    again = json.loads(cli("check", url, "-f", "json").stdout)["results"][0]
    assert httpserver.log[-1][0].headers.get("If-Modified-Since") == modified
    assert httpserver.log[-1][1].status_code == 304
    assert again["from_cache"] is True and again["revalidated"] is True
    assert again["fetched_at"] == first["fetched_at"]  # the copy's download time, not the 304's
    assert again["verdict"] == first["verdict"]
    table = cli("check", url).stdout
    assert "answered from a cached copy downloaded" in table and "confirmed just now" in table
    assert "old)" in table


def test_a_page_without_validators_is_fetched_again_by_check(tmp_path, httpserver, cli):
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    url = httpserver.url_for("/")
    for _ in range(2):
        doc = json.loads(cli("check", url, "-f", "json").stdout)["results"][0]
        assert doc["from_cache"] is False
    assert len(httpserver.log) == 2
    assert "cached copy" not in cli("check", url).stdout


def test_batch_keeps_max_age_and_marks_rows_answered_from_the_cache(tmp_path, httpserver, cli):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type=HTML)
    tour = tmp_path / "t.csv"
    tour.write_text(f"city,url\nOslo,{httpserver.url_for('/a')}\n", "utf-8")
    out = tmp_path / "r.json"
    cli("batch", str(tour), "-o", str(out), "-q", "--delay", "0")
    first = json.loads(out.read_text("utf-8"))["results"][0]
    assert first["from_cache"] is False and first["fetched_at"]
    httpserver.clear_log()
    cli("batch", str(tour), "-o", str(out), "-q", "--delay", "0")
    second = json.loads(out.read_text("utf-8"))["results"][0]
    assert [r.path for r, _ in httpserver.log if r.path == "/a"] == []
    assert second["from_cache"] is True and second["revalidated"] is False
    assert second["fetched_at"] == first["fetched_at"]


def test_check_offline(tmp_path, httpserver, cli):
    url = httpserver.url_for("/never")
    result = cli("check", url, "--offline", "-f", "json")
    assert result.exit_code == ExitStatus.TARGET_ERROR
    assert json.loads(result.stdout)["results"][0]["error"]["kind"] == "offline"
    assert len(httpserver.log) == 0
    result = cli("check", url, "--offline", "--no-cache")
    assert result.exit_code == ExitStatus.USAGE


def test_batch_offline_uses_cached_pages_and_fetches_nothing(tmp_path, httpserver, cli):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type=HTML)
    tour = tmp_path / "t.csv"
    tour.write_text(f"city,url\nOslo,{httpserver.url_for('/a')}\nBergen,{httpserver.url_for('/b')}\n", "utf-8")
    out = tmp_path / "r.json"
    first = cli("batch", str(tour), "-o", str(out), "-q", "--delay", "0")
    assert first.exit_code != ExitStatus.USAGE, first.output
    httpserver.clear_log()
    second = cli("batch", str(tour), "-o", str(out), "-q", "--offline")
    results = json.loads(out.read_text("utf-8"))["results"]
    assert results[0]["verdict"] != "error" and results[1]["error"]["kind"] == "offline"
    assert second.exit_code == ExitStatus.TARGET_ERROR
    assert len(httpserver.log) == 0


def test_cache_info_and_clear(tmp_path, httpserver, cli):
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    path = str(tmp_path / "c.sqlite")
    cli("check", httpserver.url_for("/"), "--cache-path", path)
    info = cli("cache", "info", "--cache-path", path)
    assert info.exit_code == 0 and "pages: 1 (1 younger" in info.stdout
    cleared = cli("cache", "clear", "--cache-path", path)
    assert cleared.exit_code == 0 and "cleared 1" in cleared.stdout
    assert PageCache(path).get(httpserver.url_for("/")) is None


def test_cache_clear_removes_a_damaged_file_at_the_default_location(tmp_path, monkeypatch, cli):
    # Only sponsorcheck writes pages.sqlite in its own cache directory, so a damaged one may go.
    monkeypatch.delenv("SPONSORCHECK_CACHE")
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda *a, **k: str(tmp_path / "cachedir"))
    path = default_cache_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    result = cli("cache", "clear")
    assert result.exit_code == 0, result.output
    assert "deleted the damaged cache" in result.stdout
    assert not path.exists()


TOUR = "city,url\nOslo,https://fest.example/\nBergen,https://other.example/\n"


def test_cache_clear_refuses_a_file_that_is_not_a_cache(tmp_path, cli):
    # The reported data loss: `cache clear --cache-path tour.csv` deleted the agent's tour.
    tour = tmp_path / "tour.csv"
    tour.write_text(TOUR, encoding="utf-8")
    result = cli("cache", "clear", "--cache-path", str(tour))
    assert result.exit_code == ExitStatus.USAGE
    assert tour.read_text(encoding="utf-8") == TOUR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a sponsorcheck page cache" in lines[0] and "untouched" in lines[0]
    assert "cleared" not in result.stdout


def test_a_damaged_cache_elsewhere_is_refused_not_deleted(tmp_path, cli):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"garbage" * 1000)
    result = cli("cache", "clear", "--cache-path", str(path))
    assert result.exit_code == ExitStatus.USAGE
    assert path.read_bytes() == b"garbage" * 1000


def test_another_programs_database_is_neither_cleared_nor_written(tmp_path, httpserver, cli):
    db = tmp_path / "gigs.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE gigs (city TEXT, fee INTEGER)")
    con.execute("INSERT INTO gigs VALUES ('Oslo', 900)")
    con.commit()
    con.close()
    before = db.read_bytes()
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    for args in (("cache", "clear"), ("cache", "info"), ("check", httpserver.url_for("/"))):
        result = cli(*args, "--cache-path", str(db))
        assert result.exit_code == ExitStatus.USAGE, (args, result.output)
        assert "gigs" in result.stderr  # names what it found instead of a cache
    assert db.read_bytes() == before
    assert len(httpserver.log) == 0


def test_cache_path_means_the_same_file_in_every_command(tmp_path, monkeypatch, httpserver, cli):
    # `--cache-path mycache` used to write mycache.sqlite in check but read mycache in cache info.
    monkeypatch.chdir(tmp_path)
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    url = httpserver.url_for("/")
    assert cli("check", url, "--cache-path", "mycache").exit_code != ExitStatus.USAGE
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("mycache.sqlite-")) == [
        "mycache.sqlite",
        "watchlist.yaml",
    ]
    info = cli("cache", "info", "--cache-path", "mycache")
    assert info.exit_code == 0 and "pages: 1 " in info.stdout and "mycache.sqlite" in info.stdout
    tour = tmp_path / "tour.csv"
    tour.write_text(f"city,url\nOslo,{url}\n", encoding="utf-8")
    out = tmp_path / "r.json"
    batch = cli("batch", str(tour), "-o", str(out), "-q", "--offline", "--cache-path", "mycache")
    assert json.loads(out.read_text("utf-8"))["results"][0]["verdict"] != "error", batch.output
    cleared = cli("cache", "clear", "--cache-path", "mycache")
    assert cleared.exit_code == 0 and "cleared 1 cached page from" in cleared.stdout


@pytest.mark.parametrize(
    ("name", "value"), [("SPONSORCHECK_CACHE", "0"), ("SPONSORCHECK_CACHE", "off"), ("SPONSORCHECK_NO_CACHE", "1")]
)
def test_the_environment_turns_the_cache_off(tmp_path, monkeypatch, httpserver, cli, name, value):
    # SPONSORCHECK_CACHE=0 used to create a cache file called 0.sqlite in the working directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    url = httpserver.url_for("/")
    for _ in range(2):
        result = cli("check", url, "-f", "json")
        assert json.loads(result.stdout)["results"][0]["verdict"] != "error", result.output
    assert len(httpserver.log) == 2  # nothing was answered from a cache
    assert sorted(p.name for p in tmp_path.iterdir()) == ["watchlist.yaml"]
    offline = cli("check", url, "--offline")
    assert offline.exit_code == ExitStatus.USAGE and f"{name}={value}" in offline.stderr
    info = cli("cache", "info")
    assert info.exit_code == 0 and "off" in info.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["watchlist.yaml"]


def test_an_explicit_cache_path_wins_over_the_environment_switch(tmp_path, monkeypatch, httpserver, cli):
    monkeypatch.setenv("SPONSORCHECK_NO_CACHE", "1")
    httpserver.expect_request("/").respond_with_data(PAGE, content_type=HTML)
    path = tmp_path / "c.sqlite"
    cli("check", httpserver.url_for("/"), "--cache-path", str(path))
    assert PageCache(path).get(httpserver.url_for("/")) is not None


def test_resolve_cache_path_is_one_rule():
    env = {"SPONSORCHECK_CACHE": "/x/pages"}
    assert resolve_cache_path("mycache", env) == Path("mycache.sqlite")
    assert resolve_cache_path("mycache.db", env) == Path("mycache.db")
    assert resolve_cache_path(None, env) == Path("/x/pages.sqlite")
    assert resolve_cache_path(None, {"SPONSORCHECK_CACHE": "OFF"}) is None
    assert resolve_cache_path(None, {"SPONSORCHECK_NO_CACHE": "0"}) == user_cache_file()


def test_opening_the_cache_leaves_requests_cache_s_other_backends_unloaded_but_importable(tmp_path):
    # requests-cache imports the client of every backend installed (boto3: ~16 MB); only SQLite is used.
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("boto3") is None:
        pytest.skip("boto3 is not installed: nothing to leave unloaded")
    code = (
        "import sys\n"
        "from sponsorcheck.cache import PageCache\n"
        "from sponsorcheck.models import Page\n"
        f"cache = PageCache({str(tmp_path / 'c.sqlite')!r})\n"
        "cache.put('http://fest.example/', Page('t', 'http://fest.example/', 'x'))\n"
        "assert cache.get('http://fest.example/').text == 'x'\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'loaded'\n"
        "import boto3\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
