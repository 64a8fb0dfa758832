"""The HTTP session reads the environment once, and its direct path behaves as requests' own.

requests re-reads every proxy and CA-bundle variable on every request when `trust_env` is on; the
batch session applies them once when they are the same for every URL, and leaves requests to read
them per request when they are not (proxies with no_proxy, netrc entries per host).
"""

from __future__ import annotations

import pytest
from werkzeug import Response

from sponsorcheck.batch import batch_session
from sponsorcheck.errors import FetchError
from sponsorcheck.fetch import CA_BUNDLE_SETTINGS, PROXY_SETTINGS, USER_AGENT, Fetcher, FetchPolicy, make_session


@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    for name in (*PROXY_SETTINGS, *CA_BUNDLE_SETTINGS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc
    return monkeypatch


def test_a_ca_bundle_in_the_environment_is_applied_once_and_still_used(bare_environment, tmp_path):
    bundle = tmp_path / "corporate-ca.pem"
    bundle.write_text("not read here", encoding="ascii")
    bare_environment.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    bare_environment.setenv("CURL_CA_BUNDLE", str(tmp_path / "other.pem"))
    session = batch_session()
    assert session.trust_env is False
    assert session.verify == str(bundle)  # REQUESTS_CA_BUNDLE wins over CURL_CA_BUNDLE, as in requests
    # What requests would have merged per request is what the session now says once.
    settings = session.merge_environment_settings("https://festival.example/", {}, None, None, None)
    assert settings["verify"] == str(bundle)
    assert settings["proxies"] == {}


def test_without_environment_settings_verification_stays_on(bare_environment):
    session = batch_session()
    assert session.trust_env is False
    assert session.verify is True


@pytest.mark.parametrize("name", ["https_proxy", "ALL_PROXY", "NETRC"])
def test_a_proxy_or_netrc_setting_is_left_for_requests_to_read_per_request(bare_environment, tmp_path, name):
    bare_environment.setenv(name, "http://proxy.example:3128" if "proxy" in name.lower() else str(tmp_path / "n"))
    session = batch_session()
    assert session.trust_env is True


def test_no_proxy_alone_says_nothing_and_is_not_read_per_request(bare_environment):
    # no_proxy lists where a proxy is not used; with no proxy set, requests would use none anywhere.
    bare_environment.setenv("NO_PROXY", "127.0.0.0/8,localhost")
    session = batch_session()
    assert session.trust_env is False
    assert session.merge_environment_settings("http://127.0.0.1/", {}, None, None, None)["proxies"] == {}


def test_a_netrc_file_is_left_for_requests_to_read_per_request(bare_environment, tmp_path):
    (tmp_path / ".netrc").write_text("machine festival.example login a password b\n", encoding="ascii")
    assert batch_session().trust_env is True


# ---------------------------------------------------------------------------------------------
# The direct path (fetch.session_get) against requests' own: same request, same page, same errors.

HTML = "<html><body><h2>Sponsors</h2><p>Harbour Brewing</p></body></html>"


def _fetcher(direct: bool, **policy) -> Fetcher:
    session = make_session()
    session.trust_env = not direct  # with trust_env, every request goes through requests' Session
    return Fetcher(session, FetchPolicy(retries=0, **policy), sleep=lambda s: None)


@pytest.fixture(params=["direct", "requests"])
def fetcher(request, bare_environment):
    return _fetcher(request.param == "direct")


def test_both_paths_send_the_same_request_headers(httpserver, bare_environment):
    seen = []
    httpserver.expect_request("/").respond_with_handler(
        lambda r: (seen.append(dict(r.headers)), Response(HTML, content_type="text/html"))[1]
    )
    for direct in (True, False):
        _fetcher(direct).fetch(httpserver.url_for("/"))
    assert len(seen) == 2 and seen[0] == seen[1]
    assert seen[0]["User-Agent"] == USER_AGENT and "gzip" in seen[0]["Accept-Encoding"]


def test_a_redirect_keeps_the_fragment_and_ends_at_the_final_url(httpserver, fetcher):
    httpserver.expect_request("/old").respond_with_response(Response(status=302, headers={"Location": "/new"}))
    httpserver.expect_request("/new").respond_with_data(HTML, content_type="text/html")
    page = fetcher.fetch(httpserver.url_for("/old") + "#sponsors")
    assert page.url == httpserver.url_for("/new") + "#sponsors"
    assert "Harbour Brewing" in page.text


def test_a_redirect_loop_stops_at_the_redirect_cap(httpserver, bare_environment):
    httpserver.expect_request("/loop").respond_with_response(Response(status=301, headers={"Location": "/loop"}))
    messages = []
    for direct in (True, False):
        httpserver.clear_log()
        with pytest.raises(FetchError) as info:
            _fetcher(direct, max_redirects=3).fetch(httpserver.url_for("/loop"))
        assert info.value.kind == "redirects"
        assert len(httpserver.log) == 4  # the first request and 3 redirects followed
        messages.append(info.value.message)
    assert messages[0] == messages[1]


def test_a_redirect_to_a_non_http_scheme_is_refused(httpserver, fetcher):
    httpserver.expect_request("/ftp").respond_with_response(
        Response(status=302, headers={"Location": "ftp://files.example/sponsors.html"})
    )
    with pytest.raises(FetchError) as info:
        fetcher.fetch(httpserver.url_for("/ftp"))
    assert info.value.kind == "redirects"


def test_a_cookie_the_site_sets_is_sent_back_on_the_next_request(httpserver, fetcher):
    # A class of site: a consent or session cookie set on the first page, expected on the next ones.
    httpserver.expect_ordered_request("/first").respond_with_response(
        Response(HTML, content_type="text/html", headers={"Set-Cookie": "consent=yes; Path=/"})
    )
    httpserver.expect_ordered_request("/second", headers={"Cookie": "consent=yes"}).respond_with_data(
        HTML, content_type="text/html"
    )
    fetcher.fetch(httpserver.url_for("/first"))
    assert "Harbour Brewing" in fetcher.fetch(httpserver.url_for("/second")).text


def test_a_cookie_set_by_a_redirect_goes_with_the_next_hop(httpserver, fetcher):
    httpserver.expect_request("/gate").respond_with_response(
        Response(status=302, headers={"Location": "/inside", "Set-Cookie": "visited=1; Path=/"})
    )
    httpserver.expect_request("/inside", headers={"Cookie": "visited=1"}).respond_with_data(
        HTML, content_type="text/html"
    )
    assert fetcher.fetch(httpserver.url_for("/gate")).url == httpserver.url_for("/inside")


def test_a_refused_connection_reads_the_same_on_both_paths(bare_environment):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    messages = []
    for direct in (True, False):
        with pytest.raises(FetchError) as info:
            _fetcher(direct).fetch(f"http://127.0.0.1:{port}/")
        assert info.value.kind == "connection"
        messages.append(info.value.message)
    assert messages[0] == messages[1] and "connection refused" in messages[0]


def test_a_gzip_page_is_decoded_on_the_direct_path(httpserver, fetcher):
    import gzip

    httpserver.expect_request("/z").respond_with_data(
        gzip.compress(HTML.encode()), content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    assert "Harbour Brewing" in fetcher.fetch(httpserver.url_for("/z")).text


def test_the_batch_session_takes_the_direct_path(bare_environment):
    from sponsorcheck.fetch import _direct

    fetcher = Fetcher(batch_session(), FetchPolicy())
    assert _direct(fetcher.session, "http://festival.example/") is not None
    assert _direct(fetcher.session, "http://user:secret@festival.example/") is None  # requests adds the auth
