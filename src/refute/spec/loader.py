"""Load a spec from ``path/to/spec.py[:ClassName]`` with parameters from the command line.

A Python spec is code: loading it runs it, with the user's privileges (see the README). Every
failure here is reported with the spec's file and line and what to change.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from refute.errors import SpecError, UsageError
from refute.spec.compile import SpecModel
from refute.spec.spec import Spec


def parse_parameters(pairs: Sequence[str]) -> dict[str, str]:
    """``["rms=5", "fixed=true"]`` -> ``{"rms": "5", "fixed": "true"}`` (values still text)."""
    parameters: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise UsageError(f"parameter {pair!r} is not of the form name=value",
                             hint="write -p rms=5 (one -p per parameter)")
        parameters[name.strip()] = value.strip()
    return parameters


def load_spec(target: str, parameters: Mapping[str, str] | None = None) -> Spec:
    """Import the spec file, pick its Spec class, and instantiate it with ``parameters``."""
    path, _, class_name = _split_target(target)
    module = _import_file(path)
    cls = _pick_class(module, path, class_name)
    return instantiate(cls, parameters or {}, path)


def _split_target(target: str) -> tuple[str, str, str]:
    path, sep, class_name = target.rpartition(":")
    if not sep or not class_name.isidentifier() or os.path.exists(target):
        path, class_name = target, ""
    if not os.path.isfile(path):
        raise UsageError(f"no spec file {path!r}", hint="give the path of a .py file defining a "
                         "refute.Spec subclass, optionally followed by :ClassName")
    return path, sep, class_name


def _import_file(path: str) -> Any:
    absolute = os.path.abspath(path)
    digest = hashlib.sha1(absolute.encode()).hexdigest()[:12]
    name = f"refute_spec_{os.path.splitext(os.path.basename(path))[0]}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    loader_spec = importlib.util.spec_from_file_location(name, absolute)
    if loader_spec is None or loader_spec.loader is None:
        raise UsageError(f"{path} cannot be imported as Python", hint="give a .py file")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[name] = module
    directory = os.path.dirname(absolute)
    sys.path.insert(0, directory)  # so that a spec can import its neighbours
    try:
        loader_spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise SpecError(f"syntax error: {exc.msg}", file=path, line=exc.lineno,
                        column=exc.offset, detail=(exc.text or "").rstrip() or None,
                        hint="fix the Python syntax at that line") from None
    except Exception as exc:
        del sys.modules[name]
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if os.path.abspath(frame.filename) == absolute:
                line = frame.lineno
        raise SpecError(f"importing the spec raised {type(exc).__name__}: {exc}", file=path,
                        line=line, hint="fix the error at that line (a missing import?)") from None
    finally:
        if sys.path and sys.path[0] == directory:
            sys.path.pop(0)
    return module


def _pick_class(module: Any, path: str, class_name: str) -> type[Spec]:
    candidates = [obj for obj in vars(module).values()
                  if inspect.isclass(obj) and issubclass(obj, Spec) and obj is not Spec
                  and obj.__module__ == module.__name__]
    names = ", ".join(c.__name__ for c in candidates) or "(none)"
    if class_name:
        cls = getattr(module, class_name, None)
        if not (inspect.isclass(cls) and issubclass(cls, Spec)):
            raise UsageError(f"{path} defines no Spec subclass named {class_name}",
                             hint=f"the spec classes in it are: {names}")
        return cls
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SpecError(f"{path} defines no subclass of refute.Spec", file=path,
                        hint="define class MySpec(Spec) with an init method and @action methods")
    raise UsageError(f"{path} defines several specs: {names}",
                     hint=f"choose one: {path}:{candidates[0].__name__}")


def instantiate(cls: type[Spec], parameters: Mapping[str, Any], path: str | None = None) -> Spec:
    """Call ``cls(**parameters)``, converting command-line text to the parameters' types."""
    signature = inspect.signature(cls.__init__)
    accepted = {name: p for name, p in list(signature.parameters.items())[1:]
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    described = ", ".join(f"{n}={p.default!r}" if p.default is not p.empty else n
                          for n, p in accepted.items()) or "(none)"
    unknown = [name for name in parameters if name not in accepted]
    if unknown:
        raise UsageError(f"{cls.__name__} has no parameter {', '.join(unknown)}",
                         hint=f"its parameters (with defaults) are: {described}")
    arguments = {name: _convert(name, value, accepted[name], cls) for name, value in parameters.items()}
    missing = [n for n, p in accepted.items() if p.default is p.empty and n not in arguments]
    if missing:
        raise UsageError(f"{cls.__name__} needs parameter(s) {', '.join(missing)}",
                         hint=" ".join(f"-p {n}=..." for n in missing))
    try:
        return cls(**arguments)
    except Exception as exc:
        raise SpecError.from_exception(exc, f"{cls.__name__}({_show(arguments)})",
                                       source=path) from None


def _convert(name: str, value: Any, parameter: inspect.Parameter, cls: type) -> Any:
    if not isinstance(value, str):
        return value
    default = parameter.default
    annotation = parameter.annotation
    kind = type(default) if default is not parameter.empty and default is not None else None
    if kind is None and isinstance(annotation, type):
        kind = annotation
    if kind is None and isinstance(annotation, str) and annotation in ("int", "bool", "float", "str"):
        kind = {"int": int, "bool": bool, "float": float, "str": str}[annotation]
    try:
        if kind is bool:
            lowered = value.lower()
            if lowered in ("true", "yes", "1", "on"):
                return True
            if lowered in ("false", "no", "0", "off"):
                return False
            raise ValueError(value)
        if kind in (int, float, str):
            return kind(value)
    except ValueError:
        raise UsageError(f"parameter {name} of {cls.__name__} expects {kind.__name__}, got {value!r}",
                         hint=f"e.g. -p {name}={default!r}" if default is not parameter.empty else None) from None
    try:
        return ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return value  # not a Python literal (the parser reports deep nesting as MemoryError)


def _show(arguments: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in arguments.items())


def load_source(source: Any) -> SpecModel:
    """The front end's entry in :data:`refute.sources.FRONT_ENDS`: a Python spec, its class
    chosen by ``:ClassName`` and instantiated with the ``-p`` parameters."""
    if source.config is not None:
        raise UsageError(f"--config {source.config}: a Python spec has no .cfg",
                         hint="give its parameters with -p NAME=VALUE")
    if source.allow_read:
        raise UsageError("--allow-read is for .tla specs (a Python spec reads what its code reads)")
    return SpecModel(load_spec(source.spec, parse_parameters(source.params)))
