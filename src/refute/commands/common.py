"""What every command shares, defined once: the error contract, writing results, options.

* :func:`reports_errors` runs a command body and turns every way it can end into the
  contract of :mod:`refute.status` (exit 0 holds, 1 violation, 2 usage or input error, 3
  incomplete; ``--json`` gets ``"status": "error"`` too), never a bare traceback.
* :func:`write_json` and :func:`write_itf` write results; :func:`spec_options` takes a spec
  of any front end (a :class:`~refute.sources.Source`); :func:`report_options` the report
  files; :func:`limit_options` ``--time-limit`` and ``--memory-limit``, parsed by
  :mod:`refute.limits`.
* Output files: every option that names a file or folder refute writes takes the type
  :data:`OUTPUT_FILE` or :data:`OUTPUT_DIR` (or calls :func:`check_writable`), so that an
  unwritable path is a usage error (exit 2) *before* the run, not a lost result after it.
  :class:`Outputs` writes the results after the run: a write that still fails is said on
  stderr and never changes a violation's exit code 1 (a run that holds exits 2 then: what
  was asked for is missing).
* One vocabulary (README's table "Options"): ``--isolation LEVEL`` wherever an isolation
  level is meant, ``--object TYPE`` for a linearizability model, ``-q/--quiet`` and ``--json
  FILE`` on every command that reports. Older spellings stay accepted, unlisted in ``--help``,
  through :class:`AliasedOption`: scripts written against them keep working.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console

from refute.engine import native
from refute.errors import RefuteError, SpecError, UsageError
from refute.limits import parse_seconds, parse_size
from refute.report.schemas import FORMAT_VERSION, SCHEMAS, check_output
from refute.sources import Source

F = TypeVar("F", bound=Callable[..., Any])


def write_json(path: str, payload: dict[str, Any]) -> None:
    """Write a command's JSON result; ``-`` means standard output. Raises ``OSError`` when the
    file cannot be written (:class:`Outputs` reports it).

    Every output starts with its ``format_version``, says which implementation ran
    (``"implementation"``: ``"c"`` or ``"python"``, :mod:`refute.engine.native`), and follows the
    running command's schema in :mod:`refute.report.schemas` (checked when
    ``REFUTE_CHECK_JSON=1``, as in the tests).
    """
    payload = {"format_version": FORMAT_VERSION, **payload, "implementation": native.IMPLEMENTATION}
    context = click.get_current_context(silent=True)
    if context is not None and context.command.name in SCHEMAS:
        check_output(context.command.name, payload)
    text = json.dumps(payload, indent=2, sort_keys=False, default=str)
    if path == "-":
        click.echo(text)
        return
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


# ----------------------------------------------------------------------------- output files

def check_writable(path: str, option: str, directory: bool = False,
                   stdout: bool = False) -> None:
    """Refuse (:class:`UsageError`, exit 2) an output path refute could not write, before the
    run spends its time. A file is probed by opening it for appending (an existing file keeps
    its content) or by creating and removing it; a folder by creating a temporary file in it,
    or, when it does not exist yet, in the nearest existing folder above it (it is created
    there later). Probing, not ``os.access``: access says yes to root on a read-only file
    system and says nothing of a name too long."""
    try:
        if not path:
            raise OSError("the path is empty")
        if directory:
            _probe_folder(path)
        elif os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, "it is a folder")
        elif os.path.exists(path):
            if os.path.isfile(path):
                open(path, "a", encoding="utf-8").close()
            elif not os.access(path, os.W_OK):  # a device or pipe: probing could block
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        else:
            open(path, "x", encoding="utf-8").close()
            os.remove(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{option}: cannot write {_shown_path(path)}: {_reason(exc)}",
                         hint=f"give {option} a path in a writable folder"
                              + (", or - for standard output" if stdout else "")) from None


def _probe_folder(path: str) -> None:
    if os.path.exists(path) and not os.path.isdir(path):
        raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder")
    missing: list[str] = []  # the folders to create, outermost last
    folder = os.path.abspath(path)
    while not os.path.exists(folder) and os.path.dirname(folder) != folder:
        missing.append(folder)
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
    tempfile.TemporaryFile(dir=folder).close()
    created: list[str] = []
    try:  # each missing name must be creatable too (e.g. not too long); none is left behind
        for name in reversed(missing):
            os.mkdir(name)
            created.append(name)
    finally:
        for name in reversed(created):
            os.rmdir(name)


def _reason(exc: BaseException) -> str:
    return (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)


def _shown_path(path: str) -> str:
    return repr(path if len(path) <= 200 else path[:197] + "...")


class OutputPath(click.ParamType):
    """An output option's value: a path :func:`check_writable` accepts (``-`` is standard
    output where ``stdout`` is true)."""

    def __init__(self, directory: bool = False, stdout: bool = False) -> None:
        self.directory, self.stdout = directory, stdout
        self.name = "folder" if directory else "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or (self.stdout and value == "-"):
            return value
        option = max(getattr(param, "opts", None) or ["output"], key=len)
        try:
            check_writable(str(value), option, self.directory, self.stdout)
        except UsageError as error:
            self.fail(f"{error.message.partition(': ')[2]}; {error.hint}", param, ctx)
        return value


OUTPUT_FILE = OutputPath()
OUTPUT_FILE_OR_STDOUT = OutputPath(stdout=True)
OUTPUT_DIR = OutputPath(directory=True)


class Outputs:
    """Writes a command's result files after its run, each in :meth:`writing`.

    A write that fails (the disk filled up, the folder was removed during the run) is said on
    stderr, naming the option and the path, and the other files are still written. The exit
    code stays the verdict's (:meth:`exit_code`): a violation is still exit 1, an incomplete
    run 3; only a run that holds becomes 2, since something asked for is missing.
    """

    def __init__(self) -> None:
        self.unwritten: list[str] = []

    @contextlib.contextmanager
    def writing(self, option: str, path: str) -> Iterator[None]:
        try:
            yield
        except (OSError, ValueError) as exc:
            click.secho(f"error: could not write {option} {_shown_path(path)}: {_reason(exc)} "
                        "(the verdict and exit code are the run's)", fg="red", err=True)
            self.unwritten.append(option)

    def exit_code(self, code: int) -> int:
        return 2 if self.unwritten and code == 0 else code


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
            if native.note():  # once per run: pure Python is ten times slower
                click.secho(native.note(), fg="yellow", err=True)
            code = command(*args, **kwargs)
        except RefuteError as error:
            _fail(error, kwargs.get("json_path"))
        except KeyboardInterrupt:
            click.secho("interrupted", fg="yellow", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own ways of ending a command
        except SystemExit as exc:  # no command body exits: the spec's code called sys.exit()
            _fail(_exit_in_spec(exc), kwargs.get("json_path"))
        except BaseException as exc:  # noqa: BLE001 - the last resort: never a bare traceback
            if os.environ.get("REFUTE_DEBUG") == "1":
                raise
            _fail(_internal_error(exc), kwargs.get("json_path"))
        sys.exit(code)

    return wrapper


def _fail(error: RefuteError, json_path: str | None) -> None:
    """Report ``error`` on stderr (and as the ``--json`` result) and exit with its status."""
    click.secho(f"error: {error}", fg="red", err=True)
    if json_path:
        try:
            write_json(json_path, {"status": error.status.value, "error": error.to_json()})
        except OSError as exc:
            click.secho(f"error: could not write --json {_shown_path(json_path)}: "
                        f"{_reason(exc)}", fg="red", err=True)
    sys.exit(error.status.exit_code)


def _exit_in_spec(exc: SystemExit) -> RefuteError:
    """``sys.exit()`` called by a spec's code (at import or in an action): a spec error, never
    the exit code it asked for, which a CI would read as a verdict. One exit is not the spec's:
    rich's console exits when standard output is a pipe whose reader has gone (``refute check
    ... | head``)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_PACKAGE)]
    if frames and frames[-1].name == "on_broken_pipe":
        return RefuteError("standard output was closed before the report was complete (the "
                           "program reading it, e.g. head, ended)",
                           hint="read the whole output, or write the result to a file with "
                                "--json FILE")
    where = frames[-1] if frames else None
    return SpecError(f"the spec's code called sys.exit({exc.code!r})",
                     file=where.filename if where else None, line=where.lineno if where else None,
                     hint="a spec must not exit the process: raise an exception, or return "
                          "a value, instead")


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


# ----------------------------------------------------------------------------- options

class AliasedOption(click.Option):
    """An option that also answers to older spellings (``aliases``), accepted exactly like
    its own names but left out of ``--help`` and of error messages: renaming an option never
    breaks a script that used the old name."""

    def __init__(self, param_decls: list[str], aliases: tuple[str, ...] = (), **attrs: Any):
        self.aliases = tuple(aliases)
        super().__init__([*param_decls, *aliases], **attrs)

    def _shown(self, names: list[str]) -> list[str]:
        return [name for name in names if name not in self.aliases]

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        opts, secondary = self.opts, self.secondary_opts
        self.opts, self.secondary_opts = self._shown(opts), self._shown(secondary)
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts, self.secondary_opts = opts, secondary

    def get_error_hint(self, ctx: click.Context) -> str:
        return " / ".join(f"'{name}'" for name in self._shown(self.opts))


def aliased_option(*param_decls: str, aliases: tuple[str, ...], **attrs: Any) -> Callable[[F], F]:
    """``click.option`` with hidden older spellings (:class:`AliasedOption`)."""
    return click.option(*param_decls, cls=AliasedOption, aliases=aliases, **attrs)


def quiet_option(what: str = "No report on stdout.") -> Callable[[F], F]:
    """``-q/--quiet``, the same on every command that reports; the command gets ``quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help=what)


def json_option(what: str = "Write the result as JSON ('-' for stdout).") -> Callable[[F], F]:
    """``--json FILE``, the same on every command that reports; the command gets
    ``json_path``, already checked to be writable (:data:`OUTPUT_FILE_OR_STDOUT`)."""
    return click.option("--json", "json_path", type=OUTPUT_FILE_OR_STDOUT, metavar="FILE",
                        default=None, help=what)


def spec_options(required: bool = True) -> Callable[[F], F]:
    """``SPEC`` and what loading it takes, for every front end: ``-p NAME=VALUE`` (a Python
    spec's parameters), ``--config FILE`` (a TLA+ spec's .cfg) and ``--allow-read PATH``. The
    command receives them as ``spec``, ``params``, ``config`` and ``allow_read``; make the
    :class:`~refute.sources.Source` with :func:`source_of`."""
    return functools.partial(_with_spec_options, required=required)


def _with_spec_options(command: F, required: bool) -> F:
    for option in reversed((
        click.argument("spec", metavar="SPEC.py[:Class] | SPEC.tla", required=required),
        click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                     help="A spec parameter (an argument of its __init__); repeatable."),
        click.option("--config", "config", metavar="FILE",
                     help="The TLC model (.cfg) of a .tla spec; default: the .cfg next to it."),
        click.option("--allow-read", "allow_read", multiple=True, metavar="PATH",
                     help="Let the .tla spec read data files (Json's JsonDeserialize) from this "
                          "file or folder; repeatable. Otherwise a spec reads no file but its "
                          "modules (and never writes one or runs a program)."),
    )):
        command = option(command)
    return command


def source_of(spec: str, params: tuple[str, ...] = (), config: str | None = None,
              allow_read: tuple[str, ...] = ()) -> Source:
    """The :class:`~refute.sources.Source` of :func:`spec_options`' arguments."""
    return Source(spec, tuple(params), config, tuple(allow_read))


def report_options(command: F) -> F:
    """``--no-deadlock`` and the report files that ``check`` and ``simulate`` share."""
    for option in reversed((
        click.option("--no-deadlock", is_flag=True,
                     help="Do not report states without successors."),
        json_option(),
        click.option("--itf", "itf_path", metavar="FILE", type=OUTPUT_FILE,
                     help="Write the counterexample in the ITF trace format (Apalache, Quint)."),
        click.option("--html", "html_path", metavar="FILE", type=OUTPUT_FILE,
                     help="Write a self-contained HTML report (step table, sequence diagram)."),
    )):
        command = option(command)
    return command


def write_itf(itf_path: str, result: Any, model: Any, err: Console) -> None:
    """``--itf FILE``: the counterexample, or a note that there is none."""
    from refute.report.itf import violation_to_itf

    if result.violation is None:
        err.print(f"note: no counterexample, so --itf {itf_path} was not written")
        return
    with open(itf_path, "w", encoding="utf-8") as handle:
        json.dump(violation_to_itf(result.violation, model), handle, indent=2)
        handle.write("\n")


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Limit(click.ParamType):
    """A limit option's value, parsed by :mod:`refute.limits` (one meaning everywhere)."""

    def __init__(self, name: str, parse: Callable[[Any, str], Any], default_option: str):
        self.name, self._parse, self._default_option = name, parse, default_option

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        option = max(getattr(param, "opts", None) or [self._default_option], key=len)
        try:
            return self._parse(value, option)
        except UsageError as error:
            self.fail(f"{_shown(value)} is {error.message.rpartition(': ')[2]}: {error.hint}",
                      param, ctx)


SECONDS = _Limit("seconds", parse_seconds, "--time-limit")
SIZE = _Limit("size", parse_size, "--memory-limit")


def limit_options(on_limit: str, memory_help: str | None = None) -> Callable[[F], F]:
    """``--time-limit SECONDS`` and ``--memory-limit SIZE`` for a command, parsed alike
    everywhere; the command receives ``time_limit`` (float seconds or None) and
    ``memory_limit`` (bytes or None). ``on_limit`` says what the result is then."""

    def decorate(command: F) -> F:
        command = click.option(
            "--memory-limit", type=SIZE, default=None, metavar="SIZE",
            help=memory_help or ("Stop when refute's resident memory exceeds SIZE (e.g. 800M, "
                                 f"2G); {on_limit}"))(command)
        command = click.option(
            "--time-limit", type=SECONDS, default=None, metavar="SECONDS",
            help=f"Stop after this many seconds; {on_limit}")(command)
        return command

    return decorate
