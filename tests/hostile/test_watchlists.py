"""Watchlists from people's hands and from attackers: syntax errors, wrong shapes, duplicates,
unknown keys, alias-expansion bombs, huge files and patterns the linear-time engine cannot run.

Every one is exit 2 with one line naming the file and the fault, before any page is read. Patterns
that would backtrack catastrophically in Python's `re` ((a+)+$) are accepted: RE2 runs them in
linear time, which the last test shows on a long sponsor name.
"""

from __future__ import annotations

import pytest

from sponsorcheck.errors import ExitStatus

from .conftest import WATCHLIST, assert_refused, run_cli, run_cli_many

PAGE = '<html><body><section id="sponsors"><h2>Sponsors</h2><img src="amazon.png" alt="Amazon"></section></body></html>'


def billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * fan_out) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan_out) + "]")
    return "\n".join(lines)


def entity_with(extra: str) -> str:
    return WATCHLIST.replace("    domains: [amazon.com]", "    domains: [amazon.com]\n" + extra)


CASES = {
    "YAML syntax error": (WATCHLIST.replace("name: Amazon", "name: [Amazon"), ("line", "YAML syntax error")),
    "tabs for indentation": (WATCHLIST.replace("    reason:", "\treason:"), ("YAML syntax error",)),
    "a list at the top": ("- id: amazon\n- id: palantir\n", ("expected a mapping",)),
    "a bare string": ("just some words", ("expected a mapping",)),
    "an empty file": ("", ("expected a mapping",)),
    "entities is a string": (
        WATCHLIST[: WATCHLIST.index("entities:")] + "entities: amazon\n",
        ("entities", "valid"),
    ),
    "an entity is a string": (WATCHLIST + "  - palantir\n", ("entity #2", "valid")),
    "aliases is a mapping": (entity_with("    weak_aliases: {AWS: yes}\n"), ('entity "amazon"', "weak_aliases")),
    "a number where a name goes": (WATCHLIST.replace("name: Amazon", "name: 12"), ('entity "amazon"', "name")),
    "duplicate entity ids": (
        WATCHLIST + WATCHLIST[WATCHLIST.index("  - id: amazon") :],
        ('entity "amazon"', "duplicate id"),
    ),
    "duplicate keys": (WATCHLIST.replace("    reason:", "    name: Amazon again\n    reason:"), ("name",)),
    "an unknown key": (entity_with("    colour: orange\n"), ('entity "amazon"', "unknown key 'colour'")),
    "an unknown top-level key": (WATCHLIST + "extra: 1\n", ("unknown key 'extra'",)),
    "a missing required key": (WATCHLIST.replace("    reason: powers ICE's cloud\n", ""), ("'reason'",)),
    "an entity without sources": (
        WATCHLIST.replace(
            '    sources: [{url: "https://example.org/amazon", verified: 2026-11-24, claim: "exists"}]\n', ""
        ),
        ("no sources",),
    ),
    "billion laughs (9 levels of 9)": (billion_laughs(), ("expansion bomb",)),
    "billion laughs inside an entity": (
        billion_laughs(8, 10)
        + "\n"
        + entity_with("    aliases: *a7\n").replace("    aliases: [Amazon, Amazon Web Services]\n", ""),
        ("expansion bomb",),
    ),
    "lists nested 100,000 deep": ("x: " + "[" * 100_000 + "]" * 100_000, ("nested too deeply",)),
    "mappings nested 50,000 deep": ("x: " + "{a: " * 50_000 + "1" + "}" * 50_000, ("nested too deeply",)),
    "a recursive alias": ("a: &a [1, *a]\n", ("refers to",)),
    "a 3 MB file": ("# padding\n" * 300_000 + WATCHLIST, ("larger than 2 MB",)),
    "binary, not UTF-8": (b"\xff\xfe\x00\x00garbage\x80\x81", ("not a UTF-8 text file",)),
    "a look-around pattern": (entity_with("    exclude: ['(?<=a)b']\n"), ("look-around", "not supported")),
    "a back-reference": (entity_with("    exclude: ['(a)\\1']\n"), ("back-references", "not supported")),
    "a repeat too large to compile": (entity_with("    exclude: ['(a{1000}){1000}']\n"), ("too large",)),
    "an invalid regular expression": (entity_with("    exclude: ['(unclosed']\n"), ("not a valid regular",)),
    "a 10,000-character pattern": (entity_with(f"    exclude: ['{'a' * 10_000}']\n"), ("longer than 300",)),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Every case of CASES checked once, two children at a time."""
    folder = tmp_path_factory.mktemp("watchlists")
    page = folder / "page.html"
    page.write_text(PAGE)
    jobs = {}
    for number, (case, (text, _)) in enumerate(CASES.items()):
        path = folder / str(number) / "mine.yaml"
        path.parent.mkdir()
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        args = ("check", str(page), "--format", "json", "--watchlist", str(path))
        jobs[case] = (args, {"label": f"watchlist: {case}"})
    return run_cli_many(jobs)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_watchlists_are_refused_with_the_file_and_the_fault(runs, case):
    run = runs[case]
    assert_refused(run, ExitStatus.USAGE, 3, "mine.yaml", *CASES[case][1])
    assert run.stdout == ""  # refused before any page is read


def test_a_watchlist_that_is_a_directory(tmp_path):
    run = run_cli("check", "-", "--watchlist", str(tmp_path), stdin=PAGE.encode(), label="watchlist: a directory")
    assert_refused(run, ExitStatus.USAGE, 2, "is a directory")


def test_debug_shows_the_traceback_and_only_then(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    run = run_cli("check", "-", "--watchlist", str(path), "--debug", stdin=PAGE.encode(), label="watchlist: --debug")
    assert run.returncode == ExitStatus.USAGE
    assert "Traceback" in run.stderr
    assert run.stderr.rstrip().splitlines()[-1].startswith("sponsorcheck: error: ")


# Patterns that take exponential time in a backtracking engine, run by RE2 against a long name.
BACKTRACKERS = ["(a+)+$", "((x*))*y", "(a|aa)+$", "(\\w+\\s?)*$"]


def test_backtracking_patterns_run_in_linear_time(tmp_path):
    patterns = "".join(f"      - '{p}'\n" for p in BACKTRACKERS)
    path = tmp_path / "mine.yaml"
    path.write_text(entity_with("    exclude:\n" + patterns), encoding="utf-8")
    name = "Amazon " + "a" * 20_000 + "!"  # every pattern fails only at the last character
    page = f'<html><body><section id="sponsors"><h2>Sponsors</h2><ul><li>{name}</li></ul></section></body></html>'
    run = run_cli(
        "check", "-", "--format", "json", "--watchlist", str(path), stdin=page.encode(), label="watchlist: backtrackers"
    )
    assert run.returncode in (ExitStatus.CLEAR, ExitStatus.CONFLICT, ExitStatus.REVIEW), run.stderr
    assert "Traceback" not in run.stderr
    assert run.seconds < 30  # a bound on hanging, not a speed target: `re` would not finish at all
