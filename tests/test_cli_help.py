"""Help and first contact: a bare group prints its help, an empty name is a usage error, and each
command's help lists the exit codes it can end with, not another command's."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus

runner = CliRunner()


def helptext(*args: str) -> str:
    return " ".join(runner.invoke(app, [*args, "--help"]).stdout.split())  # the help as one line of words


@pytest.mark.parametrize("group", ["cache", "watchlist"])
def test_a_bare_group_prints_its_help(group):
    result = runner.invoke(app, [group])
    assert "Commands:" in result.output and "Missing command" not in result.output


@pytest.mark.parametrize("name", ["", "   "])
def test_explain_without_a_name_is_a_usage_error(name):
    result = runner.invoke(app, ["explain", name])
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr.startswith("sponsorcheck: error: give the sponsor name")
    assert result.stdout == ""


def test_each_command_lists_only_its_own_exit_codes():
    assert "4 a target could not be fetched" in helptext("check")
    assert "141" in helptext("check") and "70" in helptext("check")
    names = helptext("names")
    assert "1 a conflict" in names and "4 " not in names.split("Exit codes:")[1]  # names fetches nothing
    for command in (("explain",), ("watchlist", "show"), ("watchlist", "validate"), ("cache", "info")):
        codes = helptext(*command).split("Exit codes:")[1]
        assert "1 a conflict" not in codes and "3 review" not in codes and "4 a target" not in codes, command
    assert "4 a row could not be fetched" in helptext("batch")


COMMANDS = [("check",), ("names",), ("batch",), ("explain",), ("watchlist", "show"), ("watchlist", "validate")]
COMMANDS += [("cache", "info"), ("cache", "clear")]
PYTHON_WORDS = ("list[", "<str>", "<int", "<float", "<path>", "range>", "{", "x>=", "<=x")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_no_python_types(command):
    text = helptext(*command)
    assert not [w for w in PYTHON_WORDS if w in text], text


def test_help_lists_choices_and_bounds_in_words():
    text = helptext("check")
    assert "--format <table|json>" in text and "<auto|always|never>" in text
    assert "TARGET..." in text and "at least 1" in text and "0 to 100" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["check", "--timeout", "0", "x"], "must be at least 1"),
        (["check", "--follow", "abc", "x"], "must be a whole number (got 'abc')"),
        (["check", "--format", "xml", "x"], "'xml' is not one of 'table', 'json'"),
        (["batch", "--workers", "500", "t.csv"], "must be at most 128"),
    ],
)
def test_a_bad_option_value_reads_as_a_sentence(args, says):
    result = runner.invoke(app, args)
    assert result.exit_code == ExitStatus.USAGE
    assert says in result.stderr
    assert "Value error" not in result.stderr and "Input should be" not in result.stderr
