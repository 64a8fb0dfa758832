"""The wheel ships the default watchlist, and the console script is declared."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_watchlist(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("sponsorcheck-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "sponsorcheck/data/watchlist.yaml" in names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "sponsorcheck = sponsorcheck.cli:main" in zf.read(entry_points).decode()
        bundled = zf.read("sponsorcheck/data/watchlist.yaml").decode()
    assert bundled == (ROOT / "watchlist.yaml").read_text(encoding="utf-8")


def test_python_dash_m_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "sponsorcheck", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("sponsorcheck ")
