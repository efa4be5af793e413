"""The C of a Python spec's IR: :class:`~refute.compiled.emit_c.Emitter` with Python's values.

Python's values are not TLA+'s, so a Python spec's IR (from :mod:`.from_python`) is emitted
over the same runtime with a few more value forms and operations, defined in a prelude of
the generated unit (``_PRELUDE``) rather than in ``runtime/`` (they need nothing of its
internals beyond interning). Encodings, chosen so that interned ids are equal exactly when the
Python values are equal and :c:func:`rt_cmp` orders them as :func:`refute.values.sort_key`
does (the order the interpreter enumerates sets and ``each`` domains in):

* ``None``: an atom of class 0 with number -1 (below ``False``, as in ``sort_key``);
* a ``Record`` (and the state): a sequence of class 5 whose first element is its *shape*, an
  atom numbered ``PY_SHAPE_BASE + rank`` (shapes are the records' tuples of field names,
  ranked in Python's tuple order), then its values in field order. No Python value is a shape
  atom, so no tuple has a record's payload;
* a ``FrozenMap``: a function (class 7) with sorted keys, never turned into a sequence (the
  runtime makes TLA+ functions on ``1..n`` sequences; a Python map stays a map);
* ``tuple`` (and a list): a sequence of class 4; ``frozenset``: a set.

The operations whose meaning depends on the operands' kinds (``in``, ``|``, ``<=``, ``x[k]``,
``len``, truth...) dispatch on the tags at run time, as Python does; a case the prelude does
not cover (``"a" < "b"``, ``len`` of a string) fails the run, and the interpreter then runs
the spec, so it is slow, never wrong.
"""

from __future__ import annotations

from typing import Any

from refute.compiled.emit_c import Emitter, _atom_key, _Mode
from refute.compiled.ir import Act, Expr, IRModel, Unsupported
from refute.values import FrozenMap, Record, sort_key

PY_SHAPE_BASE = 1 << 40

_PRELUDE = r"""
/* ---- Python values (refute/compiled/emit_py.py) ---- */
#define PY_SHAPE_BASE ((int64_t)1 << 40)
static inline V py_none(void) { return intern(T_ATOM, 0, -1, 0, 0); }
static inline int py_is_record(V r) { return VAL(r)->tag == T_SEQ && VAL(r)->cls == 5; }
static inline int py_is_tuple(V r) { return VAL(r)->tag == T_SEQ && VAL(r)->cls == 4; }
static V py_record(int64_t shape, const V *values, uint32_t n) {
    Buf *o = buf_open();
    buf_push(o, intern(T_ATOM, 3, PY_SHAPE_BASE + shape, 0, 0));
    for (uint32_t k = 0; k < n; k++) buf_push(o, values[k]);
    V r = intern(T_SEQ, 5, 0, o->d, o->n);
    buf_close();
    return r;
}
static int py_field_index(V r, int field) {
    if (!py_is_record(r)) rt_fail(20);
    int64_t shape = VAL(vdata(r)[0])->u.i - PY_SHAPE_BASE;
    const int *fs = PY_SHAPE_FIELDS[shape];
    for (int k = 0; k < PY_SHAPE_LEN[shape]; k++) if (fs[k] == field) return k + 1;
    rt_fail(21);
    return 0;
}
static inline V py_get(V r, int field) { return vdata(r)[py_field_index(r, field)]; }
static V py_rec_set(V r, int field, V v) {
    int at = py_field_index(r, field);
    if (vdata(r)[at] == v) return r;
    Buf *o = buf_open();
    for (uint32_t k = 0; k < vlen(r); k++) buf_push(o, vdata(r)[k]);
    o->d[at] = v;
    V out = intern(T_SEQ, 5, 0, o->d, o->n);
    buf_close();
    return out;
}
static V py_map_from_pairs(Buf *b) { /* b: k0 v0 k1 v1 ...; closes b; later keys win */
    uint32_t n = b->n / 2;
    /* stable insertion sort keeps the last of equal keys last */
    for (uint32_t i = 1; i < n; i++) {
        Pair p = ((Pair *)b->d)[i];
        uint32_t j = i;
        while (j > 0 && rt_cmp(((Pair *)b->d)[j - 1].k, p.k) > 0) { ((Pair *)b->d)[j] = ((Pair *)b->d)[j - 1]; j--; }
        ((Pair *)b->d)[j] = p;
    }
    Buf *o = buf_open();
    uint32_t m = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (k + 1 < n && b->d[2 * k] == b->d[2 * k + 2]) continue;
        buf_push(o, b->d[2 * k]);
        m++;
    }
    for (uint32_t k = 0; k < n; k++) {
        if (k + 1 < n && b->d[2 * k] == b->d[2 * k + 2]) continue;
        buf_push(o, b->d[2 * k + 1]);
    }
    V r = intern(T_FN, 7, 0, o->d, m);
    buf_close();
    buf_close();
    return r;
}
static int py_map_find(V m, V k, uint32_t *at) {
    const Val *e = VAL(m);
    if (e->len <= 8)  /* equal values are equal ids: a short scan beats the ordered search */
        for (uint32_t j = 0; j < e->len; j++) if (e->u.d[j] == k) { *at = j; return 1; }
    uint32_t lo = 0, hi = e->len;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = rt_cmp(e->u.d[mid], k);
        if (c == 0) { *at = mid; return 1; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    *at = lo;
    return 0;
}
static V py_map_set(V m, V k, V v) {
    if (VAL(m)->tag != T_FN) rt_fail(22);
    uint32_t at;
    if (py_map_find(m, k, &at)) return fn_except(m, k, v);
    uint32_t n = VAL(m)->len;
    Buf *o = buf_open();
    for (uint32_t j = 0; j < at; j++) buf_push(o, vdata(m)[j]);
    buf_push(o, k);
    for (uint32_t j = at; j < n; j++) buf_push(o, vdata(m)[j]);
    for (uint32_t j = 0; j < at; j++) buf_push(o, vdata(m)[n + j]);
    buf_push(o, v);
    for (uint32_t j = at; j < n; j++) buf_push(o, vdata(m)[n + j]);
    V r = intern(T_FN, 7, 0, o->d, n + 1);
    buf_close();
    return r;
}
static V py_map_get(V m, V k, V dflt) {
    if (VAL(m)->tag != T_FN) rt_fail(22);
    uint32_t at;
    return py_map_find(m, k, &at) ? vdata(m)[VAL(m)->len + at] : dflt;
}
static int py_eq(V a, V b) {
    if (a == b) return 1;
    const Val *x = VAL(a), *y = VAL(b);
    if ((x->tag == T_BOOL && y->tag == T_INT) || (x->tag == T_INT && y->tag == T_BOOL)) return x->u.i == y->u.i;
    return 0;
}
static V py_item(V c, V k) {
    const Val *e = VAL(c);
    if (e->tag == T_FN) { uint32_t at; if (!py_map_find(c, k, &at)) rt_fail(23); return e->u.d[e->len + at]; }
    if (e->tag == T_SEQ && e->cls == 4) {
        const Val *i = VAL(k);
        if (i->tag != T_INT) rt_fail(24);
        int64_t j = i->u.i < 0 ? i->u.i + (int64_t)e->len : i->u.i;
        if (j < 0 || j >= (int64_t)e->len) rt_fail(24);
        return e->u.d[j];
    }
    rt_fail(24);
    return 0;
}
static int py_in(V x, V c) {
    const Val *e = VAL(c);
    if (e->tag == T_SET) {
        if (e->len <= 8) {
            for (uint32_t k = 0; k < e->len; k++) if (e->u.d[k] == x) return 1;
            return 0;
        }
        uint32_t lo = 0, hi = e->len;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            int r = rt_cmp(e->u.d[mid], x);
            if (r == 0) return 1;
            if (r < 0) lo = mid + 1; else hi = mid;
        }
        return 0;
    }
    if (e->tag == T_FN) { uint32_t at; return py_map_find(c, x, &at); }
    if (e->tag == T_SEQ && e->cls == 4) {
        for (uint32_t k = 0; k < e->len; k++) if (py_eq(e->u.d[k], x)) return 1;
        return 0;
    }
    rt_fail(25);
    return 0;
}
/* what a for loop or comprehension iterates: a set's elements, a tuple's, a map's keys */
static inline V py_iterable(V c) {
    const Val *e = VAL(c);
    if (e->tag == T_SET || e->tag == T_FN || (e->tag == T_SEQ && e->cls == 4)) return c;
    rt_fail(26);
    return 0;
}
static int64_t py_len(V c) {
    const Val *e = VAL(c);
    if (e->tag == T_SET || e->tag == T_FN || (e->tag == T_SEQ && e->cls == 4)) return e->len;
    rt_fail(27);
    return 0;
}
static int py_truth(V v) {
    const Val *e = VAL(v);
    if (e->tag == T_BOOL || e->tag == T_INT) return e->u.i != 0;
    if (e->tag == T_ATOM && e->cls == 0) return 0;  /* None */
    if (e->tag == T_SET || e->tag == T_FN || (e->tag == T_SEQ && e->cls == 4)) return e->len != 0;
    if (py_is_record(v)) return 1;
    rt_fail(28);  /* a string: its truth is its length, which atoms do not keep */
    return 0;
}
static inline int64_t py_int(V v) {
    const Val *e = VAL(v);
    if (e->tag == T_INT || e->tag == T_BOOL) return e->u.i;
    rt_fail(2);
    return 0;
}
static inline int py_is_int(V v) { return VAL(v)->tag == T_INT || VAL(v)->tag == T_BOOL; }
/* Pure functions of one value that invariants apply to every state (set(m.values()), s <= S)
 * are remembered in the runtime's memo table (op codes 40 and up). */
static V py_values(V m) {  /* a map's values, in key order, as a tuple */
    if (VAL(m)->tag != T_FN) rt_fail(22);
    Memo *h = memo_slot(40, m, 0, 0);
    if (memo_hit(h, 40, m, 0, 0)) return h->r;
    V r = mk_seq(vdata(m) + VAL(m)->len, VAL(m)->len);
    return memo_put(memo_slot(40, m, 0, 0), 40, m, 0, 0, r);
}
static V py_items(V m) {
    if (VAL(m)->tag != T_FN) rt_fail(22);
    uint32_t n = VAL(m)->len;
    Buf *o = buf_open();
    for (uint32_t k = 0; k < n; k++) { V p[2] = {vdata(m)[k], vdata(m)[n + k]}; buf_push(o, mk_seq(p, 2)); }
    V r = mk_seq(o->d, o->n);
    buf_close();
    return r;
}
static V py_keys(V m) {
    if (VAL(m)->tag != T_FN) rt_fail(22);
    return intern(T_SET, 6, 0, vdata(m), VAL(m)->len);
}
static V py_to_set_raw(V c);
static V py_to_set(V c) {
    Memo *h = memo_slot(41, c, 0, 0);
    if (memo_hit(h, 41, c, 0, 0)) return h->r;
    V r = py_to_set_raw(c);
    return memo_put(memo_slot(41, c, 0, 0), 41, c, 0, 0, r);
}
static V py_to_set_raw(V c) {
    py_iterable(c);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < vlen(c); k++) buf_push(o, vdata(c)[k]);
    return buf_set(o);
}
static V py_to_tuple(V c) {
    py_iterable(c);
    return mk_seq(vdata(c), vlen(c));
}
static V py_binop(int op, V a, V b) {
    const Val *x = VAL(a), *y = VAL(b);
    if (py_is_int(a) && py_is_int(b)) {
        int64_t i = x->u.i, j = y->u.i;
        switch (op) {
        case 0: return mk_int(i + j);
        case 1: return mk_int(i - j);
        case 2: return (x->tag == T_BOOL && y->tag == T_BOOL) ? mk_bool(i | j) : mk_int(i | j);
        case 3: return (x->tag == T_BOOL && y->tag == T_BOOL) ? mk_bool(i & j) : mk_int(i & j);
        }
    }
    if (x->tag == T_SET && y->tag == T_SET) {
        switch (op) {
        case 1: return set_minus(a, b);
        case 2: return set_union(a, b);
        case 3: return set_inter(a, b);
        }
    }
    if (op == 0 && x->tag == T_SEQ && y->tag == T_SEQ && x->cls == 4 && y->cls == 4) return seq_concat(a, b);
    rt_fail(29);
    return 0;
}
static int py_compare(int op, V a, V b) {  /* 0 <, 1 <=, 2 >, 3 >= */
    const Val *x = VAL(a), *y = VAL(b);
    if (py_is_int(a) && py_is_int(b)) {
        int64_t i = x->u.i, j = y->u.i;
        return op == 0 ? i < j : op == 1 ? i <= j : op == 2 ? i > j : i >= j;
    }
    if (x->tag == T_SET && y->tag == T_SET) {
        if (op == 2 || op == 3) { V t = a; a = b; b = t; op -= 2; }
        Memo *h = memo_slot(42 + op, a, b, 0);
        if (memo_hit(h, 42 + op, a, b, 0)) return h->r == V_TRUE;
        int sub = 1;
        for (uint32_t k = 0; k < VAL(a)->len && sub; k++) sub = py_in(vdata(a)[k], b);
        int r = op == 1 ? sub : sub && VAL(a)->len < VAL(b)->len;
        memo_put(memo_slot(42 + op, a, b, 0), 42 + op, a, b, 0, mk_bool(r));
        return r;
    }
    rt_fail(30);
    return 0;
}
static V py_extreme(V c, int max) {
    py_iterable(c);
    if (!vlen(c)) rt_fail(31);
    V best = vdata(c)[0];
    if (!py_is_int(best)) rt_fail(31);
    for (uint32_t k = 1; k < vlen(c); k++) {
        V v = vdata(c)[k];
        if (!py_is_int(v)) rt_fail(31);
        if (max ? VAL(v)->u.i > VAL(best)->u.i : VAL(v)->u.i < VAL(best)->u.i) best = v;
    }
    return best;
}
static V py_sorted(V c) {  /* integers only: their order is sort_key's */
    py_iterable(c);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < vlen(c); k++) {
        if (VAL(vdata(c)[k])->tag != T_INT) rt_fail(32);
        buf_push(o, vdata(c)[k]);
    }
    qsort(o->d, o->n, sizeof(V), cmp_ids);
    V r = mk_seq(o->d, o->n);
    buf_close();
    return r;
}
static inline V py_to_map(V c) {  /* dict(m): m itself; dict(pairs) is the interpreter's */
    if (VAL(c)->tag != T_FN) rt_fail(22);
    return c;
}
static inline V py_ordered(V c) {  /* iterated where the order matters: not a set (hash order) */
    if (VAL(c)->tag == T_SET) rt_fail(34);
    return py_iterable(c);
}
static V py_zip(V a, V b) {  /* zip of two iterables: a tuple of pairs, the shorter's length */
    py_iterable(a); py_iterable(b);
    uint32_t n = vlen(a) < vlen(b) ? vlen(a) : vlen(b);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < n; k++) { V p[2] = {vdata(a)[k], vdata(b)[k]}; buf_push(o, mk_seq(p, 2)); }
    V r = mk_seq(o->d, o->n);
    buf_close();
    return r;
}
static V py_slice(V c, V lo, V hi) {  /* c[lo:hi] of a tuple; None for an open end */
    if (!py_is_tuple(c)) rt_fail(33);
    int64_t n = vlen(c), a = 0, b = n;
    if (!(VAL(lo)->tag == T_ATOM && VAL(lo)->cls == 0)) { a = py_int(lo); if (a < 0) a += n; }
    if (!(VAL(hi)->tag == T_ATOM && VAL(hi)->cls == 0)) { b = py_int(hi); if (b < 0) b += n; }
    if (a < 0) a = 0;
    if (b > n) b = n;
    if (b < a) b = a;
    return mk_seq(vdata(c) + a, (uint32_t)(b - a));
}
static int py_isinstance(V v, int kind) {  /* 0 int (bool too, as in Python), 1 bool, 2 str */
    const Val *e = VAL(v);
    if (kind == 0) return e->tag == T_INT || e->tag == T_BOOL;
    if (kind == 1) return e->tag == T_BOOL;
    return e->tag == T_ATOM && e->cls != 0;
}
static V py_range(int64_t lo, int64_t hi) {  /* range(lo, hi) as a tuple */
    Buf *o = buf_open();
    for (int64_t k = lo; k < hi; k++) buf_push(o, mk_int(k));
    V r = mk_seq(o->d, o->n);
    buf_close();
    return r;
}
static V py_union_all(V c) {  /* the union of the sets c holds (a map: its values) */
    const Val *e = VAL(c);
    const V *d = e->tag == T_FN ? e->u.d + e->len : (py_iterable(c), e->u.d);
    V r = intern(T_SET, 6, 0, 0, 0);
    for (uint32_t k = 0; k < e->len; k++) {
        if (VAL(d[k])->tag != T_SET) rt_fail(35);
        r = set_union(r, d[k]);
    }
    return r;
}
static inline V py_list(Buf *b) { V r = mk_seq(b->d, b->n); buf_close(); return r; }
int refute_py_cls(V v) { return VAL(v)->cls; }
"""

_BINOPS = {"add": 0, "sub": 1, "or": 2, "and": 3}
_COMPARES = {"lt": 0, "le": 1, "gt": 2, "ge": 3}


class PyEmitter(Emitter):
    """The emitter of :mod:`.emit_c` over Python's values (see the module docstring)."""

    def __init__(self, ir: IRModel, shapes: list[tuple[str, ...]]):
        self.ir = ir
        self.nv = ir.nvars
        self.counter = 0
        self.hoisted: dict[int, int] = {}
        self.recursing: dict[int, str] = {}
        self.keep_alive: list = []
        atoms: dict = {}
        for v in ir.pool:
            _collect(v, atoms, shapes)
        ordered = sorted(atoms.values(), key=sort_key)
        self.atom_rank = {_atom_key(a): i for i, a in enumerate(ordered)}
        self.atoms = ordered
        self.shapes = sorted(set(shapes))
        self.shape_rank = {s: i for i, s in enumerate(self.shapes)}
        names = sorted({f for s in self.shapes for f in s})
        self.field_id = {f: i for i, f in enumerate(names)}

    def shape(self, fields: tuple[str, ...]) -> int:
        return self.shape_rank[fields]

    # ------------------------------------------------------------------ constants
    def encode(self, v: Any) -> str:
        if v is None:
            return "py_none()"
        if isinstance(v, Record):
            t = self.tmp()
            items = ", ".join(self.encode(x) for x in v._stored()) or "0"
            return (f"({{ V {t}[] = {{{items}}}; py_record({self.shape(v._names)}, {t}, "
                    f"{len(v._names)}); }})")
        if isinstance(v, FrozenMap):
            b = self.tmp()
            pushes = "".join(f"buf_push({b}, {self.encode(k)}); buf_push({b}, {self.encode(x)}); "
                             for k, x in v.items())
            return f"({{ Buf *{b} = buf_open(); {pushes}py_map_from_pairs({b}); }})"
        return super().encode(v)

    # ------------------------------------------------------------------ expressions
    def loops(self, bs: tuple, m: _Mode, inner: str, cont: str | None = None) -> str:
        """Nested loops, the first binding outermost (``itertools.product``'s order, the
        interpreter's), over sets (sorted), tuples (in order) and maps (their keys)."""
        code = inner
        for name, sx in reversed(bs):
            s, q = self.tmp(), self.tmp()
            guard = f"{cont} && " if cont else ""
            code = (f"{{ V {s} = py_iterable({self.val(sx, m)}); "
                    f"for (uint32_t {q} = 0; {guard}{q} < vlen({s}); {q}++) {{ "
                    f"V {name} = vdata({s})[{q}]; {code} }} }}")
        return code

    def bool_code(self, e: Expr, m: _Mode) -> str:
        op, a = e.op, e.args
        if op == "py_eq":
            return f"py_eq({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "py_in":
            return f"py_in({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "py_truth":
            return f"py_truth({self.val(a[0], m)})"
        if op == "py_compare":
            return f"py_compare({_COMPARES[a[0]]}, {self.val(a[1], m)}, {self.val(a[2], m)})"
        if op == "py_isinstance":
            return f"py_isinstance({self.val(a[0], m)}, {a[1]})"
        if op == "as_bool":  # a predicate's result: True or False, else the interpreter's error
            return f"as_bool({self.val(a[0], m)})"
        if op in ("any", "all"):
            gens, elt = a
            r = self.tmp()
            want = op == "any"
            inner = f"if ({'' if want else '!'}{self.boolean(elt, m)}) {r} = {int(want)};"
            cond = f"{'!' if want else ''}{r}"
            return f"({{ int {r} = {int(not want)}; {self.gen_loops(gens, m, inner, cond)} {r}; }})"
        if op == "let":
            return self.let_code(e, m, self.boolean)
        return super().bool_code(e, m)

    def int_code(self, e: Expr, m: _Mode) -> str:
        op, a = e.op, e.args
        if op == "py_len":
            return f"py_len({self.val(a[0], m)})"
        if op == "py_int":
            return f"py_int({self.val(a[0], m)})"
        if op in ("count", "sum"):
            gens, elt = a
            r = self.tmp()
            inner = f"{r}++;" if op == "count" else f"{r} += {self.integer(elt, m)};"
            return f"({{ int64_t {r} = 0; {self.gen_loops(gens, m, inner)} {r}; }})"
        if op in ("min2", "max2"):
            x, y = self.tmp(), self.tmp()
            sym = "<" if op == "min2" else ">"
            return (f"({{ int64_t {x} = {self.integer(a[0], m)}; int64_t {y} = {self.integer(a[1], m)}; "
                    f"{y} {sym} {x} ? {y} : {x}; }})")
        if op == "let":
            return self.let_code(e, m, self.integer)
        return super().int_code(e, m)

    def value_code(self, e: Expr, m: _Mode) -> str:
        op, a = e.op, e.args
        if op == "py_record":
            fields, xs = a
            t = self.tmp()
            items = ", ".join(self.val(x, m) for x in xs) or "0"
            return f"({{ V {t}[] = {{{items}}}; py_record({self.shape(fields)}, {t}, {len(xs)}); }})"
        if op in ("py_get", "py_rec_set") and a[1] not in self.field_id:
            # no record the spec makes has this field: Python's AttributeError, if reached
            return "(rt_fail(21), (V)0)"
        if op == "py_get":
            return f"py_get({self.val(a[0], m)}, {self.field_id[a[1]]})"
        if op == "py_rec_set":
            return f"py_rec_set({self.val(a[0], m)}, {self.field_id[a[1]]}, {self.val(a[2], m)})"
        if op == "py_item":
            return f"py_item({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "py_map_set":
            return f"py_map_set({self.val(a[0], m)}, {self.val(a[1], m)}, {self.val(a[2], m)})"
        if op == "py_range":
            return f"py_range({self.integer(a[0], m)}, {self.integer(a[1], m)})"
        if op == "py_union_all":
            return f"py_union_all({self.val(a[0], m)})"
        if op == "py_zip":
            return f"py_zip({self.val(a[0], m)}, {self.val(a[1], m)})"
        if op == "py_slice":
            return f"py_slice({self.val(a[0], m)}, {self.val(a[1], m)}, {self.val(a[2], m)})"
        if op == "py_map_get":
            return f"py_map_get({self.val(a[0], m)}, {self.val(a[1], m)}, {self.val(a[2], m)})"
        if op == "py_binop":
            return f"py_binop({_BINOPS[a[0]]}, {self.val(a[1], m)}, {self.val(a[2], m)})"
        if op in ("py_values", "py_items", "py_keys", "py_to_set", "py_to_tuple", "py_sorted",
                  "py_ordered", "py_to_map"):
            return f"{op}({self.val(a[0], m)})"
        if op in ("py_min", "py_max"):
            return f"py_extreme({self.val(a[0], m)}, {int(op == 'py_max')})"
        if op == "py_dict":
            b = self.tmp()
            pushes = "".join(f"buf_push({b}, {self.val(k, m)}); buf_push({b}, {self.val(x, m)}); "
                             for k, x in a)
            return f"({{ Buf *{b} = buf_open(); {pushes}py_map_from_pairs({b}); }})"
        if op == "none":
            return "py_none()"
        if op == "comp":
            kind, gens, elt = a
            b = self.tmp()
            if kind == "dict":
                k, v = elt
                inner = (f"{{ V {b}k = {self.val(k, m)}; V {b}v = {self.val(v, m)}; "
                         f"buf_push({b}, {b}k); buf_push({b}, {b}v); }}")
                close = f"py_map_from_pairs({b})"
            else:
                inner = f"{{ V {b}v = {self.val(elt, m)}; buf_push({b}, {b}v); }}"
                close = f"buf_set({b})" if kind == "set" else f"py_list({b})"
            return f"({{ Buf *{b} = buf_open(); {self.gen_loops(gens, m, inner)} {close}; }})"
        if op == "fold":
            # accumulators (C locals) updated by each element of the generators, in order
            accs, gens, updates = a
            decl = "".join(f"V {name} = {self.val(init, m)}; " for name, init in accs)
            tmps = [self.tmp() for _ in accs]
            step = "".join(f"V {t} = {self.val(u, m)}; " for t, u in zip(tmps, updates))
            step += "".join(f"{name} = {t}; " for (name, _), t in zip(accs, tmps))
            r = self.tmp()
            return (f"({{ {decl}{self.gen_loops(gens, m, '{ ' + step + '}')} "
                    f"V {r}[] = {{{', '.join(n for n, _ in accs)}}}; mk_seq({r}, {len(accs)}); }})")
        if op == "let":
            return self.let_code(e, m, self.val)
        return super().value_code(e, m)

    def let_code(self, e: Expr, m: _Mode, conv) -> str:
        name, value, body = e.args
        return f"({{ V {name} = {self.val(value, m)}; {conv(body, m)}; }})"

    def gen_loops(self, gens: tuple, m: _Mode, inner: str, cont: str | None = None) -> str:
        """A comprehension's ``for ... in ... if ...`` clauses around ``inner``: each clause's
        loop (with its target's parts bound) and conditions, the first clause outermost."""
        code = inner
        for name, source, parts, conds in reversed(gens):
            for c in reversed(conds):
                code = f"if ({self.boolean(c, m)}) {{ {code} }}"
            for pname, pexpr in reversed(parts):
                code = f"{{ V {pname} = {self.val(pexpr, m)}; {code} }}"
            code = self.loops(((name, source),), m, code, cont)
        return code

    # ------------------------------------------------------------------ actions
    def act(self, a: Act, m: _Mode, k) -> str:
        if a.op == "guard" and a.args[0].op == "bool" and not a.args[0].args[0]:
            return ";"  # no successor on this path (return None, or the end of the action)
        if a.op == "let":
            name, value, body = a.args
            return f"{{ V {name} = {self.val(value, m)}; {self.act(body, m, k)} }}"
        return super().act(a, m, k)

    # ------------------------------------------------------------------ unit
    def unit(self) -> str:
        source = super().unit()
        lens = ", ".join(str(len(s)) for s in self.shapes) or "0"
        width = max([len(s) for s in self.shapes] + [1])
        rows = ", ".join("{" + (", ".join(str(self.field_id[f]) for f in s) or "0") + "}"
                         for s in self.shapes) or "{0}"
        tables = (f"static const int PY_SHAPE_LEN[] = {{{lens}}};\n"
                  f"static const int PY_SHAPE_FIELDS[][{width}] = {{{rows}}};\n")
        marker = '#include "runtime.c"\n'
        terminal = ""
        if self.ir.terminal:
            m = _Mode(False, frozenset())
            tests = " || ".join(self.boolean(e, m) for e in self.ir.terminal)
            terminal = f"static int model_terminal(const V *S) {{\n return {tests};\n}}\n"
            marker_defined = "#define MODEL_TERMINAL 1\n" + marker
            source = source.replace(marker, marker_defined, 1)
        return source.replace(marker, marker + tables + _PRELUDE, 1) + terminal


def _collect(v: Any, atoms: dict, shapes: list) -> None:
    if v is None or isinstance(v, bool) or type(v) is int:
        return
    if isinstance(v, str):
        atoms.setdefault(_atom_key(v), v)
        return
    if isinstance(v, Record):
        shapes.append(v._names)
        for x in v._stored():
            _collect(x, atoms, shapes)
        return
    if isinstance(v, (frozenset, tuple)):
        for x in v:
            _collect(x, atoms, shapes)
        return
    if isinstance(v, FrozenMap):
        for k, x in v.items():
            _collect(k, atoms, shapes)
            _collect(x, atoms, shapes)
        return
    raise Unsupported(f"a value of type {type(v).__name__}")


def emit(ir: IRModel, shapes: list[tuple[str, ...]]) -> tuple[str, list, list]:
    """The C source of a Python spec's ``ir``, its atoms by rank and its record shapes by rank."""
    em = PyEmitter(ir, shapes)
    return em.unit(), em.atoms, em.shapes
