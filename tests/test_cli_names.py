"""Names written as a person would: a sponsor known only by a glued domain or logo file name
("calderbrewing.com") reads as the page writes it ("Calder Brewing") wherever the page does — in a
sentence, a heading in capitals, an image's title, a link text — and stays as it is when the page never
writes it otherwise (or only in lower-case prose, which is not a name).

The page, tests/pages/glued-names.html, was written from scratch for that class; it is read through the
real `check` command, as a saved file and served on loopback HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.extract.names import page_spellings

runner = CliRunner()
PAGE = Path(__file__).resolve().parent / "pages" / "glued-names.html"


def sponsor_names(target: str) -> list[str]:
    out = runner.invoke(app, ["check", target, "--format", "json", "--no-follow", "--no-cache"])
    assert out.exit_code == 1, out.output  # the page's Whole Foods Market logo is a conflict
    return [s["name"] for s in json.loads(out.stdout)["results"][0]["sponsors"]]


def test_a_glued_name_reads_as_the_page_writes_it():
    names = sponsor_names(str(PAGE))
    assert "Calder Brewing" in names  # written in a sentence
    assert "Northwind Rail" in names  # the logo file says nothing; the page's sentence names the host
    assert "Tidewater Films" in names  # a heading in capitals gives the spacing, not the shouting
    assert "QuillWorks" in names  # the page's own casing
    assert "Whole Foods Market" in names  # a link text, and the matched brand reads as the person knows it
    assert not any(n in names for n in ("Calderbrewing", "Northwindrail", "Tidewaterfilms", "Quillworks"))


def test_a_name_the_page_never_spaces_stays_as_it_is():
    names = sponsor_names(str(PAGE))
    assert "Saltmarsh" in names  # the page writes "Saltmarsh Press" glued too; "the salt marsh" is prose
    assert "salt marsh" not in names and "Salt Marsh" not in names


def test_the_table_a_musician_reads_names_them_so(httpserver: HTTPServer):
    httpserver.expect_request("/sessions").respond_with_data(PAGE.read_bytes(), content_type="text/html")
    out = runner.invoke(
        app, ["check", httpserver.url_for("/sessions"), "--no-follow", "--no-cache"], env={"COLUMNS": "400"}
    )
    assert out.exit_code == 1
    assert "Calder Brewing" in out.stdout and "Calderbrewing" not in out.stdout
    assert "Tidewater Films" in out.stdout and "TIDEWATER FILMS," not in out.stdout


def test_the_most_frequent_spelling_wins_and_lower_case_prose_is_no_name():
    texts = ["Bluepeak Radio on air", "BluePeak Radio live", "BluePeak Radio tonight", "the blue peak radio mast"]
    assert page_spellings(["Bluepeakradio"], texts) == {"Bluepeakradio": "BluePeak Radio"}
    assert page_spellings(["Bluepeakradio"], ["tune in to blue peak radio"]) == {}
    assert page_spellings(["Bluepeakradio"], ["Bluepeakradiostation"]) == {}  # part of a longer word
