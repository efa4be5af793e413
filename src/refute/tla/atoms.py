"""TLC's order of strings and model values, which CHOOSE, set enumeration and printing follow.

TLC does not order strings alphabetically. A string or model value is a ``UniqueString``,
numbered when TLC first *interns* its text, and ordered by that number
(``tlc2.value.impl.StringValue.compareTo``, ``ModelValue.compareTo``, ``UniqueString.compareTo``:
``this.tok - other.tok``). Identifiers, keywords, numbers and strings share one table, so the
rank of ``"alpha"`` depends on where an identifier ``alpha`` was first written. TLC interns, in
this order (``tlc2.tool.impl.Spec``'s constructor, then SANY):

1. the model (``.cfg``): its strings and model values, as written (``ModelConfig.parse``, which
   runs before the spec is read);
2. SANY's built-in operators (``tla2sany.semantic.BuiltInOperators``: ``STRING``, ``FALSE``,
   ``TRUE``, ``BOOLEAN``, ``SUBSET``, ...);
3. parsing: every token of the root module, in the order of its text (a string literal is
   interned *with* its quotes, so it does not count here), then the modules it EXTENDS and
   INSTANCEs, depth first, in the order they are named;
4. semantic analysis: each string literal's value (``tla2sany.semantic.StringNode``), modules
   in dependency order (a module before those that use it, the root last), each in the order
   of its text;
5. the record field names TLC's own classes intern when they are loaded, after the spec is
   analysed (:data:`JAVA_NAMES`): those of TLCExt's ``CounterExample`` and of the actions and
   locations in it, which TLC prints in this order where the spec does not name them first
   (measured: ``[state |-> ..., action |-> ...]``, ``[name |-> ..., location |-> ...]``,
   ``[beginLine |-> ..., beginColumn |-> ..., endLine |-> ..., endColumn |-> ..., module |-> ...]``);
6. evaluation: strings computed while checking (``ToString``, ``\\o``, ...), when computed.

Model values are less than every other value (``ModelValue.modelValueCompareTo``), and among
themselves in the same table order. Measured with TLC built from source: ``{"zeta", "alpha"}``
is ``{"zeta", "alpha"}``; ``S = {zz, aa}`` in the model is ``{zz, aa}``.

The standard modules refute implements natively are not read, but TLC parses them: their
tokens (:data:`refute.tla.standard_words.STANDARD_WORDS`) are interned in step 3 where TLC
would parse them (``EXTENDS Naturals, Sequences`` makes ``"b"`` less than ``"n"``, both names in
Naturals' text, less than ``"t"``, first in Sequences'). What refute does not reproduce: the
tokens of the CommunityModules' own text (refute's modules for them are other text), operator
symbols (``"~"``), and step 6's order, which in TLC depends on the
order of its search (and its workers): computed strings come after all others, in alphabetical
order among themselves, so that every run orders them alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from refute.tla.parser import Instance, Module, OpDef
from refute.tla.standard_words import STANDARD_WORDS

__all__ = ["BUILTINS", "JAVA_NAMES", "atom_ordinals"]

BUILTINS = ("STRING", "FALSE", "TRUE", "BOOLEAN", "=", "/=", ".", "'", "\\lnot", "\\neg",
            "\\land", "\\lor", "\\equiv", "=>", "SUBSET", "UNION", "DOMAIN", "\\subseteq", "\\in",
            "\\notin", "\\", "\\intersect", "\\union", "\\times", "~>", "[]", "<>", "ENABLED",
            "UNCHANGED", "\\cdot", "-+->")
"""The names SANY defines before it reads a module, in its order (step 2)."""

JAVA_NAMES = ("beginLine", "beginColumn", "endLine", "endColumn", "module", "name", "location",
              "context", "parameters", "_action", "state", "action", "console")
"""Step 5: the names ``tlc2.value.impl.RecordValue``'s static fields intern, in their order,
then those of its subclass ``CounterExample`` (a subclass's after its superclass's)."""


def atom_ordinals(model_atoms: Iterable[str], root: Module,
                  find: Callable[[str, Module], Module | None]) -> dict[str, int]:
    """Each string (and model value name) TLC interns before it checks, with its rank.

    ``model_atoms``: the model's strings and model values as written; ``find(name, user)``:
    the parsed module ``name`` used by ``user``, or None for one refute implements natively."""
    ordinals: dict[str, int] = {}
    for atom in model_atoms:
        ordinals.setdefault(atom, len(ordinals))
    for name in BUILTINS:
        ordinals.setdefault(name, len(ordinals))
    parsed, analysed = _module_orders(root, find)
    for module in parsed:
        for word in module.words:
            ordinals.setdefault(word, len(ordinals))
    for module in analysed:
        for string in module.strings:
            ordinals.setdefault(string, len(ordinals))
    for name in JAVA_NAMES:
        ordinals.setdefault(name, len(ordinals))
    return ordinals


def _module_orders(root: Module, find: Callable[[str, Module], Module | None]
                   ) -> tuple[list[Module | _Standard], list[Module | _Standard]]:
    """The modules as SANY parses them (depth first, a module before those it uses) and as it
    analyses them (a module after those it uses)."""
    parsed: list[Module | _Standard] = []
    analysed: list[Module | _Standard] = []
    seen: set[str] = set()

    def visit(module: Module | _Standard) -> None:
        seen.add(module.name)
        parsed.append(module)
        for name in _uses(module):
            if name not in seen:
                used = find(name, module) if isinstance(module, Module) else None
                if used is None and name in STANDARD_WORDS:
                    visit(_Standard(name))
                elif used is None:
                    seen.add(name)
                else:
                    visit(used)
        analysed.append(module)

    visit(root)
    return parsed, analysed


class _Standard:
    """A standard module refute does not read, as TLC's parser meets it (its tokens, strings and
    the modules it uses)."""

    def __init__(self, name: str):
        self.name = name
        self.uses, self.words, self.strings = STANDARD_WORDS[name]


def _uses(module: Module | _Standard) -> list[str]:
    """The modules ``module`` EXTENDS, then those it INSTANCEs, in the order of its text."""
    if isinstance(module, _Standard):
        return list(module.uses)
    names = list(module.extends)
    for item in module.order:
        if isinstance(item, Instance):
            names.append(item.module)
        elif isinstance(item, OpDef) and item.kind == "instance":
            names.append(item.body.module)
    return names
