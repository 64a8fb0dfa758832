"""On the wire: servers that drip, stall, reset, loop, bomb, lie about charsets or speak bad TLS.

Every case runs `python -m sponsorcheck check URL --format json` against a real server on
127.0.0.1 (pytest-httpserver, or `RawServer` for what werkzeug cannot do) and asserts the exit
code, one stderr line that says what to do, no traceback, the time bound and peak memory.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import zlib

import pytest
from werkzeug import Response

from sponsorcheck.errors import ExitStatus

from . import servers
from .conftest import MAX_PEAK_MB, assert_handled, assert_refused, run_cli_many

DEADLINE = 2  # --timeout given to the drip and stall cases; their bound is this plus a margin
MARGIN = 3.0
SPONSOR_PAGE = (
    '<html><body><section id="sponsors"><h2>Our sponsors</h2>'
    '<a href="https://www.amazon.com/"><img src="/img/amazon-logo.png" alt="Amazon"></a>'
    "</section></body></html>"
)


@functools.cache
def gzip_bomb() -> bytes:
    """300 MB of zeros, gzip-compressed to ~300 KB: small on the wire, huge decoded."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join([compressor.compress(zeros) for _ in range(300)] + [compressor.flush()])


# --- servers that are slow on purpose -------------------------------------------------------------


def silent(conn, stop):
    """Accept and never even read the request (over https: the TLS handshake never completes)."""
    stop.wait(120)


SLOW = {
    "drip_body": (servers.drip_body, "http"),
    "drip_headers": (servers.drip_headers, "http"),
    "never_answer": (servers.never_answer, "http"),
    "accepts, never reads": (silent, "http"),
    "TLS handshake never completes": (silent, "https"),
}


@pytest.fixture(scope="module")
def slow_runs(watchlist_path):
    """Every SLOW server checked with --timeout DEADLINE, all at once: the children mostly wait."""
    jobs = {}
    with contextlib.ExitStack() as stack:
        for name, (behaviour, scheme) in SLOW.items():
            server = stack.enter_context(servers.RawServer(behaviour))
            args = ("check", server.url(scheme=scheme), "--format", "json", "-w", watchlist_path)
            jobs[name] = ((*args, "--timeout", str(DEADLINE)), {"label": f"wire: {name}"})
        return run_cli_many(jobs, workers=len(jobs))


@pytest.mark.parametrize("name", list(SLOW))
def test_a_slow_server_is_cut_at_the_deadline(slow_runs, name):
    run = slow_runs[name]
    line = assert_refused(run, ExitStatus.TARGET_ERROR, DEADLINE + MARGIN, "--timeout")
    assert f"{DEADLINE} s" in line
    assert run.json()["results"][0]["error"]["kind"] == "timeout"


@pytest.fixture(scope="module")
def refused_connections(watchlist_path):
    """Resets and a closed port, checked at once: the children mostly sleep between bounded retries."""
    with servers.RawServer(servers.never_answer) as closed:
        closed_url = closed.url()
    with servers.RawServer(servers.reset) as reset, servers.RawServer(servers.reset_mid_body) as reset_mid:
        urls = {"reset": reset.url(), "reset_mid_body": reset_mid.url(), "connection refused": closed_url}
        jobs = {
            name: (("check", url, "--format", "json", "-w", watchlist_path), {"label": f"wire: {name}"})
            for name, url in urls.items()
        }
        runs = run_cli_many(jobs, workers=len(jobs))
        connections = {"reset": reset.connections, "reset_mid_body": reset_mid.connections}
    return runs, connections


@pytest.mark.parametrize("name", ["reset", "reset_mid_body"])
def test_a_connection_reset_is_retried_then_reported(refused_connections, name):
    runs, connections = refused_connections
    assert connections[name] == 3  # the first try and two bounded retries
    assert_refused(runs[name], ExitStatus.TARGET_ERROR, 5, "connection", "try again later")


def test_a_closed_port_is_a_connection_error(refused_connections):
    runs, _ = refused_connections
    assert_refused(runs["connection refused"], ExitStatus.TARGET_ERROR, 5, "connection refused", "check the address")


def test_an_endless_body_stops_at_the_size_cap(check):
    with servers.RawServer(servers.endless_body) as server:
        run = check(server.url(), label="wire: endless body, no Content-Length")
    assert_refused(run, ExitStatus.TARGET_ERROR, 10, "larger than 10 MB", "saved")


# --- HTTP errors ------------------------------------------------------------------------------------


def test_500s_are_retried_then_reported(check, httpserver):
    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    run = check(httpserver.url_for("/down"), label="wire: 500")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "server error 500", "try again later")
    assert len(httpserver.log) == 3


def test_429_with_a_huge_retry_after_is_bounded_by_the_deadline(check, httpserver):
    httpserver.expect_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "86400"})
    run = check(httpserver.url_for("/busy"), "--timeout", str(DEADLINE), label="wire: 429 Retry-After one day")
    assert_refused(run, ExitStatus.TARGET_ERROR, DEADLINE + MARGIN, "429", "wait 24 h", "try again later")


def test_429_with_a_short_retry_after_is_honoured(check, httpserver):
    httpserver.expect_ordered_request("/busy").respond_with_data("wait", status=429, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request("/busy").respond_with_data(SPONSOR_PAGE, content_type="text/html")
    run = check(httpserver.url_for("/busy"), label="wire: 429 then 200")
    report = assert_handled(run, ExitStatus.CONFLICT, 5)
    assert report["results"][0]["findings"][0]["entity"] == "amazon"
    assert run.seconds >= 1.0  # it waited as asked


@pytest.mark.parametrize("status", [404, 410])
def test_missing_pages_say_check_the_url(check, httpserver, status):
    httpserver.expect_request("/gone").respond_with_data("gone", status=status)
    run = check(httpserver.url_for("/gone"), label=f"wire: {status}")
    assert_refused(run, ExitStatus.TARGET_ERROR, 3, str(status), "check the URL")
    assert len(httpserver.log) == 1  # not retried: it will not come back


def test_a_redirect_loop_is_cut(check, httpserver):
    httpserver.expect_request("/a").respond_with_response(Response(status=302, headers={"Location": "/b"}))
    httpserver.expect_request("/b").respond_with_response(Response(status=302, headers={"Location": "/a"}))
    run = check(httpserver.url_for("/a"), label="wire: redirect loop")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "redirects", "open the URL in a browser")


def test_a_long_redirect_chain_is_cut(check, httpserver):
    for i in range(40):
        httpserver.expect_request(f"/hop{i}").respond_with_response(
            Response(status=301, headers={"Location": f"/hop{i + 1}"})
        )
    run = check(httpserver.url_for("/hop0"), label="wire: 40 redirects")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "more than 10 redirects")
    assert len(httpserver.log) == 11  # the first request and ten redirects, no more


def test_a_short_redirect_chain_reports_the_final_url(check, httpserver):
    for i in range(5):
        httpserver.expect_request(f"/hop{i}").respond_with_response(
            Response(status=301, headers={"Location": f"/hop{i + 1}"})
        )
    httpserver.expect_request("/hop5").respond_with_data(SPONSOR_PAGE, content_type="text/html")
    run = check(httpserver.url_for("/hop0"), label="wire: 5 redirects")
    report = assert_handled(run, ExitStatus.CONFLICT, 5)
    assert report["results"][0]["url"] == httpserver.url_for("/hop5")


def test_a_redirect_to_another_scheme_is_refused(check, httpserver):
    httpserver.expect_request("/ftp").respond_with_response(
        Response(status=302, headers={"Location": "ftp://127.0.0.1/x"})
    )
    run = check(httpserver.url_for("/ftp"), label="wire: redirect to ftp")
    assert_refused(run, ExitStatus.TARGET_ERROR, 3, "not http(s)")


# --- bodies that are too big or not pages ----------------------------------------------------------


def test_a_gzip_bomb_is_cut_while_decoding(check, httpserver):
    bomb = gzip_bomb()
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    run = check(httpserver.url_for("/bomb"), label=f"wire: gzip bomb {len(bomb) // 1000} KB -> 300 MB")
    assert_refused(run, ExitStatus.TARGET_ERROR, 10, "larger than 10 MB")


def test_a_declared_huge_content_length_is_refused_before_reading(check):
    def huge(conn, stop):
        servers.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 900000000\r\n\r\n<html>")
        stop.wait(60)  # the other 900 MB never come: only the announcement can refuse it quickly

    with servers.RawServer(huge) as server:
        run = check(server.url(), label="wire: Content-Length 900 MB")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "larger than 10 MB", "900,000,000 bytes")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256)) * 40),
        ("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 40),
    ],
)
def test_pdf_and_images_are_not_web_pages(check, httpserver, content_type, body):
    httpserver.expect_request("/file").respond_with_data(body, content_type=content_type)
    run = check(httpserver.url_for("/file"), label=f"wire: {content_type}")
    assert_refused(run, ExitStatus.TARGET_ERROR, 3, content_type, "not a web page")


def test_an_empty_200_is_an_error_not_a_clear_page(check, httpserver):
    httpserver.expect_request("/empty").respond_with_data(b"", content_type="text/html")
    run = check(httpserver.url_for("/empty"), label="wire: empty 200")
    assert_refused(run, ExitStatus.TARGET_ERROR, 3, "empty")


def test_binary_garbage_served_as_html_is_refused(check, httpserver):
    garbage = bytes((i * 7919 + 13) % 256 for i in range(200_000))
    httpserver.expect_request("/garbage").respond_with_data(garbage, content_type="text/html")
    run = check(httpserver.url_for("/garbage"), label="page: 200 KB binary garbage as text/html")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "not look like a web page")


# --- charsets ---------------------------------------------------------------------------------------

# A page as pages are: some prose in the page's language (what charset detection reads), then sponsors.
NAMES_PAGE = (
    "<html><body><p>{prose}</p><section class='sponsors'><h2>Sponsors</h2><ul><li>{local}</li></ul>"
    '<a href="https://amazon.com/"><img src="a.png" alt="Amazon"></a></section></body></html>'
)
PROSE = {
    "de": "Das Festival dankt allen Förderern für ihre großzügige Unterstützung. Tickets gibt es ab März.",
    "fr": "Le festival remercie ses partenaires pour leur soutien généreux à cette édition. Réservez dès maintenant.",
    "ja": "東京音楽祭は、今年も多くのスポンサーの皆様のご支援により開催されます。チケットは三月から販売します。",
}


@pytest.mark.parametrize(
    ("case", "lang", "local", "encoding", "content_type", "prefix"),
    [
        ("windows-1252, no charset", "de", "Brasserie Müller & Söhne", "windows-1252", "text/html", b""),
        ("windows-1252 sent as utf-8", "fr", "Café Crème – Zürich", "windows-1252", "text/html; charset=utf-8", b""),
        ("Shift_JIS in <meta>", "ja", "東京音楽祭スポンサー", "shift_jis", "text/html", b""),
        ("UTF-16 with a BOM", "de", "Ünïcödé Fëstïvål", "utf-16-le", "text/html", b"\xff\xfe"),
    ],
)
def test_charsets_are_decoded_so_names_read_right(check, httpserver, case, lang, local, encoding, content_type, prefix):
    html = NAMES_PAGE.format(prose=PROSE[lang], local=local)
    if encoding == "shift_jis":
        html = html.replace("<html>", '<html><head><meta charset="shift_jis"></head>')
    httpserver.expect_request("/page").respond_with_data(prefix + html.encode(encoding), content_type=content_type)
    run = check(httpserver.url_for("/page"), label=f"wire: {case}")
    report = assert_handled(run, ExitStatus.CONFLICT, 5)
    names = [s["name"] for s in report["results"][0]["sponsors"]]
    assert local in names


# --- TLS --------------------------------------------------------------------------------------------


def test_plain_http_on_an_https_url_is_a_tls_error(check):
    with servers.RawServer(servers.serve_page(SPONSOR_PAGE.encode())) as server:
        run = check(server.url(scheme="https"), label="wire: plain HTTP spoken to https://")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "TLS handshake failed: the server does not speak HTTPS", "http://")


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made by openssl for this run."""
    import ssl

    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_a_self_signed_certificate_is_refused(check, self_signed):
    with servers.RawServer(servers.serve_page(SPONSOR_PAGE.encode()), tls=self_signed) as server:
        run = check(server.url(), label="wire: self-signed certificate")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "certificate is not trusted (self-signed", "save it")


def test_ctrl_c_during_a_slow_fetch_stops_at_once(check):
    with servers.RawServer(servers.drip_body) as server:
        run = check(server.url(), "--timeout", "60", interrupt_after=1.5, label="wire: Ctrl-C while a server drips")
    assert run.returncode == 130  # the shell convention for SIGINT
    assert run.stderr_lines == ["sponsorcheck: interrupted"]
    assert "Traceback" not in run.stderr
    assert run.seconds < 1.5 + MARGIN
    assert run.peak_mb < MAX_PEAK_MB
