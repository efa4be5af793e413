"""TLC's model configuration files (.cfg), read with located errors.

Supported: CONSTANT(S) ``C = value`` (integers, strings, TRUE/FALSE, model values, sets and
tuples of those), ``C <- Def`` and ``C <-[Module] Def``; INIT/NEXT or SPECIFICATION;
INVARIANT(S); PROPERTY(IES); CONSTRAINT(S); ACTION_CONSTRAINT(S); SYMMETRY; VIEW;
CHECK_DEADLOCK; ALIAS; POSTCONDITION. An identifier on the right of ``=`` is a model value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from refute.errors import InputError
from refute.spec.values import ModelValue

_KEYWORDS = {
    "CONSTANT": "constants", "CONSTANTS": "constants", "INIT": "init", "NEXT": "next",
    "SPECIFICATION": "specification", "INVARIANT": "invariants", "INVARIANTS": "invariants",
    "PROPERTY": "properties", "PROPERTIES": "properties", "CONSTRAINT": "constraints",
    "CONSTRAINTS": "constraints", "ACTION_CONSTRAINT": "action_constraints",
    "ACTION_CONSTRAINTS": "action_constraints", "SYMMETRY": "symmetry", "VIEW": "view",
    "CHECK_DEADLOCK": "check_deadlock", "ALIAS": "alias", "POSTCONDITION": "postcondition",
}

_TOKEN = re.compile(r'\s+|\\\*[^\n]*|\(\*|"(?:[^"\\]|\\.)*"|<-|<<|>>|-?\d+|[A-Za-z_0-9][A-Za-z_0-9!]*|[{}(),=\[\]_]|.',
                    re.S)


@dataclass
class Config:
    file: str | None = None
    constants: dict[str, Any] = field(default_factory=dict)        # name -> value
    substitutions: dict[str, str] = field(default_factory=dict)    # name -> definition
    module_substitutions: dict[str, dict[str, str]] = field(default_factory=dict)
    init: str | None = None
    next: str | None = None
    specification: str | None = None
    invariants: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    action_constraints: list[str] = field(default_factory=list)
    symmetry: str | None = None
    view: str | None = None
    check_deadlock: bool = True
    alias: str | None = None
    postcondition: str | None = None


def _tokens(text: str, file: str | None) -> list[tuple[str, int, int]]:
    out = []
    pos, line, col = 0, 1, 1
    depth = 0
    while pos < len(text):
        if text.startswith("(*", pos):
            depth += 1
            end = pos + 2
            while depth and end < len(text):
                if text.startswith("(*", end):
                    depth += 1
                    end += 2
                elif text.startswith("*)", end):
                    depth -= 1
                    end += 2
                else:
                    end += 1
            tok = text[pos:end]
        else:
            m = _TOKEN.match(text, pos)
            tok = m.group(0)
            if not tok.isspace() and not tok.startswith("\\*"):
                out.append((tok, line, col))
        nl = tok.count("\n")
        if nl:
            line += nl
            col = len(tok) - tok.rfind("\n")
        else:
            col += len(tok)
        pos += len(tok)
    return out


def parse_config(text: str, file: str | None = None) -> Config:
    cfg = Config(file=file)
    toks = _tokens(text, file)
    i = 0
    section = None

    def err(message: str, at: int, hint: str | None = None) -> InputError:
        tok = toks[min(at, len(toks) - 1)] if toks else ("", 1, 1)
        return InputError(message, file=file, line=tok[1], column=tok[2], hint=hint)

    def value(j: int) -> tuple[Any, int]:
        tok = toks[j][0]
        if tok == "{" or tok == "<<":
            close = "}" if tok == "{" else ">>"
            items, j = [], j + 1
            while toks[j][0] != close:
                v, j = value(j)
                items.append(v)
                if toks[j][0] == ",":
                    j += 1
                elif toks[j][0] != close:
                    raise err(f"expected ',' or '{close}'", j)
            return (frozenset(items) if close == "}" else tuple(items)), j + 1
        if tok.startswith('"'):
            return tok[1:-1].replace('\\"', '"').replace("\\\\", "\\"), j + 1
        if re.fullmatch(r"-?\d+", tok):
            return int(tok), j + 1
        if tok in ("TRUE", "FALSE"):
            return tok == "TRUE", j + 1
        if re.fullmatch(r"[A-Za-z_0-9]+", tok):
            return ModelValue(tok), j + 1
        raise err(f"unexpected '{tok}' in a value", j)

    while i < len(toks):
        tok = toks[i][0]
        if tok in _KEYWORDS:
            section = _KEYWORDS[tok]
            i += 1
            continue
        if section is None:
            raise err(f"unexpected '{tok}'", i, "a .cfg file starts with a keyword such as "
                                                 "INIT, NEXT, SPECIFICATION or CONSTANTS")
        if section == "constants":
            name = tok
            j = i + 1
            if j < len(toks) and toks[j][0] == "(":  # operator constant F(_, _)
                while toks[j][0] != ")":
                    j += 1
                j += 1
            if j >= len(toks):
                raise err(f"constant {name} has no value", i)
            op = toks[j][0]
            if op == "=":
                v, i = value(j + 1)
                cfg.constants[name] = v
            elif op == "<-":
                if toks[j + 1][0] == "[":
                    module = toks[j + 2][0]
                    cfg.module_substitutions.setdefault(module, {})[name] = toks[j + 4][0]
                    i = j + 5
                else:
                    cfg.substitutions[name] = toks[j + 1][0]
                    i = j + 2
            else:
                raise err(f"expected '=' or '<-' after constant {name}", j)
            continue
        if section in ("invariants", "properties", "constraints", "action_constraints"):
            getattr(cfg, section).append(tok)
        elif section == "check_deadlock":
            cfg.check_deadlock = tok == "TRUE"
        else:
            setattr(cfg, section, tok)
        i += 1
    return cfg


def read_config(path: str) -> Config:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read the model configuration: {exc.strerror}", file=path,
                         hint="pass --config FILE, or put Spec.cfg next to Spec.tla") from None
    return parse_config(text, path)
