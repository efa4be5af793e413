"""Natives of the Bags, Functions and DyadicRationals modules lowered to the IR.

The interpreter evaluates these operators with Python natives (:mod:`refute.tla.stdlib`'s
Bags, :mod:`refute.tla.community`'s FoldFunction and DyadicRationals, written after TLC's
Java overrides). Each rule here builds the IR of the same value, step for step as the native
computes it, so that ``--verify`` finds the same states:

* Bags (all but SubBag and IsABag): a bag is a function from its elements to their
  (positive) numbers of copies; the runtime's functions on ``1..n`` are sequences and the
  empty function is ``<<>>``, as the interpreter's ``make_fn`` normalises them, so a bag
  built here equals the native's.
* FoldFunction(op, base, f): ``acc := op(f[x], acc)`` over ``DOMAIN f`` in the values' order
  (TLC's Java override; the order the runtime's sets are stored in).
* DyadicRationals: ``[num |-> n, den |-> d]`` records; ``Add`` and ``Half`` divide by the
  greatest common divisor (``gcd(0, d) = d``: zero is ``0/1``), ``Add(Zero, q)`` is ``q``.

Each argument is evaluated once (``let``), in the native's order of its arguments. A native
with no rule here is left to :meth:`refute.compiled.from_tla.Lowering.builtin` (its module
definition where that is the same value, else Unsupported).
"""

from __future__ import annotations

from typing import Any, Callable

from refute.compiled.ir import Expr
from refute.tla import community
from refute.tla.values import tlc_key


def lower_native(low: Any, name: str, args: tuple, env: Any, node: Any, init: bool) -> Expr | None:
    """The IR of the native ``name(args)``, or None where this module has no rule for it."""
    rule = _RULES.get((name, len(args)))
    return None if rule is None else rule(_Build(low, env, node, init), args)


class _Build:
    """IR constructors for one native's lowering (``low`` the model's Lowering)."""

    def __init__(self, low: Any, env: Any, node: Any, init: bool):
        self.low, self.env, self.node, self.init = low, env, node, init

    def arg(self, a: Any) -> Expr:
        return self.low.expr(a, self.env, self.init)

    def const(self, value: Any) -> Expr:
        return self.low.const(value)

    def let(self, value: Expr, body: Callable[[Expr], Expr]) -> Expr:
        """``body`` of a local holding ``value`` (computed once)."""
        if not value.dyn and value.op in ("const", "int", "bool"):
            return body(value)
        name = self.low.fresh("let")
        inner = body(Expr("local", (name,), "v", True))
        return Expr("let", (name, value, inner), inner.type, value.dyn or inner.dyn)

    @staticmethod
    def e(op: str, args: tuple, ty: str) -> Expr:
        return Expr(op, args, ty, _dyn(args))

    def apply(self, f: Expr, x: Expr) -> Expr:
        return self.e("apply", (f, x), "v")

    def field(self, r: Expr, name: str) -> Expr:
        return self.apply(r, self.const(name))

    def domain(self, f: Expr) -> Expr:
        return self.e("domain", (f,), "v")

    def copies_in(self, x: Expr, bag: Expr) -> Expr:
        """Bags' CopiesIn: ``bag[x]`` where x is in the bag, else 0."""
        return self.e("if", (self.e("in", (x, self.domain(bag)), "b"), self.apply(bag, x),
                             Expr("int", (0,), "i", False)), "v")

    def fn(self, dom: Expr, body: Callable[[Expr], Expr]) -> Expr:
        x = self.low.fresh("x")
        b = body(Expr("local", (x,), "v", True))
        return Expr("fn", (x, dom, b), "v", b.dyn or dom.dyn)

    def fold(self, s: Expr, base: Expr, body: Callable[[Expr, Expr], Expr]) -> Expr:
        """``acc := body(x, acc)`` over the elements of ``s`` in their order, from ``base``."""
        x, acc = self.low.fresh("x"), self.low.fresh("acc")
        b = body(Expr("local", (x,), "v", True), Expr("local", (acc,), "v", True))
        return Expr("fold", (x, acc, s, base, b), "v", s.dyn or base.dyn or b.dyn)

    def operator(self, a: Any, arity: int) -> Callable[..., Expr]:
        """The operator argument ``a`` (a name or a LAMBDA) as a function of IR arguments."""
        op = self.low.operator_argument(a, arity, self.env, self.node)

        def call(*xs: Expr) -> Expr:
            bound = op.env.with_items({p: x for (p, _), x in zip(op.params, xs)})
            return self.low.expr(op.body, bound, self.init)
        return call

    def rational(self, num: Expr, den: Expr) -> Expr:
        """The record ``[num |-> num, den |-> den]`` (fields in the runtime's key order)."""
        fields = sorted((("num", num), ("den", den)), key=lambda p: tlc_key(p[0]))
        return self.e("record", tuple((self.const(n), x) for n, x in fields), "v")

    def lowest(self, num: Expr, den: Expr) -> Expr:
        """num/den divided by their greatest common divisor (TLC's Reduce)."""
        return self.let(num, lambda n: self.let(den, lambda d: self.let(
            self.e("gcd", (n, d), "i"), lambda g: self.rational(
                self.e("div", (n, g), "i"), self.e("div", (d, g), "i")))))


def _dyn(x: Any) -> bool:
    """Whether an expression among ``x`` (nested in tuples: a record's fields) is dynamic."""
    if isinstance(x, Expr):
        return x.dyn
    return isinstance(x, tuple) and any(_dyn(y) for y in x)


# ------------------------------------------------------------------------------ Bags
def _empty_bag(b: _Build, args: tuple) -> Expr:
    return b.const(())


def _set_to_bag(b: _Build, args: tuple) -> Expr:
    return b.fn(b.arg(args[0]), lambda x: Expr("int", (1,), "i", False))


def _bag_to_set(b: _Build, args: tuple) -> Expr:
    return b.domain(b.arg(args[0]))


def _bag_in(b: _Build, args: tuple) -> Expr:
    x, bag = b.arg(args[0]), b.arg(args[1])
    return b.e("in", (x, b.domain(bag)), "b")


def _copies_in(b: _Build, args: tuple) -> Expr:
    return b.let(b.arg(args[0]), lambda x: b.let(b.arg(args[1]), lambda bag: b.copies_in(x, bag)))


def _bag_add(b: _Build, args: tuple) -> Expr:
    return b.let(b.arg(args[0]), lambda p: b.let(b.arg(args[1]), lambda q: _sum(b, p, q)))


def _sum(b: _Build, p: Expr, q: Expr) -> Expr:
    """p (+) q: every element of either, with the sum of its copies in both."""
    return b.fn(b.e("cup", (b.domain(p), b.domain(q)), "v"),
                lambda x: b.e("add", (b.copies_in(x, p), b.copies_in(x, q)), "i"))


def _bag_union(b: _Build, args: tuple) -> Expr:
    """BagUnion(S): the bags of S summed, in their order, from the empty bag."""
    return b.fold(b.arg(args[0]), b.const(()), lambda bag, acc: b.let(bag, lambda q: _sum(b, acc, q)))


def _bag_of_all(b: _Build, args: tuple) -> Expr:
    """BagOfAll(F, B): each F(e) with as many copies as the elements e of B it is the image of
    have in all."""
    f = b.operator(args[0], 1)

    def image(bag: Expr) -> Expr:
        x = b.low.fresh("x")
        fx = f(Expr("local", (x,), "v", True))
        values = Expr("setmap", (((x, b.domain(bag)),), fx), "v", True)
        return b.fn(values, lambda y: b.fold(
            b.domain(bag), Expr("int", (0,), "i", False), lambda e, acc: b.e("if", (
                b.e("eq", (f(e), y), "b"), b.e("add", (acc, b.apply(bag, e)), "i"), acc), "v")))
    return b.let(b.arg(args[1]), image)


def _bag_sub(b: _Build, args: tuple) -> Expr:
    """B1 (-) B2: the elements of B1 with more copies there than in B2, with the difference."""
    def difference(p: Expr, q: Expr) -> Expr:
        left = b.fn(b.domain(p), lambda x: b.e("sub", (b.apply(p, x), b.copies_in(x, q)), "i"))
        return b.let(left, lambda d: b.fn(_filter(b, b.domain(d), lambda x: b.e(
            "gt", (b.apply(d, x), Expr("int", (0,), "i", False)), "b")), lambda x: b.apply(d, x)))
    return b.let(b.arg(args[0]), lambda p: b.let(b.arg(args[1]), lambda q: difference(p, q)))


def _filter(b: _Build, s: Expr, pred: Callable[[Expr], Expr]) -> Expr:
    x = b.low.fresh("x")
    body = pred(Expr("local", (x,), "v", True))
    return Expr("filter", (x, s, body), "v", s.dyn or body.dyn)


def _bag_cardinality(b: _Build, args: tuple) -> Expr:
    return b.let(b.arg(args[0]), lambda bag: b.fold(
        b.domain(bag), Expr("int", (0,), "i", False),
        lambda x, acc: b.e("add", (acc, b.apply(bag, x)), "i")))


def _sub_bag_eq(b: _Build, args: tuple) -> Expr:
    """B1 \\sqsubseteq B2: no element has more copies in B1 than in B2."""
    def holds(p: Expr, q: Expr) -> Expr:
        x = b.low.fresh("x")
        lx = Expr("local", (x,), "v", True)
        body = b.e("le", (b.apply(p, lx), b.copies_in(lx, q)), "b")
        return Expr("forall", (((x, b.domain(p)),), body), "b", True)
    return b.let(b.arg(args[0]), lambda p: b.let(b.arg(args[1]), lambda q: holds(p, q)))


# ------------------------------------------------------------------------- Functions
def _fold_function(b: _Build, args: tuple) -> Expr:
    op = b.operator(args[0], 2)
    base = b.arg(args[1])
    return b.let(b.arg(args[2]), lambda f: b.fold(
        b.domain(f), base, lambda x, acc: op(b.apply(f, x), acc)))


def _fold_function_on_set(b: _Build, args: tuple) -> Expr:
    op = b.operator(args[0], 2)
    base = b.arg(args[1])
    return b.let(b.arg(args[2]), lambda f: b.fold(
        b.arg(args[3]), base, lambda x, acc: op(b.apply(f, x), acc)))


# ------------------------------------------------------------------- DyadicRationals
def _zero(b: _Build, args: tuple) -> Expr:
    return b.const(community.ZERO)


def _one(b: _Build, args: tuple) -> Expr:
    return b.const(community.ONE)


def _add(b: _Build, args: tuple) -> Expr:
    def total(p: Expr, q: Expr) -> Expr:
        pd, qd = b.field(p, "den"), b.field(q, "den")
        common = b.let(b.e("if", (b.e("ge", (pd, qd), "b"), pd, qd), "v"), lambda d: b.lowest(
            b.e("add", (b.e("mul", (b.field(q, "num"), b.e("div", (d, qd), "i")), "i"),
                        b.e("mul", (b.field(p, "num"), b.e("div", (d, pd), "i")), "i")), "i"),
            d))
        return b.e("if", (b.e("eq", (p, b.const(community.ZERO)), "b"), q, common), "v")
    return b.let(b.arg(args[0]), lambda p: b.let(b.arg(args[1]), lambda q: total(p, q)))


def _half(b: _Build, args: tuple) -> Expr:
    return b.let(b.arg(args[0]), lambda p: b.lowest(
        b.field(p, "num"), b.e("mul", (b.field(p, "den"), Expr("int", (2,), "i", False)), "i")))


def _is_dyadic(b: _Build, args: tuple) -> Expr:
    return b.e("is_pow2", (b.field(b.arg(args[0]), "den"),), "b")


_RULES: dict[tuple[str, int], Callable[[_Build, tuple], Expr]] = {
    ("EmptyBag", 0): _empty_bag, ("SetToBag", 1): _set_to_bag, ("BagToSet", 1): _bag_to_set,
    ("BagIn", 2): _bag_in, ("CopiesIn", 2): _copies_in, ("(+)", 2): _bag_add,
    ("\\oplus", 2): _bag_add, ("(-)", 2): _bag_sub, ("\\ominus", 2): _bag_sub,
    ("BagCardinality", 1): _bag_cardinality, ("\\sqsubseteq", 2): _sub_bag_eq,
    ("BagUnion", 1): _bag_union, ("BagOfAll", 2): _bag_of_all,
    ("FoldFunction", 3): _fold_function, ("FoldFunctionOnSet", 4): _fold_function_on_set,
    ("Zero", 0): _zero, ("One", 0): _one, ("Add", 2): _add, ("Half", 1): _half,
    ("IsDyadicRational", 1): _is_dyadic,
}
"""(operator, number of arguments) -> its lowering."""

INFIX = frozenset(name for name, arity in _RULES if arity == 2 and not name[0].isalpha())
"""The infix operators among them (the Bags' ``(+)``, ``(-)``, ``\\sqsubseteq``...)."""
