"""The ``refute`` command line: one lazily loaded subcommand per module of :mod:`refute.commands`.

Subcommands are imported only when invoked, so that ``refute check`` does not pay for
importing database drivers, and a command can be added without touching this file beyond
one line in ``_COMMANDS``. What commands share (the error contract, options, writing results)
is :mod:`refute.commands.common`.

Contract shared by every subcommand (see ``refute.status``): exit code 0 holds, 1 violation,
2 usage or input error, 3 incomplete; ``--json FILE`` writes an object whose ``status`` is
``ok``, ``violation``, ``incomplete`` or ``error``.
"""

from __future__ import annotations

import difflib
import importlib

import click

from refute.engine import native

_COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("refute.commands.check", "check"),
    "simulate": ("refute.commands.simulate", "simulate"),
    "linearizable": ("refute.commands.linearizable", "linearizable"),
    "history": ("refute.commands.history", "history"),
    "workload": ("refute.commands.workload", "workload"),
    "hermitage": ("refute.commands.workload", "hermitage"),
    "trace": ("refute.commands.trace", "trace"),
    "testgen": ("refute.commands.testgen", "testgen"),
    "permissiveness": ("refute.commands.permissiveness", "permissiveness"),
    "explore": ("refute.commands.explore", "explore"),
    "perf": ("refute.commands.perf", "perf"),
    "fuzz": ("refute.commands.fuzz", "fuzz"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module_name, attribute = _COMMANDS[name]
        return getattr(importlib.import_module(module_name), attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in _COMMANDS:
            close = difflib.get_close_matches(name, _COMMANDS, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint} (the commands: {', '.join(sorted(_COMMANDS))})")
        return super().resolve_command(ctx, args)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="refute",
                      message=f"%(prog)s %(version)s ({native.describe()})")
def main() -> None:
    """refute: find the bugs in distributed-systems designs before production does.

    Exit codes: 0 holds, 1 violation, 2 usage or input error, 3 incomplete.
    """
