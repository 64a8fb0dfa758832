"""cli/ holds commands and wiring only (issue 11): every line a person reads is worded in report/ (the
formats, the listings and `report.console` for notes, warnings, errors and short answers), so a command
can be read as "what happened" and a wording changed in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import sponsorcheck.cli

CLI = Path(sponsorcheck.cli.__file__).resolve().parent
# Calls that write to the terminal: print(), stream writes, a rich Console made or printed to.
WRITERS = {"print", "write", "echo", "secho", "Console", "print_exception"}


def terminal_writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in WRITERS:
                found.append(f"{path.name}:{node.lineno} {name}()")
    return found


def test_no_command_writes_to_the_terminal_itself():
    writes = [w for path in sorted(CLI.glob("*.py")) for w in terminal_writes(path)]
    assert writes == []
