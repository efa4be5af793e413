"""TLC's model configuration files (.cfg), read with located errors.

A configuration may also be embedded in a .tla file, after the module's end, as TLC reads it
with ``-config Spec.tla`` (tlc2's ``MonolithSpecExtractor.config``): the block opens with a
line ``---- CONFIG Name ----`` (four dashes or more on each side), holds .cfg text, and closes
at the next line starting with ``====``; the block read is the first whose name is the file's
base name without ``.tla``, so one file can hold several models (``-config Other.tla`` reads
``Other.tla``'s block ``Other``). Errors in a block are located at their line in the .tla file.

Supported: CONSTANT(S) ``C = value`` (integers, strings, TRUE/FALSE, model values, sets and
tuples of those), ``C = [Module] value`` (``Module``'s definition of ``C`` replaced by the
value), ``C <- Def`` and ``C <-[Module] Def``; INIT/NEXT or SPECIFICATION;
INVARIANT(S); PROPERTY(IES); CONSTRAINT(S); ACTION_CONSTRAINT(S); SYMMETRY; VIEW;
CHECK_DEADLOCK; ALIAS; POSTCONDITION(S). An identifier on the right of ``=`` is a model value.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from refute.errors import InputError
from refute.values import ModelValue

_KEYWORDS = {
    "CONSTANT": "constants", "CONSTANTS": "constants", "INIT": "init", "NEXT": "next",
    "SPECIFICATION": "specification", "INVARIANT": "invariants", "INVARIANTS": "invariants",
    "PROPERTY": "properties", "PROPERTIES": "properties", "CONSTRAINT": "constraints",
    "CONSTRAINTS": "constraints", "ACTION_CONSTRAINT": "action_constraints",
    "ACTION_CONSTRAINTS": "action_constraints", "SYMMETRY": "symmetry", "VIEW": "view",
    "CHECK_DEADLOCK": "check_deadlock", "ALIAS": "alias", "POSTCONDITION": "postconditions",
    "POSTCONDITIONS": "postconditions", "_POSSIBLE": "possible",
}

KEYWORD = {section: keyword for keyword, section in reversed(_KEYWORDS.items())}
"""A section's keyword in messages, the singular one: ``"invariants"`` -> ``"INVARIANT"``."""

_NAME = re.compile(r"[A-Za-z_0-9][A-Za-z_0-9!]*")
_TOKEN = re.compile(r'\s+|\\\*[^\n]*|\(\*|"(?:[^"\\]|\\.)*"|<-|<<|>>|-?\d+|[A-Za-z_0-9][A-Za-z_0-9!]*|[{}(),=\[\]_]|.',
                    re.S)


@dataclass
class Config:
    file: str | None = None
    constants: dict[str, Any] = field(default_factory=dict)        # name -> value
    substitutions: dict[str, str] = field(default_factory=dict)    # name -> definition
    module_substitutions: dict[str, dict[str, str]] = field(default_factory=dict)  # module -> {name: def}
    module_constants: dict[str, dict[str, Any]] = field(default_factory=dict)  # module -> {name: value}
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
    postconditions: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)  # _POSSIBLE: each must hold somewhere
    atoms: list[str] = field(default_factory=list)
    """The strings and model values written in the file, in order: TLC interns them first
    (it reads the model before the spec), which orders them (:mod:`refute.tla.atoms`)."""
    positions: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """``(section, name) -> (line, column)`` of a name in the file, a section being one of
    the fields above (``"substitutions"``: the definition right of ``<-``; ``"modules"``: the
    module in ``<-[Module]`` or ``= [Module]``, ``"module_substitutions"`` and
    ``"module_constants"``: the name left of it): errors about a
    name the spec lacks point at it. A name listed twice in a section is located at its first
    mention; a section holding one name, at the mention that counts (the last)."""

    def is_empty(self) -> bool:
        """Whether the file set nothing (no section, or only empty ones)."""
        return self == Config(file=self.file)

    def where(self, section: str, name: str) -> dict[str, Any]:
        """``file``, ``line`` and ``column`` of ``name`` in ``section``, as
        :class:`~refute.errors.InputError` takes them."""
        line, column = self.positions.get((section, name), (None, None))
        return {"file": self.file, "line": line, "column": column}


_MAX_NESTING = 100  # sets and tuples in a constant's value; deeper is refused, located


def _tokens(text: str, file: str | None) -> list[tuple[str, int, int]]:
    out = []
    pos, line, col = 0, 1, 1
    while pos < len(text):
        if text.startswith("(*", pos):
            depth, end = 1, pos + 2
            while depth and end < len(text):
                if text.startswith("(*", end):
                    depth += 1
                    end += 2
                elif text.startswith("*)", end):
                    depth -= 1
                    end += 2
                else:
                    end += 1
            if depth:
                raise InputError("this comment is never closed", file=file, line=line,
                                 column=col, hint="end it with *)")
            tok = text[pos:end]
        else:
            m = _TOKEN.match(text, pos)
            tok = m.group(0)
            if tok == '"':
                raise InputError("this string is never closed", file=file, line=line,
                                 column=col, hint='end it with " on the same line')
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
    """A TLC model configuration; any malformed text is an :class:`InputError` located at
    the offending token (or at the end of the file, for one that stops too early)."""
    cfg = Config(file=file)
    toks = _tokens(text, file)
    end_line = text.count("\n") + 1
    end_col = len(text) - text.rfind("\n")
    i = 0
    section = None

    def err(message: str, at: int, hint: str | None = None) -> InputError:
        if at < len(toks):
            return InputError(message, file=file, line=toks[at][1], column=toks[at][2],
                              hint=hint)
        return InputError(f"{message}, but the file ends here", file=file, line=end_line,
                          column=end_col, hint=hint)

    def tok_at(j: int, expected: str) -> str:
        if j >= len(toks):
            raise err(f"expected {expected}", j)
        return toks[j][0]

    def name_at(j: int, expected: str) -> str:
        tok = tok_at(j, expected)
        if not _NAME.fullmatch(tok) or tok in _KEYWORDS:
            raise err(f"expected {expected}, not '{_clip(tok)}'", j)
        return tok

    def value(j: int, depth: int = 0) -> tuple[Any, int]:
        tok = tok_at(j, "a value")
        if tok == "{" or tok == "<<":
            if depth >= _MAX_NESTING:
                raise err(f"sets and tuples nest more than {_MAX_NESTING} deep here", j)
            close = "}" if tok == "{" else ">>"
            items, j = [], j + 1
            while tok_at(j, f"a value or '{close}'") != close:
                v, j = value(j, depth + 1)
                items.append(v)
                following = tok_at(j, f"',' or '{close}'")
                if following == ",":
                    j += 1
                elif following != close:
                    raise err(f"expected ',' or '{close}', not '{_clip(following)}'", j)
            return (frozenset(items) if close == "}" else tuple(items)), j + 1
        if tok.startswith('"'):
            cfg.atoms.append(tok[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
            return cfg.atoms[-1], j + 1
        if re.fullmatch(r"-?\d+", tok):
            if len(tok) > 1000:
                raise err(f"the number '{_clip(tok)}' has more than 1000 digits", j)
            return int(tok), j + 1
        if tok in ("TRUE", "FALSE"):
            return tok == "TRUE", j + 1
        if _NAME.fullmatch(tok) and tok not in _KEYWORDS:
            cfg.atoms.append(tok)
            return ModelValue(tok), j + 1
        raise err(f"unexpected '{_clip(tok)}' in a value", j,
                  "a value is a number, a string, TRUE/FALSE, a model value, or a set {...} "
                  "or tuple <<...>> of values")

    while i < len(toks):
        tok = toks[i][0]
        if tok in _KEYWORDS:
            section = _KEYWORDS[tok]
            i += 1
            continue
        if section is None:
            raise err(f"unexpected '{_clip(tok)}'", i, "a .cfg file starts with a keyword such "
                                                        "as INIT, NEXT, SPECIFICATION or CONSTANTS")
        if section == "constants":
            name = name_at(i, "the name of a constant")
            cfg.positions.setdefault(("constants", name), toks[i][1:])
            j = i + 1
            if j < len(toks) and toks[j][0] == "(":  # operator constant F(_, _)
                while tok_at(j, "')' to close the parameters") != ")":
                    j += 1
                j += 1
            op = tok_at(j, f"'=' or '<-' after constant {name}")
            if op == "=" and tok_at(j + 1, "a value") == "[":  # C = [Module] value
                module = name_at(j + 2, "a module name")
                if tok_at(j + 3, "']'") != "]":
                    raise err("expected ']' after the module name", j + 3)
                cfg.positions.setdefault(("modules", module), toks[j + 2][1:])
                cfg.positions.setdefault(("module_constants", name), toks[i][1:])
                v, i = value(j + 4)
                cfg.module_constants.setdefault(module, {})[name] = v
            elif op == "=":
                v, i = value(j + 1)
                cfg.constants[name] = v
            elif op == "<-":
                if tok_at(j + 1, "a definition's name") == "[":
                    module = name_at(j + 2, "a module name")
                    if tok_at(j + 3, "']'") != "]":
                        raise err("expected ']' after the module name", j + 3)
                    target = cfg.module_substitutions.setdefault(module, {})[name] = name_at(
                        j + 4, "a definition's name")
                    cfg.positions.setdefault(("modules", module), toks[j + 2][1:])
                    cfg.positions.setdefault(("module_substitutions", name), toks[i][1:])
                    cfg.positions.setdefault(("substitutions", target), toks[j + 4][1:])
                    i = j + 5
                else:
                    target = cfg.substitutions[name] = name_at(j + 1, "a definition's name")
                    cfg.positions.setdefault(("substitutions", target), toks[j + 1][1:])
                    i = j + 2
            else:
                raise err(f"expected '=' or '<-' after constant {name}, not '{_clip(op)}'", j)
            continue
        name = name_at(i, "a name")
        if section in ("invariants", "properties", "constraints", "action_constraints", "postconditions",
                       "possible"):
            getattr(cfg, section).append(name)
            cfg.positions.setdefault((section, name), toks[i][1:])
        elif section == "check_deadlock":
            if name not in ("TRUE", "FALSE"):
                raise err(f"CHECK_DEADLOCK takes TRUE or FALSE, not '{_clip(name)}'", i)
            cfg.check_deadlock = name == "TRUE"
        else:
            setattr(cfg, section, name)
            cfg.positions[(section, name)] = toks[i][1:]
        i += 1
    return cfg


def _clip(token: str) -> str:
    return token if len(token) <= 40 else token[:37] + "..."


_CONFIG_START = re.compile(r"-{4,}\s*CONFIG\s+(\S+?)\s*-{4,}")


def embedded_configs(text: str) -> list[str]:
    """The names of the ``---- CONFIG Name ----`` blocks in a .tla file's text, in order."""
    return [m.group(1) for line in text.splitlines()
            if (m := _CONFIG_START.fullmatch(line.rstrip("\r"))) is not None]


def embedded_config(text: str, name: str) -> str | None:
    """The text of the first ``---- CONFIG name ----`` block in ``text`` with every line before
    it blanked (so that line numbers are the .tla file's), or None if there is none."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        m = _CONFIG_START.fullmatch(line)
        if m is not None and m.group(1) == name:
            body = []
            for inner in lines[start + 1:]:
                if inner.startswith("===="):
                    break
                body.append(inner)
            return "\n" * (start + 1) + "\n".join(body)
    return None


def read_config(path: str) -> Config:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the model configuration: {exc.strerror}", file=path,
                         hint="pass --config FILE, or put Spec.cfg next to Spec.tla") from None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise InputError("the model configuration is not UTF-8 text", file=path, line=line,
                         column=column, hint="save the .cfg file as UTF-8") from None
    if path.endswith(".tla"):
        name = os.path.basename(path)[:-len(".tla")]
        block = embedded_config(text, name)
        if block is None:
            others = embedded_configs(text)
            raise InputError(f"no '---- CONFIG {name} ----' block in this file", file=path,
                             hint=(f"its blocks are named {', '.join(others)}: TLC reads the one "
                                   f"named as the file ({name})" if others else
                                   "a .tla file given as the model holds it after the module's "
                                   f"end: '---- CONFIG {name} ----', .cfg lines, then '===='"))
        text = block
    return parse_config(text, path)
