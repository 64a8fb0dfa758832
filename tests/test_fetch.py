"""Fetching against a real loopback HTTP server: redirects, errors, retries, limits, charsets."""

from __future__ import annotations

import gzip
import time

import pytest
from werkzeug import Response

from sponsorcheck.errors import FetchError, TargetError, UsageError
from sponsorcheck.fetch import (
    USER_AGENT,
    Fetcher,
    FetchPolicy,
    decode_html,
    load_target,
    make_session,
    read_file,
    validate_url,
)

HTML = "<html><body><h2>Sponsors</h2><p>Café Zürich</p></body></html>"


def test_fetch_returns_final_url_after_redirect(httpserver, fetcher):
    httpserver.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/new"}))
    httpserver.expect_request("/new").respond_with_data(HTML, content_type="text/html; charset=utf-8")
    page = fetcher.fetch(httpserver.url_for("/old"))
    assert page.url == httpserver.url_for("/new")
    assert "Café Zürich" in page.text
    assert page.status == 200


def test_user_agent_names_the_tool(httpserver, fetcher):
    httpserver.expect_request("/", headers={"User-Agent": USER_AGENT}).respond_with_data(HTML, content_type="text/html")
    assert "Sponsors" in fetcher.fetch(httpserver.url_for("/")).text


def test_404_is_a_fetch_error_with_status(httpserver, fetcher):
    httpserver.expect_request("/gone").respond_with_data("nope", status=404, content_type="text/html")
    with pytest.raises(FetchError) as info:
        fetcher.fetch(httpserver.url_for("/gone"))
    assert info.value.status == 404
    assert "404" in str(info.value)


def test_429_with_retry_after_is_retried_and_honoured(httpserver):
    waits: list[float] = []
    fetcher = Fetcher(make_session(), FetchPolicy(retries=2, max_retry_after=3), sleep=waits.append)
    httpserver.expect_ordered_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "2"})
    httpserver.expect_ordered_request("/busy").respond_with_data(HTML, content_type="text/html")
    page = fetcher.fetch(httpserver.url_for("/busy"))
    assert "Sponsors" in page.text
    assert waits == [2.0]


def test_retry_after_is_capped(httpserver):
    waits: list[float] = []
    fetcher = Fetcher(make_session(), FetchPolicy(retries=1, max_retry_after=1.5), sleep=waits.append)
    httpserver.expect_ordered_request("/busy").respond_with_data("", status=503, headers={"Retry-After": "21600"})
    httpserver.expect_ordered_request("/busy").respond_with_data(HTML, content_type="text/html")
    fetcher.fetch(httpserver.url_for("/busy"))
    assert waits == [1.5]


def test_persistent_500_gives_up_after_retries(httpserver, fetcher):
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    with pytest.raises(FetchError, match="server error 500"):
        fetcher.fetch(httpserver.url_for("/broken"))
    assert len(httpserver.log) == 3  # first try + 2 retries


def test_read_timeout(httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response(HTML, content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    fetcher = Fetcher(make_session(), FetchPolicy(read_timeout=0.3, retries=0, deadline=5))
    with pytest.raises(FetchError, match="did not answer in time"):
        fetcher.fetch(httpserver.url_for("/slow"))


def test_size_cap_on_declared_length(httpserver):
    httpserver.expect_request("/big").respond_with_data("x" * 5000, content_type="text/html")
    fetcher = Fetcher(make_session(), FetchPolicy(max_bytes=1000))
    with pytest.raises(FetchError, match="larger than"):
        fetcher.fetch(httpserver.url_for("/big"))


def test_size_cap_on_decoded_gzip_body(httpserver):
    bomb = gzip.compress(b"<p>" + b"a" * 3_000_000)
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    fetcher = Fetcher(make_session(), FetchPolicy(max_bytes=1_000_000))
    with pytest.raises(FetchError, match="decoded"):
        fetcher.fetch(httpserver.url_for("/bomb"))


def test_non_html_content_type_is_refused(httpserver, fetcher):
    httpserver.expect_request("/doc.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(FetchError, match="not a web page"):
        fetcher.fetch(httpserver.url_for("/doc.pdf"))


def test_redirect_loop_is_a_clear_error(httpserver):
    httpserver.expect_request("/a").respond_with_response(Response(status=302, headers={"Location": "/b"}))
    httpserver.expect_request("/b").respond_with_response(Response(status=302, headers={"Location": "/a"}))
    fetcher = Fetcher(make_session(), FetchPolicy(max_redirects=5))
    with pytest.raises(FetchError, match="redirect"):
        fetcher.fetch(httpserver.url_for("/a"))


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("Café".encode(), "text/html", "Café"),  # no charset anywhere: UTF-8, not requests' ISO-8859-1 guess
        ("Café".encode("windows-1252"), "text/html; charset=windows-1252", "Café"),
        (b'<meta charset="windows-1252"><p>Caf\xe9', "text/html", "Café"),
        ("\ufeffCafé".encode("utf-16-le"), "text/html", "Café"),
        ("株式会社".encode("shift_jis"), "text/html; charset=Shift_JIS", "株式会社"),
    ],
)
def test_charsets(httpserver, fetcher, body, content_type, expected):
    httpserver.expect_request("/enc").respond_with_data(
        b"<html><body>" + body if not body.startswith(b"\xff") else body, content_type=content_type
    )
    assert expected in fetcher.fetch(httpserver.url_for("/enc")).text


def test_empty_200_is_an_error(httpserver, fetcher):
    httpserver.expect_request("/empty").respond_with_data("", content_type="text/html")
    with pytest.raises(FetchError, match="empty"):
        fetcher.fetch(httpserver.url_for("/empty"))


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "http://"])
def test_unsupported_urls_are_usage_errors(url):
    with pytest.raises(UsageError):
        validate_url(url)


def test_connection_refused_is_a_fetch_error(fetcher):
    with pytest.raises(FetchError, match=r"connection refused: nothing answers on port 9 of 127\.0\.0\.1"):
        fetcher.fetch("http://127.0.0.1:9/")


def test_read_file_and_missing_file(tmp_path):
    page = tmp_path / "p.html"
    page.write_bytes("<p>Ünïcode</p>".encode())
    assert "Ünïcode" in read_file(str(page)).text
    with pytest.raises(TargetError, match="no such file"):
        read_file(str(tmp_path / "missing.html"))
    with pytest.raises(TargetError, match="directory"):
        read_file(str(tmp_path))


def test_load_target_reads_stdin(fetcher):
    import io

    page = load_target("-", fetcher, io.BytesIO(b"<h2>Sponsors</h2>"))
    assert page.url == "-" and "Sponsors" in page.text


def test_decode_html_never_raises_on_garbage():
    assert isinstance(decode_html(bytes(range(256)) * 10), str)


def test_a_dripped_response_head_is_cut_at_the_deadline():
    # Socket timeouts bound silences, not the total: only the watchdog ends a head sent a byte a second.
    from tests.hostile import servers

    fetcher = Fetcher(make_session(), FetchPolicy(deadline=1.5, retries=0))
    with servers.RawServer(servers.drip_headers) as server:
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"gave up after 1\.5 s") as info:
            fetcher.fetch(server.url())
    assert info.value.kind == "timeout"
    assert time.monotonic() - start < 5  # bounded by the deadline, not by the endless head


def test_binary_data_served_as_html_is_refused(httpserver, fetcher):
    httpserver.expect_request("/bin").respond_with_data(bytes(range(256)) * 100, content_type="text/html")
    with pytest.raises(FetchError, match="does not look like a web page"):
        fetcher.fetch(httpserver.url_for("/bin"))


def test_nul_bytes_in_a_page_are_dropped_not_fatal():
    assert decode_html(b"<p>Ama\x00zon</p>") == "<p>Amazon</p>"


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=UTF-8"])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<p>Ama\x00zon and Tw\x0citch</p>", "<p>Amazon and Twitch</p>"),  # NUL, form feed: dropped
        (b"<meta charset='utf-8'><p>Caf\xc3\xa9 \xe2\x86\x92 Ama\x1fzon</p>", "<p>Café → Amazon</p>"),
        (b"\xef\xbb\xbf<p>Caf\xc3\xa9</p>", "<p>Café</p>"),  # a UTF-8 byte order mark is not text
    ],
)
def test_utf8_pages_are_read_the_same_by_the_fast_path(httpserver, fetcher, body, content_type, expected):
    # Pages decoded as plain UTF-8 skip the per-character checks only when their bytes hold no control
    # character: these pages do, and must still be cleaned, whether or not the server names the charset.
    httpserver.expect_request("/u").respond_with_data(body, content_type=content_type)
    text = fetcher.fetch(httpserver.url_for("/u")).text
    assert expected in text and "\ufeff" not in text


def test_binary_data_that_is_valid_utf8_is_still_refused(httpserver, fetcher):
    binary = bytes(range(32)) * 3000
    httpserver.expect_request("/bin").respond_with_data(binary, content_type="text/html; charset=utf-8")
    with pytest.raises(FetchError, match="does not look like a web page"):
        fetcher.fetch(httpserver.url_for("/bin"))


def test_a_session_with_its_own_plain_adapters_still_obeys_the_deadline():
    # A caller (batch mode) may mount its own HTTPAdapter for pool sizes; the deadline must still hold.
    import requests

    from tests.hostile import servers

    session = make_session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=2, max_retries=0))
    fetcher = Fetcher(session, FetchPolicy(deadline=1.5, retries=0))
    with servers.RawServer(servers.drip_headers) as server, pytest.raises(FetchError, match="gave up") as info:
        fetcher.fetch(server.url())
    assert info.value.kind == "timeout"
