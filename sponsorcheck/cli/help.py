"""How commands present themselves: help and option errors in a person's words.

Typer writes an argument as `targets... <list[str]>`, a number option's bounds as `x>=1` and passes
its validation library's wording through ("Value error, …", "Input should be greater than or equal
to 1"). `HelpCommand` (every command's class) writes arguments as `TARGET...`, leaves the bounds to
the option's own help text, and rewords a bad value as "must be at least 1 (got 0)".
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand


def _bounds(low: Any, high: Any) -> tuple[str, str] | None:
    """Typer's notation for an option's bounds ("1<=x<=128") and the same in words ("1 to 128")."""
    if low is None and high is None:
        return None
    if high is None:
        return f"x>={low}", f"at least {low}"
    if low is None:
        return f"x<={high}", f"at most {high}"
    return f"{low}<=x<={high}", f"{low} to {high}"


def _argument_label(param: Any) -> str:
    name = (param.metavar or param.name or "ARG").upper()
    return name + ("..." if param.nargs != 1 else "")


def _bad_value_words(exc: typer.BadParameter) -> str:
    """The reason a value was refused, without the validation library's phrasing."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
        except (IndexError, TypeError):
            first = None
        if first:
            kind, ctx, got = first.get("type", ""), first.get("ctx") or {}, first.get("input")
            shown = f" (got {got!r})" if got is not None else ""
            if kind in ("greater_than_equal", "greater_than"):
                return f"must be at least {ctx.get('ge', ctx.get('gt'))}{shown}"
            if kind in ("less_than_equal", "less_than"):
                return f"must be at most {ctx.get('le', ctx.get('lt'))}{shown}"
            if kind.startswith("int_"):
                return f"must be a whole number{shown}"
            if kind.startswith("float_"):
                return f"must be a number{shown}"
    return exc.message.removeprefix("Value error, ")


class HelpCommand(TyperCommand):
    """A Typer command whose help shows no Python types and whose option errors read as sentences."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                label = _argument_label(param)
                pieces.append(label if param.required else f"[{label}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                args.append((_argument_label(param), param.help or ""))  # type: ignore[attr-defined]
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                bounds = _bounds(getattr(param, "min", None), getattr(param, "max", None))
                if bounds is not None:
                    record = (record[0], record[1].replace(bounds[0], bounds[1]))
                opts.append(record)
        if args:
            with formatter.section("Arguments"):
                formatter.write_dl(args)
        if opts:
            with formatter.section("Options"):
                formatter.write_dl(opts)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.BadParameter as exc:
            exc.message = _bad_value_words(exc)
            raise


class Typer(typer.Typer):
    """typer.Typer whose commands are `HelpCommand`s, with plain (not rich-markup) help."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", HelpCommand)
        return super().command(*args, **kwargs)
