"""Files people hand us: a report must never replace the input it was made from (real files and links)."""

from __future__ import annotations

import os

import pytest

from sponsorcheck.errors import ExitStatus, OutputError
from sponsorcheck.files import refuse_overwriting_input


@pytest.fixture
def tour(tmp_path):
    path = tmp_path / "agency.csv"
    path.write_text("city,url\nOslo,https://fest.example/\n", encoding="utf-8")
    return path


def test_the_input_itself_is_refused(tour):
    with pytest.raises(OutputError, match="is the input file") as info:
        refuse_overwriting_input(tour, [tour])
    assert info.value.exit_status == ExitStatus.USAGE


def test_the_same_file_by_another_spelling_is_refused(tour, monkeypatch):
    monkeypatch.chdir(tour.parent)
    sub = tour.parent / "sub"
    sub.mkdir()
    for spelling in ("agency.csv", "./agency.csv", "sub/../agency.csv"):
        with pytest.raises(OutputError):
            refuse_overwriting_input(spelling, [tour])


def test_a_link_to_the_input_is_refused(tour):
    symlink = tour.parent / "report.csv"
    symlink.symlink_to(tour)
    hardlink = tour.parent / "copy.csv"
    os.link(tour, hardlink)
    for output in (symlink, hardlink):
        with pytest.raises(OutputError):
            refuse_overwriting_input(output, [tour])


def test_another_file_is_accepted(tour):
    refuse_overwriting_input(tour.parent / "report.csv", [tour])  # does not exist yet
    other = tour.parent / "old-report.csv"
    other.write_text("x\n", encoding="utf-8")
    refuse_overwriting_input(other, [tour])
