"""--render and --evidence the way a user runs them: `sponsorcheck check|batch` as a child process, a real
browser, loopback pages (the page classes are described in test_render.py). Skipped without a browser,
failed in CI."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from werkzeug.wrappers import Response

from .test_render import (
    _alive,
    require_browser,
    serve_json_grid,
    serve_never_idle,
    stop_while_rendering,
)

ROOT = Path(__file__).resolve().parent.parent


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def sponsorcheck(*args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sponsorcheck", *args],
        capture_output=True,
        text=True,
        env=env(**extra),
        cwd=cwd,
        timeout=120,
    )


def test_check_renders_a_script_built_page_by_default_and_says_so(httpserver, tmp_path):
    require_browser()
    url = serve_json_grid(httpserver, "/cli-grid")
    done = sponsorcheck("check", url, "--no-cache", "-f", "json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert result["verdict"] == "conflict" and result["rendered"] is True and result["rendered_pages"] == [url]
    table = sponsorcheck("check", url, "--no-cache")
    assert "rendered in a browser: " + url in table.stdout


def test_render_never_reads_the_plain_page(httpserver):
    url = serve_json_grid(httpserver, "/cli-never")
    done = sponsorcheck("check", url, "--no-cache", "--render", "never", "-f", "json")
    assert done.returncode == 3, done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert result["verdict"] == "unknown" and result["rendered"] is False


def test_render_always_without_a_browser_is_one_line_and_exit_2(httpserver, tmp_path):
    url = serve_json_grid(httpserver, "/cli-nobrowser")
    done = sponsorcheck("check", url, "--render", "always", SPONSORCHECK_BROWSER=str(tmp_path / "none"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install chromium" in lines[0] and "playwright install chromium" in lines[0]
    assert done.stdout == ""


def test_render_auto_without_a_browser_reads_plain_with_a_note(httpserver, tmp_path):
    url = serve_json_grid(httpserver, "/cli-auto-nobrowser")
    done = sponsorcheck(
        "check", url, "--no-cache", "--render", "auto", "-f", "json", SPONSORCHECK_BROWSER=str(tmp_path / "none")
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "note: --render auto" in done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert result["rendered"] is False and any("apt-get install chromium" in h for h in result["hints"])


def test_ctrl_c_during_check_leaves_no_browser_behind(httpserver):
    require_browser()
    url = serve_never_idle(httpserver)
    argv = [sys.executable, "-m", "sponsorcheck", "check", url, "--no-cache", "--render", "always", "--timeout", "60"]
    proc, browsers = stop_while_rendering(argv, signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert browsers, "the browser never started"
    time.sleep(0.5)
    assert not [p for p in browsers if _alive(p)], "browser processes outlived the run"


def test_batch_renders_and_keeps_evidence_per_row(httpserver, tmp_path):
    require_browser()
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    grid = serve_json_grid(httpserver, "/tour-grid")
    httpserver.expect_request("/tour-plain").respond_with_data(
        "<html><body><h2>Sponsors</h2><ul class='sponsors'><li>Riverside Brewing</li></ul></body></html>",
        content_type="text/html",
    )
    plain = httpserver.url_for("/tour-plain")
    tour = tmp_path / "tour.csv"
    tour.write_text(f"date,venue,url\n2026-06-01,Grid Hall,{grid}\n2026-06-02,Plain Club,{plain}\n")
    out = tmp_path / "report.csv"
    evidence = tmp_path / "evidence"
    done = sponsorcheck(
        "batch", str(tour), "-o", str(out), "--no-cache", "--delay", "0", "--evidence", str(evidence), "-q"
    )
    assert done.returncode == 1, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["verdict"] for r in rows] == ["conflict", "clear"]
    assert rows[0]["rendered"] == "yes" and rows[1]["rendered"] == ""
    folder = Path(rows[0]["evidence_folder"])
    assert folder.parent == evidence and (folder / "screenshot.png").is_file()
    assert json.loads((folder / "record.json").read_text())["url"] == grid
    assert rows[1]["evidence_folder"] == ""


def test_evidence_refuses_a_folder_of_the_users(httpserver, tmp_path):
    url = serve_json_grid(httpserver, "/cli-evidence-refused")
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "draft.txt").write_text("statement draft")
    done = sponsorcheck("check", url, "--no-cache", "--render", "never", "--evidence", str(mine))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "not sponsorcheck's evidence" in done.stderr
    assert [p.name for p in mine.iterdir()] == ["draft.txt"]


def test_batch_render_is_part_of_the_pages_visit_and_obeys_robots(httpserver, tmp_path):
    """The browser is handed each page as fetched (one download per row, the delay between rows), and
    what the page's script then asks for obeys robots.txt: a disallowed data file is never requested."""
    require_browser()
    from .test_render import JSON_GRID_PAGE, SPONSORS_JSON, serve_logos

    seen: list[float] = []
    api: list[float] = []

    def page(request):
        seen.append(time.monotonic())
        return Response(JSON_GRID_PAGE, content_type="text/html")

    def data(request):
        api.append(time.monotonic())
        return Response(json.dumps(SPONSORS_JSON), content_type="application/json")

    robots = "User-agent: *\nDisallow: /api/\n"
    httpserver.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    httpserver.expect_request("/one").respond_with_handler(page)
    httpserver.expect_request("/two").respond_with_handler(page)
    httpserver.expect_request("/api/sponsors.json").respond_with_handler(data)
    serve_logos(httpserver, {"twitch.svg": "Twitch", "brewing.svg": "Brewing"})
    tour = tmp_path / "tour.csv"
    tour.write_text(f"url\n{httpserver.url_for('/one')}\n{httpserver.url_for('/two')}\n")
    out = tmp_path / "r.csv"
    done = sponsorcheck("batch", str(tour), "-o", str(out), "--no-cache", "--delay", "2", "-q")
    assert done.returncode == 3, done.stderr  # the grid never came: unknown, never a false clear
    assert len(seen) == 2 and seen[1] - seen[0] >= 1.9  # each page once, a delay apart
    assert api == []  # robots.txt forbids it, so the browser never asked
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["rendered"] for r in rows] == ["yes", "yes"] and all(r["verdict"] == "unknown" for r in rows)


def test_ci_fails_rather_than_skips_without_a_browser(monkeypatch):
    import pytest

    from sponsorcheck.render import BrowserStatus

    from . import test_render

    monkeypatch.setattr(test_render, "STATUS", BrowserStatus(False, problem="no browser found"))
    monkeypatch.setattr(test_render, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI must run the render tests"):
        test_render.require_browser()
    monkeypatch.setattr(test_render, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception):
        test_render.require_browser()


def test_ci_script_installs_chromium_and_runs_the_render_tests_as_ci():
    # `.ci/run` is what CI runs: it installs the distribution's Chromium and marks the run as CI, so a
    # missing browser fails the render tests instead of skipping them quietly.
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "apt-get install" in script and "chromium" in script
    assert 'export CI="${CI:-true}"' in script
    assert script.index("export CI=") < script.index("python -m pytest")
