"""Arithmetic in a performance model's side file: ``1 - hit_ratio``, ``n > 0``.

A side file is data, not code: its expressions are parsed with :mod:`ast` and only numbers,
names, arithmetic, comparisons, ``and``/``or``/``not``, conditional expressions, indexing by a
constant and a few functions (``min``, ``max``, ``abs``, ``len``) are accepted; anything else
(attributes, calls of other names, lambdas, comprehensions) is rejected when the file is read,
with its place in the file. Names are the side file's parameters, or, in state expressions
(measures, terminal groups, predicates), the state's fields as the spec's
``describe_state`` names them (a Python spec's record fields, a TLA+ spec's variables).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from refute.errors import InputError

_FUNCTIONS = {"min": min, "max": max, "abs": abs, "len": len, "exp": math.exp,
              "log": math.log, "sqrt": math.sqrt}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
            ast.Constant, ast.Name, ast.Load, ast.Subscript, ast.Call, ast.Tuple,
            ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


@dataclass(frozen=True)
class Expression:
    """A checked expression: ``text`` as written, the ``names`` it reads, and where it is."""

    text: str
    names: frozenset[str]
    where: str
    code: Any

    def __call__(self, env: Mapping[str, Any]) -> Any:
        try:
            return eval(self.code, {"__builtins__": {}, **_FUNCTIONS}, env)  # noqa: S307 - checked AST
        except NameError as exc:
            raise InputError(f"{self.where}: {self.text!r} reads {exc.name!r}, which is neither "
                             "a parameter nor a state field",
                             hint="declare it under parameters:, or use a field of the state"
                             ) from None
        except Exception as exc:
            raise InputError(f"{self.where}: evaluating {self.text!r} failed: "
                             f"{type(exc).__name__}: {exc}") from None

    def number(self, env: Mapping[str, Any]) -> float:
        value = self(env)
        if isinstance(value, bool):
            return 1.0 if value else 0.0  # a predicate averages to the share of time it holds
        if not isinstance(value, (int, float)) or math.isnan(value):
            raise InputError(f"{self.where}: {self.text!r} is {value!r}, not a number",
                             hint="write a number or arithmetic on parameters")
        return float(value)


def parse(text: Any, where: str) -> Expression:
    """Check ``text`` (a number, or a string holding an expression) and compile it."""
    if isinstance(text, bool):
        text = str(text)
    if isinstance(text, (int, float)):
        text = repr(text)
    if not isinstance(text, str):
        raise InputError(f"{where}: expected a number or an expression, got {text!r}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InputError(f"{where}: {text!r} is not an expression: {exc.msg}",
                         hint="write e.g. 0.9, 1 - hit_ratio, or n > 0") from None
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise InputError(f"{where}: {text!r} uses {type(node).__name__}, which a side file "
                             "may not", hint="use numbers, names, arithmetic, comparisons, "
                             "and/or/not, x if c else y, and min/max/abs/len/exp/log/sqrt")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name)
                                               and node.func.id in _FUNCTIONS):
            raise InputError(f"{where}: {text!r} calls something other than "
                             f"{', '.join(_FUNCTIONS)}")
        if isinstance(node, ast.Name) and node.id not in _FUNCTIONS:
            if node.id.startswith("__"):
                raise InputError(f"{where}: {text!r} reads {node.id!r}")
            names.add(node.id)
    return Expression(text, frozenset(names), where, compile(tree, where, "eval"))

