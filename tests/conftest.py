"""Shared fixtures: real pages written in tests, the default watchlist, a fetcher aimed at loopback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
from sponsorcheck.match import Matcher
from sponsorcheck.watchlist import load_default

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAGES = Path(__file__).resolve().parent / "pages"

# The suite leaves nothing in the repository (not even files .gitignore would hide): Hypothesis keeps
# its example database in a throw-away directory instead of ./.hypothesis.
_HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="sponsorcheck-hypothesis-"))
set_hypothesis_home_dir(_HYPOTHESIS_HOME)


def pytest_unconfigure(config):
    shutil.rmtree(_HYPOTHESIS_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def watchlist():
    return load_default()


@pytest.fixture(scope="session")
def matcher(watchlist):
    return Matcher([watchlist])


@pytest.fixture
def fetcher():
    """A fetcher with short limits and no real sleeping, for a loopback pytest-httpserver."""
    policy = FetchPolicy(deadline=5, connect_timeout=2, read_timeout=2, retries=2, backoff=0.01, max_retry_after=1)
    return Fetcher(make_session(), policy, sleep=lambda s: None)


@pytest.fixture(autouse=True)
def _private_page_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own page cache file, so no test reads another's pages or the user's cache."""
    monkeypatch.setenv("SPONSORCHECK_CACHE", str(tmp_path_factory.mktemp("cache") / "pages.sqlite"))


def pytest_report_header(config):
    """Say up front whether the render tests can run here (they skip without a browser, and fail in CI)."""
    from sponsorcheck.render import browser_status

    status = browser_status()
    if status.available:
        return f"render tests: browser {status.executable or 'Playwright Chromium'}"
    return f"render tests: NO BROWSER ({status.problem}) — skipped here, failed in CI"
