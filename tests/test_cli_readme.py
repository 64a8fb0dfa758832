"""The README's first contact is true: the set-up says what a newcomer needs before the two commands,
offers a runtime-only install, and the tour file its batch example shows ships in examples/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_section() -> str:
    return README.split("## Set-up", 1)[1].split("\n## ", 1)[0]


def test_setup_starts_with_clone_cd_and_a_venv_then_the_two_commands():
    setup = _setup_section()
    order = [setup.index(s) for s in ("git clone", "&& cd ", "python3 -m venv", "pip install -e '.[test]' &&")]
    assert order == sorted(order)
    assert "pip install -e '.[test]' && sponsorcheck check examples/conflict-logo.html" in setup
    assert "pip install -e '.[test]' && python -m pytest -q" in setup


def test_a_runtime_only_install_is_offered():
    assert re.search(r"^pip install \.\s", _setup_section(), re.M)


def test_the_batch_example_tour_ships_in_examples():
    shown = README.split("$ cp examples/tour.csv tour.csv && cat tour.csv\n", 1)[1].split("\n$ ", 1)[0]
    assert (ROOT / "examples" / "tour.csv").read_text(encoding="utf-8").strip() == shown.strip()


def _shown(command: str) -> str:
    """The output the README shows under `$ command` (up to the next prompt or the end of the block)."""
    return README.split(f"$ {command}\n", 1)[1].split("\n$ ", 1)[0].split("\n```", 1)[0]


def test_the_readme_shows_what_check_prints_on_its_examples(monkeypatch):
    from typer.testing import CliRunner

    from sponsorcheck.cli import app

    monkeypatch.chdir(ROOT)  # the README's commands run in the repository
    for command in (
        "sponsorcheck check examples/conflict-logo.html",
        "sponsorcheck check examples/clear.html examples/no-sponsors.html",
    ):
        out = CliRunner().invoke(app, [*command.split()[1:], "--no-cache"], env={"COLUMNS": "120"}).stdout
        # compared word by word: the README's line breaks are a terminal's, not part of what is said
        assert _shown(command).split() == out.split(), command
