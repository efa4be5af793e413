"""The ``refute`` command line: one lazily loaded subcommand per front end.

Subcommands live beside the code they drive (``refute.engine.command``,
``refute.linearize.command``, ...) and are imported only when invoked, so that ``refute
check`` does not pay for importing database drivers, and a front end can be developed without
touching this file beyond one line in ``_COMMANDS``.

Contract shared by every subcommand (see ``refute.status``): exit code 0 holds, 1 violation,
2 usage or input error, 3 incomplete; ``--json FILE`` writes an object whose ``status`` is
``ok``, ``violation``, ``incomplete`` or ``error``.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from refute.errors import RefuteError, UsageError
from refute.status import Status

_COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("refute.engine.command", "check"),
    "simulate": ("refute.engine.simulate_command", "simulate"),
    "linearizable": ("refute.linearize.command", "linearizable"),
    "history": ("refute.history.command", "history"),
    "workload": ("refute.workloads.command", "workload"),
    "hermitage": ("refute.workloads.command", "hermitage"),
    "trace": ("refute.conformance.command", "trace"),
    "testgen": ("refute.conformance.command", "testgen"),
    "permissiveness": ("refute.isolation.command", "permissiveness"),
    "explore": ("refute.report.explore", "explore"),
    "fuzz": ("refute.testing.command", "fuzz"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module_name, attribute = _COMMANDS[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("refute"):
                return None  # that front end is not part of this installation
            raise
        return getattr(module, attribute)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="refute")
def main() -> None:
    """refute: find the bugs in distributed-systems designs before production does.

    Exit codes: 0 holds, 1 violation, 2 usage or input error, 3 incomplete.
    """


def write_json(path: str, payload: dict[str, Any]) -> None:
    """Write a command's JSON result; ``-`` means standard output."""
    text = json.dumps(payload, indent=2, sort_keys=False, default=str)
    if path == "-":
        click.echo(text)
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise UsageError(f"cannot write the JSON result to {path[:200]!r}: {reason}",
                         hint="give --json a path in a writable folder, or - for standard "
                              "output") from None


def reports_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Run a command body; turn a :class:`RefuteError` into a message and the exit code of its
    ``status`` (2; 3 for a run that broke off, e.g. a lost worker).

    The body returns its exit code. When the command has a ``json_path`` option set, an error
    is also written there as ``{"status": "error", "error": {...}}`` (``"incomplete"`` for a
    run that broke off) so that tools reading the JSON see every outcome.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            _refuse_nul_bytes(kwargs)
            code = command(*args, **kwargs)
        except RefuteError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            json_path = kwargs.get("json_path")
            if json_path:
                try:
                    write_json(json_path, {"status": error.status.value,
                                           "error": error.to_json()})
                except RefuteError as unwritable:
                    click.secho(f"error: {unwritable}", fg="red", err=True)
            sys.exit(error.status.exit_code)
        except KeyboardInterrupt:
            click.secho("interrupted", fg="yellow", err=True)
            sys.exit(130)
        except (SystemExit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own ways of ending a command
        except BaseException as exc:  # noqa: BLE001 - the last resort: never a bare traceback
            if os.environ.get("REFUTE_DEBUG") == "1":
                raise
            error = _internal_error(exc)
            click.secho(f"error: {error}", fg="red", err=True)
            json_path = kwargs.get("json_path")
            if json_path:
                try:
                    write_json(json_path, {"status": Status.ERROR.value,
                                           "error": error.to_json()})
                except Exception:  # noqa: BLE001 - already reporting an error
                    pass
            sys.exit(Status.ERROR.exit_code)
        sys.exit(code)

    return wrapper


def _refuse_nul_bytes(arguments: dict[str, Any]) -> None:
    """No path or value given on a command line may hold a NUL byte: the OS refuses them."""
    for name, value in arguments.items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise UsageError(f"the value of {name.replace('_', '-')} contains a NUL byte",
                             hint="file names and options cannot contain NUL (\\0) characters")


def _internal_error(exc: BaseException) -> RefuteError:
    """An exception refute did not expect, as a message that says so (exit code 2)."""
    if isinstance(exc, MemoryError):
        return RefuteError("out of memory", hint="give the run more memory, or a smaller "
                           "input or bound; the run is incomplete")
    if isinstance(exc, RecursionError):
        return RefuteError("the input nests too deeply for refute to handle",
                           hint="if the input is well formed, please report this (run with "
                                "REFUTE_DEBUG=1 for the traceback)")
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}"
    try:
        text = str(exc)[:500]
    except Exception:  # noqa: BLE001 - an exception whose message cannot be shown
        text = "(no message)"
    return RefuteError(f"internal error: {type(exc).__name__}: {text}{where}",
                       hint="this is a bug in refute, please report it with the command "
                            "and input; run with REFUTE_DEBUG=1 to see the traceback")
