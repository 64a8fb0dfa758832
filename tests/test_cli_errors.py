"""Errors and exit codes as a user meets them: one readable line per failure, said once, the documented
exit status (also for a closed pipe, Ctrl-C and a bug), and --debug showing the traceback behind it.

Real loopback servers (pytest-httpserver speaks plain HTTP, so an https:// URL to it is the classic
"wrong port" mistake), real subprocesses where the exit status or a pipe is the point.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.cli.common import one_line
from sponsorcheck.errors import ExitStatus

from .conftest import EXAMPLES

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent
LIBRARY_WORDS = ("Error(", "Pool", "Max retries", "urllib3", "_ssl.c", "Errno", "HTTPSConnection")


def run(*args: str):
    return runner.invoke(app, ["check", "--no-cache", *args])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_https_to_a_plain_http_port_is_one_readable_line(httpserver):
    httpserver.expect_request("/fest").respond_with_data("<h2>Sponsors</h2><p>Pier Bakery</p>")
    port = httpserver.port
    result = run(f"https://127.0.0.1:{port}/fest")
    assert result.exit_code == ExitStatus.TARGET_ERROR
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert f"TLS handshake failed: the server does not speak HTTPS on port {port}" in lines[0]
    assert "try http://" in lines[0]
    assert not any(word in lines[0] for word in LIBRARY_WORDS), lines[0]


def test_the_json_error_cell_reads_the_same(httpserver):
    result = run("-f", "json", f"https://127.0.0.1:{httpserver.port}/fest")
    message = json.loads(result.stdout)["results"][0]["error"]["message"]
    assert "TLS handshake failed: the server does not speak HTTPS" in message
    assert not any(word in message for word in LIBRARY_WORDS), message


def test_connection_refused_names_the_port_not_the_library():
    port = _free_port()
    result = run(f"http://127.0.0.1:{port}/")
    assert result.exit_code == ExitStatus.TARGET_ERROR
    assert f"connection refused: nothing answers on port {port} of 127.0.0.1" in result.stderr
    assert not any(word in result.stderr for word in LIBRARY_WORDS), result.stderr


def test_a_host_name_that_does_not_resolve_is_one_line_with_one_piece_of_advice(monkeypatch):
    def no_such_host(*args, **kwargs):  # the resolver's answer for a mistyped name, without asking any DNS
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    result = run("https://riverside-fest.example/sponsors")
    assert result.exit_code == ExitStatus.TARGET_ERROR
    line = result.stderr.strip()
    assert "the host name riverside-fest.example could not be found" in line
    assert len(re.findall(r"\bcheck\b", line)) == 1, line  # not "check its spelling …; check the address …"
    assert not any(word in line for word in LIBRARY_WORDS), line


def test_an_error_is_said_once_on_stderr_not_also_on_stdout(httpserver):
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    result = run(httpserver.url_for("/gone"), str(EXAMPLES / "clear.html"))
    assert result.stderr.count("404") == 1
    assert "404" not in result.stdout and "ERROR" not in result.stdout
    assert "CLEAR" in result.stdout  # the other target is still answered


def test_long_messages_are_cut_at_a_word_never_inside_one():
    message = "the server said " + " ".join(["something-rather-long"] * 40)
    cut = one_line(message, 100)
    assert len(cut) <= 100 and cut.endswith("…")
    assert cut[:-1].split()[-1] == "something-rather-long"


def test_exit_codes_keep_their_numbers_and_gain_members():
    assert [int(s) for s in ExitStatus][:5] == [0, 1, 2, 3, 4]  # a contract: never repurposed
    assert ExitStatus.INTERNAL_ERROR == 70 and ExitStatus.INTERRUPTED == 130 and ExitStatus.BROKEN_PIPE == 141


def test_an_internal_error_has_its_own_exit_code_and_one_line(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the matcher tripped over itself")

    monkeypatch.setattr("sponsorcheck.cli.check.check_target", broken)
    result = run(str(EXAMPLES / "clear.html"))
    assert result.exit_code == ExitStatus.INTERNAL_ERROR
    assert result.stderr.count("\n") == 1 and "bug in sponsorcheck" in result.stderr
    assert "RuntimeError" not in result.stderr and "Traceback" not in result.stderr
    debug = run("--debug", str(EXAMPLES / "clear.html"))
    assert "Traceback" in debug.stderr and "the matcher tripped over itself" in debug.stderr


def test_debug_shows_the_traceback_of_a_fetch_error():
    port = _free_port()
    plain = run(f"http://127.0.0.1:{port}/")
    assert "Traceback" not in plain.stderr
    debug = run("--debug", f"http://127.0.0.1:{port}/")
    assert "Traceback" in debug.stderr
    assert "ConnectionRefusedError" in debug.stderr  # the library's own error, for a bug report
    assert debug.stderr.rstrip().splitlines()[-1].startswith("sponsorcheck: error: ")


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone, as after `| head -1`
    env = {**os.environ, "PYTHONPATH": str(REPO), "SPONSORCHECK_CACHE": "off"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "sponsorcheck", *args], stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=60
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ("check", str(EXAMPLES / "clear.html")),
        ("check", str(EXAMPLES / "conflict-logo.html"), "--format", "json"),
        ("watchlist", "show"),
        ("check", "--help"),
    ],
    ids=["table", "json", "listing", "help"],
)
def test_a_closed_pipe_ends_quietly_with_the_broken_pipe_status(args):
    proc = _run_into_closed_pipe(*args)
    assert proc.returncode == ExitStatus.BROKEN_PIPE, proc.stderr
    assert proc.stderr == b""


def test_a_batch_report_cell_reads_the_same(httpserver, tmp_path):
    tour = tmp_path / "tour.csv"
    tour.write_text(f"venue,url\nThe Pier,https://127.0.0.1:{httpserver.port}/fest\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    result = runner.invoke(app, ["batch", str(tour), "-o", str(report), "--no-cache", "-q"])
    assert result.exit_code == ExitStatus.TARGET_ERROR
    with report.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert "TLS handshake failed: the server does not speak HTTPS" in row["error"]
    assert not any(word in row["error"] for word in LIBRARY_WORDS), row["error"]


def test_ctrl_c_while_the_commands_load_is_130_and_one_line(tmp_path):
    # Ctrl-C in the first moment after pressing Enter, while Python still loads the commands (Typer, rich,
    # lxml): the same one line and exit code as a Ctrl-C during a check, never a traceback. The moment is
    # made certain by a Typer that is interrupted as it loads.
    shadow = tmp_path / "interrupted" / "typer"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise KeyboardInterrupt\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow.parent), str(REPO)])}
    run = subprocess.run(
        [sys.executable, "-m", "sponsorcheck", "check", str(EXAMPLES / "clear.html")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert run.returncode == ExitStatus.INTERRUPTED, run.stderr
    assert run.stderr.strip() == "sponsorcheck: interrupted" and run.stdout == ""
