"""The IR as one C translation unit, over the native runtime (``runtime/runtime.c``).

What the generated code contains: numbers, C identifiers of the emitter's own making
(``l12``, ``t7``, ``act3``) and calls of the runtime. No name, string or comment of the
spec reaches it: strings and model values become atom ranks (their order), constants are
rebuilt from those ranks and integers. Reading an untrusted spec therefore compiles nothing
its author wrote.

Actions are emitted in continuation-passing style: each construct is given the code of
"the rest" (what to do with each extension of the partial next state ``P``). Which variables
``P`` has assigned is known statically on every path (each branch gets its own copy of the
rest), which is how ``x' = e`` becomes an assignment or a comparison, and how the rule of
the interpreter (and TLC) that a conjunct met once every variable is assigned is a
condition, not a source of successors, is applied without a run-time test.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

from refute.compiled.ir import Act, Expr, IRModel, Unsupported, composes
from refute.tla.values import tlc_key
from refute.values import FrozenMap, ModelValue

_MAX_SOURCE = 20_000_000  # characters: beyond, a model is better run by the interpreter

_DESCRIPTOR_ONLY = {"nat": "Nat", "int_set": "Int", "string": "STRING", "seqset": "Seq(S)"}


_OUTLINE_MIN = 600
"""The size (characters of C) from which a continuation of action branches is a nested
function, not a copy per branch (:meth:`Emitter.outlined`)."""


class _Mode:
    __slots__ = ("init", "assigned")

    def __init__(self, init: bool, assigned: frozenset):
        self.init, self.assigned = init, assigned

    def plus(self, i: int) -> _Mode:
        return _Mode(self.init, self.assigned | {i})


def _atom_key(v: str) -> tuple:
    return (isinstance(v, ModelValue), str(v))


class Emitter:
    # A \cdot B (compose), class defaults (a subclass may not call __init__): where the
    # enumeration being emitted ends, when a composition takes its extensions (see compose)
    sink: Callable[[_Mode], str] | None = None
    counted = True  # whether a composition emitted now counts its intermediate states
    composed = False  # whether one does (the runtime then records where: COMPOSES)

    def __init__(self, ir: IRModel):
        self.ir = ir
        self.nv = ir.nvars
        self.counter = 0
        self.hoisted: dict[int, int] = {}
        self.recursing: dict[int, str] = {}  # recursive functions being emitted -> C name
        self.shared: dict[str, str] = {}  # the "shared" names in scope -> their C function
        self.keep_alive: list = []
        atoms: dict = {}
        for v in ir.pool:
            _collect_atoms(v, atoms)
        for renaming in ir.symmetry:
            for v in renaming:
                _collect_atoms(v, atoms)
        ordered = sorted(atoms.values(), key=tlc_key)  # TLC's order: the interpreter's
        self.atom_rank = {_atom_key(a): i for i, a in enumerate(ordered)}
        self.atoms = ordered

    def tmp(self) -> str:
        self.counter += 1
        return f"t{self.counter}"

    # ------------------------------------------------------------------ constants
    def encode(self, v: Any) -> str:
        if v is True:
            return "V_TRUE"
        if v is False:
            return "V_FALSE"
        if type(v) is int:
            return f"mk_int(INT64_C({v}))"
        if isinstance(v, str):
            return f"mk_atom({self.atom_rank[_atom_key(v)]}, {_atom_class(v)})"
        if isinstance(v, frozenset):
            items = [self.encode(x) for x in sorted(v, key=tlc_key)]
            if not items:
                return "set_from(0, 0)"
            t = self.tmp()
            return f"({{ V {t}[] = {{{', '.join(items)}}}; set_from({t}, {len(items)}); }})"
        if isinstance(v, tuple):
            if not v:
                return "mk_seq(0, 0)"
            t = self.tmp()
            return f"({{ V {t}[] = {{{', '.join(self.encode(x) for x in v)}}}; mk_seq({t}, {len(v)}); }})"
        if isinstance(v, FrozenMap):
            b = self.tmp()
            pushes = "".join(f"buf_push({b}, {self.encode(k)}); buf_push({b}, {self.encode(x)}); "
                             for k, x in v.items())
            return f"({{ Buf *{b} = buf_open(); {pushes}fn_from_pairs({b}); }})"
        raise Unsupported(f"a constant of type {type(v).__name__}")

    # ------------------------------------------------------------------ expressions
    def val(self, e: Expr, m: _Mode) -> str:
        if e.type == "b":
            return f"mk_bool({self.boolean(e, m)})"
        if e.type == "i":
            return f"mk_int({self.integer(e, m)})"
        if not e.dyn and e.op not in ("const", "local") and e.op not in _DESCRIPTOR_ONLY:
            slot = self.hoisted.get(id(e))
            if slot is None:
                slot = self.hoisted[id(e)] = len(self.hoisted)
                self.keep_alive.append(e)
            code = self.value_code(e, m)
            return f"(H[{slot}] ? H[{slot}] : (H[{slot}] = {code}))"
        return self.value_code(e, m)

    def boolean(self, e: Expr, m: _Mode) -> str:
        if e.type == "b":
            return self.bool_code(e, m)
        if e.type == "v":
            return f"as_bool({self.val(e, m)})"
        return "(rt_fail(1), 0)"

    def integer(self, e: Expr, m: _Mode) -> str:
        if e.type == "i":
            return self.int_code(e, m)
        if e.type == "v":
            return f"as_int({self.val(e, m)})"
        return "(rt_fail(2), (int64_t)0)"

    def read_var(self, i: int, primed: bool, m: _Mode) -> str:
        if primed or m.init:
            if i not in m.assigned:
                raise Unsupported("a variable read before the action assigns it")
            return f"P[{i}]"
        return f"S[{i}]"

    def common(self, e: Expr, m: _Mode, as_type: str) -> str | None:
        """Code for the constructs of any type (if, case), converted to ``as_type``."""
        conv = {"b": self.boolean, "i": self.integer, "v": self.val}[as_type]
        if e.op == "if":
            c, a, b = e.args
            return f"({self.boolean(c, m)} ? {conv(a, m)} : {conv(b, m)})"
        if e.op == "case":
            arms, other = e.args
            tail = conv(other, m) if other is not None else \
                {"b": "(rt_fail(12), 0)", "i": "(rt_fail(12), (int64_t)0)", "v": "(rt_fail(12), (V)0)"}[as_type]
            for c, v in reversed(arms):
                tail = f"({self.boolean(c, m)} ? {conv(v, m)} : {tail})"
            return tail
        if e.op == "print":  # Print(out, val): "out  val" printed, then val; PrintT(out): out
            out, then, both = e.args
            t = self.tmp()
            if not both:
                return f"({{ V {t} = {self.val(out, m)}; rt_print({t}, 0); {conv(then, m)}; }})"
            u = self.tmp()
            back = {"b": f"as_bool({u})", "i": f"as_int({u})", "v": u}[as_type]
            return (f"({{ V {t} = {self.val(out, m)}; V {u} = {self.val(then, m)}; "
                    f"rt_print({t}, {u}); {back}; }})")
        if e.op == "let":  # a local holding a value computed once (natives_tla's arguments)
            name, value, body = e.args
            return f"({{ V {name} = {self.val(value, m)}; {conv(body, m)}; }})"
        if e.op == "shared":  # a value computed at its first read (a GCC nested function)
            return self.shared_code(e, m, conv)
        if e.op == "lazy":
            name = self.shared.get(e.args[0])
            if name is None:
                raise Unsupported("a shared value read outside its scope")
            return f"{name}()"
        if e.op == "interpreted":  # the interpreter's to evaluate: it runs the model instead
            return {"b": "(rt_fail(17), 0)", "i": "(rt_fail(17), (int64_t)0)",
                    "v": "(rt_fail(17), (V)0)"}[as_type]
        return None

    def shared_code(self, e: Expr, m: _Mode, conv: Callable[[Any, _Mode], str],
                    statement: bool = False) -> str:
        """``shared name value body``: ``body`` where ``name`` is read through a nested function that computes ``value``
        at the first read and returns the same after (TLC's LazyValue: an argument or a LET
        definition evaluated at most once, and only if used). Each emission of the "shared"
        gets C names of its own (one IR expression may be emitted at several places)."""
        name, value, body = e.args
        f, c, known = self.tmp(), self.tmp(), self.tmp()
        ctype = {"b": "int", "i": "int64_t", "v": "V"}[value.type]
        code = {"b": self.boolean, "i": self.integer, "v": self.val}[value.type](value, m)
        saved = self.shared.get(name)
        self.shared[name] = f
        try:
            inner = conv(body, m)
        finally:
            if saved is None:
                del self.shared[name]
            else:
                self.shared[name] = saved
        declared = (f"{ctype} {c}; int {known} = 0; "
                    f"{ctype} {f}(void) {{ if (!{known}) {{ {c} = {code}; {known} = 1; }} return {c}; }} ")
        if statement:  # an action's: its body is statements
            return f"{{ {declared}{inner} }}"
        return f"({{ {declared}{inner}; }})"

    def bool_code(self, e: Expr, m: _Mode) -> str:
        op, a = e.op, e.args
        c = self.common(e, m, "b")
        if c is not None:
            return c
        if op == "bool":
            return "1" if a[0] else "0"
        if op == "not":
            return f"(!{self.boolean(a[0], m)})"
        if op == "and":
            return "(" + " && ".join(self.boolean(x, m) for x in a) + ")"
        if op == "or":
            return "(" + " || ".join(self.boolean(x, m) for x in a) + ")"
        if op == "implies":
            return f"(!{self.boolean(a[0], m)} || {self.boolean(a[1], m)})"
        if op == "equiv":
            return f"(!{self.boolean(a[0], m)} == !{self.boolean(a[1], m)})"
        if op in ("eq", "neq"):
            x, y = a
            if x.type == "i" and y.type == "i":
                code = f"({self.integer(x, m)} == {self.integer(y, m)})"
            elif x.type == "b" and y.type == "b":
                code = f"(!{self.boolean(x, m)} == !{self.boolean(y, m)})"
            else:
                code = f"rt_eq({self.val(x, m)}, {self.val(y, m)})"
            return code if op == "eq" else f"(!{code})"
        if op in ("lt", "le", "gt", "ge"):
            sym = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
            return f"({self.integer(a[0], m)} {sym} {self.integer(a[1], m)})"
        if op == "in":
            t = self.tmp()
            return f"({{ V {t} = {self.val(a[0], m)}; {self.member(t, a[1], m)}; }})"
        if op == "subseteq":
            s, t, q, ok = self.tmp(), self.tmp(), self.tmp(), self.tmp()
            return (f"({{ V {s} = {self.val(a[0], m)}; as_set_({s}); int {ok} = 1; "
                    f"for (uint32_t {q} = 0; {ok} && {q} < vlen({s}); {q}++) {{ V {t} = vdata({s})[{q}]; "
                    f"{ok} = {self.member(t, a[1], m)}; }} {ok}; }})")
        if op in ("forall", "exists"):
            return self.quantifier(e, m)
        if op == "enabled":  # A's code in a block of its own next state; the first extension ends it
            if m.init:
                raise Unsupported("ENABLED in the initial predicate")
            f = self.tmp()
            code = self.enumeration(a[0], _Mode(False, frozenset()), lambda _m: f"{f} = 1; goto {f}l;")
            if not composes(a[0]):
                return f"({{ int {f} = 0; {{ V P[NV]; (void)P; {code} }} {f}l: {f}; }})"
            # (the jump out may leave a composition's intermediate states behind: dropped)
            top = self.tmp()
            return (f"({{ int {f} = 0; size_t {top} = inter_top; {{ V P[NV]; (void)P; {code} }} "
                    f"{f}l: inter_top = {top}; {f}; }})")
        if op == "composition":  # A \cdot B as a boolean of a step
            if len(m.assigned) != self.nv:
                raise Unsupported("action composition (\\cdot) as a value where the next state "
                                  "is not known", a[2])
            f = self.tmp()
            code = self.composition_holds(a[0], a[1], a[2], m, lambda _m: f"{f} = 1;")
            return f"({{ int {f} = 0; {code} {f}; }})"
        if op == "finite":  # every set the runtime builds is finite; Nat, Int, STRING are not
            if a[0].op in _DESCRIPTOR_ONLY:
                return "0"
            return f"(as_set_({self.val(a[0], m)}), 1)"
        if op == "is_pow2":  # a positive power of two (DyadicRationals' IsDyadicRational)
            t = self.tmp()
            return f"({{ int64_t {t} = {self.integer(a[0], m)}; {t} > 0 && !({t} & ({t} - 1)); }})"
        raise Unsupported(f"{op} as a boolean")

    def quantifier(self, e: Expr, m: _Mode) -> str:
        bs, body = e.args
        r = self.tmp()
        forall = e.op == "forall"
        cont = f"{r}" if forall else f"!{r}"
        inner = f"if ({'!' if forall else ''}{self.boolean(body, m)}) {r} = {0 if forall else 1};"
        code = self.loops(bs, m, inner, cont)
        return f"({{ int {r} = {1 if forall else 0}; {code} {r}; }})"

    def loops(self, bs: tuple, m: _Mode, inner: str, cont: str | None = None) -> str:
        """Nested loops over the bound sets (each built before any loop runs, as the
        interpreter's binder builds them), the first bound variable varying fastest (TLC's
        ContextEnumerator, the interpreter's order); ``cont`` is a condition to go on."""
        sets = []
        pre = ""
        for name, sx in bs:
            s = self.tmp()
            pre += f"V {s} = {self.val(sx, m)}; as_set_({s}); "
            sets.append((name, s))
        body = inner
        for name, s in sets:  # the first wrapped first: the innermost loop
            q = self.tmp()
            guard = f"{cont} && " if cont else ""
            body = (f"for (uint32_t {q} = 0; {guard}{q} < vlen({s}); {q}++) {{ "
                    f"V {name} = vdata({s})[{q}]; {body} }}")
        return "{ " + pre + body + " }"

    def int_code(self, e: Expr, m: _Mode) -> str:
        op, a = e.op, e.args
        c = self.common(e, m, "i")
        if c is not None:
            return c
        if op == "int":
            return f"INT64_C({a[0]})"
        if op in ("add", "sub", "mul"):
            sym = {"add": "+", "sub": "-", "mul": "*"}[op]
            return f"({self.integer(a[0], m)} {sym} {self.integer(a[1], m)})"
        if op in ("div", "mod", "pow"):
            return f"int_{op}({self.integer(a[0], m)}, {self.integer(a[1], m)})"
        if op == "neg":
            return f"(-{self.integer(a[0], m)})"
        if op == "card":
            return f"cardinality({self.val(a[0], m)})"
        if op in ("set_max", "set_min"):
            return f"{op}({self.val(a[0], m)})"
        if op == "len":
            return f"seq_len({self.val(a[0], m)})"
        if op == "gcd":  # of the magnitudes, gcd(0, d) = d (TLC's Reduce of DyadicRationals)
            x, y, r = self.tmp(), self.tmp(), self.tmp()
            return (f"({{ int64_t {x} = llabs({self.integer(a[0], m)}), {y} = llabs({self.integer(a[1], m)}); "
                    f"while ({y}) {{ int64_t {r} = {x} % {y}; {x} = {y}; {y} = {r}; }} {x} ? {x} : 1; }})")
        raise Unsupported(f"{op} as an integer")

    def value_code(self, e: Expr, m: _Mode) -> str:
        op, a = e.op, e.args
        c = self.common(e, m, "v")
        if c is not None:
            return c
        if op == "const":
            return f"K[{a[0]}]"
        if op == "local":
            return a[0]
        if op == "var":
            return self.read_var(a[0], False, m)
        if op == "prime":
            return self.read_var(a[0], True, m)
        if op in ("setenum", "tuple"):
            if not a:
                return "set_from(0, 0)" if op == "setenum" else "mk_seq(0, 0)"
            t = self.tmp()
            items = ", ".join(self.val(x, m) for x in a)
            build = "set_from" if op == "setenum" else "mk_seq"
            return f"({{ V {t}[] = {{{items}}}; {build}({t}, {len(a)}); }})"
        if op == "range":
            return f"set_range({self.integer(a[0], m)}, {self.integer(a[1], m)})"
        if op in ("cup", "cap", "minus"):
            fn = {"cup": "set_union", "cap": "set_inter", "minus": "set_minus"}[op]
            return f"{fn}({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "union":
            return f"set_big_union({self.val(a[0], m)})"
        if op == "powerset":
            return f"set_powerset({self.val(a[0], m)})"
        if op == "boolean":
            return "({ V t_[2] = {V_FALSE, V_TRUE}; set_from(t_, 2); })"
        if op in _DESCRIPTOR_ONLY:
            raise Unsupported(f"enumerating {_DESCRIPTOR_ONLY[op]}")
        if op == "fnset":
            return f"set_of_functions({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "recset":
            f, s = self.tmp(), self.tmp()
            keys = ", ".join(self.val(k, m) for k, _ in a)
            sets = ", ".join(self.val(x, m) for _, x in a)
            return f"({{ V {f}[] = {{{keys}}}; V {s}[] = {{{sets}}}; set_of_records({len(a)}, {f}, {s}); }})"
        if op == "apply":
            return f"fn_apply({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "domain":
            return f"fn_domain({self.val(a[0], m)})"
        if op == "record":
            if not a:
                return "mk_seq(0, 0)"
            f, v = self.tmp(), self.tmp()
            keys = ", ".join(self.val(k, m) for k, _ in a)
            vals = ", ".join(self.val(x, m) for _, x in a)
            return f"({{ V {f}[] = {{{keys}}}; V {v}[] = {{{vals}}}; fn_from_sorted({f}, {v}, {len(a)}); }})"
        if op == "single_fn":
            k, v = self.tmp(), self.tmp()
            return (f"({{ V {k} = {self.val(a[0], m)}; V {v} = {self.val(a[1], m)}; "
                    f"fn_from_sorted(&{k}, &{v}, 1); }})")
        if op == "fn":
            name, dom, body = a
            d, b, q = self.tmp(), self.tmp(), self.tmp()
            return (f"({{ V {d} = {self.val(dom, m)}; as_set_({d}); Buf *{b} = buf_open(); "
                    f"for (uint32_t {q} = 0; {q} < vlen({d}); {q}++) {{ V {name} = vdata({d})[{q}]; "
                    f"V {b}v = {self.val(body, m)}; buf_push({b}, {b}v); }} "
                    f"V {b}r = fn_from_sorted(vdata({d}), {b}->d, vlen({d})); buf_close(); {b}r; }})")
        if op == "cross":  # S \X T: the set of tuples, built by loops in the sets' order
            b, k = self.tmp(), self.tmp()
            names = [self.tmp() for _ in a]
            inner = (f"{{ V {k}[] = {{{', '.join(names)}}}; buf_push({b}, mk_seq({k}, {len(a)})); }}")
            loops = self.loops(tuple(zip(names, a)), m, inner)
            return f"({{ Buf *{b} = buf_open(); {loops} buf_set({b}); }})"
        if op == "fn_tuples":
            bs, body = a
            b, k = self.tmp(), self.tmp()
            names = ", ".join(name for name, _ in bs)
            inner = (f"{{ V {k}[] = {{{names}}}; V {k}t = mk_seq({k}, {len(bs)}); "
                     f"V {k}v = {self.val(body, m)}; buf_push({b}, {k}t); buf_push({b}, {k}v); }}")
            return f"({{ Buf *{b} = buf_open(); {self.loops(bs, m, inner)} fn_from_pairs({b}); }})"
        if op == "except":
            return self.except_code(e, m)
        if op == "rcall_op":
            rec, xs = a
            args = ", ".join(self.val(x, m) for x in xs)
            name = self.recursing.get(id(rec))
            if name is not None:
                return f"{name}({args})"
            name = self.tmp()
            self.recursing[id(rec)] = name
            try:
                params = ", ".join(f"V {p}" for p in rec.params) or "void"
                fn = f"V {name}({params}) {{ return {self.val(rec.body, m)}; }}"
            finally:
                del self.recursing[id(rec)]
            return f"({{ {fn} {name}({args}); }})"
        if op == "rcall":
            rec, arg = a
            name = self.recursing.get(id(rec))
            if name is not None:
                return f"{name}({self.val(arg, m)})"
            name, x, c = self.tmp(), self.tmp(), self.tmp()
            self.recursing[id(rec)] = name
            try:
                # a function is a value: within one evaluation of the expression that defines
                # it, f[x] is computed once (the block's cache of its last applications keeps
                # trcl[n-1][x, y], applied at each level of TransitiveClosure, linear)
                fn = (f"V {name}(V {x}) {{ for (int k = 0; k < {c}n; k++) if ({c}k[k] == {x}) "
                      f"return {c}v[k]; V {rec.param} = {x}; "
                      f"if (!{self.member(rec.param, rec.domain, m)}) rt_fail(14); "
                      f"V r = {self.val(rec.body, m)}; "
                      f"if ({c}n < 64) {{ {c}k[{c}n] = {x}; {c}v[{c}n++] = r; }} return r; }}")
            finally:
                del self.recursing[id(rec)]
            return f"({{ V {c}k[64], {c}v[64]; int {c}n = 0; {fn} {name}({self.val(arg, m)}); }})"
        if op == "choose":
            name, sx, body = a
            r = self.tmp()
            inner = f"if ({self.boolean(body, m)}) {r} = {name};"
            return f"({{ V {r} = 0; {self.loops(((name, sx),), m, inner, '!' + r)} if (!{r}) rt_fail(13); {r}; }})"
        if op == "filter":
            name, sx, body = a
            b = self.tmp()
            inner = f"if ({self.boolean(body, m)}) buf_push({b}, {name});"
            return f"({{ Buf *{b} = buf_open(); {self.loops(((name, sx),), m, inner)} buf_set({b}); }})"
        if op == "fold":  # acc := body(x, acc) over the set's elements, in order
            x, acc, sx, base, body = a
            t, q = self.tmp(), self.tmp()
            return (f"({{ V {t} = {self.val(sx, m)}; as_set_({t}); V {acc} = {self.val(base, m)}; "
                    f"for (uint32_t {q} = 0; {q} < vlen({t}); {q}++) {{ V {x} = vdata({t})[{q}]; "
                    f"{acc} = {self.val(body, m)}; }} {acc}; }})")
        if op == "fold_chosen":  # Folds' MapThenFoldSet: pick with chosen, fold the last picked first
            x, acc, sx, base, body, rest, chosen = a
            t, b, q, one = self.tmp(), self.tmp(), self.tmp(), self.tmp()
            return (f"({{ V {rest} = {self.val(sx, m)}; as_set_({rest}); Buf *{b} = buf_open(); "
                    f"while (vlen({rest})) {{ V {x} = {self.val(chosen, m)}; "
                    f"if (!set_has({rest}, {x})) rt_fail(13); buf_push({b}, {x}); "
                    f"V {one}[1] = {{{x}}}; {rest} = set_minus({rest}, set_from({one}, 1)); }} "
                    f"V {acc} = {self.val(base, m)}; "
                    f"for (uint32_t {q} = {b}->n; {q}-- > 0;) {{ V {x} = {b}->d[{q}]; "
                    f"{acc} = {self.val(body, m)}; }} buf_close(); V {t} = {acc}; {t}; }})")
        if op == "setmap":
            bs, body = a
            b = self.tmp()
            inner = f"{{ V {b}v = {self.val(body, m)}; buf_push({b}, {b}v); }}"
            return f"({{ Buf *{b} = buf_open(); {self.loops(bs, m, inner)} buf_set({b}); }})"
        if op == "append":
            return f"seq_append({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "merge_fn":
            return f"fn_merge({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "tuple_part":
            return f"tuple_part({self.val(a[0], m)}, {a[1]}, {a[2]})"
        if op == "range_of":
            return f"range_of({self.val(a[0], m)})"
        if op == "selectseq":
            seq, name, body = a
            t, b, q = self.tmp(), self.tmp(), self.tmp()
            return (f"({{ V {t} = {self.val(seq, m)}; as_seq_({t}); Buf *{b} = buf_open(); "
                    f"for (uint32_t {q} = 0; {q} < vlen({t}); {q}++) {{ V {name} = vdata({t})[{q}]; "
                    f"if ({self.boolean(body, m)}) buf_push({b}, {name}); }} "
                    f"V {b}r = mk_seq({b}->d, {b}->n); buf_close(); {b}r; }})")
        if op == "concat":
            return f"seq_concat({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "head":
            return f"seq_head({self.val(a[0], m)})"
        if op == "tail":
            return f"seq_tail({self.val(a[0], m)})"
        if op == "subseq":
            return f"seq_subseq({self.val(a[0], m)}, {self.integer(a[1], m)}, {self.integer(a[2], m)})"
        raise Unsupported(f"the operator {op}")

    def except_code(self, e: Expr, m: _Mode) -> str:
        f, updates, at_name = e.args
        cur = self.tmp()
        code = f"V {cur} = {self.val(f, m)}; "
        for keys, value in updates:
            olds = [cur]
            ks = []
            block = ""
            for k in keys:
                kt, ot = self.tmp(), self.tmp()
                block += f"V {kt} = {self.val(k, m)}; V {ot} = fn_apply({olds[-1]}, {kt}); "
                ks.append(kt)
                olds.append(ot)
            new = self.tmp()
            block += f"V {at_name} = {olds[-1]}; V {new} = {self.val(value, m)}; (void){at_name}; "
            for j in range(len(keys) - 1, -1, -1):
                block += f"{new} = fn_except({olds[j]}, {ks[j]}, {new}); "
            code += "{ " + block + f"{cur} = {new}; }} "
        return f"({{ {code}{cur}; }})"

    def member(self, t: str, s: Expr, m: _Mode) -> str:
        """C condition: the value in C variable ``t`` is in the set ``s`` (tested from its
        description where it has one, so that ``[S -> T]``, ``SUBSET S``, ``Nat`` are never
        built just to be tested)."""
        op, a = s.op, s.args
        if op == "nat":
            return f"(member_kind({t}, T_INT) && VAL({t})->u.i >= 0)"
        if op == "int_set":
            return f"member_kind({t}, T_INT)"
        if op == "string":
            return f"member_kind({t}, T_ATOM)"
        if op == "boolean":
            return f"({t} == V_TRUE || {t} == V_FALSE)"
        if op == "cup":
            return f"({self.member(t, a[0], m)} || {self.member(t, a[1], m)})"
        if op == "cap":
            return f"({self.member(t, a[0], m)} && {self.member(t, a[1], m)})"
        if op == "minus":
            return f"({self.member(t, a[0], m)} && !{self.member(t, a[1], m)})"
        if op == "range":
            return (f"(is_int({t}) && VAL({t})->u.i >= {self.integer(a[0], m)} && "
                    f"VAL({t})->u.i <= {self.integer(a[1], m)})")
        if op == "setenum" and s.dyn:
            return "(" + " || ".join(f"rt_eq({t}, {self.val(x, m)})" for x in a) + ")" if a else "0"
        if op == "union" and a[0].op == "setenum" and a[0].args:
            # x \in UNION {S, T}: in one of them, each tested from its description (TLC's
            # UnionValue.member), so that UNION {[D -> Int]} is never enumerated
            return "(" + " || ".join(self.member(t, x, m) for x in a[0].args) + ")"
        if op in ("powerset", "seqset"):
            u, q, ok = self.tmp(), self.tmp(), self.tmp()
            kind = f"kind_check({t}, T_SET) && is_set" if op == "powerset" else f"kind_check({t}, T_SEQ) && is_seq"
            return (f"({{ int {ok} = {kind}({t}); for (uint32_t {q} = 0; {ok} && {q} < vlen({t}); {q}++) "
                    f"{{ V {u} = vdata({t})[{q}]; {ok} = {self.member(u, a[0], m)}; }} {ok}; }})")
        if op == "fnset":
            u, q, ok = self.tmp(), self.tmp(), self.tmp()
            return (f"({{ int {ok} = kind_check({t}, T_FN) && is_fn({t}) && fn_has_domain({t}, {self.val(a[0], m)}); "
                    f"for (uint32_t {q} = 0; {ok} && {q} < vlen({t}); {q}++) "
                    f"{{ V {u} = fn_values({t})[{q}]; {ok} = {self.member(u, a[1], m)}; }} {ok}; }})")
        if op == "cross":  # a tuple of the right length, each part in its set
            ok = self.tmp()
            code = f"({{ int {ok} = kind_check({t}, T_SEQ) && is_seq({t}) && vlen({t}) == {len(a)}; "
            for j, x in enumerate(a):
                u = self.tmp()
                code += f"if ({ok}) {{ V {u} = vdata({t})[{j}]; {ok} = {self.member(u, x, m)}; }} "
            return code + f"{ok}; }})"
        if op == "recset":
            ok = self.tmp()
            checks = [f"kind_check({t}, T_FN) && VAL({t})->tag == T_FN && vlen({t}) == {len(a)}"]
            checks += [f"vdata({t})[{j}] == {self.val(k, m)}" for j, (k, _) in enumerate(a)]
            code = f"({{ int {ok} = {' && '.join(checks)}; "
            for j, (_, x) in enumerate(a):
                u = self.tmp()
                code += f"if ({ok}) {{ V {u} = vdata({t})[{len(a)} + {j}]; {ok} = {self.member(u, x, m)}; }} "
            return code + f"{ok}; }})"
        return f"set_has({self.val(s, m)}, {t})"

    # ------------------------------------------------------------------ actions
    def act(self, a: Act, m: _Mode, k: Callable[[_Mode], str]) -> str:
        op, x = a.op, a.args
        if op == "guard":
            return f"if ({self.boolean(x[0], m)}) {{ {k(m)} }}"
        if op == "assign":
            i, e = x
            if i in m.assigned:
                return f"if (P[{i}] == {self.val(e, m)}) {{ {k(m)} }}"
            t = self.tmp()
            return f"{{ V {t} = {self.val(e, m)}; P[{i}] = {t}; {k(m.plus(i))} }}"
        if op == "assign_in":
            i, e = x
            if i in m.assigned:
                t = self.tmp()
                return f"{{ V {t} = P[{i}]; if ({self.member(t, e, m)}) {{ {k(m)} }} }}"
            s, q = self.tmp(), self.tmp()
            return (f"{{ V {s} = {self.val(e, m)}; as_set_({s}); for (uint32_t {q} = 0; {q} < vlen({s}); {q}++) "
                    f"{{ P[{i}] = vdata({s})[{q}]; {k(m.plus(i))} }} }}")
        if op == "keep":
            i = x[0]
            if i in m.assigned:
                return f"if (P[{i}] == S[{i}]) {{ {k(m)} }}"
            return f"P[{i}] = S[{i}]; {{ {k(m.plus(i))} }}"
        if op == "conj":
            return self.conj(x, 0, m, k)
        if op == "shared":  # a LET of the action: computed at its first read (see shared_code)
            return self.shared_code(Expr("shared", x, "b", True), m, lambda body, m2: self.act(body, m2, k),
                                    statement=True)
        if op == "disj":
            k, defs = self.outlined(k)
            code = " ".join("{ " + self.act(item, m, k) + " }" for item in x)
            return f"{{ {defs()}{code} }}"
        if op == "exists":
            bs, body = x
            return self.loops(bs, m, self.act(body, m, k))
        if op == "forall":  # (its body assigns nothing: see from_tla)
            bs, body = x
            total, count, r = self.tmp(), self.tmp(), self.tmp()
            each = (f"{{ uint64_t {count} = 0; {self.act(body, m, lambda _m: f'{count}++;')} "
                    f"{total} *= {count}; }}")
            return (f"{{ uint64_t {total} = 1; {self.loops(bs, m, each, total)} "
                    f"for (uint64_t {r} = 0; {r} < {total}; {r}++) {{ {k(m)} }} }}")
        if op == "if":
            c, t, e = x
            k, defs = self.outlined(k)
            code = f"if ({self.boolean(c, m)}) {{ {self.act(t, m, k)} }} else {{ {self.act(e, m, k)} }}"
            return f"{{ {defs()}{code} }}"
        if op == "implies":
            c, t = x
            k, defs = self.outlined(k)
            code = f"if ({self.boolean(c, m)}) {{ {self.act(t, m, k)} }} else {{ {k(m)} }}"
            return f"{{ {defs()}{code} }}"
        if op == "case":
            arms, other = x
            k, defs = self.outlined(k)
            code = ""
            for c, body in arms:
                code += f"if ({self.boolean(c, m)}) {{ {self.act(body, m, k)} }} else "
            code += f"{{ {self.act(other, m, k)} }}" if other is not None else "{ rt_fail(12); }"
            return f"{{ {defs()}{code} }}"
        if op == "compose":
            return self.compose(x, m, k)
        raise Unsupported(f"action {op}")

    def outlined(self, k: Callable[[_Mode], str]) -> tuple[Callable[[_Mode], str], Callable[[], str]]:
        """The continuation ``k`` of an action's branches (the conjuncts after a disjunction,
        IF or CASE), emitted once per mode rather than once per branch: inlined in each, a
        conjunction of n two-way branches would be 2^n copies of what follows (Kafka's
        consumer-group spec gave 11 MB of C, minutes of the C compiler). A large one becomes
        a nested function of the action's C function (GCC's, as "shared" values are), which
        reads the state, the successor and the bound values of the enclosing scopes; ``defs``
        gives their definitions, to put before the branches. A continuation that jumps
        (``goto`` to a label of the enclosing function) stays inline."""
        made: dict[tuple, str] = {}
        functions: list[str] = []

        def call(m: _Mode) -> str:
            # (what k emits depends on where a composition's enumeration ends and whether it
            # counts: see compose)
            key = (m.init, m.assigned, self.sink, self.counted)
            found = made.get(key)
            if found is None:
                code = k(m)
                if len(code) < _OUTLINE_MIN or "goto " in code:
                    found = code
                else:
                    name = self.tmp()
                    functions.append(f"void {name}(void) {{ {code} }} ")
                    found = f"{name}();"
                made[key] = found
            return found

        return call, lambda: "".join(functions)

    def enumeration(self, a: Act, m: _Mode, end: Callable[[_Mode], str], counted: bool = False) -> str:
        """``a`` enumerated on its own (a next-state action, ENABLED's, a composition's first
        action as a condition), each extension ending in ``end``: no composition enumerated
        outside it takes its extensions as intermediate states. ``counted``: a composition in
        it counts its intermediate states as generated (only a next-state action's does)."""
        saved = self.sink, self.counted
        self.sink, self.counted = None, counted
        try:
            return self.act(a, m, lambda m2: end(m2) if self.sink is None else self.sink(m2))
        finally:
            self.sink, self.counted = saved

    def compose(self, x: tuple, m: _Mode, k: Callable[[_Mode], str]) -> str:
        r"""``A \cdot B`` followed by ``k`` (the conjuncts after it, then the enumeration's
        end: TLC's continuation), as the interpreter's ``_composed`` enumerates it. First ``A``
        from ``S`` on a partial state ``T`` holding ``S``'s values of the variables ``P`` has
        assigned (TLC's copyWith), then ``k`` with ``T`` as the next state, whose end (the
        :attr:`sink`) keeps each ``T`` as an intermediate state (runtime.c ``inter_push``,
        on a stack of them the nested compositions share: one in ``A`` pushes, from its
        ``B``, the states of the one around it above its own, then drops its own, the others
        moved down); the outermost composition counts them as generated (``rt_intermediate``:
        before the successors that follow, as TLC); then from each, as the unprimed state
        ``S``, ``B`` on ``P`` and ``k`` again, to its own end. ``k`` is emitted twice, each
        with its own C names. Where every variable is assigned already, the composition is a
        condition (:meth:`composition_holds`)."""
        a, b, b_formula, where = x
        if len(m.assigned) == self.nv:
            return self.composition_holds(a, b_formula, where, m, k)
        base, end, j, t, u = (self.tmp() for _ in range(5))

        def push(m2: _Mode) -> str:
            # an intermediate state is a whole state (the interpreter's _complete says which
            # variable A leaves without a value: its error, which it reports)
            return "inter_push(P);" if len(m2.assigned) == self.nv else "rt_fail(18);"
        outer_sink, counted = self.sink, self.counted
        self.sink, self.counted = push, False
        try:
            first = self.act(a, m, k)
        finally:
            self.sink = outer_sink
        try:
            second = self.act(b, m, k)
        finally:
            self.counted = counted
        self.composed |= counted
        count = f"rt_intermediate({end} - {base}); " if counted else ""
        copy = "".join(f"{t}[{i}] = S[{i}]; " for i in sorted(m.assigned))
        return (f"{{ size_t {base} = inter_top; {{ V {t}[NV]; {copy}{{ V *const P = {t}; {first} }} }} "
                f"size_t {end} = inter_top; {count}"
                f"for (size_t {j} = {base}; {j} < {end}; {j}++) {{ V {u}[NV]; "
                f"memcpy({u}, inter_buf + {j} * NV, NV * sizeof(V)); "
                f"{{ const V *const S = {u}; {second} }} }} inter_drop({base}, {end}); }}")

    def composition_holds(self, a: Act, b_formula: Any, where: str | None, m: _Mode,
                          k: Callable[[_Mode], str]) -> str:
        r"""``A \cdot B`` as a condition of the step from ``S`` to ``P`` (every variable
        assigned), then ``k``: some extension ``t`` of ``A`` from ``S`` on an empty partial
        state from which ``B``, a boolean, holds of the step from ``t`` to ``P`` (the
        interpreter's ``_composition_holds``, TLC's eval of OPCODE_cdot)."""
        if b_formula is None:
            raise Unsupported("action composition (\\cdot) where every variable is assigned "
                              "and B is not a formula the compiled backend evaluates", where)
        f, t, q, top = (self.tmp() for _ in range(4))
        step = _Mode(False, frozenset(range(self.nv)))

        def test(m2: _Mode) -> str:
            if len(m2.assigned) != self.nv:
                return "rt_fail(18);"
            return (f"{{ const V *const S = {t}; const V *const P = {q}; "
                    f"if ({self.boolean(b_formula, step)}) {{ {f} = 1; goto {f}l; }} }}")
        first = self.enumeration(a, _Mode(False, frozenset()), test)
        return (f"{{ int {f} = 0; size_t {top} = inter_top; const V *const {q} = P; "
                f"{{ V {t}[NV]; {{ V *const P = {t}; {first} }} }} "
                f"{f}l: inter_top = {top}; if ({f}) {{ {k(m)} }} }}")

    def conj(self, items: tuple, j: int, m: _Mode, k: Callable[[_Mode], str]) -> str:
        if j == len(items):
            return k(m)
        item = items[j]
        rest = lambda m2: self.conj(items, j + 1, m2, k)  # noqa: E731
        if len(m.assigned) == self.nv and (m.init or item.op not in ("guard", "assign", "keep")):
            # every variable has its value: what is left is a condition on the state
            f = self.tmp()
            found = self.act(item, m, lambda _m: f"{f} = 1; goto {f}l;")
            return f"{{ int {f} = 0; {found} {f}l: if ({f}) {{ {rest(m)} }} }}"
        return self.act(item, m, rest)

    def successor(self, label: int) -> Callable[[_Mode], str]:
        def emit(m: _Mode) -> str:
            if len(m.assigned) != self.nv:
                # a successor not completely specified is the interpreter's error to report,
                # located, where a state reaches it (cf1s_folklore's Faulty has such a branch,
                # never enabled): the native search stops there and the interpreter runs
                return "rt_fail(17);"
            return f"rt_emit(P, {label});"
        return emit

    def fingerprint_code(self, m: _Mode) -> str:
        """``model_fingerprint``: of the state's values, or of its VIEW (the interned view
        value's structural hash: states with equal views are one state); under SYMMETRY, the
        least over the images of those values (the view's, when there is one, as
        refute.engine.bfs.state_fingerprint composes them) under every renaming of the model
        values (each group permuted within itself, refute.engine.symmetry) and the identity,
        so that an orbit is one state. The images are hashed, not built (runtime.c
        least_image_fp)."""
        ir = self.ir
        if not ir.symmetry:
            if ir.view is None:
                return "static uint64_t model_fingerprint(const V *S) { return values_fp(S); }\n"
            return ("static uint64_t model_fingerprint(const V *S) {\n"
                    f" V key = {self.val(ir.view, m)};\n"
                    " uint64_t h = mix64(vals[key].hash ^ 0x51ed270b27a3f1c5ULL); return h ? h : 1;\n}\n")
        tables = ["0"]  # the identity
        sizes = ["0"]
        out = ""
        for n, renaming in enumerate(ir.symmetry):
            quads = []
            for a, b in sorted(renaming.items(), key=lambda ab: self.atom_rank[_atom_key(ab[0])]):
                if a != b:
                    quads.append((self.atom_rank[_atom_key(a)], self.atom_rank[_atom_key(b)],
                                  _atom_class(b)))
            flat = ", ".join(f"{x}, {y}, {z}, 0" for x, y, z in quads) or "0, 0, 0, 0"
            out += f"static int64_t ren{n}[] = {{{flat}}};\n"
            tables.append(f"ren{n}")
            sizes.append(str(len(quads)))
        out += (f"static int64_t *const ren_tables[] = {{{', '.join(tables)}}};\n"
                f"static const int ren_sizes[] = {{{', '.join(sizes)}}};\n")
        key = "0" if ir.view is None else "&key"
        view = "" if ir.view is None else f" V key = {self.val(ir.view, m)};\n"
        return (out + "static uint64_t model_fingerprint(const V *S) {\n" + view
                + f" return least_image_fp(S, {key}, {len(tables)}, ren_tables, ren_sizes);\n}}\n")

    def live_code(self, m: _Mode, step: _Mode) -> str:
        """The liveness check's predicates (refute.compiled.live), ``model_live(k, S, P)``
        (a state predicate reads S alone; one not lowered, or not emitted, fails with code 17,
        so that its caller evaluates it in Python), and two exports that evaluate one of them
        over the recorded graph in one call: on every kept state (``P`` = ``S``: a step
        predicate's stuttering step) and on every recorded step (its successor: the kept state,
        or the values recorded with the step where a VIEW or SYMMETRY merges states). Each
        returns -1 after an evaluation error, 0 otherwise."""
        cases = []
        for n, e in enumerate(self.ir.live):
            if e is None:
                continue
            try:
                cases.append(f" case {n}: return {self.boolean(e, step)};\n")
            except Unsupported:  # (this predicate only: the model still compiles)
                continue
        return ("static int model_live(int k, const V *S, const V *P) {\n (void)S; (void)P;\n"
                f" switch (k) {{\n{''.join(cases)} }}\n rt_fail(17); return 0;\n}}\n"
                "int refute_live_states(int k, unsigned char *out, uint32_t n) {\n"
                " if (setjmp(rt_jump)) { nbufs = 0; return -1; }\n values_ready();\n"
                " for (uint32_t i = 0; i < n; i++) {\n"
                "  const V *S = kept + (size_t)i * NV;\n  out[i] = !!model_live(k, S, S);\n }\n"
                " return 0;\n}\n"
                "int refute_live_steps(int k, unsigned char *out) {\n"
                " if (setjmp(rt_jump)) { nbufs = 0; return -1; }\n values_ready();\n"
                " for (uint64_t i = 0; i < nedges; i++) {\n"
                "  const V *S = kept + (size_t)e_src[i] * NV;\n"
                "  const V *P = MERGES ? e_vals + (size_t)i * NV : kept + (size_t)e_dst[i] * NV;\n"
                "  out[i] = !!model_live(k, S, P);\n }\n return 0;\n}\n")

    # ------------------------------------------------------------------ unit
    def unit(self) -> str:
        ir = self.ir
        parts: list[str] = []
        parts.append(f"#define NV {max(self.nv, 1)}\n#define NLABEL {len(ir.labels)}\n"
                     f"#define NINV {len(ir.invariants)}\n#define NCON {len(ir.constraints)}\n"
                     f"#define NACON {len(ir.action_constraints)}\n"
                     f"#define NSTEP {len(ir.step_checks)}\n#define NICHK {len(ir.initial_checks)}\n"
                     f"#define NASSUME {len(ir.assumptions)}\n"
                     f"#define MERGES {int(ir.view is not None or bool(ir.symmetry))}\n"
                     "static const unsigned char atom_model[] = {"
                     + ", ".join("1" if isinstance(a, ModelValue) else "0" for a in self.atoms)
                     + (", " if self.atoms else "") + "0};\n"
                     '#include "runtime.c"\n')
        body: list[str] = []
        with _located(ir.init_where):
            init = ";" if ir.init is None else \
                self.act(ir.init, _Mode(True, frozenset()), self.successor(0))
        body.append("static void model_init(void) {\n V P[NV]; (void)P;\n " + init + "\n}\n")
        for n, inst in enumerate(ir.actions):
            with _located(inst.where):
                code = self.enumeration(inst.body, _Mode(False, frozenset()),
                                        self.successor(inst.label), counted=True)
            body.append(f"static void act{n}(const V *S) {{\n V P[NV]; (void)P;\n {code}\n}}\n")
        body.append("static void model_next(const V *S) {\n"
                    + (" inter_total = 0; inter_top = 0;\n" if self.composed else "")
                    + "".join(f" cur_inst = {n}; act{n}(S);\n" for n in range(len(ir.actions))) + "}\n")
        m = _Mode(False, frozenset())
        cases = "".join(f" case {n}: return {self.boolean(e, m)};\n" for n, e in enumerate(ir.invariants))
        body.append(f"static int model_invariant(int k, const V *S) {{\n (void)S;\n switch (k) {{\n{cases}"
                    " }\n return 1;\n}\n")
        cons = " && ".join(self.boolean(e, m) for e in ir.constraints) or "1"
        body.append(f"static int model_constraint(const V *S) {{\n (void)S;\n return {cons};\n}}\n")
        step = _Mode(False, frozenset(range(self.nv)))  # both states known: x' reads P
        acons = " && ".join(self.boolean(e, step) for e in ir.action_constraints) or "1"
        body.append("static int model_action_constraint(const V *S, const V *P) {\n"
                    f" (void)S; (void)P;\n return {acons};\n}}\n")
        checks = "".join(f" case {n}: return {self.boolean(e, step)};\n"
                         for n, e in enumerate(ir.step_checks) if e is not None)
        body.append("static int model_step_check(int k, const V *S, const V *P) {\n"
                    f" (void)S; (void)P;\n switch (k) {{\n{checks} }}\n return 1;\n}}\n")
        checks = "".join(f" case {n}: return {self.boolean(e, m)};\n"
                         for n, e in enumerate(ir.initial_checks) if e is not None)
        body.append(f"static int model_initial_check(int k, const V *S) {{\n (void)S;\n switch (k) {{\n"
                    f"{checks} }}\n return 1;\n}}\n")
        body.append(self.live_code(m, step))
        body.append(self.fingerprint_code(m))
        tests = "".join(f" case {n}: return {self.boolean(e, m)};\n" for n, e in enumerate(ir.assumptions))
        body.append(f"static int model_assumption(int k) {{\n switch (k) {{\n{tests} }}\n return 1;\n}}\n")
        setup = "".join(f" K[{n}] = {self.encode(v)};\n" for n, v in enumerate(ir.pool))
        head = (f"static V K[{max(len(ir.pool), 1)}];\nstatic V H[{max(len(self.hoisted), 1)}];\n"
                f"static void model_setup(void) {{\n{setup}}}\n")
        # (known once the actions are emitted: whether the runtime records intermediate states)
        source = f"#define COMPOSES {int(self.composed)}\n" + "".join(parts) + head + "".join(body)
        if len(source) > _MAX_SOURCE:
            raise Unsupported("a model whose generated code is too large")
        return source


@contextlib.contextmanager
def _located(where: str | None):
    """An Unsupported raised without a location gets the action's (or Init's)."""
    try:
        yield
    except Unsupported as exc:
        if exc.where is None and where is not None:
            raise Unsupported(f"{exc.construct} (in the action)", where) from None
        raise


def _atom_class(v: str) -> int:
    """The first component of an atom's ``tlc_key``, as the runtime's ``cls``: 2 for a model
    value (before every string, as in TLC), 3 for a string."""
    return 2 if isinstance(v, ModelValue) else 3


def _collect_atoms(v: Any, out: dict) -> None:
    if isinstance(v, bool) or type(v) is int:
        return
    if isinstance(v, str):
        out.setdefault(_atom_key(v), v)
        return
    if isinstance(v, (frozenset, tuple)):
        for x in v:
            _collect_atoms(x, out)
        return
    if isinstance(v, FrozenMap):
        for k, x in v.items():
            _collect_atoms(k, out)
            _collect_atoms(x, out)


def emit(ir: IRModel) -> tuple[str, list]:
    """The C source of ``ir`` and its atoms (strings and model values) by rank."""
    em = Emitter(ir)
    return em.unit(), em.atoms
