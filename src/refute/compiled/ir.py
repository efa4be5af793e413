"""The compiled backend's intermediate representation: typed expressions and actions.

A front end (today :mod:`refute.compiled.from_tla`, with
:mod:`refute.compiled.natives_tla` for some natives) lowers a resolved model into an
:class:`IRModel`; :mod:`refute.compiled.emit_c` writes it as C. The IR is closed over the
model: constants, ``.cfg`` values and the arguments of split actions are already values in
the constant pool, operators are inlined, so it holds no names of the spec at all (which is
why the generated C carries no text of the spec's author).

Expressions (:class:`Expr`) have a type: ``"b"`` (a boolean, a C ``int``), ``"i"`` (an
integer, a C ``int64_t``) or ``"v"`` (any value, an interned id). ``dyn`` is false when the
expression depends on no state variable and no quantified variable: the emitter computes
such an expression once per run.

Expression operators (``Expr.op``, ``Expr.args``):

    const k           pool value k                  bool b / int n    literals
    var i / prime i   variable i of the state / of the next state
    local name        a quantified variable (C local)
    not a | and [..] | or [..] | implies a b | equiv a b
    eq a b | neq a b | lt/le/gt/ge a b | add/sub/mul/div/mod/pow a b | neg a
    in x S | subseteq A S        S may be a set "descriptor" (below), tested, not built
    setenum [..] | range a b | cup/cap/minus a b | union S | powerset S | cross [..]
    nat | int | string | boolean | fnset D R | recset [(atom, S)..] | seqset S   descriptors
    apply f x | fn name D body | fn_tuples [(name, S)..] body | record [(atom, e)..]
    tuple [..] | except f [(path, e)..] at_name
    domain f | card S | finite S | len s | append s x | concat a b | head s | tail s | subseq s m n
    if c a b | case [(c, e)..] other | forall/exists [(name, S)..] body
    choose name S body | filter name S body | setmap [(name, S)..] body | at (EXCEPT's @)
    fold x acc S base body   acc := body (reading x and acc) over S's elements in order, from base
    fold_chosen x acc S base body rest chosen   the same over S's elements in the order the
                         chooser picks them (chosen reads rest, what is left), the first picked last
    rcall f x         application of a recursive function (from_tla.RecursiveFunction)
    rcall_op F [..]   call of a recursive operator (from_tla.RecursiveOperator)
    print out then    Print(out, then) (PrintT: then is TRUE): out printed where evaluated
    let name value body   body, reading the local name that holds value (computed once)
    shared name value body   body, where "lazy name value" reads value: computed at the first
                      read, once per evaluation of the "shared" (an operator's argument, a LET's
                      definition: TLC's LazyValue; from_tla.Lowering.shareable)
    lazy name value   the value of the enclosing "shared name" (value is there for analyses)
    gcd a b           the greatest common divisor of |a| and |b| (gcd(0, d) = d; 1 for 0 and 0)
    is_pow2 a         whether a is a positive power of two
    composition A B where   A \\cdot B as a boolean of a step (every variable assigned): some
                      extension of action A from S from which B (an expression) holds
    interpreted name  an operator only the interpreter evaluates: reached, the native search
                      stops and the interpreter runs the model

Actions (:class:`Act`): ``guard e``, ``assign i e``, ``assign_in i S``, ``keep i``,
``conj [..]``, ``disj [..]``, ``exists [(name, S)..] a``, ``forall [(name, S)..] a`` (``a``
assigns nothing: one copy of the state per combination of ``a``'s extensions), ``if c a b``, ``case [(c, a)..]
other``, ``implies c a`` (``c => a`` where ``a`` assigns), ``compose a b formula where``
(TLA+'s ``A \\cdot B``, as the interpreter enumerates it, TLC's counts: ``a``'s extensions,
each continued by the rest of the action, are intermediate states, counted as generated;
``b`` then steps from each, with the rest after it; ``formula``, ``B`` as a boolean of a
step, is what is tested where every variable is already assigned; ``where`` its file:line).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Any


class Unsupported(Exception):
    """A construct the compiled backend does not translate, with where it is in the spec."""

    def __init__(self, construct: str, where: str | None = None):
        super().__init__(f"{construct}" + (f" at {where}" if where else ""))
        self.construct = construct
        self.where = where


@dataclass(frozen=True, eq=False)
class Expr:
    op: str
    args: tuple
    type: str  # "b", "i" or "v"
    dyn: bool


@dataclass(frozen=True, eq=False)
class Act:
    op: str
    args: tuple


@dataclass
class ActionInstance:
    """One of the model's actions as the interpreter splits ``Next``: its label's index."""

    label: int
    body: Act
    where: str | None = None  # file:line of the action, for errors raised while emitting it


@dataclass
class IRModel:
    nvars: int
    pool: list[Any]  # constant values (refute values), by index; the emitter ranks their atoms
    labels: list[str]  # action names, in declaration order
    init: Act | None  # None: a constant module (no variables, no behaviour; its ASSUMEs)
    actions: list[ActionInstance]
    invariants: list[Expr]
    # the optional parts below are given by keyword (each front end fills a different few)
    _: KW_ONLY
    constraints: list[Expr] = field(default_factory=list)
    init_where: str | None = None
    action_constraints: list[Expr] = field(default_factory=list)  # of S and P (x' reads P)
    view: Expr | None = None  # the VIEW: states with equal views are one state
    symmetry: list[dict] = field(default_factory=list)  # renamings of model values (not the identity)
    terminal: list[Expr] = field(default_factory=list)  # a state in one of them is no deadlock
    assumptions: list[Expr] = field(default_factory=list)  # a constant module's ASSUMEs, in order
    # a PROPERTY's [][A]_v, each a boolean of S and P tested on every step, and its initial
    # predicate, tested on every initial state: numbered after the invariants (the runtime's
    # NINV.., then NINV + len(step_checks)..); None: one not lowered, which the native code
    # finds true (the caller checks it on the states and steps the search records)
    step_checks: list[Expr | None] = field(default_factory=list)
    initial_checks: list[Expr | None] = field(default_factory=list)
    # the liveness check's predicates (refute.compiled.live): each a boolean of S (a state
    # predicate) or of S and P (a step's), evaluated on the recorded states and steps; None:
    # one not lowered, which the liveness check evaluates in Python
    live: list[Expr | None] = field(default_factory=list)


def composes(x: Any) -> bool:
    """Whether an action or expression (or a tuple of them) holds an ``A \\cdot B``."""
    if isinstance(x, Act):
        return x.op == "compose" or composes(x.args)
    if isinstance(x, Expr):
        return composes(x.args)
    if isinstance(x, (tuple, list)):
        return any(composes(y) for y in x)
    if isinstance(x, ActionInstance):
        return composes(x.body)
    return False
