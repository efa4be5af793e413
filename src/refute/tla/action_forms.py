r"""Where TLC lets an action into a temporal property: ``<>[]A`` and ``[]<>A`` only.

TLC checks a property ``F`` by looking for a behaviour of ``~F``: it puts ``~F`` in negation
normal form, then in disjunctive normal form over its temporal subformulas, and classifies
each conjunct (``tlc2.tool.liveness.Liveness.classifyExpr``): ``<>[]X`` and ``[]<>X`` with
``X`` free of temporal operators are checked on the state graph directly (``X`` may be an
action); any other conjunct goes to a tableau, which cannot hold an action, so TLC stops with
"Temporal formulas containing actions must be of forms <>[]A or []<>A". ``<><<A>>_v`` alone,
``[](P => <><<A>>_v)`` and ``P => <><<A>>_v`` are refused that way, ``[]<><<A>>_v``,
``<>[][A]_v`` and ``WF_v(A)`` are not. (A property's conjuncts ``[][A]_v`` never get here:
TLC checks them as actions, as refute does.)

:func:`refused_by_tlc` applies the same classification to a formula of :mod:`refute.engine.ltl`
(where ``ENABLED`` is a state predicate, as in TLC).
"""

from __future__ import annotations

import itertools

from refute.engine import ltl

_MAX_CONJUNCTS = 4096
"""A disjunctive normal form larger than this is not built (the formula is then left to the
tableau, which checks any form): the classification is a courtesy to say what TLC says."""


def refused_by_tlc(formula: ltl.Formula) -> bool:
    """Whether TLC refuses ``formula`` as a property: an action outside ``<>[]`` / ``[]<>``."""
    disjuncts = _dnf(_nnf(formula, positive=False))
    if disjuncts is None:
        return False
    return any(_misplaced(literal) for conjunct in disjuncts for literal in conjunct)


def _nnf(f: ltl.Formula, positive: bool) -> ltl.Formula:
    """``f`` (negated unless ``positive``) with negations on atoms only."""
    if isinstance(f, ltl.Atom):
        return f if positive else ltl.Not(f)
    if isinstance(f, ltl.Not):
        return _nnf(f.item, not positive)
    if isinstance(f, (ltl.And, ltl.Or)):
        items = tuple(_nnf(x, positive) for x in f.items)
        return (ltl.And if isinstance(f, ltl.And) == positive else ltl.Or)(items)
    inner = _nnf(f.item, positive)
    return (ltl.Always if isinstance(f, ltl.Always) == positive else ltl.Eventually)(inner)


def _dnf(f: ltl.Formula) -> list[tuple] | None:
    """The disjuncts of ``f`` (each a tuple of conjuncts: literals or temporal subformulas),
    distributing only the outer ``/\\`` and ``\\/``; None when too large."""
    if isinstance(f, ltl.Or):
        out: list[tuple] = []
        for item in f.items:
            sub = _dnf(item)
            if sub is None:
                return None
            out.extend(sub)
            if len(out) > _MAX_CONJUNCTS:
                return None
        return out
    if isinstance(f, ltl.And):
        out = [()]
        for item in f.items:
            sub = _dnf(item)
            if sub is None or len(out) * len(sub) > _MAX_CONJUNCTS:
                return None
            out = [a + b for a, b in itertools.product(out, sub)]
        return out
    return [(f,)]


def _misplaced(literal: ltl.Formula) -> bool:
    for outer, inner in ((ltl.Eventually, ltl.Always), (ltl.Always, ltl.Eventually)):
        if isinstance(literal, outer) and isinstance(literal.item, inner) \
                and not _temporal(literal.item.item):
            return False
    return _has_action(literal)


def _temporal(f: ltl.Formula) -> bool:
    if isinstance(f, (ltl.Always, ltl.Eventually)):
        return True
    if isinstance(f, ltl.Not):
        return _temporal(f.item)
    if isinstance(f, (ltl.And, ltl.Or)):
        return any(_temporal(x) for x in f.items)
    return False


def _has_action(f: ltl.Formula) -> bool:
    if isinstance(f, ltl.Atom):
        return f.kind is ltl.AtomKind.STEP
    if isinstance(f, (ltl.And, ltl.Or)):
        return any(_has_action(x) for x in f.items)
    return _has_action(f.item)
